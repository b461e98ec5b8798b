/* lbook.c - the `book.core` Lua module: what runtime/lua/book_build.lua (the
 * book builder) needs from C: Markdown rendering (bookmd.c), SHA-256,
 * child processes with timeouts, and a few file-system calls. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "book/bookfs.h"
#include "book/bookhash.h"
#include "book/bookmd.h"
#include "book/bookrun.h"

static int fail_errno(lua_State *L, const char *what) {
  lua_pushnil(L);
  lua_pushfstring(L, "%s: %s", what, strerror(errno));
  return 2;
}

static void set_str(lua_State *L, const char *k, const char *v) {
  lua_pushstring(L, v ? v : "");
  lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* ---- Markdown ---------------------------------------------------------- */

static void push_page(lua_State *L, const BmPage *pg) {
  lua_createtable(L, 0, 6);
  set_str(L, "html", pg->html);
  set_str(L, "intro", pg->intro);
  set_int(L, "nmath", pg->nmath);
  lua_createtable(L, pg->nheads, 0);
  for (int i = 0; i < pg->nheads; i++) {
    const BmHeading *h = &pg->heads[i];
    lua_createtable(L, 0, 6);
    set_int(L, "level", h->level);
    set_int(L, "line", h->line);
    set_str(L, "id", h->id);
    set_str(L, "text", h->text);
    set_str(L, "html", h->html);
    set_str(L, "body", h->body);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "headings");
  lua_createtable(L, pg->nrefs, 0);
  for (int i = 0; i < pg->nrefs; i++) {
    lua_createtable(L, 0, 3);
    lua_pushboolean(L, pg->refs[i].image);
    lua_setfield(L, -2, "image");
    set_int(L, "line", pg->refs[i].line);
    set_str(L, "url", pg->refs[i].url);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "refs");
  lua_createtable(L, pg->nruns, 0);
  for (int i = 0; i < pg->nruns; i++) {
    lua_createtable(L, 0, 2);
    set_int(L, "line", pg->runs[i].line);
    set_str(L, "path", pg->runs[i].path);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "runs");
  lua_createtable(L, pg->nlabels, 0);     /* labels[N+1]: <!--wb-label:N--> */
  for (int i = 0; i < pg->nlabels; i++) {
    lua_createtable(L, 0, 3);
    set_str(L, "kind", pg->labels[i].kind);
    set_str(L, "id", pg->labels[i].id);
    set_int(L, "line", pg->labels[i].line);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "labels");
  lua_createtable(L, pg->nxrefs, 0);      /* xrefs[N+1]: <!--wb-xref:N--> */
  for (int i = 0; i < pg->nxrefs; i++) {
    lua_createtable(L, 0, 3);
    lua_pushboolean(L, pg->xrefs[i].value);
    lua_setfield(L, -2, "value");
    set_str(L, "key", pg->xrefs[i].key);
    set_int(L, "line", pg->xrefs[i].line);
    if (pg->xrefs[i].file) set_str(L, "file", pg->xrefs[i].file);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "xrefs");
}

/* render(markdown, name, root, dir) -> page | nil, "name:LINE: msg".
 * The C side owns nothing once this returns, so errors come back as
 * values rather than as longjmps through cmark's allocations. */
static int b_render(lua_State *L) {
  size_t len;
  const char *src = luaL_checklstring(L, 1, &len);
  const char *name = luaL_checkstring(L, 2);
  const char *root = luaL_optstring(L, 3, ".");
  const char *dir = luaL_optstring(L, 4, ".");
  BmPage pg;
  char err[1400];
  if (bm_render(src, len, name, root, dir, &pg, err, sizeof err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  push_page(L, &pg);   /* may raise on memory: pg leaks only then */
  bm_page_free(&pg);
  return 1;
}

static int b_slug(lua_State *L) {
  char out[512];
  bm_slug(luaL_checkstring(L, 1), out, sizeof out);
  lua_pushstring(L, out);
  return 1;
}

/* ---- hashing ----------------------------------------------------------- */

static int b_sha256(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  char hex[BH_HEX];
  bh_sha256_buf(s, n, hex);
  lua_pushstring(L, hex);
  return 1;
}

static int b_sha256_file(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  char hex[BH_HEX];
  if (bh_sha256_file(p, hex) != 0) return fail_errno(L, p);
  lua_pushstring(L, hex);
  return 1;
}

/* ---- processes --------------------------------------------------------- */

/* A NULL-terminated array of the strings of the table at i, kept alive
 * in a userdata pushed on the stack. */
static char **string_array(lua_State *L, int i) {
  luaL_checktype(L, i, LUA_TTABLE);
  lua_Integer n = luaL_len(L, i);
  luaL_argcheck(L, n >= 0 && n < 100000, i, "too many strings");
  char **v = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *v, 0);
  for (lua_Integer k = 1; k <= n; k++) {
    if (lua_rawgeti(L, i, k) != LUA_TSTRING)
      luaL_error(L, "bad argument #%d: item %d is not a string", i, (int)k);
    v[k - 1] = (char *)lua_tostring(L, -1);
    lua_pop(L, 1);   /* the table keeps the string alive */
  }
  v[n] = NULL;
  return v;
}

extern char **environ;

/* Our environment with the changes in the table at i applied (a string
 * sets a variable, false removes it), as a NULL-terminated array kept
 * alive in a userdata and a table pushed on the stack. */
static char **merged_env(lua_State *L, int i) {
  luaL_checktype(L, i, LUA_TTABLE);
  lua_newtable(L);                         /* the strings, kept alive */
  int n = 0;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq) continue;
    lua_pushlstring(L, *e, (size_t)(eq - *e));
    int changed = lua_rawget(L, i) != LUA_TNIL;
    lua_pop(L, 1);
    if (changed) continue;
    lua_pushstring(L, *e);
    lua_rawseti(L, -2, ++n);
  }
  for (lua_pushnil(L); lua_next(L, i); lua_pop(L, 1)) {
    if (lua_type(L, -1) != LUA_TSTRING || lua_type(L, -2) != LUA_TSTRING)
      continue;
    lua_pushfstring(L, "%s=%s", lua_tostring(L, -2), lua_tostring(L, -1));
    lua_rawseti(L, -4, ++n);
  }
  return string_array(L, lua_gettop(L));
}

/* spawn(argv, envchanges, cwd|nil, outfile) -> pid | nil, msg */
static int b_spawn(lua_State *L) {
  char **argv = string_array(L, 1);
  char **env = merged_env(L, 2);
  const char *cwd = luaL_optstring(L, 3, NULL);
  const char *outp = luaL_checkstring(L, 4);
  luaL_argcheck(L, argv[0] != NULL, 1, "empty argv");
  pid_t pid = br_spawn(argv, env, cwd, outp);
  if (pid < 0) return fail_errno(L, argv[0]);
  lua_pushinteger(L, pid);
  return 1;
}

/* poll(pid) -> nil while running, else the exit code (or -signal) */
static int b_poll(lua_State *L) {
  int code;
  int r = br_poll((pid_t)luaL_checkinteger(L, 1), &code);
  if (r < 0) return fail_errno(L, "waitpid");
  if (r == 0) { lua_pushnil(L); return 1; }
  lua_pushinteger(L, code);
  return 1;
}

static int b_kill(lua_State *L) {
  br_kill((pid_t)luaL_checkinteger(L, 1));
  return 0;
}

/* interrupt(pid): SIGINT the lab's process group, which then stops at
 * its next safe point, removes its temporary files and exits 130. */
static int b_interrupt(lua_State *L) {
  br_interrupt((pid_t)luaL_checkinteger(L, 1));
  return 0;
}

/* A lab must not outlive the builder: labs have process groups of their
 * own (for the timeout kill), so a terminal's signal reaches only the
 * builder. SIGINT (Ctrl-C) is the host's (main.c: the builder stops at a
 * safe point and calls its sys.on_interrupt function, which stops the
 * labs); SIGTERM and SIGHUP are noted here, for the build loop to stop
 * its labs and return 128 + the signal. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig) { interrupted = sig; }

static int b_catch_signals(lua_State *L) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  return 0;
}

/* interrupted() -> the signal number caught, or nil */
static int b_interrupted(lua_State *L) {
  if (!interrupted) return 0;
  lua_pushinteger(L, interrupted);
  return 1;
}

static int b_sleep(lua_State *L) {
  double s = luaL_checknumber(L, 1);
  if (s <= 0) return 0;
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted) {}
  return 0;
}

/* ---- files ------------------------------------------------------------- */

/* stat(path) -> {size, mtime (ns), ino, dir} | nil */
static int b_stat(lua_State *L) {
  struct stat st;
  if (stat(luaL_checkstring(L, 1), &st) != 0) return fail_errno(L, "stat");
  lua_createtable(L, 0, 4);
  set_int(L, "size", (lua_Integer)st.st_size);
  set_int(L, "mtime", (lua_Integer)st.st_mtim.tv_sec * 1000000000
                      + st.st_mtim.tv_nsec);
  set_int(L, "ino", (lua_Integer)st.st_ino);
  lua_pushboolean(L, S_ISDIR(st.st_mode));
  lua_setfield(L, -2, "dir");
  return 1;
}

/* list(dir) -> sorted array of names (no . and ..) | nil, msg */
static int b_list(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  DIR *d = opendir(p);
  if (!d) return fail_errno(L, p);
  lua_newtable(L);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    lua_pushstring(L, e->d_name);   /* a memory error here leaks d: rare */
    lua_rawseti(L, -2, ++n);
  }
  closedir(d);
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_pushvalue(L, -3);
  lua_call(L, 1, 0);
  lua_pop(L, 1);
  return 1;
}

static int b_copy(lua_State *L) {
  const char *a = luaL_checkstring(L, 1), *b = luaL_checkstring(L, 2);
  if (bf_copy(a, b) != 0) return fail_errno(L, b);
  lua_pushboolean(L, 1);
  return 1;
}

static int b_rmtree(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  if (bf_rmtree(p) != 0) return fail_errno(L, p);
  lua_pushboolean(L, 1);
  return 1;
}

static int b_realpath(lua_State *L) {
  char buf[PATH_MAX];
  const char *p = luaL_checkstring(L, 1);
  if (!realpath(p, buf)) return fail_errno(L, p);
  lua_pushstring(L, buf);
  return 1;
}

static int b_getcwd(lua_State *L) {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) return fail_errno(L, "getcwd");
  lua_pushstring(L, buf);
  return 1;
}

static const luaL_Reg functions[] = {
  {"render", b_render}, {"slug", b_slug},
  {"sha256", b_sha256}, {"sha256_file", b_sha256_file},
  {"spawn", b_spawn}, {"poll", b_poll}, {"kill", b_kill}, {"interrupt", b_interrupt},
  {"sleep", b_sleep},
  {"catch_signals", b_catch_signals}, {"interrupted", b_interrupted},
  {"stat", b_stat}, {"list", b_list}, {"copy", b_copy}, {"rmtree", b_rmtree},
  {"realpath", b_realpath}, {"getcwd", b_getcwd},
  {NULL, NULL}
};

int luaopen_book(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
