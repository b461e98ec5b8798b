/* lproc.c - the `proc` Lua module: child processes under limits for the
 * `check` and `grade` commands (runtime/lua/check.lua), over core/proc.c.
 *
 *   proc.run{argv = {...}, seconds =, cpu_seconds =, memory_mb =, file_mb =, cwd =,
 *            output =, write_dir =, env = {NAME = value}}
 *     -> {exited =, code =, signal =, timed_out =, sandboxed =, seconds =}
 *   proc.exe()            the running binary's path (/proc/self/exe)
 *   proc.landlock_abi()   0 when the kernel has no Landlock
 *   proc.confine(dir)     writes only beneath dir from now on (Landlock)
 *   proc.temp_dir(prefix) a new private folder under $TMPDIR or /tmp
 *   proc.remove_tree(path)
 *   proc.realpath(path)   the absolute path, symlinks resolved
 *   proc.mtime(path)      modification time (seconds since the epoch) or nil
 *   proc.list_dir(path)   the names in a folder, sorted, without . and ..
 *                         (the grader walks the class folder; sys has no
 *                         such call and this module is the grader's) */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/lutil.h"
#include "core/proc.h"

static const OptSpec run_spec[] = {
  {"argv", OPT_TABLE}, {"seconds", OPT_NUMBER}, {"cpu_seconds", OPT_NUMBER},
  {"memory_mb", OPT_NUMBER}, {"file_mb", OPT_NUMBER}, {"cwd", OPT_STRING}, {"output", OPT_STRING},
  {"write_dir", OPT_STRING}, {"env", OPT_TABLE}, {NULL, 0}
};

static const char *opt_string(lua_State *L, const char *key) {
  lua_getfield(L, 1, key);
  const char *s = lua_tostring(L, -1);   /* stays referenced by the table */
  lua_pop(L, 1);
  return s;
}

static double opt_number(lua_State *L, const char *key, double lo) {
  lua_getfield(L, 1, key);
  double v = lua_isnil(L, -1) ? 0 : lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (v < lo) lerror(L, "proc.run: option '%s' must be at least %g, got %g", key, lo, v);
  return v;
}

static int p_run(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_options(L, 1, "proc.run", run_spec, 0);
  proc_opts o;
  memset(&o, 0, sizeof o);
  o.wall_seconds = opt_number(L, "seconds", 0);
  o.cpu_seconds = opt_number(L, "cpu_seconds", 0);
  o.memory_bytes = (long long)(opt_number(L, "memory_mb", 0) * 1024 * 1024);
  o.file_bytes = (long long)(opt_number(L, "file_mb", 0) * 1024 * 1024);
  o.cwd = opt_string(L, "cwd");
  o.output = opt_string(L, "output");
  o.write_dir = opt_string(L, "write_dir");

  lua_getfield(L, 1, "argv");
  if (!lua_istable(L, -1)) return lerror(L, "proc.run: option 'argv' is required");
  int argc = (int)luaL_len(L, -1);
  if (argc < 1) return lerror(L, "proc.run: 'argv' is empty");
  const char **argv = lua_newuserdatauv(L, (size_t)(argc + 1) * sizeof *argv, 0);
  for (int i = 0; i < argc; i++) {
    lua_rawgeti(L, -2, i + 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      return lerror(L, "proc.run: argv[%d] is not a string", i + 1);
    argv[i] = lua_tostring(L, -1);     /* still referenced by the argv table */
    lua_pop(L, 1);
  }
  argv[argc] = NULL;
  /* env: "NAME=VALUE" strings kept alive in a table at the top */
  lua_newtable(L);
  int envt = lua_gettop(L);
  int nenv = 0;
  lua_getfield(L, 1, "env");
  if (lua_istable(L, -1)) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
        return lerror(L, "proc.run: env must map names to strings");
      lua_pushfstring(L, "%s=%s", lua_tostring(L, -2), lua_tostring(L, -1));
      lua_rawseti(L, envt, ++nenv);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  const char **env = lua_newuserdatauv(L, (size_t)(nenv + 1) * sizeof *env, 0);
  for (int i = 0; i < nenv; i++) {
    lua_rawgeti(L, envt, i + 1);
    env[i] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  env[nenv] = NULL;
  o.env = env;

  proc_result r;
  if (proc_run(argv, &o, &r) != 0)
    return lerror(L, "proc.run: cannot start %s: %s", argv[0], strerror(errno));
  lua_createtable(L, 0, 6);
  lua_pushboolean(L, r.exited); lua_setfield(L, -2, "exited");
  lua_pushinteger(L, r.code); lua_setfield(L, -2, "code");
  lua_pushinteger(L, r.signal); lua_setfield(L, -2, "signal");
  lua_pushboolean(L, r.timed_out); lua_setfield(L, -2, "timed_out");
  lua_pushboolean(L, r.sandboxed); lua_setfield(L, -2, "sandboxed");
  lua_pushnumber(L, r.seconds); lua_setfield(L, -2, "seconds");
  return 1;
}

static int p_exe(lua_State *L) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return lerror(L, "proc.exe: cannot read /proc/self/exe: %s", strerror(errno));
  lua_pushlstring(L, buf, (size_t)n);
  return 1;
}

static int p_landlock_abi(lua_State *L) {
  lua_pushinteger(L, proc_landlock_abi());
  return 1;
}

/* proc.confine(dir): Landlock for this process from now on (proc.h);
 * an error when the kernel has none (ask proc.landlock_abi() first). */
static int p_confine(lua_State *L) {
  const char *dir = luaL_checkstring(L, 1);
  if (proc_confine(dir) != 0)
    return lerror(L, "proc.confine: cannot confine writes to %s (no Landlock)", dir);
  return 0;
}

static int p_temp_dir(lua_State *L) {
  const char *prefix = luaL_optstring(L, 1, "workbook-");
  char buf[PATH_MAX];
  if (proc_make_temp_dir(NULL, prefix, buf, sizeof buf) != 0)
    return lerror(L, "proc.temp_dir: cannot create a temporary folder: %s", strerror(errno));
  lua_pushstring(L, buf);
  return 1;
}

static int p_remove_tree(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  if (proc_remove_tree(p) != 0)
    return lerror(L, "proc.remove_tree: cannot remove %s: %s", p, strerror(errno));
  return 0;
}

static int p_realpath(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  char buf[PATH_MAX];
  if (!realpath(p, buf)) return lerror(L, "%s: %s", p, strerror(errno));
  lua_pushstring(L, buf);
  return 1;
}

/* proc.mtime(path): modification time in seconds since the epoch, or nil */
static int p_mtime(lua_State *L) {
  struct stat st;
  if (stat(luaL_checkstring(L, 1), &st) != 0) { lua_pushnil(L); return 1; }
  lua_pushnumber(L, (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9);
  return 1;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int p_list_dir(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  DIR *d = opendir(p);
  if (!d) return lerror(L, "%s: cannot list folder: %s", p, strerror(errno));
  lua_newtable(L);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    lua_pushstring(L, e->d_name);
    lua_rawseti(L, -2, ++n);
  }
  closedir(d);
  /* sort in C: byte order, the same for every locale */
  const char **names = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *names, 0);
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, -2, i + 1);
    names[i] = lua_tostring(L, -1);
    lua_pop(L, 1);                     /* still referenced by the table */
  }
  qsort(names, (size_t)n, sizeof *names, cmp_names);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static const luaL_Reg funcs[] = {
  {"run", p_run}, {"exe", p_exe}, {"landlock_abi", p_landlock_abi},
  {"temp_dir", p_temp_dir}, {"remove_tree", p_remove_tree},
  {"list_dir", p_list_dir}, {"confine", p_confine},
  {"realpath", p_realpath}, {"mtime", p_mtime}, {NULL, NULL}
};

/* proc.asan: true in the AddressSanitizer build. ASan reserves terabytes
 * of address space at start, so an RLIMIT_AS child could not even start:
 * check.lua leaves the memory limit out there (and the tests skip theirs). */
#if defined(__SANITIZE_ADDRESS__)
#define WB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WB_ASAN 1
#endif
#endif
#ifndef WB_ASAN
#define WB_ASAN 0
#endif

int luaopen_proc(lua_State *L) {
  luaL_newlib(L, funcs);
  lua_pushboolean(L, WB_ASAN);
  lua_setfield(L, -2, "asan");
  return 1;
}
