/* test_proc.c - core/proc.c: exit codes, the wall-clock kill (of the
 * whole process group), the rlimits a child sees (through the shell's
 * ulimit), output, working folder and environment, Landlock's write
 * confinement where the kernel has it, temporary folders and their
 * removal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/proc.h"
#include "tap.h"

static char dir[256];

static char *slurp(const char *path) {
  static char buf[4096];
  buf[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return buf;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static proc_result sh(const char *script, const proc_opts *o) {
  const char *argv[] = {"/bin/sh", "-c", script, NULL};
  proc_result r;
  if (proc_run(argv, o, &r) != 0) { perror("proc_run"); exit(2); }
  return r;
}

/* ---- proc_worker: a function in a forked child ------------------------- */

static void send_numbers(int fd, void *arg) {
  proc_out *o = malloc(sizeof *o);
  o->fd = fd; o->bad = 0; o->len = 0;
  int n = *(int *)arg;
  for (int i = 0; i < n; i++) proc_out_put(o, &i, sizeof i);
  proc_out_flush(o);
}
static void crash(int fd, void *arg) { (void)fd; (void)arg; raise(SIGSEGV); }
static void spin(int fd, void *arg) {
  (void)fd; (void)arg;
  for (volatile unsigned long i = 0;; i++) {}
}
static void sleep_forever(int fd, void *arg) { (void)fd; (void)arg; pause(); }
static void allocate(int fd, void *arg) {
  (void)arg;
  char *p = malloc((size_t)1 << 30);       /* 1 GiB, over the 64 MB limit */
  int got = p != NULL;
  if (p) memset(p, 1, 1);
  proc_write_all(fd, &got, sizeof got);
}

static void test_worker(void) {
  proc_worker w;
  proc_result r;
  int n = 200000, good = 1, v;              /* 800 KB: many pipe refills */
  ok(proc_worker_start(&w, NULL, send_numbers, &n) == 0, "worker starts");
  for (int i = 0; i < n && good; i++)
    good = proc_worker_read(&w, &v, sizeof v, 10) == 0 && v == i;
  ok(good, "worker: 200,000 values arrive in order");
  ok(proc_worker_read(&w, &v, sizeof v, 10) == -1, "worker: then the end");
  proc_worker_end(&w, &r);
  ok(r.exited && r.code == 0, "worker: exited 0");

  proc_worker_start(&w, NULL, crash, NULL);
  ok(proc_worker_read(&w, &v, sizeof v, 10) == -1, "a crashing worker: read fails");
  proc_worker_end(&w, &r);
  ok(!r.exited && r.signal == SIGSEGV, "a crashing worker: SIGSEGV reported (%d)", r.signal);

  proc_opts o = {0};
  o.cpu_seconds = 1;
  proc_worker_start(&w, &o, spin, NULL);
  ok(proc_worker_read(&w, &v, sizeof v, 60) == -1, "a spinning worker: stopped by its CPU limit");
  proc_worker_end(&w, &r);
  ok(r.signal == SIGXCPU || r.signal == SIGKILL, "  by SIGXCPU or SIGKILL (%d)", r.signal);

  proc_worker_start(&w, NULL, sleep_forever, NULL);
  ok(proc_worker_read(&w, &v, sizeof v, 0.2) == -2, "a silent worker: -2 after the idle time");
  proc_worker_end(&w, &r);
  ok(r.signal == SIGKILL, "  and killed");

  proc_opts m = {0};
  m.memory_bytes = 64LL << 20;
  proc_worker_start(&w, &m, allocate, NULL);
  int rd = proc_worker_read(&w, &v, sizeof v, 30);
  proc_worker_end(&w, &r);
  /* malloc says NULL; under AddressSanitizer its allocator ends the child */
  ok((rd == 0 && v == 0) || (rd == -1 && !(r.exited && r.code == 0)),
     "a memory limit on top of the parent's: 1 GiB refused in the child");
  proc_worker_end(&w, &r);
  ok(w.pid == 0, "ending twice is harmless");
}

int main(void) {
  ok(proc_make_temp_dir(NULL, "wb-test-proc-", dir, sizeof dir) == 0 && exists(dir),
     "proc_make_temp_dir makes a folder");
  char out[512], path[512];
  snprintf(out, sizeof out, "%s/out.txt", dir);

  proc_result r = sh("exit 3", NULL);
  ok(r.exited && r.code == 3 && r.signal == 0 && !r.timed_out, "exit status passes through");
  r = sh("kill -9 $$", NULL);
  ok(!r.exited && r.signal == 9, "a signal that ends the child is reported");
  const char *missing[] = {"/nonexistent/program", NULL};
  proc_run(missing, NULL, &r);
  ok(r.exited && r.code == 127, "a program that cannot start: 127");

  /* wall clock: the child and what it started are killed */
  proc_opts o = {0};
  o.wall_seconds = 0.3;
  r = sh("sleep 30 & sleep 30; wait", &o);
  ok(r.timed_out && r.signal == 9 && r.seconds < 5, "the wall-clock limit kills the child (%.2f s)",
     r.seconds);
  r = sh("true", &o);
  ok(r.exited && r.code == 0 && !r.timed_out, "a quick child is not killed");

  /* rlimits as the child sees them; output, cwd and env */
  proc_opts l = {0};
  l.memory_bytes = 300LL << 20;
  l.cpu_seconds = 7;
  l.output = out;
  l.cwd = dir;
  const char *env[] = {"WB_PROC_TEST=hello", "HOME=/nowhere", NULL};
  l.env = env;
  r = sh("echo \"$(ulimit -v) $(ulimit -t) $(pwd) $WB_PROC_TEST $HOME\"; echo err >&2", &l);
  char want[600];
  snprintf(want, sizeof want, "%d 7 %s hello /nowhere\nerr\n", 300 * 1024, dir);
  ok(r.exited && r.code == 0 && strcmp(slurp(out), want) == 0,
     "the child has RLIMIT_AS, RLIMIT_CPU, the folder, the environment; output and errors go to the file");
  if (strcmp(slurp(out), want) != 0) diag("got: %s", slurp(out));
  ok(getenv("WB_PROC_TEST") == NULL, "the parent's environment is untouched");

  /* CPU time: a busy child gets SIGXCPU/SIGKILL at RLIMIT_CPU */
  proc_opts c = {0};
  c.cpu_seconds = 1;
  c.wall_seconds = 20;
  r = sh("while :; do :; done", &c);
  ok(!r.exited && (r.signal == SIGXCPU || r.signal == SIGKILL) && !r.timed_out,
     "RLIMIT_CPU stops a busy child (signal %d, %.1f s)", r.signal, r.seconds);

  /* Landlock: writes only beneath write_dir */
  if (proc_landlock_abi() > 0) {
    char inside[300], outside[300], script[1024];
    snprintf(inside, sizeof inside, "%s/box", dir);
    mkdir(inside, 0700);
    snprintf(outside, sizeof outside, "%s/outside.txt", dir);
    snprintf(script, sizeof script, "exec 2>/dev/null; echo a > %s/in.txt; echo b > %s; echo c > /dev/null", inside,
             outside);
    proc_opts w = {0};
    w.write_dir = inside;
    r = sh(script, &w);
    snprintf(path, sizeof path, "%s/in.txt", inside);
    ok(exists(path) && !exists(outside) && r.sandboxed,
       "Landlock: a write inside the folder works, outside it is refused");
    snprintf(script, sizeof script, "exec 2>/dev/null; rm -f %s; mkdir %s/sub", out, dir);
    r = sh(script, &w);
    snprintf(path, sizeof path, "%s/sub", dir);
    ok(exists(out) && !exists(path), "Landlock: no removing or making folders outside either");
  } else {
    ok(1, "# SKIP no Landlock in this kernel");
    ok(1, "# SKIP no Landlock in this kernel");
  }

  /* remove_tree: nested folders and files, one of them unwritable */
  snprintf(path, sizeof path, "%s/a/b/c", dir);
  char mk[600];
  snprintf(mk, sizeof mk, "mkdir -p %s && touch %s/f %s/../g && chmod 500 %s/..", path, path, path, path);
  r = sh(mk, NULL);
  ok(proc_remove_tree(dir) == 0 && !exists(dir), "proc_remove_tree removes it all");
  ok(proc_remove_tree(dir) == 0, "removing a missing folder is not an error");
  test_worker();
  return done_testing();
}
