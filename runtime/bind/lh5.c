/* lh5.c - the `h5` Lua module: Keras 2 HDF5 weight files (h5keras.c).
 *
 *   h5.read_keras_weights(path) -> list, in the file's layer order, of
 *     {name = "conv2d", weights = {{name = "conv2d/kernel:0",
 *                                   value = tensor}, ...}}
 *     (layers without weights too, with an empty list, as Keras keeps
 *     them in layer_names); the list's fields backend and keras_version
 *     hold the file's attributes of those names when present.
 *     A full model's file (model.save) also gives model_config and
 *     training_config (JSON text) and optimizer_weights, a list of
 *     {name, value} from its optimizer_weights group, when present
 *     (optimizer_error says why, when that group is unreadable).
 *   h5.is_hdf5(path) -> boolean
 *   h5.write_keras_weights(path, layers [, {backend = "tensorflow",
 *                          keras_version = "2.6.0"}])
 *     writes that same list (names, weight names, float32 tensors) in
 *     the layout Keras 2's save_weights writes (see h5keras.h)
 *   h5.write_keras_model(path, layers, {model_config = json,
 *                        training_config = json, optimizer = weights})
 *     the same layers under /model_weights, with model.save's root
 *     attributes and optimizer_weights group (weights: a list of
 *     {name, value}, as a layer's)
 *
 * The open file lives in a userdata with __gc, so a Lua error raised
 * while the tensors are made (out of memory) cannot leak HDF5 ids. */
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "io/h5keras.h"
#include "bind/ltensor.h"

#define LH5_MT "workbook.h5file"

static int f_gc(lua_State *L) {
  h5k_close(luaL_checkudata(L, 1, LH5_MT));
  return 0;
}

static H5kFile *push_file(lua_State *L) {
  return push_gc_userdata(L, sizeof(H5kFile), LH5_MT, f_gc);
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
  if (h5k_open_isolated(f, path, err)) return close_and_raise(L, f, err);
  lua_createtable(L, f->nlayers, 2);
  int nl = f->nlayers - (f->has_optimizer ? 1 : 0);
  for (int l = 0; l < nl; l++) {
    push_layer(L, f, l);
    lua_rawseti(L, -2, l + 1);
  }
  if (f->has_optimizer) {
    push_layer(L, f, nl);
    lua_getfield(L, -1, "weights");
    lua_setfield(L, -3, "optimizer_weights");
    lua_pop(L, 1);
  }
  set_optional(L, "backend", f->backend);
  set_optional(L, "keras_version", f->keras_version);
  set_optional(L, "model_config", f->model_config);
  set_optional(L, "training_config", f->training_config);
  set_optional(L, "optimizer_error", f->optimizer_error);
  h5k_close(f);
  return 1;
}

static int l_is_hdf5(lua_State *L) {
  lua_pushboolean(L, h5k_is_hdf5(luaL_checkstring(L, 1)));
  return 1;
}

/* ---- writing ------------------------------------------------------------ */

static const char *field_string(lua_State *L, int t, const char *key,
                                const char *what, int i) {
  if (lua_getfield(L, t, key) != LUA_TSTRING)
    lerror(L, "write_keras_weights: %s %d needs a string '%s'", what, i, key);
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1);   /* still referenced by the table, so s stays valid */
  return s;
}

/* Fill out from the layer table at index t; contiguous copies of
 * strided tensors go into the anchor table at index keep. */
static void read_out_layer(lua_State *L, int t, int i, int keep,
                           H5kOutLayer *out) {
  if (!lua_istable(L, t))
    lerror(L, "write_keras_weights: layer %d is not a table", i);
  out->name = field_string(L, t, "name", "layer", i);
  if (lua_getfield(L, t, "weights") != LUA_TTABLE)
    lerror(L, "write_keras_weights: layer %d ('%s') has no weights list", i,
           out->name);
  int wl = lua_gettop(L);
  int n = (int)luaL_len(L, wl);
  H5kOutWeight *ws = lua_newuserdatauv(L, sizeof *ws * (size_t)(n + 1), 0);
  lua_rawseti(L, keep, (lua_Integer)luaL_len(L, keep) + 1);
  for (int j = 0; j < n; j++) {
    lua_rawgeti(L, wl, j + 1);
    int wt = lua_gettop(L);
    if (!lua_istable(L, wt))
      lerror(L, "write_keras_weights: layer '%s': weight %d is not a table",
             out->name, j + 1);
    ws[j].name = field_string(L, wt, "name", "weight", j + 1);
    lua_getfield(L, wt, "value");
    if (!test_tensor(L, -1))
      lerror(L, "write_keras_weights: layer '%s': weight '%s' has no "
             "tensor value", out->name, ws[j].name);
    int pushed;
    Tensor *v = contiguous_tensor(L, lua_gettop(L), &pushed);
    ws[j].ndim = v->ndim;
    memcpy(ws[j].shape, v->shape, sizeof ws[j].shape);
    ws[j].data = v->data;
    lua_rawseti(L, keep, (lua_Integer)luaL_len(L, keep) + 1);
    lua_settop(L, wt - 1);
  }
  out->nweights = n;
  out->weights = ws;
  lua_settop(L, wl - 1);
}

/* The option string key of the table at index 3, or NULL; the table
 * keeps it alive. */
static const char *opt_string(lua_State *L, const char *key) {
  if (lua_isnoneornil(L, 3)) return NULL;
  const char *v = lua_getfield(L, 3, key) == LUA_TSTRING
                  ? lua_tostring(L, -1) : NULL;
  lua_pop(L, 1);
  return v;
}

static int write_keras(lua_State *L, int model) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  static const OptSpec spec[] = {
    {"backend", OPT_STRING}, {"keras_version", OPT_STRING}, {NULL, 0}};
  static const OptSpec mspec[] = {
    {"backend", OPT_STRING}, {"keras_version", OPT_STRING},
    {"model_config", OPT_STRING}, {"training_config", OPT_STRING},
    {"optimizer", OPT_TABLE}, {NULL, 0}};
  const char *fn = model ? "h5.write_keras_model" : "h5.write_keras_weights";
  check_options(L, 3, fn, model ? mspec : spec, 0);
  const char *backend = opt_string(L, "backend");
  const char *version = opt_string(L, "keras_version");
  if (!backend) backend = "tensorflow";
  if (!version) version = "2.6.0";
  H5kOutModel m = {opt_string(L, "model_config"),
                   opt_string(L, "training_config"), NULL};
  int n = (int)luaL_len(L, 2);
  lua_settop(L, 3);
  lua_newtable(L);                     /* 4: anchors for scratch memory */
  H5kOutLayer *ls = lua_newuserdatauv(L, sizeof *ls * (size_t)(n + 1), 0);
  lua_rawseti(L, 4, 1);
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, 2, i + 1);
    read_out_layer(L, lua_gettop(L), i + 1, 4, &ls[i]);
    lua_pop(L, 1);
  }
  H5kOutLayer opt;
  if (model && !lua_isnoneornil(L, 3) &&
      lua_getfield(L, 3, "optimizer") == LUA_TTABLE) {
    /* a layer table {name, weights} around the list, read as a layer's */
    int list = lua_gettop(L);
    lua_createtable(L, 0, 2);
    lua_pushstring(L, "optimizer_weights");
    lua_setfield(L, -2, "name");
    lua_pushvalue(L, list);
    lua_setfield(L, -2, "weights");
    read_out_layer(L, lua_gettop(L), n + 1, 4, &opt);
    lua_rawseti(L, 4, (lua_Integer)luaL_len(L, 4) + 1);
    m.optimizer = &opt;
  }
  char err[H5K_ERRLEN];
  int rc = model ? h5k_write_model(path, ls, n, &m, backend, version, err)
                 : h5k_write(path, ls, n, backend, version, err);
  if (rc) return lerror(L, "%s", err);
  return 0;
}

static int l_write_keras_weights(lua_State *L) { return write_keras(L, 0); }
static int l_write_keras_model(lua_State *L) { return write_keras(L, 1); }

static const luaL_Reg functions[] = {
  {"write_keras_weights", l_write_keras_weights},
  {"write_keras_model", l_write_keras_model},
  {"read_keras_weights", l_read_keras_weights},
  {"is_hdf5", l_is_hdf5},
  {NULL, NULL}
};

int luaopen_h5(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
