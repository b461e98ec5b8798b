/* nn_vec.c - the element loops that run over whole activations every
 * step (bias + activation epilogues, relu masks, column sums, max-pool
 * updates, the Adam update), written branch-free so they vectorize.
 *
 * Why a file of its own: the build's -O2 lets GCC vectorize only loops
 * whose trip count it can see, and a relu written as a branch
 * mispredicts on half its elements (3.5 ms instead of 0.1 ms for one
 * conv output of the course CNN, measured). NN_HOT turns on GCC's
 * normal vectorizer cost model for these functions and adds an AVX2
 * clone that the loader picks on CPUs that have it (x86-64 GCC only;
 * elsewhere they are plain loops with the same results). */
#include <math.h>
#include <string.h>

#include "nn/nn.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NN_HOT __attribute__((optimize("vect-cost-model=dynamic",       \
                                       "no-math-errno"),                \
                              target_clones("avx2", "default")))
#else
#define NN_HOT
#endif

NN_HOT void nn_vec_relu(const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0.0f;
}

NN_HOT void nn_vec_relu_grad(const float *y, const float *dy, float *g,
                             int64_t n) {
  for (int64_t i = 0; i < n; i++) g[i] = y[i] > 0 ? dy[i] : 0.0f;
}

NN_HOT void nn_vec_add(float *d, const float *s, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] += s[i];
}

/* y (rows, cols) += b, then relu when relu != 0 */
NN_HOT static void bias_relu(float *y, const float *b, int64_t rows,
                             int cols, int relu) {
  for (int64_t r = 0; r < rows; r++, y += cols) {
    if (relu)
      for (int j = 0; j < cols; j++) {
        float v = y[j] + b[j];
        y[j] = v > 0 ? v : 0.0f;
      }
    else
      for (int j = 0; j < cols; j++) y[j] += b[j];
  }
}

void nn_vec_bias_act(float *y, const float *b, int64_t rows, int cols,
                     NnAct act) {
  if (b && (act == NN_RELU || act == NN_LINEAR)) {
    bias_relu(y, b, rows, cols, act == NN_RELU);
    return;
  }
  if (b) bias_relu(y, b, rows, cols, 0);
  nn_act_inplace(act, y, rows, cols);
}

/* acc (cols, double) += column sums of g (rows, cols): blocks of 32 rows
 * by up to 256 columns are summed in float, vectorized across columns,
 * then added in double, so long columns keep double accuracy */
NN_HOT static void block_sum(const float *g, int64_t rows, int w,
                             int64_t stride, float *tmp) {
  for (int j = 0; j < w; j++) tmp[j] = 0;
  for (int64_t r = 0; r < rows; r++, g += stride)
    for (int j = 0; j < w; j++) tmp[j] += g[j];
}

void nn_vec_colsum(const float *g, int64_t rows, int cols, double *acc) {
  enum { BLOCK = 32, WIDTH = 256 };
  float tmp[WIDTH];
  for (int j0 = 0; j0 < cols; j0 += WIDTH) {
    int w = cols - j0 < WIDTH ? cols - j0 : WIDTH;
    for (int64_t r0 = 0; r0 < rows; r0 += BLOCK) {
      int64_t m = rows - r0 < BLOCK ? rows - r0 : BLOCK;
      block_sum(g + r0 * cols + j0, m, w, cols, tmp);
      for (int j = 0; j < w; j++) acc[j0 + j] += tmp[j];
    }
  }
}

/* max pooling: start a window's maximum at its first cell v (c
 * channels at offset base inside the sample) ... */
NN_HOT void nn_vec_max_init(float *y, int32_t *arg, const float *v,
                            int32_t base, int c) {
  for (int k = 0; k < c; k++) {
    y[k] = v[k];
    arg[k] = base + k;
  }
}

/* ... and fold each further cell into the running maximum y / arg;
 * strictly greater wins, so the first maximum stays */
NN_HOT void nn_vec_max_update(float *y, int32_t *arg, const float *v,
                              int32_t base, int c) {
  for (int k = 0; k < c; k++) {
    int gt = v[k] > y[k];
    y[k] = gt ? v[k] : y[k];
    arg[k] = gt ? base + k : arg[k];
  }
}

NN_HOT void nn_vec_adam(float *p, const float *g, float *m, float *v,
                        int64_t n, float lr_t, float c1, float c2,
                        float eps) {
  for (int64_t i = 0; i < n; i++) {
    m[i] += (g[i] - m[i]) * c1;
    v[i] += (g[i] * g[i] - v[i]) * c2;
    p[i] -= lr_t * m[i] / (sqrtf(v[i]) + eps);
  }
}

/* Pool indices travel through Lua as exact floats. */
NN_HOT void nn_vec_index_to_float(const int32_t *a, float *f, int64_t n) {
  for (int64_t i = 0; i < n; i++) f[i] = (float)a[i];
}

/* Back to int32, checking each is an integer in [0, limit); returns -1,
 * or the first bad position (nothing is trusted: a wrong tensor here
 * would make the backward write out of bounds). */
NN_HOT static int all_indices(const float *f, int64_t n, float limit) {
  int bad = 0;
  for (int64_t i = 0; i < n; i++) {
    float v = f[i];
    float c = v >= 0.0f && v < limit ? v : 0.0f;   /* safe to convert */
    bad |= (v != c) | ((float)(int32_t)c != c);    /* NaN: v != c too */
  }
  return bad;
}

NN_HOT static void to_index(const float *f, int32_t *a, int64_t n) {
  for (int64_t i = 0; i < n; i++) a[i] = (int32_t)f[i];
}

int64_t nn_vec_float_to_index(const float *f, int32_t *a, int64_t n,
                              int32_t limit) {
  if (all_indices(f, n, (float)limit))
    for (int64_t i = 0; i < n; i++)
      if (!(f[i] >= 0.0f && f[i] < (float)limit) || f[i] != floorf(f[i]))
        return i;
  to_index(f, a, n);
  return -1;
}
