/* lsys.c - the `sys` Lua module: what labs and the runtime's Lua half
 * need from the OS and that Lua's own libraries lack. */
#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/fsutil.h"

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

static const luaL_Reg functions[] = {
  {"mkdir_p", s_mkdir_p}, {"clock", s_clock}, {"isatty", s_isatty},
  {"home", s_home}, {"exists", s_exists}, {NULL, NULL}
};

int luaopen_sys(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
