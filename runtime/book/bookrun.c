/* bookrun.c - run labs as child processes. posix_spawn rather than fork:
 * the parent holds a Lua state and big buffers, and spawn needs no care
 * about what a forked copy may touch before exec. The child gets its own
 * process group so a timeout can kill whatever it started too. */
#define _GNU_SOURCE   /* posix_spawn_file_actions_addchdir_np */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "book/bookrun.h"

extern char **environ;

/* The labs running now, so that an interrupt can stop them: a slot is
 * set after the spawn and cleared when the child is reaped. Only the
 * main thread writes; a signal handler may read (br_kill_all). */
#define CHILD_SLOTS 64
static volatile sig_atomic_t children[CHILD_SLOTS];

static void remember(pid_t pid) {
  for (int i = 0; i < CHILD_SLOTS; i++)
    if (!children[i]) { children[i] = (sig_atomic_t)pid; return; }
}

static void forget(pid_t pid) {
  for (int i = 0; i < CHILD_SLOTS; i++)
    if (children[i] == (sig_atomic_t)pid) children[i] = 0;
}

static int set_actions(posix_spawn_file_actions_t *fa, const char *out_path,
                       const char *cwd) {
  int e = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
  if (!e) e = posix_spawn_file_actions_addopen(
      fa, 1, out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!e) e = posix_spawn_file_actions_adddup2(fa, 1, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 29)
  if (!e && cwd) e = posix_spawn_file_actions_addchdir_np(fa, cwd);
#else
  if (!e && cwd) e = ENOSYS;
#endif
  return e;
}

pid_t br_spawn(char *const argv[], char *const env[], const char *cwd,
               const char *out_path) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  pid_t pid = -1;
  int e = posix_spawn_file_actions_init(&fa);
  if (e) { errno = e; return -1; }
  e = posix_spawnattr_init(&at);
  if (e) { posix_spawn_file_actions_destroy(&fa); errno = e; return -1; }
  e = set_actions(&fa, out_path, cwd);
  if (!e) e = posix_spawnattr_setpgroup(&at, 0);
  /* the lab starts with SIGINT at its default whatever ours is, so that
   * br_interrupt reaches its handler (a caught signal is reset by exec,
   * an ignored one would stay ignored) */
  sigset_t dfl;
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGINT);
  if (!e) e = posix_spawnattr_setsigdefault(&at, &dfl);
  if (!e) e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP
                                            | POSIX_SPAWN_SETSIGDEF);
  if (!e) e = posix_spawn(&pid, argv[0], &fa, &at, argv,
                          env ? env : environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  if (e) { errno = e; return -1; }
  remember(pid);
  return pid;
}

int br_poll(pid_t pid, int *code) {
  int st;
  pid_t r;
  do r = waitpid(pid, &st, WNOHANG); while (r < 0 && errno == EINTR);
  if (r < 0) return -1;
  if (r == 0) return 0;
  forget(pid);
  *code = WIFEXITED(st) ? WEXITSTATUS(st)
        : WIFSIGNALED(st) ? -WTERMSIG(st) : -1;
  return 1;
}

void br_kill(pid_t pid) {
  int st;
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);   /* in case it left its group */
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  forget(pid);
}

void br_interrupt(pid_t pid) {
  kill(-pid, SIGINT);
}

int br_kill_all(void) {
  int n = 0;
  for (int i = 0; i < CHILD_SLOTS; i++) {
    pid_t pid = (pid_t)children[i];
    if (pid > 0) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      n++;
    }
  }
  return n;
}
