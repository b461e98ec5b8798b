/* test_linalg.c - runtime/linalg on small matrices with known answers,
 * and its error returns (singular, not positive definite, bad norm). */
#include <math.h>
#include <string.h>

#include "linalg/linalg.h"
#include "tap.h"

static double maxdiff(const double *a, const double *b, int n) {
  double d = 0;
  for (int i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

int main(void) {
  char err[LINALG_ERRLEN];
  /* inv / det / solve of a 3x3 with an integer inverse */
  const double a[9] = {2, -1, 0, -1, 2, -1, 0, -1, 2};
  const double ainv[9] = {0.75, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.75};
  double out[36], x[3], det;
  ok(linalg_inv(a, 3, out, err) == 0 && maxdiff(out, ainv, 9) < 1e-14, "inv of a tridiagonal");
  ok(linalg_det(a, 3, &det, err) == 0 && fabs(det - 4) < 1e-14, "det = 4");
  const double b[3] = {1, 0, 1}, want_x[3] = {1, 1, 1};
  ok(linalg_solve(a, 3, b, 1, x, err) == 0 && maxdiff(x, want_x, 3) < 1e-14, "solve");
  /* a row swap flips the determinant's sign */
  const double swap[4] = {0, 1, 1, 0};
  ok(linalg_det(swap, 2, &det, err) == 0 && det == -1, "det of a permutation = -1");
  ok(linalg_det(a, 0, &det, err) == 0 && det == 1, "det of an empty matrix = 1 (numpy)");
  /* singular */
  const double s[4] = {1, 2, 2, 4};
  ok(linalg_inv(s, 2, out, err) == -1 && strstr(err, "singular"), "inv: singular -> %s", err);
  ok(linalg_solve(s, 2, b, 1, x, err) == -1 && strstr(err, "singular"), "solve: singular");
  ok(linalg_det(s, 2, &det, err) == 0 && det == 0, "det of a singular matrix = 0");
  int rank;
  ok(linalg_matrix_rank(s, 2, 2, -1, &rank, err) == 0 && rank == 1, "matrix_rank = 1");
  /* cholesky */
  const double spd[4] = {4, 2, 2, 3}, l_want[4] = {2, 0, 1, sqrt(2)};
  ok(linalg_cholesky(spd, 2, out, err) == 0 && maxdiff(out, l_want, 4) < 1e-14, "cholesky");
  const double indef[4] = {1, 2, 2, 1};
  ok(linalg_cholesky(indef, 2, out, err) == -1 && strstr(err, "positive definite"),
     "cholesky of an indefinite matrix -> %s", err);
  /* svd of a diagonal-ish matrix: values descending */
  const double d[6] = {3, 0, 0, 0, -5, 0};   /* 2x3 */
  double u[4], sv[2], vt[9];
  ok(linalg_svd(d, 2, 3, 1, u, sv, vt, err) == 0 && fabs(sv[0] - 5) < 1e-14
     && fabs(sv[1] - 3) < 1e-14, "svd values 5, 3");
  /* U S Vt = A (full) */
  double back[6] = {0};
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 2; k++) back[i * 3 + j] += u[i * 2 + k] * sv[k] * vt[k * 3 + j];
  ok(maxdiff(back, d, 6) < 1e-14, "U S Vt = A");
  ok(linalg_svd(d, 2, 3, 0, NULL, sv, NULL, err) == 0 && fabs(sv[0] - 5) < 1e-14, "svd values only");
  /* qr reproduces A; R upper triangular */
  const double t[6] = {1, 2, 3, 4, 5, 6};    /* 3x2 */
  double q[6], r[4], qr[6] = {0};
  ok(linalg_qr(t, 3, 2, q, r, err) == 0 && r[2] == 0, "qr: R upper triangular");
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      for (int k = 0; k < 2; k++) qr[i * 2 + j] += q[i * 2 + k] * r[k * 2 + j];
  ok(maxdiff(qr, t, 6) < 1e-13, "QR = A");
  /* eigh / eig */
  const double sym[4] = {2, 1, 1, 2};
  double w[2], v[4], wi[2];
  ok(linalg_eigh(sym, 2, w, v, err) == 0 && fabs(w[0] - 1) < 1e-14 && fabs(w[1] - 3) < 1e-14,
     "eigh: 1, 3 ascending");
  const double rot[4] = {0, -1, 1, 0};
  ok(linalg_eig(rot, 2, w, wi, v, err) == 0 && fabs(w[0]) < 1e-14 && fabs(fabs(wi[0]) - 1) < 1e-14,
     "eig of a rotation: +-i");
  /* lstsq: a line through three points; residual as numpy computes it */
  const double A[6] = {1, 1, 1, 2, 1, 3}, y[3] = {1, 2, 2};
  double sol[2], ss[2], res[1];
  int has;
  ok(linalg_lstsq(A, 3, 2, y, 1, -1, sol, ss, &rank, res, &has, err) == 0
     && fabs(sol[0] - 2.0 / 3) < 1e-14 && fabs(sol[1] - 0.5) < 1e-14 && rank == 2 && has
     && fabs(res[0] - 1.0 / 6) < 1e-14, "lstsq: intercept 2/3, slope 1/2, residual 1/6");
  /* pinv of a rank-one matrix */
  double p[4];
  const double p_want[4] = {0.04, 0.08, 0.08, 0.16};
  ok(linalg_pinv(s, 2, 2, 1e-15, p, err) == 0 && maxdiff(p, p_want, 4) < 1e-15, "pinv");
  /* norms */
  const double big[2] = {1e200, 1e200};
  ok(fabs(linalg_vector_norm(big, 2, 2) / 1e200 - sqrt(2)) < 1e-15, "2-norm does not overflow");
  const double v3[3] = {3, -4, 0};
  ok(linalg_vector_norm(v3, 3, 2) == 5 && linalg_vector_norm(v3, 3, 1) == 7
     && linalg_vector_norm(v3, 3, HUGE_VAL) == 4 && linalg_vector_norm(v3, 3, -HUGE_VAL) == 0
     && linalg_vector_norm(v3, 3, 0) == 2, "vector norms 2, 1, inf, -inf, 0");
  double nrm;
  ok(linalg_matrix_norm(t, 3, 2, "1", &nrm, err) == 0 && nrm == 12, "matrix 1-norm");
  ok(linalg_matrix_norm(t, 3, 2, "inf", &nrm, err) == 0 && nrm == 11, "matrix inf-norm");
  ok(linalg_matrix_norm(t, 3, 2, "3", &nrm, err) == -1 && strstr(err, "unknown matrix norm"),
     "unknown matrix norm -> %s", err);
  done_testing();
  return tap_failed != 0;
}
