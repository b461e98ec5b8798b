/* lml_tsne.c - `ml_tsne.core`, the kernels under runtime/lua/ml_tsne.lua
 * (runtime/ml/tsne.c). Tensors of either dtype are read as doubles.
 *
 *   state, beta_sum, k = new(X, Y0, method, perplexity, angle)
 *       method 'exact' | 'barnes_hut'; P is computed here (k: the
 *       neighbours per row Barnes-Hut used, n - 1 for exact)
 *   error, grad_norm = state:run(iters, momentum, lr, exaggeration,
 *       want_error)                 error NaN when not asked for
 *   state:reset()                   update 0, gains 1
 *   Y = state:embedding()           (N, dim) float32
 *   Y = pca_init(X, dim)            (N, dim) float64
 *   t = trustworthiness(X, Y, k)
 *   P = conditional(D2, perplexity) (N, K) float64 from squared distances
 *       (N, N): every other row; (N, K < N): neighbours
 *   P = joint(X, perplexity, method) (N, N) float64, dense either way
 *
 * Errors name what is wrong (NaN at a row and column, shapes); the Lua
 * side puts the estimator's name and the script line in front. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "ml/linear.h"
#include "ml/neighbors.h"
#include "ml/tsne.h"

#define LL(x) ((long long)(x))
#define TSNE_MT "workbook.tsne"

/* the 2-D tensor at i as finite doubles (a new userdata pushed) */
static double *f64_matrix(lua_State *L, int i, const char *name, int64_t *rows,
                          int64_t *cols) {
  Tensor *t = test_tensor_any(L, i);
  char b[160];
  if (!t) lerror(L, "%s must be a tensor, got a %s", name, luaL_typename(L, i));
  if (t->ndim != 2)
    lerror(L, "%s must be 2-D (samples, features), got shape %s", name,
           tensor_shape_str(t, b, sizeof b));
  if (t->shape[0] < 1 || t->shape[1] < 1)
    lerror(L, "%s is empty, shape %s", name, tensor_shape_str(t, b, sizeof b));
  int64_t n = t->shape[0], d = t->shape[1];
  double *v = lua_newuserdatauv(L, (size_t)(n * d) * sizeof *v, 0);
  for (int64_t r = 0; r < n; r++)
    for (int64_t c = 0; c < d; c++) {
      double x = tensor_load(t, r * t->stride[0] + c * t->stride[1]);
      if (!isfinite(x))
        lerror(L, "%s row %lld, column %lld is %s; values must be finite "
               "numbers", name, LL(r + 1), LL(c + 1),
               isnan(x) ? "NaN" : "infinite");
      v[r * d + c] = x;
    }
  *rows = n;
  *cols = d;
  return v;
}

static int fail_rc(lua_State *L, int rc) {
  if (rc == ML_ENOMEM) return lerror(L, "out of memory");
  return lerror(L, "LAPACK failed (the eigenvalue solver did not converge)");
}

static Tensor *push_f64(lua_State *L, int64_t r, int64_t c, const double *v) {
  int64_t shape[2] = {r, c};
  Tensor *t = push_tensor_dtype(L, 2, shape, TENSOR_F64);
  memcpy(t->f64, v, (size_t)(r * c) * sizeof *v);
  return t;
}

static int check_method(lua_State *L, int i) {
  const char *m = luaL_checkstring(L, i);
  if (strcmp(m, "exact") == 0) return 1;
  if (strcmp(m, "barnes_hut") == 0) return 0;
  return lerror(L, "method must be 'exact' or 'barnes_hut', got '%s'", m);
}

static double check_perplexity(lua_State *L, int i, int64_t n) {
  double p = luaL_checknumber(L, i);
  if (!(p > 0) || !isfinite(p))
    lerror(L, "perplexity must be a positive number, got %g", p);
  if (p >= (double)n)
    lerror(L, "perplexity (%g) must be less than the number of samples (%lld)",
           p, LL(n));
  return p;
}

/* Conditional probabilities of X's rows: exact over all rows (cond
 * n x n, *k = n) or over the 3 * perplexity + 1 nearest (cond n x k,
 * nbr n x k). Scratch memory lives in userdata pushed on the stack. */
static double *conditional_of(lua_State *L, const double *x, int64_t n,
                              int64_t d, double perp, int exact,
                              int64_t **nbr_out, int64_t *k_out,
                              double *beta_sum) {
  int64_t k;
  float *sqd;
  int rc;
  if (exact) {
    k = n;
    sqd = lua_newuserdatauv(L, (size_t)(n * n) * sizeof *sqd, 0);
    rc = tsne_sqdist(x, n, d, sqd);
    if (rc) fail_rc(L, rc);
    *nbr_out = NULL;
  } else {
    k = (int64_t)(3.0 * perp + 1.0);
    if (k > n - 1) k = n - 1;
    float *xf = lua_newuserdatauv(L, (size_t)(n * d) * sizeof *xf, 0);
    for (int64_t i = 0; i < n * d; i++) xf[i] = (float)x[i];
    int64_t *idx = lua_newuserdatauv(L, (size_t)(n * (k + 1)) * sizeof *idx, 0);
    double *dist = lua_newuserdatauv(L, (size_t)(n * (k + 1)) * sizeof *dist, 0);
    rc = knn_search(xf, n, xf, n, d, k + 1, idx, dist);
    if (rc) fail_rc(L, rc);
    /* each row without itself (or, among duplicates that hide it,
     * without its first neighbour), distances squared */
    int64_t *nbr = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *nbr, 0);
    sqd = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *sqd, 0);
    for (int64_t i = 0; i < n; i++) {
      int64_t skip = 0;
      for (int64_t a = 0; a <= k; a++)
        if (idx[i * (k + 1) + a] == i) { skip = a; break; }
      int64_t o = 0;
      for (int64_t a = 0; a <= k; a++) {
        if (a == skip) continue;
        double v = dist[i * (k + 1) + a];
        nbr[i * k + o] = idx[i * (k + 1) + a];
        sqd[i * k + o] = (float)(v * v);
        o++;
      }
    }
    *nbr_out = nbr;
  }
  double *cond = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *cond, 0);
  rc = tsne_conditional(sqd, n, k, perp, cond, beta_sum);
  if (rc) fail_rc(L, rc);
  *k_out = k;
  return cond;
}

static Tsne **check_state(lua_State *L) {
  Tsne **u = luaL_checkudata(L, 1, TSNE_MT);
  if (!*u) lerror(L, "t-SNE state already freed");
  return u;
}

static int s_gc(lua_State *L) {
  Tsne **u = luaL_checkudata(L, 1, TSNE_MT);
  tsne_free(*u);
  *u = NULL;
  return 0;
}

static int l_new(lua_State *L) {
  int64_t n, d, n2, dim;
  const double *x = f64_matrix(L, 1, "X", &n, &d);
  const double *y0 = f64_matrix(L, 2, "init", &n2, &dim);
  int exact = check_method(L, 3);
  double perp = check_perplexity(L, 4, n);
  double angle = luaL_optnumber(L, 5, 0.5);
  if (n < 2) lerror(L, "t-SNE needs at least 2 samples, got %lld", LL(n));
  if (n2 != n || dim > (exact ? 64 : 3))
    lerror(L, "init must be (n_samples, n_components) = (%lld, %lld), got "
           "(%lld, %lld)", LL(n), LL(dim), LL(n2), LL(dim));
  int64_t *nbr, k;
  double beta_sum;
  double *cond = conditional_of(L, x, n, d, perp, exact, &nbr, &k, &beta_sum);
  Tsne **u = lua_newuserdatauv(L, sizeof *u, 0);
  *u = NULL;
  luaL_setmetatable(L, TSNE_MT);
  int rc;
  if (exact) {
    double *P = malloc((size_t)(n * n) * sizeof *P);
    if (!P) return fail_rc(L, ML_ENOMEM);
    tsne_joint_dense(cond, n, P);
    *u = tsne_new_exact(n, (int)dim, P, y0);
  } else {
    int64_t *indptr;
    int32_t *cols;
    double *vals;
    rc = tsne_joint_sparse(nbr, cond, n, k, &indptr, &cols, &vals);
    if (rc) return fail_rc(L, rc);
    *u = tsne_new_bh(n, (int)dim, indptr, cols, vals, angle, y0);
  }
  if (!*u) return fail_rc(L, ML_ENOMEM);
  lua_pushnumber(L, beta_sum);
  lua_pushinteger(L, exact ? n - 1 : k);
  return 3;
}

static int s_run(lua_State *L) {
  Tsne **u = check_state(L);
  int iters = (int)luaL_checkinteger(L, 2);
  double mom = luaL_checknumber(L, 3), lr = luaL_checknumber(L, 4);
  double ex = luaL_checknumber(L, 5);
  int want = lua_toboolean(L, 6);
  double err, gn;
  int rc = tsne_run(*u, iters, mom, lr, ex, want, &err, &gn);
  if (rc) return fail_rc(L, rc);
  lua_pushnumber(L, err);
  lua_pushnumber(L, gn);
  return 2;
}

static int s_reset(lua_State *L) {
  tsne_reset(*check_state(L));
  return 0;
}

static int s_embedding(lua_State *L) {
  Tsne **u = check_state(L);
  lua_Integer n = luaL_checkinteger(L, 2), dim = luaL_checkinteger(L, 3);
  int64_t shape[2] = {n, dim};
  Tensor *t = push_tensor(L, 2, shape);
  const double *y = tsne_embedding(*u);
  for (int64_t i = 0; i < n * dim; i++) t->data[i] = (float)y[i];
  return 1;
}

static int l_pca_init(lua_State *L) {
  int64_t n, d;
  const double *x = f64_matrix(L, 1, "X", &n, &d);
  lua_Integer dim = luaL_checkinteger(L, 2);
  if (dim < 1 || dim > (n < d ? n : d))
    lerror(L, "init='pca' needs n_components <= min(n_samples, n_features) = "
           "%lld, got %lld", LL(n < d ? n : d), LL(dim));
  double *out = lua_newuserdatauv(L, (size_t)(n * dim) * sizeof *out, 0);
  int rc = tsne_pca_init(x, n, d, (int)dim, out);
  if (rc) return fail_rc(L, rc);
  push_f64(L, n, dim, out);
  return 1;
}

static int l_trust(lua_State *L) {
  int64_t n, d, n2, dy;
  const double *x = f64_matrix(L, 1, "X", &n, &d);
  const double *y = f64_matrix(L, 2, "X_embedded", &n2, &dy);
  lua_Integer k = luaL_checkinteger(L, 3);
  if (n2 != n)
    lerror(L, "X has %lld samples but X_embedded has %lld", LL(n), LL(n2));
  if (k < 1 || (double)k >= (double)n / 2)
    lerror(L, "n_neighbors (%lld) should be at least 1 and less than "
           "n_samples / 2 (%g)", LL(k), (double)n / 2);
  double t;
  int rc = tsne_trustworthiness(x, n, d, y, dy, (int)k, &t);
  if (rc) return fail_rc(L, rc);
  lua_pushnumber(L, t);
  return 1;
}

static int l_conditional(lua_State *L) {
  int64_t n, k;
  const double *dd = f64_matrix(L, 1, "distances", &n, &k);
  double perp = luaL_checknumber(L, 2);
  if (k > n) lerror(L, "distances must have at most as many columns as rows");
  float *sqd = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *sqd, 0);
  for (int64_t i = 0; i < n * k; i++) sqd[i] = (float)dd[i];
  double *p = lua_newuserdatauv(L, (size_t)(n * k) * sizeof *p, 0);
  int rc = tsne_conditional(sqd, n, k, perp, p, NULL);
  if (rc) return fail_rc(L, rc);
  push_f64(L, n, k, p);
  return 1;
}

static int l_joint(lua_State *L) {
  int64_t n, d;
  const double *x = f64_matrix(L, 1, "X", &n, &d);
  double perp = check_perplexity(L, 2, n);
  int exact = check_method(L, 3);
  int64_t *nbr, k;
  double *cond = conditional_of(L, x, n, d, perp, exact, &nbr, &k, NULL);
  int64_t shape[2] = {n, n};
  Tensor *t = push_tensor_dtype(L, 2, shape, TENSOR_F64);
  if (exact) {
    tsne_joint_dense(cond, n, t->f64);
    return 1;
  }
  int64_t *indptr;
  int32_t *cols;
  double *vals;
  int rc = tsne_joint_sparse(nbr, cond, n, k, &indptr, &cols, &vals);
  if (rc) return fail_rc(L, rc);
  for (int64_t i = 0; i < n; i++)
    for (int64_t q = indptr[i]; q < indptr[i + 1]; q++)
      t->f64[i * n + cols[q]] = vals[q];
  free(indptr);
  free(cols);
  free(vals);
  return 1;
}

static const luaL_Reg functions[] = {
  {"new", l_new}, {"pca_init", l_pca_init}, {"trustworthiness", l_trust},
  {"conditional", l_conditional}, {"joint", l_joint}, {NULL, NULL}
};
static const luaL_Reg methods[] = {
  {"run", s_run}, {"reset", s_reset}, {"embedding", s_embedding},
  {NULL, NULL}
};

int luaopen_ml_tsne(lua_State *L) {
  luaL_newmetatable(L, TSNE_MT);
  lua_pushcfunction(L, s_gc);
  lua_setfield(L, -2, "__gc");
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  return 1;
}
