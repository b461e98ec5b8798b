/* nn_convt.c - 2-D transposed convolution (Keras's Conv2DTranspose), NHWC.
 *
 *   x (N, H, W, C)  w (KH, KW, F, C)  b (F)  ->  y (N, OH, OW, F)
 *   y[n, iy*sh - pt + ky, ix*sw - pl + kx, f] += x[n, iy, ix, c] w[ky,kx,f,c]
 *   then y = act(y + b); taps falling outside (OH, OW) are dropped.
 *
 * It is the input-gradient of the matching Conv2D q (input (N, OH, OW,
 * F), the same kernel read as (KH, KW, F, C), output (N, H, W, C)), so
 *   forward   col = x . w^T  (rows: input pixels, K = KH*KW*F columns in
 *             the kernel's (ky, kx, f) order), y = col2im(col)
 *   backward  g  = dy * act'(y)
 *             dx = conv2d_forward(q, g, w)          (a plain Conv2D)
 *             dw = conv2d_backward(q, g, w, dy = x) (its weight gradient,
 *                  with no dx and no db: nothing computed in vain)
 *             db = column sums of g
 * With stride 1 and a shape large enough for oneDNN, the forward is a
 * plain conv too (forward_as_conv: the full correlation with the flipped
 * kernel), so every part of the layer runs on nn_conv.c's kernels.
 * Otherwise the forward is the only loop of its own: pieces are whole
 * samples (the scattered taps of one sample overlap, of two never do),
 * each sample's col is made in chunks of input rows that stay in L2.
 * Every output element is written by one piece in a fixed order, and
 * the other parts are nn_conv.c's kernels, so the results are the same
 * for any number of threads wherever nn_conv2d_forward's are (it takes
 * oneDNN only for large shapes; WORKBOOK_NO_DNNL=1 turns that off). */
#include <cblas.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

#define CHUNK_FLOATS (128 << 10)  /* col floats per chunk: 512 KB */

NnConv2D nn_convt2d_conv(const NnConvT2D *p) {
  NnConv2D q = {.n = p->n, .h = p->oh, .w = p->ow, .c = p->f, .kh = p->kh,
                .kw = p->kw, .f = p->c, .sh = p->sh, .sw = p->sw,
                .same = p->same};
  return q;
}

/* Keras's deconv_output_length along one axis */
static int64_t out_len(int64_t in, int k, int s, int same, int op) {
  if (op < 0) return same ? in * s : in * s + (k > s ? k - s : 0);
  return (in - 1) * s + k - (same ? 2 * (k / 2) : 0) + op;
}

int nn_convt2d_shape(NnConvT2D *p) {
  if (p->n < 0 || p->h < 1 || p->w < 1 || p->c < 1 || p->kh < 1 ||
      p->kw < 1 || p->f < 1 || p->sh < 1 || p->sw < 1)
    return -1;
  if (p->oph >= p->sh || p->opw >= p->sw) return -2;
  int64_t oh = out_len(p->h, p->kh, p->sh, p->same, p->oph);
  int64_t ow = out_len(p->w, p->kw, p->sw, p->same, p->opw);
  if (oh < 1 || ow < 1) return -1;
  if (oh > INT32_MAX / 4 || ow > INT32_MAX / 4 ||
      (int64_t)p->w * p->kh * p->kw * p->f > INT32_MAX / 2 ||
      (int64_t)p->kh * p->kw * p->f * p->c > INT32_MAX / 2)
    return -3;
  p->oh = (int)oh;
  p->ow = (int)ow;
  NnConv2D q = nn_convt2d_conv(p);
  int r = nn_conv2d_shape(&q);
  if (r == -2) return -3;
  if (r || q.oh != p->h || q.ow != p->w) return -2;
  p->pt = q.pt;
  p->pl = q.pl;
  return 0;
}

/* ---- forward ------------------------------------------------------------ */

typedef struct {
  const NnConvT2D *p;
  const float *x, *w, *b;
  float *y;
  int64_t rows;              /* input image rows per chunk */
  NnAct act;
  atomic_int failed;
} ConvT;

/* y (one sample) += the taps of col, input rows [iy0, iy1) */
static void col2im(const NnConvT2D *p, const float *col, int iy0, int iy1,
                   float *ys) {
  const int f = p->f, kwf = p->kw * f;
  for (int iy = iy0; iy < iy1; iy++)
    for (int ix = 0; ix < p->w; ix++) {
      int ox0 = ix * p->sw - p->pl;
      int k0 = ox0 < 0 ? -ox0 : 0;                       /* first kx kept */
      int k1 = ox0 + p->kw > p->ow ? p->ow - ox0 : p->kw;  /* past last */
      for (int ky = 0; ky < p->kh; ky++, col += kwf) {
        int oy = iy * p->sh - p->pt + ky;
        if (oy < 0 || oy >= p->oh || k1 <= k0) continue;
        float *d = ys + ((int64_t)oy * p->ow + ox0 + k0) * f;
        nn_vec_add(d, col + (int64_t)k0 * f, (int64_t)(k1 - k0) * f);
      }
    }
}

static void forward_samples(void *ctx, int64_t lo, int64_t hi, int slot) {
  ConvT *ct = ctx;
  const NnConvT2D *p = ct->p;
  const int64_t k = (int64_t)p->kh * p->kw * p->f;
  const int64_t in_hw = (int64_t)p->h * p->w, out_n = (int64_t)p->oh * p->ow * p->f;
  float *col = threads_scratch(slot, sizeof(float) * (size_t)(ct->rows * p->w * k));
  if (!col) { ct->failed = 1; return; }
  for (int64_t s = lo; s < hi; s++) {
    float *ys = ct->y + s * out_n;
    memset(ys, 0, sizeof *ys * (size_t)out_n);
    for (int64_t r0 = 0; r0 < p->h; r0 += ct->rows) {
      int64_t r1 = r0 + ct->rows < p->h ? r0 + ct->rows : p->h;
      int m = (int)((r1 - r0) * p->w);
      const float *xs = ct->x + (s * in_hw + r0 * p->w) * p->c;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, (int)k, p->c,
                  1.0f, xs, p->c, ct->w, p->c, 0.0f, col, (int)k);
      col2im(p, col, (int)r0, (int)r1, ys);
    }
    nn_vec_bias_act(ys, ct->b, (int64_t)p->oh * p->ow, p->f, ct->act);
  }
}

/* Stride 1: the transposed conv is a plain conv of x padded by k - 1 -
 * pad (the full correlation) with the kernel flipped and its channel axes
 * swapped, w'[ky, kx, c, f] = w[KH-1-ky, KW-1-kx, f, c]. nn_conv2d_forward
 * then runs it, through oneDNN when the shape is large enough for it.
 * Returns 1 when not taken (not stride 1, or the conv would not use
 * oneDNN: then the col2im path below is as fast). */
static int forward_as_conv(const NnConvT2D *p, const float *x, const float *w,
                           const float *b, float *y, NnAct act) {
  if (p->sh != 1 || p->sw != 1) return 1;
  const int top = p->kh - 1 - p->pt, left = p->kw - 1 - p->pl;
  NnConv2D q = {.n = p->n, .h = p->oh + p->kh - 1, .w = p->ow + p->kw - 1,
                .c = p->c, .kh = p->kh, .kw = p->kw, .f = p->f, .sh = 1,
                .sw = 1, .same = 0};
  if (top < 0 || left < 0 || q.h - top < p->h || q.w - left < p->w ||
      nn_conv2d_shape(&q) || q.oh != p->oh || q.ow != p->ow ||
      !nn_conv2d_dnnl_wanted(&q, act))
    return 1;
  const int64_t plane = (int64_t)q.h * q.w * q.c, nk = (int64_t)p->kh * p->kw;
  float *xp = malloc(sizeof *xp * (size_t)(p->n * plane));
  float *wf = malloc(sizeof *wf * (size_t)(nk * p->c * p->f));
  if (!xp || !wf) { free(xp); free(wf); return NN_ENOMEM; }
  memset(xp, 0, sizeof *xp * (size_t)(p->n * plane));
  const size_t rowb = sizeof *xp * (size_t)p->w * p->c;
  for (int n = 0; n < p->n; n++)
    for (int iy = 0; iy < p->h; iy++)
      memcpy(xp + n * plane + ((int64_t)(iy + top) * q.w + left) * q.c,
             x + (((int64_t)n * p->h + iy) * p->w) * p->c, rowb);
  for (int64_t t = 0; t < nk; t++) {       /* tap t of w' is tap nk-1-t of w */
    const float *src = w + (nk - 1 - t) * p->f * p->c;   /* (f, c) */
    float *dst = wf + t * p->c * p->f;                   /* (c, f) */
    for (int f = 0; f < p->f; f++)
      for (int c = 0; c < p->c; c++) dst[(int64_t)c * p->f + f] = src[(int64_t)f * p->c + c];
  }
  int rc = nn_conv2d_forward(&q, xp, wf, b, y, act);
  free(xp);
  free(wf);
  return rc;
}

int nn_convt2d_forward(const NnConvT2D *p, const float *x, const float *w,
                       const float *b, float *y, NnAct act) {
  if (p->n == 0) return NN_OK;
  int rc = forward_as_conv(p, x, w, b, y, act);
  if (rc != 1) return rc;
  const int64_t k = (int64_t)p->kh * p->kw * p->f;
  int64_t rows = CHUNK_FLOATS / (p->w * k);
  if (rows < 1) rows = 1;
  if (rows > p->h) rows = p->h;
  ConvT ct = {.p = p, .x = x, .w = w, .b = b, .y = y, .act = act,
              .rows = rows};
  double flops = 2.0 * p->n * p->h * p->w * (double)k * p->c;
  threads_for(p->n, flops, forward_samples, &ct);
  return ct.failed ? NN_ENOMEM : NN_OK;
}

/* ---- backward ----------------------------------------------------------- */

int nn_convt2d_backward(const NnConvT2D *p, const float *x, const float *w,
                        const float *y, const float *dy, float *dx,
                        float *dw, float *db, NnAct act) {
  const int64_t rows = (int64_t)p->n * p->oh * p->ow;
  NnConv2D q = nn_convt2d_conv(p);
  q.oh = p->h;
  q.ow = p->w;
  q.pt = p->pt;
  q.pl = p->pl;
  float *gbuf = NULL;
  const float *g = dy;
  if (act != NN_LINEAR && rows > 0) {
    gbuf = malloc(sizeof *gbuf * (size_t)(rows * p->f));
    if (!gbuf) return NN_ENOMEM;
    nn_act_backward(act, y, dy, gbuf, rows, p->f);
    g = gbuf;
  }
  int rc = NN_OK;
  if (dx && p->n > 0) rc = nn_conv2d_forward(&q, g, w, NULL, dx, NN_LINEAR);
  if (rc == NN_OK)
    rc = nn_conv2d_backward(&q, g, w, NULL, x, NULL, dw, NULL, NN_LINEAR);
  if (rc == NN_OK && db) {
    double *acc = calloc((size_t)p->f, sizeof *acc);
    if (!acc) rc = NN_ENOMEM;
    else {
      nn_vec_colsum(g, rows, p->f, acc);
      for (int f = 0; f < p->f; f++) db[f] = (float)acc[f];
      free(acc);
    }
  }
  free(gbuf);
  return rc;
}

/* ---- naive references ------------------------------------------------------ */

/* calls fn(ctx, x index, w index, y index) for every tap that lands */
#define FOR_TAPS(p, BODY)                                                     \
  for (int n = 0; n < (p)->n; n++)                                            \
    for (int iy = 0; iy < (p)->h; iy++)                                       \
      for (int ix = 0; ix < (p)->w; ix++)                                     \
        for (int ky = 0; ky < (p)->kh; ky++)                                  \
          for (int kx = 0; kx < (p)->kw; kx++) {                              \
            int oy = iy * (p)->sh - (p)->pt + ky;                             \
            int ox = ix * (p)->sw - (p)->pl + kx;                             \
            if (oy < 0 || oy >= (p)->oh || ox < 0 || ox >= (p)->ow) continue; \
            for (int f = 0; f < (p)->f; f++)                                  \
              for (int c = 0; c < (p)->c; c++) {                              \
                int64_t xi = (((int64_t)n * (p)->h + iy) * (p)->w + ix) *     \
                             (p)->c + c;                                      \
                int64_t wi = (((int64_t)ky * (p)->kw + kx) * (p)->f + f) *    \
                             (p)->c + c;                                      \
                int64_t yi = (((int64_t)n * (p)->oh + oy) * (p)->ow + ox) *   \
                             (p)->f + f;                                      \
                BODY;                                                         \
              }                                                               \
          }

void nn_convt2d_forward_naive(const NnConvT2D *p, const float *x,
                              const float *w, const float *b, float *y,
                              NnAct act) {
  const int64_t ny = (int64_t)p->n * p->oh * p->ow * p->f;
  double *acc = calloc((size_t)(ny > 0 ? ny : 1), sizeof *acc);
  if (!acc) return;
  FOR_TAPS(p, acc[yi] += (double)x[xi] * w[wi])
  for (int64_t i = 0; i < ny; i++)
    y[i] = (float)(acc[i] + (b ? b[i % p->f] : 0.0));
  free(acc);
  nn_act_inplace(act, y, (int64_t)p->n * p->oh * p->ow, p->f);
}

void nn_convt2d_backward_naive(const NnConvT2D *p, const float *x,
                               const float *w, const float *y,
                               const float *dy, float *dx, float *dw,
                               float *db, NnAct act) {
  const int64_t rows = (int64_t)p->n * p->oh * p->ow;
  const int64_t nx = (int64_t)p->n * p->h * p->w * p->c;
  const int64_t nw = (int64_t)p->kh * p->kw * p->f * p->c;
  double *g = calloc((size_t)(rows * p->f + 1), sizeof *g);
  double *ax = calloc((size_t)(nx + 1), sizeof *ax);
  double *aw = calloc((size_t)(nw + 1), sizeof *aw);
  if (!g || !ax || !aw) { free(g); free(ax); free(aw); return; }
  for (int64_t r = 0; r < rows; r++)
    for (int f = 0; f < p->f; f++)
      g[r * p->f + f] = nn_act_grad_naive(act, y ? y + r * p->f : NULL,
                                          dy + r * p->f, f, p->f);
  FOR_TAPS(p, { ax[xi] += g[yi] * w[wi]; aw[wi] += g[yi] * x[xi]; })
  if (dx) for (int64_t i = 0; i < nx; i++) dx[i] = (float)ax[i];
  for (int64_t i = 0; i < nw; i++) dw[i] = (float)aw[i];
  if (db)
    for (int f = 0; f < p->f; f++) {
      double s = 0;
      for (int64_t r = 0; r < rows; r++) s += g[r * p->f + f];
      db[f] = (float)s;
    }
  free(g);
  free(ax);
  free(aw);
}
