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

/* ---- a function run in a forked child ------------------------------------
 * For work on untrusted input inside a library that may crash or hang on
 * it (libhdf5 on a corrupt file): the child runs fn and sends its result
 * through a pipe; a crash, a hang or a runaway allocation ends only the
 * child, and the parent reads that as an ordinary failure. */
typedef struct {
  int pid;                    /* 0: none */
  int fd;                     /* the read end of the child's pipe */
  unsigned char *buf;         /* what was read ahead (proc_worker_read) */
  size_t have, at;
} proc_worker;

/* Fork a child that runs fn(fd, arg), fd the write end of a pipe, then
 * _exits 0 (no atexit handlers, no leak check: the child's memory is the
 * parent's copy). Of o only these count: cpu_seconds (RLIMIT_CPU; SIGXCPU
 * ends it), memory_bytes (RLIMIT_AS, counted on top of what the parent
 * maps already), file_bytes. The child dies with the parent, leaves no
 * core file, and takes the default action of SIGINT, SIGPIPE and the
 * crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT). 0, or -1 with errno set. */
int proc_worker_start(proc_worker *w, const proc_opts *o,
                      void (*fn)(int fd, void *arg), void *arg);

/* Read exactly n bytes of what the child sent. 0; -1 when it ended (or
 * closed the pipe) first; -2 when nothing came for idle_seconds (> 0),
 * after which the child is killed. EINTR is retried. */
int proc_worker_read(proc_worker *w, void *buf, size_t n, double idle_seconds);

/* Write all n bytes to fd (the child's side). 0, or -1 on an error. */
int proc_write_all(int fd, const void *buf, size_t n);

/* The child's side, buffered: small pieces gather in buf until it holds
 * PROC_OUT_BYTES or proc_out_flush; bad is set by the first error. */
#define PROC_OUT_BYTES 65536
typedef struct {
  int fd, bad;
  size_t len;
  unsigned char buf[PROC_OUT_BYTES];
} proc_out;
void proc_out_put(proc_out *o, const void *p, size_t n);
void proc_out_flush(proc_out *o);

/* Kill the child if it is still running, reap it and close the pipe; r
 * (may be NULL) says how it ended (exited/code, signal). Safe on a
 * zeroed or ended w. */
void proc_worker_end(proc_worker *w, proc_result *r);
#endif
