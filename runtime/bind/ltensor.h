/* ltensor.h - what other Lua bindings need from the tensor binding.
 *
 * A tensor userdata holds a Tensor header; an owning tensor keeps its
 * floats in the same userdata right after the header, a view keeps its
 * parent alive through user value 1. */
#ifndef WB_LTENSOR_H
#define WB_LTENSOR_H

#include <lua.h>
#include "bind/lutil.h"
#include "core/tensor.h"

#define LTENSOR_MT "workbook.tensor"

/* The tensor at stack index i, or a Lua error naming the argument. */
Tensor *check_tensor(lua_State *L, int i);
Tensor *test_tensor(lua_State *L, int i);        /* NULL if not a tensor */
/* Push a new contiguous zero-filled tensor of the given shape. Raises a
 * Lua error for bad sizes. */
Tensor *push_tensor(lua_State *L, int ndim, const int64_t *shape);
/* Like check_tensor, but accepts a number (a 0-d tensor) or a nested
 * table too, converting it into a new tensor pushed on the stack. */
Tensor *to_tensor(lua_State *L, int i);
/* A contiguous tensor with the same values as stack index i: either that
 * tensor itself (nothing pushed) or a contiguous copy (pushed). Returns
 * the number of values pushed through *pushed. */
Tensor *contiguous_tensor(lua_State *L, int i, int *pushed);
/* Read a shape from stack index i: a table {2, 3} or the integers from i
 * to the top. Checks every size is >= 0 (or > 0 with positive != 0). */
int check_shape(lua_State *L, int i, int64_t *shape, int positive);

int luaopen_tensor(lua_State *L);

#endif
