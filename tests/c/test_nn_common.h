/* test_nn_common.h - helpers shared by the tests/c/test_nn_*.c files:
 * a private data RNG (so the runtime's RNG stays untouched), float
 * comparisons that report the worst element, and central differences
 * in double. */
#ifndef WB_TEST_NN_COMMON_H
#define WB_TEST_NN_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static uint64_t test_rng = 88172645463325252ull;

static inline double urand(void) {           /* xorshift64*, [0, 1) */
  test_rng ^= test_rng >> 12;
  test_rng ^= test_rng << 25;
  test_rng ^= test_rng >> 27;
  uint64_t r = test_rng * 2685821657736338717ull;
  return (double)(r >> 11) / 9007199254740992.0;   /* 53 bits / 2^53 */
}

static inline void fill(float *p, int64_t n, double lo, double hi) {
  for (int64_t i = 0; i < n; i++) p[i] = (float)(lo + (hi - lo) * urand());
}

static inline float *falloc(int64_t n) {
  float *p = calloc((size_t)(n > 0 ? n : 1), sizeof *p);
  if (!p) { printf("Bail out! out of memory\n"); exit(1); }
  return p;
}

static inline double *dalloc(int64_t n) {
  double *p = calloc((size_t)(n > 0 ? n : 1), sizeof *p);
  if (!p) { printf("Bail out! out of memory\n"); exit(1); }
  return p;
}

static inline double max_abs(const float *a, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; i++) m = fabs(a[i]) > m ? fabs(a[i]) : m;
  return m;
}

/* ok when every |got - want| <= tol * max(1, max |want|); reports the
 * worst element otherwise */
static inline int close_rel(const float *got, const float *want,
                            int64_t n, double tol, const char *name) {
  double scale = max_abs(want, n);
  if (scale < 1) scale = 1;
  double worst = 0;
  int64_t at = -1;
  for (int64_t i = 0; i < n; i++) {
    double d = fabs((double)got[i] - want[i]);
    if (!(d <= worst)) { worst = d; at = i; }   /* NaN counts as worst */
  }
  int r = ok(at < 0 || worst <= tol * scale, "%s", name);
  if (!r)
    diag("  worst at %lld: got %.9g want %.9g (|diff| %.3g > %.3g)",
         (long long)at, got[at], want[at], worst, tol * scale);
  return r;
}

static inline int same_bits(const float *a, const float *b, int64_t n,
                            const char *name) {
  int64_t at = -1;
  for (int64_t i = 0; i < n && at < 0; i++)
    if (memcmp(a + i, b + i, sizeof *a)) at = i;
  int r = ok(at < 0, "%s", name);
  if (!r) diag("  first difference at %lld: %.9g vs %.9g", (long long)at,
               a[at], b[at]);
  return r;
}

/* Central differences of f (a double-precision loss of params) at
 * params, step h, into grad (n). f may read the params array. */
typedef double (*LossFn)(void *ctx, const double *params);
static inline void central_diff(LossFn f, void *ctx, double *params,
                                int64_t n, double h, float *grad) {
  for (int64_t i = 0; i < n; i++) {
    double keep = params[i];
    params[i] = keep + h;
    double up = f(ctx, params);
    params[i] = keep - h;
    double down = f(ctx, params);
    params[i] = keep;
    grad[i] = (float)((up - down) / (2 * h));
  }
}

static inline void to_double(const float *a, double *d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = a[i];
}

/* activations in double, for the loss functions the differences see */
static inline void act_d(int act, double *v, int64_t rows, int cols) {
  for (int64_t r = 0; r < rows; r++) {
    double *x = v + r * cols;
    if (act == 4) {                            /* NN_SOFTMAX */
      double m = x[0], s = 0;
      for (int j = 1; j < cols; j++) m = x[j] > m ? x[j] : m;
      for (int j = 0; j < cols; j++) s += (x[j] = exp(x[j] - m));
      for (int j = 0; j < cols; j++) x[j] /= s;
      continue;
    }
    for (int j = 0; j < cols; j++)
      switch (act) {
      case 1: x[j] = x[j] > 0 ? x[j] : 0; break;       /* relu */
      case 2: x[j] = tanh(x[j]); break;
      case 3: x[j] = 1 / (1 + exp(-x[j])); break;      /* sigmoid */
      default: break;
      }
  }
}

#endif
