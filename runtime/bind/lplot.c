/* lplot.c - `plot.core`, the C half of the `plot` module: turns the
 * figure descriptions that runtime/lua/plot.lua builds into the core's
 * structs (runtime/plot/plot.h) and draws them.
 *
 *   core.axes(path, {title=, width=, height=, panels = {panel...}})
 *     panel  = {title=, xlabel=, ylabel=, integer_x=, legend=, grid=,
 *               xlim = {lo, hi}, ylim = {lo, hi}, series = {series...}}
 *     series = {x = {...}, y = {...}, label=, color = "#rrggbb",
 *               marker = "o" | "s" | "^", dashed=}
 *   core.images(path, {images = {tensor...}, captions = {...}, cols=,
 *               box=, title=, normalize=, cmap = "gray" | "binary"})
 *   core.heatmap(path, {matrix = tensor, row_labels=, col_labels=,
 *               title=, xlabel=, ylabel=, decimals=, cell=, colorbar=})
 *   core.font() -> the font family in use
 *
 * Everything is read and checked before the core runs: scratch arrays
 * are Lua userdata, so a Lua error leaks nothing. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "bind/lutil.h"
#include "plot/plot.h"

#define MAX_PANELS 64
#define MAX_SERIES 64
#define MAX_IMAGES 4096

/* ---- fields of a description table at stack index t ----------------- */

static const char *opt_str(lua_State *L, int t, const char *k) {
  int ty = lua_getfield(L, t, k);
  const char *s = NULL;
  if (ty == LUA_TSTRING) s = lua_tostring(L, -1);   /* kept alive by t */
  else if (ty != LUA_TNIL)
    lerror(L, "%s must be a string, got %s", k, luaL_typename(L, -1));
  lua_pop(L, 1);
  return s;
}

static double opt_num(lua_State *L, int t, const char *k, double def) {
  int ty = lua_getfield(L, t, k);
  double v = def;
  if (ty == LUA_TNUMBER) v = lua_tonumber(L, -1);
  else if (ty != LUA_TNIL)
    lerror(L, "%s must be a number, got %s", k, luaL_typename(L, -1));
  lua_pop(L, 1);
  return v;
}

static int opt_int(lua_State *L, int t, const char *k, int def, int lo,
                   int hi) {
  double v = opt_num(L, t, k, def);
  if (v != floor(v) || v < lo || v > hi)
    lerror(L, "%s must be a whole number in %d..%d, got %g", k, lo, hi, v);
  return (int)v;
}

static int opt_bool(lua_State *L, int t, const char *k, int def) {
  int ty = lua_getfield(L, t, k);
  int v = ty == LUA_TNIL ? def : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* push field k, which must be a table; returns its absolute index */
static int need_table(lua_State *L, int t, const char *k) {
  if (lua_getfield(L, t, k) != LUA_TTABLE)
    lerror(L, "%s must be a table, got %s", k, luaL_typename(L, -1));
  return lua_absindex(L, -1);
}

static void *scratch(lua_State *L, size_t n) {
  void *p = lua_newuserdatauv(L, n ? n : 1, 0);
  memset(p, 0, n ? n : 1);
  return p;
}

/* The fields each description may hold, checked by the one options
 * checker: a misspelt field in plot.lua is an error, not a default. */
static const OptSpec axes_spec[] = {
  {"title", OPT_STRING}, {"width", OPT_NUMBER}, {"height", OPT_NUMBER},
  {"panels", OPT_TABLE}, {NULL, 0}};
static const OptSpec panel_spec[] = {
  {"title", OPT_STRING}, {"xlabel", OPT_STRING}, {"ylabel", OPT_STRING},
  {"integer_x", OPT_BOOLEAN}, {"legend", OPT_BOOLEAN},
  {"grid", OPT_BOOLEAN}, {"xlim", OPT_TABLE}, {"ylim", OPT_TABLE},
  {"series", OPT_TABLE}, {NULL, 0}};
static const OptSpec series_spec[] = {
  {"x", OPT_TABLE}, {"y", OPT_TABLE}, {"label", OPT_STRING},
  {"color", OPT_STRING}, {"marker", OPT_STRING}, {"dashed", OPT_BOOLEAN},
  {NULL, 0}};
static const OptSpec images_spec[] = {
  {"images", OPT_TABLE}, {"captions", OPT_TABLE}, {"cols", OPT_NUMBER},
  {"box", OPT_NUMBER}, {"title", OPT_STRING}, {"normalize", OPT_BOOLEAN},
  {"cmap", OPT_STRING}, {NULL, 0}};
static const OptSpec heatmap_spec[] = {
  {"matrix", OPT_USERDATA}, {"row_labels", OPT_TABLE},
  {"col_labels", OPT_TABLE}, {"title", OPT_STRING}, {"xlabel", OPT_STRING},
  {"ylabel", OPT_STRING}, {"decimals", OPT_NUMBER}, {"cell", OPT_NUMBER},
  {"colorbar", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec detections_spec[] = {
  {"image", OPT_USERDATA}, {"boxes", OPT_USERDATA}, {"labels", OPT_TABLE},
  {"side", OPT_NUMBER}, {"title", OPT_STRING}, {"normalize", OPT_BOOLEAN},
  {NULL, 0}};

/* ---- line charts ---------------------------------------------------- */

/* field k of series s: a list of numbers into a new scratch array */
static double *read_numbers(lua_State *L, int s, const char *k, int *n) {
  int t = need_table(L, s, k);
  lua_Integer len = luaL_len(L, t);
  if (len < 1 || len > 10000000)
    lerror(L, "%s must hold 1..10000000 numbers, got %lld", k,
           (long long)len);
  double *v = scratch(L, (size_t)len * sizeof *v);
  lua_replace(L, t);           /* the array stays, the table is in s */
  lua_getfield(L, s, k);
  for (lua_Integer i = 1; i <= len; i++) {
    int isnum;
    lua_geti(L, -1, i);
    v[i - 1] = lua_tonumberx(L, -1, &isnum);
    if (!isnum) lerror(L, "%s[%lld] must be a number, got %s", k,
                       (long long)i, luaL_typename(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  *n = (int)len;
  return v;
}

static PlotMarker marker_of(lua_State *L, const char *m) {
  if (!m || !*m) return PLOT_MARK_NONE;
  if (!strcmp(m, "o")) return PLOT_MARK_CIRCLE;
  if (!strcmp(m, "s")) return PLOT_MARK_SQUARE;
  if (!strcmp(m, "^")) return PLOT_MARK_TRIANGLE;
  return lerror(L, "marker must be \"o\", \"s\" or \"^\", got \"%s\"", m);
}

static void read_series(lua_State *L, int s, int i, PlotSeries *se) {
  int nx, ny;
  check_options(L, s, "plot.core.axes (series)", series_spec, 0);
  se->x = read_numbers(L, s, "x", &nx);
  se->y = read_numbers(L, s, "y", &ny);
  if (nx != ny)
    lerror(L, "series %d: x has %d values, y has %d", i, nx, ny);
  se->n = nx;
  se->label = opt_str(L, s, "label");
  se->marker = marker_of(L, opt_str(L, s, "marker"));
  se->dashed = opt_bool(L, s, "dashed", 0);
  const char *c = opt_str(L, s, "color");
  se->color = plot_palette(i - 1);
  if (c && plot_parse_color(c, &se->color))
    lerror(L, "series %d: color must be \"#rrggbb\", got \"%s\"", i, c);
}

static void read_lim(lua_State *L, int p, const char *k, double *lim) {
  int ty = lua_getfield(L, p, k);
  if (ty == LUA_TTABLE) {
    for (int i = 0; i < 2; i++) {
      lua_geti(L, -1, i + 1);
      lim[i] = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
      lua_pop(L, 1);
    }
  } else if (ty != LUA_TNIL) {
    lerror(L, "%s must be a table {lo, hi}, got %s", k, luaL_typename(L, -1));
  }
  lua_pop(L, 1);
}

static void read_panel(lua_State *L, int p, PlotAxes *a) {
  check_options(L, p, "plot.core.axes (panel)", panel_spec, 0);
  plot_axes_init(a);
  a->title = opt_str(L, p, "title");
  a->xlabel = opt_str(L, p, "xlabel");
  a->ylabel = opt_str(L, p, "ylabel");
  a->integer_x = opt_bool(L, p, "integer_x", 0);
  a->legend = opt_bool(L, p, "legend", 1);
  a->grid = opt_bool(L, p, "grid", 1);
  read_lim(L, p, "xlim", a->xlim);
  read_lim(L, p, "ylim", a->ylim);
  int st = need_table(L, p, "series");
  lua_Integer n = luaL_len(L, st);
  if (n < 1 || n > MAX_SERIES)
    lerror(L, "a panel needs 1..%d series, got %lld", MAX_SERIES,
           (long long)n);
  luaL_checkstack(L, 4 * (int)n + 8, "too many series");
  PlotSeries *se = scratch(L, (size_t)n * sizeof *se);
  for (int i = 0; i < n; i++) {
    if (lua_geti(L, st, i + 1) != LUA_TTABLE)
      lerror(L, "series %d must be a table", i + 1);
    read_series(L, lua_absindex(L, -1), i + 1, &se[i]);
  }
  a->series = se;
  a->nseries = (int)n;
}

static int l_axes(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  check_options(L, 2, "plot.core.axes", axes_spec, 0);
  const char *title = opt_str(L, 2, "title");
  int pw = opt_int(L, 2, "width", 560, 120, PLOT_MAXSIDE);
  int ph = opt_int(L, 2, "height", 420, 100, PLOT_MAXSIDE);
  int pt = need_table(L, 2, "panels");
  lua_Integer n = luaL_len(L, pt);
  if (n < 1 || n > MAX_PANELS)
    return lerror(L, "a figure needs 1..%d panels, got %lld", MAX_PANELS,
                  (long long)n);
  PlotAxes *panels = scratch(L, (size_t)n * sizeof *panels);
  for (int i = 0; i < n; i++) {
    luaL_checkstack(L, 8, "too many panels");
    if (lua_geti(L, pt, i + 1) != LUA_TTABLE)
      return lerror(L, "panel %d must be a table", i + 1);
    read_panel(L, lua_absindex(L, -1), &panels[i]);
  }
  char err[PLOT_ERRLEN];
  if (plot_save_axes(path, panels, (int)n, pw, ph, title, err))
    return lerror(L, "%s", err);
  return 0;
}

/* ---- images --------------------------------------------------------- */

/* the tensor on top as an image: (H,W) or (H,W,1|3), made contiguous
 * (a copy is left on the stack to keep it alive) */
static void read_image(lua_State *L, int i, PlotImage *im) {
  int pushed;
  Tensor *t = test_tensor(L, -1);
  if (!t) lerror(L, "image %d must be a tensor, got %s", i,
                 luaL_typename(L, -1));
  int c = t->ndim == 3 ? (int)t->shape[2] : 1;
  if ((t->ndim != 2 && t->ndim != 3) || (c != 1 && c != 3) ||
      t->shape[0] < 1 || t->shape[1] < 1 || t->shape[0] > PLOT_MAXSIDE ||
      t->shape[1] > PLOT_MAXSIDE) {
    char buf[128];
    lerror(L, "image %d must be (H,W), (H,W,1) or (H,W,3), got %s", i,
           tensor_shape_str(t, buf, sizeof buf));
  }
  t = contiguous_tensor(L, lua_gettop(L), &pushed);
  plot_image_init(im, t->data, (int)t->shape[0], (int)t->shape[1], c);
}

static PlotCmap cmap_of(lua_State *L, const char *s) {
  if (!s || !strcmp(s, "gray")) return PLOT_GRAY;
  if (!strcmp(s, "binary")) return PLOT_BINARY;
  return lerror(L, "cmap must be \"gray\" or \"binary\", got \"%s\"", s);
}

static void read_captions(lua_State *L, int n, PlotImage *ims) {
  if (lua_getfield(L, 2, "captions") == LUA_TNIL) { lua_pop(L, 1); return; }
  if (!lua_istable(L, -1)) lerror(L, "captions must be a table");
  for (int i = 0; i < n; i++) {
    int ty = lua_geti(L, -1, i + 1);
    if (ty == LUA_TSTRING) ims[i].caption = lua_tostring(L, -1);
    else if (ty != LUA_TNIL)
      lerror(L, "caption %d must be a string, got %s", i + 1,
             luaL_typename(L, -1));
    lua_pop(L, 1);     /* the string lives on in the captions table */
  }
  lua_pop(L, 1);
}

static int l_images(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  check_options(L, 2, "plot.core.images", images_spec, 0);
  const char *title = opt_str(L, 2, "title");
  int cols = opt_int(L, 2, "cols", 5, 1, 1000);
  int box = opt_int(L, 2, "box", 140, 4, PLOT_MAXSIDE);
  int normalize = opt_bool(L, 2, "normalize", 0);
  PlotCmap cmap = cmap_of(L, opt_str(L, 2, "cmap"));
  int it = need_table(L, 2, "images");
  lua_Integer n = luaL_len(L, it);
  if (n < 1 || n > MAX_IMAGES)
    return lerror(L, "a figure needs 1..%d images, got %lld", MAX_IMAGES,
                  (long long)n);
  PlotImage *ims = scratch(L, (size_t)n * sizeof *ims);
  luaL_checkstack(L, 2 * (int)n + 8, "too many images");
  for (int i = 0; i < n; i++) {
    lua_geti(L, it, i + 1);
    read_image(L, i + 1, &ims[i]);
    ims[i].normalize = normalize;
    ims[i].cmap = cmap;
  }
  read_captions(L, (int)n, ims);
  char err[PLOT_ERRLEN];
  if (plot_save_images(path, ims, (int)n, cols, box, title, err))
    return lerror(L, "%s", err);
  return 0;
}

/* ---- heat maps ------------------------------------------------------ */

/* field k: nil or a list of n strings, into a scratch array */
static const char **read_labels(lua_State *L, const char *k, int n) {
  if (lua_getfield(L, 2, k) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  int t = lua_absindex(L, -1);
  if (!lua_istable(L, t) || luaL_len(L, t) != n)
    lerror(L, "%s must be a list of %d strings", k, n);
  const char **s = scratch(L, (size_t)n * sizeof *s);
  for (int i = 0; i < n; i++) {
    if (lua_geti(L, t, i + 1) != LUA_TSTRING)
      lerror(L, "%s[%d] must be a string, got %s", k, i + 1,
             luaL_typename(L, -1));
    s[i] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  return s;                    /* table and array stay on the stack */
}

static int l_heatmap(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  check_options(L, 2, "plot.core.heatmap", heatmap_spec, 0);
  lua_getfield(L, 2, "matrix");
  Tensor *m = test_tensor(L, -1);
  if (!m || m->ndim != 2 || m->shape[0] < 1 || m->shape[1] < 1 ||
      m->shape[0] > 1000 || m->shape[1] > 1000)
    return lerror(L, "matrix must be a 2-d tensor of 1..1000 x 1..1000");
  int rows = (int)m->shape[0], cols = (int)m->shape[1];
  double *v = scratch(L, (size_t)rows * cols * sizeof *v);
  int64_t idx[2];
  for (idx[0] = 0; idx[0] < rows; idx[0]++)
    for (idx[1] = 0; idx[1] < cols; idx[1]++)
      v[idx[0] * cols + idx[1]] = *tensor_at(m, idx);
  PlotHeatmap hm;
  plot_heatmap_init(&hm, v, rows, cols);
  hm.row_labels = read_labels(L, "row_labels", rows);
  hm.col_labels = read_labels(L, "col_labels", cols);
  hm.title = opt_str(L, 2, "title");
  hm.xlabel = opt_str(L, 2, "xlabel");
  hm.ylabel = opt_str(L, 2, "ylabel");
  hm.decimals = opt_int(L, 2, "decimals", 0, -1, 12);
  hm.cell = opt_int(L, 2, "cell", 48, 4, 1000);
  hm.colorbar = opt_bool(L, 2, "colorbar", 1);
  char err[PLOT_ERRLEN];
  if (plot_save_heatmap(path, &hm, err)) return lerror(L, "%s", err);
  return 0;
}

/* detections(path, {image=, boxes=(N,4) tensor, labels=, side=, title=}) */
static int l_detections(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  check_options(L, 2, "plot.core.detections", detections_spec, 0);
  const char *title = opt_str(L, 2, "title");
  int side = opt_int(L, 2, "side", 640, 16, PLOT_MAXSIDE);
  lua_getfield(L, 2, "image");
  PlotImage im;
  read_image(L, 1, &im);
  im.normalize = opt_bool(L, 2, "normalize", 0);
  lua_getfield(L, 2, "boxes");
  Tensor *b = test_tensor(L, -1);
  if (!b || b->ndim != 2 || b->shape[1] != 4 || b->shape[0] > 100000)
    return lerror(L, "boxes must be an (N, 4) tensor");
  int n = (int)b->shape[0];
  double *v = scratch(L, (size_t)(n ? n : 1) * 4 * sizeof *v);
  int64_t idx[2];
  for (idx[0] = 0; idx[0] < n; idx[0]++)
    for (idx[1] = 0; idx[1] < 4; idx[1]++)
      v[idx[0] * 4 + idx[1]] = *tensor_at(b, idx);
  const char **labels = n ? read_labels(L, "labels", n) : NULL;
  char err[PLOT_ERRLEN];
  if (plot_save_detections(path, &im, v, labels, n, side, title, err))
    return lerror(L, "%s", err);
  return 0;
}

static int l_font(lua_State *L) {
  lua_pushstring(L, plot_font_family());
  return 1;
}

static const luaL_Reg functions[] = {
  {"axes", l_axes}, {"images", l_images}, {"heatmap", l_heatmap},
  {"font", l_font}, {"detections", l_detections}, {NULL, NULL}
};

int luaopen_plot(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
