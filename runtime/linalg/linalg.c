/* linalg.c - LAPACK(E) in double precision behind NumPy's conventions.
 * See linalg.h. LAPACKE's row-major interface copies (transposes) where
 * LAPACK needs column-major; at the course's sizes that costs little and
 * keeps every caller row-major. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "linalg/linalg.h"

static int fmt_err(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fmt_err(char *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, LINALG_ERRLEN, fmt, ap);
  va_end(ap);
  return -1;
}
#define ERR(...) fmt_err(err, __VA_ARGS__)

static double *copy_of(const double *a, size_t n, char *err) {
  double *c = malloc((n ? n : 1) * sizeof *c);
  if (!c) { ERR("not enough memory for a %zu-element work copy", n); return NULL; }
  if (n) memcpy(c, a, n * sizeof *c);
  return c;
}

/* LAPACKE's own failures: -1010 is its "out of memory". */
static int lapack_fail(const char *fn, lapack_int info, char *err) {
  if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
    return ERR("%s: not enough memory for LAPACK's workspace", fn);
  return ERR("%s: LAPACK argument %d was rejected (a workbook bug)", fn,
             (int)-info);
}

int linalg_inv(const double *a, int n, double *inv, char *err) {
  lapack_int *ipiv = malloc(((size_t)n + 1) * sizeof *ipiv);
  if (!ipiv) return ERR("inv: not enough memory");
  memcpy(inv, a, (size_t)n * n * sizeof *inv);
  /* row-major A is column-major A^T, and inv(A^T) = inv(A)^T: inverting
   * in place column-major leaves inv(A) row-major, with no transposes */
  lapack_int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, inv, n, ipiv);
  if (info == 0) info = LAPACKE_dgetri(LAPACK_COL_MAJOR, n, inv, n, ipiv);
  free(ipiv);
  if (info > 0) return ERR("inv: the matrix is singular (pivot %d is zero)", (int)info);
  if (info < 0) return lapack_fail("inv", info, err);
  return 0;
}

int linalg_solve(const double *a, int n, const double *b, int k, double *x,
                 char *err) {
  double *lu = copy_of(a, (size_t)n * n, err);
  lapack_int *ipiv = malloc(((size_t)n + 1) * sizeof *ipiv);
  if (!lu || !ipiv) { free(lu); free(ipiv); return ERR("solve: not enough memory"); }
  memcpy(x, b, (size_t)n * k * sizeof *x);
  lapack_int info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, k, lu, n, ipiv, x, k);
  free(lu);
  free(ipiv);
  if (info > 0) return ERR("solve: the matrix is singular (pivot %d is zero)", (int)info);
  if (info < 0) return lapack_fail("solve", info, err);
  return 0;
}

int linalg_det(const double *a, int n, double *det, char *err) {
  if (n == 0) { *det = 1.0; return 0; }
  double *lu = copy_of(a, (size_t)n * n, err);
  lapack_int *ipiv = malloc((size_t)n * sizeof *ipiv);
  if (!lu || !ipiv) { free(lu); free(ipiv); return ERR("det: not enough memory"); }
  /* det(A^T) = det(A): factor the column-major reading, no transposes */
  lapack_int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, lu, n, ipiv);
  double d = 1.0;
  if (info == 0)
    for (int i = 0; i < n; i++) {
      d *= lu[(size_t)i * n + i];
      if (ipiv[i] != i + 1) d = -d;
    }
  else if (info > 0) d = 0.0;
  free(lu);
  free(ipiv);
  if (info < 0) return lapack_fail("det", info, err);
  *det = d;
  return 0;
}

int linalg_lstsq(const double *a, int m, int n, const double *b, int k,
                 double rcond, double *x, double *s, int *rank,
                 double *resid, int *has_resid, char *err) {
  int rows = m > n ? m : n;
  double *ac = copy_of(a, (size_t)m * n, err);
  double *bc = calloc((size_t)rows * (k ? k : 1), sizeof *bc);
  if (!ac || !bc) { free(ac); free(bc); return ERR("lstsq: not enough memory"); }
  memcpy(bc, b, (size_t)m * k * sizeof *bc);
  if (rcond < 0) rcond = DBL_EPSILON * (m > n ? m : n);
  lapack_int r = 0;
  lapack_int info = m && n && k
      ? LAPACKE_dgelsd(LAPACK_ROW_MAJOR, m, n, k, ac, n, bc, k, s, rcond, &r)
      : 0;
  free(ac);
  if (info != 0) {
    free(bc);
    if (info > 0) return ERR("lstsq: the SVD did not converge");
    return lapack_fail("lstsq", info, err);
  }
  memcpy(x, bc, (size_t)n * k * sizeof *x);
  *rank = (int)r;
  *has_resid = m > n && r == n;
  if (*has_resid)
    for (int j = 0; j < k; j++) {
      double sum = 0;
      for (int i = n; i < m; i++) sum += bc[(size_t)i * k + j] * bc[(size_t)i * k + j];
      resid[j] = sum;
    }
  free(bc);
  return 0;
}

/* Row-major A (m, n) is column-major A^T (n, m), and A^T = V S U^T: so
 * LAPACK's column-major U and VT of A^T are, in memory, row-major Vt and
 * U of A. No transposed copies (NumPy does the same). */
int linalg_svd(const double *a, int m, int n, int full, double *u,
               double *s, double *vt, char *err) {
  int kk = m < n ? m : n;
  if (kk == 0) return 0;
  double *ac = copy_of(a, (size_t)m * n, err);
  if (!ac) return -1;
  char jobz = !u || !vt ? 'N' : full ? 'A' : 'S';
  double dummy[1];
  lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, jobz, n, m, ac, n, s,
                                   vt ? vt : dummy, n,
                                   u ? u : dummy, jobz == 'A' ? m : jobz == 'S' ? kk : 1);
  free(ac);
  if (info > 0) return ERR("svd: did not converge");
  if (info < 0) return lapack_fail("svd", info, err);
  return 0;
}

int linalg_eigh(const double *a, int n, double *w, double *v, char *err) {
  if (n == 0) return 0;
  double *work = v ? v : copy_of(a, (size_t)n * n, err);
  if (!work) return -1;
  if (v) memcpy(v, a, (size_t)n * n * sizeof *v);
  lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, v ? 'V' : 'N', 'L', n,
                                   work, n, w);
  if (!v) free(work);
  if (info > 0) return ERR("eigh: did not converge");
  if (info < 0) return lapack_fail("eigh", info, err);
  return 0;
}

int linalg_eig(const double *a, int n, double *wr, double *wi, double *v,
               char *err) {
  if (n == 0) return 0;
  double *ac = copy_of(a, (size_t)n * n, err);
  if (!ac) return -1;
  double dummy[1];
  lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', v ? 'V' : 'N', n, ac,
                                  n, wr, wi, dummy, 1, v ? v : dummy, v ? n : 1);
  free(ac);
  if (info > 0) return ERR("eig: the QR algorithm did not converge");
  if (info < 0) return lapack_fail("eig", info, err);
  return 0;
}

int linalg_qr(const double *a, int m, int n, double *q, double *r, char *err) {
  int kk = m < n ? m : n;
  if (kk == 0) return 0;
  double *ac = copy_of(a, (size_t)m * n, err);
  double *tau = malloc((size_t)kk * sizeof *tau);
  if (!ac || !tau) { free(ac); free(tau); return ERR("qr: not enough memory"); }
  lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m, n, ac, n, tau);
  if (info == 0) {
    for (int i = 0; i < kk; i++)
      for (int j = 0; j < n; j++)
        r[(size_t)i * n + j] = j >= i ? ac[(size_t)i * n + j] : 0.0;
    info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m, kk, kk, ac, n, tau);
  }
  if (info == 0)
    for (int i = 0; i < m; i++)
      memcpy(q + (size_t)i * kk, ac + (size_t)i * n, (size_t)kk * sizeof *q);
  free(ac);
  free(tau);
  if (info != 0) return lapack_fail("qr", info, err);
  return 0;
}

int linalg_cholesky(const double *a, int n, double *l, char *err) {
  if (n == 0) return 0;
  memcpy(l, a, (size_t)n * n * sizeof *l);
  /* symmetric A reads the same column-major; its upper factor U (A = U^T
   * U) stored column-major is L = U^T row-major: no transposes */
  lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, l, n);
  if (info > 0)
    return ERR("cholesky: the matrix is not positive definite (leading minor %d)",
               (int)info);
  if (info < 0) return lapack_fail("cholesky", info, err);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) l[(size_t)i * n + j] = 0.0;
  return 0;
}

int linalg_pinv(const double *a, int m, int n, double rcond, double *p,
                char *err) {
  int kk = m < n ? m : n;
  memset(p, 0, (size_t)n * m * sizeof *p);
  if (kk == 0) return 0;
  double *u = malloc((size_t)m * kk * sizeof *u);
  double *s = malloc((size_t)kk * sizeof *s);
  double *vt = malloc((size_t)kk * n * sizeof *vt);
  if (!u || !s || !vt) { free(u); free(s); free(vt); return ERR("pinv: not enough memory"); }
  int rc = linalg_svd(a, m, n, 0, u, s, vt, err);
  if (rc == 0) {
    double cut = rcond * s[0];           /* s is descending */
    for (int c = 0; c < kk; c++) {
      if (!(s[c] > cut)) continue;
      double inv = 1.0 / s[c];
      for (int i = 0; i < n; i++) {
        double vi = vt[(size_t)c * n + i] * inv;
        for (int j = 0; j < m; j++) p[(size_t)i * m + j] += vi * u[(size_t)j * kk + c];
      }
    }
  } else {
    snprintf(err, LINALG_ERRLEN, "pinv: the SVD did not converge");
  }
  free(u); free(s); free(vt);
  return rc;
}

int linalg_matrix_rank(const double *a, int m, int n, double tol, int *rank,
                       char *err) {
  int kk = m < n ? m : n;
  *rank = 0;
  if (kk == 0) return 0;
  double *s = malloc((size_t)kk * sizeof *s);
  if (!s) return ERR("matrix_rank: not enough memory");
  int rc = linalg_svd(a, m, n, 0, NULL, s, NULL, err);
  if (rc == 0) {
    if (tol < 0) tol = s[0] * (m > n ? m : n) * DBL_EPSILON;
    for (int i = 0; i < kk; i++) *rank += s[i] > tol;
  }
  free(s);
  return rc;
}

int linalg_matrix_norm(const double *a, int m, int n, const char *ord,
                       double *out, char *err) {
  if (strcmp(ord, "fro") == 0) {
    double sum = 0;
    for (size_t i = 0; i < (size_t)m * n; i++) sum += a[i] * a[i];
    *out = sqrt(sum);
    return 0;
  }
  if (!strcmp(ord, "nuc") || !strcmp(ord, "2") || !strcmp(ord, "-2")) {
    int kk = m < n ? m : n;
    if (kk == 0) { *out = 0; return 0; }
    double *s = malloc((size_t)kk * sizeof *s);
    if (!s) return ERR("norm: not enough memory");
    int rc = linalg_svd(a, m, n, 0, NULL, s, NULL, err);
    if (rc == 0) {
      double v = 0;
      if (ord[0] == 'n') for (int i = 0; i < kk; i++) v += s[i];
      else v = ord[0] == '-' ? s[kk - 1] : s[0];
      *out = v;
    }
    free(s);
    return rc;
  }
  int cols = !strcmp(ord, "1") || !strcmp(ord, "-1");
  int rows = !strcmp(ord, "inf") || !strcmp(ord, "-inf");
  if (!cols && !rows)
    return ERR("norm: unknown matrix norm '%s' (fro, nuc, 1, -1, 2, -2, inf, -inf)", ord);
  int lo = ord[0] == '-';
  int outer = cols ? n : m, inner = cols ? m : n;
  double best = lo ? INFINITY : 0.0;
  if (outer == 0 || inner == 0) best = 0.0;
  for (int o = 0; o < outer; o++) {
    double sum = 0;
    for (int i = 0; i < inner; i++)
      sum += fabs(cols ? a[(size_t)i * n + o] : a[(size_t)o * n + i]);
    if (lo ? sum < best : sum > best) best = sum;
  }
  *out = best;
  return 0;
}

double linalg_vector_norm(const double *x, size_t n, double p) {
  if (n == 0) return 0.0;
  if (isinf(p)) {
    double best = fabs(x[0]);
    for (size_t i = 1; i < n; i++)
      if (p > 0 ? fabs(x[i]) > best : fabs(x[i]) < best) best = fabs(x[i]);
    return best;
  }
  if (p == 0) {
    double c = 0;
    for (size_t i = 0; i < n; i++) c += x[i] != 0;
    return c;
  }
  if (p == 2) {
    double scale = 0, sum = 1;    /* scaled, as LAPACK's dnrm2, to avoid overflow */
    for (size_t i = 0; i < n; i++) {
      double v = fabs(x[i]);
      if (v == 0) continue;
      if (scale < v) { sum = 1 + sum * (scale / v) * (scale / v); scale = v; }
      else sum += (v / scale) * (v / scale);
    }
    return scale * sqrt(sum);
  }
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += pow(fabs(x[i]), p);
  return pow(sum, 1.0 / p);
}
