/* lplot.c - `plot.core`, the C half of the `plot` module: turns the
 * figure descriptions that runtime/lua/plot.lua builds into the core's
 * structs (runtime/plot/plot.h) and draws them.
 *
 *   core.axes(path, {title=, width=, height=, cols=, panels = {panel...}})
 *     panel  = {title=, xlabel=, ylabel=, integer_x=, legend=, grid=,
 *               xlim = {lo, hi}, ylim = {lo, hi}, series = {series...},
 *               points = {points...}, bars = {bars...},
 *               arrows = {arrows...}, raster=, contour=, colorbar=,
 *               texts = {texts...}, xticks = {...}, xticklabels = {...},
 *               equal=, noaxis=, integer_y=}
 *     series = {x = {...}, y = {...}, label=, color = "#rrggbb",
 *               marker = "o" | "s" | "^", dashed=}
 *     points = {x=, y=, color=, colors = {"#rrggbb"...} | ids = {k...}
 *               (tab10) | values = {...} with cmap=, vmin=, vmax=;
 *               label=, marker=, size=, alpha=, edge=}
 *     bars   = {rect = {x0, x1, y0, y1, ...}, color=, label=, alpha=,
 *               values = {...}, decimals=}
 *     arrows = {seg = {x0, y0, x1, y1, ...}, color=, label=, width=}
 *     raster = {v = (rows, cols) tensor, x0=, x1=, y0=, y1=, smooth=,
 *               cmap=, vmin=, vmax=, levels = {...},
 *               classes = {"#rrggbb"...}, lighten=}
 *     contour = {levels = {...}, cmap=, vmin=, vmax=, color=, width=}
 *     colorbar = {cmap=, vmin=, vmax=, levels=, label=}
 *     texts  = {x=, y=, text = {...}, color=, size=, ha=, va=}
 *   core.images(path, {images = {tensor...}, captions = {...}, cols=,
 *               box=, title=, normalize=, cmap = "gray" | "binary",
 *               marks = {"#rrggbb" | false ...}})  (a marked image has
 *               its caption and a thick frame in that colour)
 *   core.image_panel(path, {image = tensor, caption=, mark = "#rrggbb",
 *               panel = {panel as in axes}, width=, height=, title=,
 *               normalize=, cmap=})  one image beside one panel
 *   core.heatmap(path, {matrix = tensor, row_labels=, col_labels=,
 *               title=, xlabel=, ylabel=, decimals=, cell=, colorbar=,
 *               cmap=, vmin=, vmax=})
 *   core.contour_levels(lo, hi, n) -> about n nice levels covering lo..hi
 *   core.tree(path, {nodes = {{x=, depth=, parent=, text=, fill=}...},
 *               title=, yes=, no=, width=, height=, font=})
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
  {"panels", OPT_TABLE}, {"cols", OPT_NUMBER}, {NULL, 0}};
static const OptSpec panel_spec[] = {
  {"title", OPT_STRING}, {"xlabel", OPT_STRING}, {"ylabel", OPT_STRING},
  {"integer_x", OPT_BOOLEAN}, {"legend", OPT_BOOLEAN},
  {"grid", OPT_BOOLEAN}, {"xlim", OPT_TABLE}, {"ylim", OPT_TABLE},
  {"series", OPT_TABLE}, {"points", OPT_TABLE}, {"bars", OPT_TABLE},
  {"arrows", OPT_TABLE}, {"raster", OPT_TABLE}, {"contour", OPT_TABLE},
  {"colorbar", OPT_TABLE}, {"xticks", OPT_TABLE},
  {"xticklabels", OPT_TABLE}, {"equal", OPT_BOOLEAN},
  {"noaxis", OPT_BOOLEAN}, {"texts", OPT_TABLE},
  {"integer_y", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec texts_spec[] = {
  {"x", OPT_TABLE}, {"y", OPT_TABLE}, {"text", OPT_TABLE},
  {"color", OPT_STRING}, {"size", OPT_NUMBER}, {"ha", OPT_NUMBER},
  {"va", OPT_NUMBER}, {NULL, 0}};
static const OptSpec points_spec[] = {
  {"x", OPT_TABLE}, {"y", OPT_TABLE}, {"color", OPT_STRING},
  {"colors", OPT_TABLE}, {"ids", OPT_TABLE}, {"values", OPT_TABLE},
  {"cmap", OPT_STRING}, {"vmin", OPT_NUMBER}, {"vmax", OPT_NUMBER},
  {"label", OPT_STRING}, {"marker", OPT_STRING}, {"size", OPT_NUMBER},
  {"alpha", OPT_NUMBER}, {"edge", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec bars_spec[] = {
  {"rect", OPT_TABLE}, {"color", OPT_STRING}, {"label", OPT_STRING},
  {"alpha", OPT_NUMBER}, {"values", OPT_TABLE}, {"decimals", OPT_NUMBER},
  {NULL, 0}};
static const OptSpec arrows_spec[] = {
  {"seg", OPT_TABLE}, {"color", OPT_STRING}, {"label", OPT_STRING},
  {"width", OPT_NUMBER}, {NULL, 0}};
static const OptSpec raster_spec[] = {
  {"v", OPT_USERDATA}, {"x0", OPT_NUMBER}, {"x1", OPT_NUMBER},
  {"y0", OPT_NUMBER}, {"y1", OPT_NUMBER}, {"smooth", OPT_BOOLEAN},
  {"cmap", OPT_STRING}, {"vmin", OPT_NUMBER}, {"vmax", OPT_NUMBER},
  {"levels", OPT_TABLE}, {"classes", OPT_TABLE}, {"lighten", OPT_NUMBER},
  {"paint", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec contour_spec[] = {
  {"levels", OPT_TABLE}, {"cmap", OPT_STRING}, {"vmin", OPT_NUMBER},
  {"vmax", OPT_NUMBER}, {"color", OPT_STRING}, {"width", OPT_NUMBER},
  {NULL, 0}};
static const OptSpec colorbar_spec[] = {
  {"cmap", OPT_STRING}, {"vmin", OPT_NUMBER}, {"vmax", OPT_NUMBER},
  {"levels", OPT_TABLE}, {"label", OPT_STRING}, {NULL, 0}};
static const OptSpec series_spec[] = {
  {"x", OPT_TABLE}, {"y", OPT_TABLE}, {"label", OPT_STRING},
  {"color", OPT_STRING}, {"marker", OPT_STRING}, {"dashed", OPT_BOOLEAN},
  {NULL, 0}};
static const OptSpec images_spec[] = {
  {"images", OPT_TABLE}, {"captions", OPT_TABLE}, {"cols", OPT_NUMBER},
  {"box", OPT_NUMBER}, {"title", OPT_STRING}, {"normalize", OPT_BOOLEAN},
  {"cmap", OPT_STRING}, {"marks", OPT_TABLE}, {NULL, 0}};
static const OptSpec image_panel_spec[] = {
  {"image", OPT_USERDATA}, {"caption", OPT_STRING}, {"mark", OPT_STRING},
  {"panel", OPT_TABLE}, {"width", OPT_NUMBER}, {"height", OPT_NUMBER},
  {"title", OPT_STRING}, {"normalize", OPT_BOOLEAN}, {"cmap", OPT_STRING},
  {NULL, 0}};
static const OptSpec heatmap_spec[] = {
  {"matrix", OPT_USERDATA}, {"row_labels", OPT_TABLE},
  {"col_labels", OPT_TABLE}, {"title", OPT_STRING}, {"xlabel", OPT_STRING},
  {"ylabel", OPT_STRING}, {"decimals", OPT_NUMBER}, {"cell", OPT_NUMBER},
  {"colorbar", OPT_BOOLEAN}, {"cmap", OPT_STRING}, {"vmin", OPT_NUMBER},
  {"vmax", OPT_NUMBER}, {NULL, 0}};
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
  if (!strcmp(m, "D")) return PLOT_MARK_DIAMOND;
  if (!strcmp(m, "x")) return PLOT_MARK_X;
  if (!strcmp(m, "+")) return PLOT_MARK_PLUS;
  return lerror(L, "marker must be one of o s ^ D x +, got \"%s\"", m);
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


/* ---- layers --------------------------------------------------------- */

/* field k of table t if present: a list of numbers (else NULL, n 0) */
static double *opt_numbers(lua_State *L, int t, const char *k, int *n) {
  int ty = lua_getfield(L, t, k);
  lua_pop(L, 1);
  *n = 0;
  if (ty == LUA_TNIL) return NULL;
  return read_numbers(L, t, k, n);
}

static PlotCmap cmap_named(lua_State *L, const char *s, PlotCmap def) {
  PlotCmap m = def;
  if (s && plot_cmap_named(s, &m))
    lerror(L, "cmap must be gray, binary, Blues, viridis, coolwarm or "
           "RdBu, got \"%s\"", s);
  return m;
}

static PlotColor color_field(lua_State *L, int t, const char *k,
                             PlotColor def) {
  const char *c = opt_str(L, t, k);
  if (c && plot_parse_color(c, &def))
    lerror(L, "%s must be \"#rrggbb\", got \"%s\"", k, c);
  return def;
}

/* field k: nil or a list of "#rrggbb" strings, into a scratch array */
static PlotColor *read_colors(lua_State *L, int t, const char *k, int *n) {
  *n = 0;
  if (lua_getfield(L, t, k) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  int lt = lua_absindex(L, -1);
  lua_Integer len = luaL_len(L, lt);
  if (len < 1 || len > 10000000) lerror(L, "%s must be a list of colours", k);
  PlotColor *c = scratch(L, (size_t)len * sizeof *c);
  for (lua_Integer i = 1; i <= len; i++) {
    lua_geti(L, lt, i);
    const char *s = lua_tostring(L, -1);
    if (!s || plot_parse_color(s, &c[i - 1]))
      lerror(L, "%s[%lld] must be \"#rrggbb\"", k, (long long)i);
    lua_pop(L, 1);
  }
  lua_remove(L, lt);           /* the array stays on the stack */
  *n = (int)len;
  return c;
}

static double *read_levels(lua_State *L, int t, int *n) {
  double *lv = opt_numbers(L, t, "levels", n);
  for (int i = 1; i < *n; i++)
    if (!(lv[i] > lv[i - 1]))
      lerror(L, "levels must be increasing, got %g after %g", lv[i],
             lv[i - 1]);
  return lv;
}

static void read_points(lua_State *L, int t, int i, PlotPoints *p) {
  int nx, ny, n;
  check_options(L, t, "plot.core.axes (points)", points_spec, 0);
  p->x = read_numbers(L, t, "x", &nx);
  p->y = read_numbers(L, t, "y", &ny);
  if (nx != ny) lerror(L, "points %d: x has %d values, y has %d", i, nx, ny);
  p->n = nx;
  p->color = color_field(L, t, "color", plot_palette(i - 1));
  PlotColor *cs = read_colors(L, t, "colors", &n);
  if (cs && n != nx)
    lerror(L, "points %d: %d colours for %d points", i, n, nx);
  double *ids = opt_numbers(L, t, "ids", &n);
  if (ids) {
    if (n != nx) lerror(L, "points %d: %d ids for %d points", i, n, nx);
    cs = scratch(L, (size_t)n * sizeof *cs);
    for (int k = 0; k < n; k++) cs[k] = plot_palette((int)ids[k]);
  }
  double *vals = opt_numbers(L, t, "values", &n);
  if (vals) {
    if (n != nx) lerror(L, "points %d: %d values for %d points", i, n, nx);
    PlotCmap m = cmap_named(L, opt_str(L, t, "cmap"), PLOT_VIRIDIS);
    double lo = opt_num(L, t, "vmin", NAN), hi = opt_num(L, t, "vmax", NAN);
    cs = scratch(L, (size_t)n * sizeof *cs);
    for (int k = 0; k < n; k++)
      cs[k] = plot_cmap(m, hi > lo ? (vals[k] - lo) / (hi - lo) : 0.5);
  }
  p->colors = cs;
  p->label = opt_str(L, t, "label");
  p->marker = marker_of(L, opt_str(L, t, "marker"));
  p->size = opt_num(L, t, "size", 3.5);
  p->alpha = opt_num(L, t, "alpha", 1);
  p->edge = opt_bool(L, t, "edge", 0);
}

static void read_bars(lua_State *L, int t, int i, PlotBars *b) {
  int n, nv;
  check_options(L, t, "plot.core.axes (bars)", bars_spec, 0);
  b->rect = read_numbers(L, t, "rect", &n);
  if (n % 4) lerror(L, "bars %d: rect must hold 4 numbers a bar", i);
  b->n = n / 4;
  b->color = color_field(L, t, "color", plot_palette(i - 1));
  b->label = opt_str(L, t, "label");
  b->alpha = opt_num(L, t, "alpha", 1);
  b->values = opt_numbers(L, t, "values", &nv);
  if (b->values && nv != b->n)
    lerror(L, "bars %d: %d values for %d bars", i, nv, b->n);
  b->decimals = opt_int(L, t, "decimals", 0, 0, 12);
}

static void read_arrows(lua_State *L, int t, int i, PlotArrows *a) {
  int n;
  check_options(L, t, "plot.core.axes (arrows)", arrows_spec, 0);
  a->seg = read_numbers(L, t, "seg", &n);
  if (n % 4) lerror(L, "arrows %d: seg must hold 4 numbers an arrow", i);
  a->n = n / 4;
  a->color = color_field(L, t, "color", plot_palette(i - 1));
  a->label = opt_str(L, t, "label");
  a->width = opt_num(L, t, "width", 1.8);
}

/* field k of p: a list of tables, each read by fn into an array */
static void *read_list(lua_State *L, int p, const char *k, size_t size,
                       void (*fn)(lua_State *, int, int, void *), int *n) {
  *n = 0;
  if (lua_getfield(L, p, k) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  int lt = lua_absindex(L, -1);
  lua_Integer len = luaL_len(L, lt);
  if (len < 0 || len > MAX_SERIES)
    lerror(L, "%s: at most %d, got %lld", k, MAX_SERIES, (long long)len);
  luaL_checkstack(L, 8 * (int)len + 8, "too many layers");
  char *arr = scratch(L, (size_t)len * size);
  for (int i = 0; i < len; i++) {
    if (lua_geti(L, lt, i + 1) != LUA_TTABLE)
      lerror(L, "%s %d must be a table", k, i + 1);
    fn(L, lua_absindex(L, -1), i + 1, arr + (size_t)i * size);
  }
  *n = (int)len;
  return arr;
}

static const char **read_strings(lua_State *L, int t, const char *k, int n);

static void read_texts(lua_State *L, int t, int i, PlotTexts *x) {
  int nx, ny;
  check_options(L, t, "plot.core.axes (texts)", texts_spec, 0);
  x->x = read_numbers(L, t, "x", &nx);
  x->y = read_numbers(L, t, "y", &ny);
  if (nx != ny) lerror(L, "texts %d: x has %d values, y has %d", i, nx, ny);
  x->n = nx;
  x->text = read_strings(L, t, "text", nx);
  if (!x->text) lerror(L, "texts %d: no text", i);
  x->color = color_field(L, t, "color", (PlotColor){0, 0, 0});
  x->px = opt_num(L, t, "size", PLOT_PX_TICK);
  x->ha = opt_num(L, t, "ha", 0.5);
  x->va = opt_num(L, t, "va", 0.5);
}

static void texts_fn(lua_State *L, int t, int i, void *p) {
  read_texts(L, t, i, p);
}
static void points_fn(lua_State *L, int t, int i, void *p) {
  read_points(L, t, i, p);
}
static void bars_fn(lua_State *L, int t, int i, void *p) {
  read_bars(L, t, i, p);
}
static void arrows_fn(lua_State *L, int t, int i, void *p) {
  read_arrows(L, t, i, p);
}

static PlotRaster *read_raster(lua_State *L, int p) {
  if (lua_getfield(L, p, "raster") == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  int t = lua_absindex(L, -1);
  check_options(L, t, "plot.core.axes (raster)", raster_spec, 0);
  PlotRaster *r = scratch(L, sizeof *r);
  lua_getfield(L, t, "v");
  Tensor *m = test_tensor(L, -1);
  if (!m || m->ndim != 2 || m->shape[0] < 2 || m->shape[1] < 2 ||
      m->shape[0] > 4000 || m->shape[1] > 4000)
    lerror(L, "raster v must be a 2-d tensor of 2..4000 x 2..4000");
  r->rows = (int)m->shape[0];
  r->cols = (int)m->shape[1];
  double *v = scratch(L, (size_t)r->rows * r->cols * sizeof *v);
  int64_t idx[2];
  for (idx[0] = 0; idx[0] < r->rows; idx[0]++)
    for (idx[1] = 0; idx[1] < r->cols; idx[1]++)
      v[idx[0] * r->cols + idx[1]] = *tensor_at(m, idx);
  r->v = v;
  r->x0 = opt_num(L, t, "x0", 0);
  r->x1 = opt_num(L, t, "x1", 1);
  r->y0 = opt_num(L, t, "y0", 0);
  r->y1 = opt_num(L, t, "y1", 1);
  r->smooth = opt_bool(L, t, "smooth", 1);
  r->cmap = cmap_named(L, opt_str(L, t, "cmap"), PLOT_VIRIDIS);
  r->vmin = opt_num(L, t, "vmin", 0);
  r->vmax = opt_num(L, t, "vmax", 1);
  r->levels = read_levels(L, t, &r->nlevels);
  r->classes = read_colors(L, t, "classes", &r->nclasses);
  r->lighten = opt_num(L, t, "lighten", 0);
  r->hidden = !opt_bool(L, t, "paint", 1);
  return r;
}

static PlotContour *read_contour(lua_State *L, int p) {
  if (lua_getfield(L, p, "contour") == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  int t = lua_absindex(L, -1);
  check_options(L, t, "plot.core.axes (contour)", contour_spec, 0);
  PlotContour *c = scratch(L, sizeof *c);
  c->levels = read_levels(L, t, &c->nlevels);
  c->cmap = cmap_named(L, opt_str(L, t, "cmap"), PLOT_VIRIDIS);
  c->vmin = opt_num(L, t, "vmin", 0);
  c->vmax = opt_num(L, t, "vmax", 1);
  c->mono = opt_str(L, t, "color") != NULL;
  c->color = color_field(L, t, "color", (PlotColor){0, 0, 0});
  c->width = opt_num(L, t, "width", 1.2);
  return c;
}

static void read_colorbar(lua_State *L, int p, PlotColorbar *cb) {
  if (lua_getfield(L, p, "colorbar") == LUA_TNIL) { lua_pop(L, 1); return; }
  int t = lua_absindex(L, -1);
  check_options(L, t, "plot.core.axes (colorbar)", colorbar_spec, 0);
  cb->on = 1;
  cb->cmap = cmap_named(L, opt_str(L, t, "cmap"), PLOT_VIRIDIS);
  cb->vmin = opt_num(L, t, "vmin", 0);
  cb->vmax = opt_num(L, t, "vmax", 1);
  cb->levels = read_levels(L, t, &cb->nlevels);
  cb->label = opt_str(L, t, "label");
}

static void read_layers(lua_State *L, int p, PlotAxes *a) {
  a->points = read_list(L, p, "points", sizeof(PlotPoints), points_fn,
                        &a->npoints);
  a->bars = read_list(L, p, "bars", sizeof(PlotBars), bars_fn, &a->nbars);
  a->arrows = read_list(L, p, "arrows", sizeof(PlotArrows), arrows_fn,
                        &a->narrows);
  a->texts = read_list(L, p, "texts", sizeof(PlotTexts), texts_fn,
                       &a->ntexts);
  a->raster = read_raster(L, p);
  a->contour = read_contour(L, p);
  a->integer_y = opt_bool(L, p, "integer_y", 0);
  read_colorbar(L, p, &a->colorbar);
  int n;
  a->xticks = opt_numbers(L, p, "xticks", &n);
  a->nxticks = n;
  if (n > PLOT_MAXTICKS)
    lerror(L, "at most %d x ticks, got %d", PLOT_MAXTICKS, n);
  a->xticklabels = n ? read_strings(L, p, "xticklabels", n) : NULL;
  a->equal = opt_bool(L, p, "equal", 0);
  a->noaxis = opt_bool(L, p, "noaxis", 0);
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
  read_layers(L, p, a);
  if (lua_getfield(L, p, "series") == LUA_TNIL) {     /* layers only */
    lua_pop(L, 1);
    if (!a->npoints && !a->nbars && !a->narrows && !a->raster &&
        !a->ntexts)
      lerror(L, "a panel needs series, points, bars, arrows or a grid");
    return;
  }
  lua_pop(L, 1);
  int st = need_table(L, p, "series");
  lua_Integer n = luaL_len(L, st);
  if (n < 0 || n > MAX_SERIES)
    lerror(L, "a panel needs 0..%d series, got %lld", MAX_SERIES,
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
  int cols = opt_int(L, 2, "cols", MAX_PANELS, 1, MAX_PANELS);
  int pt = need_table(L, 2, "panels");
  lua_Integer n = luaL_len(L, pt);
  if (n < 1 || n > MAX_PANELS)
    return lerror(L, "a figure needs 1..%d panels, got %lld", MAX_PANELS,
                  (long long)n);
  PlotAxes *panels = scratch(L, (size_t)n * sizeof *panels);
  for (int i = 0; i < n; i++) {
    luaL_checkstack(L, 64, "too many panels");
    if (lua_geti(L, pt, i + 1) != LUA_TTABLE)
      return lerror(L, "panel %d must be a table", i + 1);
    read_panel(L, lua_absindex(L, -1), &panels[i]);
  }
  char err[PLOT_ERRLEN];
  if (plot_save_axes_grid(path, panels, (int)n, cols, pw, ph, title, err))
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

static void read_marks(lua_State *L, int n, PlotImage *ims) {
  if (lua_getfield(L, 2, "marks") == LUA_TNIL) { lua_pop(L, 1); return; }
  for (int i = 0; i < n; i++) {
    int ty = lua_geti(L, -1, i + 1);
    if (ty == LUA_TSTRING) {
      const char *c = lua_tostring(L, -1);
      if (plot_parse_color(c, &ims[i].mark))
        lerror(L, "marks[%d] must be \"#rrggbb\", got \"%s\"", i + 1, c);
      ims[i].marked = 1;
    } else if (ty != LUA_TNIL && !(ty == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
      lerror(L, "marks[%d] must be a colour or false, got %s", i + 1,
             luaL_typename(L, -1));
    }
    lua_pop(L, 1);
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
  read_marks(L, (int)n, ims);
  char err[PLOT_ERRLEN];
  if (plot_save_images(path, ims, (int)n, cols, box, title, err))
    return lerror(L, "%s", err);
  return 0;
}

static int l_image_panel(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  check_options(L, 2, "plot.core.image_panel", image_panel_spec, 0);
  const char *title = opt_str(L, 2, "title");
  int w = opt_int(L, 2, "width", 720, 240, PLOT_MAXSIDE);
  int h = opt_int(L, 2, "height", 360, 160, PLOT_MAXSIDE);
  PlotImage im;
  lua_getfield(L, 2, "image");
  read_image(L, 1, &im);
  im.normalize = opt_bool(L, 2, "normalize", 0);
  im.cmap = cmap_of(L, opt_str(L, 2, "cmap"));
  im.caption = opt_str(L, 2, "caption");
  const char *mark = opt_str(L, 2, "mark");
  if (mark) {
    if (plot_parse_color(mark, &im.mark))
      return lerror(L, "mark must be \"#rrggbb\", got \"%s\"", mark);
    im.marked = 1;
  }
  PlotAxes a;
  read_panel(L, need_table(L, 2, "panel"), &a);
  char err[PLOT_ERRLEN];
  if (plot_save_image_panel(path, &im, &a, w, h, title, err))
    return lerror(L, "%s", err);
  return 0;
}

/* ---- heat maps ------------------------------------------------------ */

static const char **read_labels(lua_State *L, const char *k, int n) {
  return read_strings(L, 2, k, n);
}

/* field k of table t: nil or a list of n strings, into a scratch array */
static const char **read_strings(lua_State *L, int tb, const char *k, int n) {
  if (lua_getfield(L, tb, k) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
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
  hm.cmap = cmap_named(L, opt_str(L, 2, "cmap"), PLOT_BLUES);
  hm.vmin = opt_num(L, 2, "vmin", NAN);
  hm.vmax = opt_num(L, 2, "vmax", NAN);
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

/* contour_levels(lo, hi, n) -> a list of about n nice levels covering
 * lo..hi */
static int l_contour_levels(lua_State *L) {
  double lo = luaL_checknumber(L, 1), hi = luaL_checknumber(L, 2);
  int n = (int)luaL_checkinteger(L, 3);
  double lv[PLOT_MAXTICKS + 2];
  int k = plot_contour_levels(lo, hi, n, lv, PLOT_MAXTICKS + 2);
  if (k < 1) return lerror(L, "no contour levels for %g..%g", lo, hi);
  lua_createtable(L, k, 0);
  for (int i = 0; i < k; i++) {
    lua_pushnumber(L, lv[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* tree(path, {nodes = {{x=, depth=, parent= (1-based, 0: root), text=,
 * fill="#rrggbb"}, ...}, title=, yes=, no=, width=, height=, font=}) */
static const OptSpec tree_spec[] = {
  {"nodes", OPT_TABLE}, {"title", OPT_STRING}, {"yes", OPT_STRING},
  {"no", OPT_STRING}, {"width", OPT_NUMBER}, {"height", OPT_NUMBER},
  {"font", OPT_NUMBER}, {NULL, 0}};
static const OptSpec tree_node_spec[] = {
  {"x", OPT_NUMBER}, {"depth", OPT_NUMBER}, {"parent", OPT_NUMBER},
  {"text", OPT_STRING}, {"fill", OPT_STRING}, {NULL, 0}};

static int l_tree(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  check_options(L, 2, "plot.core.tree", tree_spec, 0);
  lua_getfield(L, 2, "nodes");
  int nt = lua_gettop(L);
  if (!lua_istable(L, nt)) return lerror(L, "nodes must be a list");
  lua_Integer n = luaL_len(L, nt);
  if (n < 1 || n > 200000) return lerror(L, "a tree of %lld nodes cannot be drawn", (long long)n);
  PlotTreeNode *nodes = scratch(L, (size_t)n * sizeof *nodes);
  for (lua_Integer i = 0; i < n; i++) {
    lua_geti(L, nt, i + 1);
    int e = lua_gettop(L);
    if (!lua_istable(L, e)) return lerror(L, "nodes[%lld] must be a table", (long long)i + 1);
    check_options(L, e, "plot.core.tree (node)", tree_node_spec, 0);
    nodes[i].x = opt_num(L, e, "x", 0);
    nodes[i].depth = opt_int(L, e, "depth", 0, 0, 10000);
    nodes[i].parent = opt_int(L, e, "parent", 0, 0, (int)n) - 1;
    nodes[i].text = opt_str(L, e, "text");
    const char *fill = opt_str(L, e, "fill");
    nodes[i].fill = (PlotColor){1, 1, 1};
    if (fill && plot_parse_color(fill, &nodes[i].fill))
      return lerror(L, "nodes[%lld].fill: '%s' is not #rrggbb", (long long)i + 1, fill);
    lua_pop(L, 1);   /* the strings stay alive in the node tables */
  }
  PlotTree t = {nodes, (int)n, opt_str(L, 2, "title"), opt_str(L, 2, "yes"),
                opt_str(L, 2, "no"), opt_int(L, 2, "width", 0, 0, PLOT_MAXSIDE),
                opt_int(L, 2, "height", 0, 0, PLOT_MAXSIDE), opt_num(L, 2, "font", 12)};
  char err[PLOT_ERRLEN];
  if (plot_save_tree(path, &t, err)) return lerror(L, "%s", err);
  return 0;
}

static int l_font(lua_State *L) {
  lua_pushstring(L, plot_font_family());
  return 1;
}

static const luaL_Reg functions[] = {
  {"axes", l_axes}, {"images", l_images}, {"heatmap", l_heatmap},
  {"image_panel", l_image_panel},
  {"font", l_font}, {"detections", l_detections},
  {"contour_levels", l_contour_levels}, {"tree", l_tree}, {NULL, NULL}
};

int luaopen_plot(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
