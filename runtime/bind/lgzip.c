/* lgzip.c - the `gzip` Lua module: gzip.read(path [, {limit}]) returns a
 * whole file as a string, decompressing gzip (plain files pass through).
 * The limit (bytes after decompression, default 256 MiB) stops a gzip
 * bomb before it fills the memory. */
#include <stdlib.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/lutil.h"
#include "io/gzfile.h"

static int g_read(lua_State *L) {
  static const OptSpec spec[] = {{"limit", OPT_INTEGER}, {NULL, 0}};
  const char *path = luaL_checkstring(L, 1);
  check_options(L, 2, "gzip.read", spec, 0);
  lua_Integer limit = 256 << 20;
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "limit");
    if (!lua_isnil(L, -1)) limit = lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  if (limit <= 0) lerror(L, "gzip.read: limit must be positive, got %lld", (long long)limit);
  char *buf, err[GZFILE_ERRLEN];
  size_t n;
  if (gz_read_all(path, (size_t)limit, &buf, &n, err)) lerror(L, "%s", err);
  lua_pushlstring(L, buf, n);   /* may raise (memory): buf leaks only then */
  free(buf);
  return 1;
}

int luaopen_gzip(lua_State *L) {
  static const luaL_Reg f[] = {{"read", g_read}, {NULL, NULL}};
  luaL_newlib(L, f);
  return 1;
}
