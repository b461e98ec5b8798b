/* main.c - the workbook host: command line, script runner, REPL.
 *
 * It embeds the system Lua 5.4, preloads the runtime's C modules (the
 * bindings of runtime/bind/) and its Lua half (runtime/lua, compiled into the
 * binary), then runs a lab script with a traceback on error. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "book/bookrun.h"
#include "core/fsutil.h"
#include "bind/lsys.h"
#include "bind/lutil.h"
#include "core/names.h"
#include "version.h"
#include "bind/wbstate.h"

static const char *progname = "workbook";

static void usage(FILE *f) {
  fprintf(f,
    "usage: workbook COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run PATH [ARGS...]  run a Lua lab script; a PATH such as ch9/lab1.lua\n"
    "                      (or ch9/lab1) that does not exist as given is\n"
    "                      looked up under chapters/ (here, then next to\n"
    "                      the binary)\n"
    "  list [CHAPTER]      the chapters' labs with a line on each (ch9: one)\n"
    "  repl                interactive Lua with every workbook module loaded\n"
    "                      (line editing, history; help() inside)\n"
    "  book [OPTIONS]      build the HTML course book (build/book/); runs\n"
    "                      the labs, caching their results (--help: options)\n"
    "  check [--tap] TARGET  run an exercise's checks on a student's file:\n"
    "                      ch9/ex1.lua, a copy by path (--exercise ch9/ex1),\n"
    "                      or a chapter (ch9); --help: the details\n"
    "  grade DIR --exercise chN/exK [--csv FILE]\n"
    "                      run the checks on a class folder of submissions,\n"
    "                      each sandboxed; writes a CSV and prints a summary\n"
    "  version             print the version\n"
    "  help, --help        this text\n"
    "\n"
    "environment:\n"
    "  WORKBOOK_OUT        where labs write their files (default: out)\n"
    "  WORKBOOK_DATA       extra folders to search for data sets (colon-separated)\n"
    "  WORKBOOK_QUICK=1    labs train on a small subset, quickly\n"
    "  WORKBOOK_THREADS    number of worker threads (default: the cores)\n"
    "  WORKBOOK_HOME       the folder holding chapters/ and data/ (default:\n"
    "                      the binary's folder)\n"
    "  WORKBOOK_HISTORY    the REPL's history file (default: ~/.workbook_history)\n"
    "  WORKBOOK_NO_DNNL=1  convolutions without oneDNN (for timing comparisons)\n"
    "  WORKBOOK_KATEX_DIR, WORKBOOK_HLJS_DIR  where the book copies KaTeX and\n"
    "                      highlight.js from\n"
    "  set by `workbook book` for the labs it runs: WORKBOOK_CELLS=1 (cell\n"
    "  markers), WORKBOOK_READS (a log of the files a lab reads)\n");
}

/* ---- Ctrl-C ----------------------------------------------------------- */

/* SIGINT stops the program at the next safe point, like lua.c's laction:
 * the handler only sets a hook (lua_sethook is async-signal-safe), and
 * the hook runs at the next Lua instruction, call or return, that is
 * between two calls into C kernels and writers, never inside one. There
 * it prints where the program was ("workbook: interrupted during fit:
 * epoch 3/10, step 120/1875 (lab2.lua:41)"), calls sys.on_interrupt's
 * function (the book builder stops its labs there), removes the
 * temporary files of writes in flight (fs_tmp_cleanup) and exits 130.
 *
 * It exits from the hook rather than raising an error: Lua has no error
 * that pcall cannot catch, and a lab's (or the runtime's own) pcall would
 * swallow the interrupt and carry on. _exit after flushing stdio, not
 * exit: atexit handlers of the libraries (HDF5, OpenBLAS, oneDNN) may
 * touch state a worker thread holds; the temporary files are removed by
 * hand and the files the script wrote and closed are complete already.
 *
 * In the REPL an interrupt only stops the current evaluation: the hook
 * raises an error (a pcall may catch it, as in lua.c), and sys.atomic_write
 * removes its temporary file on the way out.
 *
 * A second SIGINT while the first waits for its safe point (a long C call
 * does not return) ends the program from the handler: temporary files
 * and child labs are removed with async-signal-safe calls, then _exit.
 *
 * The hook is set on the main Lua thread: code running inside a
 * coroutine stops when the coroutine yields or returns to it (or at a
 * second Ctrl-C). */

enum { INTR_EXIT, INTR_ERROR };
static lua_State *volatile intr_state;     /* the state the handler hooks */
static volatile sig_atomic_t intr_mode;
static volatile sig_atomic_t intr_pending;

/* "file:line" of the script's innermost running line, or "". Unlike
 * script_where (bind/lutil.c), this starts at level 0: inside a hook,
 * level 0 is the function that was running, the script's main chunk
 * included. script_frame keeps the work bounded on a deep stack. */
static void intr_position(lua_State *L, char *buf, size_t n) {
  lua_Debug ar;
  buf[0] = '\0';
  if (script_frame(L, 0, &ar) && ar.currentline > 0)
    snprintf(buf, n, "%s:%d", ar.short_src, ar.currentline);
}

/* "interrupted during DOING (POSITION)", or the parts there are. */
static void intr_message(lua_State *L, char *buf, size_t n) {
  char pos[512];
  const char *doing = sys_doing();
  if (L) intr_position(L, pos, sizeof pos);
  else pos[0] = '\0';
  if (doing[0] && pos[0]) snprintf(buf, n, "interrupted during %s (%s)", doing, pos);
  else if (doing[0]) snprintf(buf, n, "interrupted during %s", doing);
  else if (pos[0]) snprintf(buf, n, "interrupted at %s", pos);
  else snprintf(buf, n, "interrupted");
}

/* Say so, stop what the script started, remove temporary files, exit
 * 130 (128 + SIGINT, what a shell reports for a program Ctrl-C killed). */
static void intr_exit(lua_State *L) {
  char msg[1024];
  intr_message(L, msg, sizeof msg);
  fflush(stdout);
  /* the terminal echoed ^C mid-line: start a line of our own */
  fprintf(stderr, "%s%s: %s\n", isatty(2) ? "\n" : "", progname, msg);
  fflush(stderr);
  if (L) sys_run_on_interrupt(L);
  br_kill_all();
  fs_tmp_cleanup();
  fflush(NULL);
  _exit(128 + SIGINT);
}

static void intr_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  if (intr_mode == INTR_EXIT) intr_exit(L);
  char msg[1024];
  /* the REPL's message leads with the position, like any error there */
  char pos[512];
  const char *doing = sys_doing();
  intr_position(L, pos, sizeof pos);
  snprintf(msg, sizeof msg, "%s%sinterrupted%s%s", pos, pos[0] ? ": " : "",
           doing[0] ? " during " : "", doing);
  intr_pending = 0;
  lua_pushstring(L, msg);
  lua_error(L);
}

static void intr_handler(int sig) {
  (void)sig;
  if (intr_pending) {
    static const char msg[] = "\nworkbook: interrupted\n";
    fs_tmp_cleanup();
    br_kill_all();
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(128 + SIGINT);
  }
  intr_pending = 1;
  lua_State *L = intr_state;
  if (L) lua_sethook(L, intr_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Catch SIGINT for L (mode INTR_EXIT or INTR_ERROR); L NULL puts the
 * default action back. */
static void intr_catch(lua_State *L, int mode) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  if (L) {
    intr_mode = mode;
    intr_pending = 0;
    intr_state = L;
    sa.sa_handler = intr_handler;
    sigaction(SIGINT, &sa, NULL);
  } else {
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    intr_state = NULL;
  }
}

/* After a run: an interrupt that came when no Lua code was left to run
 * (the hook never fired) still ends the program as interrupted. */
static void intr_settle(lua_State *L) {
  if (intr_pending && intr_mode == INTR_EXIT) {
    lua_sethook(L, NULL, 0, 0);
    intr_exit(NULL);
  }
}

/* ---- running ---------------------------------------------------------- */

/* The message leads with the script's line (relocate_message), then a
 * traceback. */
static int msghandler(lua_State *L) {
  lua_settop(L, 1);
  if (lua_type(L, 1) == LUA_TSTRING) {
    relocate_message(L);          /* leaves the message on top */
    lua_copy(L, -1, 1);
    lua_settop(L, 1);
  }
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    /* a script's error leads with its file:line (nothing before it); other
     * failures say which program is talking */
    if (msg && position_len(msg) > 0) fprintf(stderr, "%s\n", msg);
    else fprintf(stderr, "%s: %s\n", progname, msg ? msg : "(no message)");
    fflush(stderr);
    lua_pop(L, 1);
  }
  return status;
}

static int docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  int status = lua_pcall(L, narg, nres, base);
  lua_remove(L, base);
  return status;
}

static int file_exists(const char *p) { return access(p, R_OK) == 0; }

/* Resolve a script path: as given, else under ./chapters, else under
 * the workbook home's chapters/. */
static int resolve_one(const char *given, char *out, size_t n) {
  if (file_exists(given)) { snprintf(out, n, "%s", given); return 1; }
  snprintf(out, n, "chapters/%s", given);
  if (file_exists(out)) return 1;
  char dir[PATH_MAX];
  fs_home(dir, sizeof dir);
  snprintf(out, n, "%s/chapters/%s", dir, given);
  return file_exists(out);
}

/* The same, and then with ".lua" added (workbook run ch9/lab1). */
static int resolve_script(const char *given, char *out, size_t n) {
  if (resolve_one(given, out, n)) return 1;
  size_t len = strlen(given);
  if (len >= 4 && strcmp(given + len - 4, ".lua") == 0) return 0;
  char with[PATH_MAX];
  snprintf(with, sizeof with, "%s.lua", given);
  int save = errno;
  if (resolve_one(with, out, n)) return 1;
  errno = save;
  return 0;
}

/* Make the standard state: libraries, preloads, prelude. */
static lua_State *new_state(void) {
  return workbook_newstate();
}

static int run_prelude(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "prelude");
  return report(L, docall(L, 1, 0));
}

/* Let a script require the .lua files beside it. */
static void add_script_dir(lua_State *L, const char *path) {
  const char *slash = strrchr(path, '/');
  int dirlen = slash ? (int)(slash - path) : 1;
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  lua_pushlstring(L, slash ? path : ".", (size_t)dirlen);
  lua_pushfstring(L, "%s/?.lua;%s", lua_tostring(L, -1), lua_tostring(L, -2));
  lua_setfield(L, -4, "path");
  lua_pop(L, 3);
}

/* Load the script. Under the book builder (WORKBOOK_CELLS=1) its
 * `-- %%` cell lines tell the builder where each cell's output starts
 * (book.load_script in runtime/lua/book.lua). */
static int load_script(lua_State *L, const char *path) {
  const char *cells = getenv("WORKBOOK_CELLS");
  if (!cells || strcmp(cells, "1") != 0) return luaL_loadfilex(L, path, "t");
  lua_getglobal(L, "require");
  lua_pushliteral(L, "book");
  int status = docall(L, 1, 1);
  if (status != LUA_OK) return status;
  lua_getfield(L, -1, "load_script");
  lua_remove(L, -2);
  lua_pushstring(L, path);
  status = docall(L, 1, 2);
  if (status != LUA_OK) return status;
  if (lua_isnil(L, -2)) { lua_remove(L, -2); return LUA_ERRFILE; }
  lua_pop(L, 1);
  return LUA_OK;
}

static int cmd_run(int argc, char **argv) {
  if (argc < 1) {
    fprintf(stderr, "%s: run: missing script path (try: workbook run ch9/lab1.lua)\n", progname);
    return 2;
  }
  char path[PATH_MAX];
  if (!resolve_script(argv[0], path, sizeof path)) {
    fprintf(stderr, "%s: cannot open %s (%s; also looked under chapters/)\n",
            progname, argv[0], strerror(errno));
    return 1;
  }
  lua_State *L = new_state();
  if (!L) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  /* arg table as the lua program makes it */
  lua_createtable(L, argc, 1);
  lua_pushstring(L, progname);
  lua_rawseti(L, -2, -1);
  lua_pushstring(L, path);
  lua_rawseti(L, -2, 0);
  for (int i = 1; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_setglobal(L, "arg");
  add_script_dir(L, path);
  intr_catch(L, INTR_EXIT);
  int status = run_prelude(L);
  if (status == LUA_OK) {
    status = load_script(L, path);
    if (status == LUA_OK) {
      for (int i = 1; i < argc; i++) lua_pushstring(L, argv[i]);
      status = docall(L, argc - 1, 0);
    }
    intr_settle(L);
    report(L, status);
  }
  fflush(stdout);
  intr_catch(NULL, 0);
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}

/* ---- book ------------------------------------------------------------- */

/* The builder lives in runtime/lua/book_build.lua: main(args...) returns the
 * exit status. */
static int cmd_book(int argc, char **argv) {
  lua_State *L = new_state();
  if (!L) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  int code = 1;
  intr_catch(L, INTR_EXIT);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "book_build");
  int status = docall(L, 1, 1);
  if (status == LUA_OK) {
    lua_getfield(L, -1, "main");
    luaL_checkstack(L, argc + 2, "too many arguments");
    for (int i = 0; i < argc; i++) lua_pushstring(L, argv[i]);
    status = docall(L, argc, 1);
    if (status == LUA_OK) code = (int)lua_tointeger(L, -1);
  }
  intr_settle(L);
  report(L, status);
  fflush(stdout);
  intr_catch(NULL, 0);
  lua_close(L);
  return code;
}

/* ---- check, grade ----------------------------------------------------- */

/* Both live in runtime/lua/check.lua: main(command, args...) returns the
 * exit status. The prelude runs first: `check --child` runs a student's
 * file there, which expects out(), the relocating pcall and the rest. */
static int cmd_check(const char *command, int argc, char **argv) {
  lua_State *L = new_state();
  if (!L) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  lua_createtable(L, 0, 1);
  lua_setglobal(L, "arg");
  int code = 1;
  intr_catch(L, INTR_EXIT);
  int status = run_prelude(L);
  if (status == LUA_OK) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "check");
    status = docall(L, 1, 1);
    if (status == LUA_OK) {
      lua_getfield(L, -1, "main");
      luaL_checkstack(L, argc + 3, "too many arguments");
      lua_pushstring(L, command);
      for (int i = 0; i < argc; i++) lua_pushstring(L, argv[i]);
      status = docall(L, argc + 1, 1);
      if (status == LUA_OK) code = (int)lua_tointeger(L, -1);
    }
    intr_settle(L);
    report(L, status);
  }
  fflush(stdout);
  intr_catch(NULL, 0);
  lua_close(L);
  return code;
}

/* ---- REPL ------------------------------------------------------------- */

/* Lines come from GNU readline when stdin and stdout are a terminal (line
 * editing, the Up arrow, history kept in $WORKBOOK_HISTORY or
 * ~/.workbook_history), else from fgets (a pipe, a test). The Lua half,
 * runtime/lua/repl.lua, loads the modules as globals, rewrites top-level
 * `local`s into globals so they outlive their line, and prints results
 * readably. readline runs through its callback interface: a Ctrl-C at the
 * prompt drops the line being typed and gives a fresh prompt. */

static volatile sig_atomic_t rl_interrupted;
static char *rl_got;
static int rl_finished;

static void rl_sigint(int sig) { (void)sig; rl_interrupted = 1; }

static void rl_take_line(char *line) {
  rl_got = line;
  rl_finished = 1;
  rl_callback_handler_remove();
}

/* One line without its newline, malloc'ed; NULL at end of input. *intr is
 * set when Ctrl-C dropped the line. */
static char *read_line(int tty, const char *prompt, int *intr) {
  *intr = 0;
  if (!tty) {
    static char buf[65536];
    if (!fgets(buf, sizeof buf, stdin)) return NULL;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n') buf[--n] = '\0';
    return strdup(buf);
  }
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = rl_sigint;          /* no SA_RESTART: select returns */
  sigaction(SIGINT, &sa, &old);
  /* SIGINT is blocked except inside pselect: one that comes while
   * readline works on a key is seen at the next wait, not lost */
  sigset_t block, orig;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &orig);
  rl_interrupted = 0;
  rl_finished = 0;
  rl_got = NULL;
  rl_callback_handler_install(prompt, rl_take_line);
  while (!rl_finished) {
    if (rl_interrupted) {
      rl_replace_line("", 0);       /* the next prompt starts empty */
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_callback_handler_remove();
      fputs("\n", stdout);
      fflush(stdout);
      *intr = 1;
      break;
    }
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(0, &fds);
    int r = pselect(1, &fds, NULL, NULL, NULL, &orig);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { rl_callback_handler_remove(); break; }
    rl_callback_read_char();
  }
  sigprocmask(SIG_SETMASK, &orig, NULL);
  sigaction(SIGINT, &old, NULL);
  return *intr ? NULL : rl_got;
}

static void history_path(char *buf, size_t n) {
  const char *h = getenv("WORKBOOK_HISTORY");
  if (h) { snprintf(buf, n, "%s", h); return; }
  const char *home = getenv("HOME");
  if (home && *home) snprintf(buf, n, "%s/.workbook_history", home);
  else buf[0] = '\0';
}

static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= 5 && strcmp(msg + lmsg - 5, "<eof>") == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

/* repl.lua's function NAME onto the stack (the module is upvalue-free:
 * looked up in package.loaded each time). */
static void repl_fn(lua_State *L, const char *name) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  lua_getfield(L, -1, "repl");
  lua_getfield(L, -1, name);
  lua_replace(L, -4);
  lua_pop(L, 2);
}

static void print_results(lua_State *L, int n) {
  if (n <= 0) return;
  repl_fn(L, "show");
  lua_insert(L, -n - 1);
  report(L, docall(L, n, 0));
}

/* Compile the code at index 1: first as an expression (its values are
 * printed), then as statements after repl.rewrite. Leaves the function,
 * or an error message, on top; returns -1 when the code is incomplete. */
static int repl_compile(lua_State *L) {
  const char *code = lua_tostring(L, 1);
  const char *ret = lua_pushfstring(L, "return %s", code);
  int st = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
  lua_remove(L, -2);
  if (st == LUA_OK) return 0;
  lua_pop(L, 1);
  repl_fn(L, "rewrite");
  lua_pushvalue(L, 1);
  if (docall(L, 1, 1) != LUA_OK) return 0;   /* its error message stays */
  size_t len;
  const char *stmt = lua_tolstring(L, -1, &len);
  st = luaL_loadbuffer(L, stmt, len, "=stdin");
  lua_remove(L, -2);
  if (st == LUA_OK) return 0;
  if (incomplete(L, st)) return -1;
  return 0;
}

static int cmd_repl(void) {
  lua_State *L = new_state();
  if (!L) return 1;
  lua_createtable(L, 0, 1);
  lua_setglobal(L, "arg");
  if (run_prelude(L) != LUA_OK) { lua_close(L); return 1; }
  lua_getglobal(L, "require");
  lua_pushliteral(L, "repl");
  if (report(L, docall(L, 1, 1)) != LUA_OK) { lua_close(L); return 1; }
  lua_getfield(L, -1, "setup");
  if (report(L, docall(L, 0, 1)) != LUA_OK) { lua_close(L); return 1; }
  int tty = isatty(0) && isatty(1);
  if (tty)
    printf("workbook %s (%s) - loaded: %s\n"
           "help() for help; Ctrl-D quits\n",
           WORKBOOK_VERSION, LUA_RELEASE, lua_tostring(L, -1));
  lua_settop(L, 0);
  char hist[PATH_MAX];
  if (tty) {
    signal(SIGINT, SIG_IGN);        /* read_line and evaluation catch it */
    rl_readline_name = "workbook";
    rl_catch_signals = 0;
    history_path(hist, sizeof hist);
    if (hist[0]) read_history(hist);
    stifle_history(1000);
  }
  for (;;) {
    int intr;
    char *line = read_line(tty, "> ", &intr);
    if (intr) continue;
    if (!line) break;
    lua_settop(L, 0);
    lua_pushstring(L, line);
    free(line);
    int more;
    for (;;) {
      more = repl_compile(L);
      if (more == 0) break;
      char *next = read_line(tty, ">> ", &intr);
      if (!next) { lua_settop(L, 0); break; }
      lua_pushfstring(L, "%s\n%s", lua_tostring(L, 1), next);
      free(next);
      lua_replace(L, 1);
    }
    if (lua_gettop(L) < 2) continue;
    if (tty) {
      const char *code = lua_tostring(L, 1);
      HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
      if (code[strspn(code, " \t")] && !(last && strcmp(last->line, code) == 0))
        add_history(code);
    }
    if (lua_type(L, -1) == LUA_TSTRING) { report(L, LUA_ERRSYNTAX); continue; }
    int base = lua_gettop(L) - 1;
    intr_catch(L, INTR_ERROR);
    int st = docall(L, 0, LUA_MULTRET);
    if (st == LUA_OK) print_results(L, lua_gettop(L) - base);
    intr_catch(NULL, 0);
    if (tty) signal(SIGINT, SIG_IGN);   /* between lines: never a kill */
    lua_sethook(L, NULL, 0, 0);     /* an interrupt that came too late */
    if (st != LUA_OK) {
      report(L, st);
      fs_tmp_cleanup();             /* no write is in flight between lines */
      sys_doing_clear();            /* nor a fit an error cut short */
    }
    fflush(stdout);
  }
  if (tty) {
    putchar('\n');
    if (hist[0]) write_history(hist);
  }
  lua_close(L);
  return 0;
}

/* ---- list ------------------------------------------------------------- */

/* runtime/lua/repl.lua's list(args...) prints the labs; returns the exit
 * status. */
static int cmd_list(int argc, char **argv) {
  lua_State *L = new_state();
  if (!L) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  int code = 1;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "repl");
  int status = docall(L, 1, 1);
  if (status == LUA_OK) {
    lua_getfield(L, -1, "list");
    luaL_checkstack(L, argc + 2, "too many arguments");
    for (int i = 0; i < argc; i++) lua_pushstring(L, argv[i]);
    status = docall(L, argc, 1);
    if (status == LUA_OK) code = (int)lua_tointeger(L, -1);
  }
  report(L, status);
  fflush(stdout);
  lua_close(L);
  return code;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
      || strcmp(argv[1], "help") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "repl") == 0) return cmd_repl();
  if (strcmp(cmd, "list") == 0) return cmd_list(argc - 2, argv + 2);
  if (strcmp(cmd, "book") == 0) return cmd_book(argc - 2, argv + 2);
  if (strcmp(cmd, "check") == 0 || strcmp(cmd, "grade") == 0)
    return cmd_check(cmd, argc - 2, argv + 2);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("workbook %s (%s)\n", WORKBOOK_VERSION, LUA_RELEASE);
    return 0;
  }
  static const char *const commands[] = {"run", "repl", "book", "check", "grade",
                                         "version", "help", "list"};
  int near = names_nearest(cmd, commands, 8);
  if (near >= 0)
    fprintf(stderr, "%s: unknown command '%s' (did you mean '%s'?)\n\n", progname, cmd,
            commands[near]);
  else
    fprintf(stderr, "%s: unknown command '%s'\n\n", progname, cmd);
  usage(stderr);
  return 2;
}
