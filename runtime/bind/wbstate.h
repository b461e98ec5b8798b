/* wbstate.h - the workbook's Lua state: the standard libraries, the C
 * modules of runtime/bind/ and the embedded runtime/lua files as
 * package.preload entries. Shared by main.c and the fuzz harnesses
 * (tests/fuzz/fuzz_lua.h), which create a state once and reuse it. */
#ifndef WB_WBSTATE_H
#define WB_WBSTATE_H
#include <lua.h>

/* Open the libraries and preloads in a state the caller made (the fuzz
 * harnesses make theirs with a memory budget). */
void workbook_openstate(lua_State *L);

/* luaL_newstate + workbook_openstate; NULL when out of memory. The
 * prelude (runtime/lua/prelude.lua) is not run: require it. */
lua_State *workbook_newstate(void);
#endif
