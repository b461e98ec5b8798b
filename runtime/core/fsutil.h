/* fsutil.h - small file-system helpers shared by the core: folders,
 * atomic writes (write a temporary file, then rename). */
#ifndef WB_FSUTIL_H
#define WB_FSUTIL_H
#include <stdio.h>

/* mkdir -p; returns 0 or -1 with errno set */
int fs_mkdir_p(const char *path);
/* Atomic writes, the one helper every writer uses: write "<path>.tmp<pid>"
 * (fs_tmp_name), then rename it over path (fs_tmp_finish). A temporary
 * file in flight is registered, so an interrupt can remove it.
 *
 * fs_tmp_name: tmp receives the name (n bytes) and is registered; -1 with
 * errno = ENAMETOOLONG when it does not fit or ENFILE when too many are in
 * flight. fs_tmp_finish: rename tmp over path if ok, else remove tmp;
 * either way tmp is no longer registered. 0, or -1 with errno set. */
int fs_tmp_name(const char *path, char *tmp, size_t n);
int fs_tmp_finish(const char *tmp, const char *path, int ok);
/* fs_tmp_name, then fopen(tmp, "wb"); NULL (errno set) on failure, with
 * nothing left registered. */
FILE *fs_open_tmp(const char *path, char *tmp, size_t n);
/* Close f, then fs_tmp_finish. Returns 0 on success, -1 (errno set). */
int fs_commit_tmp(FILE *f, const char *tmp, const char *path, int ok);
/* Remove every registered temporary file. Async-signal-safe (unlink over a
 * fixed table): a signal handler may call it. Returns how many. */
int fs_tmp_cleanup(void);
/* The folder holding the running binary, from /proc/self/exe. */
void fs_exe_dir(char *buf, size_t n);
/* $WORKBOOK_HOME, or the folder with chapters/ and data/ at or above
 * the binary's. */
void fs_home(char *buf, size_t n);
/* Monotonic seconds. */
double fs_clock(void);
#endif
