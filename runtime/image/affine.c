/* affine.c - order-1 affine warp with SciPy's boundary modes (affine.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/tensor.h"
#include "core/threads.h"
#include "image/affine.h"

const char *const affine_mode_names[] = {"constant", "nearest", "reflect",
                                         "wrap", "mirror", NULL};

int image_affine_check(int64_t n, int64_t h, int64_t w, int64_t c,
                       const AffineParams *p, int64_t np, char *err) {
  if (n < 1 || h < 1 || w < 1 || c < 1) {
    snprintf(err, TENSOR_ERRLEN, "affine_transform: empty image (%lld x %lld x %lld x %lld)",
             (long long)n, (long long)h, (long long)w, (long long)c);
    return -1;
  }
  if (np != 1 && np != n) {
    snprintf(err, TENSOR_ERRLEN, "affine_transform: %lld parameter sets for %lld images",
             (long long)np, (long long)n);
    return -1;
  }
  for (int64_t k = 0; k < np; k++) {
    const double *v = p[k].m;
    for (int i = 0; i < 4; i++)
      if (!isfinite(v[i])) {
        snprintf(err, TENSOR_ERRLEN, "affine_transform: matrix entry %d is %g (must be finite)",
                 i + 1, v[i]);
        return -1;
      }
    for (int i = 0; i < 2; i++)
      if (!isfinite(p[k].off[i])) {
        snprintf(err, TENSOR_ERRLEN, "affine_transform: offset %d is %g (must be finite)",
                 i + 1, p[k].off[i]);
        return -1;
      }
  }
  return 0;
}

/* One axis: where coordinate x of an axis of length len samples.
 * Returns 0 for a constant-mode point outside; else the two neighbours
 * i0, i1 (valid indices) and the weight w1 of i1. */
static int axis_map(double x, int64_t len, AffineMode mode, int64_t *i0,
                    int64_t *i1, double *w1) {
  double last = (double)(len - 1);
  if (!isfinite(x)) {   /* an overflowed product: no UB in the casts */
    if (mode == AFFINE_CONSTANT) return 0;
    x = x > 0 ? last : 0;
  }
  int half = 0;   /* neighbours past an edge: 1 reflect to the edge sample
                     (half-sample), 0 mirror about it (whole-sample) */
  switch (mode) {
  case AFFINE_CONSTANT:
    if (!(x >= 0 && x <= last)) return 0;
    break;
  case AFFINE_NEAREST:
    x = x < 0 ? 0 : x > last ? last : x;
    half = 1;
    break;
  case AFFINE_REFLECT:
    half = 1;
    if (len == 1) { x = 0; break; }
    if (x < 0 || x > last) {
      /* fold into [-0.5, len - 0.5] (period 2 len, mirrors at -0.5 and
         len - 0.5); a point in [-1, 0) or (len-1, len] takes the edge
         sample through the half-sample neighbour rule below */
      double p = 2.0 * (double)len, u = fmod(x + 0.5, p);
      if (u < 0) u += p;
      if (u > (double)len) u = p - u;
      x = u - 0.5;
    }
    break;
  case AFFINE_WRAP:
    if (len == 1) { x = 0; break; }
    if (x < 0) x = fmod(x, last) + last;           /* (0, last] */
    else if (x > last) x = fmod(x, last);          /* [0, last) */
    break;
  case AFFINE_MIRROR:
    if (len == 1) { x = 0; break; }
    if (x < 0 || x > last) {
      double p = 2.0 * last, u = fmod(fabs(x), p);
      if (u >= (double)len) u = p - u;
      x = u;   /* may stay in (len-1, len): the neighbour rule mirrors */
    }
    break;
  }
  double f = floor(x);
  int64_t a = (int64_t)f, b = a + 1;
  *w1 = x - f;
  if (len == 1) { *i0 = *i1 = 0; return 1; }
  if (a < 0) a = half ? -a - 1 : -a;
  if (b >= len) b = half ? 2 * len - 1 - b : 2 * len - 2 - b;
  if (a >= len) a = len - 1;   /* not reached for order 1; stay in range */
  if (b < 0) b = 0;
  *i0 = a;
  *i1 = b;
  return 1;
}

typedef struct {
  const float *in;
  float *out;
  int64_t h, w, c, np;
  const AffineParams *p;
  AffineMode mode;
  double cval;
} AffineJob;

/* pieces: output rows, numbered k*h + i over the batch */
static void affine_rows(void *ctx, int64_t lo, int64_t hi, int slot) {
  (void)slot;
  const AffineJob *J = ctx;
  int64_t h = J->h, w = J->w, c = J->c;
  for (int64_t piece = lo; piece < hi; piece++) {
    int64_t k = piece / h, i = piece % h;
    const AffineParams *p = &J->p[J->np == 1 ? 0 : k];
    const float *src = J->in + k * h * w * c;
    int64_t oi = p->flip[0] ? h - 1 - i : i;
    float *row = J->out + (k * h + oi) * w * c;
    for (int64_t j = 0; j < w; j++) {
      float *dst = row + (p->flip[1] ? w - 1 - j : j) * c;
      /* the sums in SciPy's order: 0 + i*m0 + j*m1 + off */
      double r = 0.0, q = 0.0;
      r += (double)i * p->m[0];
      r += (double)j * p->m[1];
      r += p->off[0];
      q += (double)i * p->m[2];
      q += (double)j * p->m[3];
      q += p->off[1];
      int64_t r0, r1, c0, c1;
      double wr, wc;
      if (!axis_map(r, h, J->mode, &r0, &r1, &wr) ||
          !axis_map(q, w, J->mode, &c0, &c1, &wc)) {
        for (int64_t ch = 0; ch < c; ch++) dst[ch] = (float)J->cval;
        continue;
      }
      double wr0 = 1.0 - wr, wc0 = 1.0 - wc;
      wr = 1.0 - wr0;
      wc = 1.0 - wc0;
      const float *a = src + (r0 * w + c0) * c, *b = src + (r0 * w + c1) * c;
      const float *d = src + (r1 * w + c0) * c, *e = src + (r1 * w + c1) * c;
      for (int64_t ch = 0; ch < c; ch++) {
        double t = 0.0;
        t += (double)a[ch] * wr0 * wc0;
        t += (double)b[ch] * wr0 * wc;
        t += (double)d[ch] * wr * wc0;
        t += (double)e[ch] * wr * wc;
        dst[ch] = (float)t;
      }
    }
  }
}

void image_affine_batch(const float *in, float *out, int64_t n, int64_t h,
                        int64_t w, int64_t c, const AffineParams *p,
                        int64_t np, AffineMode mode, double cval) {
  AffineJob J = {in, out, h, w, c, np, p, mode, cval};
  threads_for(n * h, 12.0 * (double)(n * h) * (double)(w * c), affine_rows, &J);
}
