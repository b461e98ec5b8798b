/* nn_pool.c - 2-D max and average pooling, NHWC, and global average
 * pooling.
 *
 *   x (N, H, W, C) -> y (N, OH, OW, C), window (PH, PW), strides (SH, SW)
 *   OH/OW and the padding follow TensorFlow's rule (as for conv); max
 *   pooling pads with -infinity, average pooling divides by the number
 *   of cells of the window inside the input.
 *   maxpool also writes arg (N, OH, OW, C): the winner's offset inside
 *   its sample, (iy * W + ix) * C + c; the backward scatters dy there.
 *   With arg = NULL only the maxima are written, and the backward from x
 *   (what the layers run) finds each window's first maximum again: no
 *   offsets go through memory, and when the windows tile the input each
 *   dx cell is written once (dy or 0) with no zeroing pass first.
 *   global: x (N, HW, C) -> y (N, C) mean over HW.
 *
 * The fast paths walk a window with the C channels innermost, so every
 * inner loop is a contiguous, vectorizable run over channels, and split
 * the batch over the thread pool (each sample's output is independent,
 * so the split cannot change a result). The naive twins loop one output
 * element at a time. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

int nn_pool2d_shape(NnPool2D *p) {
  NnConv2D q = {.n = p->n, .h = p->h, .w = p->w, .c = p->c, .kh = p->ph,
                .kw = p->pw, .f = 1, .sh = p->sh, .sw = p->sw,
                .same = p->same};
  int r = nn_conv2d_shape(&q);
  if (r) return r;
  p->oh = q.oh;
  p->ow = q.ow;
  p->pt = q.pt;
  p->pl = q.pl;
  return 0;
}

/* the window of output (oy, ox) clipped to the input */
static void window(const NnPool2D *p, int oy, int ox, int *y0, int *y1,
                   int *x0, int *x1) {
  *y0 = oy * p->sh - p->pt;
  *x0 = ox * p->sw - p->pl;
  *y1 = *y0 + p->ph < p->h ? *y0 + p->ph : p->h;
  *x1 = *x0 + p->pw < p->w ? *x0 + p->pw : p->w;
  if (*y0 < 0) *y0 = 0;
  if (*x0 < 0) *x0 = 0;
}

/* GCC's -O2 vectorizes only loops whose trip count it can see; the
 * channel loops here have a run-time count, so the fast kernels turn on
 * the normal cost model and get AVX-512 and AVX2 clones picked at load
 * time. Every clone computes the same bits: the maxima are compares, and
 * the sums keep their order (vectorization is across channels). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define POOL_HOT __attribute__((optimize("vect-cost-model=dynamic",      \
                                         "no-math-errno"),               \
                                target_clones("avx512f", "avx2", "default")))
#else
#define POOL_HOT
#endif

#define CHUNK 64   /* channels handled at a time by a generic window */
#define BLOCK 16   /* channels of a full 2x2 window at a time */

typedef struct {
  const NnPool2D *p;
  const float *x, *dy;
  float *y, *dx;
  int32_t *arg;
  const int32_t *carg;
  int avg;                       /* fwd: averages instead of maxima */
} Pool;

static int64_t in_size(const NnPool2D *p) {
  return (int64_t)p->h * p->w * p->c;
}
static int64_t out_size(const NnPool2D *p) {
  return (int64_t)p->oh * p->ow * p->c;
}

/* The windows tile the input: every cell lies in at most one window
 * (stride = pool size), so a backward can write dx instead of adding. */
static int tiles(const NnPool2D *p) { return p->sh == p->ph && p->sw == p->pw; }

/* ... and every cell lies in exactly one: nothing of dx is left to zero */
static int covers(const NnPool2D *p) {
  return tiles(p) && p->oh * p->sh - p->pt >= p->h &&
         p->ow * p->sw - p->pl >= p->w;
}

static void max_fwd_arg(void *ctx, int64_t lo, int64_t hi, int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  const int c = p->c;
  for (int64_t n = lo; n < hi; n++) {
    const float *xs = q->x + n * in_size(p);
    float *y = q->y + n * out_size(p);
    int32_t *arg = q->arg + n * out_size(p);
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++, y += c, arg += c) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            int32_t base = (int32_t)(((int64_t)iy * p->w + ix) * c);
            if (iy == y0 && ix == x0)
              nn_vec_max_init(y, arg, xs + base, base, c);
            else
              nn_vec_max_update(y, arg, xs + base, base, c);
          }
      }
  }
}

/* one full 2x2 window's maxima over c channels (inlined; called with
 * c = BLOCK, a constant, the loop becomes a few whole vectors) */
static inline __attribute__((always_inline)) void max2x2_fwd(
    const float *restrict a, const float *restrict b,
    const float *restrict d, const float *restrict e, float *restrict y,
    int c) {
  for (int k = 0; k < c; k++) {
    float m = a[k];
    m = b[k] > m ? b[k] : m;
    m = d[k] > m ? d[k] : m;
    y[k] = e[k] > m ? e[k] : m;
  }
}

/* The forwards without offsets: maxima (strictly greater wins, as
 * everywhere: a NaN in the first cell stays, a later NaN never wins;
 * a full 2x2 window takes its four cells in one pass) or averages (the
 * cells summed in window order, times 1 / cells inside). */
POOL_HOT static void fwd(void *ctx, int64_t lo, int64_t hi, int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  const int c = p->c, avg = q->avg;
  const int64_t row = (int64_t)p->w * c;
  for (int64_t n = lo; n < hi; n++) {
    const float *xs = q->x + n * in_size(p);
    float *restrict y = q->y + n * out_size(p);
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++, y += c) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        const float *v = xs + (y0 * p->w + x0) * (int64_t)c;
        if (!avg && y1 - y0 == 2 && x1 - x0 == 2) {
          int k = 0;
          for (; k + BLOCK <= c; k += BLOCK)
            max2x2_fwd(v + k, v + c + k, v + row + k, v + row + c + k, y + k,
                       BLOCK);
          max2x2_fwd(v + k, v + c + k, v + row + k, v + row + c + k, y + k,
                     c - k);
          continue;
        }
        if (avg)
          for (int k = 0; k < c; k++) y[k] = 0.0f + v[k];
        else
          for (int k = 0; k < c; k++) y[k] = v[k];
        for (int iy = y0; iy < y1; iy++)
          for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
            const float *u = xs + (iy * p->w + ix) * (int64_t)c;
            if (avg)
              for (int k = 0; k < c; k++) y[k] += u[k];
            else
              for (int k = 0; k < c; k++) y[k] = u[k] > y[k] ? u[k] : y[k];
          }
        if (avg) {
          float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
          for (int k = 0; k < c; k++) y[k] *= inv;
        }
      }
  }
}

void nn_maxpool2d_forward_one(const NnPool2D *p, const float *x, float *y) {
  Pool q = {.p = p, .x = x, .y = y};
  fwd(&q, 0, 1, 0);
}

void nn_maxpool2d_forward(const NnPool2D *p, const float *x, float *y,
                          int32_t *arg) {
  Pool q = {.p = p, .x = x, .y = y, .arg = arg};
  threads_for(p->n, (double)p->n * out_size(p) * p->ph * p->pw,
              arg ? max_fwd_arg : fwd, &q);
}

static void max_bwd(void *ctx, int64_t lo, int64_t hi, int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  for (int64_t n = lo; n < hi; n++) {
    float *dx = q->dx + n * in_size(p);
    const float *dy = q->dy + n * out_size(p);
    const int32_t *arg = q->carg + n * out_size(p);
    memset(dx, 0, sizeof *dx * (size_t)in_size(p));
    for (int64_t i = 0; i < out_size(p); i++) dx[arg[i]] += dy[i];
  }
}

void nn_maxpool2d_backward(const NnPool2D *p, const float *dy,
                           const int32_t *arg, float *dx) {
  Pool q = {.p = p, .dy = dy, .dx = dx, .carg = arg};
  threads_for(p->n, (double)p->n * (in_size(p) + out_size(p)), max_bwd, &q);
}

/* one full 2x2 window of max_bwd_x, written: each cell gets dy when it
 * is the window's first maximum, else 0 (restrict lets GCC vectorize
 * without alias checks; inlined into each clone) */
static inline __attribute__((always_inline)) void max2x2_bwd(
    const float *restrict a, const float *restrict b,
    const float *restrict d, const float *restrict e,
    const float *restrict g, float *restrict da, float *restrict db,
    float *restrict dd, float *restrict de, int c) {
  for (int k = 0; k < c; k++) {
    /* running maxima in window order; a later cell wins only when
     * strictly greater, and clears the earlier winners */
    float gk = g[k];
    float m1 = b[k] > a[k] ? b[k] : a[k];
    float m2 = d[k] > m1 ? d[k] : m1;
    float ga = b[k] > a[k] ? 0.0f : gk, gb = b[k] > a[k] ? gk : 0.0f;
    float gd = d[k] > m1 ? gk : 0.0f;
    ga = d[k] > m1 ? 0.0f : ga;
    gb = d[k] > m1 ? 0.0f : gb;
    da[k] = e[k] > m2 ? 0.0f : ga;
    db[k] = e[k] > m2 ? 0.0f : gb;
    dd[k] = e[k] > m2 ? 0.0f : gd;
    de[k] = e[k] > m2 ? gk : 0.0f;
  }
}

/* Backward with the winners found again from x, in the forward's order
 * (the first maximum of a window wins). When the windows tile the input
 * each cell of a window is written once, dy or 0; otherwise dx starts at
 * zero and each window adds its dy to its winner, in output order. */
POOL_HOT static void max_bwd_x(void *ctx, int64_t lo, int64_t hi,
                               int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  const int c = p->c, write = tiles(p);
  const int64_t row = (int64_t)p->w * c;
  for (int64_t n = lo; n < hi; n++) {
    const float *xs = q->x + n * in_size(p);
    float *dxs = q->dx + n * in_size(p);
    const float *g = q->dy + n * out_size(p);
    if (!covers(p)) memset(dxs, 0, sizeof *dxs * (size_t)in_size(p));
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++, g += c) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        const int64_t at = (y0 * p->w + x0) * (int64_t)c;
        if (write && y1 - y0 == 2 && x1 - x0 == 2) {
          const float *a = xs + at, *b = a + c, *d = a + row, *e = d + c;
          float *da = dxs + at, *db = da + c, *dd = da + row, *de = dd + c;
          int k = 0;
          for (; k + BLOCK <= c; k += BLOCK)
            max2x2_bwd(a + k, b + k, d + k, e + k, g + k, da + k, db + k,
                       dd + k, de + k, BLOCK);
          max2x2_bwd(a + k, b + k, d + k, e + k, g + k, da + k, db + k,
                     dd + k, de + k, c - k);
          continue;
        }
        for (int k0 = 0; k0 < c; k0 += CHUNK) {
          const int kn = c - k0 < CHUNK ? c - k0 : CHUNK;
          float m[CHUNK];
          int32_t win[CHUNK];
          int j = 0;
          for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++, j++) {
              const float *u = xs + (iy * p->w + ix) * (int64_t)c + k0;
              if (j == 0)
                for (int k = 0; k < kn; k++) { m[k] = u[k]; win[k] = 0; }
              else
                for (int k = 0; k < kn; k++) {
                  win[k] = u[k] > m[k] ? j : win[k];
                  m[k] = u[k] > m[k] ? u[k] : m[k];
                }
            }
          j = 0;
          for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++, j++) {
              float *d = dxs + (iy * p->w + ix) * (int64_t)c + k0;
              const float *gk = g + k0;
              if (write)
                for (int k = 0; k < kn; k++) d[k] = win[k] == j ? gk[k] : 0.0f;
              else
                for (int k = 0; k < kn; k++) d[k] += win[k] == j ? gk[k] : 0.0f;
            }
        }
      }
  }
}

void nn_maxpool2d_backward_x(const NnPool2D *p, const float *x,
                             const float *dy, float *dx) {
  Pool q = {.p = p, .x = x, .dy = dy, .dx = dx};
  threads_for(p->n, (double)p->n * (in_size(p) + out_size(p)) * 2,
              max_bwd_x, &q);
}

void nn_avgpool2d_forward(const NnPool2D *p, const float *x, float *y) {
  Pool q = {.p = p, .x = x, .y = y, .avg = 1};
  threads_for(p->n, (double)p->n * out_size(p) * p->ph * p->pw, fwd, &q);
}

/* as max_bwd_x: tiling windows write their share, others add it */
POOL_HOT static void avg_bwd(void *ctx, int64_t lo, int64_t hi, int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  const int c = p->c, write = tiles(p);
  for (int64_t n = lo; n < hi; n++) {
    float *dx = q->dx + n * in_size(p);
    const float *dy = q->dy + n * out_size(p);
    if (!covers(p)) memset(dx, 0, sizeof *dx * (size_t)in_size(p));
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++, dy += c) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            float *restrict d = dx + ((int64_t)iy * p->w + ix) * c;
            if (write)
              for (int k = 0; k < c; k++) d[k] = dy[k] * inv;
            else
              for (int k = 0; k < c; k++) d[k] += dy[k] * inv;
          }
      }
  }
}

void nn_avgpool2d_backward(const NnPool2D *p, const float *dy, float *dx) {
  Pool q = {.p = p, .dy = dy, .dx = dx};
  threads_for(p->n, (double)p->n * in_size(p) * p->ph * p->pw, avg_bwd, &q);
}

void nn_global_avgpool2d_forward(const float *x, float *y, int n,
                                 int64_t hw, int c) {
  for (int i = 0; i < n; i++)
    for (int k = 0; k < c; k++) {
      double s = 0;
      for (int64_t j = 0; j < hw; j++) s += x[((int64_t)i * hw + j) * c + k];
      y[(int64_t)i * c + k] = hw ? (float)(s / (double)hw) : 0.0f;
    }
}

void nn_global_avgpool2d_backward(const float *dy, float *dx, int n,
                                  int64_t hw, int c) {
  float inv = hw ? 1.0f / (float)hw : 0.0f;
  for (int i = 0; i < n; i++)
    for (int64_t j = 0; j < hw; j++)
      for (int k = 0; k < c; k++)
        dx[((int64_t)i * hw + j) * c + k] = dy[(int64_t)i * c + k] * inv;
}

/* ---- naive references --------------------------------------------------- */

void nn_maxpool2d_forward_naive(const NnPool2D *p, const float *x,
                                float *y, int32_t *arg) {
  int64_t o = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int k = 0; k < p->c; k++, o++) {
          float best = -INFINITY;
          int32_t at = -1;
          for (int ky = 0; ky < p->ph; ky++)
            for (int kx = 0; kx < p->pw; kx++) {
              int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              int32_t off = (int32_t)(((int64_t)iy * p->w + ix) * p->c + k);
              float v = x[n * in_size(p) + off];
              if (at < 0 || v > best) { best = v; at = off; }
            }
          y[o] = best;
          arg[o] = at;
        }
}

/* The naive backward re-finds each window's first maximum from x. */
void nn_maxpool2d_backward_naive(const NnPool2D *p, const float *x,
                                 const float *dy, float *dx) {
  memset(dx, 0, sizeof *dx * (size_t)(p->n * in_size(p)));
  int64_t o = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int k = 0; k < p->c; k++, o++) {
          float best = -INFINITY;
          int64_t at = -1;
          for (int ky = 0; ky < p->ph; ky++)
            for (int kx = 0; kx < p->pw; kx++) {
              int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              int64_t i = n * in_size(p) + ((int64_t)iy * p->w + ix) * p->c + k;
              if (at < 0 || x[i] > best) { best = x[i]; at = i; }
            }
          dx[at] += dy[o];
        }
}

static int inside_count(const NnPool2D *p, int oy, int ox) {
  int cnt = 0;
  for (int ky = 0; ky < p->ph; ky++)
    for (int kx = 0; kx < p->pw; kx++) {
      int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
      cnt += iy >= 0 && iy < p->h && ix >= 0 && ix < p->w;
    }
  return cnt;
}

void nn_avgpool2d_forward_naive(const NnPool2D *p, const float *x,
                                float *y) {
  int64_t o = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int k = 0; k < p->c; k++, o++) {
          double s = 0;
          for (int ky = 0; ky < p->ph; ky++)
            for (int kx = 0; kx < p->pw; kx++) {
              int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              s += x[n * in_size(p) + ((int64_t)iy * p->w + ix) * p->c + k];
            }
          y[o] = (float)(s / inside_count(p, oy, ox));
        }
}

void nn_avgpool2d_backward_naive(const NnPool2D *p, const float *dy,
                                 float *dx) {
  memset(dx, 0, sizeof *dx * (size_t)(p->n * in_size(p)));
  int64_t o = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int k = 0; k < p->c; k++, o++) {
          double share = (double)dy[o] / inside_count(p, oy, ox);
          for (int ky = 0; ky < p->ph; ky++)
            for (int kx = 0; kx < p->pw; kx++) {
              int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              dx[n * in_size(p) + ((int64_t)iy * p->w + ix) * p->c + k] +=
                  (float)share;
            }
        }
}
