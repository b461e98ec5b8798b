/* ltensor_ext.h - the NumPy-style additions to the `tensor` module
 * (bind/ltensor_ext.c), hooked in by luaopen_tensor. */
#ifndef WB_LTENSOR_EXT_H
#define WB_LTENSOR_EXT_H

#include <lua.h>

/* Add the functions to the module table at stack index module and the
 * methods to the method table at index methods. A name already present
 * is left alone. The stack is unchanged. */
void ltensor_ext_open(lua_State *L, int module, int methods);

#endif
