/* nn_loss.c - losses: the mean over the batch and its gradient.
 *
 *   softmax_sparse_ce  logits (N, K), labels (N) 0-based
 *                      L = mean_n -log softmax(z_n)[label_n]
 *                      dL/dz = (softmax(z) - onehot) / N
 *   softmax_ce         logits (N, K), targets (N, K)
 *                      L = mean_n -sum_k t log softmax(z)
 *                      dL/dz = (softmax(z) sum_k t - t) / N
 *   categorical_ce /   probabilities p (N, K), Keras's from_logits=False
 *   sparse_ce          path: p / sum p, clipped to [eps, 1 - eps]
 *   binary_ce          p (N, D), clipped; mean over D then N
 *   sigmoid_bce        logits (N, D), stable fused form
 *   mse                (N, D), mean over D then N
 *
 * log softmax is z - max - log(sum exp(z - max)), so large logits never
 * overflow; the losses are summed in double. grad may be NULL. */
#include <math.h>

#include "nn/nn.h"

/* log-sum-exp of a row, max-subtracted; also returns the max */
static double row_lse(const float *z, int k, float *mx) {
  float m = -INFINITY;
  for (int j = 0; j < k; j++) m = z[j] > m ? z[j] : m;
  double s = 0;
  for (int j = 0; j < k; j++) s += exp((double)z[j] - m);
  *mx = m;
  return log(s);
}

/* grad row = (softmax(z) * scale - t) / n, t given as one-hot index
 * (label >= 0) or a target row */
static void softmax_grad(const float *z, float m, double lse, int k,
                         int label, const float *t, double scale, int n,
                         float *g) {
  double inv = 1.0 / n;
  for (int j = 0; j < k; j++) {
    double p = exp((double)z[j] - m - lse);
    double tj = t ? t[j] : (j == label);
    g[j] = (float)((p * scale - tj) * inv);
  }
}

int nn_softmax_sparse_ce(const float *logits, const int32_t *labels,
                         float *grad, int n, int k, double *loss,
                         int64_t *bad) {
  for (int i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= k) {
      if (bad) *bad = i;
      return NN_EBADLABEL;
    }
  double sum = 0;
  for (int i = 0; i < n; i++) {
    const float *z = logits + (int64_t)i * k;
    float m;
    double lse = row_lse(z, k, &m);
    sum += lse - ((double)z[labels[i]] - m);
    if (grad)
      softmax_grad(z, m, lse, k, labels[i], NULL, 1.0, n,
                   grad + (int64_t)i * k);
  }
  *loss = n ? sum / n : 0;
  return NN_OK;
}

double nn_softmax_sparse_ce_naive(const float *logits, const int32_t *labels,
                                  int n, int k) {
  double sum = 0;
  for (int i = 0; i < n; i++) {
    const float *z = logits + (int64_t)i * k;
    double m = z[0], s = 0;
    for (int j = 1; j < k; j++) m = z[j] > m ? z[j] : m;
    for (int j = 0; j < k; j++) s += exp(z[j] - m);
    sum += -log(exp(z[labels[i]] - m) / s);
  }
  return n ? sum / n : 0;
}

void nn_softmax_ce(const float *logits, const float *targets, float *grad,
                   int n, int k, double *loss) {
  double sum = 0;
  for (int i = 0; i < n; i++) {
    const float *z = logits + (int64_t)i * k, *t = targets + (int64_t)i * k;
    float m;
    double lse = row_lse(z, k, &m), tsum = 0;
    for (int j = 0; j < k; j++) {
      sum -= t[j] * ((double)z[j] - m - lse);
      tsum += t[j];
    }
    if (grad)
      softmax_grad(z, m, lse, k, -1, t, tsum, n, grad + (int64_t)i * k);
  }
  *loss = n ? sum / n : 0;
}

static double clip(double p) {
  const double eps = NN_EPSILON;
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

/* One row of Keras's probability CE: q = p / sum(p), L = -sum t log
 * clip(q). With u_j = dL/dq_j (-t_j / q_j, or 0 where the clip bites)
 * and dq_i/dp_j = (delta_ij - q_i) / s, dL/dp_j = (u_j - sum_i u_i q_i)
 * / s, which is what TensorFlow's autodiff of that graph gives. */
static void ce_row(const float *p, const float *t, int label, int k,
                   double *l, float *g, int n) {
  double s = 0;
  for (int j = 0; j < k; j++) s += p[j];
  if (s == 0) s = 1;           /* all-zero row: nothing to normalize */
  /* u_j = dL/dq_j, q_j = p_j / s before clipping */
  double dot = 0;              /* sum_j u_j q_j */
  for (int j = 0; j < k; j++) {
    double q = p[j] / s, tj = t ? t[j] : (j == label);
    double c = clip(q);
    *l -= tj * log(c);
    double u = (c == q) ? -tj / q : 0;      /* clipped: no gradient */
    dot += u * q;
    if (g) g[j] = (float)u;
  }
  if (g)   /* dq_i/dp_j = (delta_ij - q_i) / s */
    for (int j = 0; j < k; j++) g[j] = (float)((g[j] - dot) / s / n);
}

void nn_categorical_ce(const float *p, const float *targets, float *grad,
                       int n, int k, double *loss) {
  double l = 0;
  for (int i = 0; i < n; i++)
    ce_row(p + (int64_t)i * k, targets + (int64_t)i * k, -1, k, &l,
           grad ? grad + (int64_t)i * k : NULL, n);
  *loss = n ? l / n : 0;
}

int nn_sparse_ce(const float *p, const int32_t *labels, float *grad, int n,
                 int k, double *loss, int64_t *bad) {
  for (int i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= k) {
      if (bad) *bad = i;
      return NN_EBADLABEL;
    }
  double l = 0;
  for (int i = 0; i < n; i++)
    ce_row(p + (int64_t)i * k, NULL, labels[i], k, &l,
           grad ? grad + (int64_t)i * k : NULL, n);
  *loss = n ? l / n : 0;
  return NN_OK;
}

void nn_binary_ce(const float *p, const float *t, float *grad, int n, int d,
                  double *loss) {
  const double eps = NN_EPSILON;
  int64_t total = (int64_t)n * d;
  double l = 0;
  for (int64_t i = 0; i < total; i++) {
    double q = clip(p[i]), ti = t[i];
    l -= ti * log(q + eps) + (1 - ti) * log(1 - q + eps);
    if (grad) {
      double u = -ti / (q + eps) + (1 - ti) / (1 - q + eps);
      grad[i] = (q == p[i]) ? (float)(u / (double)total) : 0.0f;
    }
  }
  *loss = total ? l / (double)total : 0;
}

void nn_sigmoid_bce(const float *z, const float *t, float *grad, int n,
                    int d, double *loss) {
  int64_t total = (int64_t)n * d;
  double l = 0;
  for (int64_t i = 0; i < total; i++) {
    double zi = z[i], ti = t[i];
    l += (zi > 0 ? zi : 0) - zi * ti + log1p(exp(-fabs(zi)));
    if (grad) {
      double s = zi >= 0 ? 1 / (1 + exp(-zi)) : exp(zi) / (1 + exp(zi));
      grad[i] = (float)((s - ti) / (double)total);
    }
  }
  *loss = total ? l / (double)total : 0;
}

void nn_mse(const float *y, const float *t, float *grad, int n, int d,
            double *loss) {
  int64_t total = (int64_t)n * d;
  double l = 0;
  for (int64_t i = 0; i < total; i++) {
    double e = (double)y[i] - t[i];
    l += e * e;
    if (grad) grad[i] = (float)(2 * e / (double)total);
  }
  *loss = total ? l / (double)total : 0;
}
