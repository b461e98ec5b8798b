/* nn_dropout.c - inverted dropout, Keras semantics.
 *
 *   x, y, mask, dy, dx (n) flat
 *   forward   keep where u >= rate (u uniform [0, 1) with 24 random bits
 *             from the runtime's seeded RNG, one draw per element in
 *             order), scale kept
 *             values by 1 / (1 - rate): mask = keep ? 1 / (1 - rate) : 0,
 *             y = x * mask. At inference the layer is the identity (the
 *             caller just skips it).
 *   backward  dx = dy * mask
 *
 * The keep decisions are drawn as integers (tensor_rand_keep24: the
 * draw's 24 bits against ceil(rate * 2^24), exactly the float test
 * u >= rate) into one byte per element. The _keep forms keep those
 * bytes as the mask (the Dropout layer: a quarter of a float mask's
 * memory, and no float draws materialised); the float-mask forms are
 * for callers that multiply by the mask themselves (recurrent dropout).
 * Both give the same y for the same stream.
 *
 * The draws stay on the calling thread: the RNG is one sequential
 * stream, which is what makes a seed reproduce a training run. */
#include <math.h>
#include "nn/nn.h"
#include "core/tensor.h"

/* the element loops vectorize with GCC's normal cost model and an AVX2
 * clone (as nn_vec.c's NN_HOT: -O2 alone leaves them scalar) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define DROPOUT_VEC __attribute__((optimize("vect-cost-model=dynamic"), \
                                   target_clones("avx2", "default")))
#else
#define DROPOUT_VEC
#endif

static float keep_scale(float rate) { return 1.0f / (1.0f - rate); }

/* thr with k >= thr <=> k * 2^-24 >= rate for every 24-bit k: both sides
 * are exact (a float times a power of two), so this is the same test */
static uint32_t keep_threshold(float rate) {
  return (uint32_t)ceil((double)rate * 16777216.0);
}

DROPOUT_VEC void nn_dropout_forward_keep(const float *x, float *y, uint8_t *keep,
                             int64_t n, float rate) {
  float scale = keep_scale(rate);
  tensor_rand_keep24(keep, n, keep_threshold(rate));
  /* scale * keep is scale or +0 exactly: the same y as the float mask,
   * without a branch on random bytes (mispredicted one time in five) */
  for (int64_t i = 0; i < n; i++) y[i] = x[i] * (scale * (float)keep[i]);
}

DROPOUT_VEC void nn_dropout_backward_keep(const float *dy, const uint8_t *keep,
                              float *dx, int64_t n, float rate) {
  float scale = keep_scale(rate);
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * (scale * (float)keep[i]);
}

DROPOUT_VEC void nn_dropout_forward(const float *x, float *y, float *mask, int64_t n,
                        float rate) {
  float scale = keep_scale(rate);
  uint32_t thr = keep_threshold(rate);
  uint8_t keep[1024];
  for (int64_t i0 = 0; i0 < n; i0 += 1024) {
    int64_t m = n - i0 < 1024 ? n - i0 : 1024;
    tensor_rand_keep24(keep, m, thr);
    for (int64_t i = 0; i < m; i++) {
      mask[i0 + i] = scale * (float)keep[i];
      y[i0 + i] = x[i0 + i] * mask[i0 + i];
    }
  }
}

DROPOUT_VEC void nn_dropout_backward(const float *dy, const float *mask, float *dx,
                         int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
