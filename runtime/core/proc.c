/* proc.c - run a child under limits (proc.h).
 *
 * The child: its own process group (the parent kills the group, so the
 * worker threads and anything it started go too), PR_SET_PDEATHSIG so it
 * does not outlive the parent, the rlimits, stdout/stderr to a file, the
 * working folder, the environment, then the Landlock rules, then exec.
 * The parent polls waitpid every few milliseconds until the child ends or
 * the wall-clock limit passes; RLIMIT_CPU is a second line (a child that
 * blocks SIGALRM or whose parent stalls still stops). */
#define _GNU_SOURCE
#include "core/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/landlock.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WB_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WB_SANITIZED 1
#endif
#ifdef WB_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- Landlock ---------------------------------------------------------- */

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

int proc_landlock_abi(void) {
#ifdef SYS_landlock_create_ruleset
  long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v > 0 ? (int)v : 0;
#else
  return 0;
#endif
}

/* Every right that creates, changes or removes a file, for this ABI. */
static uint64_t write_rights(int abi) {
  uint64_t r = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
               LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
               LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
               LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
               LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
  if (abi >= 2) r |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
  if (abi >= 3) r |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
  (void)abi;
  return r;
}

/* In the child: writes only beneath dir; with ABI 4, no TCP bind or
 * connect at all (no rule allows a port); with ABI 6, no signals to
 * processes outside the sandbox. Returns 0 when the rules are in force,
 * -1 when the kernel has no Landlock (the caller goes on without). */
static int landlock_confine(const char *dir) {
#ifdef SYS_landlock_create_ruleset
  int abi = proc_landlock_abi();
  if (abi <= 0) return -1;
  struct landlock_ruleset_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.handled_access_fs = write_rights(abi);
  size_t attr_size = sizeof(uint64_t);              /* ABI 1..3 */
#ifdef LANDLOCK_ACCESS_NET_CONNECT_TCP
  if (abi >= 4) {
    attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
    attr_size = offsetof(struct landlock_ruleset_attr, handled_access_net) + sizeof(uint64_t);
  }
#endif
#ifdef LANDLOCK_SCOPE_SIGNAL
  if (abi >= 6) {
    attr.scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
    attr_size = offsetof(struct landlock_ruleset_attr, scoped) + sizeof(uint64_t);
  }
#endif
  int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
  if (rs < 0) return -1;
  struct landlock_path_beneath_attr pb;
  memset(&pb, 0, sizeof pb);
  pb.allowed_access = attr.handled_access_fs;
  pb.parent_fd = open(dir, O_PATH | O_CLOEXEC);
  int ok = pb.parent_fd >= 0 &&
           syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == 0;
  /* /dev/null stays writable: libraries open it */
  struct landlock_path_beneath_attr dn;
  memset(&dn, 0, sizeof dn);
  dn.allowed_access = LANDLOCK_ACCESS_FS_WRITE_FILE;
  dn.parent_fd = open("/dev/null", O_PATH | O_CLOEXEC);
  if (dn.parent_fd >= 0) {
    syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &dn, 0);
    close(dn.parent_fd);
  }
  if (pb.parent_fd >= 0) close(pb.parent_fd);
  ok = ok && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
       syscall(SYS_landlock_restrict_self, rs, 0) == 0;
  close(rs);
  return ok ? 0 : -1;
#else
  (void)dir;
  return -1;
#endif
}

int proc_confine(const char *dir) { return landlock_confine(dir); }

/* ---- running ------------------------------------------------------------ */

static void set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit rl = {soft, hard};
  setrlimit(resource, &rl);
}

/* The child's half; never returns. Status 126: the sandbox was asked
 * for and could not be set up (refuse rather than run unconfined is the
 * caller's choice: it checks proc_landlock_abi first). */
static void child(const char *const *argv, char *const *envp, const proc_opts *o,
                  pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);          /* the parent is gone already */
  /* the parent's signal dispositions (the workbook's SIGINT handler) reset at exec */
  if (o->output) {
    int fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
  }
  if (o->cwd && chdir(o->cwd) != 0) _exit(127);
  if (o->memory_bytes > 0)
    set_limit(RLIMIT_AS, (rlim_t)o->memory_bytes, (rlim_t)o->memory_bytes);
  if (o->cpu_seconds > 0) {
    rlim_t s = (rlim_t)(o->cpu_seconds + 0.999);
    set_limit(RLIMIT_CPU, s, s + 2);            /* SIGXCPU, then SIGKILL */
  }
  if (o->file_bytes > 0)
    set_limit(RLIMIT_FSIZE, (rlim_t)o->file_bytes, (rlim_t)o->file_bytes);
  set_limit(RLIMIT_CORE, 0, 0);                 /* a crash leaves no core file */
  if (o->write_dir && landlock_confine(o->write_dir) != 0) _exit(126);
  execve(argv[0], (char *const *)argv, envp);
  _exit(127);
}

extern char **environ;

/* The child's environment, built before fork (after a fork in a threaded
 * program only async-signal-safe calls are safe: no malloc, no setenv):
 * environ without the names o->env sets, then o->env. */
static char **make_env(const proc_opts *o) {
  size_t n = 0, k = 0;
  for (char **e = environ; *e; e++) n++;
  if (o->env) for (const char *const *e = o->env; *e; e++) k++;
  char **env = malloc((n + k + 1) * sizeof *env);
  if (!env) return NULL;
  size_t m = 0;
  for (char **e = environ; *e; e++) {
    int replaced = 0;
    for (size_t j = 0; j < k && !replaced; j++) {
      const char *eq = strchr(o->env[j], '=');
      size_t len = eq ? (size_t)(eq - o->env[j]) : strlen(o->env[j]);
      replaced = strncmp(*e, o->env[j], len) == 0 && (*e)[len] == '=';
    }
    if (!replaced) env[m++] = *e;
  }
  for (size_t j = 0; j < k; j++) env[m++] = (char *)o->env[j];
  env[m] = NULL;
  return env;
}

/* Ctrl-C while the parent waits: the child is in a process group of its
 * own, so the terminal's SIGINT reaches only the parent. proc_run
 * catches it meanwhile, kills the child's group, puts the caller's
 * handler back and raises SIGINT again for it (the workbook's interrupt
 * path then says where it was and exits 130). */
static volatile sig_atomic_t got_sigint;
static void on_sigint(int sig) { (void)sig; got_sigint = 1; }

int proc_run(const char *const *argv, const proc_opts *o, proc_result *r) {
  static const proc_opts none;
  if (!o) o = &none;
  memset(r, 0, sizeof *r);
  char **envp = make_env(o);
  if (!envp) return -1;
  fflush(NULL);
  pid_t parent = getpid();
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) { free(envp); return -1; }
  if (pid == 0) child(argv, envp, o, parent);
  free(envp);
  setpgid(pid, pid);                            /* either side may win the race */
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_sigint;
  got_sigint = 0;
  sigaction(SIGINT, &sa, &old);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) { sigaction(SIGINT, &old, NULL); return -1; }
    if (got_sigint) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
      break;
    }
    if (o->wall_seconds > 0 && now() - t0 > o->wall_seconds) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
      r->timed_out = 1;
      break;
    }
    struct timespec ts = {0, 5 * 1000 * 1000};  /* 5 ms */
    nanosleep(&ts, NULL);
  }
  kill(-pid, SIGKILL);                          /* whatever it left behind */
  sigaction(SIGINT, &old, NULL);
  if (got_sigint) raise(SIGINT);
  r->seconds = now() - t0;
  if (WIFEXITED(status)) { r->exited = 1; r->code = WEXITSTATUS(status); }
  if (WIFSIGNALED(status)) r->signal = WTERMSIG(status);
  r->sandboxed = o->write_dir != NULL && r->exited && r->code != 126;
  return 0;
}

/* ---- folders -------------------------------------------------------------- */

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st; (void)f;
  int rc = (flag == FTW_DP) ? rmdir(p) : unlink(p);
  return rc != 0 && errno != ENOENT ? -1 : 0;
}

/* pre-order: a folder is made searchable and writable before nftw goes
 * into it (a student's code may have left one read-only) */
static int open_up(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)f;
  if (flag == FTW_D && (st->st_mode & 0700) != 0700) chmod(p, st->st_mode | 0700);
  return 0;
}

int proc_remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
  if (S_ISDIR(st.st_mode)) {
    chmod(path, st.st_mode | 0700);
    nftw(path, open_up, 16, FTW_PHYS);
  }
  return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int proc_make_temp_dir(const char *base, const char *prefix, char *out, size_t n) {
  if (!base || !*base) base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  int len = snprintf(out, n, "%s/%sXXXXXX", base, prefix);
  if (len < 0 || (size_t)len >= n) { errno = ENAMETOOLONG; return -1; }
  return mkdtemp(out) ? 0 : -1;
}

/* ---- a function run in a forked child ------------------------------------ */

/* The parent's mapped bytes now (VmSize), so that a memory limit for the
 * child can be counted on top of it; 0 when unknown. */
static long long mapped_bytes(void) {
  FILE *fp = fopen("/proc/self/statm", "r");
  long long pages = 0;
  if (fp) {
    if (fscanf(fp, "%lld", &pages) != 1) pages = 0;
    fclose(fp);
  }
  return pages * sysconf(_SC_PAGESIZE);
}

int proc_worker_start(proc_worker *w, const proc_opts *o,
                      void (*fn)(int fd, void *arg), void *arg) {
  static const proc_opts none;
  if (!o) o = &none;
  memset(w, 0, sizeof *w);
  long long mem = o->memory_bytes > 0 ? mapped_bytes() + o->memory_bytes : 0;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return -1;
  fcntl(p[0], F_SETPIPE_SZ, 1 << 20);   /* fewer switches for bulk data */
  fflush(NULL);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    errno = e;
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    /* default actions: a crash ends the child by its signal, even
     * where a sanitizer's handler is installed */
    static const int sigs[] = {SIGINT, SIGPIPE, SIGSEGV, SIGBUS, SIGFPE,
                               SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
      signal(sigs[i], SIG_DFL);
#ifdef WB_SANITIZED
    /* a sanitizer's report in the child (its stack on stderr) ends the
     * child, which the parent reads as a failure; a fuzzer's death
     * callback would record the input as a crash of the whole program */
    __sanitizer_set_death_callback(NULL);
#endif
    set_limit(RLIMIT_CORE, 0, 0);
    if (mem > 0) set_limit(RLIMIT_AS, (rlim_t)mem, (rlim_t)mem);
    if (o->cpu_seconds > 0) {
      /* the child's own CPU time starts at 0 after fork */
      rlim_t s = (rlim_t)(o->cpu_seconds + 0.999);
      set_limit(RLIMIT_CPU, s, s + 2);          /* SIGXCPU, then SIGKILL */
    }
    if (o->file_bytes > 0)
      set_limit(RLIMIT_FSIZE, (rlim_t)o->file_bytes, (rlim_t)o->file_bytes);
    fn(p[1], arg);
    _exit(0);
  }
  close(p[1]);
  w->pid = pid;
  w->fd = p[0];
  return 0;
}

int proc_write_all(int fd, const void *buf, size_t n) {
  const char *b = buf;
  while (n > 0) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b += k;
    n -= (size_t)k;
  }
  return 0;
}

void proc_out_flush(proc_out *o) {
  if (!o->bad && o->len && proc_write_all(o->fd, o->buf, o->len) != 0) o->bad = 1;
  o->len = 0;
}

void proc_out_put(proc_out *o, const void *p, size_t n) {
  if (n == 0) return;                /* p may be NULL (an absent string) */
  if (o->len + n > PROC_OUT_BYTES) proc_out_flush(o);
  if (n >= PROC_OUT_BYTES) {
    if (!o->bad && proc_write_all(o->fd, p, n) != 0) o->bad = 1;
    return;
  }
  memcpy(o->buf + o->len, p, n);
  o->len += n;
}

/* One read(2) of at most n bytes into b after waiting at most
 * idle_seconds: > 0 bytes, -1 ended, -2 went quiet (killed). */
static ssize_t worker_read_some(proc_worker *w, void *b, size_t n, double idle_seconds) {
  for (;;) {
    struct pollfd pf = {w->fd, POLLIN, 0};
    int ms = idle_seconds > 0 ? (int)(idle_seconds * 1000) : -1;
    int r = poll(&pf, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      kill(w->pid, SIGKILL);
      return -2;
    }
    if (r < 0) return -1;
    ssize_t k = read(w->fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    return k > 0 ? k : -1;
  }
}

#define READ_AHEAD 65536

int proc_worker_read(proc_worker *w, void *buf, size_t n, double idle_seconds) {
  unsigned char *b = buf;
  if (w->pid <= 0) return -1;
  if (!w->buf && !(w->buf = malloc(READ_AHEAD))) return -1;
  while (n > 0) {
    if (w->at < w->have) {             /* what was read ahead first */
      size_t k = w->have - w->at < n ? w->have - w->at : n;
      memcpy(b, w->buf + w->at, k);
      w->at += k;
      b += k;
      n -= k;
      continue;
    }
    ssize_t k;
    if (n >= READ_AHEAD) {             /* large: straight into place */
      k = worker_read_some(w, b, n, idle_seconds);
      if (k < 0) return (int)k;
      b += k;
      n -= (size_t)k;
    } else {
      k = worker_read_some(w, w->buf, READ_AHEAD, idle_seconds);
      if (k < 0) return (int)k;
      w->have = (size_t)k;
      w->at = 0;
    }
  }
  return 0;
}

void proc_worker_end(proc_worker *w, proc_result *r) {
  if (r) memset(r, 0, sizeof *r);
  if (w->pid > 0) {
    int status = 0;
    /* a child that sent everything exits by itself; one still running
     * is no longer wanted */
    pid_t got = waitpid(w->pid, &status, WNOHANG);
    /* the pipe at its end: the child is exiting, give it a moment so
     * that r says how it ended */
    struct pollfd pf = {w->fd, POLLIN, 0};
    if (got == 0 && poll(&pf, 1, 0) == 1 && !(pf.revents & POLLIN))
      for (int i = 0; i < 200 && got == 0; i++) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
        got = waitpid(w->pid, &status, WNOHANG);
      }
    if (got == 0) {
      kill(w->pid, SIGKILL);
      while ((got = waitpid(w->pid, &status, 0)) < 0 && errno == EINTR) {}
    }
    if (r && got == w->pid) {
      if (WIFEXITED(status)) { r->exited = 1; r->code = WEXITSTATUS(status); }
      if (WIFSIGNALED(status)) r->signal = WTERMSIG(status);
    }
    close(w->fd);
  }
  free(w->buf);
  memset(w, 0, sizeof *w);
}
