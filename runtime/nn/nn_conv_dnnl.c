/* nn_conv_dnnl.c - Conv2D forward and backward through oneDNN (Debian's
 * libdnnl), run inside the workbook's own thread pool.
 *
 *   x (N, H, W, C)  w (KH, KW, C, F)  b (F)  ->  y (N, OH, OW, F)
 *   backward  g = dy * act'(y);  dx = conv_bwd_data(g, w)
 *             dw = conv_bwd_weights(x, g);  db = sums of g
 *
 * oneDNN's direct/brgemm convolutions (AVX-512 JIT) beat im2col + sgemm:
 * no col matrix goes through memory, and OpenBLAS here is pinned to its
 * Haswell kernels. NHWC activations are oneDNN's `nhwc` tag and Keras
 * kernels its `hwio` tag, so x, y, dy and dx are used in place; the
 * kernel is reordered on every call into the blocked layout a primitive
 * wants (weights change between calls; the reorder is a few percent).
 * Bias and relu are fused into the forward (relu as a post-op).
 *
 * Inference (nn_conv2d_infer_dnnl: predict, evaluate) runs 3x3 stride-1
 * layers on oneDNN's F(4x4, 3x3) Winograd kernel where it has one: 1.4x
 * the direct kernel on the course CNN's second layer and about 2x on
 * VGG16's, with the NHWC <-> blocked reorders of each piece counted
 * (bench/conv_layers.c); outputs within about 1e-6 of the largest of the
 * direct ones. Only that implementation is taken (for a batch of one
 * oneDNN would choose its F(2x2, 3x3) kernel, which rounds differently),
 * so a sample's bits do not depend on its batch. Winograd's kernel
 * transform costs more than a small batch's convolution, so every entry
 * keeps the hwio kernel its reordered copy was made from and skips the
 * reorder while the bytes are the same. Training keeps the direct
 * kernels (the backward passes have no Winograd path here).
 *
 * Threads. Debian's oneDNN runs on OpenMP, whose idle threads spin after
 * every primitive and took the cores from the pool (training was 1.5x
 * slower than im2col). So oneDNN never gets more than one OpenMP thread
 * here: the batch is cut into pieces of a few samples (the cut depends
 * on the shapes only), every piece is one single-threaded primitive call,
 * and the pool's threads claim the pieces. The backward-weights partial
 * sums of the pieces are added in piece order. A result therefore has
 * the same bits for any number of threads, and no OpenMP team is ever
 * started. Each pool slot has its own stream and scratchpad (user-managed
 * scratchpads make concurrent calls of one primitive safe).
 *
 * Primitives are cached per shape (a small LRU list keyed by kind,
 * NnConv2D of the piece, act and bias) and all freed at exit.
 *
 * WORKBOOK_NO_DNNL=1 in the environment turns this path off at run time
 * (for A/B timing); built with -DWB_NO_DNNL the functions below report
 * "not handled" and the im2col path always runs. The sanitizer build
 * keeps oneDNN: this glue is instrumented, the JIT code is not. */
#include "nn/nn.h"
#include "core/threads.h"

#ifdef WB_NO_DNNL

int nn_conv2d_dnnl_wanted(const NnConv2D *p, NnAct act) { return 0; }
int nn_conv2d_dnnl_backward_wanted(const NnConv2D *p, NnAct act) {
  return 0;
}
int nn_conv2d_forward_dnnl(const NnConv2D *p, const float *x, const float *w,
                           const float *b, float *y, NnAct act) {
  return 1;
}
int nn_conv2d_infer_dnnl(const NnConv2D *p, const float *x, const float *w,
                         const float *b, float *y, NnAct act) {
  return 1;
}
int nn_conv2d_maxpool_dnnl(const NnConv2D *p, const NnPool2D *q,
                           const float *x, const float *w, const float *b,
                           float *y, NnAct act) {
  return 1;
}
int nn_conv2d_dnnl_winograd(const NnConv2D *p, NnAct act, int bias) {
  return 0;
}
int nn_conv2d_backward_dnnl(const NnConv2D *p, const float *x,
                            const float *w, const float *y, const float *dy,
                            float *dx, float *dw, float *db, NnAct act) {
  return 1;
}

#else

#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_dnnl.h"

#define CACHE 48                 /* primitives kept (VGG16 has 13 convs) */
#ifndef PIECES
#define PIECES 4                 /* a batch is cut into this many pieces */
#endif
#define PIECE_MAX 16             /* samples per piece, at most */
#define PARTS_BYTES (64 << 20)   /* at most this much for dw partials */

/* INFER: the inference forward on oneDNN's Winograd kernels (blocked
 * activations, reordered from and to NHWC around each piece) */
enum { FWD, BWD_DATA, BWD_WEIGHTS, INFER, KINDS };

typedef struct {
  NnConv2D p;                    /* p.n: the piece's samples */
  int kind, act, bias;
  int team;                      /* OpenMP threads the primitive uses */
  const float *w;                /* INFER: the layer's kernel (each layer
                                    keeps its own transformed kernel) */
} Key;

typedef struct {
  NnDnnlHead head;
  Key k;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t prim;
  /* FWD/BWD_DATA/INFER: wre reorders hwio -> wmd into wbuf (NULL: hwio
   * used as is), wsrc keeps the hwio kernel wbuf was made from (the
   * reorder is skipped while w has the same bytes: Winograd's kernel
   * transform costs more than the convolution of a small batch);
   * BWD_WEIGHTS: wre reorders the diff weights wmd -> hwio */
  dnnl_primitive_t wre;
  dnnl_memory_desc_t xmd, ymd, wmd, wuser, bmd, spmd;
  size_t wbytes, spbytes;
  float *wbuf, *wsrc;
  int wok;                       /* wsrc holds what wbuf was made from */
  /* INFER: none = oneDNN has no Winograd kernel for this shape (then the
   * FWD entry runs); xre/yre reorder the piece's x into the blocked xblk
   * and the blocked result yblk into y, in slot memory after the
   * scratchpad */
  int none;
  dnnl_primitive_t xre, yre;
  dnnl_memory_desc_t xblk, yblk;
  size_t xbytes, ybytes;
} Entry;

static NnDnnlBuf parts;          /* the dw and db partials of the pieces */

static void free_entry(void *ev) {
  Entry *e = ev;
  if (e->prim) dnnl_primitive_destroy(e->prim);
  if (e->wre) dnnl_primitive_destroy(e->wre);
  if (e->xre) dnnl_primitive_destroy(e->xre);
  if (e->yre) dnnl_primitive_destroy(e->yre);
  if (e->pd) dnnl_primitive_desc_destroy(e->pd);
  free(e->wbuf);
  free(e->wsrc);
  e->prim = e->wre = e->xre = e->yre = NULL;
  e->pd = NULL;
  e->wbuf = e->wsrc = NULL;
}

static void free_parts(void) {
  free(parts.p);
  parts.p = NULL;
  parts.n = 0;
}

static int init(void) {
  static int once;
  if (!nn_dnnl_init()) return 0;
  if (!once) {
    once = 1;
    atexit(free_parts);
  }
  return 1;
}

/* Which shapes go to oneDNN (measured on the course CNN and VGG16, see
 * bench/conv_layers.c): every convolution with at least 8 filters and
 * some work per sample; tiny ones stay on im2col, whose per-call cost
 * is lower. */
static int shape_ok(const NnConv2D *p) {
  return p->f >= 8 &&
         (double)p->oh * p->ow * p->kh * p->kw * p->c * p->f >= 1e5;
}

int nn_conv2d_dnnl_wanted(const NnConv2D *p, NnAct act) {
  return shape_ok(p) && init();
}

int nn_conv2d_dnnl_backward_wanted(const NnConv2D *p, NnAct act) {
  return shape_ok(p) && init();
}

/* The F(4x4, 3x3) Winograd implementation for fd, or NULL. Only that
 * one: for a batch of one oneDNN would pick its F(2x2, 3x3) kernel, whose
 * rounding differs, and a sample's bits would depend on its batch. */
static dnnl_primitive_desc_t wino_4x3(const dnnl_convolution_desc_t *fd,
                                      dnnl_primitive_attr_t attr) {
  dnnl_primitive_desc_iterator_t it;
  dnnl_primitive_desc_t pd = NULL;
  if (dnnl_primitive_desc_iterator_create(&it, fd, attr, nn_dnnl_engine, NULL))
    return NULL;
  do {
    dnnl_primitive_desc_t q = dnnl_primitive_desc_iterator_fetch(it);
    const char *impl = NULL;
    if (!q) break;
    if (!dnnl_primitive_desc_query(q, dnnl_query_impl_info_str, 0, &impl) &&
        impl && !strncmp(impl, "jit_wino_4x3", 12)) {
      pd = q;
      break;
    }
    dnnl_primitive_desc_destroy(q);
  } while (dnnl_primitive_desc_iterator_next(it) == dnnl_success);
  dnnl_primitive_desc_iterator_destroy(it);
  return pd;
}

static int build(void *ev) {
  Entry *e = ev;
  const NnConv2D *p = &e->k.p;
  int kind = e->k.kind, act = e->k.act, bias = e->k.bias;
  dnnl_engine_t engine = nn_dnnl_engine;
  dnnl_dims_t xd = {p->n, p->c, p->h, p->w};
  dnnl_dims_t wd = {p->f, p->c, p->kh, p->kw};
  dnnl_dims_t bd = {p->f};
  dnnl_dims_t yd = {p->n, p->f, p->oh, p->ow};
  dnnl_dims_t st = {p->sh, p->sw};
  dnnl_dims_t pl = {p->pt, p->pl};
  int64_t pbh = (int64_t)(p->oh - 1) * p->sh + p->kh - p->h - p->pt;
  int64_t pbw = (int64_t)(p->ow - 1) * p->sw + p->kw - p->w - p->pl;
  dnnl_dims_t pr = {pbh > 0 ? pbh : 0, pbw > 0 ? pbw : 0};
  dnnl_memory_desc_t wany, xany, yany;
  if (dnnl_memory_desc_init_by_tag(&xany, 4, xd, dnnl_f32, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag(&yany, 4, yd, dnnl_f32, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag(&e->xmd, 4, xd, dnnl_f32, dnnl_nhwc) ||
      dnnl_memory_desc_init_by_tag(&e->ymd, 4, yd, dnnl_f32, dnnl_nhwc) ||
      dnnl_memory_desc_init_by_tag(&e->wuser, 4, wd, dnnl_f32, dnnl_hwio) ||
      dnnl_memory_desc_init_by_tag(&wany, 4, wd, dnnl_f32, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag(&e->bmd, 1, bd, dnnl_f32, dnnl_x))
    return -1;
  dnnl_primitive_attr_t attr =
      nn_dnnl_attr((kind == FWD || kind == INFER) && act == NN_RELU);
  dnnl_primitive_desc_t hint = NULL;
  int rc = -1;
  if (!attr) goto out;
  dnnl_convolution_desc_t fd, cd;
  if (kind == INFER) {
    /* no Winograd kernel (not 3x3 stride 1, channels oneDNN cannot
     * block, no AVX-512): a cached "none", the FWD entry runs instead */
    if (p->kh != 3 || p->kw != 3 || p->sh != 1 || p->sw != 1 ||
        dnnl_convolution_forward_desc_init(
            &fd, dnnl_forward_inference, dnnl_convolution_winograd, &xany,
            &wany, bias ? &e->bmd : NULL, &yany, st, pl, pr) ||
        !(e->pd = wino_4x3(&fd, attr))) {
      e->none = 1;
      rc = 0;
      goto out;
    }
    const dnnl_memory_desc_t *xm = dnnl_primitive_desc_query_md(e->pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *ym = dnnl_primitive_desc_query_md(e->pd, dnnl_query_dst_md, 0);
    if (!xm || !ym) goto out;
    e->xblk = *xm;
    e->yblk = *ym;
    e->xbytes = dnnl_memory_desc_get_size(&e->xblk);
    e->ybytes = dnnl_memory_desc_get_size(&e->yblk);
    if (nn_dnnl_make_reorder(&e->xre, &e->xmd, &e->xblk) ||
        nn_dnnl_make_reorder(&e->yre, &e->yblk, &e->ymd))
      goto out;
  } else if (dnnl_convolution_forward_desc_init(
          &fd, kind == FWD ? dnnl_forward_inference : dnnl_forward_training,
          dnnl_convolution_direct, &e->xmd, &wany, bias ? &e->bmd : NULL,
          &e->ymd, st, pl, pr))
    goto out;
  if (kind == INFER) {
    /* made above */
  } else if (kind == FWD) {
    if (dnnl_primitive_desc_create(&e->pd, &fd, attr, engine, NULL)) {
      e->pd = NULL;
      goto out;
    }
  } else {
    if (dnnl_primitive_desc_create(&hint, &fd, NULL, engine, NULL)) {
      hint = NULL;
      goto out;
    }
    if (kind == BWD_DATA
            ? dnnl_convolution_backward_data_desc_init(
                  &cd, dnnl_convolution_direct, &e->xmd, &wany, &e->ymd, st,
                  pl, pr)
            : dnnl_convolution_backward_weights_desc_init(
                  &cd, dnnl_convolution_direct, &e->xmd, &wany,
                  bias ? &e->bmd : NULL, &e->ymd, st, pl, pr))
      goto out;
    if (dnnl_primitive_desc_create(&e->pd, &cd, attr, engine, hint)) {
      e->pd = NULL;
      goto out;
    }
  }
  /* the activations must be the plain NHWC we asked for */
  dnnl_query_t qx = kind == BWD_DATA ? dnnl_query_diff_src_md : dnnl_query_src_md;
  dnnl_query_t qy = kind == FWD ? dnnl_query_dst_md : dnnl_query_diff_dst_md;
  dnnl_query_t qw = kind == BWD_WEIGHTS ? dnnl_query_diff_weights_md
                                        : dnnl_query_weights_md;
  if (kind != INFER &&
      (!nn_dnnl_md_is(e->pd, qx, &e->xmd) || !nn_dnnl_md_is(e->pd, qy, &e->ymd)))
    goto out;
  const dnnl_memory_desc_t *m = dnnl_primitive_desc_query_md(e->pd, qw, 0);
  if (!m) goto out;
  e->wmd = *m;
  e->wbytes = dnnl_memory_desc_get_size(&e->wmd);
  nn_dnnl_scratchpad(e->pd, &e->spmd, &e->spbytes);
  if (dnnl_primitive_create(&e->prim, e->pd)) { e->prim = NULL; goto out; }
  if (!dnnl_memory_desc_equal(&e->wmd, &e->wuser)) {
    if (kind == BWD_WEIGHTS
            ? nn_dnnl_make_reorder(&e->wre, &e->wmd, &e->wuser)
            : nn_dnnl_make_reorder(&e->wre, &e->wuser, &e->wmd))
      goto out;
    size_t wn = sizeof(float) * (size_t)p->kh * p->kw * p->c * p->f;
    if (kind != BWD_WEIGHTS) {
      void *wb = NULL;
      if (posix_memalign(&wb, 64, e->wbytes ? e->wbytes : 64)) goto out;
      e->wbuf = wb;
      if (!(e->wsrc = malloc(wn))) goto out;
    }
  }
  rc = 0;
out:
  if (hint) dnnl_primitive_desc_destroy(hint);
  if (attr) dnnl_primitive_attr_destroy(attr);
  return rc;
}

static Entry cache[CACHE];
static NnDnnlCache conv_cache = {cache, CACHE, sizeof(Entry),
                                 offsetof(Entry, k), sizeof(Key), build,
                                 free_entry, 0};

static Entry *lookup(const NnConv2D *p, int kind, int act, int bias,
                     int team, const float *w) {
  Key k;
  memset(&k, 0, sizeof k);
  k.p = *p;
  k.kind = kind;
  k.act = act;
  k.bias = bias;
  k.team = team;
  k.w = kind == INFER ? w : NULL;
  return nn_dnnl_lookup(&conv_cache, &k);
}

/* Where Winograd pays (bench/conv_layers.c: 1.4-2.3x on the course CNN,
 * the autoencoders and VGG16's first three blocks, slower on its
 * 512-channel 14x14 layers): the transformed kernel (144 C F bytes) is
 * at most 9.4 MB and at most 1.2 MB per 4x4 output tile of one call. */
static int wino_pays(const NnConv2D *p, int64_t per) {
  int64_t cf = (int64_t)p->c * p->f;
  int64_t tiles = per * ((p->oh + 3) / 4) * ((p->ow + 3) / 4);
  return cf <= 65536 && tiles * 8192 >= cf;
}

/* ---- the pieces of a batch --------------------------------------------- */

typedef struct {
  const NnConv2D *p;
  int64_t per;                   /* samples per piece (the last: fewer) */
  int64_t npieces;
  Entry *e[2][KINDS];            /* [full, last piece][kind] */
  const float *wk[2][KINDS];     /* the kernel each entry runs with */
  const float *x, *w, *b, *y, *dy;
  float *yout, *dx;
  float *wpart;                  /* npieces hwio partials of dw */
  float *bpart;                  /* npieces x F partials of db */
  int team;                      /* >1: one call, an OpenMP team */
  int infer;                     /* the forward runs the INFER entries */
  const NnPool2D *q;             /* forward: max pooling of the output */
  float *pout;                   /* ... into this (yout unused) */
  NnAct act;
  atomic_int failed;
} Job;

static int64_t piece_size(int64_t n) {
  int64_t s = (n + PIECES - 1) / PIECES;
  return s > PIECE_MAX ? PIECE_MAX : s;
}

static size_t align64(size_t n) { return (n + 63) / 64 * 64; }

/* A forward piece's slot memory: the scratchpad, then for INFER the
 * blocked x and y, then when pooling the piece's NHWC output (cnt
 * samples); the offsets of those three and the total. */
static size_t fwd_mem(const Entry *e, int infer, int pooled, int64_t cnt,
                      const NnConv2D *p, size_t *xoff, size_t *yoff,
                      size_t *toff) {
  size_t off = align64(e->spbytes);
  *xoff = off;
  if (infer) off += align64(e->xbytes);
  *yoff = off;
  if (infer) off += align64(e->ybytes);
  *toff = off;
  if (pooled) off += align64(sizeof(float) * (size_t)(cnt * p->oh * p->ow * p->f));
  return off;
}

static void fwd_pieces(void *ctx, int64_t lo, int64_t hi, int slot) {
  Job *j = ctx;
  const NnConv2D *p = j->p;
  const int64_t osz = (int64_t)p->oh * p->ow * p->f;
  if (j->team <= 1) nn_dnnl_one_thread();
  for (int64_t pc = lo; pc < hi; pc++) {
    int64_t n0 = pc * j->per;
    int last = n0 + j->per > p->n;
    int64_t cnt = last ? p->n - n0 : j->per;
    Entry *e = j->e[last][j->infer ? INFER : FWD];
    const float *x = j->x + n0 * p->h * p->w * p->c;
    char *mem = nn_dnnl_slot_mem(slot);
    size_t xoff, yoff, toff;
    fwd_mem(e, j->infer, j->q != NULL, cnt, p, &xoff, &yoff, &toff);
    /* the piece's NHWC output: y itself, or (pooling) slot memory */
    float *y = j->q ? (float *)(mem + toff) : j->yout + n0 * osz;
    dnnl_stream_t s = nn_dnnl_stream(slot);
    const dnnl_memory_desc_t *xmd = &e->xmd, *ymd = &e->ymd;
    float *yb = y;
    if (j->infer) {              /* NHWC -> blocked, conv, blocked -> NHWC */
      float *xb = (float *)(mem + xoff);
      yb = (float *)(mem + yoff);
      xmd = &e->xblk;
      ymd = &e->yblk;
      if (nn_dnnl_reorder(e->xre, s, &e->xmd, x, xmd, xb)) {
        j->failed = 1;
        continue;
      }
      x = xb;
    }
    NnDnnlArg a[4] = {{DNNL_ARG_SRC, xmd, x},
                {DNNL_ARG_WEIGHTS, &e->wmd, j->wk[last][j->infer ? INFER : FWD]},
                {DNNL_ARG_DST, ymd, yb},
                {DNNL_ARG_BIAS, &e->bmd, j->b}};
    if (nn_dnnl_run(e->prim, s, a, j->b ? 4 : 3,
            e->spbytes ? &e->spmd : NULL, mem) ||
        (j->infer && nn_dnnl_reorder(e->yre, s, ymd, yb, &e->ymd, y))) {
      j->failed = 1;
      continue;
    }
    if (j->q) {                  /* pooled while the piece is in cache */
      const int64_t psz = (int64_t)j->q->oh * j->q->ow * p->f;
      for (int64_t k = 0; k < cnt; k++)
        nn_maxpool2d_forward_one(j->q, y + k * osz, j->pout + (n0 + k) * psz);
    }
  }
}

static void bwd_pieces(void *ctx, int64_t lo, int64_t hi, int slot) {
  Job *j = ctx;
  const NnConv2D *p = j->p;
  nn_dnnl_one_thread();
  const int64_t opix = (int64_t)p->oh * p->ow, wn = (int64_t)p->kh * p->kw * p->c * p->f;
  for (int64_t pc = lo; pc < hi; pc++) {
    int64_t n0 = pc * j->per;
    int last = n0 + j->per > p->n;
    int64_t cnt = last ? p->n - n0 : j->per;
    Entry *ed = j->e[last][BWD_DATA], *ew = j->e[last][BWD_WEIGHTS];
    size_t sp = ed && ed->spbytes > ew->spbytes ? ed->spbytes : ew->spbytes;
    char *mem0 = nn_dnnl_slot_mem(slot);
    float *g = (float *)(mem0 + (sp + 63) / 64 * 64);
    float *wtmp = g + (j->act != NN_LINEAR ? (cnt * opix * p->f + 15) / 16 * 16 : 0);
    const float *gp = j->dy + n0 * opix * p->f;
    if (j->act != NN_LINEAR) {
      nn_act_backward(j->act, j->y + n0 * opix * p->f, gp, g, cnt * opix, p->f);
      gp = g;
    }
    if (ed) {
      NnDnnlArg a[3] = {{DNNL_ARG_DIFF_DST, &ed->ymd, gp},
                  {DNNL_ARG_WEIGHTS, &ed->wmd, j->wk[last][BWD_DATA]},
                  {DNNL_ARG_DIFF_SRC, &ed->xmd,
                   j->dx + n0 * p->h * p->w * p->c}};
      if (nn_dnnl_run(ed->prim, nn_dnnl_stream(slot), a, 3, ed->spbytes ? &ed->spmd : NULL,
              mem0))
        j->failed = 1;
    }
    float *part = j->wpart + pc * wn;
    float *dwl = ew->wre ? wtmp : part;
    NnDnnlArg a[4] = {{DNNL_ARG_SRC, &ew->xmd, j->x + n0 * p->h * p->w * p->c},
                {DNNL_ARG_DIFF_DST, &ew->ymd, gp},
                {DNNL_ARG_DIFF_WEIGHTS, &ew->wmd, dwl},
                {DNNL_ARG_DIFF_BIAS, &ew->bmd, j->bpart + pc * p->f}};
    if (nn_dnnl_run(ew->prim, nn_dnnl_stream(slot), a, ew->k.bias ? 4 : 3,
            ew->spbytes ? &ew->spmd : NULL, mem0) ||
        (ew->wre && nn_dnnl_reorder(ew->wre, nn_dnnl_stream(slot), &ew->wmd, dwl,
                            &ew->wuser, part)))
      j->failed = 1;
  }
}

/* Look up the primitives of the pieces, reorder w for them, and size the
 * per-slot memory; 0 on success. */
static int prepare(Job *j, const int *kinds, int nk, int act, int bias) {
  const NnConv2D *p = j->p;
  j->per = j->team > 1 ? p->n : piece_size(p->n);
  j->npieces = (p->n + j->per - 1) / j->per;
  int nthr = threads_count();
  if (nn_dnnl_streams(nthr)) return -1;
  size_t need = 0;
  for (int last = 0; last < 2; last++) {
    int64_t cnt = last ? p->n - (j->npieces - 1) * j->per : j->per;
    if (last && cnt == j->per) {
      memcpy(j->e[1], j->e[0], sizeof j->e[0]);
      break;
    }
    NnConv2D q = *p;
    q.n = (int)cnt;
    size_t sp = 0;
    for (int i = 0; i < nk; i++) {
      Entry *e = lookup(&q, kinds[i], act, bias, j->team > 1 ? j->team : 1, j->w);
      if (!e) return -1;
      j->e[last][kinds[i]] = e;
      if (e->spbytes > sp) sp = e->spbytes;
    }
    size_t b = (sp + 63) / 64 * 64;
    Entry *ef = j->e[last][j->infer ? INFER : FWD];   /* NULL: a backward */
    if (ef) {
      size_t xoff, yoff, toff;
      b = fwd_mem(ef, j->infer, j->q != NULL, cnt, p, &xoff, &yoff, &toff);
    }
    if (j->e[last][BWD_WEIGHTS]) {
      const Entry *ew = j->e[last][BWD_WEIGHTS];
      if (j->act != NN_LINEAR)
        b += sizeof(float) * (size_t)((cnt * p->oh * p->ow * p->f + 15) / 16 * 16);
      if (ew->wre) b += ew->wbytes;
    }
    if (b > need) need = b;
  }
  /* entries are looked up before any is used: a lookup may evict */
  for (int last = 0; last < 2; last++)
    for (int i = 0; i < nk; i++)
      if (!j->e[last][kinds[i]] || !j->e[last][kinds[i]]->head.used)
        return -1;
  if (nn_dnnl_slots_grow(nthr, need ? need : 64)) return -1;
  /* the kernel in each entry's layout: the last piece shares the full
   * pieces' copy when the layouts agree; a copy is remade only when w's
   * bytes changed since it was made */
  size_t wn = sizeof(float) * (size_t)p->kh * p->kw * p->c * p->f;
  for (int i = 0; i < nk; i++) {
    int k = kinds[i];
    if (k == BWD_WEIGHTS) continue;
    for (int last = 0; last < 2; last++) {
      Entry *e = j->e[last][k], *e0 = j->e[0][k];
      j->wk[last][k] = j->w;
      if (!e->wre) continue;
      if (last && (e == e0 || (e0->wre && dnnl_memory_desc_equal(&e->wmd, &e0->wmd)))) {
        j->wk[1][k] = j->wk[0][k];
        continue;
      }
      if (!e->wok || memcmp(e->wsrc, j->w, wn)) {
        e->wok = 0;
        if (nn_dnnl_reorder(e->wre, nn_dnnl_stream(0), &e->wuser, j->w, &e->wmd,
                            e->wbuf))
          return -1;
        memcpy(e->wsrc, j->w, wn);
        e->wok = 1;
      }
      j->wk[last][k] = e->wbuf;
    }
  }
  return 0;
}

/* NN_OK, or 1: not handled (use im2col). infer: Winograd where oneDNN
 * has it (INFER entries), else the FWD ones. q: y is the max pooling q
 * of the output (act linear or relu only). */
static int forward(const NnConv2D *p, const float *x, const float *w,
                   const float *b, float *y, NnAct act, int infer,
                   const NnPool2D *q) {
  if (p->n == 0) return NN_OK;
  if (!init()) return 1;
  if (q && act != NN_LINEAR && act != NN_RELU) return 1;
  Job j = {.p = p, .x = x, .w = w, .b = b, .yout = y, .act = act,
           .infer = infer, .q = q, .pout = y};
  int kinds[1] = {infer ? INFER : FWD};
  int fused = act == NN_RELU ? NN_RELU : NN_LINEAR;
  double flops = 2.0 * p->n * p->oh * p->ow * p->kh * p->kw * p->c * p->f;
  /* Fewer pieces than threads (a batch of one, VGG16 on an image): one
   * call on an OpenMP team of the pool's size instead. Each output is
   * still summed by one thread in a fixed order (oneDNN splits the
   * forward over outputs), so the bits do not depend on the team. */
  int nthr = threads_count();
  if (nthr > 1 && (p->n + piece_size(p->n) - 1) / piece_size(p->n) < nthr &&
      flops >= THREADS_MIN_FLOPS)
    j.team = nthr;
  if (infer && !wino_pays(p, j.team > 1 ? p->n : piece_size(p->n))) {
    j.infer = 0;
    kinds[0] = FWD;
  }
  if (j.team > 1) omp_set_num_threads(j.team);
  else nn_dnnl_one_thread();
  int rc = prepare(&j, kinds, 1, fused, b != NULL);
  if (!rc && j.infer && (j.e[0][INFER]->none || j.e[1][INFER]->none)) {
    j.infer = 0;                 /* no Winograd kernel for this shape */
    kinds[0] = FWD;
    rc = prepare(&j, kinds, 1, fused, b != NULL);
  }
  if (!rc && j.team > 1) fwd_pieces(&j, 0, 1, 0);
  else if (!rc) threads_for(j.npieces, flops, fwd_pieces, &j);
  nn_dnnl_one_thread();
  if (rc || j.failed) return 1;
  if (act != NN_RELU && act != NN_LINEAR)
    nn_act_forward(act, y, y, (int64_t)p->n * p->oh * p->ow, p->f);
  return NN_OK;
}

int nn_conv2d_forward_dnnl(const NnConv2D *p, const float *x, const float *w,
                           const float *b, float *y, NnAct act) {
  return forward(p, x, w, b, y, act, 0, NULL);
}

int nn_conv2d_infer_dnnl(const NnConv2D *p, const float *x, const float *w,
                         const float *b, float *y, NnAct act) {
  return forward(p, x, w, b, y, act, 1, NULL);
}

int nn_conv2d_maxpool_dnnl(const NnConv2D *p, const NnPool2D *q,
                           const float *x, const float *w, const float *b,
                           float *y, NnAct act) {
  return forward(p, x, w, b, y, act, 1, q);
}

int nn_conv2d_dnnl_winograd(const NnConv2D *p, NnAct act, int bias) {
  if (p->n == 0 || !shape_ok(p) || !init()) return 0;
  NnConv2D q = *p;
  q.n = (int)piece_size(p->n);
  if (!wino_pays(p, q.n)) return 0;
  int fused = act == NN_RELU ? NN_RELU : NN_LINEAR;
  Entry *e = lookup(&q, INFER, fused, bias, 1, NULL);
  return e && !e->none;
}

int nn_conv2d_backward_dnnl(const NnConv2D *p, const float *x,
                            const float *w, const float *y, const float *dy,
                            float *dx, float *dw, float *db, NnAct act) {
  if (p->n == 0) return 1;
  if (!init()) return 1;
  nn_dnnl_one_thread();
  const int64_t wn = (int64_t)p->kh * p->kw * p->c * p->f;
  Job j = {.p = p, .x = x, .w = w, .y = y, .dy = dy, .dx = dx, .act = act};
  int kinds[2] = {BWD_WEIGHTS, BWD_DATA};
  int64_t per = piece_size(p->n), np = (p->n + per - 1) / per;
  size_t pbytes = sizeof(float) * (size_t)(np * wn + np * p->f);
  if (pbytes > PARTS_BYTES) return 1;
  if (prepare(&j, kinds, dx ? 2 : 1, NN_LINEAR, 1)) return 1;
  j.wpart = nn_dnnl_grow(&parts, pbytes);
  if (!j.wpart) return 1;
  j.bpart = j.wpart + np * wn;
  double flops = 2.0 * p->n * p->oh * p->ow * p->kh * p->kw * p->c * p->f;
  threads_for(j.npieces, flops * (dx ? 2 : 1), bwd_pieces, &j);
  if (j.failed) return 1;
  memcpy(dw, j.wpart, sizeof *dw * (size_t)wn);
  for (int64_t pc = 1; pc < j.npieces; pc++)
    nn_vec_add(dw, j.wpart + pc * wn, wn);
  if (db)
    for (int64_t f = 0; f < p->f; f++) {
      float s = 0;
      for (int64_t pc = 0; pc < j.npieces; pc++) s += j.bpart[pc * p->f + f];
      db[f] = s;
    }
  return NN_OK;
}

#endif
