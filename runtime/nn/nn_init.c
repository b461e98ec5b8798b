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
 *   random_normal N(0, 0.05), random_uniform U(-0.05, 0.05),
 *   truncated_normal N(0, 0.05) redrawn outside 2 stddev (Keras 2.6's
 *   defaults for these three)
 *   orthogonal: p as (rows = n / cols, cols); a normal (max, min) matrix
 *     made orthonormal column by column (Gram-Schmidt in double, which is
 *     QR with R's diagonal positive, as Keras's sign fix gives), then
 *     transposed when rows < cols (gain 1)
 *
 * Draws come from the runtime's one seeded RNG, in element order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "core/tensor.h"

/* stddev of a unit normal truncated to [-2, 2] */
#define TRUNC_STD 0.87962566103423978

static const char *init_names[] = {
  "zeros", "ones", "glorot_uniform", "glorot_normal", "he_uniform",
  "he_normal", "lecun_uniform", "lecun_normal", "orthogonal",
  "random_normal", "random_uniform", "truncated_normal"
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

/* q (r, c), r >= c, column-orthonormal from normal draws; 0 or -1 */
static int orthonormal(double *q, int64_t r, int64_t c) {
  for (int64_t i = 0; i < r * c; i++) q[i] = tensor_rand_normal();
  for (int64_t j = 0; j < c; j++) {
    for (int pass = 0; pass < 2; pass++)      /* twice: re-orthogonalise */
      for (int64_t k = 0; k < j; k++) {
        double d = 0;
        for (int64_t i = 0; i < r; i++) d += q[i * c + k] * q[i * c + j];
        for (int64_t i = 0; i < r; i++) q[i * c + j] -= d * q[i * c + k];
      }
    double norm = 0;
    for (int64_t i = 0; i < r; i++) norm += q[i * c + j] * q[i * c + j];
    norm = sqrt(norm);
    if (!(norm > 1e-12)) return -1;
    for (int64_t i = 0; i < r; i++) q[i * c + j] /= norm;
  }
  return 0;
}

int nn_init_orthogonal(float *p, int64_t rows, int64_t cols) {
  int64_t r = rows > cols ? rows : cols, c = rows > cols ? cols : rows;
  double *q = malloc(sizeof *q * (size_t)(r * c > 0 ? r * c : 1));
  if (!q) return NN_ENOMEM;
  while (orthonormal(q, r, c)) {}       /* a degenerate draw: draw again */
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++)
      p[i * cols + j] = (float)(rows >= cols ? q[i * c + j] : q[j * c + i]);
  free(q);
  return NN_OK;
}

void nn_init_fill(NnInit kind, float *p, int64_t n, double fan_in,
                  double fan_out) {
  if (kind == NN_INIT_RANDOM_NORMAL || kind == NN_INIT_TRUNCATED_NORMAL) {
    for (int64_t i = 0; i < n; i++)
      p[i] = (float)(0.05 * (kind == NN_INIT_RANDOM_NORMAL
                                 ? tensor_rand_normal() : truncated_normal()));
    return;
  }
  if (kind == NN_INIT_RANDOM_UNIFORM) {
    for (int64_t i = 0; i < n; i++)
      p[i] = (float)(0.1 * tensor_rand_uniform() - 0.05);
    return;
  }
  if (kind == NN_INIT_ORTHOGONAL) {   /* callers use nn_init_orthogonal */
    nn_init_orthogonal(p, n, 1);
    return;
  }
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
