/* fsutil.c - folders, atomic writes, the binary's location, a clock. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"

int fs_mkdir_p(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
  memcpy(buf, path, n + 1);
  for (char *p = buf + 1; ; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
      struct stat st;
      if (stat(buf, &st) != 0) return -1;
      if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
      *p = c;
      if (c == '\0') break;
    }
  }
  return 0;
}

/* Temporary files in flight. A slot is written before it is marked used,
 * and marked free before it is reused, so a signal handler that walks the
 * table sees whole names only. Writers run on the main thread. */
#define TMP_SLOTS 32
#define TMP_NAME 4096
static char tmp_names[TMP_SLOTS][TMP_NAME];
static volatile sig_atomic_t tmp_used[TMP_SLOTS];

static void tmp_forget(const char *tmp) {
  for (int i = 0; i < TMP_SLOTS; i++)
    if (tmp_used[i] && strcmp(tmp_names[i], tmp) == 0) { tmp_used[i] = 0; return; }
}

int fs_tmp_name(const char *path, char *tmp, size_t n) {
  static unsigned serial;
  int k = snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
  if (k < 0 || (size_t)k >= n || (size_t)k >= TMP_NAME) {
    errno = ENAMETOOLONG;
    return -1;
  }
  /* the same path twice at once (nested writers) gets a serial suffix */
  for (int i = 0; i < TMP_SLOTS; i++)
    if (tmp_used[i] && strcmp(tmp_names[i], tmp) == 0) {
      k = snprintf(tmp, n, "%s.tmp%ld.%u", path, (long)getpid(), ++serial);
      if (k < 0 || (size_t)k >= n || (size_t)k >= TMP_NAME) {
        errno = ENAMETOOLONG;
        return -1;
      }
      break;
    }
  for (int i = 0; i < TMP_SLOTS; i++)
    if (!tmp_used[i]) {
      memcpy(tmp_names[i], tmp, (size_t)k + 1);
      tmp_used[i] = 1;
      return 0;
    }
  errno = ENFILE;
  return -1;
}

int fs_tmp_finish(const char *tmp, const char *path, int ok) {
  int e = 0;
  if (ok && rename(tmp, path) != 0) { ok = 0; e = errno; }
  if (!ok) {
    if (!e) e = errno ? errno : EIO;
    remove(tmp);
  }
  tmp_forget(tmp);
  if (!ok) { errno = e; return -1; }
  return 0;
}

int fs_tmp_cleanup(void) {
  int n = 0;
  for (int i = 0; i < TMP_SLOTS; i++)
    if (tmp_used[i]) {
      if (unlink(tmp_names[i]) == 0) n++;
      tmp_used[i] = 0;
    }
  return n;
}

FILE *fs_open_tmp(const char *path, char *tmp, size_t n) {
  if (fs_tmp_name(path, tmp, n) != 0) return NULL;
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    int e = errno;
    tmp_forget(tmp);
    errno = e;
  }
  return f;
}

int fs_commit_tmp(FILE *f, const char *tmp, const char *path, int ok) {
  int e = ok ? 0 : (errno ? errno : EIO);
  if (fclose(f) != 0 && ok) { ok = 0; e = errno; }
  if (!ok) errno = e;
  return fs_tmp_finish(tmp, path, ok);
}

void fs_exe_dir(char *buf, size_t n) {
  ssize_t k = readlink("/proc/self/exe", buf, n - 1);
  if (k <= 0) { snprintf(buf, n, "."); return; }
  buf[k] = '\0';
  char *slash = strrchr(buf, '/');
  if (slash) *slash = '\0';
}

double fs_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The workbook's home: $WORKBOOK_HOME, else the nearest folder holding
 * chapters/ and data/, looking from the binary's folder up to three
 * levels (build/asan/workbook finds the repo too), else the binary's. */
void fs_home(char *buf, size_t n) {
  const char *h = getenv("WORKBOOK_HOME");
  if (h && *h) { snprintf(buf, n, "%s", h); return; }
  char dir[4096], probe[4200];
  fs_exe_dir(dir, sizeof dir);
  snprintf(buf, n, "%s", dir);
  for (int up = 0; up <= 3; up++) {
    struct stat a, b;
    snprintf(probe, sizeof probe, "%s/chapters", dir);
    int has_ch = stat(probe, &a) == 0 && S_ISDIR(a.st_mode);
    snprintf(probe, sizeof probe, "%s/data", dir);
    if (has_ch && stat(probe, &b) == 0 && S_ISDIR(b.st_mode)) {
      snprintf(buf, n, "%s", dir);
      return;
    }
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return;
    *slash = '\0';
  }
}
