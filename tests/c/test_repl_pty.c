/* test_repl_pty.c - `workbook repl` on a terminal, driven through a
 * pseudo-terminal as a student's keyboard would: readline's line editing
 * (the Up arrow brings back the last line), multi-line input with the
 * continuation prompt, Ctrl-C at the prompt (the half-typed line is
 * dropped, the REPL goes on), Ctrl-C in a running loop (interrupted, the
 * REPL goes on), Ctrl-D to quit, and the history file written for the
 * next session. The binary is $WORKBOOK (default ./workbook). */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static int master = -1;
static char seen[1 << 16];
static size_t nseen;

/* Read what the REPL writes until `want` appears after offset `from`, or
 * timeout. Returns the offset just past the match, or -1. */
static long expect(const char *want, size_t from, int seconds) {
  time_t end = time(NULL) + seconds;
  for (;;) {
    seen[nseen] = '\0';
    char *hit = nseen > from ? strstr(seen + from, want) : NULL;
    if (hit) return (long)(hit - seen) + (long)strlen(want);
    int left = (int)(end - time(NULL));
    if (left <= 0) return -1;
    struct pollfd p = {master, POLLIN, 0};
    int r = poll(&p, 1, left * 1000);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      return -1;
    }
    ssize_t n = read(master, seen + nseen, sizeof seen - 1 - nseen);
    if (n <= 0) return -1;
    nseen += (size_t)n;
  }
}

static void type(const char *s) {
  ssize_t w = write(master, s, strlen(s));
  (void)w;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

int main(void) {
  const char *bin = getenv("WORKBOOK");
  if (!bin) bin = "./workbook";
  char hist[] = "/tmp/wb_repl_histXXXXXX";
  int hfd = mkstemp(hist);
  if (hfd >= 0) close(hfd);
  unlink(hist);

  char inputrc[] = "/tmp/wb_repl_inputrcXXXXXX";
  int ifd = mkstemp(inputrc);
  if (ifd >= 0) {
    static const char rc[] = "set enable-bracketed-paste off\n";
    ssize_t w = write(ifd, rc, sizeof rc - 1);
    (void)w;
    close(ifd);
  }
  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  if (pid < 0) {
    printf("1..0 # SKIP no pseudo-terminal: %s\n", strerror(errno));
    return 0;
  }
  if (pid == 0) {
    setenv("WORKBOOK_HISTORY", hist, 1);
    setenv("TERM", "xterm", 1);
    setenv("WORKBOOK_OUT", "/tmp", 1);
    /* the user's key bindings stay out; no bracketed-paste escapes */
    setenv("INPUTRC", inputrc, 1);
    execl(bin, bin, "repl", (char *)NULL);
    _exit(127);
  }
  plan(10);
  long at = expect("help() for help", 0, 30);
  ok(at >= 0, "the banner names help()");
  at = expect("> ", at < 0 ? 0 : (size_t)at, 10);

  type("21 * 2\r");
  long a1 = expect("42", (size_t)(at < 0 ? 0 : at), 10);
  ok(a1 >= 0, "an expression's value is printed");
  long p1 = expect("> ", (size_t)(a1 < 0 ? 0 : a1), 10);

  type("\033[A\r");            /* Up arrow, Enter: the same line again */
  long a2 = expect("42", (size_t)(p1 < 0 ? 0 : p1), 10);
  ok(a2 >= 0, "the Up arrow brings back the last line");
  long p2 = expect("> ", (size_t)(a2 < 0 ? 0 : a2), 10);

  type("for i = 1, 2 do\r");
  long c1 = expect(">> ", (size_t)(p2 < 0 ? 0 : p2), 10);
  ok(c1 >= 0, "an unfinished statement asks for more with '>> '");
  type("print(i * 111)\r");
  type("end\r");
  long c2 = expect("222", (size_t)(c1 < 0 ? 0 : c1), 10);
  ok(c2 >= 0 && strstr(seen + c1, "111") != NULL, "the multi-line loop runs");
  long p3 = expect("> ", (size_t)(c2 < 0 ? 0 : c2), 10);

  type("half typed");
  expect("half typed", (size_t)(p3 < 0 ? 0 : p3), 10);
  usleep(200 * 1000);
  type("\003");                /* Ctrl-C at the prompt */
  long p4 = expect("> ", (size_t)(p3 < 0 ? 0 : p3) + 10, 10);
  type("7 + 8\r");
  long a3 = expect("15", (size_t)(p4 < 0 ? 0 : p4), 10);
  ok(p4 >= 0 && a3 >= 0 && !strstr(seen, "half typed7"),
     "Ctrl-C at the prompt drops the line and gives a fresh prompt");
  long p5 = expect("> ", (size_t)(a3 < 0 ? 0 : a3), 10);

  type("io.write('loop', 'ing\\n'); io.flush(); while true do end\r");
  expect("looping", (size_t)(p5 < 0 ? 0 : p5) + 40, 10);   /* the loop has started */
  type("\003");                /* Ctrl-C while the loop runs */
  long i1 = expect("interrupted", (size_t)(p5 < 0 ? 0 : p5), 10);
  ok(i1 >= 0, "Ctrl-C stops a running line");
  long p6 = expect("> ", (size_t)(i1 < 0 ? 0 : i1), 10);
  type("'still here'\r");
  long s1 = expect("still here", (size_t)(p6 < 0 ? 0 : p6) + 14, 10);
  ok(s1 >= 0, "the REPL goes on after the interrupt");
  expect("> ", (size_t)(s1 < 0 ? 0 : s1), 10);   /* Ctrl-D at the prompt */

  type("\004");                /* Ctrl-D quits */
  int status = -1;
  for (int i = 0; i < 100; i++) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    expect("\1never\1", nseen, 0);   /* keep draining */
    usleep(50 * 1000);
    status = -1;
  }
  if (status == -1) { kill(pid, SIGKILL); waitpid(pid, &status, 0); }
  ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "Ctrl-D ends the REPL with status 0");

  FILE *f = fopen(hist, "r");
  char buf[4096] = "";
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[n] = '\0';
  if (f) fclose(f);
  ok(count(buf, "21 * 2") >= 1 && strstr(buf, "7 + 8") != NULL,
     "the history file keeps the lines for the next session");
  unlink(hist);
  unlink(inputrc);
  if (tap_failed) printf("# what the terminal showed:\n# %s\n", seen);
  return tap_failed != 0;
}
