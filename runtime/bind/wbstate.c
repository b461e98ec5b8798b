/* wbstate.c - create the workbook's Lua state (wbstate.h): libraries,
 * the C modules (build/obj/modules.h, from runtime/bind/) and the Lua
 * half embedded by scripts/embed.sh, all as package.preload entries. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "bind/wbstate.h"
#include "modules.h"

struct embedded_lua { const char *name, *path; const unsigned char *src; size_t len; };
extern const struct embedded_lua embedded_lua[];

static const struct embedded_lua *find_embedded(const char *name) {
  for (const struct embedded_lua *e = embedded_lua; e->name; e++)
    if (strcmp(e->name, name) == 0) return e;
  return NULL;
}

/* package.preload loader for an embedded Lua file; upvalue 1 is the entry */
static int load_embedded(lua_State *L) {
  const struct embedded_lua *e = lua_touserdata(L, lua_upvalueindex(1));
  char chunkname[256];
  snprintf(chunkname, sizeof chunkname, "@%s", e->path);
  if (luaL_loadbuffer(L, (const char *)e->src, e->len, chunkname) != LUA_OK)
    return lua_error(L);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

/* C modules go into package.preload under their name, or under
 * NAME.core when a Lua file of the same name wraps them. */
static void preload_modules(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (const luaL_Reg *m = c_modules; m->name; m++) {
    if (find_embedded(m->name))
      lua_pushfstring(L, "%s.core", m->name);
    else
      lua_pushstring(L, m->name);
    lua_pushcfunction(L, m->func);
    lua_settable(L, -3);
  }
  for (const struct embedded_lua *e = embedded_lua; e->name; e++) {
    lua_pushlightuserdata(L, (void *)e);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, e->name);
  }
  lua_pop(L, 1);
}

void workbook_openstate(lua_State *L) {
  luaL_openlibs(L);
  preload_modules(L);
}

lua_State *workbook_newstate(void) {
  lua_State *L = luaL_newstate();
  if (!L) return NULL;
  workbook_openstate(L);
  return L;
}
