/* decomp.h - matrix decompositions for the classic-ML module: PCA (an
 * exact solver and the randomized one), incremental PCA, kernels and
 * kernel PCA, in double precision where the result is kept.
 *
 * The numbers follow what scikit-learn 1.2 computes (PCA's _fit_full and
 * _fit_truncated with randomized_svd, IncrementalPCA.partial_fit,
 * KernelPCA's dense path with KernelCenterer), signs by its svd_flip
 * rule; the code is written from those descriptions.
 *
 * Matrices are row-major. No Lua here. Functions return 0, ML_ENOMEM or
 * ML_ELAPACK (linear.h). */
#ifndef WB_ML_DECOMP_H
#define WB_ML_DECOMP_H

#include <stdint.h>

/* Exact PCA of the n x d rows x. r = min(n, d) components are computed
 * (comp r x d, sv r singular values of the centred X, largest first);
 * the first k (1..r) get scikit-learn's sign (the largest |score| of
 * each component positive). Computed from the eigenvectors of the
 * d x d covariance (n >= d) or the n x n Gram matrix (n < d), both
 * accumulated in double. mean: d; *total_var the summed column
 * variances (divided by n - 1). */
int pca_exact(const float *x, int64_t n, int64_t d, int64_t k, double *mean,
              double *comp, double *sv, double *total_var);

enum { PCA_NORM_AUTO, PCA_NORM_LU, PCA_NORM_QR, PCA_NORM_NONE };

/* Randomized PCA (Halko et al., as scikit-learn's randomized_svd: k +
 * n_oversamples random normal directions from the runtime's RNG,
 * n_iter power iterations normalised by LU, QR or not at all (auto: LU
 * past two iterations), a QR basis, all in float32 products on a
 * centred float32 copy of X): comp k x d, sv k, mean d, *total_var. */
int pca_randomized(const float *x, int64_t n, int64_t d, int64_t k,
                   int64_t n_oversamples, int n_iter, int normaliser,
                   double *mean, double *comp, double *sv, double *total_var);

/* One IncrementalPCA.partial_fit step on the nb x d rows xb. State:
 * comp (k x d) and sv (k) (unused while *n_seen == 0), mean and var
 * (d), *n_seen; k <= nb at the first step. All singular values of the
 * step go to sv_all (at most k + nb + 1; *n_all says how many) for the
 * explained variances. */
int ipca_step(const float *xb, int64_t nb, int64_t d, int64_t k,
              double *comp, double *sv, double *mean, double *var,
              int64_t *n_seen, double *sv_all, int64_t *n_all);

enum { KER_LINEAR, KER_POLY, KER_RBF, KER_SIGMOID, KER_COSINE };

/* K (n x m) = kernel(x_i, y_j) for rows x (n x d) and y (m x d), with
 * scikit-learn's formulas (poly (gamma <x,y> + coef0)^degree, rbf
 * exp(-gamma |x - y|^2), sigmoid tanh(gamma <x,y> + coef0), cosine
 * <x,y> / (|x| |y|), zero rows giving 0). */
int kernel_matrix(int kind, const double *x, int64_t n, const double *y,
                  int64_t m, int64_t d, double gamma, double degree,
                  double coef0, double *K);

/* Kernel PCA on the n x n kernel K (centred in place): the k largest
 * eigenpairs of the centred K by LAPACK's dsyevr, negative and
 * negligible eigenvalues set to 0 (_check_psd_eigenvalues), each
 * eigenvector's largest |entry| positive, largest first. colmean (n)
 * and *allmean keep the centring for kpca_centre. */
int kpca_fit(double *K, int64_t n, int64_t k, double *colmean,
             double *allmean, double *evals, double *evecs);

/* Centre the q x n kernel between new rows and the fitted ones in place
 * with the fitted statistics (KernelCenterer.transform). */
void kpca_centre(double *K, int64_t q, int64_t n, const double *colmean,
                 double allmean);

/* B (n x m) = A^-1 B for the symmetric positive definite A (n x n,
 * overwritten), by Cholesky (dposv); ML_ELAPACK when A is not. */
int solve_pos(double *A, int64_t n, double *B, int64_t m);

#endif
