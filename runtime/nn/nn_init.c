/* nn_init.c - weight initialisers, Keras's VarianceScaling family.
 *
 *   p (n) flat; fans from the kernel shape as Keras's _compute_fans:
 *     (in, out) dense: fan_in = in, fan_out = out
 *     (kh, kw, in, out) conv: receptive = kh*kw, fan_in = receptive*in,
 *                             fan_out = receptive*out
 *   scale s / fan:  glorot s=1 over (fan_in + fan_out)/2,
 *                   he s=2 over fan_in, lecun s=1 over fan_in
 *   uniform:  U(-limit, limit), limit = sqrt(3 s / fan)
 *             (glorot_uniform: sqrt(6 / (fan_in + fan_out)))
 *   normal:   truncated at 2 stddev, stddev = sqrt(s / fan) / 0.8796...
 *             (the truncation shrinks the variance by that factor^2)
 *
 * Draws come from the runtime's one seeded RNG, in element order. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"
#include "core/tensor.h"

/* stddev of a unit normal truncated to [-2, 2] */
#define TRUNC_STD 0.87962566103423978

static const char *init_names[] = {
  "zeros", "ones", "glorot_uniform", "glorot_normal", "he_uniform",
  "he_normal", "lecun_uniform", "lecun_normal"
};

int nn_init_parse(const char *name) {
  for (int i = 0; i < (int)(sizeof init_names / sizeof *init_names); i++)
    if (strcmp(name, init_names[i]) == 0) return i;
  return -1;
}

void nn_fans(int ndim, const int64_t *shape, double *fan_in,
             double *fan_out) {
  if (ndim < 1) { *fan_in = *fan_out = 1; return; }
  if (ndim == 1) { *fan_in = *fan_out = (double)shape[0]; return; }
  double receptive = 1;
  for (int d = 0; d < ndim - 2; d++) receptive *= (double)shape[d];
  *fan_in = (double)shape[ndim - 2] * receptive;
  *fan_out = (double)shape[ndim - 1] * receptive;
}

static double truncated_normal(void) {
  for (;;) {
    double z = tensor_rand_normal();
    if (fabs(z) <= 2.0) return z;
  }
}

void nn_init_fill(NnInit kind, float *p, int64_t n, double fan_in,
                  double fan_out) {
  if (kind == NN_INIT_ZEROS || kind == NN_INIT_ONES) {
    for (int64_t i = 0; i < n; i++) p[i] = kind == NN_INIT_ONES;
    return;
  }
  double s, fan;
  switch (kind) {
  case NN_INIT_GLOROT_UNIFORM: case NN_INIT_GLOROT_NORMAL:
    s = 1; fan = (fan_in + fan_out) / 2; break;
  case NN_INIT_HE_UNIFORM: case NN_INIT_HE_NORMAL:
    s = 2; fan = fan_in; break;
  default:
    s = 1; fan = fan_in; break;
  }
  if (fan < 1) fan = 1;          /* Keras: max(1., fan) */
  s /= fan;
  int uniform = kind == NN_INIT_GLOROT_UNIFORM || kind == NN_INIT_HE_UNIFORM ||
                kind == NN_INIT_LECUN_UNIFORM;
  if (uniform) {
    double limit = sqrt(3 * s);
    for (int64_t i = 0; i < n; i++)
      p[i] = (float)((2 * tensor_rand_uniform() - 1) * limit);
  } else {
    double sd = sqrt(s) / TRUNC_STD;
    for (int64_t i = 0; i < n; i++) p[i] = (float)(sd * truncated_normal());
  }
}
