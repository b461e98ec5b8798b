/* lidx.c - the `idx` Lua module: idx.load(path[, scale]) reads an IDX
 * file (gzip or plain) into a float tensor of the file's shape, each
 * byte multiplied by scale (default 1); idx.load(path, {divide = d})
 * divides each byte by d in float32 as NumPy's x / d does (exactly,
 * where multiplying by 1/d is one ulp off for half the bytes).
 * data.fashion_mnist builds on it. */
#include <lauxlib.h>
#include <lua.h>

#include "io/idx.h"
#include "bind/ltensor.h"
#include "bind/lutil.h"

#define LIDX_MT "workbook.idxfile"

static int f_gc(lua_State *L) {
  idx_close(luaL_checkudata(L, 1, LIDX_MT));
  return 0;
}

/* The open file lives in a userdata with __gc: when making the tensor
 * raises (not enough memory), the gzFile and its descriptor are still
 * closed. */
static int l_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  float lut[256];
  if (lua_istable(L, 2)) {
    static const char *const names[] = {"divide", NULL};
    check_option_names(L, 2, "idx.load", names, 0);
    lua_getfield(L, 2, "divide");
    float d = (float)luaL_optnumber(L, -1, 1.0);
    lua_pop(L, 1);
    if (!(d != 0 && d == d)) return lerror(L, "idx.load: option 'divide' must be a non-zero number");
    for (int i = 0; i < 256; i++) lut[i] = (float)i / d;
  } else {
    float scale = (float)luaL_optnumber(L, 2, 1.0);
    for (int i = 0; i < 256; i++) lut[i] = (float)i * scale;
  }
  char err[TENSOR_ERRLEN];
  IdxFile *f = push_gc_userdata(L, sizeof *f, LIDX_MT, f_gc);
  if (idx_open(f, path, err)) return lerror(L, "%s", err);
  int64_t shape[TENSOR_MAXDIM];
  for (int d = 0; d < f->ndim; d++) shape[d] = f->shape[d];
  Tensor probe;
  if (tensor_init(&probe, NULL, f->ndim, shape, err)) {
    idx_close(f);
    return lerror(L, "%s: %s", path, err);
  }
  /* sizes checked above; idx_read_lut writes all f->count values or
   * fails (the tensor is then unreachable garbage) */
  Tensor *t = push_tensor_uninit(L, f->ndim, shape, TENSOR_F32);
  int rc = idx_read_lut(f, path, t->data, lut, err);
  idx_close(f);
  if (rc) return lerror(L, "%s", err);
  return 1;
}

static const luaL_Reg functions[] = {{"load", l_load}, {NULL, NULL}};

int luaopen_idx(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
