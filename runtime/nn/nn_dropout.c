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
 * The draws stay on the calling thread: the RNG is one sequential
 * stream, which is what makes a seed reproduce a training run. */
#include "nn/nn.h"
#include "core/tensor.h"

void nn_dropout_forward(const float *x, float *y, float *mask, int64_t n,
                        float rate) {
  float scale = 1.0f / (1.0f - rate);
  tensor_rand_uniform_floats(mask, n);       /* the draws, then the mask */
  for (int64_t i = 0; i < n; i++) {
    mask[i] = mask[i] >= rate ? scale : 0.0f;
    y[i] = x[i] * mask[i];
  }
}

void nn_dropout_backward(const float *dy, const float *mask, float *dx,
                         int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
