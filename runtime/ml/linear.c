/* linear.c - least squares, ridge, elastic net, SGD, L-BFGS logistic
 * regression and polynomial features (linear.h), in double precision.
 *
 * The algorithms follow what scikit-learn 1.2 computes (its
 * LinearRegression on scipy's gelsd, Ridge's Cholesky solver, the
 * coordinate descent of its cd_fast, the plain SGD of its sgd_fast, the
 * objective its lbfgs solver hands to scipy), so the fitted numbers
 * agree with it; the code is written from those descriptions. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>
#include <lbfgs.h>

#include "core/tensor.h"
#include "ml/linear.h"

/* X as doubles, centred by its column means when centre is set (mean
 * gets them, zeros otherwise). Row-major n x d. */
static double *centred(const float *x, int64_t n, int64_t d, int centre,
                       double *mean) {
  double *a = malloc((size_t)(n * d) * sizeof *a);
  if (!a) return NULL;
  for (int64_t j = 0; j < d; j++) mean[j] = 0;
  if (centre) {
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (int64_t j = 0; j < d; j++) mean[j] /= (double)n;
  }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) a[i * d + j] = x[i * d + j] - mean[j];
  return a;
}

/* y (n x t) centred per column into yc (rows ld >= n), means into ym */
static void centre_y(const double *y, int64_t n, int64_t t, int centre,
                     double *yc, double *ym) {
  for (int64_t c = 0; c < t; c++) {
    double s = 0;
    if (centre)
      for (int64_t i = 0; i < n; i++) s += y[i * t + c];
    ym[c] = centre ? s / (double)n : 0;
    for (int64_t i = 0; i < n; i++) yc[i * t + c] = y[i * t + c] - ym[c];
  }
}

static void intercepts(const double *coef, const double *xm, const double *ym,
                       int64_t d, int64_t t, double *intercept) {
  for (int64_t c = 0; c < t; c++) {
    double s = ym[c];
    for (int64_t j = 0; j < d; j++) s -= xm[j] * coef[c * d + j];
    intercept[c] = s;
  }
}

int lin_lstsq(const float *x, int64_t n, int64_t d, const double *y,
              int64_t t, int fit_intercept, double *coef, double *intercept,
              double *sv, int *rank) {
  int64_t m = n > d ? n : d, k = n < d ? n : d;
  double *xm = malloc((size_t)(d + t) * sizeof *xm);
  double *b = calloc((size_t)(m * t), sizeof *b);
  double *s = malloc((size_t)k * sizeof *s);
  double *a = xm ? centred(x, n, d, fit_intercept, xm) : NULL;
  int rc = ML_ENOMEM;
  if (!xm || !b || !s || !a) goto done;
  double *ym = xm + d;
  centre_y(y, n, t, fit_intercept, b, ym);
  lapack_int r = 0;
  lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n,
                                   (lapack_int)d, (lapack_int)t, a,
                                   (lapack_int)d, b, (lapack_int)t, s,
                                   DBL_EPSILON, &r);
  if (info != 0) { rc = ML_ELAPACK; goto done; }
  for (int64_t c = 0; c < t; c++)
    for (int64_t j = 0; j < d; j++) coef[c * d + j] = b[j * t + c];
  intercepts(coef, xm, ym, d, t, intercept);
  if (sv) memcpy(sv, s, (size_t)k * sizeof *s);
  *rank = (int)r;
  rc = 0;
done:
  free(xm); free(b); free(s); free(a);
  return rc;
}

int lin_ridge(const float *x, int64_t n, int64_t d, const double *y,
              int64_t t, double alpha, int fit_intercept, double *coef,
              double *intercept) {
  int dual = d > n;
  int64_t q = dual ? n : d;
  double *xm = malloc((size_t)(d + t) * sizeof *xm);
  double *yc = malloc((size_t)(n * t) * sizeof *yc);
  double *g = malloc((size_t)(q * q) * sizeof *g);
  double *r = malloc((size_t)(q * t) * sizeof *r);
  double *a = xm ? centred(x, n, d, fit_intercept, xm) : NULL;
  int rc = ML_ENOMEM;
  if (!xm || !yc || !g || !r || !a) goto done;
  double *ym = xm + d;
  centre_y(y, n, t, fit_intercept, yc, ym);
  if (!dual) {   /* (X'X + aI) w = X'y */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d,
                (int)n, 1, a, (int)d, a, (int)d, 0, g, (int)d);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)t,
                (int)n, 1, a, (int)d, yc, (int)t, 0, r, (int)t);
  } else {       /* (XX' + aI) v = y, w = X'v */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n,
                (int)d, 1, a, (int)d, a, (int)d, 0, g, (int)n);
    memcpy(r, yc, (size_t)(n * t) * sizeof *r);
  }
  for (int64_t i = 0; i < q; i++) g[i * q + i] += alpha;
  if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, (lapack_int)t, g,
                    (lapack_int)q, r, (lapack_int)t) != 0) {
    rc = ML_ELAPACK;
    goto done;
  }
  for (int64_t c = 0; c < t; c++)
    for (int64_t j = 0; j < d; j++) {
      double w;
      if (!dual) {
        w = r[j * t + c];
      } else {
        w = 0;
        for (int64_t i = 0; i < n; i++) w += a[i * d + j] * r[i * t + c];
      }
      coef[c * d + j] = w;
    }
  intercepts(coef, xm, ym, d, t, intercept);
  rc = 0;
done:
  free(xm); free(yc); free(g); free(r); free(a);
  return rc;
}

/* ---- elastic net by coordinate descent ---------------------------------- */

int lin_enet(const float *x, int64_t n, int64_t d, const double *y,
             double alpha, double l1_ratio, int fit_intercept, int max_iter,
             double tol, double *coef, double *intercept, int *n_iter,
             double *gap_out) {
  double *xm = malloc((size_t)(d + 1) * sizeof *xm);
  double *col = malloc((size_t)(n * d) * sizeof *col);   /* column-major */
  double *res = malloc((size_t)n * sizeof *res);
  double *yc = malloc((size_t)n * sizeof *yc);
  double *nrm = malloc((size_t)d * sizeof *nrm);
  if (!xm || !col || !res || !yc || !nrm) {
    free(xm); free(col); free(res); free(yc); free(nrm);
    return ML_ENOMEM;
  }
  for (int64_t j = 0; j < d; j++) xm[j] = 0;
  if (fit_intercept) {
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < d; j++) xm[j] += x[i * d + j];
    for (int64_t j = 0; j < d; j++) xm[j] /= (double)n;
  }
  for (int64_t j = 0; j < d; j++) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) {
      double v = x[i * d + j] - xm[j];
      col[j * n + i] = v;
      s += v * v;
    }
    nrm[j] = s;
  }
  double ym;
  centre_y(y, n, 1, fit_intercept, yc, &ym);
  double l1 = alpha * l1_ratio * (double)n, l2 = alpha * (1 - l1_ratio) * (double)n;
  for (int64_t j = 0; j < d; j++) coef[j] = 0;
  memcpy(res, yc, (size_t)n * sizeof *res);
  double ynorm2 = cblas_ddot((int)n, yc, 1, yc, 1);
  double gtol = tol * ynorm2, gap = gtol + 1;
  int it;
  for (it = 0; it < max_iter; it++) {
    double w_max = 0, dw_max = 0;
    for (int64_t j = 0; j < d; j++) {
      if (nrm[j] == 0) continue;
      const double *c = col + j * n;
      double w0 = coef[j];
      if (w0 != 0) cblas_daxpy((int)n, w0, c, 1, res, 1);
      double z = cblas_ddot((int)n, c, 1, res, 1);
      double w = fmax(fabs(z) - l1, 0) / (nrm[j] + l2);
      w = z < 0 ? -w : w;
      coef[j] = w;
      if (w != 0) cblas_daxpy((int)n, -w, c, 1, res, 1);
      dw_max = fmax(dw_max, fabs(w - w0));
      w_max = fmax(w_max, fabs(w));
    }
    if (w_max == 0 || dw_max / w_max < tol || it == max_iter - 1) {
      double dual_norm = 0;
      for (int64_t j = 0; j < d; j++)
        dual_norm = fmax(dual_norm, fabs(cblas_ddot((int)n, col + j * n, 1,
                                                    res, 1) - l2 * coef[j]));
      double r2 = cblas_ddot((int)n, res, 1, res, 1);
      double w2 = cblas_ddot((int)d, coef, 1, coef, 1);
      double k = 1;
      if (dual_norm > l1) {
        k = l1 / dual_norm;
        gap = 0.5 * (r2 + r2 * k * k);
      } else {
        gap = r2;
      }
      gap += l1 * cblas_dasum((int)d, coef, 1) -
             k * cblas_ddot((int)n, res, 1, yc, 1) +
             0.5 * l2 * (1 + k * k) * w2;
      if (gap < gtol) { it++; break; }
    }
  }
  *n_iter = it > max_iter ? max_iter : it;
  *gap_out = gap / (double)n;
  intercepts(coef, xm, &ym, d, 1, intercept);
  free(xm); free(col); free(res); free(yc); free(nrm);
  return 0;
}

/* ---- plain SGD ------------------------------------------------------------ */

static double sgd_loss(int loss, double eps, double p, double y) {
  double z = p * y, r = p - y;
  switch (loss) {
  case SGD_SQUARED: return 0.5 * r * r;
  case SGD_HUBER:
    return fabs(r) <= eps ? 0.5 * r * r : eps * fabs(r) - 0.5 * eps * eps;
  case SGD_EPS_INSENSITIVE: return fmax(0, fabs(r) - eps);
  case SGD_HINGE: return fmax(0, 1 - z);
  case SGD_PERCEPTRON: return fmax(0, -z);
  case SGD_SQUARED_HINGE: return z < 1 ? (1 - z) * (1 - z) : 0;
  case SGD_LOG:
    return z > 18 ? exp(-z) : z < -18 ? -z : log1p(exp(-z));
  case SGD_MODIFIED_HUBER:
    return z >= 1 ? 0 : z >= -1 ? (1 - z) * (1 - z) : -4 * z;
  }
  return 0;
}

static double sgd_dloss(int loss, double eps, double p, double y) {
  double z = p * y, r = p - y;
  switch (loss) {
  case SGD_SQUARED: return r;
  case SGD_HUBER: return fabs(r) <= eps ? r : r > 0 ? eps : -eps;
  case SGD_EPS_INSENSITIVE: return -r > eps ? -1 : r > eps ? 1 : 0;
  case SGD_HINGE: return z <= 1 ? -y : 0;
  case SGD_PERCEPTRON: return z <= 0 ? -y : 0;
  case SGD_SQUARED_HINGE: return z < 1 ? -2 * y * (1 - z) : 0;
  case SGD_LOG:
    return z > 18 ? -y * exp(-z) : z < -18 ? -y : -y / (exp(z) + 1);
  case SGD_MODIFIED_HUBER:
    return z >= 1 ? 0 : z >= -1 ? -2 * (1 - z) * y : -4 * y;
  }
  return 0;
}

int sgd_fit(const float *x, int64_t n, int64_t d, const double *y,
            const SgdParams *p, double *w, double *b, int *n_iter,
            double *t_out) {
  int64_t *order = malloc((size_t)(n ? n : 1) * sizeof *order);
  if (!order) return ML_ENOMEM;
  for (int64_t i = 0; i < n; i++) order[i] = i;
  for (int64_t j = 0; j < d; j++) w[j] = 0;
  *b = 0;
  double t = 1, eta = p->eta0, optimal_init = 0;
  if (p->learning_rate == SGD_OPTIMAL) {
    double typw = sqrt(1 / sqrt(p->alpha));
    double eta_init = typw / fmax(1, sgd_dloss(p->loss, p->epsilon, -typw, 1));
    optimal_init = 1 / (eta_init * p->alpha);
  }
  double best = INFINITY;
  int no_change = 0, epoch;
  for (epoch = 0; epoch < p->max_iter; epoch++) {
    if (p->shuffle)
      for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(tensor_rand_u64() % (uint64_t)(i + 1));
        int64_t s = order[i]; order[i] = order[j]; order[j] = s;
      }
    double sum = 0;
    for (int64_t s = 0; s < n; s++) {
      int64_t i = order[s];
      const float *r = x + i * d;
      if (p->learning_rate == SGD_OPTIMAL)
        eta = 1 / (p->alpha * (optimal_init + t - 1));
      else if (p->learning_rate == SGD_INVSCALING)
        eta = p->eta0 / pow(t, p->power_t);
      double pr = *b;
      for (int64_t j = 0; j < d; j++) pr += w[j] * r[j];
      sum += sgd_loss(p->loss, p->epsilon, pr, y[i]);
      double dl = sgd_dloss(p->loss, p->epsilon, pr, y[i]);
      dl = fmin(fmax(dl, -1e12), 1e12);
      double upd = -eta * dl;
      if (p->l2) {
        double k = fmax(0, 1 - eta * p->alpha);
        for (int64_t j = 0; j < d; j++) w[j] *= k;
      }
      if (upd != 0) {
        for (int64_t j = 0; j < d; j++) w[j] += upd * r[j];
        if (p->fit_intercept) *b += upd;
      }
      t += 1;
    }
    if (p->tol >= 0 && sum > best - p->tol * (double)n) no_change++;
    else no_change = 0;
    if (sum < best) best = sum;
    if (no_change >= p->n_iter_no_change) {
      if (p->learning_rate == SGD_ADAPTIVE && eta > 1e-6) {
        eta /= 5;
        no_change = 0;
      } else {
        epoch++;
        break;
      }
    }
  }
  *n_iter = epoch > p->max_iter ? p->max_iter : epoch;
  *t_out = t;
  free(order);
  return 0;
}

/* ---- logistic regression by L-BFGS ------------------------------------------ */

typedef struct {
  const double *x;     /* n x d */
  const int *cls;
  int64_t n, d;
  int k, fit_intercept;
  double C, tol, last_f;
  int iters, stop_f;
  double *z;           /* n x k */
} LogReg;

/* variables: k rows of d weights, then k intercepts (when fitted) */
static lbfgsfloatval_t logreg_eval(void *inst, const lbfgsfloatval_t *v,
                                   lbfgsfloatval_t *g, const int nv,
                                   const lbfgsfloatval_t step) {
  LogReg *L = inst;
  int64_t n = L->n, d = L->d;
  int k = L->k;
  const double *W = v, *bias = v + (int64_t)k * d;
  double *z = L->z;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, k, (int)d, 1,
              L->x, (int)d, W, (int)d, 0, z, k);
  double f = 0;
  for (int64_t i = 0; i < n; i++) {
    double *zi = z + i * k;
    if (L->fit_intercept)
      for (int c = 0; c < k; c++) zi[c] += bias[c];
    if (k == 1) {   /* log(1 + e^z) - y z; gradient sigmoid(z) - y */
      double s = zi[0], yv = L->cls[i];
      f += (s > 0 ? s + log1p(exp(-s)) : log1p(exp(s))) - yv * s;
      zi[0] = (s >= 0 ? 1 / (1 + exp(-s)) : exp(s) / (1 + exp(s))) - yv;
    } else {        /* logsumexp(z) - z_y; gradient softmax(z) - onehot */
      double mx = zi[0], sum = 0;
      for (int c = 1; c < k; c++) mx = fmax(mx, zi[c]);
      for (int c = 0; c < k; c++) sum += exp(zi[c] - mx);
      f += mx + log(sum) - zi[L->cls[i]];
      for (int c = 0; c < k; c++) zi[c] = exp(zi[c] - mx) / sum;
      zi[L->cls[i]] -= 1;
    }
  }
  /* g_W = Z'X + W / C */
  memcpy(g, W, (size_t)(k * d) * sizeof *g);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, (int)d, (int)n, 1,
              z, k, L->x, (int)d, 1 / L->C, g, (int)d);
  f += 0.5 / L->C * cblas_ddot(k * (int)d, W, 1, W, 1);
  if (L->fit_intercept)
    for (int c = 0; c < k; c++) {
      double s = 0;
      for (int64_t i = 0; i < n; i++) s += z[i * k + c];
      g[(int64_t)k * d + c] = s;
    }
  (void)nv; (void)step;
  return f;
}

/* scipy's L-BFGS-B tests: the largest gradient component, and the
 * relative change of the objective (factr 1e7 times the machine eps) */
static int logreg_progress(void *inst, const lbfgsfloatval_t *v,
                           const lbfgsfloatval_t *g, const lbfgsfloatval_t fx,
                           const lbfgsfloatval_t xnorm,
                           const lbfgsfloatval_t gnorm,
                           const lbfgsfloatval_t step, int nv, int it,
                           int ls) {
  LogReg *L = inst;
  L->iters = it;
  double gmax = 0;
  for (int i = 0; i < nv; i++) gmax = fmax(gmax, fabs(g[i]));
  if (gmax <= L->tol) return 1;
  double prev = L->last_f;
  L->last_f = fx;
  if (it > 1 &&
      (prev - fx) / fmax(fmax(fabs(prev), fabs(fx)), 1) <= 1e7 * DBL_EPSILON)
    return 1;
  (void)v; (void)xnorm; (void)gnorm; (void)step; (void)ls;
  return 0;
}

int logreg_lbfgs(const float *x, int64_t n, int64_t d, const int *cls, int k,
                 double C, int fit_intercept, int max_iter, double tol,
                 double *coef, double *intercept, int *n_iter) {
  int nv = k * (int)d + (fit_intercept ? k : 0);
  double *xd = malloc((size_t)(n * d) * sizeof *xd);
  double *z = malloc((size_t)(n * k) * sizeof *z);
  lbfgsfloatval_t *v = lbfgs_malloc(nv);
  if (!xd || !z || !v) {
    free(xd); free(z); lbfgs_free(v);
    return ML_ENOMEM;
  }
  for (int64_t i = 0; i < n * d; i++) xd[i] = x[i];
  for (int i = 0; i < nv; i++) v[i] = 0;
  LogReg L = {xd, cls, n, d, k, fit_intercept, C, tol, INFINITY, 0, 0, z};
  lbfgs_parameter_t prm;
  lbfgs_parameter_init(&prm);
  prm.m = 10;                 /* scipy's default memory */
  prm.epsilon = 0;            /* the progress callback decides */
  prm.max_iterations = max_iter;
  lbfgsfloatval_t fx;
  int ret = lbfgs(nv, v, &fx, logreg_eval, logreg_progress, &L, &prm);
  int rc = ret == LBFGSERR_OUTOFMEMORY ? ML_ENOMEM : 0;
  for (int64_t i = 0; i < (int64_t)k * d; i++) coef[i] = v[i];
  for (int c = 0; c < k; c++)
    intercept[c] = fit_intercept ? v[(int64_t)k * d + c] : 0;
  *n_iter = L.iters;
  free(xd); free(z); lbfgs_free(v);
  return rc;
}

/* ---- polynomial features ------------------------------------------------------ */

void poly_features(const float *x, int64_t n, int64_t d, const int *powers,
                   int64_t p, float *out) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t c = 0; c < p; c++) {
      double v = 1;
      for (int64_t j = 0; j < d; j++)
        for (int e = 0; e < powers[c * d + j]; e++) v *= x[i * d + j];
      out[i * p + c] = (float)v;
    }
}
