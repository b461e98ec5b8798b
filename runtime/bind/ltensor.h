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

/* The float32 tensor at stack index i, or a Lua error naming the
 * argument. A tensor of another dtype is an error at the script's line
 * ("f: expects a float32 tensor, got float64; use t:float()"): these
 * three are the choke point that keeps float32-only kernels from ever
 * reading float64 data. */
Tensor *check_tensor(lua_State *L, int i);
Tensor *test_tensor(lua_State *L, int i);        /* NULL if not a tensor */
/* Push a new contiguous zero-filled float32 tensor of the given shape.
 * Raises a Lua error for bad sizes. */
Tensor *push_tensor(lua_State *L, int ndim, const int64_t *shape);
/* Like check_tensor, but accepts a number (a 0-d tensor) or a nested
 * table too, converting it into a new tensor pushed on the stack. */
Tensor *to_tensor(lua_State *L, int i);

/* ---- for code that handles both dtypes (TensorDtype in t->dtype) ---- */
Tensor *check_tensor_any(lua_State *L, int i);
Tensor *test_tensor_any(lua_State *L, int i);
Tensor *push_tensor_dtype(lua_State *L, int ndim, const int64_t *shape,
                          int dtype);
/* The same without zeroing: for a caller that writes every element
 * before Lua can see the tensor (no error raised in between, or only
 * errors that leave the tensor unreachable garbage). Each call site says
 * why its kernel writes every element. Never exposed to scripts. */
Tensor *push_tensor_uninit(lua_State *L, int ndim, const int64_t *shape,
                           int dtype);
/* a tensor at i as it is; a number or table made in dtype (pushed) */
Tensor *to_tensor_any(lua_State *L, int i, int dtype);
/* the value at i as a tensor of exactly dtype (converted copies pushed) */
Tensor *to_tensor_as(lua_State *L, int i, int dtype);
/* NumPy's promotion for the values at i and j: TENSOR_F64 when either is
 * a float64 tensor, else TENSOR_F32 (numbers and tables adapt) */
int result_dtype(lua_State *L, int i, int j);
/* a converted contiguous copy of t (pushed); as_dtype returns t itself
 * when it already has dtype */
Tensor *push_astype(lua_State *L, const Tensor *t, int dtype);
Tensor *as_dtype(lua_State *L, Tensor *t, int dtype);
/* "float32"/"float64" -> TensorDtype, else an error naming fn */
int check_dtype_name(lua_State *L, const char *fn, const char *name);
/* {dtype = ...} at i (nil gives dflt), checked as options of fn */
int opt_dtype(lua_State *L, int i, const char *fn, int dflt);
/* A contiguous tensor with the same values as stack index i: either that
 * tensor itself (nothing pushed) or a contiguous copy (pushed). Returns
 * the number of values pushed through *pushed. */
Tensor *contiguous_tensor(lua_State *L, int i, int *pushed);
/* Read a shape from stack index i: a table {2, 3} or the integers from i
 * to the top. Checks every size is >= 0 (or > 0 with positive != 0). */
int check_shape(lua_State *L, int i, int64_t *shape, int positive);

int luaopen_tensor(lua_State *L);

#endif
