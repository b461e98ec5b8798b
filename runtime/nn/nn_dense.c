/* nn_dense.c - the fully connected layer, forward and backward.
 *
 *   forward   y (N, OUT) = act(x (N, IN) . w (IN, OUT) + b (OUT))
 *   backward  g = dy * act'(y)              (N, OUT)
 *             dx (N, IN)   = g . w^T
 *             dw (IN, OUT) = x^T . g        (overwritten)
 *             db (OUT)     = sum over N of g (overwritten)
 *
 * Fast path: cblas_sgemm on fixed pieces spread over the thread pool.
 * Rows of x/y/dx are cut into pieces of 16 to 256 rows (about 8 pieces
 * for a training batch); dw is cut along IN into 8 blocks, each a full
 * sum over N, so no partial sums need adding up and the result is the
 * same for any number of threads.
 *
 * All but the tiniest products (nn_dense_dnnl_wanted) go to oneDNN's
 * matmul instead (nn_dense_dnnl.c, up to twice as fast); this path stays
 * for those and when oneDNN is off (WORKBOOK_NO_DNNL=1). */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

#define DW_BLOCKS 8

typedef struct {
  const float *x, *w, *b, *y, *dy;
  float *yout, *dx, *dw;
  const float *g;           /* dy * act'(y), or dy itself when linear */
  float *gbuf;              /* where g is computed when act != linear */
  int n, in, out, rows;     /* rows: rows per piece */
  int blocks;               /* dw blocks along IN */
  NnAct act;
} Dense;

static int piece_rows(int n) {
  int r = (n + 7) / 8;
  return r < 16 ? 16 : r > 256 ? 256 : r;
}

static int64_t pieces(int n, int rows) { return (n + rows - 1) / rows; }

/* rows [*r0, return) of piece pc */
static int piece(const Dense *d, int64_t pc, int *r0) {
  *r0 = (int)pc * d->rows;
  return d->n - *r0 < d->rows ? d->n - *r0 : d->rows;
}

/* one GEMM per piece, whichever thread runs it: same bits for any split */
static void forward_rows(void *p, int64_t lo, int64_t hi, int slot) {
  Dense *d = p;
  for (int64_t pc = lo; pc < hi; pc++) {
    int r0, m = piece(d, pc, &r0);
    float *y = d->yout + (int64_t)r0 * d->out;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, d->out, d->in,
                1.0f, d->x + (int64_t)r0 * d->in, d->in, d->w, d->out, 0.0f,
                y, d->out);
    nn_vec_bias_act(y, d->b, m, d->out, d->act);
  }
}

int nn_dense_forward(const float *x, const float *w, const float *b,
                     float *y, int n, int in, int out, NnAct act) {
  if (n == 0 || out == 0) return NN_OK;
  if (in == 0) {                       /* an empty sum: just the bias */
    for (int i = 0; i < n; i++)
      for (int j = 0; j < out; j++) y[(int64_t)i * out + j] = b ? b[j] : 0;
    nn_act_inplace(act, y, n, out);
    return NN_OK;
  }
  if (nn_dense_dnnl_wanted(n, in, out, act) &&
      nn_dense_forward_dnnl(x, w, b, y, n, in, out, act) == NN_OK)
    return NN_OK;
  Dense d = {.x = x, .w = w, .b = b, .yout = y, .n = n, .in = in,
             .out = out, .rows = piece_rows(n), .act = act};
  threads_for(pieces(n, d.rows), 2.0 * n * in * out, forward_rows, &d);
  return NN_OK;
}

/* g and dx for a run of row pieces */
static void backward_rows(void *p, int64_t lo, int64_t hi, int slot) {
  Dense *d = p;
  for (int64_t pc = lo; pc < hi; pc++) {
    int r0, m = piece(d, pc, &r0);
    int64_t o = (int64_t)r0 * d->out;
    if (d->act != NN_LINEAR)
      nn_act_backward(d->act, d->y + o, d->dy + o, d->gbuf + o, m, d->out);
    if (d->dx)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, d->in, d->out,
                  1.0f, d->g + o, d->out, d->w, d->out, 0.0f,
                  d->dx + (int64_t)r0 * d->in, d->in);
  }
}

/* dw rows [i0, i1) = x[:, i0:i1]^T g, one GEMM per block */
static void backward_dw(void *p, int64_t lo, int64_t hi, int slot) {
  Dense *d = p;
  for (int64_t bk = lo; bk < hi; bk++) {
    int i0 = (int)(d->in * bk / d->blocks);
    int i1 = (int)(d->in * (bk + 1) / d->blocks);
    if (i1 > i0)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, i1 - i0, d->out,
                  d->n, 1.0f, d->x + i0, d->in, d->g, d->out, 0.0f,
                  d->dw + (int64_t)i0 * d->out, d->out);
  }
}

static void column_sums(const float *g, float *db, int n, int out) {
  for (int j = 0; j < out; j++) {
    double s = 0;
    for (int i = 0; i < n; i++) s += g[(int64_t)i * out + j];
    db[j] = (float)s;
  }
}

int nn_dense_backward(const float *x, const float *w, const float *y,
                      const float *dy, float *dx, float *dw, float *db,
                      int n, int in, int out, NnAct act) {
  if (n == 0 || out == 0 || in == 0) {
    memset(dw, 0, sizeof *dw * (size_t)in * out);
    if (db) memset(db, 0, sizeof *db * (size_t)out);
    if (dx && n && in && out == 0) memset(dx, 0, sizeof *dx * (size_t)n * in);
    return NN_OK;
  }
  if (nn_dense_dnnl_wanted(n, in, out, act)) {
    int rc = nn_dense_backward_dnnl(x, w, y, dy, dx, dw, db, n, in, out, act);
    if (rc <= 0) return rc;
  }
  Dense d = {.x = x, .w = w, .y = y, .dy = dy, .dx = dx, .dw = dw,
             .n = n, .in = in, .out = out, .rows = piece_rows(n),
             .blocks = in < DW_BLOCKS ? in : DW_BLOCKS, .act = act,
             .g = dy};
  if (act != NN_LINEAR) {
    d.gbuf = threads_scratch(THREADS_SHARED, sizeof(float) * (size_t)n * out);
    if (!d.gbuf) return NN_ENOMEM;
    d.g = d.gbuf;
  }
  double flops = 2.0 * n * in * out;
  if (act != NN_LINEAR || dx)
    threads_for(pieces(n, d.rows), dx ? flops : 0, backward_rows, &d);
  threads_for(d.blocks, flops, backward_dw, &d);
  if (db) column_sums(d.g, db, n, out);
  return NN_OK;
}

/* ---- naive reference ---------------------------------------------------- */

void nn_dense_forward_naive(const float *x, const float *w, const float *b,
                            float *y, int n, int in, int out, NnAct act) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < out; j++) {
      double s = b ? b[j] : 0;
      for (int k = 0; k < in; k++)
        s += (double)x[(int64_t)i * in + k] * w[(int64_t)k * out + j];
      y[(int64_t)i * out + j] = (float)s;
    }
  nn_act_forward(act, y, y, n, out);
}

static double naive_g(NnAct act, const float *y, const float *dy, int64_t i,
                      int j, int out) {
  return nn_act_grad_naive(act, y ? y + i * out : NULL, dy + i * out, j, out);
}

void nn_dense_backward_naive(const float *x, const float *w, const float *y,
                             const float *dy, float *dx, float *dw,
                             float *db, int n, int in, int out, NnAct act) {
  for (int k = 0; k < in; k++)
    for (int j = 0; j < out; j++) {
      double s = 0;
      for (int i = 0; i < n; i++)
        s += x[(int64_t)i * in + k] * naive_g(act, y, dy, i, j, out);
      dw[(int64_t)k * out + j] = (float)s;
    }
  if (db)
    for (int j = 0; j < out; j++) {
      double s = 0;
      for (int r = 0; r < n; r++) s += naive_g(act, y, dy, r, j, out);
      db[j] = (float)s;
    }
  for (int i = 0; dx && i < n; i++)
    for (int k = 0; k < in; k++) {
      double s = 0;
      for (int j = 0; j < out; j++)
        s += naive_g(act, y, dy, i, j, out) * w[(int64_t)k * out + j];
      dx[(int64_t)i * in + k] = (float)s;
    }
}
