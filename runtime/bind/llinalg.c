/* llinalg.c - the `linalg` Lua module: numpy.linalg's functions on
 * tensors, computed in double precision by runtime/linalg/ (LAPACK) and
 * returned as tensors of the input's dtype: float64 in, float64 out (no
 * precision lost), float32 in, float32 out; float64 when either of two
 * inputs is (numbers for det, norm, matrix_rank).
 *
 * Every input is checked before anything is allocated: a tensor of the
 * right rank and shape with finite values; a singular or non-square
 * matrix is an error at the script's line, never NaNs returned. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "linalg/linalg.h"

/* ---- arguments ----------------------------------------------------------- */

typedef struct { int m, n, vector, dtype; } Dims;

static void shape_str(const Tensor *t, char *buf, size_t n) {
  tensor_shape_str(t, buf, n);
}

/* A 2-D tensor (or 1-D when allow_vector: then m = size, n = 1). */
static Tensor *check_matrix(lua_State *L, int i, const char *fn,
                            const char *what, int allow_vector, Dims *d) {
  if (lua_isnoneornil(L, i))
    lerror(L, "%s: missing %s (a tensor or a nested table)", fn, what);
  if (!test_tensor_any(L, i)) {    /* a nested table: convert in place */
    to_tensor(L, i);
    lua_replace(L, i);
  }
  Tensor *t = check_tensor_any(L, i);
  d->dtype = t->dtype;
  char buf[96];
  if (t->ndim == 2) {
    d->m = (int)t->shape[0]; d->n = (int)t->shape[1]; d->vector = 0;
  } else if (t->ndim == 1 && allow_vector) {
    d->m = (int)t->shape[0]; d->n = 1; d->vector = 1;
  } else {
    shape_str(t, buf, sizeof buf);
    lerror(L, "%s: %s must be a %s, got shape %s", fn, what,
           allow_vector ? "matrix (2-D) or a vector (1-D)" : "matrix (2-D tensor)", buf);
  }
  if (t->shape[0] > 1 << 20 || (t->ndim == 2 && t->shape[1] > 1 << 20))
    lerror(L, "%s: %s is too large for LAPACK's int sizes", fn, what);
  return t;
}

static void check_square(lua_State *L, const Tensor *t, const char *fn) {
  if (t->shape[0] != t->shape[1]) {
    char buf[96];
    shape_str(t, buf, sizeof buf);
    lerror(L, "%s: expected a square matrix, got shape %s", fn, buf);
  }
}

/* A full userdata of n doubles owned by the Lua stack (freed by the GC,
 * so an error later leaks nothing). */
static double *push_doubles(lua_State *L, size_t n) {
  return lua_newuserdatauv(L, (n ? n : 1) * sizeof(double), 0);
}

/* The tensor's values as doubles (pushed), after a finite check. */
static double *to_doubles(lua_State *L, const Tensor *t, const char *fn,
                          const char *what) {
  size_t n = (size_t)t->size;
  double *d;
  if (t->dtype == TENSOR_F64) {
    d = push_doubles(L, n);
    tensor_gather(t, d);
  } else {
    float *tmp = lua_newuserdatauv(L, (n ? n : 1) * sizeof(float), 0);
    tensor_gather(t, tmp);
    d = push_doubles(L, n);
    for (size_t i = 0; i < n; i++) d[i] = tmp[i];
    lua_remove(L, -2);
  }
  for (size_t i = 0; i < n; i++)
    if (!isfinite(d[i]))
      lerror(L, "%s: %s contains NaN or infinity (at flat position %zu)", fn,
             what, i + 1);
  return d;
}

/* The one argument of a square-matrix function (inv, det, eigh, eig,
 * cholesky): checked, as doubles (pushed); *n receives its size. */
static double *square_arg(lua_State *L, const char *fn, int *n, int *dtype) {
  lua_settop(L, 1);   /* the argument keeps its slot below the work space */
  Dims d;
  Tensor *a = check_matrix(L, 1, fn, "the matrix", 0, &d);
  check_square(L, a, fn);
  *n = d.n;
  *dtype = d.dtype;
  return to_doubles(L, a, fn, "the matrix");
}

/* Push a tensor of dtype with the given shape from doubles. */
static void push_result(lua_State *L, int dtype, const double *v, int ndim,
                        int64_t d0, int64_t d1) {
  int64_t shape[2] = {d0, d1};
  Tensor *t = push_tensor_dtype(L, ndim, shape, dtype);
  if (dtype == TENSOR_F64) {
    if (t->size) memcpy(t->f64, v, (size_t)t->size * sizeof(double));
  } else {
    for (int64_t i = 0; i < t->size; i++) t->data[i] = (float)v[i];
  }
}

static void fail(lua_State *L, const char *err) { lerror(L, "%s", err); }

/* ---- functions ----------------------------------------------------------- */

static int l_inv(lua_State *L) {
  int n, dt;
  double *x = square_arg(L, "inv", &n, &dt);
  double *out = push_doubles(L, (size_t)n * n);
  char err[LINALG_ERRLEN];
  if (linalg_inv(x, n, out, err)) fail(L, err);
  push_result(L, dt, out, 2, n, n);
  return 1;
}

static int l_solve(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their slots below the work space */
  Dims da, db;
  Tensor *a = check_matrix(L, 1, "solve", "a", 0, &da);
  check_square(L, a, "solve");
  Tensor *b = check_matrix(L, 2, "solve", "b", 1, &db);
  if (db.m != da.m) {
    char sa[96], sb[96];
    shape_str(a, sa, sizeof sa);
    shape_str(b, sb, sizeof sb);
    lerror(L, "solve: a %s and b %s do not match (b needs %d rows)", sa, sb, da.m);
  }
  int dt = da.dtype == TENSOR_F64 || db.dtype == TENSOR_F64 ? TENSOR_F64 : TENSOR_F32;
  double *x = to_doubles(L, a, "solve", "a");
  double *y = to_doubles(L, b, "solve", "b");
  double *out = push_doubles(L, (size_t)db.m * db.n);
  char err[LINALG_ERRLEN];
  if (linalg_solve(x, da.n, y, db.n, out, err)) fail(L, err);
  push_result(L, dt, out, db.vector ? 1 : 2, db.m, db.n);
  return 1;
}

static int l_det(lua_State *L) {
  int n, dt;
  double *x = square_arg(L, "det", &n, &dt);
  double det;
  char err[LINALG_ERRLEN];
  (void)dt;
  if (linalg_det(x, n, &det, err)) fail(L, err);
  lua_pushnumber(L, det);
  return 1;
}

static double opt_number(lua_State *L, int i, const char *key, double dflt,
                         int allow_nil_value) {
  if (!lua_istable(L, i)) return dflt;
  lua_getfield(L, i, key);
  double v = lua_isnil(L, -1) ? dflt : lua_tonumber(L, -1);
  lua_pop(L, 1);
  (void)allow_nil_value;
  return v;
}

static int opt_bool(lua_State *L, int i, const char *key, int dflt) {
  if (!lua_istable(L, i)) return dflt;
  lua_getfield(L, i, key);
  int v = lua_isnil(L, -1) ? dflt : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* lstsq(a, b [, {rcond}]) -> x, residuals, rank, s (numpy's order) */
static int l_lstsq(lua_State *L) {
  lua_settop(L, 3);   /* arguments keep their slots below the work space */
  static const OptSpec spec[] = {{"rcond", OPT_NUMBER}, {NULL, 0}};
  check_options(L, 3, "lstsq", spec, 0);
  Dims da, db;
  Tensor *a = check_matrix(L, 1, "lstsq", "a", 0, &da);
  Tensor *b = check_matrix(L, 2, "lstsq", "b", 1, &db);
  if (db.m != da.m) {
    char sa[96], sb[96];
    shape_str(a, sa, sizeof sa);
    shape_str(b, sb, sizeof sb);
    lerror(L, "lstsq: a %s and b %s have different numbers of rows", sa, sb);
  }
  double rcond = opt_number(L, 3, "rcond", -1, 0);
  int dt = da.dtype == TENSOR_F64 || db.dtype == TENSOR_F64 ? TENSOR_F64 : TENSOR_F32;
  double *x = to_doubles(L, a, "lstsq", "a");
  double *y = to_doubles(L, b, "lstsq", "b");
  int kk = da.m < da.n ? da.m : da.n;
  double *sol = push_doubles(L, (size_t)da.n * db.n);
  double *s = push_doubles(L, (size_t)kk);
  double *res = push_doubles(L, (size_t)db.n);
  int rank = 0, has_resid = 0;
  char err[LINALG_ERRLEN];
  memset(sol, 0, (size_t)da.n * db.n * sizeof *sol);
  if (linalg_lstsq(x, da.m, da.n, y, db.n, rcond, sol, s, &rank, res,
                   &has_resid, err))
    fail(L, err);
  push_result(L, dt, sol, db.vector ? 1 : 2, da.n, db.n);
  push_result(L, dt, res, 1, has_resid ? db.n : 0, 0);
  lua_pushinteger(L, rank);
  push_result(L, dt, s, 1, kk, 0);
  return 4;
}

/* svd(a [, {full_matrices = true, compute_uv = true}]) -> U, S, Vt | S */
static int l_svd(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their slots below the work space */
  static const OptSpec spec[] = {{"full_matrices", OPT_BOOLEAN},
                                 {"compute_uv", OPT_BOOLEAN}, {NULL, 0}};
  check_options(L, 2, "svd", spec, 0);
  Dims d;
  Tensor *a = check_matrix(L, 1, "svd", "the matrix", 0, &d);
  int full = opt_bool(L, 2, "full_matrices", 1);
  int uv = opt_bool(L, 2, "compute_uv", 1);
  int dt = d.dtype;
  double *x = to_doubles(L, a, "svd", "the matrix");
  int kk = d.m < d.n ? d.m : d.n;
  int ucols = full ? d.m : kk, vrows = full ? d.n : kk;
  double *s = push_doubles(L, (size_t)kk);
  double *u = uv ? push_doubles(L, (size_t)d.m * ucols) : NULL;
  double *vt = uv ? push_doubles(L, (size_t)vrows * d.n) : NULL;
  char err[LINALG_ERRLEN];
  if (kk == 0 && uv) {   /* numpy: identity U and Vt for an empty matrix */
    memset(u, 0, (size_t)d.m * ucols * sizeof *u);
    memset(vt, 0, (size_t)vrows * d.n * sizeof *vt);
    for (int i = 0; i < ucols && i < d.m; i++) u[(size_t)i * ucols + i] = 1;
    for (int i = 0; i < vrows && i < d.n; i++) vt[(size_t)i * d.n + i] = 1;
  } else if (linalg_svd(x, d.m, d.n, full, u, s, vt, err)) {
    fail(L, err);
  }
  if (!uv) { push_result(L, dt, s, 1, kk, 0); return 1; }
  push_result(L, dt, u, 2, d.m, ucols);
  push_result(L, dt, s, 1, kk, 0);
  push_result(L, dt, vt, 2, vrows, d.n);
  return 3;
}

static int eigh_common(lua_State *L, int vectors) {
  int n, dt;
  double *x = square_arg(L, vectors ? "eigh" : "eigvalsh", &n, &dt);
  double *w = push_doubles(L, (size_t)n);
  double *v = vectors ? push_doubles(L, (size_t)n * n) : NULL;
  char err[LINALG_ERRLEN];
  if (linalg_eigh(x, n, w, v, err)) fail(L, err);
  push_result(L, dt, w, 1, n, 0);
  if (!vectors) return 1;
  push_result(L, dt, v, 2, n, n);
  return 2;
}
static int l_eigh(lua_State *L) { return eigh_common(L, 1); }
static int l_eigvalsh(lua_State *L) { return eigh_common(L, 0); }

/* eig(a) -> w (real parts), V (columns), wi (imaginary parts: zeros when
 * every eigenvalue is real; for a pair wr +- i wi, columns j and j + 1 of
 * V hold the real and imaginary parts of the first vector, as LAPACK
 * stores them). */
static int l_eig(lua_State *L) {
  int n, dt;
  double *x = square_arg(L, "eig", &n, &dt);
  double *wr = push_doubles(L, (size_t)n);
  double *wi = push_doubles(L, (size_t)n);
  double *v = push_doubles(L, (size_t)n * n);
  char err[LINALG_ERRLEN];
  if (linalg_eig(x, n, wr, wi, v, err)) fail(L, err);
  push_result(L, dt, wr, 1, n, 0);
  push_result(L, dt, v, 2, n, n);
  push_result(L, dt, wi, 1, n, 0);
  return 3;
}

static int l_qr(lua_State *L) {
  lua_settop(L, 1);   /* arguments keep their slots below the work space */
  Dims d;
  Tensor *a = check_matrix(L, 1, "qr", "the matrix", 0, &d);
  int dt = d.dtype;
  double *x = to_doubles(L, a, "qr", "the matrix");
  int kk = d.m < d.n ? d.m : d.n;
  double *q = push_doubles(L, (size_t)d.m * kk);
  double *r = push_doubles(L, (size_t)kk * d.n);
  char err[LINALG_ERRLEN];
  if (linalg_qr(x, d.m, d.n, q, r, err)) fail(L, err);
  push_result(L, dt, q, 2, d.m, kk);
  push_result(L, dt, r, 2, kk, d.n);
  return 2;
}

static int l_cholesky(lua_State *L) {
  int n, dt;
  double *x = square_arg(L, "cholesky", &n, &dt);
  double *l = push_doubles(L, (size_t)n * n);
  char err[LINALG_ERRLEN];
  if (linalg_cholesky(x, n, l, err)) fail(L, err);
  push_result(L, dt, l, 2, n, n);
  return 1;
}

static int l_pinv(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their slots below the work space */
  static const OptSpec spec[] = {{"rcond", OPT_NUMBER}, {NULL, 0}};
  check_options(L, 2, "pinv", spec, 0);
  Dims d;
  Tensor *a = check_matrix(L, 1, "pinv", "the matrix", 0, &d);
  double rcond = opt_number(L, 2, "rcond", 1e-15, 0);
  int dt = d.dtype;
  double *x = to_doubles(L, a, "pinv", "the matrix");
  double *p = push_doubles(L, (size_t)d.n * d.m);
  char err[LINALG_ERRLEN];
  if (linalg_pinv(x, d.m, d.n, rcond, p, err)) fail(L, err);
  push_result(L, dt, p, 2, d.n, d.m);
  return 1;
}

static int l_matrix_rank(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their slots below the work space */
  static const OptSpec spec[] = {{"tol", OPT_NUMBER}, {NULL, 0}};
  check_options(L, 2, "matrix_rank", spec, 0);
  Dims d;
  Tensor *a = check_matrix(L, 1, "matrix_rank", "the matrix", 1, &d);
  double *x = to_doubles(L, a, "matrix_rank", "the matrix");
  if (d.vector) {   /* numpy: 1 unless every value is zero */
    int any = 0;
    for (int i = 0; i < d.m; i++) any |= x[i] != 0;
    lua_pushinteger(L, any);
    return 1;
  }
  double tol = opt_number(L, 2, "tol", -1, 0);
  int rank;
  char err[LINALG_ERRLEN];
  if (linalg_matrix_rank(x, d.m, d.n, tol, &rank, err)) fail(L, err);
  lua_pushinteger(L, rank);
  return 1;
}

/* norm(x [, ord]): vectors: 2 by default, any number, math.huge or "inf",
 * -math.huge or "-inf", 0; matrices: "fro" by default, "nuc", 1, -1, 2,
 * -2, math.huge/"inf", -math.huge/"-inf". */
static int l_norm(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their slots below the work space */
  Dims d;
  Tensor *a = check_matrix(L, 1, "norm", "x", 1, &d);
  double *x = to_doubles(L, a, "norm", "x");
  int t = lua_type(L, 2);
  if (t != LUA_TNONE && t != LUA_TNIL && t != LUA_TNUMBER && t != LUA_TSTRING)
    lerror(L, "norm: ord must be a number or a string, got %s", luaL_typename(L, 2));
  if (d.vector) {
    double p = 2;
    if (t == LUA_TNUMBER) p = lua_tonumber(L, 2);
    else if (t == LUA_TSTRING) {
      const char *s = lua_tostring(L, 2);
      if (!strcmp(s, "inf")) p = HUGE_VAL;
      else if (!strcmp(s, "-inf")) p = -HUGE_VAL;
      else lerror(L, "norm: unknown vector norm '%s' (a number, 'inf' or '-inf')", s);
    }
    if (isnan(p)) lerror(L, "norm: ord is NaN");
    lua_pushnumber(L, linalg_vector_norm(x, (size_t)d.m, p));
    return 1;
  }
  char ord[16] = "fro";
  if (t == LUA_TSTRING) {
    snprintf(ord, sizeof ord, "%s", lua_tostring(L, 2));
  } else if (t == LUA_TNUMBER) {
    double p = lua_tonumber(L, 2);
    if (p == HUGE_VAL) strcpy(ord, "inf");
    else if (p == -HUGE_VAL) strcpy(ord, "-inf");
    else if (p == 1 || p == -1 || p == 2 || p == -2) snprintf(ord, sizeof ord, "%d", (int)p);
    else lerror(L, "norm: unknown matrix norm %g (fro, nuc, 1, -1, 2, -2, inf, -inf)", p);
  }
  double v;
  char err[LINALG_ERRLEN];
  if (linalg_matrix_norm(x, d.m, d.n, ord, &v, err)) fail(L, err);
  lua_pushnumber(L, v);
  return 1;
}

int luaopen_linalg(lua_State *L) {
  static const luaL_Reg f[] = {
    {"inv", l_inv}, {"solve", l_solve}, {"det", l_det}, {"lstsq", l_lstsq},
    {"svd", l_svd}, {"eigh", l_eigh}, {"eigvalsh", l_eigvalsh},
    {"eig", l_eig}, {"qr", l_qr}, {"cholesky", l_cholesky},
    {"pinv", l_pinv}, {"matrix_rank", l_matrix_rank}, {"norm", l_norm},
    {NULL, NULL}};
  luaL_newlib(L, f);
  return 1;
}
