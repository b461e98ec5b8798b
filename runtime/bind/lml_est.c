/* lml_est.c - `ml_est`, the kernels under runtime/lua/ml_linear.lua,
 * ml_neighbors.lua and ml_cluster.lua: linear models, nearest
 * neighbours, k-means (runtime/ml/linear.c, neighbors.c). Stateless:
 * each function takes tensors and returns the fitted numbers as tensors
 * (float) and numbers; the estimators keep them in Lua.
 *
 *   coef (T, D), intercept (T), rank, singular = lstsq(X, Y, fit_intercept)
 *   coef (T, D), intercept (T) = ridge(X, Y, alpha, fit_intercept)
 *   coef (D), intercept, n_iter, gap = enet(X, y, alpha, l1_ratio,
 *       fit_intercept, max_iter, tol)
 *   coef (D), intercept, n_iter, t = sgd(X, y, opts)   y: targets or +-1
 *   coef (K, D), intercept (K), n_iter = logreg_lbfgs(X, cls, k, C,
 *       fit_intercept, max_iter, tol)     cls: 0-based class per row;
 *       k = 1 binary (cls 0/1), else multinomial over k classes
 *   coef (D), intercept = logreg_liblinear(X, cls01, C, tol, bias, seed)
 *   out (N, P) = poly(X, powers)          powers (P, D) tensor
 *   dist (Q, k), idx (Q, k) = knn(ref, query, k)      idx 1-based
 *   pred (Q, T) [, {proba (Q, K_t)...}] = knn_vote(idx, dist, Y,
 *       nclasses, weighted, want_proba)   Y (N, T) 0-based class ids
 *   out (Q, T) = knn_mean(idx, dist, Y, weighted)
 *   centres, labels, inertia, n_iter = kmeans(X, init, max_iter, tol)
 *       labels 0-based
 *   centres = kmeans_pp(X, k)
 *   labels [, d2 (N, k)] = kmeans_assign(X, centres, want_d2)
 *   X = check_x(X)     X itself (a contiguous copy of a view) if it is
 *       a finite, non-empty 2-D tensor
 *
 * X (and ref, query) must be 2-D and finite; anything else is an error
 * naming what is wrong (the Lua side puts the estimator's name and the
 * script line in front). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/lml_est.h"
#include "bind/ltensor.h"
#include "ml/linear.h"
#include "ml/mlutil.h"
#include "ml/neighbors.h"
#include "ml/svm_glue.h"

#define LL(x) ((long long)(x))

/* the tensor at i as contiguous finite (rows, cols) float32 values (a
 * float64 tensor converted); a converted or contiguous copy replaces it
 * on the stack. Shared with lml_decomp.c through lml_est.h. */
const float *ml_matrix_arg(lua_State *L, int i, const char *name,
                           int64_t *rows, int64_t *cols) {
  Tensor *t = test_tensor_any(L, i);
  char b[160];
  luaL_checkstack(L, 40, NULL);
  if (!t) lerror(L, "%s must be a tensor, got a %s", name, luaL_typename(L, i));
  if (t->ndim != 2)
    lerror(L, "%s must be 2-D (samples, features), got shape %s", name,
           tensor_shape_str(t, b, sizeof b));
  if (t->shape[0] < 1 || t->shape[1] < 1)
    lerror(L, "%s is empty, shape %s", name, tensor_shape_str(t, b, sizeof b));
  if (t->dtype != TENSOR_F32) {
    push_astype(L, t, TENSOR_F32);
    lua_replace(L, i);
  }
  int pushed;
  t = contiguous_tensor(L, i, &pushed);
  if (pushed) lua_replace(L, i);
  int64_t at = ml_find_nonfinite(t->data, t->size);
  if (at >= 0)
    lerror(L, "%s row %lld, column %lld is %s; features must be finite "
           "numbers", name, LL(at / t->shape[1] + 1), LL(at % t->shape[1] + 1),
           isnan(t->data[at]) ? "NaN" : "infinite");
  *rows = t->shape[0];
  *cols = t->shape[1];
  return t->data;
}
#define matrix_arg ml_matrix_arg

/* targets at i: (n) or (n, t) finite numbers, as n x t doubles */
static double *targets_arg(lua_State *L, int i, int64_t n, int64_t *t) {
  Tensor *y = test_tensor(L, i);
  char b[160];
  if (!y || y->ndim < 1 || y->ndim > 2)
    lerror(L, "y must be a 1-D or 2-D tensor");
  if (y->shape[0] != n)
    lerror(L, "X has %lld rows but y has %lld (shape %s)", LL(n),
           LL(y->shape[0]), tensor_shape_str(y, b, sizeof b));
  *t = y->ndim == 2 ? y->shape[1] : 1;
  if (*t < 1) lerror(L, "y has no columns");
  int pushed;
  y = contiguous_tensor(L, i, &pushed);
  if (pushed) lua_replace(L, i);
  double *v = lua_newuserdatauv(L, (size_t)(n * *t) * sizeof *v, 0);
  for (int64_t k = 0; k < n * *t; k++) {
    if (!isfinite(y->data[k]))
      lerror(L, "y value %lld is %s; targets must be finite", LL(k + 1),
             isnan(y->data[k]) ? "NaN" : "infinite");
    v[k] = y->data[k];
  }
  return v;
}

static void push_matrix(lua_State *L, const double *v, int64_t r, int64_t c,
                        int vector) {
  int64_t shape[2] = {r, c};
  Tensor *t = vector ? push_tensor(L, 1, shape + 1) : push_tensor(L, 2, shape);
  for (int64_t i = 0; i < r * c; i++) t->data[i] = (float)v[i];
}

static int fail_rc(lua_State *L, int rc, const char *what) {
  if (rc == ML_ENOMEM) return lerror(L, "%s: out of memory", what);
  return lerror(L, "%s: LAPACK could not solve the system (singular?)", what);
}

static int l_lstsq(lua_State *L) {
  int64_t n, d, t;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  double *y = targets_arg(L, 2, n, &t);
  int fi = lua_toboolean(L, 3);
  int64_t k = n < d ? n : d;
  double *coef = lua_newuserdatauv(L, (size_t)(t * d + t + k) * sizeof *coef, 0);
  int rank;
  int rc = lin_lstsq(x, n, d, y, t, fi, coef, coef + t * d, coef + t * d + t, &rank);
  if (rc) return fail_rc(L, rc, "least squares");
  push_matrix(L, coef, t, d, 0);
  push_matrix(L, coef + t * d, 1, t, 1);
  lua_pushinteger(L, rank);
  push_matrix(L, coef + t * d + t, 1, k, 1);
  return 4;
}

static int l_ridge(lua_State *L) {
  int64_t n, d, t;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  double *y = targets_arg(L, 2, n, &t);
  double alpha = luaL_checknumber(L, 3);
  int fi = lua_toboolean(L, 4);
  double *coef = lua_newuserdatauv(L, (size_t)(t * d + t) * sizeof *coef, 0);
  int rc = lin_ridge(x, n, d, y, t, alpha, fi, coef, coef + t * d);
  if (rc) return fail_rc(L, rc, "ridge");
  push_matrix(L, coef, t, d, 0);
  push_matrix(L, coef + t * d, 1, t, 1);
  return 2;
}

static int l_enet(lua_State *L) {
  int64_t n, d, t;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  double *y = targets_arg(L, 2, n, &t);
  if (t != 1) return lerror(L, "y must be 1-D here");
  double alpha = luaL_checknumber(L, 3), l1 = luaL_checknumber(L, 4);
  int fi = lua_toboolean(L, 5);
  int max_iter = (int)luaL_checkinteger(L, 6);
  double tol = luaL_checknumber(L, 7), b, gap;
  double *coef = lua_newuserdatauv(L, (size_t)d * sizeof *coef, 0);
  int it;
  int rc = lin_enet(x, n, d, y, alpha, l1, fi, max_iter, tol, coef, &b, &it, &gap);
  if (rc) return fail_rc(L, rc, "coordinate descent");
  push_matrix(L, coef, 1, d, 1);
  lua_pushnumber(L, b);
  lua_pushinteger(L, it);
  lua_pushnumber(L, gap);
  return 4;
}

static const char *const sgd_losses[] = {
  "squared_error", "huber", "epsilon_insensitive", "hinge", "squared_hinge",
  "perceptron", "log_loss", "modified_huber", NULL};
static const char *const sgd_rates[] = {"constant", "optimal", "invscaling",
                                        "adaptive", NULL};
static const OptSpec sgd_spec[] = {
  {"loss", OPT_STRING}, {"epsilon", OPT_NUMBER}, {"l2", OPT_BOOLEAN},
  {"alpha", OPT_NUMBER}, {"learning_rate", OPT_STRING}, {"eta0", OPT_NUMBER},
  {"power_t", OPT_NUMBER}, {"fit_intercept", OPT_BOOLEAN},
  {"max_iter", OPT_INTEGER}, {"tol", OPT_NUMBER},
  {"n_iter_no_change", OPT_INTEGER}, {"shuffle", OPT_BOOLEAN}, {NULL, 0}};

static double field_num(lua_State *L, int i, const char *k) {
  lua_getfield(L, i, k);
  double v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

static int field_bool(lua_State *L, int i, const char *k) {
  lua_getfield(L, i, k);
  int v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static int l_sgd(lua_State *L) {
  int64_t n, d, t;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  double *y = targets_arg(L, 2, n, &t);
  if (t != 1) return lerror(L, "y must be 1-D here");
  luaL_checktype(L, 3, LUA_TTABLE);
  check_options(L, 3, "ml_est.sgd", sgd_spec, 0);
  SgdParams p;
  lua_getfield(L, 3, "loss");
  p.loss = luaL_checkoption(L, -1, NULL, sgd_losses);
  lua_getfield(L, 3, "learning_rate");
  p.learning_rate = luaL_checkoption(L, -1, NULL, sgd_rates);
  lua_pop(L, 2);
  p.epsilon = field_num(L, 3, "epsilon");
  p.l2 = field_bool(L, 3, "l2");
  p.alpha = field_num(L, 3, "alpha");
  p.eta0 = field_num(L, 3, "eta0");
  p.power_t = field_num(L, 3, "power_t");
  p.fit_intercept = field_bool(L, 3, "fit_intercept");
  p.max_iter = (int)field_num(L, 3, "max_iter");
  p.tol = field_num(L, 3, "tol");
  p.n_iter_no_change = (int)field_num(L, 3, "n_iter_no_change");
  p.shuffle = field_bool(L, 3, "shuffle");
  double *w = lua_newuserdatauv(L, (size_t)d * sizeof *w, 0), b, tt;
  int it;
  if (sgd_fit(x, n, d, y, &p, w, &b, &it, &tt)) return fail_rc(L, ML_ENOMEM, "SGD");
  for (int64_t j = 0; j < d; j++)
    if (!isfinite(w[j]) || !isfinite(b))
      return lerror(L, "the weights overflowed (not finite); scale X or use "
                    "a smaller eta0 / larger alpha");
  push_matrix(L, w, 1, d, 1);
  lua_pushnumber(L, b);
  lua_pushinteger(L, it);
  lua_pushnumber(L, tt);
  return 4;
}

/* class ids at i (a table or a 1-D tensor of n integers in 0..k-1) */
static int *class_arg(lua_State *L, int i, int64_t n, int k) {
  int *c = lua_newuserdatauv(L, (size_t)n * sizeof *c, 0);
  Tensor *t = test_tensor(L, i);
  for (int64_t r = 0; r < n; r++) {
    double v;
    if (t) {
      v = t->data[r * t->stride[0]];
    } else {
      lua_geti(L, i, r + 1);
      v = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
    if (v != floor(v) || v < 0 || v >= (k < 2 ? 2 : k))
      lerror(L, "class id %g of row %lld out of range", v, LL(r + 1));
    c[r] = (int)v;
  }
  return c;
}

static int l_logreg_lbfgs(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int k = (int)luaL_checkinteger(L, 3);
  int *cls = class_arg(L, 2, n, k);
  double C = luaL_checknumber(L, 4);
  int fi = lua_toboolean(L, 5);
  int max_iter = (int)luaL_checkinteger(L, 6);
  double tol = luaL_checknumber(L, 7);
  double *coef = lua_newuserdatauv(L, (size_t)(k * d + k) * sizeof *coef, 0);
  int it;
  int rc = logreg_lbfgs(x, n, d, cls, k, C, fi, max_iter, tol, coef, coef + k * d, &it);
  if (rc) return fail_rc(L, rc, "L-BFGS");
  push_matrix(L, coef, k, d, 0);
  push_matrix(L, coef + k * d, 1, k, 1);
  lua_pushinteger(L, it);
  return 3;
}

static int l_logreg_liblinear(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int *cls = class_arg(L, 2, n, 2);
  LinParams p = {LING_L2R_LR, luaL_checknumber(L, 3), luaL_checknumber(L, 4),
                 luaL_checknumber(L, 5), (unsigned)luaL_checkinteger(L, 6)};
  char err[SVMG_ERRLEN];
  LinModel *m = ling_train(x, n, d, cls, &p, err);
  if (!m) return lerror(L, "%s", err);
  int64_t shape[1] = {d};
  Tensor *c = push_tensor(L, 1, shape);
  float b;
  ling_coef(m, c->data, &b);
  ling_free(m);
  lua_pushnumber(L, b);
  return 2;
}

static int l_poly(lua_State *L) {
  int64_t n, d, p, pd;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  Tensor *pw = check_tensor(L, 2);
  if (pw->ndim != 2 || pw->shape[1] != d)
    return lerror(L, "X has %lld features, the powers are for %lld", LL(d),
                  LL(pw->ndim == 2 ? pw->shape[1] : -1));
  p = pw->shape[0];
  pd = p * d;
  int *powers = lua_newuserdatauv(L, (size_t)(pd ? pd : 1) * sizeof *powers, 0);
  for (int64_t i = 0; i < p; i++)
    for (int64_t j = 0; j < d; j++)
      powers[i * d + j] = (int)pw->data[i * pw->stride[0] + j * pw->stride[1]];
  int64_t shape[2] = {n, p};
  Tensor *out = push_tensor(L, 2, shape);
  poly_features(x, n, d, powers, p, out->data);
  return 1;
}

/* ---- neighbours ------------------------------------------------------------- */

static int l_knn(lua_State *L) {
  int64_t m, d, q, dq;
  const float *ref = matrix_arg(L, 1, "the training X", &m, &d);
  const float *qx = matrix_arg(L, 2, "X", &q, &dq);
  if (dq != d)
    return lerror(L, "X has %lld features, the model was fitted on %lld",
                  LL(dq), LL(d));
  lua_Integer k = luaL_checkinteger(L, 3);
  if (k < 1 || k > m)
    return lerror(L, "n_neighbors = %lld, but there are %lld training "
                  "samples (n_neighbors must be in 1..%lld)", LL(k), LL(m), LL(m));
  int64_t *idx = lua_newuserdatauv(L, (size_t)(q * k) * sizeof *idx, 0);
  double *dist = lua_newuserdatauv(L, (size_t)(q * k) * sizeof *dist, 0);
  if (knn_search(ref, m, qx, q, d, k, idx, dist)) return fail_rc(L, ML_ENOMEM, "kneighbors");
  int64_t shape[2] = {q, k};
  Tensor *td = push_tensor(L, 2, shape);
  Tensor *ti = push_tensor(L, 2, shape);
  for (int64_t i = 0; i < q * k; i++) {
    td->data[i] = (float)dist[i];
    ti->data[i] = (float)(idx[i] + 1);
  }
  return 2;
}

/* weights of row r's k neighbours: 1, or 1/distance (rows with a zero
 * distance: 1 for those neighbours, 0 for the rest) */
static void nb_weights(const Tensor *dist, int64_t r, int64_t k, int weighted,
                       double *w) {
  const float *dr = dist->data + r * k;
  int zero = 0;
  for (int64_t j = 0; j < k; j++) zero |= dr[j] == 0;
  for (int64_t j = 0; j < k; j++)
    w[j] = !weighted ? 1 : zero ? (dr[j] == 0) : 1.0 / dr[j];
}

static void nb_args(lua_State *L, Tensor **idx, Tensor **dist, Tensor **y,
                    int64_t *q, int64_t *k, int64_t *t) {
  *idx = check_tensor(L, 1);
  *dist = check_tensor(L, 2);
  *y = check_tensor(L, 3);
  if ((*idx)->ndim != 2 || !tensor_is_contiguous(*idx) ||
      !tensor_is_contiguous(*dist) || (*y)->ndim != 2 ||
      !tensor_is_contiguous(*y))
    lerror(L, "expected contiguous (Q, k) neighbours and (N, T) targets");
  *q = (*idx)->shape[0];
  *k = (*idx)->shape[1];
  *t = (*y)->shape[1];
  for (int64_t i = 0; i < *q * *k; i++)
    if ((*idx)->data[i] < 1 || (*idx)->data[i] > (*y)->shape[0])
      lerror(L, "neighbour index out of range");
}

static int l_knn_vote(lua_State *L) {
  Tensor *idx, *dist, *y;
  int64_t q, k, t;
  nb_args(L, &idx, &dist, &y, &q, &k, &t);
  luaL_checktype(L, 4, LUA_TTABLE);
  int weighted = lua_toboolean(L, 5), want = lua_toboolean(L, 6);
  int kmax = 1;
  int *nc = lua_newuserdatauv(L, (size_t)t * sizeof *nc, 0);
  for (int64_t c = 0; c < t; c++) {
    lua_geti(L, 4, c + 1);
    nc[c] = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (nc[c] < 1) return lerror(L, "bad class count");
    kmax = nc[c] > kmax ? nc[c] : kmax;
  }
  int64_t shape[2] = {q, t};
  Tensor *pred = push_tensor(L, 2, shape);
  int top = lua_gettop(L);
  if (want) {
    lua_createtable(L, (int)t, 0);
    for (int64_t c = 0; c < t; c++) {
      int64_t ps[2] = {q, nc[c]};
      push_tensor(L, 2, ps);
      lua_rawseti(L, top + 1, c + 1);
    }
  }
  double *w = lua_newuserdatauv(L, (size_t)(k + kmax) * sizeof *w, 0);
  double *votes = w + k;
  for (int64_t r = 0; r < q; r++) {
    nb_weights(dist, r, k, weighted, w);
    for (int64_t c = 0; c < t; c++) {
      for (int a = 0; a < nc[c]; a++) votes[a] = 0;
      for (int64_t j = 0; j < k; j++) {
        int64_t row = (int64_t)idx->data[r * k + j] - 1;
        int cls = (int)y->data[row * t + c];
        if (cls >= 0 && cls < nc[c]) votes[cls] += w[j];
      }
      int best = 0;
      double sum = 0;
      for (int a = 0; a < nc[c]; a++) {
        sum += votes[a];
        if (votes[a] > votes[best]) best = a;
      }
      pred->data[r * t + c] = (float)best;
      if (want) {
        lua_rawgeti(L, top + 1, c + 1);
        Tensor *p = check_tensor(L, -1);
        for (int a = 0; a < nc[c]; a++)
          p->data[r * nc[c] + a] = (float)(votes[a] / (sum > 0 ? sum : 1));
        lua_pop(L, 1);
      }
    }
  }
  lua_settop(L, top + (want ? 1 : 0));
  return want ? 2 : 1;
}

static int l_knn_mean(lua_State *L) {
  Tensor *idx, *dist, *y;
  int64_t q, k, t;
  nb_args(L, &idx, &dist, &y, &q, &k, &t);
  int weighted = lua_toboolean(L, 4);
  int64_t shape[2] = {q, t};
  Tensor *out = push_tensor(L, 2, shape);
  double *w = lua_newuserdatauv(L, (size_t)(k + t) * sizeof *w, 0);
  double *acc = w + k;
  for (int64_t r = 0; r < q; r++) {
    nb_weights(dist, r, k, weighted, w);
    double sw = 0;
    for (int64_t c = 0; c < t; c++) acc[c] = 0;
    for (int64_t j = 0; j < k; j++) {
      int64_t row = (int64_t)idx->data[r * k + j] - 1;
      sw += w[j];
      for (int64_t c = 0; c < t; c++) acc[c] += w[j] * y->data[row * t + c];
    }
    for (int64_t c = 0; c < t; c++) out->data[r * t + c] = (float)(acc[c] / sw);
  }
  lua_pop(L, 1);
  return 1;
}

/* ---- k-means ------------------------------------------------------------------- */

static double *centres_arg(lua_State *L, int i, int64_t d, int *k) {
  int64_t kk, dd;
  const float *c = matrix_arg(L, i, "init", &kk, &dd);
  if (dd != d)
    lerror(L, "the centres have %lld features, X has %lld", LL(dd), LL(d));
  double *v = lua_newuserdatauv(L, (size_t)(kk * d) * sizeof *v, 0);
  for (int64_t j = 0; j < kk * d; j++) v[j] = c[j];
  *k = (int)kk;
  return v;
}

static void push_labels(lua_State *L, const int *lab, int64_t n) {
  Tensor *t = push_tensor(L, 1, &n);
  for (int64_t i = 0; i < n; i++) t->data[i] = (float)lab[i];
}

static int l_kmeans(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int k;
  double *c = centres_arg(L, 2, d, &k);
  if (k > n)
    return lerror(L, "n_clusters = %d is larger than the number of samples "
                  "(%lld)", k, LL(n));
  int max_iter = (int)luaL_checkinteger(L, 3);
  double tol = luaL_checknumber(L, 4), inertia;
  int *lab = lua_newuserdatauv(L, (size_t)n * sizeof *lab, 0);
  int it;
  if (kmeans_lloyd(x, n, d, c, k, max_iter, tol, lab, &inertia, &it))
    return fail_rc(L, ML_ENOMEM, "k-means");
  push_matrix(L, c, k, d, 0);
  push_labels(L, lab, n);
  lua_pushnumber(L, inertia);
  lua_pushinteger(L, it);
  return 4;
}

static int l_kmeans_pp(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  lua_Integer k = luaL_checkinteger(L, 2);
  if (k < 1 || k > n)
    return lerror(L, "n_clusters = %lld is larger than the number of "
                  "samples (%lld)", LL(k), LL(n));
  double *c = lua_newuserdatauv(L, (size_t)(k * d) * sizeof *c, 0);
  if (kmeans_plusplus(x, n, d, (int)k, c)) return fail_rc(L, ML_ENOMEM, "k-means++");
  push_matrix(L, c, k, d, 0);
  return 1;
}

static int l_kmeans_assign(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int k;
  double *c = centres_arg(L, 2, d, &k);
  int want = lua_toboolean(L, 3);
  int *lab = lua_newuserdatauv(L, (size_t)n * sizeof *lab, 0);
  int64_t shape[2] = {n, k};
  Tensor *d2 = want ? push_tensor(L, 2, shape) : NULL;
  if (kmeans_assign(x, n, d, c, k, lab, d2 ? d2->data : NULL))
    return fail_rc(L, ML_ENOMEM, "k-means");
  push_labels(L, lab, n);
  if (want) lua_pushvalue(L, -2);
  return want ? 2 : 1;
}

static int l_check_x(lua_State *L) {
  int64_t n, d;
  lua_settop(L, 1);
  matrix_arg(L, 1, "X", &n, &d);
  return 1;
}

static const luaL_Reg functions[] = {
  {"check_x", l_check_x}, {"lstsq", l_lstsq}, {"ridge", l_ridge}, {"enet", l_enet}, {"sgd", l_sgd},
  {"logreg_lbfgs", l_logreg_lbfgs}, {"logreg_liblinear", l_logreg_liblinear},
  {"poly", l_poly}, {"knn", l_knn}, {"knn_vote", l_knn_vote},
  {"knn_mean", l_knn_mean}, {"kmeans", l_kmeans}, {"kmeans_pp", l_kmeans_pp},
  {"kmeans_assign", l_kmeans_assign}, {NULL, NULL}};

int luaopen_ml_est(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
