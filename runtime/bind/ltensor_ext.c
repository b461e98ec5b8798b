/* ltensor_ext.c - the NumPy-style additions to the `tensor` module:
 * linspace/logspace, sin/cos/tan/sign/floor/ceil/trunc/round, pow,
 * std/var/median, cumsum/cumprod, concat/stack/split, sort/argsort,
 * where/nonzero, boolean masks, dot/outer, unique, bincount, meshgrid,
 * diag, tile/repeat/flip, randint/choice. Kernels are in
 * core/tensor_ext.c; this file checks arguments (all of them before
 * anything is computed) and shapes results.
 *
 * Conventions, as in ltensor.c: axes are 1-based and may be negative;
 * positions returned (argsort, unique's index and inverse, nonzero) are
 * 1-based floats like argmax along an axis; values (class ids, counts,
 * randint's integers, split's cut points, diag's offset) are NumPy's.
 * Where NumPy takes axis=, the axis is positional or {axis = n}.
 *
 * dtypes: the functions that read their input through arg_tensor (and
 * check_tensor) take float32 only and say so for float64 (bincount,
 * choice's population and p, repeat's counts convert); the others take either,
 * through any_tensor, promote as the arithmetic does and return their
 * input's dtype (positions and masks stay float32). */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "bind/ltensor_ext.h"
#include "core/tensor_ext.h"

/* ---- argument helpers -------------------------------------------------- */

static lua_Integer int_arg(lua_State *L, int i, const char *fn, const char *what) {
  int isnum;
  lua_Integer v = lua_tointegerx(L, i, &isnum);
  if (!isnum) {
    if (lua_type(L, i) == LUA_TNUMBER)
      lerror(L, "%s: %s must be an integer, got %s", fn, what, lua_tostring(L, i));
    lerror(L, "%s: %s must be an integer, got %s", fn, what, luaL_typename(L, i));
  }
  return v;
}

/* a 1-based (or negative) axis of an ndim-d tensor, 0-based */
static int axis_of(lua_State *L, const char *fn, lua_Integer a, int ndim) {
  if (ndim == 0) lerror(L, "%s: a 0-d tensor has no axis %lld", fn, (long long)a);
  if (a == 0 || a > ndim || a < -ndim)
    lerror(L, "%s: axis %lld out of range 1..%d (or -1..-%d)", fn, (long long)a,
           ndim, ndim);
  return (int)(a < 0 ? ndim + a : a - 1);
}

/* the float32 tensor (or number, or nested table) at i; conversions are
 * pushed */
static Tensor *arg_tensor(lua_State *L, int i) {
  return to_tensor(L, i);
}
/* the same, float32 or float64 (numbers and tables become float32) */
static Tensor *any_tensor(lua_State *L, int i) {
  return to_tensor_any(L, i, TENSOR_F32);
}

/* t itself when contiguous, else a contiguous copy pushed on the stack */
static Tensor *dense(lua_State *L, Tensor *t) {
  if (tensor_is_contiguous(t)) return t;
  Tensor *c = push_tensor_dtype(L, t->ndim, t->shape, t->dtype);
  tensor_gather(t, c->data);
  return c;
}

static const char *shp(const Tensor *t, char *buf) {
  return tensor_shape_str(t, buf, 128);
}

/* a table value is an options table when it is not a list */
static int is_options(lua_State *L, int i) {
  if (lua_type(L, i) != LUA_TTABLE || lua_rawlen(L, i) > 0) return 0;
  lua_pushnil(L);
  if (!lua_next(L, i)) return 0;
  lua_pop(L, 2);
  return 1;
}

static int opt_bool(lua_State *L, int i, const char *key, int dflt) {
  if (lua_isnoneornil(L, i)) return dflt;
  lua_getfield(L, i, key);
  int v = lua_isnil(L, -1) ? dflt : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* an axis at i: nil (returns 0), an integer, or {axis = n} (NumPy's
 * keyword); returns 1 with *a set when given */
static int opt_axis(lua_State *L, int i, const char *fn, lua_Integer *a) {
  static const OptSpec spec[] = {{"axis", OPT_INTEGER}, {NULL, 0}};
  if (lua_isnoneornil(L, i)) return 0;
  if (lua_type(L, i) == LUA_TTABLE) {
    check_options(L, i, fn, spec, 0);
    lua_getfield(L, i, "axis");
    int has = !lua_isnil(L, -1);
    if (has) *a = int_arg(L, lua_gettop(L), fn, "axis");
    lua_pop(L, 1);
    return has;
  }
  *a = int_arg(L, i, fn, "axis");
  return 1;
}

/* ---- ranges ------------------------------------------------------------ */

/* linspace(start, stop[, num][, {num, endpoint}]) and logspace with base */
static int range_common(lua_State *L, int log) {
  const char *fn = log ? "logspace" : "linspace";
  static const OptSpec lin[] = {{"num", OPT_INTEGER}, {"endpoint", OPT_BOOLEAN},
                                {"dtype", OPT_STRING}, {NULL, 0}};
  static const OptSpec lg[] = {{"num", OPT_INTEGER}, {"endpoint", OPT_BOOLEAN},
                               {"base", OPT_NUMBER}, {"dtype", OPT_STRING}, {NULL, 0}};
  int dtype = TENSOR_F32;
  double start = luaL_checknumber(L, 1), stop = luaL_checknumber(L, 2);
  lua_Integer num = 50;
  int opt = 0;
  if (lua_istable(L, 3)) opt = 3;
  else {
    if (!lua_isnoneornil(L, 3)) num = int_arg(L, 3, fn, "num");
    if (!lua_isnoneornil(L, 4)) opt = 4;
  }
  double base = 10;
  int endpoint = 1;
  if (opt) {
    check_options(L, opt, fn, log ? lg : lin, 0);
    lua_getfield(L, opt, "num");
    if (!lua_isnil(L, -1)) {
      if (opt == 4) lerror(L, "%s: num given twice", fn);
      num = int_arg(L, -1, fn, "num");
    }
    lua_getfield(L, opt, "base");
    if (!lua_isnil(L, -1)) base = lua_tonumber(L, -1);
    lua_getfield(L, opt, "dtype");
    if (!lua_isnil(L, -1)) dtype = check_dtype_name(L, fn, lua_tostring(L, -1));
    lua_pop(L, 3);
    endpoint = opt_bool(L, opt, "endpoint", 1);
  }
  if (num < 0) return lerror(L, "%s: num must be non-negative, got %lld", fn, (long long)num);
  if (!isfinite(start) || !isfinite(stop))
    return lerror(L, "%s: start and stop must be finite, got %g and %g", fn, start, stop);
  int64_t n = num;
  Tensor *t = push_tensor_dtype(L, 1, &n, dtype);
  if (dtype == TENSOR_F64) tx_range64(t->f64, n, start, stop, endpoint, log, base);
  else if (log) tx_logspace(t->data, n, start, stop, endpoint, base);
  else tx_linspace(t->data, n, start, stop, endpoint);
  return 1;
}
static int t_linspace(lua_State *L) { return range_common(L, 0); }
static int t_logspace(lua_State *L) { return range_common(L, 1); }

/* ---- elementwise ------------------------------------------------------- */

static int unop(lua_State *L, TxUnop op) {
  Tensor *a = any_tensor(L, 1);
  Tensor *out = push_tensor_dtype(L, a->ndim, a->shape, a->dtype);
  tx_unop(op, a, out->data);
  return 1;
}
#define UNOP(fname, op) static int fname(lua_State *L) { return unop(L, op); }
UNOP(m_sin, TX_SIN) UNOP(m_cos, TX_COS) UNOP(m_tan, TX_TAN)
UNOP(m_sign, TX_SIGN) UNOP(m_floor, TX_FLOOR) UNOP(m_ceil, TX_CEIL)
UNOP(m_trunc, TX_TRUNC)
#undef UNOP

/* round(t[, decimals]): half to even, as np.round */
static int m_round(lua_State *L) {
  lua_Integer d = lua_isnoneornil(L, 2) ? 0 : int_arg(L, 2, "round", "decimals");
  if (d < -30 || d > 30)
    return lerror(L, "round: decimals %lld out of range -30..30", (long long)d);
  Tensor *a = any_tensor(L, 1);
  Tensor *out = push_tensor_dtype(L, a->ndim, a->shape, a->dtype);
  tx_round(a, (int)d, out->data);
  return 1;
}

/* tensor.pow(a, b): a ^ b with broadcasting (the method is ltensor.c's) */
static int t_pow(lua_State *L) {
  int dtype = result_dtype(L, 1, 2);
  Tensor *a = to_tensor_as(L, 1, dtype);
  Tensor *b = to_tensor_as(L, 2, dtype);
  int nd;
  int64_t shape[TENSOR_MAXDIM];
  char err[TENSOR_ERRLEN];
  if (tensor_broadcast_shape(a, b, &nd, shape, err)) return lerror(L, "pow: %s", err);
  Tensor *out = push_tensor_dtype(L, nd, shape, dtype);
  tensor_binop(TOP_POW, a, b, out);
  return 1;
}

/* ---- moments and medians ----------------------------------------------- */

typedef struct { int has_axis; lua_Integer axis; int keep; double ddof; } RedArgs;

/* (t[, axis[, keepdims | {keepdims, ddof}]]) or (t, {axis, keepdims, ddof}) */
static void red_args(lua_State *L, const char *fn, int with_ddof, RedArgs *r) {
  static const OptSpec sd[] = {{"axis", OPT_INTEGER}, {"keepdims", OPT_BOOLEAN},
                               {"ddof", OPT_NUMBER}, {NULL, 0}};
  static const OptSpec s[] = {{"axis", OPT_INTEGER}, {"keepdims", OPT_BOOLEAN}, {NULL, 0}};
  memset(r, 0, sizeof *r);
  int opt = 0;
  if (lua_istable(L, 2)) opt = 2;
  else {
    if (!lua_isnoneornil(L, 2)) { r->axis = int_arg(L, 2, fn, "axis"); r->has_axis = 1; }
    if (lua_istable(L, 3)) opt = 3;
    else if (!lua_isnoneornil(L, 3)) {
      if (!lua_isboolean(L, 3))
        lerror(L, "%s: keepdims must be a boolean, got %s", fn, luaL_typename(L, 3));
      r->keep = lua_toboolean(L, 3);
    }
  }
  if (!opt) return;
  check_options(L, opt, fn, with_ddof ? sd : s, 0);
  lua_getfield(L, opt, "axis");
  if (!lua_isnil(L, -1)) {
    if (r->has_axis) lerror(L, "%s: axis given twice", fn);
    r->axis = int_arg(L, -1, fn, "axis");
    r->has_axis = 1;
  }
  lua_getfield(L, opt, "ddof");
  if (!lua_isnil(L, -1)) r->ddof = lua_tonumber(L, -1);
  lua_pop(L, 2);
  r->keep = opt_bool(L, opt, "keepdims", 0);
}

enum { K_VAR, K_STD, K_MEDIAN };

static int moments(lua_State *L, int kind) {
  const char *fn = kind == K_VAR ? "var" : kind == K_STD ? "std" : "median";
  RedArgs r;
  red_args(L, fn, kind != K_MEDIAN, &r);
  Tensor *t = any_tensor(L, 1);
  char err[TENSOR_ERRLEN];
  int axis = -1;
  int64_t outer = 1, n = t->size, inner = 1;
  if (r.has_axis) {
    axis = axis_of(L, fn, r.axis, t->ndim);
    tx_lanes(t, axis, &outer, &n, &inner);
    if (n == 0) return lerror(L, "%s: axis %d is empty", fn, axis + 1);
  } else if (n == 0) {
    return lerror(L, "%s of an empty tensor", fn);
  }
  if (kind != K_MEDIAN && !((double)n - r.ddof > 0))
    return lerror(L, "%s: ddof %g leaves no degrees of freedom for %lld values",
                  fn, r.ddof, (long long)n);
  Tensor *d = dense(L, t);
  int64_t shape[TENSOR_MAXDIM];
  int nd = 0;
  if (r.has_axis)
    for (int k = 0; k < t->ndim; k++) {
      if (k != axis) shape[nd++] = t->shape[k];
      else if (r.keep) shape[nd++] = 1;
    }
  else if (r.keep)
    for (int k = 0; k < t->ndim; k++) shape[nd++] = 1;
  Tensor *out = push_tensor_dtype(L, nd, shape, t->dtype);
  if (kind == K_MEDIAN) {
    if (t->dtype == TENSOR_F64 ? tx_median64(d->f64, outer, n, inner, out->f64, err)
                               : tx_median(d->data, outer, n, inner, out->data, err))
      return lerror(L, "median: %s", err);
  } else if (t->dtype == TENSOR_F64) {
    tx_var64(d->f64, outer, n, inner, r.ddof, kind == K_STD, out->f64);
  } else {
    tx_var(d->data, outer, n, inner, r.ddof, kind == K_STD, out->data);
  }
  if (!r.has_axis && !r.keep) lua_pushnumber(L, tensor_load(out, 0));
  return 1;
}
static int m_var(lua_State *L) { return moments(L, K_VAR); }
static int m_std(lua_State *L) { return moments(L, K_STD); }
static int m_median(lua_State *L) { return moments(L, K_MEDIAN); }

/* ---- scans and sorts --------------------------------------------------- */

/* cumsum/cumprod(t[, axis]): without an axis, over the flattened tensor */
static int cumulate(lua_State *L, int prod) {
  const char *fn = prod ? "cumprod" : "cumsum";
  lua_Integer a = 0;
  int has_axis = opt_axis(L, 2, fn, &a);
  Tensor *t = any_tensor(L, 1);
  int axis = has_axis ? axis_of(L, fn, a, t->ndim) : 0;
  Tensor *d = dense(L, t);
  Tensor *out;
  int64_t outer = 1, n = t->size, inner = 1;
  if (has_axis) {
    tx_lanes(t, axis, &outer, &n, &inner);
    out = push_tensor_dtype(L, t->ndim, t->shape, t->dtype);
  } else {
    out = push_tensor_dtype(L, 1, &n, t->dtype);
  }
  if (t->dtype == TENSOR_F64) tx_cumulate64(d->f64, outer, n, inner, prod, out->f64);
  else tx_cumulate(d->data, outer, n, inner, prod, out->data);
  return 1;
}
static int m_cumsum(lua_State *L) { return cumulate(L, 0); }
static int m_cumprod(lua_State *L) { return cumulate(L, 1); }

/* sort/argsort(t[, axis = -1]): ascending, stable, NaN last */
static int sorting(lua_State *L, int arg) {
  const char *fn = arg ? "argsort" : "sort";
  lua_Integer a = -1;
  opt_axis(L, 2, fn, &a);
  Tensor *t = any_tensor(L, 1);
  int axis = axis_of(L, fn, a, t->ndim);
  Tensor *d = dense(L, t);
  int64_t outer, n, inner;
  tx_lanes(t, axis, &outer, &n, &inner);
  /* sorted values keep the dtype; positions are float32 */
  Tensor *out = push_tensor_dtype(L, t->ndim, t->shape, arg ? TENSOR_F32 : t->dtype);
  char err[TENSOR_ERRLEN];
  int rc = t->dtype == TENSOR_F64
    ? tx_sort64(d->f64, outer, n, inner, arg ? NULL : out->f64, arg ? out->data : NULL, err)
    : tx_sort(d->data, outer, n, inner, arg ? NULL : out->data, arg ? out->data : NULL, err);
  if (rc) return lerror(L, "%s: %s", fn, err);
  if (arg) for (int64_t i = 0; i < out->size; i++) out->data[i] += 1;
  return 1;
}
static int m_sort(lua_State *L) { return sorting(L, 0); }
static int m_argsort(lua_State *L) { return sorting(L, 1); }

/* ---- joining and splitting ---------------------------------------------- */

/* The tensors in the list at index 1, converted where needed and kept
 * alive in a table pushed on the stack; their headers go into a block of
 * Tensor pointers (also pushed). Returns the count. */
static int list_tensors(lua_State *L, const char *fn, Tensor ***out) {
  if (lua_type(L, 1) != LUA_TTABLE || test_tensor_any(L, 1))
    lerror(L, "%s: expected a list of tensors, got %s", fn,
           test_tensor_any(L, 1) ? "a tensor" : luaL_typename(L, 1));
  int k = (int)lua_rawlen(L, 1);
  if (k == 0) lerror(L, "%s: the list of tensors is empty", fn);
  lua_createtable(L, k, 0);                       /* anchors */
  int anchors = lua_gettop(L);
  Tensor **ts = lua_newuserdatauv(L, (size_t)k * sizeof *ts, 0);
  for (int j = 1; j <= k; j++) {
    lua_rawgeti(L, 1, j);
    if (lua_isnil(L, -1)) lerror(L, "%s: entry %d of the list is nil", fn, j);
    if (!test_tensor_any(L, -1) && !lua_istable(L, -1) && lua_type(L, -1) != LUA_TNUMBER)
      lerror(L, "%s: entry %d is a %s, expected a tensor", fn, j, luaL_typename(L, -1));
    ts[j - 1] = to_tensor_any(L, lua_gettop(L), TENSOR_F32);
    lua_rawseti(L, anchors, j);                   /* the converted one */
    if (lua_gettop(L) > anchors + 1) lua_pop(L, 1);   /* the original */
  }
  /* one float64 entry makes the result float64, as NumPy's promotion */
  int dtype = TENSOR_F32;
  for (int j = 0; j < k; j++) if (ts[j]->dtype == TENSOR_F64) dtype = TENSOR_F64;
  for (int j = 0; j < k; j++)
    if (ts[j]->dtype != dtype) {
      ts[j] = push_astype(L, ts[j], dtype);
      lua_rawseti(L, anchors, j + 1);
    }
  *out = ts;
  return k;
}

static int t_concat(lua_State *L) {
  Tensor **ts;
  lua_Integer a = 1;
  opt_axis(L, 2, "concat", &a);
  int k = list_tensors(L, "concat", &ts);
  int nd = ts[0]->ndim;
  char b1[128], b2[128];
  if (nd == 0) return lerror(L, "concat: 0-d tensors cannot be joined (use stack)");
  int axis = axis_of(L, "concat", a, nd);
  int64_t shape[TENSOR_MAXDIM];
  memcpy(shape, ts[0]->shape, sizeof shape);
  shape[axis] = 0;
  for (int j = 0; j < k; j++) {
    const Tensor *x = ts[j];
    int same = x->ndim == nd;
    for (int d = 0; same && d < nd; d++)
      if (d != axis && x->shape[d] != ts[0]->shape[d]) same = 0;
    if (!same)
      return lerror(L, "concat: tensor %d has shape %s and tensor 1 %s: they must "
                    "agree except along axis %d", j + 1, shp(x, b1), shp(ts[0], b2), axis + 1);
    shape[axis] += x->shape[axis];
  }
  Tensor *out = push_tensor_dtype(L, nd, shape, ts[0]->dtype);
  tx_concat((const Tensor *const *)ts, k, axis, out);
  return 1;
}

static int t_stack(lua_State *L) {
  Tensor **ts;
  lua_Integer a = 1;
  opt_axis(L, 2, "stack", &a);
  int k = list_tensors(L, "stack", &ts);
  int nd = ts[0]->ndim;
  char b1[128], b2[128];
  if (nd + 1 > TENSOR_MAXDIM)
    return lerror(L, "stack: the result would have more than %d dimensions", TENSOR_MAXDIM);
  int axis = axis_of(L, "stack", a, nd + 1);
  for (int j = 1; j < k; j++)
    if (!tensor_same_shape(ts[j], ts[0]))
      return lerror(L, "stack: tensor %d has shape %s and tensor 1 %s: they must "
                    "have the same shape", j + 1, shp(ts[j], b1), shp(ts[0], b2));
  /* each input as a view with a size-1 axis inserted */
  Tensor *vs = lua_newuserdatauv(L, (size_t)k * sizeof *vs, 0);
  Tensor **ps = lua_newuserdatauv(L, (size_t)k * sizeof *ps, 0);
  for (int j = 0; j < k; j++) {
    Tensor *v = &vs[j];
    v->data = ts[j]->data;
    v->dtype = ts[j]->dtype;
    v->ndim = nd + 1;
    v->size = ts[j]->size;
    for (int d = 0, s = 0; d <= nd; d++) {
      if (d == axis) { v->shape[d] = 1; v->stride[d] = 0; continue; }
      v->shape[d] = ts[j]->shape[s];
      v->stride[d] = ts[j]->stride[s++];
    }
    ps[j] = v;
  }
  int64_t shape[TENSOR_MAXDIM];
  memcpy(shape, vs[0].shape, sizeof shape);
  shape[axis] = k;
  Tensor *out = push_tensor_dtype(L, nd + 1, shape, ts[0]->dtype);
  tx_concat((const Tensor *const *)ps, k, axis, out);
  return 1;
}

/* split(t, sections | {cut, ...}[, axis = 1]) -> a list of new tensors.
 * Cuts count elements before each cut, as NumPy's indices do: {2, 5}
 * gives positions 1..2, 3..5 and 6..n. */
static int t_split(lua_State *L) {
  lua_Integer a = 1;
  opt_axis(L, 3, "split", &a);
  Tensor *t = check_tensor_any(L, 1);
  int axis = axis_of(L, "split", a, t->ndim);
  int64_t n = t->shape[axis];
  int k;
  int64_t *cuts;                                 /* k+1 boundaries */
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer s = int_arg(L, 2, "split", "sections");
    if (s <= 0) return lerror(L, "split: sections must be positive, got %lld", (long long)s);
    if (n % s)
      return lerror(L, "split: %lld elements along axis %d do not divide into %lld "
                    "equal sections", (long long)n, axis + 1, (long long)s);
    if (s > 1000000) return lerror(L, "split: too many sections (%lld)", (long long)s);
    k = (int)s;
    cuts = lua_newuserdatauv(L, (size_t)(k + 1) * sizeof *cuts, 0);
    for (int j = 0; j <= k; j++) cuts[j] = n / s * j;
  } else if (lua_type(L, 2) == LUA_TTABLE && !test_tensor_any(L, 2)) {
    int m = (int)lua_rawlen(L, 2);
    k = m + 1;
    cuts = lua_newuserdatauv(L, (size_t)(k + 1) * sizeof *cuts, 0);
    cuts[0] = 0;
    cuts[k] = n;
    for (int j = 1; j <= m; j++) {
      lua_rawgeti(L, 2, j);
      lua_Integer c = int_arg(L, -1, "split", "a cut");
      lua_pop(L, 1);
      if (c < cuts[j - 1] || c > n)
        return lerror(L, "split: cut %d (%lld) must be in %lld..%lld (cuts count the "
                      "elements before them and must not decrease)", j, (long long)c,
                      (long long)cuts[j - 1], (long long)n);
      cuts[j] = c;
    }
  } else {
    return lerror(L, "split: expected a number of sections or a list of cuts, got %s",
                  luaL_typename(L, 2));
  }
  lua_createtable(L, k, 0);
  for (int j = 0; j < k; j++) {
    Tensor v = *t;
    v.shape[axis] = cuts[j + 1] - cuts[j];
    int64_t shape[TENSOR_MAXDIM];
    memcpy(shape, v.shape, sizeof shape);
    Tensor *out = push_tensor_dtype(L, t->ndim, shape, t->dtype);
    if (out->size) {
      v.data = tensor_ptr(t, cuts[j] * t->stride[axis]);
      if (t->dtype == TENSOR_F64)
        tx_copy64(out->f64, out->stride, v.f64, v.stride, v.shape, v.ndim);
      else
        tx_copy(out->data, out->stride, v.data, v.stride, v.shape, v.ndim);
    }
    lua_rawseti(L, -2, j + 1);
  }
  return 1;
}

/* ---- selection --------------------------------------------------------- */

/* nonzero(t): one tensor per dimension with the 1-based positions of the
 * non-zero elements, in row-major order */
static int t_nonzero(lua_State *L) {
  Tensor *t = any_tensor(L, 1);
  if (t->ndim == 0) return lerror(L, "nonzero: a 0-d tensor has no positions");
  int64_t cnt = tx_mask_count(t);
  Tensor *outs[TENSOR_MAXDIM];
  for (int d = 0; d < t->ndim; d++) outs[d] = push_tensor(L, 1, &cnt);
  int64_t idx[TENSOR_MAXDIM] = {0}, k = 0;
  for (int64_t e = 0; e < t->size; e++) {
    if (tensor_load(t, tensor_offset(t, idx)) != 0) {
      for (int d = 0; d < t->ndim; d++) outs[d]->data[k] = (float)(idx[d] + 1);
      k++;
    }
    for (int d = t->ndim - 1; d >= 0; d--) {
      if (++idx[d] < t->shape[d]) break;
      idx[d] = 0;
    }
  }
  return t->ndim;
}

/* where(cond, a, b): a where cond is non-zero, else b, broadcast;
 * where(cond) is nonzero(cond) */
static int t_where(lua_State *L) {
  if (lua_gettop(L) == 1) return t_nonzero(L);
  if (lua_gettop(L) != 3)
    return lerror(L, "where: give cond, a and b (or only cond), got %d arguments",
                  lua_gettop(L));
  Tensor *c = any_tensor(L, 1);
  int dtype = result_dtype(L, 2, 3);
  Tensor *a = to_tensor_as(L, 2, dtype), *b = to_tensor_as(L, 3, dtype);
  int n1, nd;
  int64_t s1[TENSOR_MAXDIM], shape[TENSOR_MAXDIM];
  char err[TENSOR_ERRLEN], b1[128], b2[128], b3[128];
  Tensor probe;
  if (tensor_broadcast_shape(c, a, &n1, s1, err) ||
      tensor_init(&probe, NULL, n1, s1, err) ||
      tensor_broadcast_shape(&probe, b, &nd, shape, err))
    return lerror(L, "where: cannot broadcast cond %s, a %s and b %s together",
                  shp(c, b1), shp(a, b2), shp(b, b3));
  Tensor *out = push_tensor_dtype(L, nd, shape, dtype);
  tx_where(c, a, b, out);
  return 1;
}

/* Check a mask (stack index i) for t: its shape is t's leading one, its
 * entries 0 or 1. Pushes and returns a contiguous copy. */
static Tensor *check_mask(lua_State *L, const char *fn, const Tensor *t, int i) {
  Tensor *m = any_tensor(L, i);
  char b1[128], b2[128];
  int okshape = m->ndim >= 1 && m->ndim <= t->ndim;
  for (int d = 0; okshape && d < m->ndim; d++)
    if (m->shape[d] != t->shape[d]) okshape = 0;
  if (!okshape)
    lerror(L, "%s: a mask of shape %s does not fit a tensor of shape %s (it must "
           "match the tensor's leading dimensions)", fn, shp(m, b1), shp(t, b2));
  Tensor *c = push_astype(L, m, TENSOR_F32);    /* 0 and 1 are exact */
  for (int64_t e = 0; e < c->size; e++)
    if (c->data[e] != 0 && c->data[e] != 1)
      lerror(L, "%s: mask entries must be 0 or 1 (a comparison's result), got %g "
             "at flat position %lld", fn, c->data[e], (long long)e + 1);
  return c;
}

/* t:masked(mask): the selected elements (or rows, ...) as a new tensor of
 * shape (count, trailing dims...), as NumPy's t[mask] */
static int m_masked(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  Tensor *m = check_mask(L, "masked", t, 2);
  int64_t shape[TENSOR_MAXDIM];
  int nd = t->ndim - m->ndim + 1;
  shape[0] = tx_mask_count(m);
  for (int d = 1; d < nd; d++) shape[d] = t->shape[m->ndim + d - 1];
  Tensor *out = push_tensor_dtype(L, nd, shape, t->dtype);
  tx_mask_select(t, m, out->data);
  return 1;
}

/* t:masked_set(mask, values): t[mask] = values, values a number or
 * broadcast to (count, trailing dims...); returns t */
static int m_masked_set(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (lua_isnoneornil(L, 3)) return lerror(L, "masked_set: missing the values to set");
  Tensor *m = check_mask(L, "masked_set", t, 2);
  int64_t shape[TENSOR_MAXDIM];
  int nd = t->ndim - m->ndim + 1;
  shape[0] = tx_mask_count(m);
  for (int d = 1; d < nd; d++) shape[d] = t->shape[m->ndim + d - 1];
  if (lua_type(L, 3) == LUA_TNUMBER) {
    double v = lua_tonumber(L, 3);
    float f = (float)v;
    tx_mask_assign(t, m, t->dtype == TENSOR_F64 ? (const void *)&v : (const void *)&f, 1);
    lua_settop(L, 1);
    return 1;
  }
  Tensor *v = to_tensor_as(L, 3, t->dtype);     /* NumPy casts on assignment */
  Tensor target;
  char err[TENSOR_ERRLEN], b1[128], b2[128];
  tensor_init(&target, NULL, nd, shape, err);
  int bn;
  int64_t bs[TENSOR_MAXDIM];
  Tensor bt;
  if (tensor_broadcast_shape(&target, v, &bn, bs, err) ||
      tensor_init(&bt, NULL, bn, bs, err) || !tensor_same_shape(&bt, &target))
    return lerror(L, "masked_set: values of shape %s do not broadcast to the %s "
                  "selected", shp(v, b1), shp(&target, b2));
  Tensor bv;
  tx_broadcast_view(v, nd, shape, &bv);
  Tensor *vals = push_tensor_dtype(L, nd, shape, t->dtype);   /* v may alias t */
  tensor_gather(&bv, vals->data);
  tx_mask_assign(t, m, vals->data, vals->size);
  lua_settop(L, 1);
  return 1;
}

/* ---- products ---------------------------------------------------------- */

/* dot(a, b) as np.dot for 0-, 1- and 2-d tensors: 1-d . 1-d is a number */
static int m_dot(lua_State *L) {
  int dtype = result_dtype(L, 1, 2);
  Tensor *a = to_tensor_as(L, 1, dtype), *b = to_tensor_as(L, 2, dtype);
  char b1[128], b2[128], err[TENSOR_ERRLEN];
  if (a->ndim == 0 || b->ndim == 0) {
    int nd;
    int64_t shape[TENSOR_MAXDIM];
    tensor_broadcast_shape(a, b, &nd, shape, err);
    Tensor *out = push_tensor_dtype(L, nd, shape, dtype);
    tensor_binop(TOP_MUL, a, b, out);
    return 1;
  }
  if (a->ndim > 2 || b->ndim > 2)
    return lerror(L, "dot: %d-d and %d-d tensors: dot takes 1-d and 2-d ones "
                  "(use matmul for stacks of matrices)", a->ndim, b->ndim);
  int64_t ka = a->shape[a->ndim - 1], kb = b->shape[0];
  if (ka != kb)
    return lerror(L, "dot: shapes %s and %s not aligned: %lld (last dimension) "
                  "!= %lld (first dimension)", shp(a, b1), shp(b, b2),
                  (long long)ka, (long long)kb);
  if (a->ndim == 1 && b->ndim == 1) {
    double v = tx_dot(a, b);
    lua_pushnumber(L, dtype == TENSOR_F64 ? v : (float)v);
    return 1;
  }
  /* matrices: view vectors as (1, k) or (k, 1) */
  Tensor A = *a, B = *b;
  if (a->ndim == 1) {
    A.ndim = 2; A.shape[0] = 1; A.shape[1] = ka; A.stride[1] = a->stride[0]; A.stride[0] = ka;
  }
  if (b->ndim == 1) {
    B.ndim = 2; B.shape[1] = 1; B.stride[1] = 1;
  }
  int64_t m = A.shape[0], n = B.shape[1];
  Tensor *out;
  if (a->ndim == 2 && b->ndim == 2) out = push_tensor_dtype(L, 2, (int64_t[]){m, n}, dtype);
  else out = push_tensor_dtype(L, 1, a->ndim == 1 ? &n : &m, dtype);
  Tensor O;
  tensor_init(&O, out->data, 2, (int64_t[]){m, n}, err);
  O.dtype = dtype;
  if (tensor_matmul(&A, &B, &O, err)) return lerror(L, "dot: %s", err);
  return 1;
}

/* outer(a, b): (numel(a), numel(b)) products of the flattened inputs */
static int m_outer(lua_State *L) {
  int dtype = result_dtype(L, 1, 2);
  Tensor *a = to_tensor_as(L, 1, dtype), *b = to_tensor_as(L, 2, dtype);
  Tensor *out = push_tensor_dtype(L, 2, (int64_t[]){a->size, b->size}, dtype);
  tx_outer(a, b, out->data);
  return 1;
}

/* ---- counting ---------------------------------------------------------- */

/* unique(t[, {return_index, return_inverse, return_counts}]) -> values
 * [, index][, inverse][, counts], in NumPy's order; index and inverse are
 * 1-based positions in the flattened t */
static int m_unique(lua_State *L) {
  static const OptSpec spec[] = {{"return_index", OPT_BOOLEAN},
                                 {"return_inverse", OPT_BOOLEAN},
                                 {"return_counts", OPT_BOOLEAN}, {NULL, 0}};
  check_options(L, 2, "unique", spec, 0);
  int want_i = opt_bool(L, 2, "return_index", 0);
  int want_v = opt_bool(L, 2, "return_inverse", 0);
  int want_c = opt_bool(L, 2, "return_counts", 0);
  Tensor *t = any_tensor(L, 1);
  int64_t n = t->size, k;
  Tensor *vals = push_tensor_dtype(L, 1, &n, t->dtype);
  Tensor *first = push_tensor(L, 1, &n);
  Tensor *inv = push_tensor(L, 1, &n);
  Tensor *cnt = push_tensor(L, 1, &n);
  char err[TENSOR_ERRLEN];
  if (tx_unique(t, vals->data, first->data, inv->data, cnt->data, &k, err))
    return lerror(L, "unique: %s", err);
  Tensor *src[4] = {vals, first, inv, cnt};
  int want[4] = {1, want_i, want_v, want_c}, nret = 0;
  for (int j = 0; j < 4; j++) {
    if (!want[j]) continue;
    int64_t len = j == 2 ? n : k;
    Tensor *o = push_tensor_dtype(L, 1, &len, src[j]->dtype);
    for (int64_t e = 0; e < len; e++)
      tensor_store(o, e, tensor_load(src[j], e) + (j == 1 || j == 2 ? 1.0 : 0.0));
    nret++;
  }
  return nret;
}

/* bincount(x[, {weights, minlength}]): counts (or weight sums) of the
 * non-negative integer values of the 1-d x */
static int m_bincount(lua_State *L) {
  static const OptSpec spec[] = {{"weights", OPT_TABLE | OPT_USERDATA},
                                 {"minlength", OPT_INTEGER}, {NULL, 0}};
  check_options(L, 2, "bincount", spec, 0);
  Tensor *x = arg_tensor(L, 1);
  char b1[128], b2[128];
  if (x->ndim != 1)
    return lerror(L, "bincount: expected a 1-d tensor, got shape %s", shp(x, b1));
  Tensor *w = NULL;
  lua_Integer minlength = 0;
  if (!lua_isnoneornil(L, 2)) {
    lua_getfield(L, 2, "minlength");
    if (!lua_isnil(L, -1)) minlength = int_arg(L, -1, "bincount", "minlength");
    lua_getfield(L, 2, "weights");
    if (!lua_isnil(L, -1)) {
      w = arg_tensor(L, lua_gettop(L));
      if (w->ndim != 1 || w->shape[0] != x->shape[0])
        return lerror(L, "bincount: weights of shape %s do not match x of shape %s",
                      shp(w, b1), shp(x, b2));
    }
  }
  if (minlength < 0)
    return lerror(L, "bincount: minlength must be non-negative, got %lld", (long long)minlength);
  int64_t len = minlength;
  for (int64_t i = 0; i < x->shape[0]; i++) {
    float v = x->data[i * x->stride[0]];
    if (!(v >= 0) || v != floorf(v) || v >= 16777216.0f)
      return lerror(L, "bincount: x[%lld] = %g is not a non-negative integer "
                    "(values are counted, 0 upwards)", (long long)i + 1, v);
    if ((int64_t)v + 1 > len) len = (int64_t)v + 1;
  }
  Tensor *out = push_tensor(L, 1, &len);
  tx_bincount(x, w, out->data, len);
  return 1;
}

/* ---- grids and matrices ------------------------------------------------ */

/* meshgrid(x1, x2, ...[, {indexing = "xy" | "ij"}]) -> one tensor per
 * input; "xy" (the default) swaps the first two dimensions, as NumPy */
static int t_meshgrid(lua_State *L) {
  static const OptSpec spec[] = {{"indexing", OPT_STRING}, {NULL, 0}};
  int k = lua_gettop(L);
  int xy = 1;
  if (k > 0 && is_options(L, k)) {
    check_options(L, k, "meshgrid", spec, 0);
    lua_getfield(L, k, "indexing");
    if (!lua_isnil(L, -1)) {
      const char *s = lua_tostring(L, -1);
      if (strcmp(s, "xy") == 0) xy = 1;
      else if (strcmp(s, "ij") == 0) xy = 0;
      else return lerror(L, "meshgrid: indexing must be \"xy\" or \"ij\", got \"%s\"", s);
    }
    lua_pop(L, 1);
    k--;
  }
  if (k == 0) return lerror(L, "meshgrid: give at least one tensor");
  if (k > TENSOR_MAXDIM)
    return lerror(L, "meshgrid: at most %d inputs, got %d", TENSOR_MAXDIM, k);
  Tensor xs[TENSOR_MAXDIM];
  int64_t shape[TENSOR_MAXDIM];
  for (int i = 0; i < k; i++) {
    Tensor *x = dense(L, any_tensor(L, i + 1));
    xs[i] = *x;                                   /* as 1-d, stride 1 */
    xs[i].ndim = 1;
    xs[i].shape[0] = x->size;
    xs[i].stride[0] = 1;
  }
  for (int i = 0; i < k; i++) {
    int d = (xy && k >= 2 && i < 2) ? 1 - i : i;
    shape[d] = xs[i].size;
  }
  for (int i = 0; i < k; i++) {
    int d = (xy && k >= 2 && i < 2) ? 1 - i : i;
    Tensor *out = push_tensor_dtype(L, k, shape, xs[i].dtype);
    tx_grid(&xs[i], d, out);
  }
  return k;
}

/* diag(t[, k = 0]): a 1-d t on diagonal k of a square matrix, or the
 * diagonal k of a 2-d t; k > 0 above the main diagonal, as NumPy */
static int m_diag(lua_State *L) {
  lua_Integer k = lua_isnoneornil(L, 2) ? 0 : int_arg(L, 2, "diag", "k");
  Tensor *t = any_tensor(L, 1);
  char b1[128];
  if (t->ndim == 1) {
    int64_t n = t->shape[0], m = n + (k < 0 ? -k : k);
    Tensor *out = push_tensor_dtype(L, 2, (int64_t[]){m, m}, t->dtype);
    tx_diag_from(t, k, out);
    return 1;
  }
  if (t->ndim != 2)
    return lerror(L, "diag: expected a 1-d or 2-d tensor, got shape %s", shp(t, b1));
  int64_t r = t->shape[0], c = t->shape[1];
  int64_t len = k >= 0 ? (r < c - k ? r : c - k) : (r + k < c ? r + k : c);
  if (len < 0) len = 0;
  Tensor *out = push_tensor_dtype(L, 1, &len, t->dtype);
  tx_diag_of(t, k, len, out->data);
  return 1;
}

/* ---- tile, repeat, flip ------------------------------------------------ */

/* reps (an integer or a list of integers >= 0) into r; returns the count */
static int int_list(lua_State *L, int i, const char *fn, const char *what,
                    int64_t *r, int max) {
  if (lua_type(L, i) == LUA_TNUMBER) {
    r[0] = int_arg(L, i, fn, what);
    if (r[0] < 0) lerror(L, "%s: %s must be non-negative, got %lld", fn, what, (long long)r[0]);
    return 1;
  }
  if (lua_type(L, i) != LUA_TTABLE)
    lerror(L, "%s: %s must be an integer or a list of integers, got %s", fn, what,
           luaL_typename(L, i));
  int n = (int)lua_rawlen(L, i);
  if (n > max) lerror(L, "%s: at most %d %s, got %d", fn, max, what, n);
  for (int j = 0; j < n; j++) {
    lua_rawgeti(L, i, j + 1);
    r[j] = int_arg(L, -1, fn, what);
    lua_pop(L, 1);
    if (r[j] < 0) lerror(L, "%s: %s must be non-negative, got %lld", fn, what, (long long)r[j]);
  }
  return n;
}

/* tile(t, reps): np.tile */
static int m_tile(lua_State *L) {
  int64_t reps[TENSOR_MAXDIM], r[TENSOR_MAXDIM];
  Tensor *t = check_tensor_any(L, 1);
  int nr = int_list(L, 2, "tile", "reps", r, TENSOR_MAXDIM);
  int nd = nr > t->ndim ? nr : t->ndim;
  int64_t shape[TENSOR_MAXDIM];
  for (int d = 0; d < nd; d++) {
    reps[d] = d < nd - nr ? 1 : r[d - (nd - nr)];
    int64_t n = d < nd - t->ndim ? 1 : t->shape[d - (nd - t->ndim)];
    if (n > 0 && reps[d] > INT64_MAX / n)
      lerror(L, "tile: axis %d would have %lld x %lld entries: too large", d + 1,
             (long long)n, (long long)reps[d]);
    shape[d] = n * reps[d];
  }
  Tensor *out = push_tensor_dtype(L, nd, shape, t->dtype);
  tx_tile(t, nd, reps, out);
  return 1;
}

/* repeat(t, repeats[, axis]): np.repeat; without an axis over the
 * flattened t; repeats an integer or one count per position */
static int m_repeat(lua_State *L) {
  const char *fn = "repeat";
  lua_Integer a = 0;
  int has_axis = opt_axis(L, 3, fn, &a);
  Tensor *t = check_tensor_any(L, 1);
  Tensor src = *t;
  int axis = 0;
  if (has_axis) axis = axis_of(L, fn, a, t->ndim);
  else {
    Tensor *d = dense(L, t);
    src = *d;
    src.ndim = 1;
    src.shape[0] = d->size;
    src.stride[0] = 1;
  }
  int64_t n = src.shape[axis];
  int64_t *counts = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *counts, 0);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer c = int_arg(L, 2, fn, "repeats");
    if (c < 0) return lerror(L, "repeat: repeats must be non-negative, got %lld", (long long)c);
    for (int64_t j = 0; j < n; j++) counts[j] = c;
  } else {
    /* counts of either dtype: integers below 2^24 are exact in float32 */
    Tensor *r = (lua_type(L, 2) == LUA_TTABLE || test_tensor_any(L, 2))
                ? to_tensor_as(L, 2, TENSOR_F32) : NULL;
    if (!r)
      return lerror(L, "repeat: repeats must be an integer or a list of counts, got %s",
                    luaL_typename(L, 2));
    if (r->size != n && r->size != 1)
      return lerror(L, "repeat: %lld counts for %lld positions along axis %d",
                    (long long)r->size, (long long)n, axis + 1);
    Tensor *rc = dense(L, r);
    for (int64_t j = 0; j < n; j++) {
      float c = rc->data[r->size == 1 ? 0 : j];
      if (!(c >= 0) || c != floorf(c))
        return lerror(L, "repeat: count %lld (%g) is not a non-negative integer",
                      (long long)j + 1, c);
      if (c >= 9223372036854775807.0f)     /* 2^63: past int64 */
        return lerror(L, "repeat: count %lld (%g) is too large", (long long)j + 1, c);
      counts[j] = (int64_t)c;
    }
  }
  int64_t shape[TENSOR_MAXDIM], total = 0;
  for (int64_t j = 0; j < n; j++) {
    if (counts[j] > INT64_MAX - total)
      return lerror(L, "repeat: the counts add up to more than %lld: too large",
                    (long long)INT64_MAX);
    total += counts[j];
  }
  memcpy(shape, src.shape, sizeof shape);
  shape[axis] = total;
  Tensor *out = push_tensor_dtype(L, src.ndim, shape, t->dtype);
  tx_repeat(&src, axis, counts, out);
  return 1;
}

/* flip(t[, axis | {axes}]): reversed along the axes (all when none) */
static int m_flip(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int flip[TENSOR_MAXDIM] = {0};
  lua_Integer a;
  if (lua_isnoneornil(L, 2) || (is_options(L, 2) && !opt_axis(L, 2, "flip", &a))) {
    for (int d = 0; d < t->ndim; d++) flip[d] = 1;
  } else if (is_options(L, 2)) {
    flip[axis_of(L, "flip", a, t->ndim)] = 1;
  } else if (lua_type(L, 2) == LUA_TTABLE) {
    int n = (int)lua_rawlen(L, 2);
    for (int j = 1; j <= n; j++) {
      lua_rawgeti(L, 2, j);
      int d = axis_of(L, "flip", int_arg(L, -1, "flip", "axis"), t->ndim);
      lua_pop(L, 1);
      if (flip[d]++) return lerror(L, "flip: axis %d repeated", d + 1);
    }
  } else {
    flip[axis_of(L, "flip", int_arg(L, 2, "flip", "axis"), t->ndim)] = 1;
  }
  Tensor *out = push_tensor_dtype(L, t->ndim, t->shape, t->dtype);
  tx_flip(t, flip, out);
  return 1;
}

/* ---- sampling ---------------------------------------------------------- */

#define EXACT_INT 16777216.0     /* float32 holds every integer up to 2^24 */

/* randint(low, high[, shape]): integers in [low, high); without a shape
 * one Lua integer */
static int t_randint(lua_State *L) {
  lua_Integer lo = int_arg(L, 1, "randint", "low");
  lua_Integer hi = int_arg(L, 2, "randint", "high");
  if (hi <= lo)
    return lerror(L, "randint: low %lld must be below high %lld (the range is "
                  "[low, high))", (long long)lo, (long long)hi);
  if (lua_isnoneornil(L, 3)) {
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + tx_rand_below((uint64_t)hi - (uint64_t)lo)));
    return 1;
  }
  if ((double)lo < -EXACT_INT || (double)hi > EXACT_INT + 1)
    return lerror(L, "randint: bounds %lld, %lld outside -2^24..2^24, which float32 "
                  "tensors hold exactly", (long long)lo, (long long)hi);
  int64_t shape[TENSOR_MAXDIM];
  int nd = check_shape(L, 3, shape, 0);
  Tensor *out = push_tensor(L, nd, shape);
  tx_randint(out->data, out->size, lo, hi);
  return 1;
}

/* choice(a[, size][, {replace = true, p}]): a an integer n (values
 * 0..n-1) or a 1-d tensor or list to draw from; size a count or a shape;
 * without a size one number */
static int t_choice(lua_State *L) {
  static const OptSpec spec[] = {{"replace", OPT_BOOLEAN},
                                 {"p", OPT_TABLE | OPT_USERDATA}, {NULL, 0}};
  char b1[128], b2[128], err[TENSOR_ERRLEN];
  int opt = 0, has_size = 0;
  if (is_options(L, 2)) opt = 2;
  else {
    has_size = !lua_isnoneornil(L, 2);
    if (!lua_isnoneornil(L, 3)) opt = 3;
  }
  if (opt) check_options(L, opt, "choice", spec, 0);
  int replace = opt ? opt_bool(L, opt, "replace", 1) : 1;
  int64_t shape[TENSOR_MAXDIM];
  int nd = 0;
  if (has_size) {
    if (lua_type(L, 2) == LUA_TNUMBER) {
      shape[0] = int_arg(L, 2, "choice", "size");
      if (shape[0] < 0)
        return lerror(L, "choice: size must be non-negative, got %lld", (long long)shape[0]);
      nd = 1;
    } else if (lua_type(L, 2) == LUA_TTABLE) {
      lua_pushvalue(L, 2);
      nd = check_shape(L, lua_gettop(L), shape, 0);
      lua_pop(L, 1);
    } else {
      return lerror(L, "choice: size must be an integer or a shape, got %s", luaL_typename(L, 2));
    }
  }
  Tensor *pop = NULL;
  int64_t m;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    m = int_arg(L, 1, "choice", "a");
    if (m <= 0) return lerror(L, "choice: a must be positive, got %lld", (long long)m);
    if ((double)m > EXACT_INT)
      return lerror(L, "choice: a = %lld is above 2^24, which float32 holds exactly", (long long)m);
  } else {
    pop = arg_tensor(L, 1);
    if (pop->ndim != 1)
      return lerror(L, "choice: a must be 1-d, got shape %s", shp(pop, b1));
    m = pop->shape[0];
    if (m == 0) return lerror(L, "choice: a is empty");
  }
  Tensor *p = NULL;
  int64_t positive = m;
  if (opt) {
    lua_getfield(L, opt, "p");
    if (!lua_isnil(L, -1)) {
      p = dense(L, arg_tensor(L, lua_gettop(L)));
      if (p->ndim != 1 || p->shape[0] != m)
        return lerror(L, "choice: p of shape %s does not match %lld choices",
                      shp(p, b2), (long long)m);
      double s = 0;
      positive = 0;
      for (int64_t j = 0; j < m; j++) {
        float v = p->data[j];
        if (!(v >= 0) || isinf(v))
          return lerror(L, "choice: p[%lld] = %g is not a probability", (long long)j + 1, v);
        s += v;
        positive += v > 0;
      }
      if (fabs(s - 1) > 1e-6) return lerror(L, "choice: p sums to %.9g, not 1", s);
    }
  }
  Tensor probe;
  if (tensor_init(&probe, NULL, nd, shape, err)) return lerror(L, "choice: %s", err);
  int64_t n = has_size ? probe.size : 1;
  if (!replace && n > positive)
    return lerror(L, "choice: cannot take %lld samples without replacement from %lld%s",
                  (long long)n, (long long)positive, p ? " with non-zero p" : "");
  int64_t *pos = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *pos, 0);
  if (tx_choice(pos, n, m, p ? p->data : NULL, replace, err))
    return lerror(L, "choice: %s", err);
  if (!has_size) {
    if (pop) lua_pushnumber(L, pop->data[pos[0] * pop->stride[0]]);
    else lua_pushinteger(L, pos[0]);
    return 1;
  }
  Tensor *out = push_tensor(L, nd, shape);
  for (int64_t i = 0; i < n; i++)
    out->data[i] = pop ? pop->data[pos[i] * pop->stride[0]] : (float)pos[i];
  return 1;
}

/* ---- registration ------------------------------------------------------ */

/* functions in both tables (module and method) */
static const luaL_Reg both[] = {
  {"sin", m_sin}, {"cos", m_cos}, {"tan", m_tan}, {"sign", m_sign},
  {"floor", m_floor}, {"ceil", m_ceil}, {"trunc", m_trunc}, {"round", m_round},
  {"std", m_std}, {"var", m_var}, {"median", m_median},
  {"cumsum", m_cumsum}, {"cumprod", m_cumprod},
  {"sort", m_sort}, {"argsort", m_argsort},
  {"masked", m_masked}, {"masked_set", m_masked_set},
  {"dot", m_dot}, {"outer", m_outer},
  {"unique", m_unique}, {"bincount", m_bincount}, {"diag", m_diag},
  {"tile", m_tile}, {"repeat", m_repeat}, {"repeat_interleave", m_repeat},
  {"flip", m_flip}, {"split", t_split}, {"nonzero", t_nonzero},
  {NULL, NULL}
};

/* module functions only */
static const luaL_Reg module_only[] = {
  {"linspace", t_linspace}, {"logspace", t_logspace}, {"pow", t_pow},
  {"concat", t_concat}, {"concatenate", t_concat}, {"stack", t_stack},
  {"where", t_where}, {"meshgrid", t_meshgrid},
  {"randint", t_randint}, {"choice", t_choice},
  {NULL, NULL}
};

static void add_missing(lua_State *L, int table, const luaL_Reg *r) {
  for (; r->name; r++) {
    if (lua_getfield(L, table, r->name) == LUA_TNIL) {
      lua_pushcfunction(L, r->func);
      lua_setfield(L, table, r->name);
    }
    lua_pop(L, 1);
  }
}

void ltensor_ext_open(lua_State *L, int module, int methods) {
  module = lua_absindex(L, module);
  methods = lua_absindex(L, methods);
  add_missing(L, module, both);
  add_missing(L, module, module_only);
  add_missing(L, methods, both);
}
