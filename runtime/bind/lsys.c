/* lsys.c - the `sys` Lua module: what labs and the runtime's Lua half
 * need from the OS and that Lua's own libraries lack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/lutil.h"
#include "core/fsutil.h"
#include "bind/lsys.h"

/* The registry field holding sys.on_interrupt's function. */
#define SYS_ON_INTERRUPT "workbook.on_interrupt"

static int s_mkdir_p(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  if (fs_mkdir_p(p) != 0)
    return luaL_error(L, "cannot create folder %s: %s", p, strerror(errno));
  return 0;
}

static int s_clock(lua_State *L) { lua_pushnumber(L, fs_clock()); return 1; }

static int s_isatty(lua_State *L) {
  lua_pushboolean(L, isatty((int)luaL_optinteger(L, 1, 1)));
  return 1;
}

/* The workbook's home (see fs_home). */
static int s_home(lua_State *L) {
  char buf[PATH_MAX];
  fs_home(buf, sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

static int s_exists(lua_State *L) {
  struct stat st;
  const char *p = luaL_checkstring(L, 1);
  if (stat(p, &st) != 0) { lua_pushboolean(L, 0); return 1; }
  lua_pushstring(L, S_ISDIR(st.st_mode) ? "directory" : "file");
  return 1;
}

/* sys.atomic_write(path, writer): writer(tmp) writes the whole file to
 * the temporary name tmp; then tmp is renamed over path. When writer
 * raises, or the rename fails, tmp is removed and the error goes on; an
 * interrupt meanwhile removes tmp too (fs_tmp_cleanup). Returns path. */
static int s_atomic_write(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  char tmp[PATH_MAX];
  if (fs_tmp_name(path, tmp, sizeof tmp) != 0)
    return lerror(L, "cannot write %s: %s", path, strerror(errno));
  lua_pushvalue(L, 2);
  lua_pushstring(L, tmp);
  int st = lua_pcall(L, 1, 0, 0);
  if (st != LUA_OK) {
    fs_tmp_finish(tmp, path, 0);
    return lua_error(L);
  }
  if (fs_tmp_finish(tmp, path, 1) != 0)
    return lerror(L, "cannot write %s: %s", path, strerror(errno));
  lua_settop(L, 1);
  return 1;
}

/* sys.doing(text | nil): what the program is doing now ("fit: epoch 3/10,
 * step 120/1875"), for the interrupt message; nil clears it.
 * sys.doing() returns the current text or nil. */
static char doing_text[256];
static int s_doing(lua_State *L) {
  if (lua_gettop(L) == 0) {
    if (doing_text[0]) lua_pushstring(L, doing_text);
    else lua_pushnil(L);
    return 1;
  }
  if (lua_isnil(L, 1)) { doing_text[0] = '\0'; return 0; }
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  if (n >= sizeof doing_text) n = sizeof doing_text - 1;
  memcpy(doing_text, s, n);
  doing_text[n] = '\0';
  return 0;
}

const char *sys_doing(void) { return doing_text; }

void sys_doing_clear(void) { doing_text[0] = '\0'; }

/* sys.on_interrupt(fn | nil): fn() is called once when Ctrl-C stops the
 * program, after the "interrupted" message and before the temporary
 * files go and the program exits 130 (main.c); for work the temporary
 * file registry does not know, such as child processes. nil removes it.
 * An error in fn is reported and the exit goes on. Returns the previous
 * function or nil. */
static int s_on_interrupt(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, SYS_ON_INTERRUPT);
  lua_pushvalue(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, SYS_ON_INTERRUPT);
  return 1;
}

void sys_run_on_interrupt(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, SYS_ON_INTERRUPT) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return;
  }
  lua_pushnil(L);                  /* once only */
  lua_setfield(L, LUA_REGISTRYINDEX, SYS_ON_INTERRUPT);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "workbook: while stopping: %s\n", msg ? msg : "(no message)");
    lua_pop(L, 1);
  }
}

static const luaL_Reg functions[] = {
  {"mkdir_p", s_mkdir_p}, {"clock", s_clock}, {"isatty", s_isatty},
  {"home", s_home}, {"exists", s_exists}, {"atomic_write", s_atomic_write},
  {"doing", s_doing}, {"on_interrupt", s_on_interrupt}, {NULL, NULL}
};

int luaopen_sys(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
