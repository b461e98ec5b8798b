/* decomp.c - PCA, incremental PCA, kernels and kernel PCA (decomp.h) on
 * OpenBLAS and LAPACKE, in double precision where the result is kept. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "core/tensor.h"
#include "ml/decomp.h"
#include "ml/linear.h"

#define BLOCK 2048   /* rows converted to double at a time */

static void col_means(const float *x, int64_t n, int64_t d, double *mean) {
  for (int64_t j = 0; j < d; j++) mean[j] = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (int64_t j = 0; j < d; j++) mean[j] /= (double)n;
}

/* rows [r0, r0 + b) of x minus mean, as doubles into a (b x d) */
static void centred_block(const float *x, int64_t r0, int64_t b, int64_t d,
                          const double *mean, double *a) {
  for (int64_t i = 0; i < b; i++)
    for (int64_t j = 0; j < d; j++)
      a[i * d + j] = x[(r0 + i) * d + j] - mean[j];
}

/* summed column variances (n - 1) of the rows, two passes */
static double total_variance(const float *x, int64_t n, int64_t d,
                             const double *mean) {
  double *s = calloc((size_t)d, sizeof *s);
  if (!s) return NAN;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) {
      double v = x[i * d + j] - mean[j];
      s[j] += v * v;
    }
  double t = 0;
  for (int64_t j = 0; j < d; j++) t += s[j];
  free(s);
  return n > 1 ? t / (double)(n - 1) : 0;
}

/* argmax |v[i * stride]| over i < len (first one on ties), as NumPy's */
static int64_t argmax_abs(const double *v, int64_t len, int64_t stride) {
  int64_t best = 0;
  double m = -1;
  for (int64_t i = 0; i < len; i++) {
    double a = fabs(v[i * stride]);
    if (a > m) { m = a; best = i; }
  }
  return best;
}

/* comp rows c with sv[c] ~ 0 (no direction from the data) become unit
 * vectors orthogonal to the rows before them (Gram-Schmidt on e_j) */
static void complete_basis(double *comp, int64_t r, int64_t d, int64_t from) {
  int64_t e = 0;
  for (int64_t c = from; c < r; c++) {
    for (; e < d; e++) {
      double *v = comp + c * d;
      memset(v, 0, (size_t)d * sizeof *v);
      v[e] = 1;
      for (int pass = 0; pass < 2; pass++)
        for (int64_t p = 0; p < c; p++) {
          double dot = cblas_ddot((int)d, v, 1, comp + p * d, 1);
          cblas_daxpy((int)d, -dot, comp + p * d, 1, v, 1);
        }
      double nv = cblas_dnrm2((int)d, v, 1);
      if (nv > 1e-6) {
        cblas_dscal((int)d, 1 / nv, v, 1);
        e++;
        break;
      }
    }
  }
}

int pca_exact(const float *x, int64_t n, int64_t d, int64_t k, double *mean,
              double *comp, double *sv, double *total_var) {
  int64_t r = n < d ? n : d;
  col_means(x, n, d, mean);
  *total_var = total_variance(x, n, d, mean);
  int64_t m = n >= d ? d : n;            /* size of the eigenproblem */
  double *C = calloc((size_t)(m * m), sizeof *C);
  double *Z = malloc((size_t)(m * m) * sizeof *Z);
  double *w = malloc((size_t)m * sizeof *w);
  int *sup = malloc((size_t)(2 * m) * sizeof *sup);
  int64_t bl = n >= d ? (n < BLOCK ? n : BLOCK) : n;
  double *a = malloc((size_t)(bl * d) * sizeof *a);
  int rc = ML_ENOMEM;
  if (!C || !Z || !w || !sup || !a) goto out;
  if (n >= d) {
    for (int64_t r0 = 0; r0 < n; r0 += bl) {
      int64_t b = n - r0 < bl ? n - r0 : bl;
      centred_block(x, r0, b, d, mean, a);
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)b, 1.0,
                  a, (int)d, 1.0, C, (int)d);
    }
  } else {
    centred_block(x, 0, n, d, mean, a);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0,
                a, (int)d, 0.0, C, (int)n);
  }
  lapack_int found;
  rc = ML_ELAPACK;
  if (LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'A', 'U', (lapack_int)m, C,
                     (lapack_int)m, 0, 0, 0, 0, 0.0, &found, w, Z,
                     (lapack_int)m, sup) != 0)
    goto out;
  /* eigenvalues ascending: component c is eigenvector m - 1 - c */
  for (int64_t c = 0; c < r; c++) {
    double ev = w[m - 1 - c];
    sv[c] = ev > 0 ? sqrt(ev) : 0;
  }
  if (n >= d) {
    for (int64_t c = 0; c < r; c++)
      for (int64_t j = 0; j < d; j++) comp[c * d + j] = Z[j * m + (m - 1 - c)];
    /* signs: the largest |score| of each kept component positive */
    double *s = malloc((size_t)(bl * k) * sizeof *s);
    double *best = malloc((size_t)k * sizeof *best);
    double *bval = malloc((size_t)k * sizeof *bval);
    rc = ML_ENOMEM;
    if (!s || !best || !bval) { free(s); free(best); free(bval); goto out; }
    for (int64_t c = 0; c < k; c++) best[c] = -1, bval[c] = 0;
    for (int64_t r0 = 0; r0 < n; r0 += bl) {
      int64_t b = n - r0 < bl ? n - r0 : bl;
      centred_block(x, r0, b, d, mean, a);
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)k,
                  (int)d, 1.0, a, (int)d, comp, (int)d, 0.0, s, (int)k);
      for (int64_t i = 0; i < b; i++)
        for (int64_t c = 0; c < k; c++) {
          double v = s[i * k + c];
          if (fabs(v) > best[c]) { best[c] = fabs(v); bval[c] = v; }
        }
    }
    for (int64_t c = 0; c < k; c++)
      if (bval[c] < 0) cblas_dscal((int)d, -1.0, comp + c * d, 1);
    free(s); free(best); free(bval);
  } else {
    /* Gram matrix: u_c are its eigenvectors, v_c = X' u_c / s_c; below
     * the rounding of the eigenvalues (eps m lambda_max) a singular
     * value is 0 and its direction is completed instead */
    double tiny = sv[0] * sqrt(DBL_EPSILON * (double)m) * 10;
    int64_t nz = 0;
    for (int64_t c = 0; c < r; c++) {
      double *u = Z + (m - 1 - c);            /* column, stride m */
      if (c < k) {
        int64_t at = argmax_abs(u, n, m);
        if (u[at * m] < 0) for (int64_t i = 0; i < n; i++) u[i * m] = -u[i * m];
      }
      if (sv[c] > tiny) {
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0 / sv[c], a,
                    (int)d, u, (int)m, 0.0, comp + c * d, 1);
        nz = c + 1;
      } else {
        sv[c] = 0;
      }
    }
    complete_basis(comp, r, d, nz);
  }
  rc = 0;
out:
  free(C); free(Z); free(w); free(sup); free(a);
  return rc;
}

/* ---- randomized ---------------------------------------------------- */

/* out (n x l) = xc q and out (d x l) = xc' y for the centred n x d rows
 * xc and q (d x l) or y (n x l), in float32 */
static void mul_x(const float *xc, int64_t n, int64_t d, const float *q,
                  int64_t l, float *out) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)l,
              (int)d, 1.0f, xc, (int)d, q, (int)l, 0.0f, out, (int)l);
}

static void mul_xt(const float *xc, int64_t n, int64_t d, const float *y,
                   int64_t l, float *out) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)l,
              (int)n, 1.0f, xc, (int)d, y, (int)l, 0.0f, out, (int)l);
}

/* orthonormal columns for the rows x l matrix a, in place (QR) */
static int orthonormalise(float *a, int64_t rows, int64_t l, float *tau) {
  if (LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)l, a,
                     (lapack_int)l, tau) != 0)
    return ML_ELAPACK;
  if (LAPACKE_sorgqr(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)l,
                     (lapack_int)l, a, (lapack_int)l, tau) != 0)
    return ML_ELAPACK;
  return 0;
}

/* rows x l matrix a replaced by P L of its LU factorisation (scipy's
 * lu(permute_l=True)): the cheaper normaliser of the power iterations */
static int lu_normalise(float *a, int64_t rows, int64_t l, lapack_int *piv) {
  if (LAPACKE_sgetrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)l, a,
                     (lapack_int)l, piv) < 0)
    return ML_ELAPACK;
  for (int64_t i = 0; i < rows; i++)          /* L: unit lower trapezoid */
    for (int64_t c = i; c < l; c++) a[i * l + c] = c == i ? 1.0f : 0.0f;
  for (int64_t i = l - 1; i >= 0; i--) {       /* undo the row swaps */
    int64_t j = piv[i] - 1;
    if (j != i)
      for (int64_t c = 0; c < l; c++) {
        float t = a[i * l + c];
        a[i * l + c] = a[j * l + c];
        a[j * l + c] = t;
      }
  }
  return 0;
}

int pca_randomized(const float *x, int64_t n, int64_t d, int64_t k,
                   int64_t n_oversamples, int n_iter, int normaliser,
                   double *mean, double *comp, double *sv, double *total_var) {
  int64_t r = n < d ? n : d;
  if (normaliser == PCA_NORM_AUTO) normaliser = n_iter <= 2 ? PCA_NORM_NONE : PCA_NORM_LU;
  int64_t l = k + n_oversamples < r ? k + n_oversamples : r;
  int wide = n < d;              /* scikit-learn works on X' then */
  /* A = centred X (tall) or its transpose (wide): rows ma, columns na */
  int64_t ma = wide ? d : n, na = wide ? n : d;
  col_means(x, n, d, mean);
  *total_var = total_variance(x, n, d, mean);
  /* a centred float32 copy (as scikit-learn centres X first): products
   * of the raw X corrected by the mean would lose float32 digits */
  float *xc = malloc((size_t)(n * d) * sizeof *xc);
  float *q = malloc((size_t)(na * l) * sizeof *q);
  float *y = malloc((size_t)(ma * l) * sizeof *y);
  float *tau = malloc((size_t)l * sizeof *tau);
  lapack_int *piv = malloc((size_t)l * sizeof *piv);
  double *B = malloc((size_t)(l * na) * sizeof *B);
  double *s = malloc((size_t)l * sizeof *s);
  double *uh = malloc((size_t)(l * l) * sizeof *uh);
  double *vt = malloc((size_t)(l * na) * sizeof *vt);
  double *u = malloc((size_t)(ma * l) * sizeof *u);
  double *sup = malloc((size_t)l * sizeof *sup);
  int rc = ML_ENOMEM;
  if (!xc || !q || !y || !tau || !piv || !B || !s || !uh || !vt || !u || !sup)
    goto out;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) xc[i * d + j] = (float)(x[i * d + j] - mean[j]);
  for (int64_t i = 0; i < na * l; i++) q[i] = (float)tensor_rand_normal();
  /* A q and A' y */
#define A_MUL(src, dst) (wide ? mul_xt(xc, n, d, src, l, dst) \
                              : mul_x(xc, n, d, src, l, dst))
#define AT_MUL(src, dst) (wide ? mul_x(xc, n, d, src, l, dst) \
                               : mul_xt(xc, n, d, src, l, dst))
  /* power iterations, normalised as scikit-learn's (LU past two) */
#define NORMALISE(a, rows) (normaliser == PCA_NORM_LU ? lu_normalise(a, rows, l, piv) \
                            : normaliser == PCA_NORM_QR ? orthonormalise(a, rows, l, tau) : 0)
  for (int it = 0; it < n_iter; it++) {
    A_MUL(q, y);
    if ((rc = NORMALISE(y, ma))) goto out;
    AT_MUL(y, q);
    if ((rc = NORMALISE(q, na))) goto out;
  }
#undef NORMALISE
  A_MUL(q, y);
  if ((rc = orthonormalise(y, ma, l, tau))) goto out;
  AT_MUL(y, q);                       /* q = A' Q: B' */
  for (int64_t i = 0; i < l; i++)
    for (int64_t j = 0; j < na; j++) B[i * na + j] = q[j * l + i];
#undef A_MUL
#undef AT_MUL
  rc = ML_ELAPACK;
  if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'S', (lapack_int)l, (lapack_int)na,
                     B, (lapack_int)na, s, uh, (lapack_int)l, vt,
                     (lapack_int)na, sup) != 0)
    goto out;
  /* U = Q Uhat (ma x l) */
  for (int64_t i = 0; i < ma * l; i++) u[i] = y[i];
  double *u2 = malloc((size_t)(ma * l) * sizeof *u2);
  rc = ML_ENOMEM;
  if (!u2) goto out;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)ma, (int)l, (int)l,
              1.0, u, (int)l, uh, (int)l, 0.0, u2, (int)l);
  memcpy(u, u2, (size_t)(ma * l) * sizeof *u);
  free(u2);
  for (int64_t c = 0; c < k; c++) {
    sv[c] = s[c];
    /* the sample side decides the sign: U (tall) or V' (wide) */
    double sign;
    if (!wide) sign = u[argmax_abs(u + c, ma, l) * l + c] < 0 ? -1 : 1;
    else sign = vt[c * na + argmax_abs(vt + c * na, na, 1)] < 0 ? -1 : 1;
    for (int64_t j = 0; j < d; j++)
      comp[c * d + j] = sign * (wide ? u[j * l + c] : vt[c * na + j]);
  }
  rc = 0;
out:
  free(xc); free(q); free(y); free(tau); free(piv); free(B); free(s); free(uh);
  free(vt); free(u); free(sup);
  return rc;
}

/* ---- incremental --------------------------------------------------- */

int ipca_step(const float *xb, int64_t nb, int64_t d, int64_t k,
              double *comp, double *sv, double *mean, double *var,
              int64_t *n_seen, double *sv_all, int64_t *n_all) {
  int64_t last = *n_seen, tot = last + nb;
  double *bm = malloc((size_t)d * sizeof *bm);
  int64_t rows = last == 0 ? nb : k + nb + 1;
  double *M = malloc((size_t)(rows * d) * sizeof *M);
  int64_t r = rows < d ? rows : d;
  double *u = malloc((size_t)(rows * r) * sizeof *u);
  double *vt = malloc((size_t)(r * d) * sizeof *vt);
  double *sup = malloc((size_t)r * sizeof *sup);
  int rc = ML_ENOMEM;
  if (!bm || !M || !u || !vt || !sup) goto out;
  /* _incremental_mean_and_var */
  col_means(xb, nb, d, bm);
  for (int64_t j = 0; j < d; j++) {
    double corr = 0, sq = 0;
    for (int64_t i = 0; i < nb; i++) {
      double t = xb[i * d + j] - bm[j];
      corr += t;
      sq += t * t;
    }
    double new_unnorm = sq - corr * corr / (double)nb;
    double new_sum = bm[j] * (double)nb;
    double upd;
    if (last == 0) {
      upd = new_unnorm;
    } else {
      double last_sum = mean[j] * (double)last;
      double ratio = (double)last / (double)nb;
      double diff = last_sum / ratio - new_sum;
      upd = var[j] * (double)last + new_unnorm + ratio / (double)tot * diff * diff;
    }
    double old_mean = mean[j];
    double new_mean = ((last ? old_mean * (double)last : 0) + new_sum) / (double)tot;
    /* the batch rows centred on the batch mean (or the new mean first) */
    double centre = last == 0 ? new_mean : bm[j];
    int64_t off = last == 0 ? 0 : k;
    for (int64_t i = 0; i < nb; i++) M[(off + i) * d + j] = xb[i * d + j] - centre;
    if (last) {
      for (int64_t c = 0; c < k; c++) M[c * d + j] = sv[c] * comp[c * d + j];
      M[(k + nb) * d + j] = sqrt((double)last / (double)tot * (double)nb) *
                            (old_mean - bm[j]);
    }
    mean[j] = new_mean;
    var[j] = upd / (double)tot;
  }
  rc = ML_ELAPACK;
  if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'S', (lapack_int)rows, (lapack_int)d,
                     M, (lapack_int)d, sv_all, u, (lapack_int)r, vt,
                     (lapack_int)d, sup) != 0)
    goto out;
  /* svd_flip with the decision on V's rows */
  for (int64_t c = 0; c < k; c++) {
    double sign = vt[c * d + argmax_abs(vt + c * d, d, 1)] < 0 ? -1 : 1;
    for (int64_t j = 0; j < d; j++) comp[c * d + j] = sign * vt[c * d + j];
    sv[c] = sv_all[c];
  }
  *n_all = r;
  *n_seen = tot;
  rc = 0;
out:
  free(bm); free(M); free(u); free(vt); free(sup);
  return rc;
}

/* ---- kernels and kernel PCA ---------------------------------------- */

static double *row_norms(const double *x, int64_t n, int64_t d) {
  double *r = malloc((size_t)(n > 0 ? n : 1) * sizeof *r);
  if (!r) return NULL;
  for (int64_t i = 0; i < n; i++) r[i] = cblas_ddot((int)d, x + i * d, 1, x + i * d, 1);
  return r;
}

int kernel_matrix(int kind, const double *x, int64_t n, const double *y,
                  int64_t m, int64_t d, double gamma, double degree,
                  double coef0, double *K) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)m, (int)d,
              1.0, x, (int)d, y, (int)d, 0.0, K, (int)m);
  if (kind == KER_LINEAR) return 0;
  if (kind == KER_POLY || kind == KER_SIGMOID) {
    for (int64_t i = 0; i < n * m; i++) {
      double v = gamma * K[i] + coef0;
      K[i] = kind == KER_POLY ? pow(v, degree) : tanh(v);
    }
    return 0;
  }
  double *nx = row_norms(x, n, d), *ny = row_norms(y, m, d);
  if (!nx || !ny) { free(nx); free(ny); return ML_ENOMEM; }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) {
      double *v = K + i * m + j;
      if (kind == KER_RBF) {
        double d2 = nx[i] + ny[j] - 2 * *v;
        if (d2 < 0 || (x == y && i == j)) d2 = 0;
        *v = exp(-gamma * d2);
      } else {
        double a = sqrt(nx[i]), b = sqrt(ny[j]);
        *v = (a > 0 && b > 0) ? *v / (a * b) : 0;
      }
    }
  free(nx); free(ny);
  return 0;
}

void kpca_centre(double *K, int64_t q, int64_t n, const double *colmean,
                 double allmean) {
  for (int64_t i = 0; i < q; i++) {
    double rm = 0;
    for (int64_t j = 0; j < n; j++) rm += K[i * n + j];
    rm /= (double)n;
    for (int64_t j = 0; j < n; j++) K[i * n + j] += allmean - colmean[j] - rm;
  }
}

int kpca_fit(double *K, int64_t n, int64_t k, double *colmean,
             double *allmean, double *evals, double *evecs) {
  double all = 0;
  for (int64_t j = 0; j < n; j++) colmean[j] = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) colmean[j] += K[i * n + j];
  for (int64_t j = 0; j < n; j++) {
    colmean[j] /= (double)n;
    all += colmean[j];
  }
  *allmean = all / (double)n;
  kpca_centre(K, n, n, colmean, *allmean);
  double *w = malloc((size_t)n * sizeof *w);
  double *Z = malloc((size_t)(n * k) * sizeof *Z);
  int *sup = malloc((size_t)(2 * n) * sizeof *sup);
  int rc = ML_ENOMEM;
  if (!w || !Z || !sup) goto out;
  lapack_int found;
  rc = ML_ELAPACK;
  if (LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', (lapack_int)n, K,
                     (lapack_int)n, 0, 0, (lapack_int)(n - k + 1),
                     (lapack_int)n, 0.0, &found, w, Z, (lapack_int)k, sup) != 0 ||
      found != k)
    goto out;
  /* _check_psd_eigenvalues: negatives and those below 1e-12 x the
   * largest become 0 */
  double top = w[k - 1];
  for (int64_t c = 0; c < k; c++) {
    double ev = w[k - 1 - c];
    if (ev < 0 || (top > 0 && ev < 1e-12 * top)) ev = 0;
    evals[c] = ev;
    double *z = Z + (k - 1 - c);
    int64_t at = argmax_abs(z, n, k);
    double sign = z[at * k] < 0 ? -1 : 1;
    for (int64_t i = 0; i < n; i++) evecs[i * k + c] = sign * z[i * k];
  }
  rc = 0;
out:
  free(w); free(Z); free(sup);
  return rc;
}

int solve_pos(double *A, int64_t n, double *B, int64_t m) {
  return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, (lapack_int)m, A,
                       (lapack_int)n, B, (lapack_int)m) != 0 ? ML_ELAPACK : 0;
}
