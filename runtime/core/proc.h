/* proc.h - run a program in a child process under limits: memory
 * (RLIMIT_AS), CPU time (RLIMIT_CPU), file size (RLIMIT_FSIZE), wall-clock time (the parent kills
 * the child's process group), and optionally writes confined to one
 * folder and no TCP (Linux Landlock, where the kernel has it). The
 * `check` and `grade` commands run every student file this way. */
#ifndef WB_PROC_H
#define WB_PROC_H
#include <stddef.h>

typedef struct {
  double wall_seconds;        /* kill after this long; 0: no limit */
  double cpu_seconds;         /* RLIMIT_CPU (all threads); 0: no limit */
  long long memory_bytes;     /* RLIMIT_AS; 0: no limit */
  long long file_bytes;       /* RLIMIT_FSIZE (largest file it may write); 0: none */
  const char *cwd;            /* chdir there first; NULL: stay */
  const char *output;         /* stdout and stderr to this file; NULL: inherit */
  const char *write_dir;      /* Landlock: writes only beneath it; NULL: none */
  const char *const *env;     /* "NAME=VALUE" to set, NULL-terminated; may be NULL */
} proc_opts;

typedef struct {
  int exited;                 /* 1: exited normally, code in code */
  int code;
  int signal;                 /* the signal that ended it, or 0 */
  int timed_out;              /* 1: killed for passing wall_seconds */
  int sandboxed;              /* 1: the Landlock rules were in force */
  double seconds;             /* wall-clock time it ran */
} proc_result;

/* Run argv (argv[0] a path; no PATH search) and wait for it. 0, or -1
 * with errno set when the child could not be started; a child that
 * cannot exec exits 127. A SIGINT meanwhile kills the child, then is
 * raised again for the caller's own handler. Not async-signal-safe. */
int proc_run(const char *const *argv, const proc_opts *o, proc_result *r);

/* Confine the calling thread and the threads and processes it starts
 * from now on: writes only beneath dir (and to /dev/null), no TCP, no
 * signals out (as far as the kernel's Landlock ABI goes). Files open
 * already stay usable. 0, or -1 when the kernel has no Landlock. */
int proc_confine(const char *dir);

/* The Landlock ABI version the kernel offers, or 0 when none. */
int proc_landlock_abi(void);

/* Remove a folder and everything in it (no symlink is followed). 0 or -1
 * with errno set (ENOENT is not an error). */
int proc_remove_tree(const char *path);

/* A new private folder "<base>/<prefix>XXXXXX"; out receives its path
 * (n bytes). 0 or -1 with errno set. */
int proc_make_temp_dir(const char *base, const char *prefix, char *out, size_t n);
#endif
