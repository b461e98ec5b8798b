/* lml_tree.c - `ml_tree.core`, the decision trees and tree ensembles
 * under runtime/lua/ml_tree.lua and ml_ensemble.lua.
 *
 *   t = fit(X, y, opts)            one tree; opts: criterion ("gini" |
 *       "entropy" | "squared_error" | "friedman_mse"), splitter ("best" |
 *       "random"), max_depth (-1: none), min_samples_split,
 *       min_samples_leaf, min_weight_leaf, min_impurity_decrease,
 *       max_features, random_state, n_classes (0: regression),
 *       sample_weight (a list)
 *   trees, oob, oob_best = forest(X, y, opts)   the tree options and
 *       n_estimators, bootstrap, max_samples, scheme ("forest" |
 *       "bagging"), n_jobs, oob (true: also the out-of-bag means (N, S)
 *       and per row the argmax (classifier) or the mean (regressor))
 *   trees, weights, errors = adaboost(X, y, opts)  algorithm ("SAMME.R" |
 *       "SAMME"), n_estimators, learning_rate, tree options
 *   trees, init, train_score = gboost(X, y, opts)  loss ("squared_error"
 *       | "log_loss"), n_estimators, learning_rate, tree options; trees
 *       stage-major, R per stage
 *   values, best = combine(trees, X, opts)   mode "mean" (average of the
 *       trees' outputs), "samme_r", "samme" (weights), "raw" (init,
 *       learning_rate, R): (N, S) values and the 0-based argmax per row
 *   t:apply(X)  t:output(X)  t:arrays()  t:importances([normalize])
 *   t:info()
 *
 * X is (N, D) finite floats; y class ids 0..K-1 (classifiers) or
 * targets, a tensor or a list. Values are computed in double precision
 * and returned as float tensors; the tree arrays as Lua lists. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "bind/lutil.h"
#include "core/threads.h"
#include "ml/ensemble.h"
#include "ml/mlutil.h"

#define TREE_MT "workbook.ml.tree"
#define MAX_CLASSES 1024
#define LL(x) ((long long)(x))

typedef struct { DTree t; int fitted; } LTree;

/* ---- arguments ------------------------------------------------------------ */

typedef struct { const float *x; int64_t n; int d; } Mat;

static Mat check_x(lua_State *L, int i) {
  Tensor *t = test_tensor(L, i);
  char b[160];
  if (!t || t->ndim != 2)
    lerror(L, "X must be a 2-D tensor (samples, features), got %s",
           t ? tensor_shape_str(t, b, sizeof b) : luaL_typename(L, i));
  if (t->shape[0] < 1 || t->shape[1] < 1 || t->shape[1] > 0x7fffffff ||
      t->shape[0] > 0x7fffffff)
    lerror(L, "X has shape %s; it needs at least one sample and one feature",
           tensor_shape_str(t, b, sizeof b));
  int pushed;
  t = contiguous_tensor(L, i, &pushed);
  if (pushed) lua_replace(L, i);
  int64_t bad = ml_find_nonfinite(t->data, t->size);
  if (bad >= 0)
    lerror(L, "X row %lld, column %lld is %s; features must be finite "
           "numbers", LL(bad / t->shape[1] + 1), LL(bad % t->shape[1] + 1),
           isnan(t->data[bad]) ? "NaN" : "infinite");
  return (Mat){t->data, t->shape[0], (int)t->shape[1]};
}

/* X transposed, in a userdata pushed on the stack */
static const float *push_xt(lua_State *L, Mat m) {
  float *xt = lua_newuserdatauv(L, (size_t)m.n * m.d * sizeof *xt, 0);
  tree_transpose(m.x, m.n, m.d, xt);
  return xt;
}

/* n numbers from a tensor or a list at i, as doubles in a userdata */
static double *check_doubles(lua_State *L, int i, int64_t n, const char *name) {
  Tensor *t = test_tensor(L, i);
  int64_t m;
  if (t) {
    if (t->ndim != 1 && !(t->ndim == 2 && t->shape[1] == 1))
      lerror(L, "%s must be 1-D", name);
    m = t->shape[0];
  } else if (lua_istable(L, i)) {
    m = (int64_t)luaL_len(L, i);
  } else {
    lerror(L, "%s must be a tensor or a list of numbers, got a %s", name,
           luaL_typename(L, i));
    return NULL;
  }
  if (m != n) lerror(L, "X has %lld rows but %s has %lld values", LL(n), name, LL(m));
  double *v = lua_newuserdatauv(L, (size_t)n * sizeof *v, 0);
  for (int64_t k = 0; k < n; k++) {
    if (t) {
      v[k] = t->data[k * t->stride[0]];
    } else {
      lua_geti(L, i, k + 1);
      if (lua_type(L, -1) != LUA_TNUMBER)
        lerror(L, "%s[%lld] is a %s, expected a number", name, LL(k + 1),
               luaL_typename(L, -1));
      v[k] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
    if (!isfinite(v[k])) lerror(L, "%s[%lld] is not a finite number", name, LL(k + 1));
  }
  return v;
}

static double num_opt(lua_State *L, int i, const char *k, double def) {
  lua_getfield(L, i, k);
  double v = lua_isnil(L, -1) ? def : luaL_checknumber(L, -1);
  lua_pop(L, 1);
  return v;
}

static int bool_opt(lua_State *L, int i, const char *k, int def) {
  lua_getfield(L, i, k);
  int v = lua_isnil(L, -1) ? def : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static int choice_opt(lua_State *L, int i, const char *k, const char *def,
                      const char *const names[]) {
  lua_getfield(L, i, k);
  const char *s = lua_isnil(L, -1) ? def : lua_tostring(L, -1);
  for (int c = 0; s && names[c]; c++)
    if (strcmp(s, names[c]) == 0) { lua_pop(L, 1); return c; }
  return lerror(L, "option %s: unknown value '%s'", k, s ? s : "?");
}

static const OptSpec tree_spec[] = {
  {"criterion", OPT_STRING}, {"splitter", OPT_STRING},
  {"max_depth", OPT_INTEGER}, {"min_samples_split", OPT_INTEGER},
  {"min_samples_leaf", OPT_INTEGER}, {"min_weight_leaf", OPT_NUMBER},
  {"min_impurity_decrease", OPT_NUMBER}, {"max_features", OPT_INTEGER},
  {"random_state", OPT_INTEGER}, {"n_classes", OPT_INTEGER},
  {"sample_weight", OPT_TABLE | OPT_USERDATA},
  /* ensembles */
  {"n_estimators", OPT_INTEGER}, {"bootstrap", OPT_BOOLEAN},
  {"max_samples", OPT_INTEGER}, {"scheme", OPT_STRING},
  {"n_jobs", OPT_INTEGER}, {"oob", OPT_BOOLEAN}, {"algorithm", OPT_STRING},
  {"learning_rate", OPT_NUMBER}, {"loss", OPT_STRING},
  {NULL, 0}
};

static const char *const crit_names[] = {"gini", "entropy", "squared_error",
                                         "friedman_mse", NULL};
static const char *const split_names[] = {"best", "random", NULL};

typedef struct {
  TreeParams tp;
  uint32_t random_state;
  int K;
} Common;

/* the options at 3 (checked), for data of n rows and d features */
static Common tree_opts(lua_State *L, const char *fn, int64_t n, int d,
                        int regression_trees) {
  luaL_checktype(L, 3, LUA_TTABLE);
  check_options(L, 3, fn, tree_spec, 0);
  Common c;
  memset(&c, 0, sizeof c);
  c.tp.criterion = choice_opt(L, 3, "criterion", "gini", crit_names);
  c.tp.splitter = choice_opt(L, 3, "splitter", "best", split_names);
  c.tp.max_depth = (int)num_opt(L, 3, "max_depth", -1);
  c.tp.min_samples_split = (int64_t)num_opt(L, 3, "min_samples_split", 2);
  c.tp.min_samples_leaf = (int64_t)num_opt(L, 3, "min_samples_leaf", 1);
  c.tp.min_weight_leaf = num_opt(L, 3, "min_weight_leaf", 0);
  c.tp.min_impurity_decrease = num_opt(L, 3, "min_impurity_decrease", 0);
  c.tp.max_features = (int)num_opt(L, 3, "max_features", d);
  c.random_state = (uint32_t)num_opt(L, 3, "random_state", 0);
  c.K = (int)num_opt(L, 3, "n_classes", 0);
  if (c.tp.min_samples_leaf < 1) lerror(L, "min_samples_leaf must be >= 1");
  if (c.tp.min_samples_split < 2) lerror(L, "min_samples_split must be >= 2");
  if (c.tp.min_samples_split < 2 * c.tp.min_samples_leaf)
    c.tp.min_samples_split = 2 * c.tp.min_samples_leaf;
  if (c.tp.max_features < 1 || c.tp.max_features > d)
    lerror(L, "max_features must be in 1..%d, got %d", d, c.tp.max_features);
  if (c.K < 0 || c.K > MAX_CLASSES)
    lerror(L, "at most %d classes are supported, got %d", MAX_CLASSES, c.K);
  if (((c.K > 0) && !regression_trees) != (c.tp.criterion <= 1))
    lerror(L, "criterion '%s' is for %s", crit_names[c.tp.criterion],
           c.tp.criterion <= 1 ? "classifiers" : "regressors");
  (void)n;
  return c;
}

static double *check_y(lua_State *L, int i, int64_t n, int K) {
  double *y = check_doubles(L, i, n, "y");
  for (int64_t k = 0; K > 0 && k < n; k++)
    if (y[k] != floor(y[k]) || y[k] < 0 || y[k] >= K)
      lerror(L, "y[%lld] = %g is not a class index in 0..%d", LL(k + 1), y[k], K - 1);
  return y;
}

static LTree *new_tree(lua_State *L) {
  LTree *u = lua_newuserdatauv(L, sizeof *u, 0);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, TREE_MT);
  return u;
}

static LTree *check_tree(lua_State *L, int i) {
  LTree *u = luaL_checkudata(L, i, TREE_MT);
  if (!u->fitted) lerror(L, "the tree is not fitted");
  return u;
}

/* ---- fitting ------------------------------------------------------------ */

static int l_fit(lua_State *L) {
  Mat m = check_x(L, 1);
  Common c = tree_opts(L, "ml_tree.fit", m.n, m.d, 0);
  const double *y = check_y(L, 2, m.n, c.K);
  const double *w = NULL;
  lua_getfield(L, 3, "sample_weight");
  if (!lua_isnil(L, -1)) {
    double *ww = check_doubles(L, lua_gettop(L), m.n, "sample_weight");
    for (int64_t k = 0; k < m.n; k++)
      if (ww[k] < 0) lerror(L, "sample_weight[%lld] is negative", LL(k + 1));
    w = ww;
  }
  const float *xt = push_xt(L, m);
  c.tp.seed = tree_seed_from(c.random_state);
  c.tp.parallel = 1;
  LTree *u = new_tree(L);
  TreeRanks rk;
  int use_ranks = c.K > 0 && c.tp.splitter == SPLIT_BEST &&
                  tree_ranks_make(&rk, xt, m.n, m.d, 1) == 0;
  c.tp.ranks = use_ranks ? &rk : NULL;
  int rc = tree_fit(&u->t, &c.tp, xt, m.n, m.d, y, c.K, w);
  if (use_ranks) tree_ranks_free(&rk);
  if (rc < 0) lerror(L, "out of memory growing the tree");
  u->fitted = 1;
  return 1;
}

/* n tree userdata in a new list (pushed), their DTree structs filled from
 * src (ownership moves) */
static void push_trees(lua_State *L, DTree *src, int n, LTree **slots) {
  for (int k = 0; k < n; k++) {
    slots[k]->t = src[k];
    slots[k]->fitted = 1;
  }
  (void)L;
}

/* a list of n fresh tree userdata pushed; their pointers in slots (a
 * userdata also pushed, below the list) */
static LTree **make_slots(lua_State *L, int n) {
  LTree **slots = lua_newuserdatauv(L, (size_t)n * sizeof *slots, 0);
  lua_createtable(L, n, 0);
  for (int k = 0; k < n; k++) {
    slots[k] = new_tree(L);
    lua_rawseti(L, -2, k + 1);
  }
  return slots;
}

static int l_forest(lua_State *L) {
  Mat m = check_x(L, 1);
  Common c = tree_opts(L, "ml_tree.forest", m.n, m.d, 0);
  const double *y = check_y(L, 2, m.n, c.K);
  ForestParams fp;
  fp.tp = c.tp;
  fp.n_estimators = (int)num_opt(L, 3, "n_estimators", 100);
  fp.bootstrap = bool_opt(L, 3, "bootstrap", 1);
  fp.max_samples = (int64_t)num_opt(L, 3, "max_samples", (double)m.n);
  fp.scheme = choice_opt(L, 3, "scheme", "forest",
                         (const char *const[]){"forest", "bagging", NULL});
  fp.n_jobs = (int)num_opt(L, 3, "n_jobs", 1);
  if (fp.n_jobs < 0) fp.n_jobs = threads_count() + 1 + fp.n_jobs;
  if (fp.n_jobs < 1) fp.n_jobs = 1;
  fp.random_state = c.random_state;
  int oob = bool_opt(L, 3, "oob", 0);
  if (fp.n_estimators < 1) lerror(L, "n_estimators must be >= 1");
  if (fp.max_samples < 1) lerror(L, "max_samples must be >= 1");
  int S = c.K > 0 ? c.K : 1;
  const float *xt = push_xt(L, m);
  DTree *tmp = lua_newuserdatauv(L, (size_t)fp.n_estimators * sizeof *tmp, 0);
  double *ob = oob ? lua_newuserdatauv(L, (size_t)m.n * S * sizeof *ob, 0) : NULL;
  int64_t *cnt = oob ? lua_newuserdatauv(L, (size_t)m.n * sizeof *cnt, 0) : NULL;
  LTree **slots = make_slots(L, fp.n_estimators);
  int list = lua_gettop(L);
  char err[ENS_ERRLEN];
  TreeRanks rk;
  int use_ranks = c.K > 0 && c.tp.splitter == SPLIT_BEST &&
                  tree_ranks_make(&rk, xt, m.n, m.d, 1) == 0;
  fp.tp.ranks = use_ranks ? &rk : NULL;
  int rc = forest_fit(tmp, &fp, xt, m.n, m.d, y, c.K, err);
  if (use_ranks) tree_ranks_free(&rk);
  if (rc < 0) lerror(L, "%s", err);
  push_trees(L, tmp, fp.n_estimators, slots);
  if (!oob) return 1;
  if (forest_oob(tmp, &fp, m.x, m.n, m.d, ob, cnt) < 0)
    lerror(L, "out of memory");
  Tensor *o = push_tensor(L, 2, (int64_t[]){m.n, S});
  for (int64_t k = 0; k < m.n * S; k++) o->data[k] = (float)(cnt[k / S] ? ob[k] / cnt[k / S] : 0);
  /* in double precision: a classifier's 0-based argmax per row (ties to
   * the first, as NumPy), a regressor's prediction */
  lua_createtable(L, (int)m.n, 0);
  for (int64_t k = 0; k < m.n; k++) {
    const double *row = ob + k * S;
    double cn = cnt[k] ? (double)cnt[k] : 1.0;
    if (c.K > 0) {
      int best = 0;
      for (int j = 1; j < S; j++) if (row[j] / cn > row[best] / cn) best = j;
      lua_pushinteger(L, best);
    } else {
      lua_pushnumber(L, row[0] / cn);
    }
    lua_rawseti(L, -2, k + 1);
  }
  lua_pushvalue(L, list);
  lua_insert(L, -3);
  return 3;
}

static void push_list(lua_State *L, const double *v, int n) {
  lua_createtable(L, n, 0);
  for (int k = 0; k < n; k++) {
    lua_pushnumber(L, v[k]);
    lua_rawseti(L, -2, k + 1);
  }
}

static int l_adaboost(lua_State *L) {
  Mat m = check_x(L, 1);
  Common c = tree_opts(L, "ml_tree.adaboost", m.n, m.d, 0);
  const double *y = check_y(L, 2, m.n, c.K);
  if (c.K < 2) lerror(L, "AdaBoost needs at least two classes");
  AdaParams ap;
  ap.tp = c.tp;
  ap.tp.parallel = 1;
  ap.n_estimators = (int)num_opt(L, 3, "n_estimators", 50);
  ap.learning_rate = num_opt(L, 3, "learning_rate", 1.0);
  ap.samme_r = choice_opt(L, 3, "algorithm", "SAMME.R",
                          (const char *const[]){"SAMME", "SAMME.R", NULL});
  ap.random_state = c.random_state;
  if (ap.n_estimators < 1) lerror(L, "n_estimators must be >= 1");
  const float *xt = push_xt(L, m);
  int N = ap.n_estimators;
  DTree *tmp = lua_newuserdatauv(L, (size_t)N * sizeof *tmp, 0);
  double *wts = lua_newuserdatauv(L, (size_t)N * 2 * sizeof *wts, 0);
  LTree **slots = make_slots(L, N);
  int list = lua_gettop(L), nf;
  char err[ENS_ERRLEN];
  if (ada_fit(tmp, &nf, wts, wts + N, &ap, m.x, xt, m.n, m.d, y, c.K, err) < 0)
    lerror(L, "%s", err);
  push_trees(L, tmp, nf, slots);
  for (int k = N; k > nf; k--) {   /* drop the unused slots */
    lua_pushnil(L);
    lua_rawseti(L, list, k);
  }
  push_list(L, wts, N);
  push_list(L, wts + N, N);
  return 3;
}

static int l_gboost(lua_State *L) {
  Mat m = check_x(L, 1);
  Common c = tree_opts(L, "ml_tree.gboost", m.n, m.d, 1);
  GBParams gp;
  gp.tp = c.tp;
  gp.tp.parallel = 1;
  gp.loss = choice_opt(L, 3, "loss", "squared_error",
                       (const char *const[]){"squared_error", "log_loss", NULL});
  int K = (int)num_opt(L, 3, "n_classes", 0);
  if (gp.loss == GB_LOG_LOSS && K < 2) lerror(L, "log_loss needs at least two classes");
  const double *y = check_doubles(L, 2, m.n, "y");
  for (int64_t k = 0; gp.loss == GB_LOG_LOSS && k < m.n; k++)
    if (y[k] != floor(y[k]) || y[k] < 0 || y[k] >= K)
      lerror(L, "y[%lld] = %g is not a class index in 0..%d", LL(k + 1), y[k], K - 1);
  gp.n_estimators = (int)num_opt(L, 3, "n_estimators", 100);
  gp.learning_rate = num_opt(L, 3, "learning_rate", 0.1);
  gp.random_state = c.random_state;
  if (gp.n_estimators < 1) lerror(L, "n_estimators must be >= 1");
  int R = gp.loss == GB_SQUARED || K == 2 ? 1 : K;
  int N = gp.n_estimators * R;
  const float *xt = push_xt(L, m);
  DTree *tmp = lua_newuserdatauv(L, (size_t)N * sizeof *tmp, 0);
  double *init = lua_newuserdatauv(L, (size_t)(R + gp.n_estimators) * sizeof *init, 0);
  LTree **slots = make_slots(L, N);
  char err[ENS_ERRLEN];
  if (gb_fit(tmp, init, init + R, &gp, m.x, xt, m.n, m.d, y, K, err) < 0)
    lerror(L, "%s", err);
  push_trees(L, tmp, N, slots);
  push_list(L, init, R);
  push_list(L, init + R, gp.n_estimators);
  return 3;
}

/* ---- predicting ------------------------------------------------------------- */

static int l_combine(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  Mat m = check_x(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  int nt = (int)luaL_len(L, 1);
  if (nt < 1) lerror(L, "no trees");
  lua_getfield(L, 3, "mode");
  const char *mode = luaL_checkstring(L, -1);   /* kept alive by opts */
  lua_pop(L, 1);
  int md = strcmp(mode, "mean") == 0 ? 0 : strcmp(mode, "samme_r") == 0 ? 1 :
           strcmp(mode, "samme") == 0 ? 2 : strcmp(mode, "raw") == 0 ? 3 : -1;
  if (md < 0) lerror(L, "unknown mode '%s'", mode);
  const DTree **ts = lua_newuserdatauv(L, (size_t)nt * sizeof *ts, 0);
  for (int k = 0; k < nt; k++) {
    lua_geti(L, 1, k + 1);
    ts[k] = &check_tree(L, -1)->t;
    lua_pop(L, 1);
    if (ts[k]->n_features != m.d)
      lerror(L, "X has %d features, the model was fitted on %d", m.d, ts[k]->n_features);
  }
  int K = ts[0]->n_classes, S = K > 0 ? K : 1;
  int R = (int)num_opt(L, 3, "R", 1);
  int outS = md == 3 ? R : S;
  double lr = num_opt(L, 3, "learning_rate", 0.1);
  double *wts = lua_newuserdatauv(L, (size_t)nt * sizeof *wts, 0);
  double *init = lua_newuserdatauv(L, (size_t)outS * sizeof *init, 0);
  double *acc = lua_newuserdatauv(L, (size_t)(outS + S) * sizeof *acc, 0);
  double *out = acc + outS;
  for (int k = 0; k < nt; k++) wts[k] = 1;
  for (int k = 0; k < outS; k++) init[k] = 0;
  lua_getfield(L, 3, "weights");
  if (!lua_isnil(L, -1))
    for (int k = 0; k < nt; k++) {
      lua_geti(L, -1, k + 1);
      wts[k] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
  lua_pop(L, 1);
  lua_getfield(L, 3, "init");
  if (!lua_isnil(L, -1))
    for (int k = 0; k < outS; k++) {
      lua_geti(L, -1, k + 1);
      init[k] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
  lua_pop(L, 1);
  double wsum = 0;
  for (int k = 0; k < nt; k++) wsum += wts[k];
  Tensor *v = push_tensor(L, 2, (int64_t[]){m.n, outS});
  Tensor *b = push_tensor(L, 1, (int64_t[]){m.n});
  for (int64_t i = 0; i < m.n; i++) {
    const float *x = m.x + i * m.d;
    for (int k = 0; k < outS; k++) acc[k] = init[k];
    for (int t = 0; t < nt; t++) {
      tree_leaf_output(ts[t], tree_apply1(ts[t], x), out);
      if (md == 0) {
        for (int k = 0; k < S; k++) acc[k] += out[k];
      } else if (md == 1) {
        double ls = 0;
        for (int k = 0; k < K; k++) {
          out[k] = log(out[k] < 2.220446049250313e-16 ? 2.220446049250313e-16 : out[k]);
          ls += out[k];
        }
        for (int k = 0; k < K; k++) acc[k] += (K - 1) * (out[k] - (1.0 / K) * ls);
      } else if (md == 2) {
        int best = 0;
        for (int k = 1; k < K; k++) if (out[k] > out[best]) best = k;
        acc[best] += wts[t];
      } else {
        acc[t % R] += lr * out[0];
      }
    }
    if (md == 0) for (int k = 0; k < outS; k++) acc[k] /= nt;
    if (md == 1 || md == 2) for (int k = 0; k < outS; k++) acc[k] /= wsum;
    int best = 0;
    for (int k = 0; k < outS; k++) {
      v->data[i * outS + k] = (float)acc[k];
      if (acc[k] > acc[best]) best = k;
    }
    b->data[i] = (float)best;
  }
  return 2;
}

/* ---- tree methods ------------------------------------------------------------ */

static int t_apply(lua_State *L) {
  LTree *u = check_tree(L, 1);
  Mat m = check_x(L, 2);
  if (m.d != u->t.n_features)
    lerror(L, "X has %d features, the model was fitted on %d", m.d, u->t.n_features);
  Tensor *o = push_tensor(L, 1, (int64_t[]){m.n});
  for (int64_t i = 0; i < m.n; i++)
    o->data[i] = (float)tree_apply1(&u->t, m.x + i * m.d);
  return 1;
}

static int t_output(lua_State *L) {
  LTree *u = check_tree(L, 1);
  lua_settop(L, 2);
  lua_createtable(L, 1, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  lua_replace(L, 1);
  lua_newtable(L);
  lua_pushstring(L, "mean");
  lua_setfield(L, -2, "mode");
  (void)u;
  return l_combine(L);
}

static void set_ints(lua_State *L, const char *k, const int64_t *v, const int *vi,
                     int64_t n) {
  lua_createtable(L, (int)n, 0);
  for (int64_t i = 0; i < n; i++) {
    lua_pushinteger(L, v ? v[i] : vi[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, k);
}

static void set_nums(lua_State *L, const char *k, const double *v, int64_t n) {
  lua_createtable(L, (int)n, 0);
  for (int64_t i = 0; i < n; i++) {
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, k);
}

static int t_arrays(lua_State *L) {
  LTree *u = check_tree(L, 1);
  const DTree *t = &u->t;
  int64_t n = t->node_count;
  int S = t->n_classes > 0 ? t->n_classes : 1;
  lua_createtable(L, 0, 10);
  lua_pushinteger(L, n);
  lua_setfield(L, -2, "node_count");
  set_ints(L, "children_left", t->left, NULL, n);
  set_ints(L, "children_right", t->right, NULL, n);
  set_ints(L, "feature", NULL, t->feature, n);
  set_nums(L, "threshold", t->threshold, n);
  set_nums(L, "impurity", t->impurity, n);
  set_ints(L, "n_node_samples", t->n_node_samples, NULL, n);
  set_nums(L, "weighted_n_node_samples", t->weighted_n, n);
  lua_createtable(L, (int)n, 0);
  for (int64_t i = 0; i < n; i++) {
    push_list(L, t->value + i * S, S);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "value");
  return 1;
}

static int t_importances(lua_State *L) {
  LTree *u = check_tree(L, 1);
  int norm = lua_isnone(L, 2) ? 1 : lua_toboolean(L, 2);
  double *v = lua_newuserdatauv(L, (size_t)u->t.n_features * sizeof *v, 0);
  tree_importances(&u->t, v, norm);
  push_list(L, v, u->t.n_features);
  return 1;
}

static int t_info(lua_State *L) {
  LTree *u = check_tree(L, 1);
  const DTree *t = &u->t;
  int64_t leaves = 0;
  for (int64_t k = 0; k < t->node_count; k++) leaves += t->left[k] < 0;
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, t->node_count);
  lua_setfield(L, -2, "node_count");
  lua_pushinteger(L, t->max_depth);
  lua_setfield(L, -2, "max_depth");
  lua_pushinteger(L, leaves);
  lua_setfield(L, -2, "n_leaves");
  lua_pushinteger(L, t->n_features);
  lua_setfield(L, -2, "n_features");
  lua_pushinteger(L, t->n_classes);
  lua_setfield(L, -2, "n_classes");
  return 1;
}

static int t_gc(lua_State *L) {
  LTree *u = luaL_checkudata(L, 1, TREE_MT);
  if (u->fitted) tree_free(&u->t);
  u->fitted = 0;
  return 0;
}

static int t_tostring(lua_State *L) {
  LTree *u = luaL_checkudata(L, 1, TREE_MT);
  lua_pushfstring(L, "tree (%d nodes)", (int)u->t.node_count);
  return 1;
}

static const luaL_Reg functions[] = {
  {"fit", l_fit}, {"forest", l_forest}, {"adaboost", l_adaboost},
  {"gboost", l_gboost}, {"combine", l_combine}, {NULL, NULL}
};
static const luaL_Reg methods[] = {
  {"apply", t_apply}, {"output", t_output}, {"arrays", t_arrays},
  {"importances", t_importances}, {"info", t_info}, {NULL, NULL}
};

int luaopen_ml_tree(lua_State *L) {
  luaL_newmetatable(L, TREE_MT);
  lua_pushcfunction(L, t_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, t_tostring);
  lua_setfield(L, -2, "__tostring");
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  return 1;
}
