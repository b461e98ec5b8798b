/* nn_pool.c - 2-D max and average pooling, NHWC, and global average
 * pooling.
 *
 *   x (N, H, W, C) -> y (N, OH, OW, C), window (PH, PW), strides (SH, SW)
 *   OH/OW and the padding follow TensorFlow's rule (as for conv); max
 *   pooling pads with -infinity, average pooling divides by the number
 *   of cells of the window inside the input.
 *   maxpool also writes arg (N, OH, OW, C): the winner's offset inside
 *   its sample, (iy * W + ix) * C + c; the backward scatters dy there.
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

typedef struct {
  const NnPool2D *p;
  const float *x, *dy;
  float *y, *dx;
  int32_t *arg;
  const int32_t *carg;
} Pool;

static int64_t in_size(const NnPool2D *p) {
  return (int64_t)p->h * p->w * p->c;
}
static int64_t out_size(const NnPool2D *p) {
  return (int64_t)p->oh * p->ow * p->c;
}

static void max_fwd(void *ctx, int64_t lo, int64_t hi, int slot) {
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

void nn_maxpool2d_forward(const NnPool2D *p, const float *x, float *y,
                          int32_t *arg) {
  Pool q = {.p = p, .x = x, .y = y, .arg = arg};
  threads_for(p->n, (double)p->n * out_size(p) * p->ph * p->pw, max_fwd, &q);
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

static void avg_fwd(void *ctx, int64_t lo, int64_t hi, int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  const int c = p->c;
  for (int64_t n = lo; n < hi; n++) {
    const float *xs = q->x + n * in_size(p);
    float *y = q->y + n * out_size(p);
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++, y += c) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        memset(y, 0, sizeof *y * (size_t)c);
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            const float *v = xs + ((int64_t)iy * p->w + ix) * c;
            for (int k = 0; k < c; k++) y[k] += v[k];
          }
        float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
        for (int k = 0; k < c; k++) y[k] *= inv;
      }
  }
}

void nn_avgpool2d_forward(const NnPool2D *p, const float *x, float *y) {
  Pool q = {.p = p, .x = x, .y = y};
  threads_for(p->n, (double)p->n * out_size(p) * p->ph * p->pw, avg_fwd, &q);
}

static void avg_bwd(void *ctx, int64_t lo, int64_t hi, int slot) {
  Pool *q = ctx;
  const NnPool2D *p = q->p;
  const int c = p->c;
  for (int64_t n = lo; n < hi; n++) {
    float *dx = q->dx + n * in_size(p);
    const float *dy = q->dy + n * out_size(p);
    memset(dx, 0, sizeof *dx * (size_t)in_size(p));
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++, dy += c) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            float *d = dx + ((int64_t)iy * p->w + ix) * c;
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
