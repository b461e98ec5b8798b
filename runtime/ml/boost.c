/* boost.c - AdaBoostClassifier (SAMME.R and SAMME) and gradient boosting
 * (squared error; binomial and multinomial log loss) as scikit-learn 1.2
 * computes them, in double precision, on the trees of tree.c. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/ensemble.h"

#define MAX_INT 0x7FFFFFFFu

static int oom(char *err) {
  snprintf(err, ENS_ERRLEN, "out of memory");
  return -1;
}

/* ---- AdaBoost ------------------------------------------------------------ */

int ada_fit(DTree *trees, int *n_fitted, double *weights, double *errors,
            const AdaParams *ap, const float *X, const float *Xt, int64_t n,
            int d, const double *y, int K, char *err) {
  int N = ap->n_estimators;
  memset(trees, 0, (size_t)N * sizeof *trees);
  for (int t = 0; t < N; t++) { weights[t] = 0; errors[t] = 1; }
  *n_fitted = 0;
  double *w = malloc((size_t)n * sizeof *w);
  double *proba = malloc((size_t)n * (size_t)K * sizeof *proba);
  char *bad = malloc((size_t)n);
  if (!w || !proba || !bad) {
    free(w); free(proba); free(bad);
    return oom(err);
  }
  for (int64_t i = 0; i < n; i++) w[i] = 1.0 / (double)n;
  MTState rs;
  mt_seed(&rs, ap->random_state);
  int rc = 0;
  for (int it = 0; it < N; it++) {
    for (int64_t i = 0; i < n; i++)
      if (w[i] < DBL_EPSILON) w[i] = DBL_EPSILON;
    TreeParams tp = ap->tp;
    tp.seed = tree_seed_from(mt_randint(&rs, MAX_INT));
    DTree *t = &trees[it];
    if (tree_fit(t, &tp, Xt, n, d, y, K, w) < 0) { rc = oom(err); break; }
    double wsum = 0, werr = 0;
    for (int64_t i = 0; i < n; i++) {
      double *p = proba + i * K;
      tree_leaf_output(t, tree_apply1(t, X + i * d), p);
      int best = 0;
      for (int k = 1; k < K; k++) if (p[k] > p[best]) best = k;
      bad[i] = best != (int)y[i];
      wsum += w[i];
      werr += bad[i] ? w[i] : 0;
    }
    double e = werr / wsum;
    if (e <= 0) {
      weights[it] = 1.0;
      errors[it] = 0.0;
      *n_fitted = it + 1;
      break;
    }
    double alpha = 1.0;
    if (ap->samme_r) {
      for (int64_t i = 0; i < n; i++) {
        double *p = proba + i * K, s = 0;
        for (int k = 0; k < K; k++) {
          double pk = p[k] < DBL_EPSILON ? DBL_EPSILON : p[k];
          double code = k == (int)y[i] ? 1.0 : -1.0 / (K - 1);
          s += code * log(pk);
        }
        double ew = -1.0 * ap->learning_rate * ((K - 1.0) / K) * s;
        if (it != N - 1 && (w[i] > 0 || ew < 0)) w[i] *= exp(ew);
      }
    } else {
      if (e >= 1.0 - 1.0 / K) {
        tree_free(t);
        if (it == 0) {
          snprintf(err, ENS_ERRLEN, "the first tree is worse than random "
                   "guessing (weighted error %.4g for %d classes); the "
                   "ensemble cannot be fitted", e, K);
          rc = -1;
        }
        break;
      }
      alpha = ap->learning_rate * (log((1.0 - e) / e) + log(K - 1.0));
      if (it != N - 1)
        for (int64_t i = 0; i < n; i++)
          w[i] = exp(log(w[i]) + alpha * bad[i] * (w[i] > 0));
    }
    weights[it] = alpha;
    errors[it] = e;
    *n_fitted = it + 1;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += w[i];
    if (!isfinite(s) || s <= 0) break;
    if (it < N - 1)
      for (int64_t i = 0; i < n; i++) w[i] /= s;
  }
  free(w); free(proba); free(bad);
  if (rc < 0) {
    for (int t = 0; t < N; t++) tree_free(&trees[t]);
    *n_fitted = 0;
  }
  return rc;
}

/* ---- gradient boosting -------------------------------------------------- */

static double logsumexp(const double *v, int K) {
  double m = v[0];
  for (int k = 1; k < K; k++) if (v[k] > m) m = v[k];
  if (!isfinite(m)) m = 0;
  double s = 0;
  for (int k = 0; k < K; k++) s += exp(v[k] - m);
  return log(s) + m;
}

static double logaddexp0(double x) {
  return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double expit(double x) { return 1.0 / (1.0 + exp(-x)); }

int gb_fit(DTree *trees, double *init, double *train_score,
           const GBParams *gp, const float *X, const float *Xt, int64_t n,
           int d, const double *y, int K, char *err) {
  int R = gp->loss == GB_SQUARED || K == 2 ? 1 : K;
  int N = gp->n_estimators;
  memset(trees, 0, (size_t)N * (size_t)R * sizeof *trees);
  double *raw = malloc((size_t)n * R * sizeof *raw);
  double *raw0 = malloc((size_t)n * R * sizeof *raw0);
  double *res = malloc((size_t)n * sizeof *res);
  double *yk = malloc((size_t)n * sizeof *yk);
  int64_t *leaf = malloc((size_t)n * sizeof *leaf);
  double *num = NULL, *den = NULL;
  if (!raw || !raw0 || !res || !yk || !leaf) goto fail_oom;
  /* the initial raw predictions: the mean, or the class priors' logits */
  if (gp->loss == GB_SQUARED) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += y[i];
    init[0] = s / (double)n;
  } else {
    double eps = FLT_EPSILON;
    for (int k = 0; k < K; k++) {
      double c = 0;
      for (int64_t i = 0; i < n; i++) c += (int)y[i] == k;
      double p = c / (double)n;
      p = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
      if (R == 1 && k == 1) init[0] = log(p / (1 - p));
      if (R > 1) init[k] = log(p);
    }
  }
  for (int64_t i = 0; i < n; i++)
    for (int r = 0; r < R; r++) raw[i * R + r] = init[r];
  MTState rs;
  mt_seed(&rs, gp->random_state);
  for (int st = 0; st < N; st++) {
    memcpy(raw0, raw, (size_t)n * R * sizeof *raw);
    for (int r = 0; r < R; r++) {
      for (int64_t i = 0; i < n; i++) {
        if (gp->loss == GB_SQUARED) {
          yk[i] = y[i];
          res[i] = y[i] - raw0[i];
        } else if (R == 1) {
          yk[i] = y[i];
          res[i] = y[i] - expit(raw0[i]);
        } else {
          yk[i] = (int)y[i] == r ? 1.0 : 0.0;
          double *v = raw0 + i * R;
          double pr = exp(v[r] - logsumexp(v, R));
          res[i] = yk[i] - (isnan(pr) ? 0.0 : pr);
        }
      }
      TreeParams tp = gp->tp;
      tp.seed = mt_randint(&rs, MAX_INT);
      DTree *t = &trees[(int64_t)st * R + r];
      if (tree_fit(t, &tp, Xt, n, d, res, 0, NULL) < 0) goto fail_oom;
      for (int64_t i = 0; i < n; i++) leaf[i] = tree_apply1(t, X + i * d);
      if (gp->loss == GB_LOG_LOSS) {
        /* one Newton step per leaf */
        num = calloc((size_t)t->node_count * 2, sizeof *num);
        if (!num) goto fail_oom;
        den = num + t->node_count;
        for (int64_t i = 0; i < n; i++) {
          num[leaf[i]] += res[i];
          den[leaf[i]] += (yk[i] - res[i]) * (1 - yk[i] + res[i]);
        }
        for (int64_t k = 0; k < t->node_count; k++) {
          if (t->left[k] >= 0) continue;
          double nu = num[k];
          if (R > 1) nu *= (K - 1.0) / K;
          t->value[k] = fabs(den[k]) < 1e-150 ? 0.0 : nu / den[k];
        }
        free(num);
        num = NULL;
      }
      for (int64_t i = 0; i < n; i++)
        raw[i * R + r] += gp->learning_rate * t->value[leaf[i]];
    }
    /* the training loss after this stage */
    double L = 0;
    for (int64_t i = 0; i < n; i++) {
      double *v = raw + i * R;
      if (gp->loss == GB_SQUARED) L += (y[i] - v[0]) * (y[i] - v[0]);
      else if (R == 1) L += y[i] * v[0] - logaddexp0(v[0]);
      else L += -v[(int)y[i]] + logsumexp(v, R);
    }
    train_score[st] = gp->loss == GB_LOG_LOSS && R == 1 ? -2 * L / (double)n
                                                         : L / (double)n;
  }
  free(raw); free(raw0); free(res); free(yk); free(leaf);
  return 0;
fail_oom:
  free(raw); free(raw0); free(res); free(yk); free(leaf); free(num);
  for (int64_t t = 0; t < (int64_t)N * R; t++) tree_free(&trees[t]);
  return oom(err);
}
