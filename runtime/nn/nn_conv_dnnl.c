/* nn_conv_dnnl.c - the Conv2D forward through oneDNN (Debian's libdnnl).
 *
 *   x (N, H, W, C)  w (KH, KW, C, F)  b (F)  ->  y (N, OH, OW, F)
 *
 * oneDNN's direct/brgemm convolutions (AVX-512 JIT) beat im2col + sgemm
 * on large images: no col matrix goes through memory. NHWC activations
 * are oneDNN's `nhwc` tag and Keras kernels its `hwio` tag, so x and y
 * are used in place; the kernel is reordered on every call into the
 * blocked layout the primitive wants (weights may change between calls,
 * and the reorder is a few percent of the convolution). Bias and relu
 * are fused (relu as an eltwise post-op); other acts run afterwards.
 *
 * Primitives are cached per shape (a small LRU list, keyed by NnConv2D,
 * act, bias or not, and the thread count), and all freed at exit.
 * oneDNN here runs on OpenMP: its thread count is set to the pool's
 * (threads_count) before each call. For a fixed thread count the result
 * is deterministic (each output is summed by one thread in a fixed
 * order); across thread counts it may differ in the last bits, so the
 * fast path is only taken when the work is large (nn_conv2d_dnnl_wanted).
 *
 * WORKBOOK_NO_DNNL=1 in the environment turns this path off at run time
 * (for A/B timing); built with -DWB_NO_DNNL the functions below report
 * "not handled" and the im2col path always runs. The sanitizer build
 * keeps oneDNN: this glue is instrumented, the JIT code is not. */
#include "nn/nn.h"
#include "core/threads.h"

#ifdef WB_NO_DNNL

int nn_conv2d_dnnl_wanted(const NnConv2D *p, NnAct act) { return 0; }
int nn_conv2d_forward_dnnl(const NnConv2D *p, const float *x, const float *w,
                           const float *b, float *y, NnAct act) {
  return 1;
}

#else

#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE 24                 /* primitives kept (VGG16 has 13 convs) */
#define MIN_PIXELS (14 * 14)     /* output pixels per sample, at least */

typedef struct {
  NnConv2D p;
  int act, bias, nthr;
  unsigned long used;            /* LRU stamp; 0: empty */
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t conv, wreorder;  /* wreorder NULL: hwio used as is */
  dnnl_memory_desc_t xmd, wmd, bmd, ymd, wuser;
  float *wbuf;                   /* reordered kernel */
} Entry;

static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int state;                /* 0 untried, 1 ready, -1 unusable */
static Entry cache[CACHE];
static unsigned long clock_;

static void free_entry(Entry *e) {
  if (e->conv) dnnl_primitive_destroy(e->conv);
  if (e->wreorder) dnnl_primitive_destroy(e->wreorder);
  if (e->pd) dnnl_primitive_desc_destroy(e->pd);
  free(e->wbuf);
  memset(e, 0, sizeof *e);
}

static void cleanup(void) {
  for (int i = 0; i < CACHE; i++) free_entry(&cache[i]);
  if (stream) dnnl_stream_destroy(stream);
  if (engine) dnnl_engine_destroy(engine);
  stream = NULL;
  engine = NULL;
}

static int init(void) {
  if (state) return state > 0;
  state = -1;
  if (getenv("WORKBOOK_NO_DNNL")) return 0;
  if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) return 0;
  if (dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) !=
      dnnl_success) {
    dnnl_engine_destroy(engine);
    engine = NULL;
    return 0;
  }
  atexit(cleanup);
  state = 1;
  return 1;
}

int nn_conv2d_dnnl_wanted(const NnConv2D *p, NnAct act) {
  /* large images only: small ones are fast enough with im2col, and
   * keep results independent of the thread count there */
  return (int64_t)p->oh * p->ow >= MIN_PIXELS && p->c >= 3 && p->f >= 16 &&
         init();
}

static int same_key(const Entry *e, const NnConv2D *p, int act, int bias,
                    int nthr) {
  const NnConv2D *q = &e->p;
  return e->used && q->n == p->n && q->h == p->h && q->w == p->w &&
         q->c == p->c && q->kh == p->kh && q->kw == p->kw && q->f == p->f &&
         q->sh == p->sh && q->sw == p->sw && q->same == p->same &&
         q->oh == p->oh && q->ow == p->ow && q->pt == p->pt &&
         q->pl == p->pl && e->act == act && e->bias == bias &&
         e->nthr == nthr;
}

static int build(Entry *e, const NnConv2D *p, int act, int bias, int nthr) {
  memset(e, 0, sizeof *e);
  e->p = *p;
  e->act = act;
  e->bias = bias;
  e->nthr = nthr;
  dnnl_dims_t xd = {p->n, p->c, p->h, p->w};
  dnnl_dims_t wd = {p->f, p->c, p->kh, p->kw};
  dnnl_dims_t bd = {p->f};
  dnnl_dims_t yd = {p->n, p->f, p->oh, p->ow};
  dnnl_dims_t st = {p->sh, p->sw};
  dnnl_dims_t pl = {p->pt, p->pl};
  int64_t pbh = (int64_t)(p->oh - 1) * p->sh + p->kh - p->h - p->pt;
  int64_t pbw = (int64_t)(p->ow - 1) * p->sw + p->kw - p->w - p->pl;
  dnnl_dims_t pr = {pbh > 0 ? pbh : 0, pbw > 0 ? pbw : 0};
  dnnl_memory_desc_t wany;
  if (dnnl_memory_desc_init_by_tag(&e->xmd, 4, xd, dnnl_f32, dnnl_nhwc) ||
      dnnl_memory_desc_init_by_tag(&e->ymd, 4, yd, dnnl_f32, dnnl_nhwc) ||
      dnnl_memory_desc_init_by_tag(&e->wuser, 4, wd, dnnl_f32, dnnl_hwio) ||
      dnnl_memory_desc_init_by_tag(&wany, 4, wd, dnnl_f32, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag(&e->bmd, 1, bd, dnnl_f32, dnnl_x))
    return -1;
  dnnl_convolution_desc_t cd;
  if (dnnl_convolution_forward_desc_init(
          &cd, dnnl_forward_inference, dnnl_convolution_direct, &e->xmd,
          &wany, bias ? &e->bmd : NULL, &e->ymd, st, pl, pr))
    return -1;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  int rc = -1;
  if (dnnl_primitive_attr_create(&attr)) goto out;
  if (act == NN_RELU) {
    if (dnnl_post_ops_create(&ops) ||
        dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0, 0) ||
        dnnl_primitive_attr_set_post_ops(attr, ops))
      goto out;
  }
  if (dnnl_primitive_desc_create(&e->pd, &cd, attr, engine, NULL)) {
    e->pd = NULL;
    goto out;
  }
  /* the src/dst descriptors must be the plain ones we asked for */
  const dnnl_memory_desc_t *m;
  m = dnnl_primitive_desc_query_md(e->pd, dnnl_query_src_md, 0);
  if (!m || !dnnl_memory_desc_equal(m, &e->xmd)) goto out;
  m = dnnl_primitive_desc_query_md(e->pd, dnnl_query_dst_md, 0);
  if (!m || !dnnl_memory_desc_equal(m, &e->ymd)) goto out;
  m = dnnl_primitive_desc_query_md(e->pd, dnnl_query_weights_md, 0);
  if (!m) goto out;
  e->wmd = *m;
  if (dnnl_primitive_create(&e->conv, e->pd)) { e->conv = NULL; goto out; }
  if (!dnnl_memory_desc_equal(&e->wmd, &e->wuser)) {
    dnnl_primitive_desc_t rpd;
    if (dnnl_reorder_primitive_desc_create(&rpd, &e->wuser, engine, &e->wmd,
                                           engine, NULL))
      goto out;
    dnnl_status_t s = dnnl_primitive_create(&e->wreorder, rpd);
    dnnl_primitive_desc_destroy(rpd);
    if (s) { e->wreorder = NULL; goto out; }
    size_t bytes = dnnl_memory_desc_get_size(&e->wmd);
    if (posix_memalign((void **)&e->wbuf, 64, bytes ? bytes : 64)) {
      e->wbuf = NULL;
      goto out;
    }
  }
  rc = 0;
out:
  if (ops) dnnl_post_ops_destroy(ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (rc) free_entry(e);
  return rc;
}

static Entry *lookup(const NnConv2D *p, int act, int bias, int nthr) {
  Entry *victim = &cache[0];
  for (int i = 0; i < CACHE; i++) {
    Entry *e = &cache[i];
    if (same_key(e, p, act, bias, nthr)) {
      e->used = ++clock_;
      return e;
    }
    if (e->used < victim->used) victim = e;
  }
  free_entry(victim);
  if (build(victim, p, act, bias, nthr)) return NULL;
  victim->used = ++clock_;
  return victim;
}

static dnnl_memory_t mem(const dnnl_memory_desc_t *md, const void *ptr) {
  dnnl_memory_t m;
  if (dnnl_memory_create(&m, md, engine, (void *)ptr)) return NULL;
  return m;
}

/* NN_OK, or 1: not handled (use im2col) */
int nn_conv2d_forward_dnnl(const NnConv2D *p, const float *x, const float *w,
                           const float *b, float *y, NnAct act) {
  if (!init()) return 1;
  int nthr = threads_count();
  Entry *e = lookup(p, act == NN_RELU ? NN_RELU : NN_LINEAR, b != NULL, nthr);
  if (!e) return 1;
  if (omp_get_max_threads() != nthr) omp_set_num_threads(nthr);
  int rc = 1;
  dnnl_memory_t mx = mem(&e->xmd, x), my = mem(&e->ymd, y);
  dnnl_memory_t mw = mem(&e->wuser, w), mb = b ? mem(&e->bmd, b) : NULL;
  dnnl_memory_t mwr = e->wreorder ? mem(&e->wmd, e->wbuf) : NULL;
  if (!mx || !my || !mw || (b && !mb) || (e->wreorder && !mwr)) goto out;
  if (e->wreorder) {
    dnnl_exec_arg_t ra[2] = {{DNNL_ARG_FROM, mw}, {DNNL_ARG_TO, mwr}};
    if (dnnl_primitive_execute(e->wreorder, stream, 2, ra)) goto out;
  }
  dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, mx},
                             {DNNL_ARG_WEIGHTS, mwr ? mwr : mw},
                             {DNNL_ARG_DST, my},
                             {DNNL_ARG_BIAS, mb}};
  if (dnnl_primitive_execute(e->conv, stream, b ? 4 : 3, args)) goto out;
  if (dnnl_stream_wait(stream)) goto out;
  rc = NN_OK;
out:
  if (mx) dnnl_memory_destroy(mx);
  if (my) dnnl_memory_destroy(my);
  if (mw) dnnl_memory_destroy(mw);
  if (mb) dnnl_memory_destroy(mb);
  if (mwr) dnnl_memory_destroy(mwr);
  if (rc == NN_OK && act != NN_RELU && act != NN_LINEAR)
    nn_act_forward(act, y, y, (int64_t)p->n * p->oh * p->ow, p->f);
  return rc;
}

#endif
