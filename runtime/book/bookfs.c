/* bookfs.c - copy a file, remove a folder tree. */
#define _GNU_SOURCE   /* nftw's FTW_DEPTH | FTW_PHYS */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "book/bookfs.h"
#include "core/fsutil.h"

int bf_copy(const char *src, const char *dst) {
  struct stat st;
  FILE *in = fopen(src, "rb");
  if (!in) return -1;
  if (fstat(fileno(in), &st) != 0) { fclose(in); return -1; }
  char tmp[4200], buf[1 << 16];
  FILE *out = fs_open_tmp(dst, tmp, sizeof tmp);
  if (!out) { int e = errno; fclose(in); errno = e; return -1; }
  size_t n;
  int ok = 1;
  while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
    ok = fwrite(buf, 1, n, out) == n;
  if (ferror(in)) ok = 0;
  fclose(in);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (ok && fflush(out) == 0) futimens(fileno(out), times);
  return fs_commit_tmp(out, tmp, dst, ok);
}

static int remove_one(const char *p, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st; (void)ftw;
  int r = flag == FTW_DP ? rmdir(p) : unlink(p);
  return r != 0 && errno != ENOENT ? -1 : 0;
}

int bf_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode)) return unlink(path);
  return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
