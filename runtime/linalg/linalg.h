/* linalg.h - dense linear algebra in double precision on LAPACK(E).
 *
 * Every matrix is a row-major array of doubles that the caller owns, in
 * and out; nothing here allocates what it returns. Functions return 0,
 * or -1 with a message in err (LINALG_ERRLEN bytes) for what the caller
 * must report: a singular matrix, one that is not positive definite, a
 * solver that did not converge, no memory for LAPACK's workspace. Inputs
 * are not checked for NaN here: the binding refuses them first.
 *
 * Conventions follow NumPy's numpy.linalg: svd gives U, S, Vt; eigh gives
 * ascending w and the eigenvectors as columns of V; qr is the reduced
 * (economy) form; lstsq uses gelsd with rcond = eps * max(m, n). */
#ifndef WB_LINALG_H
#define WB_LINALG_H

#include <stddef.h>

#define LINALG_ERRLEN 256

/* a (n, n) -> inv (n, n). Singular: error. */
int linalg_inv(const double *a, int n, double *inv, char *err);
/* a (n, n), b (n, k) -> x (n, k) with a x = b. Singular: error. */
int linalg_solve(const double *a, int n, const double *b, int k, double *x,
                 char *err);
/* det of a (n, n) (0 for a singular matrix; never an error). */
int linalg_det(const double *a, int n, double *det, char *err);
/* a (m, n), b (m, k) -> x (n, k) minimising |a x - b|; s receives
 * min(m, n) singular values, *rank the effective rank; resid (k) the
 * squared residual norms when m > n and the rank is n (else untouched,
 * *has_resid = 0). rcond < 0 means eps * max(m, n). */
int linalg_lstsq(const double *a, int m, int n, const double *b, int k,
                 double rcond, double *x, double *s, int *rank,
                 double *resid, int *has_resid, char *err);
/* a (m, n) -> u (m, m) or (m, kk), s (kk), vt (n, n) or (kk, n), kk =
 * min(m, n); full = 1 for the full matrices. u and vt may be NULL for
 * the singular values only. */
int linalg_svd(const double *a, int m, int n, int full, double *u,
               double *s, double *vt, char *err);
/* Symmetric a (n, n), lower triangle used -> w (n) ascending, v (n, n)
 * eigenvectors in columns (NULL: values only). */
int linalg_eigh(const double *a, int n, double *w, double *v, char *err);
/* General a (n, n) -> wr, wi (n) real and imaginary parts of the
 * eigenvalues, v (n, n) right eigenvectors in columns, normalised to unit
 * length as NumPy does (for a complex pair, columns j and j+1 hold the
 * real and imaginary parts of the first vector; v may be NULL). */
int linalg_eig(const double *a, int n, double *wr, double *wi, double *v,
               char *err);
/* a (m, n) -> q (m, kk), r (kk, n), kk = min(m, n). */
int linalg_qr(const double *a, int m, int n, double *q, double *r, char *err);
/* Symmetric positive definite a (n, n) -> lower l (n, n) with a = l l^T. */
int linalg_cholesky(const double *a, int n, double *l, char *err);
/* a (m, n) -> p (n, m), through the SVD; singular values below
 * rcond * max(s) count as zero (NumPy's default rcond is 1e-15). */
int linalg_pinv(const double *a, int m, int n, double rcond, double *p,
                char *err);
/* Number of singular values above tol (tol < 0: max(s) * max(m, n) *
 * eps, NumPy's default). */
int linalg_matrix_rank(const double *a, int m, int n, double tol, int *rank,
                       char *err);
/* Matrix norms of a (m, n): ord "fro", "nuc", "1", "-1", "2", "-2",
 * "inf", "-inf" (NumPy's meanings). */
int linalg_matrix_norm(const double *a, int m, int n, const char *ord,
                       double *out, char *err);
/* Vector norm of x (n): p-norm for any p != 0, p = 0 counts non-zeros,
 * p = +-HUGE_VAL is max/min |x|. */
double linalg_vector_norm(const double *x, size_t n, double p);

#endif
