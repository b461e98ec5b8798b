/* bookrun.h - child processes for the book builder: start a lab with its
 * output in a file, poll it, kill it (and its group) on a timeout or
 * an interrupt. */
#ifndef WB_BOOKRUN_H
#define WB_BOOKRUN_H
#include <sys/types.h>

/* Start argv[0] (a path) with argv, the environment env (NULL: ours),
 * in folder cwd (NULL: ours), stdout and stderr both appended to
 * out_path, stdin from /dev/null, in a process group of its own.
 * Returns the pid, or -1 with errno set. */
pid_t br_spawn(char *const argv[], char *const env[], const char *cwd,
               const char *out_path);

/* Has pid ended? 0: still running; 1: ended, *code is the exit status
 * (>= 0) or minus the signal that killed it; -1: error (errno). */
int br_poll(pid_t pid, int *code);

/* SIGKILL the child's process group, then reap it. */
void br_kill(pid_t pid);

/* SIGINT the child's process group (a workbook lab then stops at its
 * next safe point, removes its temporary files and exits 130); reap it
 * with br_poll, or br_kill it when it does not stop. */
void br_interrupt(pid_t pid);

/* SIGKILL the process group of every child started by br_spawn and not
 * yet reaped; they are not reaped (the caller is about to exit). For the
 * last resort of an interrupt: async-signal-safe. Returns how many. */
int br_kill_all(void);
#endif
