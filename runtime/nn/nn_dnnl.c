/* nn_dnnl.c - the oneDNN glue shared by the nn kernels (nn_dnnl.h):
 * engine, one OpenMP thread, per-slot streams and memory, memory
 * wrapping, running primitives, and small LRU primitive caches. */
#include "nn/nn_dnnl.h"

#ifdef WB_NO_DNNL

int nn_dnnl_init(void) { return 0; }

#else

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"

#define CACHES_MAX 8

dnnl_engine_t nn_dnnl_engine;
static dnnl_stream_t streams[THREADS_MAX];
static NnDnnlBuf slotmem[THREADS_MAX];
static NnDnnlCache *caches[CACHES_MAX];
static int ncaches;
static int state;                /* 0 untried, 1 ready, -1 unusable */

void *nn_dnnl_grow(NnDnnlBuf *b, size_t bytes) {
  if (b->n >= bytes && b->p) return b->p;
  void *q = NULL;
  size_t m = (bytes + 63) / 64 * 64;
  if (m == 0) m = 64;
  if (posix_memalign(&q, 64, m)) return NULL;
  free(b->p);
  b->p = q;
  b->n = m;
  return q;
}

static void cache_empty(NnDnnlCache *c) {
  for (int i = 0; i < c->count; i++) {
    char *e = (char *)c->entries + (size_t)i * c->size;
    if (((NnDnnlHead *)e)->used) c->release(e);
    memset(e, 0, c->size);
  }
}

static void cleanup(void) {
  for (int i = 0; i < ncaches; i++) cache_empty(caches[i]);
  for (int i = 0; i < THREADS_MAX; i++) {
    if (streams[i]) dnnl_stream_destroy(streams[i]);
    streams[i] = NULL;
    free(slotmem[i].p);
    slotmem[i].p = NULL;
    slotmem[i].n = 0;
  }
  if (nn_dnnl_engine) dnnl_engine_destroy(nn_dnnl_engine);
  nn_dnnl_engine = NULL;
}

void nn_dnnl_one_thread(void) {
  if (omp_get_max_threads() != 1) omp_set_num_threads(1);
}

int nn_dnnl_init(void) {
  if (state) return state > 0;
  state = -1;
  if (getenv("WORKBOOK_NO_DNNL")) return 0;
  nn_dnnl_one_thread();
  if (dnnl_engine_create(&nn_dnnl_engine, dnnl_cpu, 0) != dnnl_success)
    return 0;
  atexit(cleanup);
  state = 1;
  return 1;
}

int nn_dnnl_streams(int nthr) {
  for (int i = 0; i < nthr; i++)
    if (!streams[i] && dnnl_stream_create(&streams[i], nn_dnnl_engine,
                                          dnnl_stream_default_flags))
      return -1;
  return 0;
}

dnnl_stream_t nn_dnnl_stream(int slot) { return streams[slot]; }

int nn_dnnl_slots_grow(int nthr, size_t bytes) {
  for (int i = 0; i < nthr; i++)
    if (!nn_dnnl_grow(&slotmem[i], bytes)) return -1;
  return 0;
}

void *nn_dnnl_slot_mem(int slot) { return slotmem[slot].p; }

dnnl_primitive_attr_t nn_dnnl_attr(int relu) {
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  if (dnnl_primitive_attr_create(&attr)) return NULL;
  if (dnnl_primitive_attr_set_scratchpad_mode(attr,
                                              dnnl_scratchpad_mode_user) ||
      (relu &&
       (dnnl_post_ops_create(&ops) ||
        dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0, 0) ||
        dnnl_primitive_attr_set_post_ops(attr, ops)))) {
    if (ops) dnnl_post_ops_destroy(ops);
    dnnl_primitive_attr_destroy(attr);
    return NULL;
  }
  if (ops) dnnl_post_ops_destroy(ops);   /* the attribute keeps a copy */
  return attr;
}

void nn_dnnl_scratchpad(dnnl_primitive_desc_t pd, dnnl_memory_desc_t *md,
                        size_t *bytes) {
  const dnnl_memory_desc_t *m =
      dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
  *bytes = 0;
  if (m) {
    *md = *m;
    *bytes = dnnl_memory_desc_get_size(m);
  }
}

int nn_dnnl_md_is(dnnl_primitive_desc_t pd, dnnl_query_t q,
                  const dnnl_memory_desc_t *want) {
  const dnnl_memory_desc_t *m = dnnl_primitive_desc_query_md(pd, q, 0);
  return m && dnnl_memory_desc_equal(m, want);
}

int nn_dnnl_make_reorder(dnnl_primitive_t *r, const dnnl_memory_desc_t *from,
                         const dnnl_memory_desc_t *to) {
  dnnl_primitive_desc_t rpd;
  if (dnnl_reorder_primitive_desc_create(&rpd, from, nn_dnnl_engine, to,
                                         nn_dnnl_engine, NULL))
    return -1;
  dnnl_status_t s = dnnl_primitive_create(r, rpd);
  dnnl_primitive_desc_destroy(rpd);
  if (s) {
    *r = NULL;
    return -1;
  }
  return 0;
}

static dnnl_memory_t mem(const dnnl_memory_desc_t *md, const void *ptr) {
  dnnl_memory_t m;
  if (dnnl_memory_create(&m, md, nn_dnnl_engine, (void *)ptr)) return NULL;
  return m;
}

int nn_dnnl_run(dnnl_primitive_t prim, dnnl_stream_t s, const NnDnnlArg *a,
                int na, const dnnl_memory_desc_t *spmd, void *sp) {
  dnnl_exec_arg_t ea[9];
  int n = 0, rc = -1;
  if (na > 8) return -1;
  for (int i = 0; i < na; i++) {
    ea[n].arg = a[i].arg;
    ea[n].memory = mem(a[i].md, a[i].ptr);
    if (!ea[n++].memory) goto out;
  }
  if (spmd) {
    ea[n].arg = DNNL_ARG_SCRATCHPAD;
    ea[n].memory = mem(spmd, sp);
    if (!ea[n++].memory) goto out;
  }
  if (dnnl_primitive_execute(prim, s, n, ea) == dnnl_success &&
      dnnl_stream_wait(s) == dnnl_success)
    rc = 0;
out:
  for (int i = 0; i < n; i++)
    if (ea[i].memory) dnnl_memory_destroy(ea[i].memory);
  return rc;
}

static int point(dnnl_memory_t *m, const dnnl_memory_desc_t *md,
                 const void *ptr) {
  if (!*m) return !(*m = mem(md, ptr));
  return dnnl_memory_set_data_handle(*m, (void *)ptr) != dnnl_success;
}

int nn_dnnl_run_kept(dnnl_primitive_t prim, dnnl_stream_t s,
                     const NnDnnlArg *a, int na,
                     const dnnl_memory_desc_t *spmd, void *sp,
                     dnnl_memory_t *kept) {
  dnnl_exec_arg_t ea[9];
  int n = 0;
  if (na > 8) return -1;
  for (int i = 0; i < na; i++, n++) {
    if (point(&kept[i], a[i].md, a[i].ptr)) return -1;
    ea[n].arg = a[i].arg;
    ea[n].memory = kept[i];
  }
  if (spmd) {
    if (point(&kept[na], spmd, sp)) return -1;
    ea[n].arg = DNNL_ARG_SCRATCHPAD;
    ea[n++].memory = kept[na];
  }
  return dnnl_primitive_execute(prim, s, n, ea) != dnnl_success ||
         dnnl_stream_wait(s) != dnnl_success;
}

void nn_dnnl_kept_free(dnnl_memory_t *kept, int n) {
  for (int i = 0; i < n; i++) {
    if (kept[i]) dnnl_memory_destroy(kept[i]);
    kept[i] = NULL;
  }
}

int nn_dnnl_reorder(dnnl_primitive_t r, dnnl_stream_t s,
                    const dnnl_memory_desc_t *from, const void *src,
                    const dnnl_memory_desc_t *to, void *dst) {
  NnDnnlArg a[2] = {{DNNL_ARG_FROM, from, src}, {DNNL_ARG_TO, to, dst}};
  return nn_dnnl_run(r, s, a, 2, NULL, NULL);
}

void *nn_dnnl_lookup(NnDnnlCache *c, const void *key) {
  static unsigned long clock_;
  if (!c->registered) {
    if (ncaches == CACHES_MAX) return NULL;
    caches[ncaches++] = c;
    c->registered = 1;
  }
  char *victim = c->entries;
  for (int i = 0; i < c->count; i++) {
    char *e = (char *)c->entries + (size_t)i * c->size;
    NnDnnlHead *h = (NnDnnlHead *)e;
    if (h->used && !memcmp(e + c->key_off, key, c->key_size)) {
      h->used = ++clock_;
      return e;
    }
    if (h->used < ((NnDnnlHead *)victim)->used) victim = e;
  }
  if (((NnDnnlHead *)victim)->used) c->release(victim);
  memset(victim, 0, c->size);
  memcpy(victim + c->key_off, key, c->key_size);
  if (c->build(victim)) {
    c->release(victim);
    memset(victim, 0, c->size);
    return NULL;
  }
  ((NnDnnlHead *)victim)->used = ++clock_;
  return victim;
}

#endif
