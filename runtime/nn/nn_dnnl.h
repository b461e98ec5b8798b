/* nn_dnnl.h - the oneDNN glue shared by the nn kernels that run oneDNN
 * primitives inside the workbook's thread pool (nn_conv_dnnl.c,
 * nn_dense.c).
 *
 * The pattern: a kernel cuts its work into fixed pieces (depending on
 * the shapes only), every piece is one single-threaded primitive call on
 * the stream of the pool slot running it, with a user scratchpad from
 * that slot's memory; primitives live in a small LRU cache per kernel.
 * oneDNN never gets more than one OpenMP thread (Debian's oneDNN runs on
 * OpenMP, whose idle threads would spin against the pool), so no OpenMP
 * team is started and results have the same bits for any thread count.
 *
 * nn_dnnl_init() says whether oneDNN is usable: not when built with
 * -DWB_NO_DNNL (then this header declares nothing else) or when
 * WORKBOOK_NO_DNNL is set in the environment. Everything is freed at
 * exit (caches first, then streams, memory, the engine). */
#ifndef WB_NN_DNNL_H
#define WB_NN_DNNL_H

#include <stddef.h>

/* 1 when oneDNN is usable (first call: makes the engine), else 0 */
int nn_dnnl_init(void);

#ifndef WB_NO_DNNL
#include <oneapi/dnnl/dnnl.h>

extern dnnl_engine_t nn_dnnl_engine;

/* This thread's OpenMP team size becomes 1: oneDNN then runs a primitive
 * on the calling thread and starts no OpenMP threads (it also sizes a new
 * primitive's work split by it). Call in every piece. */
void nn_dnnl_one_thread(void);

/* Streams for pool slots 0..nthr-1 (made by the calling Lua thread);
 * 0 on success. nn_dnnl_stream(slot): that slot's stream. */
int nn_dnnl_streams(int nthr);
dnnl_stream_t nn_dnnl_stream(int slot);

/* Grow-only 64-byte aligned buffer; the old contents are not kept. */
typedef struct { void *p; size_t n; } NnDnnlBuf;
void *nn_dnnl_grow(NnDnnlBuf *b, size_t bytes);

/* Per-slot memory (scratchpads and a kernel's temporaries), grown for
 * slots 0..nthr-1 by the Lua thread before the pieces run (0 on
 * success); a piece then uses nn_dnnl_slot_mem(slot). Shared by all
 * kernels: only one kernel runs at a time. */
int nn_dnnl_slots_grow(int nthr, size_t bytes);
void *nn_dnnl_slot_mem(int slot);

/* A primitive attribute with a user scratchpad and, when relu, a relu
 * post-op; NULL on failure (free with dnnl_primitive_attr_destroy). */
dnnl_primitive_attr_t nn_dnnl_attr(int relu);

/* The scratchpad md and bytes a primitive descriptor asks for. */
void nn_dnnl_scratchpad(dnnl_primitive_desc_t pd, dnnl_memory_desc_t *md,
                        size_t *bytes);

/* 1 when pd's md for q (index 0) equals want */
int nn_dnnl_md_is(dnnl_primitive_desc_t pd, dnnl_query_t q,
                  const dnnl_memory_desc_t *want);

/* A reorder primitive from -> to; 0 on success. */
int nn_dnnl_make_reorder(dnnl_primitive_t *r, const dnnl_memory_desc_t *from,
                         const dnnl_memory_desc_t *to);

/* Run prim on stream s with up to 8 (arg, md, pointer) triples, plus the
 * scratchpad sp (spmd NULL: none), and wait; 0 on success. */
typedef struct {
  int arg;
  const dnnl_memory_desc_t *md;
  const void *ptr;
} NnDnnlArg;
int nn_dnnl_run(dnnl_primitive_t prim, dnnl_stream_t s, const NnDnnlArg *a,
                int na, const dnnl_memory_desc_t *spmd, void *sp);
/* As nn_dnnl_run, but the memory objects live on in kept[0..na] (the
 * scratchpad's last): NULL ones are made for the mds, later calls only
 * point them at the new data. kept belongs to one primitive and one pool
 * slot (the args and mds must be the same on every call); free it with
 * nn_dnnl_kept_free. Saves about 0.15 us per argument and call. */
int nn_dnnl_run_kept(dnnl_primitive_t prim, dnnl_stream_t s,
                     const NnDnnlArg *a, int na,
                     const dnnl_memory_desc_t *spmd, void *sp,
                     dnnl_memory_t *kept);
void nn_dnnl_kept_free(dnnl_memory_t *kept, int n);
int nn_dnnl_reorder(dnnl_primitive_t r, dnnl_stream_t s,
                    const dnnl_memory_desc_t *from, const void *src,
                    const dnnl_memory_desc_t *to, void *dst);

/* A small LRU cache of primitives. An entry type starts with an
 * NnDnnlHead, and its key (a plain struct, zeroed before it is filled so
 * it compares with memcmp) sits at key_off. build makes an entry for a
 * key (the entry is zeroed, its key already copied; 0 on success);
 * release frees what build made. Caches register themselves on first
 * use and are emptied at exit before the engine goes. */
typedef struct { unsigned long used; } NnDnnlHead;  /* 0: empty */
typedef struct NnDnnlCache {
  void *entries;
  int count;
  size_t size, key_off, key_size;
  int (*build)(void *entry);
  void (*release)(void *entry);
  int registered;
} NnDnnlCache;
/* The entry for key (built when missing, evicting the least recently
 * used); NULL on failure. A lookup may evict an entry an earlier lookup
 * returned: check head.used of all entries before using them. */
void *nn_dnnl_lookup(NnDnnlCache *c, const void *key);
#endif

#endif
