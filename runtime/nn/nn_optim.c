/* nn_optim.c - optimizer update steps over flat parameter arrays, as
 * Keras 2.6 runs them (TensorFlow's ResourceApply* training ops).
 *
 *   p, g, and each state array: (n) flat, states start at zero
 *   SGD       momentum 0:  p -= lr g
 *             else:        v = momentum v - lr g
 *                          p += v
 *             nesterov:    p += momentum v - lr g   (after the v update)
 *   Adam      m = m + (g - m)(1 - b1),  v = v + (g^2 - v)(1 - b2)
 *             lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
 *             p -= lr_t m / (sqrt(v) + eps)
 *   RMSprop   ms = ms + (g^2 - ms)(1 - rho)
 *             centered: mg = mg + (g - mg)(1 - rho), denom = ms - mg^2
 *             momentum 0:  p -= lr g / (sqrt(denom) + eps)
 *             else:        mom = momentum mom + lr g / sqrt(denom + eps)
 *                          p -= mom
 *
 *   Adagrad   acc += g^2;  p -= lr g / (sqrt(acc) + eps)   (acc starts at
 *             initial_accumulator_value, 0.1)
 *   Adadelta  acc = rho acc + (1 - rho) g^2
 *             d = sqrt(acc_up + eps) / sqrt(acc + eps) g
 *             acc_up = rho acc_up + (1 - rho) d^2;  p -= lr d
 *   Adamax    m = b1 m + (1 - b1) g,  v = max(b2 v, |g|)
 *             p -= lr / (1 - b1^t) m / (v + eps)
 *   Nadam     (Keras 2.6, Dozat) mu_t = b1 (1 - 0.5 0.96^(0.004 t));
 *             sched_t = prod_{k<=t} mu_k (the caller keeps it);
 *             m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
 *             mbar = (1 - mu_t) g / (1 - sched_t)
 *                    + mu_{t+1} m / (1 - sched_t mu_{t+1})
 *             p -= lr mbar / (sqrt(v / (1 - b2^t)) + eps)
 *
 * Arithmetic is float32 like TensorFlow's kernels; only the bias
 * correction factor lr_t is formed in double (b^t for large t). */
#include <math.h>

#include "nn/nn.h"
#include "core/threads.h"

/* Element-wise updates split into fixed blocks over the pool: each
 * element's arithmetic is the same whichever thread runs it. */
#define BLOCK 16384

void nn_sgd_step(const NnSGD *o, float *p, const float *g, float *v,
                 int64_t n) {
  if (o->momentum == 0.0f || !v) {
    for (int64_t i = 0; i < n; i++) p[i] -= o->lr * g[i];
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    v[i] = v[i] * o->momentum - o->lr * g[i];
    if (o->nesterov) p[i] += v[i] * o->momentum - o->lr * g[i];
    else p[i] += v[i];
  }
}

typedef struct {
  float *p, *m, *v;
  const float *g;
  int64_t n;
  float lr_t, c1, c2, eps;
} Adam;

static void adam_blocks(void *ctx, int64_t lo, int64_t hi, int slot) {
  Adam *a = ctx;
  int64_t i0 = lo * BLOCK, i1 = hi * BLOCK < a->n ? hi * BLOCK : a->n;
  nn_vec_adam(a->p + i0, a->g + i0, a->m + i0, a->v + i0, i1 - i0, a->lr_t,
              a->c1, a->c2, a->eps);
}

void nn_adam_step(const NnAdam *o, float *p, const float *g, float *m,
                  float *v, int64_t t, int64_t n) {
  double b1t = pow(o->beta1, (double)t), b2t = pow(o->beta2, (double)t);
  Adam a = {p, m, v, g, n, (float)(o->lr * sqrt(1.0 - b2t) / (1.0 - b1t)),
            1.0f - o->beta1, 1.0f - o->beta2, o->eps};
  threads_for((n + BLOCK - 1) / BLOCK, 10.0 * n, adam_blocks, &a);
}

void nn_rmsprop_step(const NnRMSprop *o, float *p, const float *g,
                     float *ms, float *mom, float *mg, int64_t n) {
  float c = 1.0f - o->rho;
  int centered = o->centered && mg;
  for (int64_t i = 0; i < n; i++) {
    ms[i] += (g[i] * g[i] - ms[i]) * c;
    float denom = ms[i];
    if (centered) {
      mg[i] += (g[i] - mg[i]) * c;
      denom -= mg[i] * mg[i];
    }
    if (o->momentum == 0.0f || !mom) {
      p[i] -= o->lr * g[i] / (sqrtf(denom) + o->eps);
    } else {
      mom[i] = o->momentum * mom[i] + o->lr * g[i] / sqrtf(denom + o->eps);
      p[i] -= mom[i];
    }
  }
}

void nn_adagrad_step(const NnAdagrad *o, float *p, const float *g,
                     float *acc, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    acc[i] += g[i] * g[i];
    p[i] -= o->lr * g[i] / (sqrtf(acc[i]) + o->eps);
  }
}

void nn_adadelta_step(const NnAdadelta *o, float *p, const float *g,
                      float *acc, float *acc_up, int64_t n) {
  float c = 1.0f - o->rho;
  for (int64_t i = 0; i < n; i++) {
    acc[i] = o->rho * acc[i] + c * g[i] * g[i];
    float d = sqrtf(acc_up[i] + o->eps) / sqrtf(acc[i] + o->eps) * g[i];
    acc_up[i] = o->rho * acc_up[i] + c * d * d;
    p[i] -= o->lr * d;
  }
}

void nn_adamax_step(const NnAdam *o, float *p, const float *g, float *m,
                    float *v, int64_t t, int64_t n) {
  float lr_t = (float)(o->lr / (1.0 - pow(o->beta1, (double)t)));
  for (int64_t i = 0; i < n; i++) {
    m[i] = o->beta1 * m[i] + (1.0f - o->beta1) * g[i];
    float a = fabsf(g[i]), b = o->beta2 * v[i];
    v[i] = a > b ? a : b;
    p[i] -= lr_t * m[i] / (v[i] + o->eps);
  }
}

double nn_nadam_mu(const NnAdam *o, int64_t t) {
  return o->beta1 * (1.0 - 0.5 * pow(0.96, 0.004 * (double)t));
}

void nn_nadam_step(const NnAdam *o, float *p, const float *g, float *m,
                   float *v, int64_t t, double sched, int64_t n) {
  double mu = nn_nadam_mu(o, t), mu1 = nn_nadam_mu(o, t + 1);
  float cg = (float)((1.0 - mu) / (1.0 - sched));
  float cm = (float)(mu1 / (1.0 - sched * mu1));
  float bc2 = (float)(1.0 - pow(o->beta2, (double)t));
  for (int64_t i = 0; i < n; i++) {
    m[i] = o->beta1 * m[i] + (1.0f - o->beta1) * g[i];
    v[i] = o->beta2 * v[i] + (1.0f - o->beta2) * g[i] * g[i];
    float mbar = cg * g[i] + cm * m[i];
    p[i] -= o->lr * mbar / (sqrtf(v[i] / bc2) + o->eps);
  }
}
