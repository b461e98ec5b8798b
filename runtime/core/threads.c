/* threads.c - the persistent worker pool behind threads_for/threads_run,
 * and the per-thread scratch memory the kernels reuse between calls.
 *
 * A job is a count of pieces. The caller publishes it and then, like
 * every helper that is awake, claims the next unclaimed piece under the
 * pool's mutex until none is left; it returns once every piece is done.
 * Claiming dynamically (rather than giving each thread a fixed share)
 * matters on a shared machine: when another process holds a core, its
 * helper simply takes fewer pieces instead of stalling the whole step
 * until the scheduler runs it. A helper that wakes after its job is over
 * finds nothing to claim; no caller ever waits for an idle helper.
 *
 * Helpers spin briefly before sleeping on a condition variable, because
 * a training step issues dozens of short jobs back to back and a futex
 * sleep/wake each time would cost more than some of the kernels. */
#include <cblas.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/threads.h"

#define SPIN 20000        /* polls before sleeping: roughly 0.1-0.5 ms */

static int pool_size;     /* 0 until first asked */
static int helpers;       /* helper threads started (slots 1..helpers) */

/* The current job; every field is guarded by mu except the atomics,
 * which mirror gen/done for lock-free spinning. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static struct {
  unsigned gen;
  ThreadsRangeFn fn;
  void *ctx;
  int64_t n, next;        /* pieces, next unclaimed piece */
  int limit;              /* threads allowed to take part (slot < limit) */
  int sleepers, caller_waiting;
} job;
static atomic_uint gen_pub;
static atomic_llong done_pub;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static int default_count(void) {
  const char *s = getenv("WORKBOOK_THREADS");
  if (s && *s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*end == '\0' && v >= 1) return v > THREADS_MAX ? THREADS_MAX : (int)v;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) return 1;
  return n > THREADS_MAX ? THREADS_MAX : (int)n;
}

int threads_count(void) {
  if (pool_size == 0) pool_size = default_count();
  return pool_size;
}

/* With mu held: run pieces of the current job until none is left. */
static void claim_pieces(int slot) {
  while (job.next < job.n) {
    int64_t pc = job.next++;
    ThreadsRangeFn fn = job.fn;
    void *ctx = job.ctx;
    pthread_mutex_unlock(&mu);
    fn(ctx, pc, pc + 1, slot);
    pthread_mutex_lock(&mu);
    /* the job cannot change before this piece is counted as done */
    if (atomic_fetch_add(&done_pub, 1) + 1 == job.n && job.caller_waiting)
      pthread_cond_signal(&done_cv);
  }
}

/* With mu held: wait for a generation other than seen. */
static void wait_job(unsigned seen) {
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < SPIN; i++) {
    if (atomic_load_explicit(&gen_pub, memory_order_relaxed) != seen) break;
    cpu_relax();
  }
  pthread_mutex_lock(&mu);
  while (job.gen == seen) {
    job.sleepers++;
    pthread_cond_wait(&wake_cv, &mu);
    job.sleepers--;
  }
}

static void *helper_main(void *p) {
  int slot = (int)(intptr_t)p;
  pthread_mutex_lock(&mu);
  unsigned seen = job.gen;
  for (;;) {
    wait_job(seen);
    seen = job.gen;
    if (slot < job.limit) claim_pieces(slot);
  }
  return NULL;
}

/* Start helpers up to n - 1 in all; returns the threads available. */
static int start_helpers(int n) {
  sigset_t all, old;
  sigfillset(&all);
  /* helpers inherit a full mask: signals go to the Lua thread */
  pthread_sigmask(SIG_SETMASK, &all, &old);
  while (helpers < n - 1) {
    pthread_t th;
    if (pthread_create(&th, NULL, helper_main,
                       (void *)(intptr_t)(helpers + 1)) != 0)
      break;
    pthread_detach(th);
    helpers++;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return helpers + 1;
}

/* The helpers are started here, not at the next job, so that the size
 * returned is one the pool really has. Helpers beyond a smaller size
 * stay asleep: a job lets only slots below its limit take part. */
int threads_set_count(int n) {
  if (n < 1) n = 1;
  if (n > THREADS_MAX) n = THREADS_MAX;
  if (n > helpers + 1) {
    int avail = start_helpers(n);
    if (avail < n) n = avail;
  }
  pool_size = n;
  return n;
}

/* Run pieces 0..n-1 of fn on up to nt threads (the caller is slot 0). */
static void run_pieces(ThreadsRangeFn fn, void *ctx, int64_t n, int nt) {
  if (nt > 1 && helpers < nt - 1) {
    int avail = start_helpers(nt);
    if (avail < nt) pool_size = nt = avail;
  }
  if (nt <= 1) {
    for (int64_t pc = 0; pc < n; pc++) fn(ctx, pc, pc + 1, 0);
    return;
  }
  pthread_mutex_lock(&mu);
  job.fn = fn;
  job.ctx = ctx;
  job.n = n;
  job.next = 0;
  job.limit = nt;
  atomic_store(&done_pub, 0);
  job.gen++;
  atomic_store_explicit(&gen_pub, job.gen, memory_order_relaxed);
  if (job.sleepers) pthread_cond_broadcast(&wake_cv);
  claim_pieces(0);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < SPIN && atomic_load(&done_pub) < n; i++) cpu_relax();
  pthread_mutex_lock(&mu);
  while (atomic_load(&done_pub) < n) {
    job.caller_waiting = 1;
    pthread_cond_wait(&done_cv, &mu);
  }
  job.caller_waiting = 0;
  pthread_mutex_unlock(&mu);
}

/* Kernels call sgemm from every thread, single-threaded: the pool is the
 * parallelism. OpenBLAS's own threading would also change the bits of a
 * result (it splits differently), so it is off for the job and restored
 * after, for other callers such as tensor.matmul. */
void threads_for(int64_t n, double flops, ThreadsRangeFn fn, void *ctx) {
  if (n <= 0) return;
  int blas = openblas_get_num_threads();
  if (blas != 1) openblas_set_num_threads(1);
  int nt = threads_count();
  if (flops < THREADS_MIN_FLOPS) nt = 1;
  run_pieces(fn, ctx, n, nt > n ? (int)n : nt);
  if (blas != 1) openblas_set_num_threads(blas);
}

typedef struct { ThreadsFn fn; void *ctx; int ntasks; } RunJob;

static void run_task(void *p, int64_t lo, int64_t hi, int slot) {
  RunJob *j = p;
  for (int64_t t = lo; t < hi; t++) j->fn(j->ctx, (int)t, j->ntasks);
}

void threads_run(ThreadsFn fn, void *ctx, int ntasks) {
  if (ntasks <= 0) return;
  RunJob j = {fn, ctx, ntasks};
  int nt = threads_count();
  run_pieces(run_task, &j, ntasks, nt > ntasks ? ntasks : nt);
}

/* ---- scratch ----------------------------------------------------------- */

static struct { void *p; size_t n; } scratch[THREADS_MAX + 1];

void *threads_scratch(int slot, size_t bytes) {
  if (slot < 0 || slot > THREADS_MAX) return NULL;
  if (bytes == 0) bytes = 64;
  if (scratch[slot].n >= bytes) return scratch[slot].p;
  size_t n = (bytes + 63) / 64 * 64;
  void *p = aligned_alloc(64, n);
  if (!p) return NULL;
  free(scratch[slot].p);
  scratch[slot].p = p;
  scratch[slot].n = n;
  return p;
}
