/* nn_conv.c - 2-D convolution (cross-correlation), NHWC, Keras kernels.
 *
 *   x (N, H, W, C)  w (KH, KW, C, F)  b (F)  ->  y (N, OH, OW, F)
 *   y[n,oy,ox,f] = act(b[f] + sum_{ky,kx,c} x[n, oy*sh - pt + ky,
 *                                            ox*sw - pl + kx, c] w[ky,kx,c,f])
 *   (x is zero outside the image: padding)
 *
 * Fast path, im2col + sgemm: the output rows of a chunk become the rows
 * of a matrix col (R, K = KH*KW*C) whose columns follow the kernel's
 * (ky, kx, c) order, so w is already the (K, F) right-hand matrix and
 * NHWC y is the (R, F) product, no transposes:
 *   forward   y  = col . w              then bias + act on the hot rows
 *   backward  g  = dy * act'(y)
 *             dw = sum over chunks of col^T . g
 *             dx = col2im(g . w^T)      (scatter-add back to pixels)
 * A chunk is a run of output image rows sized so col stays in L2 (about
 * 512 KB); 1x1 stride-1 kernels skip im2col (x is col). Chunks are spread
 * over the thread pool, each thread with its own col in threads_scratch.
 * The backward cuts the batch into min(N, 8) sample groups; each group
 * sums its dw/db in chunk order and the groups are added in group order,
 * so dw/db do not depend on the number of threads.
 *
 * A 3x3 stride-1 layer with one input channel (a first layer) runs the
 * direct kernel of nn_conv_direct.c (its backward when no dx is wanted).
 * Forward and backward go to oneDNN instead when it can (nn_conv_dnnl.c,
 * every shape with some work per sample); this path is the fallback
 * (WORKBOOK_NO_DNNL=1, tiny shapes) and the reference it is tested
 * against. */
#include <cblas.h>
#include <stdatomic.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

#define CHUNK_ROWS 1024          /* GEMM rows per chunk, at most */
#define CHUNK_FLOATS (128 << 10) /* col floats per chunk: 512 KB */
#define GROUPS 8                 /* sample groups in the backward */
#define PARTS_BYTES (64 << 20)   /* at most this much for dw partials */

int nn_conv2d_shape(NnConv2D *p) {
  if (p->n < 0 || p->h < 1 || p->w < 1 || p->c < 1 || p->kh < 1 ||
      p->kw < 1 || p->f < 1 || p->sh < 1 || p->sw < 1)
    return -1;
  int64_t oh, ow, pth = 0, ptw = 0;
  if (p->same) {
    oh = (p->h + p->sh - 1) / p->sh;
    ow = (p->w + p->sw - 1) / p->sw;
    pth = (oh - 1) * p->sh + p->kh - p->h;
    ptw = (ow - 1) * p->sw + p->kw - p->w;
    if (pth < 0) pth = 0;
    if (ptw < 0) ptw = 0;
  } else {
    if (p->kh > p->h || p->kw > p->w) return -1;
    oh = (p->h - p->kh) / p->sh + 1;
    ow = (p->w - p->kw) / p->sw + 1;
  }
  /* one output image row of col must be addressable by BLAS ints */
  if (ow * p->kh * p->kw * (int64_t)p->c > INT32_MAX / 2 ||
      (int64_t)p->kh * p->kw * p->c * p->f > INT32_MAX / 2)
    return -2;
  p->oh = (int)oh;
  p->ow = (int)ow;
  p->pt = (int)(pth / 2);
  p->pl = (int)(ptw / 2);
  return 0;
}

static int pointwise(const NnConv2D *p) {
  return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1;
}

/* output image rows per chunk */
static int64_t chunk_rows(const NnConv2D *p) {
  int64_t k = (int64_t)p->kh * p->kw * p->c;
  int64_t r = CHUNK_ROWS / p->ow;
  if (r * p->ow * k > CHUNK_FLOATS) r = CHUNK_FLOATS / (p->ow * k);
  return r < 1 ? 1 : r;
}

/* Few channels (kw*c small, e.g. a grayscale first layer): per-pixel
 * copies would be a few floats each, so walk each kernel tap (ky, kx)
 * along the output row instead, writing col with stride K. */
#define SMALL_KWC 16

static void im2col_row_small(const NnConv2D *p, const float *xs, int iy0,
                             float *col) {
  const int c = p->c, k = p->kh * p->kw * c;
  for (int ky = 0; ky < p->kh; ky++) {
    int iy = iy0 + ky;
    const float *row = xs + (int64_t)iy * p->w * c;
    int valid = iy >= 0 && iy < p->h;
    for (int kx = 0; kx < p->kw; kx++) {
      float *d = col + (ky * p->kw + kx) * c;
      for (int ox = 0; ox < p->ow; ox++, d += k) {
        int ix = ox * p->sw - p->pl + kx;
        if (valid && ix >= 0 && ix < p->w)
          for (int ci = 0; ci < c; ci++) d[ci] = row[(int64_t)ix * c + ci];
        else
          for (int ci = 0; ci < c; ci++) d[ci] = 0;
      }
    }
  }
}

/* Many channels: each (pixel, ky) is one run of kw*c contiguous floats */
static void im2col_row_wide(const NnConv2D *p, const float *xs, int iy0,
                            float *col) {
  const int c = p->c, kwc = p->kw * c;
  for (int ox = 0; ox < p->ow; ox++) {
    int ix0 = ox * p->sw - p->pl;
    int inside = ix0 >= 0 && ix0 + p->kw <= p->w;
    for (int ky = 0; ky < p->kh; ky++, col += kwc) {
      int iy = iy0 + ky;
      if (iy < 0 || iy >= p->h) {
        memset(col, 0, sizeof *col * (size_t)kwc);
        continue;
      }
      const float *row = xs + (int64_t)iy * p->w * c;
      if (inside) {
        memcpy(col, row + (int64_t)ix0 * c, sizeof *col * (size_t)kwc);
        continue;
      }
      for (int kx = 0; kx < p->kw; kx++) {
        int ix = ix0 + kx;
        if (ix < 0 || ix >= p->w)
          memset(col + kx * c, 0, sizeof *col * (size_t)c);
        else
          memcpy(col + kx * c, row + (int64_t)ix * c, sizeof *col * (size_t)c);
      }
    }
  }
}

/* col rows for output image rows [r0, r1) (row r = n * OH + oy) */
static void im2col(const NnConv2D *p, const float *x, int64_t r0,
                   int64_t r1, float *col) {
  const int64_t hwc = (int64_t)p->h * p->w * p->c;
  const int64_t rowlen = (int64_t)p->ow * p->kh * p->kw * p->c;
  int small = p->kw * p->c <= SMALL_KWC;
  for (int64_t r = r0; r < r1; r++, col += rowlen) {
    const float *xs = x + (r / p->oh) * hwc;
    int iy0 = (int)(r % p->oh) * p->sh - p->pt;
    if (small) im2col_row_small(p, xs, iy0, col);
    else im2col_row_wide(p, xs, iy0, col);
  }
}

static void col2im_row_small(const NnConv2D *p, const float *col, int iy0,
                             float *xs) {
  const int c = p->c, k = p->kh * p->kw * c;
  for (int ky = 0; ky < p->kh; ky++) {
    int iy = iy0 + ky;
    if (iy < 0 || iy >= p->h) continue;
    float *row = xs + (int64_t)iy * p->w * c;
    for (int kx = 0; kx < p->kw; kx++) {
      const float *s = col + (ky * p->kw + kx) * c;
      for (int ox = 0; ox < p->ow; ox++, s += k) {
        int ix = ox * p->sw - p->pl + kx;
        if (ix >= 0 && ix < p->w)
          for (int ci = 0; ci < c; ci++) row[(int64_t)ix * c + ci] += s[ci];
      }
    }
  }
}

static void col2im_row_wide(const NnConv2D *p, const float *col, int iy0,
                            float *xs) {
  const int c = p->c, kwc = p->kw * c;
  for (int ox = 0; ox < p->ow; ox++) {
    int ix0 = ox * p->sw - p->pl;
    int inside = ix0 >= 0 && ix0 + p->kw <= p->w;
    for (int ky = 0; ky < p->kh; ky++, col += kwc) {
      int iy = iy0 + ky;
      if (iy < 0 || iy >= p->h) continue;
      float *row = xs + (int64_t)iy * p->w * c;
      if (inside) {
        nn_vec_add(row + (int64_t)ix0 * c, col, kwc);
        continue;
      }
      for (int kx = 0; kx < p->kw; kx++) {
        int ix = ix0 + kx;
        if (ix >= 0 && ix < p->w)
          nn_vec_add(row + (int64_t)ix * c, col + kx * c, c);
      }
    }
  }
}

/* dx += col2im(col) for output image rows [r0, r1) */
static void col2im(const NnConv2D *p, const float *col, int64_t r0,
                   int64_t r1, float *dx) {
  const int64_t hwc = (int64_t)p->h * p->w * p->c;
  const int64_t rowlen = (int64_t)p->ow * p->kh * p->kw * p->c;
  int small = p->kw * p->c <= SMALL_KWC;
  for (int64_t r = r0; r < r1; r++, col += rowlen) {
    float *xs = dx + (r / p->oh) * hwc;
    int iy0 = (int)(r % p->oh) * p->sh - p->pt;
    if (small) col2im_row_small(p, col, iy0, xs);
    else col2im_row_wide(p, col, iy0, xs);
  }
}

typedef struct {
  const NnConv2D *p;
  const float *x, *w, *b, *y, *dy;
  float *yout, *dx, *dw;
  float *dwpart;            /* groups 1.. of dw (group 0 writes dw) */
  double *dbpart;           /* groups x F */
  int64_t rows;             /* output image rows per chunk */
  int64_t k;                /* KH * KW * C */
  int groups;
  NnAct act;
  atomic_int failed;
} Conv;

/* ---- forward ------------------------------------------------------------ */

static void forward_chunks(void *ctx, int64_t lo, int64_t hi, int slot) {
  Conv *cv = ctx;
  const NnConv2D *p = cv->p;
  const int64_t k = cv->k, nrows = (int64_t)p->n * p->oh;
  float *col = NULL;
  if (!pointwise(p)) {
    col = threads_scratch(slot, sizeof(float) * (size_t)(cv->rows * p->ow * k));
    if (!col) { cv->failed = 1; return; }
  }
  for (int64_t ch = lo; ch < hi; ch++) {
    int64_t r0 = ch * cv->rows;
    int64_t r1 = r0 + cv->rows < nrows ? r0 + cv->rows : nrows;
    int m = (int)((r1 - r0) * p->ow);
    const float *a = cv->x + r0 * p->ow * k;    /* pointwise: x is col */
    if (col) { im2col(p, cv->x, r0, r1, col); a = col; }
    float *y = cv->yout + r0 * p->ow * p->f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, p->f, (int)k,
                1.0f, a, (int)k, cv->w, p->f, 0.0f, y, p->f);
    nn_vec_bias_act(y, cv->b, m, p->f, cv->act);
  }
}

int nn_conv2d_forward(const NnConv2D *p, const float *x, const float *w,
                      const float *b, float *y, NnAct act) {
  if (p->n == 0) return NN_OK;
  if (nn_conv2d_direct_wanted(p, act))     /* one input channel, 3x3 */
    return nn_conv2d_forward_direct(p, x, w, b, y, act);
  if (nn_conv2d_dnnl_wanted(p, act)) {
    int rc = nn_conv2d_forward_dnnl(p, x, w, b, y, act);
    if (rc == NN_OK) return rc;      /* else not handled: im2col below */
  }
  Conv cv = {.p = p, .x = x, .w = w, .b = b, .yout = y, .act = act,
             .k = (int64_t)p->kh * p->kw * p->c, .rows = chunk_rows(p)};
  int64_t nrows = (int64_t)p->n * p->oh;
  double flops = 2.0 * nrows * p->ow * cv.k * p->f;
  threads_for((nrows + cv.rows - 1) / cv.rows, flops, forward_chunks, &cv);
  return cv.failed ? NN_ENOMEM : NN_OK;
}

int nn_conv2d_infer_winograd(const NnConv2D *p, NnAct act, int bias) {
  return p->n > 0 && !nn_conv2d_direct_wanted(p, act) &&
         nn_conv2d_dnnl_wanted(p, act) && nn_conv2d_dnnl_winograd(p, act, bias);
}

int nn_conv2d_maxpool_infer(const NnConv2D *p, const NnPool2D *q,
                            const float *x, const float *w, const float *b,
                            float *y, NnAct act) {
  if (act != NN_LINEAR && act != NN_RELU) return 1;
  if (p->n == 0) return NN_OK;
  if (nn_conv2d_direct_wanted(p, act))
    return nn_conv2d_maxpool_direct(p, q, x, w, b, y, act);
  if (nn_conv2d_dnnl_wanted(p, act) &&
      nn_conv2d_maxpool_dnnl(p, q, x, w, b, y, act) == NN_OK)
    return NN_OK;
  return 1;
}

int nn_conv2d_infer(const NnConv2D *p, const float *x, const float *w,
                    const float *b, float *y, NnAct act) {
  if (p->n > 0 && !nn_conv2d_direct_wanted(p, act) &&
      nn_conv2d_dnnl_wanted(p, act) &&
      nn_conv2d_infer_dnnl(p, x, w, b, y, act) == NN_OK)
    return NN_OK;
  return nn_conv2d_forward(p, x, w, b, y, act);
}

/* ---- backward ----------------------------------------------------------- */

/* One chunk of a group: dw (+)= col^T g, db += sums of g, dx += col2im */
static void backward_chunk(Conv *cv, int64_t r0, int64_t r1, float *col,
                           float *gbuf, float *dwg, double *dbg, int first) {
  const NnConv2D *p = cv->p;
  const int64_t k = cv->k, f = p->f;
  int m = (int)((r1 - r0) * p->ow);
  int64_t off = r0 * p->ow * f;
  const float *g = cv->dy + off;
  if (cv->act != NN_LINEAR) {
    nn_act_backward(cv->act, cv->y + off, cv->dy + off, gbuf, m, f);
    g = gbuf;
  }
  const float *a = cv->x + r0 * p->ow * k;
  if (col) { im2col(p, cv->x, r0, r1, col); a = col; }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)f, m,
              1.0f, a, (int)k, g, (int)f, first ? 0.0f : 1.0f, dwg, (int)f);
  nn_vec_colsum(g, m, (int)f, dbg);
  if (!cv->dx) return;
  if (!col) {        /* pointwise: dx rows are the product itself */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, (int)k, (int)f,
                1.0f, g, (int)f, cv->w, (int)f, 0.0f,
                cv->dx + r0 * p->ow * k, (int)k);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, (int)k, (int)f,
              1.0f, g, (int)f, cv->w, (int)f, 0.0f, col, (int)k);
  col2im(p, col, r0, r1, cv->dx);
}

static void backward_groups(void *ctx, int64_t lo, int64_t hi, int slot) {
  Conv *cv = ctx;
  const NnConv2D *p = cv->p;
  const int64_t k = cv->k, f = p->f, rows = cv->rows * p->ow;
  size_t ncol = pointwise(p) ? 0 : (size_t)(rows * k);
  size_t ng = cv->act != NN_LINEAR ? (size_t)(rows * f) : 0;
  float *col = threads_scratch(slot, sizeof(float) * (ncol + ng + 16));
  if (!col) { cv->failed = 1; return; }
  float *gbuf = col + ((ncol + 15) / 16 * 16);
  if (!ncol) col = NULL;
  for (int64_t gi = lo; gi < hi; gi++) {
    int64_t s0 = p->n * gi / cv->groups, s1 = p->n * (gi + 1) / cv->groups;
    float *dwg = gi ? cv->dwpart + (gi - 1) * k * f : cv->dw;
    double *dbg = cv->dbpart + gi * f;
    memset(dbg, 0, sizeof *dbg * (size_t)f);
    if (cv->dx && col)
      memset(cv->dx + s0 * p->h * p->w * p->c, 0,
             sizeof(float) * (size_t)((s1 - s0) * p->h * p->w * p->c));
    int first = 1;
    for (int64_t r0 = s0 * p->oh; r0 < s1 * p->oh; r0 += cv->rows) {
      int64_t r1 = r0 + cv->rows < s1 * p->oh ? r0 + cv->rows : s1 * p->oh;
      backward_chunk(cv, r0, r1, col, gbuf, dwg, dbg, first);
      first = 0;
    }
  }
}

int nn_conv2d_backward(const NnConv2D *p, const float *x, const float *w,
                       const float *y, const float *dy, float *dx,
                       float *dw, float *db, NnAct act) {
  const int64_t k = (int64_t)p->kh * p->kw * p->c, f = p->f;
  if (p->n == 0) {
    memset(dw, 0, sizeof *dw * (size_t)(k * f));
    if (db) memset(db, 0, sizeof *db * (size_t)f);
    return NN_OK;
  }
  if (!dx && nn_conv2d_direct_wanted(p, act))
    return nn_conv2d_backward_direct(p, x, y, dy, dw, db, act);
  if (nn_conv2d_dnnl_backward_wanted(p, act) &&
      nn_conv2d_backward_dnnl(p, x, w, y, dy, dx, dw, db, act) == NN_OK)
    return NN_OK;                    /* else not handled: im2col below */
  /* fewer groups for huge kernels, so the partial dw stay bounded; the
   * count still depends on the shapes only */
  int groups = p->n < GROUPS ? p->n : GROUPS;
  while (groups > 1 && (groups - 1) * k * f * 4 > PARTS_BYTES) groups--;
  size_t nparts = (size_t)((groups - 1) * k * f);
  size_t bytes = sizeof(double) * (size_t)(groups * f) + sizeof(float) * nparts;
  double *dbpart = threads_scratch(THREADS_SHARED, bytes);
  if (!dbpart) return NN_ENOMEM;
  Conv cv = {.p = p, .x = x, .w = w, .y = y, .dy = dy, .dx = dx, .dw = dw,
             .act = act, .k = k, .rows = chunk_rows(p), .groups = groups,
             .dbpart = dbpart, .dwpart = (float *)(dbpart + groups * f)};
  double flops = 2.0 * p->n * p->oh * p->ow * k * f * (dx ? 2 : 1);
  threads_for(groups, flops, backward_groups, &cv);
  if (cv.failed) return NN_ENOMEM;
  for (int gi = 1; gi < groups; gi++) {
    const float *part = cv.dwpart + (gi - 1) * k * f;
    nn_vec_add(dw, part, k * f);
  }
  if (db)
    for (int64_t j = 0; j < f; j++) {
      double s = 0;
      for (int gi = 0; gi < groups; gi++) s += dbpart[gi * f + j];
      db[j] = (float)s;
    }
  return NN_OK;
}

/* ---- naive reference ---------------------------------------------------- */

static double naive_pre(const NnConv2D *p, const float *x, const float *w,
                        const float *b, int n, int oy, int ox, int f) {
  double s = b ? b[f] : 0;
  for (int ky = 0; ky < p->kh; ky++)
    for (int kx = 0; kx < p->kw; kx++) {
      int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
      if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
      for (int c = 0; c < p->c; c++)
        s += (double)x[(((int64_t)n * p->h + iy) * p->w + ix) * p->c + c] *
             w[(((int64_t)ky * p->kw + kx) * p->c + c) * p->f + f];
    }
  return s;
}

void nn_conv2d_forward_naive(const NnConv2D *p, const float *x,
                             const float *w, const float *b, float *y,
                             NnAct act) {
  int64_t i = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int f = 0; f < p->f; f++)
          y[i++] = (float)naive_pre(p, x, w, b, n, oy, ox, f);
  nn_act_forward(act, y, y, (int64_t)p->n * p->oh * p->ow, p->f);
}

/* g at output position o (flat pixel index), channel f */
static double naive_g(const NnConv2D *p, const float *y, const float *dy,
                      NnAct act, int64_t o, int f) {
  return nn_act_grad_naive(act, y ? y + o * p->f : NULL, dy + o * p->f, f,
                           p->f);
}

void nn_conv2d_backward_naive(const NnConv2D *p, const float *x,
                              const float *w, const float *y,
                              const float *dy, float *dx, float *dw,
                              float *db, NnAct act) {
  const int64_t opix = (int64_t)p->oh * p->ow;
  for (int ky = 0; ky < p->kh; ky++)
    for (int kx = 0; kx < p->kw; kx++)
      for (int c = 0; c < p->c; c++)
        for (int f = 0; f < p->f; f++) {
          double s = 0;
          for (int n = 0; n < p->n; n++)
            for (int oy = 0; oy < p->oh; oy++)
              for (int ox = 0; ox < p->ow; ox++) {
                int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
                if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
                s += x[(((int64_t)n * p->h + iy) * p->w + ix) * p->c + c] *
                     naive_g(p, y, dy, act, n * opix + oy * p->ow + ox, f);
              }
          dw[(((int64_t)ky * p->kw + kx) * p->c + c) * p->f + f] = (float)s;
        }
  for (int f = 0; db && f < p->f; f++) {
    double s = 0;
    for (int64_t o = 0; o < p->n * opix; o++) s += naive_g(p, y, dy, act, o, f);
    db[f] = (float)s;
  }
  if (!dx) return;
  /* gather form: every output that saw pixel (iy, ix) through (ky, kx) */
  for (int n = 0; n < p->n; n++)
    for (int iy = 0; iy < p->h; iy++)
      for (int ix = 0; ix < p->w; ix++)
        for (int c = 0; c < p->c; c++) {
          double s = 0;
          for (int ky = 0; ky < p->kh; ky++)
            for (int kx = 0; kx < p->kw; kx++) {
              int ty = iy + p->pt - ky, tx = ix + p->pl - kx;
              if (ty < 0 || tx < 0 || ty % p->sh || tx % p->sw) continue;
              int oy = ty / p->sh, ox = tx / p->sw;
              if (oy >= p->oh || ox >= p->ow) continue;
              for (int f = 0; f < p->f; f++)
                s += naive_g(p, y, dy, act, n * opix + oy * p->ow + ox, f) *
                     w[(((int64_t)ky * p->kw + kx) * p->c + c) * p->f + f];
            }
          dx[(((int64_t)n * p->h + iy) * p->w + ix) * p->c + c] = (float)s;
        }
}
