/* lml.c - the classic-ML kernel module, `ml.core` under runtime/lua/ml.lua:
 * libsvm and liblinear models as Lua userdata, statistics, NMS.
 *
 *   m = svm_train(X, y, opts)      opts: kernel ("linear" | "poly" |
 *       "rbf" | "sigmoid"), C, gamma, degree, coef0, tol, cache_size,
 *       shrinking, probability, seed
 *   m = linear_train(X, y, opts)   opts: solver (a liblinear solver
 *       name), C, tol, bias (< 0: no intercept), seed
 *   m, kind = load(path)           kind: "svc" or "linear"
 *   m:predict(X)       (N) labels
 *   m:decision(X [, "ovo"])  (N) for two classes, positive for the
 *       larger label; else (N, K) one-vs-rest scores, or the raw
 *       (N, K(K-1)/2) pair values with "ovo" (SVC only)
 *   m:proba(X)         (N, K) probabilities (SVC fitted with them)
 *   m:info()           {kind, classes, n_features, n_support, ...}
 *   m:support()        SVs (nSV, D) and their 1-based training rows
 *                      (nil for a loaded model)
 *   m:coef()           coef (R, D), intercept (R) (linear)
 *   m:save(path)
 *   mean, var = stats(X)            over all elements (numbers)
 *   mean, var = col_stats(X)        per column of (N, D), (D) tensors
 *   keep = nms(boxes, scores, iou)  boxes (N, 4), 1-based positions
 *
 * X is (N, D) float; labels are integer class ids, a tensor or a table.
 * Everything is checked before anything is allocated outside the Lua
 * heap. Errors name the caller's line; ml.lua moves them to the user's
 * script line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "ml/mlutil.h"
#include "ml/svm_glue.h"

#define SVM_MT "workbook.ml.svc"
#define LIN_MT "workbook.ml.linear"
#define LL(x) ((long long)(x))

typedef struct { SvmModel *m; } LSvm;
typedef struct { LinModel *m; } LLin;

/* ---- arguments -------------------------------------------------------- */

static const char *shape_of(lua_State *L, const Tensor *t) {
  char b[160];
  return lua_pushstring(L, tensor_shape_str(t, b, sizeof b));
}

/* X at index i as contiguous (N, D) floats, all finite; a contiguous
 * copy replaces a strided view at i. */
static const float *check_x(lua_State *L, int i, int64_t *n, int64_t *d) {
  Tensor *t = test_tensor(L, i);
  if (!t)
    lerror(L, "X must be a tensor (samples, features), got a %s",
           luaL_typename(L, i));
  if (t->ndim != 2)
    lerror(L, "X must be 2-D (samples, features), got shape %s%s",
           shape_of(L, t), t->ndim > 2 ? "; flatten it with "
           "X:reshape(N, -1)" : "");
  if (t->shape[0] < 1 || t->shape[1] < 1)
    lerror(L, "X is empty, shape %s", shape_of(L, t));
  int pushed;
  t = contiguous_tensor(L, i, &pushed);
  if (pushed) lua_replace(L, i);
  int64_t bad = ml_find_nonfinite(t->data, t->size);
  if (bad >= 0) {
    float v = t->data[bad];
    lerror(L, "X row %lld, column %lld is %s; features must be finite "
           "numbers", LL(bad / t->shape[1] + 1), LL(bad % t->shape[1] + 1),
           isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
  }
  *n = t->shape[0];
  *d = t->shape[1];
  return t->data;
}

static const float *check_x_for(lua_State *L, int i, int d, int64_t *n) {
  int64_t dd;
  const float *x = check_x(L, i, n, &dd);
  if (dd != d)
    lerror(L, "X has %lld features, the model was fitted on %d", LL(dd), d);
  return x;
}

static double label_at(lua_State *L, int i, const Tensor *t, int64_t k) {
  if (t) return t->data[k * t->stride[0]];
  lua_geti(L, i, k + 1);
  if (lua_type(L, -1) != LUA_TNUMBER)
    lerror(L, "label %lld is a %s, expected a class id (a number)",
           LL(k + 1), luaL_typename(L, -1));
  double v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

/* The n labels at index i (a tensor or a table) as ints, in a userdata
 * left on the stack. */
static int *check_y(lua_State *L, int i, int64_t n) {
  Tensor *t = test_tensor(L, i);
  int64_t m;
  if (t) {
    if (t->ndim != 1 && !(t->ndim == 2 && t->shape[1] == 1))
      lerror(L, "y must be 1-D (samples), got shape %s", shape_of(L, t));
    m = t->shape[0];
  } else if (lua_istable(L, i)) {
    m = (int64_t)luaL_len(L, i);
  } else {
    lerror(L, "y must be a tensor or a table of labels, got a %s",
           luaL_typename(L, i));
    return NULL;
  }
  if (m != n) lerror(L, "X has %lld rows but y has %lld labels", LL(n), LL(m));
  int *y = lua_newuserdatauv(L, (size_t)n * sizeof *y, 0);
  for (int64_t k = 0; k < n; k++) {
    double v = label_at(L, i, t, k);
    if (v != floor(v) || fabs(v) > 2147483647.0)
      lerror(L, "label %g (sample %lld) is not an integer class id", v,
             LL(k + 1));
    y[k] = (int)v;
  }
  return y;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* At least two classes, at most SVMG_MAX_CLASSES. */
static void check_classes(lua_State *L, const int *y, int64_t n) {
  int *s = lua_newuserdatauv(L, (size_t)n * sizeof *s, 0);
  memcpy(s, y, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_int);
  int64_t k = 1;
  for (int64_t i = 1; i < n; i++) k += s[i] != s[i - 1];
  if (k < 2)
    lerror(L, "y holds one class only (label %d); a classifier needs at "
           "least two", s[0]);
  if (k > SVMG_MAX_CLASSES)
    lerror(L, "y holds %lld classes, at most %d are supported", LL(k),
           SVMG_MAX_CLASSES);
  lua_pop(L, 1);
}

static double opt_num(lua_State *L, int i, const char *k, double def) {
  lua_getfield(L, i, k);
  double v = def;
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TNUMBER)
      lerror(L, "option %s must be a number, got a %s", k,
             luaL_typename(L, -1));
    v = lua_tonumber(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

static double opt_pos(lua_State *L, int i, const char *k, double def) {
  double v = opt_num(L, i, k, def);
  if (!(v > 0) || !isfinite(v))
    lerror(L, "option %s must be a positive number, got %g", k, v);
  return v;
}

static int opt_choice(lua_State *L, int i, const char *k, const char *def,
                      const char *const names[]) {
  lua_getfield(L, i, k);
  const char *s = lua_isnil(L, -1) ? def : lua_tostring(L, -1);
  for (int c = 0; s && names[c]; c++)
    if (names[c][0] && strcmp(s, names[c]) == 0) {
      lua_pop(L, 1);
      return c;
    }
  return lerror(L, "option %s: unknown value '%s'", k,
                s ? s : luaL_typename(L, -1));
}

/* ---- libsvm models --------------------------------------------------- */

static LSvm *new_svm(lua_State *L) {
  LSvm *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->m = NULL;
  luaL_setmetatable(L, SVM_MT);
  return u;
}

static SvmModel *check_svm(lua_State *L) {
  LSvm *u = luaL_checkudata(L, 1, SVM_MT);
  if (!u->m) lerror(L, "the model is not fitted");
  return u->m;
}

static const char *const kernel_names[] = {"linear", "poly", "rbf",
                                           "sigmoid", NULL};

static const OptSpec svm_spec[] = {
  {"kernel", OPT_STRING}, {"degree", OPT_NUMBER}, {"gamma", OPT_NUMBER},
  {"coef0", OPT_NUMBER}, {"C", OPT_NUMBER}, {"tol", OPT_NUMBER},
  {"cache_size", OPT_NUMBER}, {"probability", OPT_BOOLEAN},
  {"shrinking", OPT_BOOLEAN}, {"seed", OPT_INTEGER}, {NULL, 0}};

static void svm_params(lua_State *L, int i, SvmParams *p) {
  luaL_checktype(L, i, LUA_TTABLE);
  check_options(L, i, "ml.core.svm_train", svm_spec, 0);
  p->kernel = opt_choice(L, i, "kernel", "rbf", kernel_names);
  double deg = opt_num(L, i, "degree", 3);
  if (deg != floor(deg) || deg < 0 || deg > 100)
    lerror(L, "option degree must be an integer in 0..100, got %g", deg);
  p->degree = (int)deg;
  p->gamma = p->kernel == SVMG_LINEAR ? 1 : opt_pos(L, i, "gamma", 1);
  p->coef0 = opt_num(L, i, "coef0", 0);
  if (!isfinite(p->coef0)) lerror(L, "option coef0 must be finite");
  p->C = opt_pos(L, i, "C", 1);
  p->tol = opt_pos(L, i, "tol", 1e-3);
  p->cache_mb = opt_pos(L, i, "cache_size", 200);
  lua_getfield(L, i, "probability");
  p->probability = lua_toboolean(L, -1);
  lua_getfield(L, i, "shrinking");
  p->shrinking = lua_isnil(L, -1) || lua_toboolean(L, -1);
  lua_pop(L, 2);
  p->seed = (unsigned)(int64_t)opt_num(L, i, "seed", 0);
}

static int l_svm_train(lua_State *L) {
  lua_settop(L, 3);
  int64_t n, d;
  const float *x = check_x(L, 1, &n, &d);
  SvmParams p;
  svm_params(L, 3, &p);
  int *y = check_y(L, 2, n);
  check_classes(L, y, n);
  LSvm *u = new_svm(L);
  char err[SVMG_ERRLEN];
  u->m = svmg_train(x, n, d, y, &p, err);
  if (!u->m) return lerror(L, "%s", err);
  return 1;
}

static int svm_gc(lua_State *L) {
  LSvm *u = luaL_checkudata(L, 1, SVM_MT);
  svmg_free(u->m);
  u->m = NULL;
  return 0;
}

static int svm_tostring(lua_State *L) {
  LSvm *u = luaL_checkudata(L, 1, SVM_MT);
  if (!u->m) lua_pushliteral(L, "libsvm model (empty)");
  else
    lua_pushfstring(L, "libsvm model (%d classes, %d features, %d support "
                    "vectors)", svmg_n_classes(u->m), svmg_n_features(u->m),
                    svmg_total_sv(u->m));
  return 1;
}

static int svm_predict(lua_State *L) {
  SvmModel *m = check_svm(L);
  int64_t n;
  const float *x = check_x_for(L, 2, svmg_n_features(m), &n);
  int *lab = lua_newuserdatauv(L, (size_t)n * sizeof *lab, 0);
  char err[SVMG_ERRLEN];
  if (svmg_predict(m, x, n, lab, err)) return lerror(L, "%s", err);
  Tensor *t = push_tensor(L, 1, &n);
  for (int64_t i = 0; i < n; i++) t->data[i] = (float)lab[i];
  return 1;
}

static void push_doubles(lua_State *L, const double *v, int64_t n,
                         int64_t cols) {
  int64_t shape[2] = {n, cols};
  Tensor *t = push_tensor(L, cols == 0 ? 1 : 2, shape);
  for (int64_t i = 0; i < t->size; i++) t->data[i] = (float)v[i];
}

static int svm_decision(lua_State *L) {
  SvmModel *m = check_svm(L);
  int ovo = lua_toboolean(L, 3) && strcmp(luaL_checkstring(L, 3), "ovo") == 0;
  int64_t n;
  const float *x = check_x_for(L, 2, svmg_n_features(m), &n);
  int k = svmg_n_classes(m), npair = k * (k - 1) / 2;
  double *dec = lua_newuserdatauv(L, (size_t)(n * npair) * sizeof *dec, 0);
  char err[SVMG_ERRLEN];
  if (svmg_decision_ovo(m, x, n, dec, err)) return lerror(L, "%s", err);
  if (k == 2 && !ovo) {             /* positive for the larger label */
    for (int64_t i = 0; i < n; i++) dec[i] = -dec[i];
    push_doubles(L, dec, n, 0);
  } else if (ovo) {
    push_doubles(L, dec, n, npair);
  } else {
    double *ovr = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *ovr, 0);
    svmg_ovr_from_ovo(dec, n, k, ovr);
    push_doubles(L, ovr, n, k);
  }
  return 1;
}

static int svm_proba(lua_State *L) {
  SvmModel *m = check_svm(L);
  int64_t n;
  const float *x = check_x_for(L, 2, svmg_n_features(m), &n);
  int k = svmg_n_classes(m);
  double *p = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *p, 0);
  char err[SVMG_ERRLEN];
  if (svmg_predict_proba(m, x, n, p, err)) return lerror(L, "%s", err);
  push_doubles(L, p, n, k);
  return 1;
}

static void set_int_list(lua_State *L, const char *key, const int *v,
                         int n) {
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushinteger(L, v[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, key);
}

static int svm_info(lua_State *L) {
  SvmModel *m = check_svm(L);
  int k = svmg_n_classes(m), v[SVMG_MAX_CLASSES];
  lua_createtable(L, 0, 10);
  lua_pushstring(L, "svc");
  lua_setfield(L, -2, "kind");
  svmg_classes(m, v);
  set_int_list(L, "classes", v, k);
  svmg_n_support(m, v);
  set_int_list(L, "n_support", v, k);
  lua_pushinteger(L, svmg_n_features(m));
  lua_setfield(L, -2, "n_features");
  int kernel, degree;
  double gamma, coef0;
  svmg_kernel(m, &kernel, &degree, &gamma, &coef0);
  lua_pushstring(L, kernel_names[kernel]);
  lua_setfield(L, -2, "kernel");
  lua_pushinteger(L, degree);
  lua_setfield(L, -2, "degree");
  lua_pushnumber(L, gamma);
  lua_setfield(L, -2, "gamma");
  lua_pushnumber(L, coef0);
  lua_setfield(L, -2, "coef0");
  lua_pushboolean(L, svmg_has_proba(m));
  lua_setfield(L, -2, "probability");
  return 1;
}

static int svm_support(lua_State *L) {
  SvmModel *m = check_svm(L);
  int64_t shape[2] = {svmg_total_sv(m), svmg_n_features(m)};
  int *idx = lua_newuserdatauv(L, (size_t)shape[0] * sizeof *idx + 1, 0);
  Tensor *t = push_tensor(L, 2, shape);
  svmg_support(m, t->data, idx);
  if (shape[0] == 0 || idx[0] == 0) {
    lua_pushnil(L);
    return 2;
  }
  lua_createtable(L, (int)shape[0], 0);
  for (int64_t i = 0; i < shape[0]; i++) {
    lua_pushinteger(L, idx[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 2;
}

static int svm_save(lua_State *L) {
  SvmModel *m = check_svm(L);
  const char *path = luaL_checkstring(L, 2);
  char err[SVMG_ERRLEN];
  if (svmg_save(m, path, err)) return lerror(L, "%s", err);
  return 0;
}

/* ---- liblinear models -------------------------------------------------- */

static LLin *new_lin(lua_State *L) {
  LLin *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->m = NULL;
  luaL_setmetatable(L, LIN_MT);
  return u;
}

static LinModel *check_lin(lua_State *L) {
  LLin *u = luaL_checkudata(L, 1, LIN_MT);
  if (!u->m) lerror(L, "the model is not fitted");
  return u->m;
}

/* liblinear's names; "" marks MCSVM_CS, which is not offered */
static const char *const solver_names[] = {
  "L2R_LR", "L2R_L2LOSS_SVC_DUAL", "L2R_L2LOSS_SVC", "L2R_L1LOSS_SVC_DUAL",
  "", "L1R_L2LOSS_SVC", NULL};

static const OptSpec linear_spec[] = {
  {"solver", OPT_STRING}, {"C", OPT_NUMBER}, {"tol", OPT_NUMBER},
  {"bias", OPT_NUMBER}, {"seed", OPT_INTEGER}, {NULL, 0}};

static int l_linear_train(lua_State *L) {
  lua_settop(L, 3);
  int64_t n, d;
  const float *x = check_x(L, 1, &n, &d);
  luaL_checktype(L, 3, LUA_TTABLE);
  check_options(L, 3, "ml.core.linear_train", linear_spec, 0);
  LinParams p;
  p.solver = opt_choice(L, 3, "solver", "L2R_L2LOSS_SVC_DUAL", solver_names);
  p.C = opt_pos(L, 3, "C", 1);
  p.tol = opt_pos(L, 3, "tol", 1e-4);
  p.bias = opt_num(L, 3, "bias", 1);
  if (!isfinite(p.bias)) lerror(L, "option bias must be finite");
  p.seed = (unsigned)(int64_t)opt_num(L, 3, "seed", 0);
  int *y = check_y(L, 2, n);
  check_classes(L, y, n);
  LLin *u = new_lin(L);
  char err[SVMG_ERRLEN];
  u->m = ling_train(x, n, d, y, &p, err);
  if (!u->m) return lerror(L, "%s", err);
  return 1;
}

static int lin_gc(lua_State *L) {
  LLin *u = luaL_checkudata(L, 1, LIN_MT);
  ling_free(u->m);
  u->m = NULL;
  return 0;
}

static int lin_tostring(lua_State *L) {
  LLin *u = luaL_checkudata(L, 1, LIN_MT);
  if (!u->m) lua_pushliteral(L, "liblinear model (empty)");
  else
    lua_pushfstring(L, "liblinear model (%d classes, %d features)",
                    ling_n_classes(u->m), ling_n_features(u->m));
  return 1;
}

static int lin_predict(lua_State *L) {
  LinModel *m = check_lin(L);
  int64_t n;
  const float *x = check_x_for(L, 2, ling_n_features(m), &n);
  int *lab = lua_newuserdatauv(L, (size_t)n * sizeof *lab, 0);
  char err[SVMG_ERRLEN];
  if (ling_predict(m, x, n, lab, err)) return lerror(L, "%s", err);
  Tensor *t = push_tensor(L, 1, &n);
  for (int64_t i = 0; i < n; i++) t->data[i] = (float)lab[i];
  return 1;
}

static int lin_decision(lua_State *L) {
  LinModel *m = check_lin(L);
  int64_t n;
  const float *x = check_x_for(L, 2, ling_n_features(m), &n);
  int r = ling_n_rows(m);
  double *dec = lua_newuserdatauv(L, (size_t)(n * r) * sizeof *dec, 0);
  char err[SVMG_ERRLEN];
  if (ling_decision(m, x, n, dec, err)) return lerror(L, "%s", err);
  push_doubles(L, dec, n, r == 1 ? 0 : r);
  return 1;
}

static int lin_coef(lua_State *L) {
  LinModel *m = check_lin(L);
  int64_t shape[2] = {ling_n_rows(m), ling_n_features(m)};
  Tensor *c = push_tensor(L, 2, shape);
  Tensor *b = push_tensor(L, 1, shape);
  ling_coef(m, c->data, b->data);
  return 2;
}

static int lin_info(lua_State *L) {
  LinModel *m = check_lin(L);
  int k = ling_n_classes(m), v[SVMG_MAX_CLASSES];
  lua_createtable(L, 0, 4);
  lua_pushstring(L, "linear");
  lua_setfield(L, -2, "kind");
  ling_classes(m, v);
  set_int_list(L, "classes", v, k);
  lua_pushinteger(L, ling_n_features(m));
  lua_setfield(L, -2, "n_features");
  return 1;
}

static int lin_save(lua_State *L) {
  LinModel *m = check_lin(L);
  const char *path = luaL_checkstring(L, 2);
  char err[SVMG_ERRLEN];
  if (ling_save(m, path, err)) return lerror(L, "%s", err);
  return 0;
}

/* ---- loading ------------------------------------------------------------ */

static int l_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char err[SVMG_ERRLEN], *text;
  size_t n;
  if (svmg_read_file(path, &text, &n, err)) return lerror(L, "%s", err);
  int kind = svmg_file_kind(text, n);
  free(text);
  if (kind == 0)
    return lerror(L, "%s: not a model file (%s)", path,
                  n == 0 ? "empty" : "no svm_type or solver_type line");
  if (kind == 1) {
    LSvm *u = new_svm(L);
    if (!(u->m = svmg_load(path, err)))
      return lerror(L, "%s: corrupt libsvm model (%s)", path, err);
    lua_pushstring(L, "svc");
  } else {
    LLin *u = new_lin(L);
    if (!(u->m = ling_load(path, err)))
      return lerror(L, "%s: corrupt liblinear model (%s)", path, err);
    lua_pushstring(L, "linear");
  }
  return 2;
}

/* ---- statistics and NMS ------------------------------------------------- */

static int l_stats(lua_State *L) {
  Tensor *t = check_tensor(L, 1);
  int pushed;
  t = contiguous_tensor(L, 1, &pushed);
  if (t->size == 0) return lerror(L, "statistics of an empty tensor");
  double mean, var;
  ml_stats(t->data, t->size, &mean, &var);
  lua_pushnumber(L, mean);
  lua_pushnumber(L, var);
  return 2;
}

static int l_col_stats(lua_State *L) {
  lua_settop(L, 1);
  int64_t n, d;
  const float *x = check_x(L, 1, &n, &d);
  double *mv = lua_newuserdatauv(L, (size_t)(2 * d) * sizeof *mv, 0);
  ml_col_stats(x, n, d, mv, mv + d);
  Tensor *mean = push_tensor(L, 1, &d);
  Tensor *var = push_tensor(L, 1, &d);
  for (int64_t j = 0; j < d; j++) {
    mean->data[j] = (float)mv[j];
    var->data[j] = (float)mv[d + j];
  }
  return 2;
}

static int l_nms(lua_State *L) {
  lua_settop(L, 3);
  Tensor *b = check_tensor(L, 1), *s = check_tensor(L, 2);
  double iou = luaL_checknumber(L, 3);
  if (b->ndim != 2 || b->shape[1] != 4)
    return lerror(L, "boxes must be (N, 4) {top, left, height, width}, "
                  "got shape %s", shape_of(L, b));
  if (s->ndim != 1 || s->shape[0] != b->shape[0])
    return lerror(L, "%lld boxes but scores has shape %s", LL(b->shape[0]),
                  shape_of(L, s));
  int pb, ps;
  b = contiguous_tensor(L, 1, &pb);
  s = contiguous_tensor(L, 2, &ps);
  int64_t n = s->size, bad;
  if ((bad = ml_find_nonfinite(s->data, n)) >= 0)
    return lerror(L, "score %lld is not a finite number", LL(bad + 1));
  for (int64_t i = 0; i < n; i++)
    for (int c = 0; c < 4; c++)
      if (!isfinite(b->data[i * 4 + c]) || (c >= 2 && b->data[i * 4 + c] < 0))
        return lerror(L, "box %lld has a %s %s", LL(i + 1),
                      isfinite(b->data[i * 4 + c]) ? "negative" : "non-finite",
                      (const char *[]){"top", "left", "height", "width"}[c]);
  int64_t *keep = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *keep, 0);
  int64_t k = ml_nms(b->data, s->data, n, iou, keep);
  if (k < 0) return lerror(L, "out of memory");
  lua_createtable(L, (int)k, 0);
  for (int64_t i = 0; i < k; i++) {
    lua_pushinteger(L, keep[i] + 1);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* ---- registration -------------------------------------------------------- */

static const luaL_Reg functions[] = {
  {"svm_train", l_svm_train}, {"linear_train", l_linear_train},
  {"load", l_load}, {"stats", l_stats}, {"col_stats", l_col_stats},
  {"nms", l_nms}, {NULL, NULL}
};
static const luaL_Reg svm_methods[] = {
  {"predict", svm_predict}, {"decision", svm_decision},
  {"proba", svm_proba}, {"info", svm_info}, {"support", svm_support},
  {"save", svm_save}, {NULL, NULL}
};
static const luaL_Reg lin_methods[] = {
  {"predict", lin_predict}, {"decision", lin_decision},
  {"coef", lin_coef}, {"info", lin_info}, {"save", lin_save},
  {NULL, NULL}
};

static const luaL_Reg svm_meta[] = {
  {"__gc", svm_gc}, {"__tostring", svm_tostring}, {NULL, NULL}
};
static const luaL_Reg lin_meta[] = {
  {"__gc", lin_gc}, {"__tostring", lin_tostring}, {NULL, NULL}
};

static void new_type(lua_State *L, const char *mt, const luaL_Reg *methods,
                     const luaL_Reg *meta) {
  luaL_newmetatable(L, mt);
  luaL_setfuncs(L, meta, 0);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

int luaopen_ml(lua_State *L) {
  new_type(L, SVM_MT, svm_methods, svm_meta);
  new_type(L, LIN_MT, lin_methods, lin_meta);
  luaL_newlib(L, functions);
  return 1;
}
