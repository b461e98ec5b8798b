/* nn_rnn.c - SimpleRNN, LSTM and GRU over whole sequences: forward and
 * backpropagation through time, Keras 2.6's cells and weight layouts.
 *
 *   x (N, T, F), w (F, G u), r (u, G u), b (G u) or GRU reset_after
 *   (2, 3u); s = step, h_0 = c_0 = 0, m = recurrent-dropout mask or 1
 *   SimpleRNN  h_s = act(x_s w + b + (m h_{s-1}) r)
 *   LSTM       a = x_s w + b + (m h_{s-1}) r = [a_i a_f a_c a_o]
 *              i f o = ract(a_i a_f a_o), cc = act(a_c)
 *              c_s = f c_{s-1} + i cc,  h_s = o act(c_s)
 *   GRU        xz xr xh = x_s w + b_in
 *    reset_after:   rz rr rh = (m h_{s-1}) r + b_rec
 *                   z = ract(xz + rz), g = ract(xr + rr)
 *                   hh = act(xh + g rh)
 *    otherwise:     z, g from (m h_{s-1}) r[:, :2u]
 *                   hh = act(xh + (g m h_{s-1}) r[:, 2u:])
 *              h_s = z h_{s-1} + (1 - z) hh
 *
 * Cache (all batch-major, (N, T, .)): hin = m h_{s-1} (what met r), y =
 * h_s, the gates after their activations (i f cc o / z g hh), LSTM c_s,
 * GRU reset_after rh. The backward walks the steps from the last,
 * keeping dL/dh (and dL/dc) per sample, writes each step's gradient with
 * respect to the gates' pre-activations, and then forms dw, dr, db and
 * dx as a few large GEMMs over all N T rows.
 *
 * Samples are independent through time, so the batch is cut into
 * pieces of rows fixed by N alone, each run through every step on one
 * thread; the weight gradients are cut along their rows, each a full
 * sum: the bits do not depend on the thread count. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

#define PIECE_ROWS 16
#define GRAD_BLOCKS 8

int nn_rnn_gates(NnRnnKind k) {
  return k == NN_RNN_LSTM ? 4 : k == NN_RNN_GRU ? 3 : 1;
}

/* offsets of the cache's parts, in floats */
typedef struct { int64_t hin, y, gates, c, rh, total; } Layout;

static Layout layout(const NnRnn *p) {
  int64_t nt = (int64_t)p->n * p->t, u = p->u, g = nn_rnn_gates(p->kind);
  Layout l;
  l.hin = 0;
  l.y = l.hin + nt * u;
  l.gates = l.y + nt * u;
  l.c = l.gates + nt * g * u;
  l.rh = l.c + (p->kind == NN_RNN_LSTM ? nt * u : 0);
  l.total = l.rh + (p->kind == NN_RNN_GRU && p->reset_after ? nt * u : 0);
  return l;
}

int64_t nn_rnn_cache_size(const NnRnn *p) { return layout(p).total; }

typedef struct {
  const NnRnn *p;
  const float *x, *w, *r, *b, *mask, *dy, *dh_last, *dc_last;
  float *cache;              /* forward: written; backward: read */
  float *y, *c_last;
  float *da, *drec, *rhs;    /* backward: per-row gate gradients */
  int fail;
} Run;

/* rows [r0, r0 + m) of piece pc */
static int piece(const NnRnn *p, int64_t pc, int *r0) {
  *r0 = (int)pc * PIECE_ROWS;
  return p->n - *r0 < PIECE_ROWS ? p->n - *r0 : PIECE_ROWS;
}

/* g = dy f'(y) on a row of n, in place over dy when g == dy */
static void dact(NnAct a, const float *y, const float *dy, float *g, int n) {
  nn_act_grad_elementwise(a, y, dy, g, n);
}

/* ---- forward ------------------------------------------------------------ */

static void forward_piece(Run *R, int r0, int m, float *scr) {
  const NnRnn *p = R->p;
  const int T = p->t, F = p->f, u = p->u, G = nn_rnn_gates(p->kind) * u;
  Layout L = layout(p);
  float *hin = R->cache + L.hin, *gates = R->cache + L.gates;
  float *cs = R->cache + L.c, *rhs = R->cache + L.rh, *y = R->cache + L.y;
  const int64_t ldh = (int64_t)T * u, ldg = (int64_t)T * G;
  const int gru_ra = p->kind == NN_RNN_GRU && p->reset_after;
  /* the input projection of every step at once: (m T, F) . (F, G) */
  float *g0 = gates + (int64_t)r0 * ldg;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m * T, G, F, 1.0f,
              R->x + (int64_t)r0 * T * F, F, R->w, G, 0.0f, g0, G);
  if (R->b)
    for (int64_t i = 0; i < (int64_t)m * T; i++) nn_vec_add(g0 + i * G, R->b, G);
  float *rec = scr;                    /* (m, G): the recurrent product */
  float *tmp = scr + (int64_t)m * G;   /* (m, u) */
  for (int s = 0; s < T; s++) {
    int64_t o = (int64_t)r0 * T + s;
    float *hi = hin + o * u, *gs = gates + o * G, *ys = y + o * u;
    const float *hp = s ? ys - u : NULL;          /* h_{s-1}, unmasked */
    for (int i = 0; i < m; i++) {
      float *d = hi + i * ldh;
      if (!hp) { memset(d, 0, sizeof *d * u); continue; }
      const float *h = hp + i * ldh, *mk = R->mask ? R->mask + (int64_t)(r0 + i) * u : NULL;
      for (int j = 0; j < u; j++) d[j] = mk ? h[j] * mk[j] : h[j];
    }
    int rcols = p->kind == NN_RNN_GRU && !p->reset_after ? 2 * u : G;
    if (gru_ra) {              /* rec starts as the recurrent bias */
      for (int i = 0; i < m; i++) {
        if (R->b) memcpy(rec + (int64_t)i * G, R->b + G, sizeof *rec * G);
        else memset(rec + (int64_t)i * G, 0, sizeof *rec * G);
      }
    }
    if (s) {
      /* gates += hin r (SimpleRNN, LSTM), or rec (GRU) */
      float *dst = p->kind == NN_RNN_GRU ? rec : gs;
      int64_t ldd = p->kind == NN_RNN_GRU ? G : ldg;
      float beta = p->kind == NN_RNN_GRU && !gru_ra ? 0.0f : 1.0f;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, rcols, u,
                  1.0f, hi, (int)ldh, R->r, G, beta, dst, (int)ldd);
    } else if (p->kind == NN_RNN_GRU && !gru_ra) {
      memset(rec, 0, sizeof *rec * (size_t)m * G);
    }
    for (int i = 0; i < m; i++) {
      float *g = gs + i * ldg, *h = ys + i * ldh;
      if (p->kind == NN_RNN_SIMPLE) {
        nn_act_forward(p->act, g, g, 1, u);
        memcpy(h, g, sizeof *h * u);
      } else if (p->kind == NN_RNN_LSTM) {
        float *c = cs + (o + (int64_t)i * T) * u;
        const float *cp = s ? c - u : NULL;
        nn_act_forward(p->rec_act, g, g, 1, 2 * u);          /* i, f */
        nn_act_forward(p->act, g + 2 * u, g + 2 * u, 1, u);  /* cc */
        nn_act_forward(p->rec_act, g + 3 * u, g + 3 * u, 1, u);  /* o */
        for (int j = 0; j < u; j++)
          c[j] = (cp ? g[u + j] * cp[j] : 0.0f) + g[j] * g[2 * u + j];
        nn_act_forward(p->act, c, h, 1, u);
        for (int j = 0; j < u; j++) h[j] *= g[3 * u + j];
      } else {
        float *rc = rec + (int64_t)i * G;
        for (int j = 0; j < 2 * u; j++) g[j] += rc[j];
        nn_act_forward(p->rec_act, g, g, 1, 2 * u);          /* z, g */
        if (gru_ra) {
          float *rh = rhs + (o + (int64_t)i * T) * u;
          for (int j = 0; j < u; j++) {
            rh[j] = rc[2 * u + j];
            g[2 * u + j] += g[u + j] * rh[j];
          }
        } else {
          float *t = tmp + (int64_t)i * u;
          const float *hm = hi + i * ldh;
          for (int j = 0; j < u; j++) t[j] = g[u + j] * hm[j];
        }
      }
    }
    if (p->kind == NN_RNN_GRU) {
      if (!gru_ra && s)       /* xh += (g m h_{s-1}) r_h */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, u, u, 1.0f,
                    tmp, u, R->r + 2 * u, G, 1.0f, gs + 2 * u, (int)ldg);
      for (int i = 0; i < m; i++) {
        float *g = gs + i * ldg, *h = ys + i * ldh;
        const float *hprev = hp ? hp + i * ldh : NULL;
        nn_act_forward(p->act, g + 2 * u, g + 2 * u, 1, u);  /* hh */
        for (int j = 0; j < u; j++)
          h[j] = (hprev ? g[j] * hprev[j] : 0.0f) + (1.0f - g[j]) * g[2 * u + j];
      }
    }
  }
  memcpy(R->y + (int64_t)r0 * T * u, y + (int64_t)r0 * T * u,
         sizeof(float) * (size_t)m * T * u);
  if (R->c_last && p->kind == NN_RNN_LSTM)
    for (int i = 0; i < m; i++)
      memcpy(R->c_last + (int64_t)(r0 + i) * u,
             cs + ((int64_t)(r0 + i) * T + T - 1) * u, sizeof(float) * u);
}

static void forward_pieces(void *ctx, int64_t lo, int64_t hi, int slot) {
  Run *R = ctx;
  const NnRnn *p = R->p;
  int G = nn_rnn_gates(p->kind) * p->u;
  float *scr = threads_scratch(slot, sizeof(float) *
                               (size_t)PIECE_ROWS * (G + p->u));
  if (!scr) { R->fail = 1; return; }
  for (int64_t pc = lo; pc < hi; pc++) {
    int r0, m = piece(p, pc, &r0);
    forward_piece(R, r0, m, scr);
  }
}

static double step_flops(const NnRnn *p) {
  double G = nn_rnn_gates(p->kind) * (double)p->u;
  return 2.0 * p->n * p->t * G * (p->f + p->u);
}

int nn_rnn_forward(const NnRnn *p, const float *x, const float *w,
                   const float *r, const float *b, const float *mask,
                   float *cache, float *y, float *c_last) {
  if (p->n == 0 || p->t == 0) return NN_OK;
  Run R = {.p = p, .x = x, .w = w, .r = r, .b = b, .mask = mask,
           .cache = cache, .y = y, .c_last = c_last};
  int64_t np = (p->n + PIECE_ROWS - 1) / PIECE_ROWS;
  threads_for(np, step_flops(p), forward_pieces, &R);
  return R.fail ? NN_ENOMEM : NN_OK;
}

/* ---- backward ----------------------------------------------------------- */

/* Per piece: walk the steps back, writing da (N, T, G), the gradient
 * wrt the gates' pre-activations as the input projection saw them;
 * drec (N, T, G) what the recurrent product saw (GRU reset_after: its
 * h part differs; otherwise NULL, da serves); rhs (N, T, u) for GRU
 * without reset_after: g m h_{s-1}, the input of r's h columns. */
static void backward_piece(Run *R, int r0, int m, float *scr) {
  const NnRnn *p = R->p;
  const int T = p->t, u = p->u, G = nn_rnn_gates(p->kind) * u;
  Layout L = layout(p);
  const float *hin = R->cache + L.hin, *gates = R->cache + L.gates;
  const float *cs = R->cache + L.c, *rhc = R->cache + L.rh, *y = R->y;
  const int64_t ldh = (int64_t)T * u, ldg = (int64_t)T * G;
  const int gru_ra = p->kind == NN_RNN_GRU && p->reset_after;
  float *dh = scr, *dc = scr + (int64_t)m * u, *dhr = dc + (int64_t)m * u;
  float *direct = dhr + (int64_t)m * u, *t1 = direct + (int64_t)m * u;
  for (int i = 0; i < m; i++) {
    int64_t k = (int64_t)(r0 + i) * u;
    for (int j = 0; j < u; j++) {
      dh[i * u + j] = R->dh_last ? R->dh_last[k + j] : 0.0f;
      dc[i * u + j] = R->dc_last ? R->dc_last[k + j] : 0.0f;
    }
  }
  for (int s = T - 1; s >= 0; s--) {
    int64_t o = (int64_t)r0 * T + s;
    const float *gs = gates + o * G, *ys = y + o * u, *hi = hin + o * u;
    float *da = R->da + o * G;
    float *dr = gru_ra ? R->drec + o * G : da;
    for (int i = 0; i < m; i++) {
      float *d = dh + (int64_t)i * u;
      const float *g = gs + i * ldg, *h = ys + i * ldh;
      float *a = da + i * ldg;
      if (R->dy) {
        const float *dyr = R->dy + (o + (int64_t)i * T) * u;
        for (int j = 0; j < u; j++) d[j] += dyr[j];
      }
      if (p->kind == NN_RNN_SIMPLE) {
        dact(p->act, h, d, a, u);
      } else if (p->kind == NN_RNN_LSTM) {
        const float *c = cs + (o + (int64_t)i * T) * u;
        const float *cp = s ? c - u : NULL;
        float *e = dc + (int64_t)i * u, *tc = t1 + (int64_t)i * u;
        float *dt = direct + (int64_t)i * u;
        nn_act_forward(p->act, c, tc, 1, u);            /* act(c_s) */
        for (int j = 0; j < u; j++) {
          a[3 * u + j] = d[j] * tc[j];                  /* dL/do */
          dt[j] = d[j] * g[3 * u + j];                  /* dL/d act(c) */
        }
        dact(p->act, tc, dt, dt, u);
        for (int j = 0; j < u; j++) e[j] += dt[j];
        for (int j = 0; j < u; j++) {
          a[j] = e[j] * g[2 * u + j];                   /* dL/di */
          a[u + j] = cp ? e[j] * cp[j] : 0.0f;          /* dL/df */
          a[2 * u + j] = e[j] * g[j];                   /* dL/dcc */
          e[j] *= g[u + j];                             /* dL/dc_{s-1} */
        }
        dact(p->rec_act, g, a, a, 2 * u);
        dact(p->act, g + 2 * u, a + 2 * u, a + 2 * u, u);
        dact(p->rec_act, g + 3 * u, a + 3 * u, a + 3 * u, u);
      } else {
        const float *hprev = s ? h - u : NULL;
        float *dir = direct + (int64_t)i * u, *rr = dr + i * ldg;
        for (int j = 0; j < u; j++) {
          float z = g[j], hh = g[2 * u + j];
          a[j] = d[j] * ((hprev ? hprev[j] : 0.0f) - hh);   /* dL/dz */
          a[2 * u + j] = d[j] * (1.0f - z);                 /* dL/dhh */
          dir[j] = d[j] * z;
        }
        dact(p->act, g + 2 * u, a + 2 * u, a + 2 * u, u);
        if (gru_ra) {
          const float *rh = rhc + (o + (int64_t)i * T) * u;
          for (int j = 0; j < u; j++) {
            rr[2 * u + j] = a[2 * u + j] * g[u + j];
            a[u + j] = a[2 * u + j] * rh[j];                /* dL/dg */
          }
        }
      }
    }
    if (p->kind == NN_RNN_GRU && !gru_ra) {
      /* d(g m h) = da_h r_h^T, then dL/dg and the direct part to m h */
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, u, u, 1.0f,
                  da + 2 * u, (int)ldg, R->r + 2 * u, G, 0.0f, t1, u);
      for (int i = 0; i < m; i++) {
        const float *g = gs + i * ldg, *hm = hi + i * ldh;
        float *a = da + i * ldg, *t = t1 + (int64_t)i * u;
        float *rh = R->rhs + (o + (int64_t)i * T) * u;
        for (int j = 0; j < u; j++) {
          a[u + j] = t[j] * hm[j];
          rh[j] = g[u + j] * hm[j];
          t[j] *= g[u + j];
        }
      }
    }
    if (p->kind == NN_RNN_GRU) {
      for (int i = 0; i < m; i++) {
        float *a = da + i * ldg, *rr = dr + i * ldg;
        const float *g = gs + i * ldg;
        dact(p->rec_act, g, a, a, 2 * u);
        if (gru_ra) memcpy(rr, a, sizeof *a * 2 * u);
      }
    }
    if (s == 0) break;                      /* h_0 = 0: nothing before */
    /* dL/d(m h_{s-1}) = drec r^T (GRU without reset_after: z, g columns
     * plus the h part in t1) */
    int rcols = p->kind == NN_RNN_GRU && !gru_ra ? 2 * u : G;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, u, rcols, 1.0f,
                dr, (int)ldg, R->r, G, 0.0f, dhr, u);
    for (int i = 0; i < m; i++) {
      float *d = dh + (int64_t)i * u, *q = dhr + (int64_t)i * u;
      const float *mk = R->mask ? R->mask + (int64_t)(r0 + i) * u : NULL;
      for (int j = 0; j < u; j++) {
        float v = q[j];
        if (p->kind == NN_RNN_GRU && !gru_ra) v += t1[(int64_t)i * u + j];
        if (mk) v *= mk[j];
        if (p->kind == NN_RNN_GRU) v += direct[(int64_t)i * u + j];
        d[j] = v;
      }
    }
  }
}

static void backward_pieces(void *ctx, int64_t lo, int64_t hi, int slot) {
  Run *R = ctx;
  const NnRnn *p = R->p;
  float *scr = threads_scratch(slot, sizeof(float) * 5 * PIECE_ROWS *
                               (size_t)p->u);
  if (!scr) { R->fail = 1; return; }
  for (int64_t pc = lo; pc < hi; pc++) {
    int r0, m = piece(p, pc, &r0);
    backward_piece(R, r0, m, scr);
  }
}

/* C (M, N) at stride ldc = A^T B over K rows: A (K, M) lda, B (K, N)
 * ldb; cut along M into blocks, each a full sum */
typedef struct {
  const float *a, *b;
  float *c;
  int lda, ldb, ldc, k, m, n, blocks;
} AtB;

static void atb_blocks(void *ctx, int64_t lo, int64_t hi, int slot) {
  AtB *q = ctx;
  for (int64_t bk = lo; bk < hi; bk++) {
    int i0 = (int)((int64_t)q->m * bk / q->blocks);
    int i1 = (int)((int64_t)q->m * (bk + 1) / q->blocks);
    if (i1 > i0)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, i1 - i0, q->n,
                  q->k, 1.0f, q->a + i0, q->lda, q->b, q->ldb, 0.0f,
                  q->c + (int64_t)i0 * q->ldc, q->ldc);
  }
}

static void atb(const float *a, int lda, const float *b, int ldb, float *c,
                int ldc, int k, int m, int n) {
  AtB q = {a, b, c, lda, ldb, ldc, k, m, n, m < GRAD_BLOCKS ? m : GRAD_BLOCKS};
  threads_for(q.blocks, 2.0 * k * m * n, atb_blocks, &q);
}

/* dx (K, F) = da (K, G) w^T, in row pieces */
typedef struct { const float *da, *w; float *dx; int k, f, g; } DxRun;

static void dx_rows(void *ctx, int64_t lo, int64_t hi, int slot) {
  DxRun *q = ctx;
  int rows = 256;
  for (int64_t pc = lo; pc < hi; pc++) {
    int r0 = (int)pc * rows, m = q->k - r0 < rows ? q->k - r0 : rows;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, q->f, q->g, 1.0f,
                q->da + (int64_t)r0 * q->g, q->g, q->w, q->g, 0.0f,
                q->dx + (int64_t)r0 * q->f, q->f);
  }
}

static void col_sums(const float *g, int64_t rows, int cols, float *out) {
  double *acc = calloc((size_t)cols, sizeof *acc);
  if (!acc) {       /* tiny; fall back to float sums rather than fail */
    for (int j = 0; j < cols; j++) out[j] = 0;
    for (int64_t i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) out[j] += g[i * cols + j];
    return;
  }
  nn_vec_colsum(g, rows, cols, acc);
  for (int j = 0; j < cols; j++) out[j] = (float)acc[j];
  free(acc);
}

int nn_rnn_backward(const NnRnn *p, const float *x, const float *w,
                    const float *r, const float *b, const float *mask,
                    const float *cache, const float *dy,
                    const float *dh_last, const float *dc_last, float *dx,
                    float *dw, float *dr, float *db) {
  const int u = p->u, G = nn_rnn_gates(p->kind) * u, F = p->f;
  const int gru_ra = p->kind == NN_RNN_GRU && p->reset_after;
  int64_t nt = (int64_t)p->n * p->t;
  memset(dw, 0, sizeof *dw * (size_t)F * G);
  memset(dr, 0, sizeof *dr * (size_t)u * G);
  if (db) memset(db, 0, sizeof *db * (size_t)G * (gru_ra ? 2 : 1));
  if (dx) memset(dx, 0, sizeof *dx * (size_t)nt * F);
  if (nt == 0) return NN_OK;
  int64_t need = nt * G * (gru_ra ? 2 : 1) +
                 (p->kind == NN_RNN_GRU && !gru_ra ? nt * u : 0);
  float *buf = threads_scratch(THREADS_SHARED, sizeof(float) * (size_t)need);
  if (!buf) return NN_ENOMEM;
  Layout L = layout(p);
  Run R = {.p = p, .x = x, .w = w, .r = r, .b = b, .mask = mask,
           .dy = dy, .dh_last = dh_last, .dc_last = dc_last,
           .cache = (float *)cache, .y = (float *)cache + L.y, .da = buf};
  R.drec = gru_ra ? buf + nt * G : NULL;
  R.rhs = p->kind == NN_RNN_GRU && !gru_ra ? buf + nt * G : NULL;
  int64_t np = (p->n + PIECE_ROWS - 1) / PIECE_ROWS;
  threads_for(np, 2 * step_flops(p), backward_pieces, &R);
  if (R.fail) return NN_ENOMEM;
  const float *hin = cache + L.hin;
  atb(x, F, R.da, G, dw, G, (int)nt, F, G);                  /* dw */
  if (p->kind == NN_RNN_GRU && !gru_ra) {
    atb(hin, u, R.da, G, dr, G, (int)nt, u, 2 * u);
    atb(R.rhs, u, R.da + 2 * u, G, dr + 2 * u, G, (int)nt, u, u);
  } else {
    atb(hin, u, gru_ra ? R.drec : R.da, G, dr, G, (int)nt, u, G);
  }
  if (db) {
    col_sums(R.da, nt, G, db);
    if (gru_ra) col_sums(R.drec, nt, G, db + G);
  }
  if (dx) {
    DxRun q = {R.da, w, dx, (int)nt, F, G};
    threads_for((nt + 255) / 256, 2.0 * nt * F * G, dx_rows, &q);
  }
  return NN_OK;
}

/* ---- naive reference ---------------------------------------------------- */

static double sg(NnAct a, double v) { return nn_act_scalar(a, v); }

void nn_rnn_forward_naive(const NnRnn *p, const double *x, const double *w,
                          const double *r, const double *b,
                          const double *mask, double *y, double *c_last) {
  const int T = p->t, F = p->f, u = p->u, G = nn_rnn_gates(p->kind) * u;
  double *h = calloc((size_t)u, sizeof *h), *c = calloc((size_t)u, sizeof *c);
  double *a = calloc((size_t)G, sizeof *a), *ra = calloc((size_t)G, sizeof *ra);
  double *hm = calloc((size_t)u, sizeof *hm), *hn = calloc((size_t)u, sizeof *hn);
  if (!h || !c || !a || !ra || !hm || !hn) goto done;
  for (int n = 0; n < p->n; n++) {
    memset(h, 0, sizeof *h * u);
    memset(c, 0, sizeof *c * u);
    for (int s = 0; s < T; s++) {
      const double *xs = x + ((int64_t)n * T + s) * F;
      for (int j = 0; j < u; j++) hm[j] = h[j] * (mask ? mask[(int64_t)n * u + j] : 1);
      for (int k = 0; k < G; k++) {
        double v = b ? b[k] : 0, q = 0;
        if (p->kind == NN_RNN_GRU && p->reset_after && b) q = b[G + k];
        for (int f = 0; f < F; f++) v += xs[f] * w[(int64_t)f * G + k];
        for (int j = 0; j < u; j++) q += hm[j] * r[(int64_t)j * G + k];
        a[k] = v;
        ra[k] = q;
      }
      for (int j = 0; j < u; j++) {
        if (p->kind == NN_RNN_SIMPLE) {
          hn[j] = sg(p->act, a[j] + ra[j]);
        } else if (p->kind == NN_RNN_LSTM) {
          double i = sg(p->rec_act, a[j] + ra[j]);
          double f = sg(p->rec_act, a[u + j] + ra[u + j]);
          double cc = sg(p->act, a[2 * u + j] + ra[2 * u + j]);
          double o = sg(p->rec_act, a[3 * u + j] + ra[3 * u + j]);
          c[j] = f * c[j] + i * cc;
          hn[j] = o * sg(p->act, c[j]);
        } else {
          double z = sg(p->rec_act, a[j] + ra[j]);
          double g = sg(p->rec_act, a[u + j] + ra[u + j]);
          double pre;
          if (p->reset_after) {
            pre = a[2 * u + j] + g * ra[2 * u + j];
          } else {
            pre = a[2 * u + j];
            for (int k = 0; k < u; k++) {
              double gk = sg(p->rec_act, a[u + k] + ra[u + k]);
              pre += gk * hm[k] * r[(int64_t)k * G + 2 * u + j];
            }
          }
          hn[j] = z * h[j] + (1 - z) * sg(p->act, pre);
        }
      }
      memcpy(h, hn, sizeof *h * u);
      memcpy(y + ((int64_t)n * T + s) * u, h, sizeof *h * u);
    }
    if (c_last) memcpy(c_last + (int64_t)n * u, c, sizeof *c * u);
  }
done:
  free(h); free(c); free(a); free(ra); free(hm); free(hn);
}
