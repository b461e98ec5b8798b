/* tsne.h - t-SNE (exact and Barnes-Hut) and trustworthiness, computing
 * what scikit-learn 1.2's sklearn.manifold.TSNE computes:
 *
 *  - conditional probabilities p_j|i from squared distances, a binary
 *    search on each row's precision beta until the row's entropy is
 *    log(perplexity) (100 steps at most, tolerance 1e-5);
 *  - exact: P = (C + C^T) / sum, at least DBL_EPSILON off the diagonal,
 *    over all pairs; Barnes-Hut: the same over the 3 * perplexity + 1
 *    nearest neighbours of each row (a sparse symmetric matrix);
 *  - the gradient of KL(P || Q) with Student-t Q of dof degrees of
 *    freedom, exact over all pairs or with a 2^dim-ary space-partitioning
 *    tree (angle theta) for the repulsive part, on the worker pool;
 *  - gradient descent with momentum and per-coordinate gains (+0.2 when
 *    the sign flips, *0.8 otherwise, at least 0.01).
 *
 * All arrays are row-major doubles unless said otherwise. Functions
 * return 0 or ML_ENOMEM / ML_ELAPACK (ml/linear.h). No Lua here. */
#ifndef WB_ML_TSNE_H
#define WB_ML_TSNE_H

#include <stdint.h>

/* Squared euclidean distances of the rows of x (n x d) as float (n x n),
 * |a|^2 - 2 a.b + |b|^2 in double (dgemm), clipped at 0, diagonal 0. */
int tsne_sqdist(const double *x, int64_t n, int64_t d, float *out);

/* The binary search: sqd (n x k) squared distances; k == n means the
 * full square matrix (the diagonal is left out, p[i][i] = 0), k < n the
 * distances to k neighbours. p (n x k) gets the conditional
 * probabilities; *beta_sum (may be NULL) the sum of the precisions. */
int tsne_conditional(const float *sqd, int64_t n, int64_t k,
                     double perplexity, double *p, double *beta_sum);

/* Exact joint probabilities from conditional ones (n x n): P (n x n),
 * diagonal 0. */
void tsne_joint_dense(const double *cond, int64_t n, double *P);

/* Sparse joint probabilities: row i's conditional probabilities cond
 * (n x k) over its neighbours nbr (n x k, 0-based) symmetrised and
 * normalised, as CSR (indptr n + 1, cols, vals; malloc'ed, columns
 * ascending within a row). */
int tsne_joint_sparse(const int64_t *nbr, const double *cond, int64_t n,
                      int64_t k, int64_t **indptr, int32_t **cols,
                      double **vals);

/* The optimiser's state: the embedding, its update and gains. */
typedef struct Tsne Tsne;

/* A state for n points in dim (1..3 for Barnes-Hut) dimensions. Exact:
 * P dense (n x n, taken over: freed by tsne_free). Barnes-Hut: P as
 * CSR (taken over). y0 (n x dim) is copied. NULL when out of memory
 * (the arrays handed over are freed then too). */
Tsne *tsne_new_exact(int64_t n, int dim, double *P, const double *y0);
Tsne *tsne_new_bh(int64_t n, int dim, int64_t *indptr, int32_t *cols,
                  double *vals, double angle, const double *y0);
void tsne_free(Tsne *t);

/* update = 0, gains = 1 (each of scikit-learn's two descent stages
 * starts so). */
void tsne_reset(Tsne *t);

/* `iters` steps of gradient descent with P multiplied by exaggeration.
 * On the last step, *grad_norm is the norm of the gains-scaled
 * gradient and, when want_error, *error the KL divergence (exact: of
 * P and Q; Barnes-Hut: over P's entries, Q's normaliser from the tree),
 * else NaN. */
int tsne_run(Tsne *t, int iters, double momentum, double learning_rate,
             double exaggeration, int want_error, double *error,
             double *grad_norm);

/* The embedding (n x dim), owned by t. */
const double *tsne_embedding(const Tsne *t);

/* The first dim principal components' scores of x (n x d), signs as
 * scikit-learn's svd_flip for the randomized solver (u-based when
 * n >= d, v-based otherwise), scaled so that column 0 has standard
 * deviation 1e-4: out (n x dim). */
int tsne_pca_init(const double *x, int64_t n, int64_t d, int dim,
                  double *out);

/* scikit-learn's trustworthiness of embedding y (n x dy) of x (n x d)
 * with k neighbours. */
int tsne_trustworthiness(const double *x, int64_t n, int64_t d,
                         const double *y, int64_t dy, int k, double *out);

#endif
