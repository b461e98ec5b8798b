/* nn_dense_dnnl.c - the fully connected layer on oneDNN's matmul, run
 * inside the workbook's thread pool (the glue: nn_dnnl.c).
 *
 *   forward   y = act(x . w + b)   one matmul per row piece, bias and
 *                                  relu fused (other activations are
 *                                  applied to the piece afterwards)
 *   backward  g = dy * act'(y)     (the caller's thread, elementwise)
 *             dx = g . w^T         one matmul per row piece (w read as
 *                                  its transpose through strides)
 *             dw = x^T . g         one matmul per block of IN rows of
 *                                  dw, each a full sum over the batch
 *             db = column sums of g
 *
 * oneDNN's AVX-512 brgemm kernels are about twice as fast as OpenBLAS's
 * sgemm here (pinned to its Haswell kernels) on layers like 784 -> 128.
 * The pieces depend on the shapes only and every one is one
 * single-threaded primitive, so results have the same bits for any
 * number of threads; dw is never a sum of partials. A piece's rows and
 * a block's IN rows are multiples of 16 except the last one (a job run
 * on the caller alone: one piece, one block), so a shape needs at most
 * two primitives of each kind (cached, LRU). */
#include "nn/nn.h"

#ifdef WB_NO_DNNL

int nn_dense_dnnl_wanted(int n, int in, int out, NnAct act) { return 0; }
int nn_dense_forward_dnnl(const float *x, const float *w, const float *b,
                          float *y, int n, int in, int out, NnAct act) {
  return 1;
}
int nn_dense_backward_dnnl(const float *x, const float *w, const float *y,
                           const float *dy, float *dx, float *dw, float *db,
                           int n, int in, int out, NnAct act) {
  return 1;
}

#else

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"
#include "nn/nn_dnnl.h"

#define CACHE 64
#define ROWS_MAX 256             /* rows per forward/dx piece, at most */
#define DW_BLOCKS 8              /* dw is cut into at most this many */
#define PIECE_FLOPS 2e5          /* a piece does at least about this */
#define SERIAL_ROWS 1024         /* rows per piece of a serial job */
#ifndef SERIAL_FLOPS
#define SERIAL_FLOPS 1e7         /* smaller jobs stay on the caller */
#endif
#ifndef MIN_MACS
#define MIN_MACS 4096            /* smaller products stay on sgemm */
#endif

enum { FWD, BWD_DATA, BWD_WEIGHTS };

typedef struct {
  int kind, m, k, n;             /* (m, k) . (k, n) -> (m, n) */
  int ld;                        /* BWD_WEIGHTS: the row stride of x */
  int bias, relu;
} Key;

typedef struct {
  NnDnnlHead head;
  Key k;
  dnnl_primitive_t prim;
  dnnl_memory_desc_t amd, bmd, cmd, biasmd, spmd;
  size_t spbytes;
  dnnl_memory_t kept[THREADS_MAX][5];   /* per slot: a, b, c, bias, sp */
} Entry;

static void free_entry(void *ev) {
  Entry *e = ev;
  if (e->prim) dnnl_primitive_destroy(e->prim);
  e->prim = NULL;
  for (int i = 0; i < THREADS_MAX; i++) nn_dnnl_kept_free(e->kept[i], 5);
}

static int build(void *ev) {
  Entry *e = ev;
  const Key *k = &e->k;
  dnnl_dims_t ad = {k->m, k->k}, bd = {k->k, k->n}, cd = {k->m, k->n};
  dnnl_dims_t biasd = {1, k->n};
  dnnl_dims_t xt = {1, k->ld};   /* x^T: (IN block, N) of x (N, ld) */
  int bad = k->kind == BWD_WEIGHTS
                ? dnnl_memory_desc_init_by_strides(&e->amd, 2, ad, dnnl_f32, xt)
                : dnnl_memory_desc_init_by_tag(&e->amd, 2, ad, dnnl_f32, dnnl_ab);
  /* BWD_DATA: the weights are w^T, (OUT, IN) read from w (IN, OUT) */
  bad = bad ||
        dnnl_memory_desc_init_by_tag(&e->bmd, 2, bd, dnnl_f32,
                                     k->kind == BWD_DATA ? dnnl_ba : dnnl_ab) ||
        dnnl_memory_desc_init_by_tag(&e->cmd, 2, cd, dnnl_f32, dnnl_ab) ||
        dnnl_memory_desc_init_by_tag(&e->biasmd, 2, biasd, dnnl_f32, dnnl_ab);
  if (bad) return -1;
  dnnl_matmul_desc_t md;
  if (dnnl_matmul_desc_init(&md, &e->amd, &e->bmd, k->bias ? &e->biasmd : NULL,
                            &e->cmd))
    return -1;
  dnnl_primitive_attr_t attr = nn_dnnl_attr(k->relu);
  if (!attr) return -1;
  dnnl_primitive_desc_t pd = NULL;
  int rc = -1;
  if (dnnl_primitive_desc_create(&pd, &md, attr, nn_dnnl_engine, NULL)) {
    pd = NULL;
    goto out;
  }
  nn_dnnl_scratchpad(pd, &e->spmd, &e->spbytes);
  if (dnnl_primitive_create(&e->prim, pd)) {
    e->prim = NULL;
    goto out;
  }
  rc = 0;
out:
  if (pd) dnnl_primitive_desc_destroy(pd);
  dnnl_primitive_attr_destroy(attr);
  return rc;
}

static Entry cache[CACHE];
static NnDnnlCache dense_cache = {cache, CACHE, sizeof(Entry),
                                  offsetof(Entry, k), sizeof(Key), build,
                                  free_entry, 0};

static Entry *lookup(int kind, int m, int k, int n, int ld, int bias,
                     int relu) {
  Key key;
  memset(&key, 0, sizeof key);
  key.kind = kind;
  key.m = m;
  key.k = k;
  key.n = n;
  key.ld = ld;
  key.bias = bias;
  key.relu = relu;
  return nn_dnnl_lookup(&dense_cache, &key);
}

/* Which layers go to oneDNN: timed per call with 2 threads, oneDNN
 * (with its memory objects kept per primitive and slot) wins on every
 * product of at least MIN_MACS multiply-adds: 784 -> 128 batch 32 about
 * 2x, 128 -> 32 1.6 vs 3.4 us forward, 4.7 vs 8.6 us backward, even
 * 32 -> 10 0.6 vs 0.8 and 1.4 vs 2.0 us; on a single sample of a tiny
 * layer (1 x 32 -> 10) sgemm's lower per-call cost wins.
 *
 * A job under SERIAL_FLOPS runs all its pieces on the caller. The
 * pool's second thread made small products slower, not faster: the
 * course MLP's 784 -> 128 (batch 32, 6.4 MFLOP, model:profile, 2
 * threads) took 0.072 ms forward and 0.065 ms backward in two threads,
 * 0.038 and 0.040 ms on one (each core pulls the whole kernel into its
 * cache for its piece). The CNN's 1568 -> 128 (12.8 MFLOP) gains from
 * both: measured on a quiet machine, A/B interleaved, forward 0.083-0.094
 * ms in two threads against 0.105-0.115 ms on one (backward even), and
 * in streamed inference (37 rows a call) 15-18 against 23-25 ms per
 * 10,000 images. A serial job is cut into fewer, larger pieces (rows of
 * up to SERIAL_ROWS, dw in one block); since the cut still depends on
 * the shapes only, so do the bits. */
int nn_dense_dnnl_wanted(int n, int in, int out, NnAct act) {
  return n > 0 && (double)n * in * out >= MIN_MACS && nn_dnnl_init();
}

/* ---- pieces ------------------------------------------------------------- */

static int round16(int64_t v) { return (int)((v + 15) / 16 * 16); }

/* rows per piece: a multiple of 16, about 8 pieces, each >= PIECE_FLOPS;
 * a serial job (which depends on the shapes only): up to SERIAL_ROWS */
static int piece_rows(int n, int in, int out, int serial) {
  if (serial) return n < SERIAL_ROWS ? n : SERIAL_ROWS;
  int64_t r = round16((n + 7) / 8);
  int64_t least = round16((int64_t)(PIECE_FLOPS / (2.0 * in * out)) + 1);
  if (r < least) r = least;
  if (r > ROWS_MAX) r = ROWS_MAX;
  return r > n ? n : (int)r;
}

/* IN rows per dw block: a multiple of 16, at most DW_BLOCKS blocks; a
 * serial job: one block */
static int block_rows(int n, int in, int out, int serial) {
  if (serial) return in;
  int64_t r = round16((in + DW_BLOCKS - 1) / DW_BLOCKS);
  int64_t least = round16((int64_t)(PIECE_FLOPS / (2.0 * n * out)) + 1);
  if (r < least) r = least;
  return r > in ? in : (int)r;
}

typedef struct {
  const float *x, *w, *b, *g;
  float *y, *dx, *dw;
  int n, in, out, rows, brows;
  int64_t npieces, nblocks;      /* backward: dx pieces (0: none), blocks */
  Entry *e[2][3];                /* [full, last][kind] */
  NnAct act;
  atomic_int failed;
} Job;

static int run(Entry *e, int slot, const void *a, const void *bm, void *c,
               const float *bias) {
  NnDnnlArg arg[4] = {{DNNL_ARG_SRC, &e->amd, a},
                      {DNNL_ARG_WEIGHTS, &e->bmd, bm},
                      {DNNL_ARG_DST, &e->cmd, c},
                      {DNNL_ARG_BIAS, &e->biasmd, bias}};
  return nn_dnnl_run_kept(e->prim, nn_dnnl_stream(slot), arg, bias ? 4 : 3,
                          e->spbytes ? &e->spmd : NULL,
                          nn_dnnl_slot_mem(slot), e->kept[slot]);
}

static void fwd_pieces(void *ctx, int64_t lo, int64_t hi, int slot) {
  Job *j = ctx;
  nn_dnnl_one_thread();
  for (int64_t pc = lo; pc < hi; pc++) {
    int64_t r0 = pc * j->rows;
    int last = r0 + j->rows > j->n;
    int m = last ? j->n - (int)r0 : j->rows;
    float *y = j->y + r0 * j->out;
    if (run(j->e[last][FWD], slot, j->x + r0 * j->in, j->w, y, j->b))
      j->failed = 1;
    else if (j->act != NN_LINEAR && j->act != NN_RELU)
      nn_act_inplace(j->act, y, m, j->out);
  }
}

/* tasks 0..npieces-1: dx row pieces; then the dw blocks */
static void bwd_tasks(void *ctx, int64_t lo, int64_t hi, int slot) {
  Job *j = ctx;
  nn_dnnl_one_thread();
  for (int64_t t = lo; t < hi; t++) {
    int rc;
    if (t < j->npieces) {
      int64_t r0 = t * j->rows;
      int last = r0 + j->rows > j->n;
      rc = run(j->e[last][BWD_DATA], slot, j->g + r0 * j->out, j->w,
               j->dx + r0 * j->in, NULL);
    } else {
      int64_t i0 = (t - j->npieces) * j->brows;
      int last = i0 + j->brows > j->in;
      rc = run(j->e[last][BWD_WEIGHTS], slot, j->x + i0, j->g,
               j->dw + i0 * j->out, NULL);
    }
    if (rc) j->failed = 1;
  }
}

/* Look up the [full, last] entries of one kind for cuts of `size` over
 * `total`; the other two dims are k, n. 0 on success. */
static int entries(Job *j, int kind, int size, int total, int k, int n,
                   int ld, int bias, int relu, size_t *sp) {
  int rest = total % size ? total % size : size;
  for (int last = 0; last < 2; last++) {
    int m = last ? rest : size;
    if (last && rest == size) {
      j->e[1][kind] = j->e[0][kind];
      break;
    }
    Entry *e = lookup(kind, m, k, n, ld, bias, relu);
    if (!e) return -1;
    j->e[last][kind] = e;
  }
  /* a lookup may evict: both must still be there */
  for (int last = 0; last < 2; last++) {
    Entry *e = j->e[last][kind];
    if (!e->head.used || !e->prim) return -1;
    if (e->spbytes > *sp) *sp = e->spbytes;
  }
  return 0;
}

static int slots(size_t sp) {
  int nthr = threads_count();
  return nn_dnnl_streams(nthr) || nn_dnnl_slots_grow(nthr, sp ? sp : 64);
}

/* NN_OK, or 1: not handled (use sgemm) */
int nn_dense_forward_dnnl(const float *x, const float *w, const float *b,
                          float *y, int n, int in, int out, NnAct act) {
  if (n <= 0 || in <= 0 || out <= 0 || !nn_dnnl_init()) return 1;
  nn_dnnl_one_thread();
  double flops = 2.0 * n * in * out;
  int serial = flops < SERIAL_FLOPS;
  Job j = {.x = x, .w = w, .b = b, .y = y, .n = n, .in = in, .out = out,
           .act = act, .rows = piece_rows(n, in, out, serial)};
  size_t sp = 0;
  if (entries(&j, FWD, j.rows, n, in, out, 0, b != NULL, act == NN_RELU,
              &sp) ||
      slots(sp))
    return 1;
  threads_for((n + j.rows - 1) / j.rows, serial ? 0 : flops, fwd_pieces,
              &j);
  return j.failed ? 1 : NN_OK;
}

static NnDnnlBuf sums;           /* db in double */

static void free_sums(void) {
  free(sums.p);
  sums.p = NULL;
  sums.n = 0;
}

int nn_dense_backward_dnnl(const float *x, const float *w, const float *y,
                           const float *dy, float *dx, float *dw, float *db,
                           int n, int in, int out, NnAct act) {
  static int once;
  if (n <= 0 || in <= 0 || out <= 0 || !nn_dnnl_init()) return 1;
  if (!once) {
    once = 1;
    atexit(free_sums);
  }
  nn_dnnl_one_thread();
  double flops = 2.0 * n * in * out * (dx ? 2 : 1);
  int serial = flops < SERIAL_FLOPS;
  Job j = {.x = x, .w = w, .dx = dx, .dw = dw, .n = n, .in = in,
           .out = out, .act = act, .g = dy,
           .rows = piece_rows(n, in, out, serial),
           .brows = block_rows(n, in, out, serial)};
  size_t sp = 0;
  if ((dx && entries(&j, BWD_DATA, j.rows, n, out, in, 0, 0, 0, &sp)) ||
      entries(&j, BWD_WEIGHTS, j.brows, in, n, out, in, 0, 0, &sp) ||
      slots(sp))
    return 1;
  /* lookups done: the BWD_DATA entries are still there (checked once
   * more, a BWD_WEIGHTS lookup may have evicted one) */
  if (dx && (!j.e[0][BWD_DATA]->head.used || !j.e[1][BWD_DATA]->head.used))
    return 1;
  if (act != NN_LINEAR) {
    float *g = threads_scratch(THREADS_SHARED, sizeof(float) * (size_t)n * out);
    if (!g) return NN_ENOMEM;
    nn_act_backward(act, y, dy, g, n, out);
    j.g = g;
  }
  j.npieces = dx ? (n + j.rows - 1) / j.rows : 0;
  j.nblocks = (in + j.brows - 1) / j.brows;
  threads_for(j.npieces + j.nblocks, serial ? 0 : flops, bwd_tasks, &j);
  if (j.failed) return 1;
  if (db) {
    double *acc = nn_dnnl_grow(&sums, sizeof(double) * (size_t)out);
    if (!acc) return NN_ENOMEM;
    memset(acc, 0, sizeof(double) * (size_t)out);
    nn_vec_colsum(j.g, n, out, acc);
    for (int c = 0; c < out; c++) db[c] = (float)acc[c];
  }
  return NN_OK;
}

#endif
