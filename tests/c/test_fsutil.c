/* test_fsutil.c - the registry of temporary files behind every atomic
 * write: the names fs_tmp_name gives and registers, fs_tmp_finish's rename
 * or removal, fs_open_tmp/fs_commit_tmp, the table's limits, and
 * fs_tmp_cleanup (also from a signal handler, as the interrupt path
 * calls it), plus a writer that uses them (npy). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/tensor.h"
#include "tap.h"

static char dir[64];

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static void put(const char *p, const char *text) {
  FILE *f = fopen(p, "wb");
  if (!f) { perror(p); exit(2); }
  fputs(text, f);
  fclose(f);
}

static int has_text(const char *p, const char *text) {
  char buf[256] = "";
  FILE *f = fopen(p, "rb");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return strcmp(buf, text) == 0;
}

/* files in dir whose name holds ".tmp" */
static int tmp_files(void) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".tmp")) n++;
  if (d) closedir(d);
  return n;
}

static void on_usr1(int sig) { (void)sig; fs_tmp_cleanup(); }

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/wb_fsutil_XXXXXX");
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
  char path[256], path2[256], tmp[4200], tmp2[4200], want[4200];
  snprintf(path, sizeof path, "%s/a.bin", dir);
  snprintf(path2, sizeof path2, "%s/b.bin", dir);

  /* ---- names ---- */
  is(fs_tmp_name(path, tmp, sizeof tmp), 0, "fs_tmp_name succeeds");
  snprintf(want, sizeof want, "%s.tmp%ld", path, (long)getpid());
  ok(strcmp(tmp, want) == 0, "the name is <path>.tmp<pid> (%s)", tmp);
  is(fs_tmp_name(path, tmp2, sizeof tmp2), 0, "the same path again, while in flight");
  ok(strcmp(tmp, tmp2) != 0 && strncmp(tmp2, want, strlen(want)) == 0,
     "gets a name of its own with the same stem (%s)", tmp2);

  /* ---- cleanup removes every registered file, and only those ---- */
  put(tmp, "one");
  put(tmp2, "two");
  put(path2, "keep");
  is(fs_tmp_cleanup(), 2, "fs_tmp_cleanup removes both registered files");
  ok(!exists(tmp) && !exists(tmp2), "they are gone");
  ok(has_text(path2, "keep"), "a file not registered stays");
  is(fs_tmp_cleanup(), 0, "the registry is empty after a cleanup");

  /* ---- finish: rename over the path when ok ---- */
  put(path, "old");
  fs_tmp_name(path, tmp, sizeof tmp);
  put(tmp, "new");
  is(fs_tmp_finish(tmp, path, 1), 0, "fs_tmp_finish(ok) succeeds");
  ok(has_text(path, "new") && !exists(tmp), "the new content replaced the old, no temporary left");
  put(tmp, "stray");
  is(fs_tmp_cleanup(), 0, "a finished name is no longer registered");
  ok(exists(tmp), "so cleanup leaves a file of that name alone");
  unlink(tmp);

  /* ---- finish: remove when not ok ---- */
  fs_tmp_name(path, tmp, sizeof tmp);
  put(tmp, "half");
  errno = EIO;
  is(fs_tmp_finish(tmp, path, 0), -1, "fs_tmp_finish(not ok) returns -1");
  is(errno, EIO, "with the writer's errno kept");
  ok(has_text(path, "new") && !exists(tmp), "the path is untouched and the temporary removed");
  is(fs_tmp_cleanup(), 0, "and unregistered");

  /* ---- finish: a failed rename removes the temporary too ---- */
  char sub[300], inner[320];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  snprintf(inner, sizeof inner, "%s/x", sub);
  mkdir(sub, 0777);
  put(inner, "x");                      /* a non-empty folder at the path */
  fs_tmp_name(sub, tmp, sizeof tmp);
  put(tmp, "file");
  is(fs_tmp_finish(tmp, sub, 1), -1, "renaming over a non-empty folder fails");
  ok(!exists(tmp), "and the temporary file is removed");
  unlink(inner);
  rmdir(sub);

  /* ---- fs_open_tmp / fs_commit_tmp ---- */
  FILE *f = fs_open_tmp(path2, tmp, sizeof tmp);
  ok(f != NULL, "fs_open_tmp opens the temporary file");
  fputs("committed", f);
  ok(has_text(path2, "keep"), "the path keeps its old content while writing");
  is(fs_commit_tmp(f, tmp, path2, 1), 0, "fs_commit_tmp(ok) succeeds");
  ok(has_text(path2, "committed") && !exists(tmp), "the new content is in place");
  f = fs_open_tmp(path2, tmp, sizeof tmp);
  fputs("broken", f);
  is(fs_commit_tmp(f, tmp, path2, 0), -1, "fs_commit_tmp(not ok) returns -1");
  ok(has_text(path2, "committed") && !exists(tmp), "the old content stays, nothing left");
  char nodir[300];
  snprintf(nodir, sizeof nodir, "%s/missing/c.bin", dir);
  errno = 0;
  ok(fs_open_tmp(nodir, tmp, sizeof tmp) == NULL && errno == ENOENT,
     "fs_open_tmp in a missing folder fails with ENOENT");
  is(fs_tmp_cleanup(), 0, "and leaves nothing registered");

  /* ---- limits ---- */
  char small[8];
  errno = 0;
  ok(fs_tmp_name(path, small, sizeof small) == -1 && errno == ENAMETOOLONG,
     "a name that does not fit: ENAMETOOLONG");
  int n = 0, e = 0;
  for (int i = 0; i < 100; i++) {
    char p[300];
    snprintf(p, sizeof p, "%s/many%d", dir, i);
    if (fs_tmp_name(p, tmp, sizeof tmp) != 0) { e = errno; break; }
    n++;
  }
  ok(n >= 8 && n < 100 && e == ENFILE, "the table is bounded: %d names, then ENFILE", n);
  fs_tmp_cleanup();
  is(fs_tmp_name(path, tmp, sizeof tmp), 0, "cleanup frees the table");
  fs_tmp_finish(tmp, path, 0);

  /* ---- cleanup from a signal handler ---- */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  f = fs_open_tmp(path, tmp, sizeof tmp);
  fputs("in flight", f);
  fflush(f);
  raise(SIGUSR1);
  ok(!exists(tmp), "fs_tmp_cleanup in a signal handler removes a file in flight");
  fclose(f);
  is(fs_tmp_cleanup(), 0, "and unregisters it");

  /* ---- a writer: npy ---- */
  char npy[300], err[TENSOR_ERRLEN];
  float data[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  Tensor t;
  if (tensor_init(&t, data, 2, shape, err) != 0) { diag("%s", err); return 2; }
  snprintf(npy, sizeof npy, "%s/t.npy", dir);
  is(npy_write_file(npy, &t, err), 0, "npy_write_file writes");
  ok(exists(npy) && tmp_files() == 0, "the file is there, no temporary file");
  snprintf(npy, sizeof npy, "%s/missing/t.npy", dir);
  ok(npy_write_file(npy, &t, err) == -1 && strstr(err, "cannot write") != NULL,
     "a write that fails says so (%s)", err);
  is(tmp_files(), 0, "and leaves no temporary file");
  is(fs_tmp_cleanup(), 0, "nor a registered name");

  /* tidy up */
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) diag("could not remove %s", dir);
  return done_testing();
}
