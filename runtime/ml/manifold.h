/* manifold.h - manifold learning for the classic-ML module: locally
 * linear embedding, Isomap's geodesic distances, metric MDS by SMACOF.
 * The steps follow scikit-learn 1.2 (barycenter_weights and the dense
 * null_space of its LocallyLinearEmbedding, the kNN graph and shortest
 * paths of its Isomap, _smacof_single); the code is written from those
 * descriptions. Neighbours come from knn_search (neighbors.h).
 *
 * Matrices are row-major. No Lua here. Functions return 0, ML_ENOMEM,
 * ML_ELAPACK (linear.h) or the codes below. */
#ifndef WB_ML_MANIFOLD_H
#define WB_ML_MANIFOLD_H

#include <stdint.h>

enum { MF_DISCONNECTED = -3, MF_STOPPED = -4 };

/* The k nearest other rows of each of the n rows (idx n x k, 0-based,
 * dist n x k), a row never its own neighbour. */
int mf_self_knn(const float *x, int64_t n, int64_t d, int64_t k,
                int64_t *idx, double *dist);

/* Standard LLE: barycentre weights over the k neighbours (regularised
 * by reg x the trace of the local Gram matrix), M = (I - W)'(I - W), its
 * eigenvectors 2 .. p + 1 (dsyevr) as the embedding (n x p);
 * *err the sum of those eigenvalues. */
int lle_fit(const float *x, int64_t n, int64_t d, int64_t k, int64_t p,
            double reg, double *emb, double *err);

/* Geodesic distances (n x n) along the undirected kNN graph (edge
 * weights the euclidean distances; Dijkstra from every row), calling
 * progress(arg, done, n) now and then when it is given.
 * MF_DISCONNECTED when some pair has no path. */
int isomap_paths(const float *x, int64_t n, int64_t d, int64_t k, double *D,
                 void (*progress)(void *, int64_t, int64_t), void *arg);

/* Geodesic distances (q x n) from q new rows to the n fitted ones:
 * through each new row's k nearest fitted rows (Isomap.transform). */
int isomap_extend(const float *fit, int64_t n, const float *xq, int64_t q,
                  int64_t d, int64_t k, const double *D, double *G);

/* Metric SMACOF from X (n x p, updated in place) on the n x n
 * dissimilarities: at most max_iter Guttman transforms, stopping when
 * the stress per unit of the embedding's size falls by less than eps.
 * *stress is the raw stress (half the summed squared differences) of
 * the last configuration measured, *n_iter the iterations. When given,
 * progress(arg, it, stress) runs after iteration it (0-based) has
 * measured its stress; a nonzero return stops the fit (MF_STOPPED). */
int smacof(const double *diss, int64_t n, int64_t p, double *X, int max_iter,
           double eps, double *stress, int *n_iter,
           int (*progress)(void *, int, double), void *arg);

/* euclidean distances (n x n) between the rows, in double */
void mf_distances(const float *x, int64_t n, int64_t d, double *D);

#endif
