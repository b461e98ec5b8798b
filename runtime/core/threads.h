/* threads.h - a small persistent worker pool and per-thread scratch
 * memory for the kernels (nn_*.c).
 *
 * Kernels cut their work into a fixed list of pieces that depends only
 * on the shapes, never on the pool size; the pool's threads (the caller
 * among them) claim pieces one at a time until none is left. Since each
 * piece computes the same thing whichever thread runs it, and partial
 * sums are added in piece order afterwards, a result has the same bits
 * for any number of threads.
 *
 * The size comes from $WORKBOOK_THREADS, else the number of online CPUs.
 * During threads_for OpenBLAS is set to one thread (each thread issues
 * its own single-threaded sgemm; OpenBLAS's own threads split these
 * small matrices badly and would change the bits of results). Only one
 * thread at a time may call threads_for/threads_run (the Lua thread);
 * pieces must not call them. */
#ifndef WB_THREADS_H
#define WB_THREADS_H

#include <stddef.h>
#include <stdint.h>

#define THREADS_MAX 64

typedef void (*ThreadsFn)(void *ctx, int task, int ntasks);

/* The pool size (>= 1). */
int threads_count(void);
/* Change the pool size (clamped to 1..THREADS_MAX); returns the size in
 * effect, which is smaller if helper threads could not be started. */
int threads_set_count(int n);
/* Run fn for task = 0..ntasks-1, each exactly once, on the pool's
 * threads, and wait for all of them. */
void threads_run(ThreadsFn fn, void *ctx, int ntasks);

/* Run fn over pieces 0..n-1 (fn gets a range [lo, hi) of them, and the
 * scratch slot of the thread running it); all on the calling thread when
 * `flops` says the job is too small to be worth waking helpers. */
typedef void (*ThreadsRangeFn)(void *ctx, int64_t lo, int64_t hi, int slot);
#define THREADS_MIN_FLOPS 2e5
void threads_for(int64_t n, double flops, ThreadsRangeFn fn, void *ctx);

/* Grow-only scratch memory, 64-byte aligned, kept between calls. Slot
 * 0..THREADS_MAX-1 belongs to the pool thread of that number while it
 * runs a piece (the slot passed to a ThreadsRangeFn); THREADS_SHARED to
 * the caller outside the pieces. NULL when out of memory. */
#define THREADS_SHARED THREADS_MAX
void *threads_scratch(int slot, size_t bytes);

#endif
