/* lml_decomp.c - `ml_decomp.core`, the kernels under runtime/lua/ml_decomp.lua:
 * PCA, incremental PCA, kernel PCA, LLE, Isomap, MDS (runtime/ml/
 * decomp.c, manifold.c). Stateless: each function takes tensors and
 * returns the fitted numbers as tensors; the estimators keep them in Lua.
 * Results are float32 tensors except the state kept in float64 ("f64").
 *
 *   mean, comp (k x d), sv (r), total_var = pca(X, k, randomized,
 *       n_iter, n_oversamples, normaliser)   full: sv holds all r = min(n, d) values,
 *       comp the first k rows; randomized: k of each
 *   comp, sv, mean, var (f64), n_seen, sv_all (f64) = ipca_step(Xb, k,
 *       n_seen, comp, sv, mean, var)        (the last four f64 or nil)
 *   K = kernel(kind, X, Y, gamma, degree, coef0)       (n x m)
 *   evals (k), evecs (n x k), colmean (f64), allmean = kpca_fit(kind, X,
 *       k, gamma, degree, coef0)            kind "precomputed": X is K
 *   Z (q x k) = kpca_transform(kind, Xq, Xfit, evecs, evals, colmean,
 *       allmean, gamma, degree, coef0)
 *   dual (n x d) = kpca_inverse_fit(kind, Xt, X, alpha, gamma, degree,
 *       coef0)
 *   emb (n x p), err = lle(X, k, p, reg)
 *   emb, D (n x n), evecs, evals, colmean, allmean = isomap(X, k, p
 *       [, progress])     progress(done, n) is called while paths run
 *   Z = isomap_transform(Xfit, Xq, k, D, evecs, evals, colmean, allmean)
 *   emb, stress, n_iter = smacof(X_or_D, precomputed, init, max_iter, eps
 *       [, progress])     progress(it, stress) after each iteration (0-based)
 *
 * X must be 2-D and finite; anything else is an error naming what is
 * wrong (the Lua side puts the estimator's name and script line first). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/lml_est.h"
#include "bind/ltensor.h"
#include "ml/decomp.h"
#include "ml/linear.h"
#include "ml/manifold.h"

#define LL(x) ((long long)(x))

#define matrix_arg ml_matrix_arg

/* a tensor at i with `count` values as doubles (a scratch userdata) */
static double *doubles_arg(lua_State *L, int i, const char *name, int64_t count) {
  Tensor *t = test_tensor_any(L, i);
  if (!t || t->size != count)
    lerror(L, "%s must be a tensor of %lld values", name, LL(count));
  t = push_astype(L, t, TENSOR_F64);   /* a contiguous copy */
  double *v = lua_newuserdatauv(L, (size_t)(count > 0 ? count : 1) * sizeof *v, 0);
  memcpy(v, t->f64, (size_t)count * sizeof *v);
  lua_remove(L, -2);
  return v;
}

static double *scratch(lua_State *L, int64_t count) {
  return lua_newuserdatauv(L, (size_t)(count > 0 ? count : 1) * sizeof(double), 0);
}

/* a new (r x c) tensor (a vector of c when r is 0) of the doubles */
static void push_values(lua_State *L, const double *v, int64_t r, int64_t c,
                        int dtype) {
  int64_t shape[2] = {r, c};
  Tensor *t = r == 0 ? push_tensor_dtype(L, 1, shape + 1, dtype)
                     : push_tensor_dtype(L, 2, shape, dtype);
  for (int64_t i = 0; i < t->size; i++) tensor_store(t, i, v[i]);
}

static int fail_rc(lua_State *L, int rc, const char *what) {
  if (rc == ML_ENOMEM) return lerror(L, "%s: out of memory", what);
  if (rc == MF_DISCONNECTED)
    return lerror(L, "%s: the neighbourhood graph is not connected; raise "
                  "n_neighbors", what);
  return lerror(L, "%s: LAPACK failed (the matrix is singular or not "
                "positive definite)", what);
}

/* float32 rows as doubles */
static double *as_doubles(lua_State *L, const float *x, int64_t count) {
  double *v = scratch(L, count);
  for (int64_t i = 0; i < count; i++) v[i] = x[i];
  return v;
}

static int l_pca(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int64_t k = luaL_checkinteger(L, 2);
  int randomized = lua_toboolean(L, 3);
  int n_iter = (int)luaL_optinteger(L, 4, 7);
  int64_t over = luaL_optinteger(L, 5, 10);
  static const char *const norms[] = {"auto", "LU", "QR", "none", NULL};
  int norm = luaL_checkoption(L, 6, "auto", norms);
  int64_t r = n < d ? n : d;
  if (k < 1 || k > r)
    return lerror(L, "n_components = %lld must be between 1 and min(n_samples, "
                  "n_features) = %lld", LL(k), LL(r));
  int64_t nc = randomized ? k : r;
  double *mean = scratch(L, d), *comp = scratch(L, nc * d), *sv = scratch(L, nc);
  double tv;
  int rc = randomized ? pca_randomized(x, n, d, k, over, n_iter, norm, mean, comp, sv, &tv)
                      : pca_exact(x, n, d, k, mean, comp, sv, &tv);
  if (rc) return fail_rc(L, rc, "PCA");
  push_values(L, mean, 0, d, TENSOR_F32);
  push_values(L, comp, k, d, TENSOR_F32);
  push_values(L, sv, 0, nc, TENSOR_F32);
  lua_pushnumber(L, tv);
  return 4;
}

static int l_ipca_step(lua_State *L) {
  int64_t nb, d;
  const float *x = matrix_arg(L, 1, "X", &nb, &d);
  int64_t k = luaL_checkinteger(L, 2);
  int64_t seen = luaL_checkinteger(L, 3);
  double *comp = scratch(L, k * d), *sv = scratch(L, k);
  double *mean = scratch(L, d), *var = scratch(L, d);
  double *all = scratch(L, k + nb + 1);
  if (seen > 0) {
    memcpy(comp, doubles_arg(L, 4, "components", k * d), (size_t)(k * d) * sizeof *comp);
    memcpy(sv, doubles_arg(L, 5, "singular values", k), (size_t)k * sizeof *sv);
    memcpy(mean, doubles_arg(L, 6, "mean", d), (size_t)d * sizeof *mean);
    memcpy(var, doubles_arg(L, 7, "var", d), (size_t)d * sizeof *var);
  } else {
    memset(mean, 0, (size_t)d * sizeof *mean);
    memset(var, 0, (size_t)d * sizeof *var);
  }
  int64_t n_all = 0;
  int rc = ipca_step(x, nb, d, k, comp, sv, mean, var, &seen, all, &n_all);
  if (rc) return fail_rc(L, rc, "IncrementalPCA");
  push_values(L, comp, k, d, TENSOR_F64);
  push_values(L, sv, 0, k, TENSOR_F64);
  push_values(L, mean, 0, d, TENSOR_F64);
  push_values(L, var, 0, d, TENSOR_F64);
  lua_pushinteger(L, seen);
  push_values(L, all, 0, n_all, TENSOR_F64);
  return 6;
}

static int kernel_kind(lua_State *L, int i) {
  static const char *const names[] = {"linear", "poly", "rbf", "sigmoid",
                                      "cosine", "precomputed", NULL};
  return luaL_checkoption(L, i, NULL, names);
}
#define KER_PRECOMPUTED 5

static int l_kernel(lua_State *L) {
  int kind = kernel_kind(L, 1);
  int64_t n, d, m, d2;
  const float *x = matrix_arg(L, 2, "X", &n, &d);
  const float *y = matrix_arg(L, 3, "Y", &m, &d2);
  if (d != d2) return lerror(L, "X has %lld features, Y has %lld", LL(d), LL(d2));
  double *xd = as_doubles(L, x, n * d), *yd = as_doubles(L, y, m * d);
  double *K = scratch(L, n * m);
  int rc = kernel_matrix(kind, xd, n, yd, m, d, luaL_checknumber(L, 4),
                         luaL_checknumber(L, 5), luaL_checknumber(L, 6), K);
  if (rc) return fail_rc(L, rc, "kernel");
  push_values(L, K, n, m, TENSOR_F32);
  return 1;
}

static int l_kpca_fit(lua_State *L) {
  int kind = kernel_kind(L, 1);
  int64_t n, d;
  const float *x = matrix_arg(L, 2, kind == KER_PRECOMPUTED ? "K" : "X", &n, &d);
  int64_t k = luaL_checkinteger(L, 3);
  double *K;
  if (kind == KER_PRECOMPUTED) {
    if (n != d)
      return lerror(L, "a precomputed kernel must be square, got %lld x %lld",
                    LL(n), LL(d));
    K = as_doubles(L, x, n * n);
  } else {
    double *xd = as_doubles(L, x, n * d);
    K = scratch(L, n * n);
    int rc = kernel_matrix(kind, xd, n, xd, n, d, luaL_checknumber(L, 4),
                           luaL_checknumber(L, 5), luaL_checknumber(L, 6), K);
    if (rc) return fail_rc(L, rc, "KernelPCA");
  }
  if (k < 1 || k > n) return lerror(L, "n_components = %lld must be 1 .. %lld", LL(k), LL(n));
  double *cm = scratch(L, n), *ev = scratch(L, k), *vec = scratch(L, n * k);
  double all;
  int rc = kpca_fit(K, n, k, cm, &all, ev, vec);
  if (rc) return fail_rc(L, rc, "KernelPCA");
  push_values(L, ev, 0, k, TENSOR_F32);
  push_values(L, vec, n, k, TENSOR_F32);
  push_values(L, cm, 0, n, TENSOR_F64);
  lua_pushnumber(L, all);
  return 4;
}

/* Z (q x k) = centred K (q x n) times evecs / sqrt(evals) (zero ones 0) */
static void project(lua_State *L, double *K, int64_t q, int64_t n, int ievecs,
                    int ievals, int icm, int iall) {
  double all = luaL_checknumber(L, iall);
  Tensor *vt = test_tensor_any(L, ievecs);
  if (!vt || vt->ndim != 2 || vt->shape[0] != n)
    lerror(L, "eigenvectors must be (%lld, k)", LL(n));
  int64_t k = vt->shape[1];
  double *vec = doubles_arg(L, ievecs, "eigenvectors", n * k);
  double *ev = doubles_arg(L, ievals, "eigenvalues", k);
  double *cm = doubles_arg(L, icm, "column means", n);
  kpca_centre(K, q, n, cm, all);
  for (int64_t c = 0; c < k; c++) {
    double s = ev[c] > 0 ? 1 / sqrt(ev[c]) : 0;
    for (int64_t i = 0; i < n; i++) vec[i * k + c] *= s;
  }
  double *z = scratch(L, q * k);
  for (int64_t i = 0; i < q; i++)
    for (int64_t c = 0; c < k; c++) {
      double acc = 0;
      for (int64_t j = 0; j < n; j++) acc += K[i * n + j] * vec[j * k + c];
      z[i * k + c] = acc;
    }
  push_values(L, z, q, k, TENSOR_F32);
}

static int l_kpca_transform(lua_State *L) {
  int kind = kernel_kind(L, 1);
  int64_t q, d, n, d2;
  const float *xq = matrix_arg(L, 2, kind == KER_PRECOMPUTED ? "K" : "X", &q, &d);
  double *K;
  if (kind == KER_PRECOMPUTED) {
    Tensor *vt = test_tensor_any(L, 4);
    n = vt ? vt->shape[0] : 0;
    if (d != n)
      return lerror(L, "the precomputed kernel has %lld columns, the model was "
                    "fitted on %lld samples", LL(d), LL(n));
    K = as_doubles(L, xq, q * n);
  } else {
    const float *xf = matrix_arg(L, 3, "X_fit", &n, &d2);
    double *a = as_doubles(L, xq, q * d), *b = as_doubles(L, xf, n * d);
    K = scratch(L, q * n);
    int rc = kernel_matrix(kind, a, q, b, n, d, luaL_checknumber(L, 8),
                           luaL_checknumber(L, 9), luaL_checknumber(L, 10), K);
    if (rc) return fail_rc(L, rc, "KernelPCA");
  }
  project(L, K, q, n, 4, 5, 6, 7);
  return 1;
}

static int l_kpca_inverse_fit(lua_State *L) {
  int kind = kernel_kind(L, 1);
  int64_t n, k, n2, d;
  const float *xt = matrix_arg(L, 2, "X_transformed", &n, &k);
  const float *x = matrix_arg(L, 3, "X", &n2, &d);
  double alpha = luaL_checknumber(L, 4);
  double *a = as_doubles(L, xt, n * k), *K = scratch(L, n * n);
  int rc = kernel_matrix(kind, a, n, a, n, k, luaL_checknumber(L, 5),
                         luaL_checknumber(L, 6), luaL_checknumber(L, 7), K);
  if (rc) return fail_rc(L, rc, "KernelPCA");
  for (int64_t i = 0; i < n; i++) K[i * n + i] += alpha;
  double *B = as_doubles(L, x, n * d);
  if (solve_pos(K, n, B, d))
    return fail_rc(L, ML_ELAPACK, "KernelPCA inverse transform (raise alpha)");
  push_values(L, B, n, d, TENSOR_F32);
  return 1;
}

static int l_lle(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int64_t k = luaL_checkinteger(L, 2), p = luaL_checkinteger(L, 3);
  double reg = luaL_checknumber(L, 4);
  if (k < 1 || k >= n) return lerror(L, "n_neighbors = %lld must be 1 .. %lld", LL(k), LL(n - 1));
  if (p < 1 || p >= n) return lerror(L, "n_components = %lld must be 1 .. %lld", LL(p), LL(n - 1));
  double *emb = scratch(L, n * p), err;
  int rc = lle_fit(x, n, d, k, p, reg, emb, &err);
  if (rc) return fail_rc(L, rc, "LocallyLinearEmbedding");
  push_values(L, emb, n, p, TENSOR_F32);
  lua_pushnumber(L, err);
  return 2;
}

typedef struct { lua_State *L; int fn; } Progress;

static void call_progress(void *arg, int64_t done, int64_t n) {
  Progress *p = arg;
  lua_pushvalue(p->L, p->fn);
  lua_pushinteger(p->L, done);
  lua_pushinteger(p->L, n);
  lua_call(p->L, 2, 0);
}

static int l_isomap(lua_State *L) {
  int64_t n, d;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int64_t k = luaL_checkinteger(L, 2), p = luaL_checkinteger(L, 3);
  if (k < 1 || k >= n) return lerror(L, "n_neighbors = %lld must be 1 .. %lld", LL(k), LL(n - 1));
  if (p < 1 || p > n) return lerror(L, "n_components = %lld must be 1 .. %lld", LL(p), LL(n));
  Progress pr = {L, 4};
  int has = lua_isfunction(L, 4);
  double *D = scratch(L, n * n);
  int rc = isomap_paths(x, n, d, k, D, has ? call_progress : NULL, &pr);
  if (rc) return fail_rc(L, rc, "Isomap");
  double *G = scratch(L, n * n);
  for (int64_t i = 0; i < n * n; i++) G[i] = -0.5 * D[i] * D[i];
  double *cm = scratch(L, n), *ev = scratch(L, p), *vec = scratch(L, n * p), all;
  if ((rc = kpca_fit(G, n, p, cm, &all, ev, vec))) return fail_rc(L, rc, "Isomap");
  double *emb = scratch(L, n * p);
  for (int64_t i = 0; i < n; i++)
    for (int64_t c = 0; c < p; c++) emb[i * p + c] = vec[i * p + c] * sqrt(ev[c]);
  push_values(L, emb, n, p, TENSOR_F32);
  push_values(L, D, n, n, TENSOR_F32);
  push_values(L, vec, n, p, TENSOR_F32);
  push_values(L, ev, 0, p, TENSOR_F32);
  push_values(L, cm, 0, n, TENSOR_F64);
  lua_pushnumber(L, all);
  return 6;
}

static int l_isomap_transform(lua_State *L) {
  int64_t n, d, q, d2;
  const float *xf = matrix_arg(L, 1, "X_fit", &n, &d);
  const float *xq = matrix_arg(L, 2, "X", &q, &d2);
  int64_t k = luaL_checkinteger(L, 3);
  if (d != d2) return lerror(L, "X has %lld features, the model %lld", LL(d2), LL(d));
  double *D = doubles_arg(L, 4, "dist_matrix_", n * n);
  double *G = scratch(L, q * n);
  int rc = isomap_extend(xf, n, xq, q, d, k, D, G);
  if (rc) return fail_rc(L, rc, "Isomap");
  for (int64_t i = 0; i < q * n; i++) G[i] = -0.5 * G[i] * G[i];
  project(L, G, q, n, 5, 6, 7, 8);
  return 1;
}

/* smacof's progress: the Lua function at index fn under a protected
 * call, so an error in it (or an interrupt) first lets the C side free
 * its buffers; the error is left on the stack and rethrown */
static int call_iter(void *arg, int it, double stress) {
  Progress *p = arg;
  lua_pushvalue(p->L, p->fn);
  lua_pushinteger(p->L, it);
  lua_pushnumber(p->L, stress);
  return lua_pcall(p->L, 2, 0, 0) != LUA_OK;
}

static int l_smacof(lua_State *L) {
  int64_t n, d, n2, p;
  const float *x = matrix_arg(L, 1, "X", &n, &d);
  int pre = lua_toboolean(L, 2);
  const float *init = matrix_arg(L, 3, "init", &n2, &p);
  int max_iter = (int)luaL_checkinteger(L, 4);
  double eps = luaL_checknumber(L, 5);
  if (n2 != n)
    return lerror(L, "init has %lld rows, X has %lld", LL(n2), LL(n));
  double *D;
  if (pre) {
    if (n != d)
      return lerror(L, "precomputed dissimilarities must be square, got %lld x %lld",
                    LL(n), LL(d));
    D = as_doubles(L, x, n * n);
    /* symmetric up to float32 rounding, then made exactly so */
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = i + 1; j < n; j++) {
        double a = D[i * n + j], b = D[j * n + i];
        if (fabs(a - b) > 1e-6 * fmax(fabs(a), fabs(b)))
          return lerror(L, "precomputed dissimilarities must be symmetric "
                        "(row %lld, column %lld differs)", LL(i + 1), LL(j + 1));
        D[i * n + j] = D[j * n + i] = (a + b) / 2;
      }
  } else {
    D = scratch(L, n * n);
    mf_distances(x, n, d, D);
  }
  double *X = as_doubles(L, init, n * p), stress;
  int it;
  Progress pr = {L, 6};
  int rc = smacof(D, n, p, X, max_iter, eps, &stress, &it,
                  lua_isfunction(L, 6) ? call_iter : NULL, &pr);
  if (rc == MF_STOPPED) return lua_error(L);
  if (rc) return fail_rc(L, rc, "MDS");
  push_values(L, X, n, p, TENSOR_F32);
  lua_pushnumber(L, stress);
  lua_pushinteger(L, it);
  return 3;
}

static const luaL_Reg functions[] = {
  {"pca", l_pca}, {"ipca_step", l_ipca_step}, {"kernel", l_kernel},
  {"kpca_fit", l_kpca_fit}, {"kpca_transform", l_kpca_transform},
  {"kpca_inverse_fit", l_kpca_inverse_fit}, {"lle", l_lle},
  {"isomap", l_isomap}, {"isomap_transform", l_isomap_transform},
  {"smacof", l_smacof}, {NULL, NULL}};

int luaopen_ml_decomp(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
