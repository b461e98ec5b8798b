/* lh5.c - the `h5` Lua module: Keras 2 HDF5 weight files (h5keras.c).
 *
 *   h5.read_keras_weights(path) -> list, in the file's layer order, of
 *     {name = "conv2d", weights = {{name = "conv2d/kernel:0",
 *                                   value = tensor}, ...}}
 *     (layers without weights too, with an empty list, as Keras keeps
 *     them in layer_names); the list's fields backend and keras_version
 *     hold the file's attributes of those names when present.
 *   h5.is_hdf5(path) -> boolean
 *
 * The open file lives in a userdata with __gc, so a Lua error raised
 * while the tensors are made (out of memory) cannot leak HDF5 ids. */
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "h5keras.h"
#include "ltensor.h"

#define LH5_MT "workbook.h5file"

static int f_gc(lua_State *L) {
  h5k_close(luaL_checkudata(L, 1, LH5_MT));
  return 0;
}

static H5kFile *push_file(lua_State *L) {
  H5kFile *f = lua_newuserdatauv(L, sizeof *f, 0);
  memset(f, 0, sizeof *f);
  if (luaL_newmetatable(L, LH5_MT)) {
    lua_pushcfunction(L, f_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return f;
}

/* Close first, then raise: the error longjmps past this frame. */
static int close_and_raise(lua_State *L, H5kFile *f, const char *err) {
  h5k_close(f);
  return lerror(L, "%s", err);
}

/* {name = ..., value = tensor} for weight w of layer l */
static void push_weight(lua_State *L, H5kFile *f, int l, int w) {
  char err[H5K_ERRLEN];
  const H5kWeight *wt = &f->layers[l].weights[w];
  lua_createtable(L, 0, 2);
  lua_pushstring(L, wt->name);
  lua_setfield(L, -2, "name");
  Tensor *t = push_tensor(L, wt->ndim, wt->shape);
  if (h5k_read(f, l, w, t->data, t->size, err)) close_and_raise(L, f, err);
  lua_setfield(L, -2, "value");
}

static void push_layer(lua_State *L, H5kFile *f, int l) {
  const H5kLayer *ly = &f->layers[l];
  lua_createtable(L, 0, 2);
  lua_pushstring(L, ly->name);
  lua_setfield(L, -2, "name");
  lua_createtable(L, ly->nweights, 0);
  for (int w = 0; w < ly->nweights; w++) {
    push_weight(L, f, l, w);
    lua_rawseti(L, -2, w + 1);
  }
  lua_setfield(L, -2, "weights");
}

static void set_optional(lua_State *L, const char *key, const char *v) {
  if (!v) return;
  lua_pushstring(L, v);
  lua_setfield(L, -2, key);
}

static int l_read_keras_weights(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char err[H5K_ERRLEN];
  H5kFile *f = push_file(L);
  if (h5k_open(f, path, err)) return close_and_raise(L, f, err);
  lua_createtable(L, f->nlayers, 2);
  for (int l = 0; l < f->nlayers; l++) {
    push_layer(L, f, l);
    lua_rawseti(L, -2, l + 1);
  }
  set_optional(L, "backend", f->backend);
  set_optional(L, "keras_version", f->keras_version);
  h5k_close(f);
  return 1;
}

static int l_is_hdf5(lua_State *L) {
  lua_pushboolean(L, h5k_is_hdf5(luaL_checkstring(L, 1)));
  return 1;
}

static const luaL_Reg functions[] = {
  {"read_keras_weights", l_read_keras_weights},
  {"is_hdf5", l_is_hdf5},
  {NULL, NULL}
};

int luaopen_h5(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
