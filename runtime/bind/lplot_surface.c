/* lplot_surface.c - `plot_surface`, the kernel of plot.surface
 * (runtime/lua/plot.lua): a 3-d surface drawn by plot/plot_surface.c.
 *
 *   save(path, opts)   opts: z (a (rows, cols) tensor), x0, x1, y0, y1,
 *       elev, azim, cmap, title, xlabel, ylabel, zlabel, width, height,
 *       path (an (N, 3) tensor of x, y, z points drawn on top)
 * plot.lua checks the arguments the user gave; errors here name what is
 * wrong all the same. */
#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "plot/plot_surface.h"

static const OptSpec surface_spec[] = {
  {"x0", OPT_NUMBER}, {"x1", OPT_NUMBER}, {"y0", OPT_NUMBER},
  {"y1", OPT_NUMBER}, {"elev", OPT_NUMBER}, {"azim", OPT_NUMBER},
  {"cmap", OPT_STRING}, {"title", OPT_STRING}, {"xlabel", OPT_STRING},
  {"ylabel", OPT_STRING}, {"zlabel", OPT_STRING}, {"width", OPT_INTEGER},
  {"height", OPT_INTEGER}, {"path", OPT_USERDATA}, {"z", OPT_USERDATA},
  {NULL, 0}};

static double num(lua_State *L, const char *k, double def) {
  lua_getfield(L, 2, k);
  double v = lua_isnil(L, -1) ? def : lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

static const char *str(lua_State *L, const char *k) {
  lua_getfield(L, 2, k);
  const char *v = lua_tostring(L, -1);   /* kept alive by the table */
  lua_pop(L, 1);
  return v;
}

/* the doubles of a contiguous copy of the tensor at i, in a userdata */
static double *doubles(lua_State *L, int i, int64_t *n) {
  int pushed;
  Tensor *t = contiguous_tensor(L, i, &pushed);
  double *d = lua_newuserdatauv(L, (size_t)(t->size ? t->size : 1) * sizeof *d, 0);
  for (int64_t k = 0; k < t->size; k++) d[k] = t->data[k];
  *n = t->size;
  return d;
}

static int l_save(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  check_options(L, 2, "plot_surface.save", surface_spec, 0);
  lua_getfield(L, 2, "z");
  Tensor *z = check_tensor(L, 3);
  if (z->ndim != 2) return lerror(L, "z must be a 2-d tensor");
  PlotSurface s = {0};
  int64_t n;
  s.rows = (int)z->shape[0];
  s.cols = (int)z->shape[1];
  s.z = doubles(L, 3, &n);
  s.x0 = num(L, "x0", 0);
  s.x1 = num(L, "x1", 1);
  s.y0 = num(L, "y0", 0);
  s.y1 = num(L, "y1", 1);
  s.elev = num(L, "elev", 30);
  s.azim = num(L, "azim", -60);
  const char *cm = str(L, "cmap");
  s.cmap = PLOT_VIRIDIS;
  if (cm && plot_cmap_named(cm, &s.cmap))
    return lerror(L, "unknown colour map '%s'", cm);
  s.title = str(L, "title");
  s.xlabel = str(L, "xlabel");
  s.ylabel = str(L, "ylabel");
  s.zlabel = str(L, "zlabel");
  lua_getfield(L, 2, "path");
  if (!lua_isnil(L, -1)) {
    Tensor *p = check_tensor(L, -1);
    if (p->ndim != 2 || p->shape[1] != 3)
      return lerror(L, "path must be an (N, 3) tensor of x, y, z");
    s.path = doubles(L, lua_gettop(L), &n);
    s.npath = (int)(n / 3);
  }
  int w = (int)num(L, "width", 640), h = (int)num(L, "height", 520);
  char err[PLOT_ERRLEN];
  if (plot_save_surface(path, &s, w, h, err)) return lerror(L, "%s", err);
  return 0;
}

int luaopen_plot_surface(lua_State *L) {
  static const luaL_Reg f[] = {{"save", l_save}, {NULL, NULL}};
  luaL_newlib(L, f);
  return 1;
}
