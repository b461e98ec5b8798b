/* fsutil.h - small file-system helpers shared by the core: folders,
 * atomic writes (write a temporary file, then rename). */
#ifndef WB_FSUTIL_H
#define WB_FSUTIL_H
#include <stdio.h>

/* mkdir -p; returns 0 or -1 with errno set */
int fs_mkdir_p(const char *path);
/* Open "<path>.tmp<pid>" for writing; tmp receives its name (n bytes). */
FILE *fs_open_tmp(const char *path, char *tmp, size_t n);
/* Close f; rename tmp over path if ok, else remove tmp. Returns 0 on
 * success, -1 (errno set) on failure. */
int fs_commit_tmp(FILE *f, const char *tmp, const char *path, int ok);
/* The folder holding the running binary, from /proc/self/exe. */
void fs_exe_dir(char *buf, size_t n);
/* $WORKBOOK_HOME, or the folder with chapters/ and data/ at or above
 * the binary's. */
void fs_home(char *buf, size_t n);
/* Monotonic seconds. */
double fs_clock(void);
#endif
