/* test_threads.c - the worker pool as threads.h promises it: the size is
 * clamped, threads_set_count starts the helpers it reports (and reports
 * fewer when they cannot start), a job runs on at most the pool's size
 * of threads, and every piece runs exactly once. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/threads.h"
#include "tap.h"

/* Threads of this process, from /proc/self/task (-1 if unreadable). */
static int task_count(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

/* VmSize of this process in bytes (0 if unknown). */
static size_t vm_size(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmSize: %zu kB", &kb) == 1) break;
  fclose(f);
  return kb * 1024;
}

#define NPIECES 200
static atomic_int runs[NPIECES];
static atomic_int max_slot;
static atomic_int slots_seen[THREADS_MAX];

static void piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  (void)ctx;
  for (int64_t i = lo; i < hi; i++) atomic_fetch_add(&runs[i], 1);
  int m = atomic_load(&max_slot);
  while (slot > m && !atomic_compare_exchange_weak(&max_slot, &m, slot)) {}
  if (slot >= 0 && slot < THREADS_MAX) atomic_store(&slots_seen[slot], 1);
  /* enough work that helpers get a chance to claim pieces */
  volatile double s = 0;
  for (int k = 0; k < 20000; k++) s += k * 0.5;
}

/* Run a big job; 1 if every piece ran once and no slot >= limit ran. */
static int run_job(int limit, int *distinct) {
  memset(runs, 0, sizeof runs);
  memset(slots_seen, 0, sizeof slots_seen);
  atomic_store(&max_slot, -1);
  threads_for(NPIECES, 1e9, piece, NULL);
  int once = 1;
  for (int i = 0; i < NPIECES; i++) once &= atomic_load(&runs[i]) == 1;
  *distinct = 0;
  for (int i = 0; i < THREADS_MAX; i++) *distinct += atomic_load(&slots_seen[i]);
  return once && atomic_load(&max_slot) < limit;
}

static int task_hits[10];
static void task(void *ctx, int t, int ntasks) {
  (void)ctx;
  if (ntasks == 10 && t >= 0 && t < 10)
    __atomic_fetch_add(&task_hits[t], 1, __ATOMIC_RELAXED);
}

int main(void) {
  /* a first job on one thread, so that whatever threads OpenBLAS starts
   * when threads_for sets its thread count are counted in `before` */
  threads_set_count(1);
  int unused;
  run_job(1, &unused);
  int before = task_count();
  is(threads_set_count(0), 1, "set_count(0) is clamped to 1");
  is(threads_set_count(-7), 1, "set_count(-7) is clamped to 1");
  is(threads_count(), 1, "count follows set_count");
  is(task_count(), before, "a pool of 1 starts no helper");

  is(threads_set_count(4), 4, "set_count(4) gives 4");
  is(threads_count(), 4, "count is 4");
  is(task_count(), before + 3, "set_count(4) has started 3 helpers by the "
     "time it returns");
  int distinct;
  int fine = run_job(4, &distinct);
  ok(fine, "a job on 4 threads runs each piece once, slots 0..3 only (%d "
     "slots took part)", distinct);

  is(threads_set_count(2), 2, "shrinking to 2");
  is(task_count(), before + 3, "shrinking keeps the helpers (asleep)");
  fine = run_job(2, &distinct);
  ok(fine, "a job on a pool of 2 uses slots 0..1 only (%d slots took part)",
     distinct);
  is(threads_set_count(1), 1, "shrinking to 1");
  fine = run_job(1, &distinct);
  ok(fine && distinct == 1,
     "a pool of 1 runs every piece on the caller");

  memset(task_hits, 0, sizeof task_hits);
  threads_set_count(3);
  threads_run(task, NULL, 10);
  int once = 1;
  for (int i = 0; i < 10; i++) once &= task_hits[i] == 1;
  ok(once, "threads_run runs each of 10 tasks exactly once");

#if defined(__SANITIZE_ADDRESS__)
  ok(1, "# SKIP address-space limit under ASan");
  ok(1, "# SKIP address-space limit under ASan");
#else
  /* Helpers that cannot start: with the address space capped just above
   * what the process maps now, no new thread stack can be mapped, so
   * set_count must report the threads the pool already has. */
  struct rlimit old;
  getrlimit(RLIMIT_AS, &old);
  int alive = task_count() - before + 1;
  struct rlimit cap = old;
  cap.rlim_cur = vm_size() + (1 << 20);
  if (cap.rlim_cur > old.rlim_max) cap.rlim_cur = old.rlim_max;
  int set = setrlimit(RLIMIT_AS, &cap) == 0;
  int got = threads_set_count(THREADS_MAX);
  if (set) setrlimit(RLIMIT_AS, &old);
  is(got, alive, "with no room for more stacks, set_count reports the %d "
     "threads the pool has, not %d", alive, THREADS_MAX);
  is(threads_count(), got, "and count agrees");
#endif
  is(threads_set_count(THREADS_MAX + 100), THREADS_MAX,
     "set_count above THREADS_MAX is clamped to %d", THREADS_MAX);
  is(task_count(), before + THREADS_MAX - 1, "... and all helpers started");
  threads_set_count(2);

  return done_testing();
}
