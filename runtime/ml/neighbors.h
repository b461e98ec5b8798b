/* neighbors.h - brute-force nearest neighbours and k-means for the
 * classic-ML module. Squared distances come from one sgemm per block
 * (|a|^2 - 2 a.b + |b|^2) on the worker pool; the distances handed back
 * and the inertia are recomputed exactly in double.
 *
 * Matrices are row-major floats. No Lua here. Functions return 0 or
 * ML_ENOMEM (linear.h). */
#ifndef WB_ML_NEIGHBORS_H
#define WB_ML_NEIGHBORS_H

#include <stdint.h>

/* For each of the q query rows the k (<= m) nearest of the m reference
 * rows (euclidean): idx (q x k, 0-based), dist (q x k), nearest first;
 * equal distances keep the lower reference row first. */
int knn_search(const float *ref, int64_t m, const float *query, int64_t q,
               int64_t d, int64_t k, int64_t *idx, double *dist);

/* For each of the n rows the nearest of the k centres (labels, 0-based,
 * ties to the lower centre) and, when d2 is given, the squared
 * distances to every centre (n x k, clipped at 0). */
int kmeans_assign(const float *x, int64_t n, int64_t d, const double *centres,
                  int k, int *labels, float *d2);

/* Lloyd's iterations from centres (k x d, updated in place), as
 * scikit-learn's lloyd: stops when the labels do not change or the
 * summed squared centre shift is at most tol (absolute), at most
 * max_iter rounds; an empty cluster takes the row farthest from its
 * centre. labels (n) and *inertia (sum of squared distances to the
 * assigned centre) match the final centres; *n_iter the rounds. */
int kmeans_lloyd(const float *x, int64_t n, int64_t d, double *centres,
                 int k, int max_iter, double tol, int *labels,
                 double *inertia, int *n_iter);

/* k-means++ seeding (greedy, 2 + floor(ln k) candidates per centre, as
 * scikit-learn's) with the runtime's RNG: centres (k x d). */
int kmeans_plusplus(const float *x, int64_t n, int64_t d, int k,
                    double *centres);

#endif
