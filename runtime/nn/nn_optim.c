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
