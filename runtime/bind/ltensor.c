/* ltensor.c - the `tensor` Lua module: N-d tensors of float32 (the
 * default) or float64.
 *
 * A tensor is a full userdata holding a Tensor header. An owner keeps its
 * elements right after the header (one allocation, owned by the Lua GC); a
 * view points into its owner's elements and keeps the owner alive through
 * user value 1. Positions and axes are 1-based, as everywhere in Lua;
 * negative ones count from the end.
 *
 * dtypes: check_tensor/to_tensor/test_tensor, which every other binding
 * uses, hand out float32 tensors only and raise "expects a float32
 * tensor, got float64" for the others, so no float32 kernel ever reads
 * doubles. The functions here that handle both use the _any variants.
 * Binary operations promote as NumPy does: float32 op float64 is
 * float64; a Lua number (or table) takes the tensor operand's dtype. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "bind/ltensor_ext.h"
#include "core/tensor.h"

typedef struct LTensor {
  Tensor t;
  int owner;            /* 1: elements follow; 0: a view (user value 1) */
  double buf[];         /* double-aligned; float32 tensors use it as floats */
} LTensor;


/* ---- construction ----------------------------------------------------- */

static void new_metatable(lua_State *L);

/* Give the userdata on top its metatable, making that on first use (a
 * module such as idx may create tensors before anyone required tensor). */
static void set_metatable(lua_State *L) {
  if (luaL_getmetatable(L, LTENSOR_MT) == LUA_TNIL) {
    lua_pop(L, 1);
    new_metatable(L);
  }
  lua_setmetatable(L, -2);
}

Tensor *test_tensor_any(lua_State *L, int i) {
  LTensor *lt = luaL_testudata(L, i, LTENSOR_MT);
  return lt ? &lt->t : NULL;
}

/* t is not float32: say which function wanted float32 (the running C
 * function's name as it was called; a runtime file's local name for a
 * kernel would mean nothing to the script, so only fields, methods and
 * globals are named) */
static void dtype_error(lua_State *L, const Tensor *t) {
  lua_Debug ar;
  const char *fn = NULL;
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat &&
      (!strcmp(ar.namewhat, "field") || !strcmp(ar.namewhat, "method") ||
       !strcmp(ar.namewhat, "global")))
    fn = ar.name;
  lerror(L, "%s%sexpects a float32 tensor, got %s; use t:float()", fn ? fn : "",
         fn ? ": " : "", tensor_dtype_name(t->dtype));
}

Tensor *test_tensor(lua_State *L, int i) {
  Tensor *t = test_tensor_any(L, i);
  if (t && t->dtype != TENSOR_F32) dtype_error(L, t);
  return t;
}

static void check_dot_call(lua_State *L, int i);

Tensor *check_tensor_any(lua_State *L, int i) {
  Tensor *t = test_tensor_any(L, i);
  if (t) return t;
  check_dot_call(L, i);
  return &((LTensor *)luaL_checkudata(L, i, LTENSOR_MT))->t;
}

Tensor *check_tensor(lua_State *L, int i) {
  Tensor *t = check_tensor_any(L, i);
  if (t->dtype != TENSOR_F32) dtype_error(L, t);
  return t;
}

int check_dtype_name(lua_State *L, const char *fn, const char *name) {
  if (strcmp(name, "float32") == 0) return TENSOR_F32;
  if (strcmp(name, "float64") == 0) return TENSOR_F64;
  return lerror(L, "%s: dtype must be \"float32\" or \"float64\", got \"%s\"", fn, name);
}

int opt_dtype(lua_State *L, int i, const char *fn, int dflt) {
  static const OptSpec spec[] = {{"dtype", OPT_STRING}, {NULL, 0}};
  if (lua_isnoneornil(L, i)) return dflt;
  check_options(L, i, fn, spec, 0);
  lua_getfield(L, i, "dtype");
  int d = lua_isnil(L, -1) ? dflt : check_dtype_name(L, fn, lua_tostring(L, -1));
  lua_pop(L, 1);
  return d;
}

Tensor *push_tensor(lua_State *L, int ndim, const int64_t *shape) {
  return push_tensor_dtype(L, ndim, shape, TENSOR_F32);
}

static Tensor *push_new(lua_State *L, int ndim, const int64_t *shape,
                        int dtype, int zero);

Tensor *push_tensor_dtype(lua_State *L, int ndim, const int64_t *shape, int dtype) {
  return push_new(L, ndim, shape, dtype, 1);
}

Tensor *push_tensor_uninit(lua_State *L, int ndim, const int64_t *shape, int dtype) {
  return push_new(L, ndim, shape, dtype, 0);
}

static Tensor *push_new(lua_State *L, int ndim, const int64_t *shape,
                        int dtype, int zero) {
  Tensor probe;
  char err[TENSOR_ERRLEN];
  if (tensor_init(&probe, NULL, ndim, shape, err)) lerror(L, "%s", err);
  probe.dtype = dtype;
  /* size <= 2^40 (tensor_init), so size * 8 cannot overflow */
  size_t esize = tensor_esize(&probe);
  size_t bytes = sizeof(LTensor) + (size_t)probe.size * esize;
  /* a request larger than the machine's memory is a located error with
   * the shape and the size, not Lua's bare "not enough memory" */
  static double phys;
  if (phys == 0) {
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGE_SIZE);
    phys = pages > 0 && psize > 0 ? (double)pages * (double)psize : 1e300;
  }
  if ((double)probe.size * esize > phys) {
    char sh[128];
    tensor_shape_str(&probe, sh, sizeof sh);
    lerror(L, "tensor of shape %s needs %.0f bytes (%.1f GiB), more than this "
           "machine's memory (%.1f GiB)", sh, (double)probe.size * esize,
           (double)probe.size * esize / 1073741824.0, phys / 1073741824.0);
  }
  LTensor *lt = lua_newuserdatauv(L, bytes, 1);
  lt->owner = 1;
  tensor_init(&lt->t, (float *)lt->buf, ndim, shape, err);
  lt->t.dtype = dtype;
  if (zero && probe.size) memset(lt->buf, 0, (size_t)probe.size * esize);
#ifdef WB_POISON_UNINIT
  /* the sanitizer build fills "uninitialised" tensors with 0xFF bytes
   * (NaN for floats), so a kernel that fails to write an element of its
   * output shows up as a NaN in the suite instead of a lucky zero */
  else if (probe.size) memset(lt->buf, 0xFF, (size_t)probe.size * esize);
#endif
  set_metatable(L);
  return &lt->t;
}

/* Push a view of the tensor at index i described by v (data inside i's
 * storage). */
static Tensor *push_view(lua_State *L, int i, const Tensor *v) {
  i = lua_absindex(L, i);
  LTensor *src = luaL_checkudata(L, i, LTENSOR_MT);
  LTensor *lt = lua_newuserdatauv(L, sizeof(LTensor), 1);
  lt->t = *v;
  lt->owner = 0;
  if (src->owner) lua_pushvalue(L, i);
  else lua_getiuservalue(L, i, 1);
  lua_setiuservalue(L, -2, 1);
  set_metatable(L);
  return &lt->t;
}

/* A new contiguous tensor with t's shape, dtype and values. */
static Tensor *push_copy(lua_State *L, const Tensor *t) {
  /* tensor_gather writes every element */
  Tensor *c = push_tensor_uninit(L, t->ndim, t->shape, t->dtype);
  tensor_gather(t, c->data);
  return c;
}

Tensor *push_astype(lua_State *L, const Tensor *t, int dtype) {
  if (t->dtype == dtype) return push_copy(L, t);
  Tensor *c = push_tensor_uninit(L, t->ndim, t->shape, dtype);  /* all converted */
  tensor_convert(t, c);
  return c;
}

Tensor *as_dtype(lua_State *L, Tensor *t, int dtype) {
  return t->dtype == dtype ? t : push_astype(L, t, dtype);
}

Tensor *contiguous_tensor(lua_State *L, int i, int *pushed) {
  Tensor *t = check_tensor(L, i);
  if (tensor_is_contiguous(t)) { *pushed = 0; return t; }
  *pushed = 1;
  return push_copy(L, t);
}

static lua_Integer check_int(lua_State *L, int i, const char *what) {
  int isnum;
  lua_Integer v = lua_tointegerx(L, i, &isnum);
  if (!isnum) {
    if (lua_type(L, i) == LUA_TNUMBER)
      lerror(L, "%s must be an integer, got %s", what, lua_tostring(L, i));
    luaL_typeerror(L, i, "integer");
  }
  return v;
}

int check_shape(lua_State *L, int i, int64_t *shape, int positive) {
  int n = 0;
  if (lua_istable(L, i)) {
    lua_Integer len = luaL_len(L, i);
    if (len > TENSOR_MAXDIM)
      lerror(L, "at most %d dimensions, got %lld", TENSOR_MAXDIM, (long long)len);
    n = len < 0 ? 0 : (int)len;
    for (int d = 0; d < n; d++) {
      lua_geti(L, i, d + 1);
      int isnum;
      lua_Integer v = lua_tointegerx(L, -1, &isnum);
      if (!isnum) {
        /* a whole float past the integers (1e300) is not converted */
        double x = lua_tonumber(L, -1);
        if (lua_isnumber(L, -1) && x == floor(x))
          lerror(L, "shape entry %d is too large, got %s", d + 1,
                 luaL_tolstring(L, -1, NULL));
        lerror(L, "shape entry %d must be an integer, got %s", d + 1,
               luaL_tolstring(L, -1, NULL));
      }
      shape[d] = v;
      lua_pop(L, 1);
    }
  } else {
    int top = lua_gettop(L);
    if (top - i + 1 > TENSOR_MAXDIM) lerror(L, "at most %d dimensions", TENSOR_MAXDIM);
    for (int k = i; k <= top; k++) shape[n++] = check_int(L, k, "size");
  }
  for (int d = 0; d < n; d++)
    if (shape[d] < 0 || (positive && shape[d] == 0))
      lerror(L, "size %d must be %s, got %lld", d + 1,
                 positive ? "positive" : "non-negative", (long long)shape[d]);
  return n;
}

/* ---- nested tables ---------------------------------------------------- */

static void table_shape(lua_State *L, int i, int *ndim, int64_t *shape) {
  *ndim = 0;
  lua_pushvalue(L, i);
  while (lua_istable(L, -1)) {
    if (*ndim == TENSOR_MAXDIM) lerror(L, "tensor: nested deeper than %d levels", TENSOR_MAXDIM);
    shape[(*ndim)++] = (int64_t)luaL_len(L, -1);
    lua_geti(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
}

/* Fill dst from the nested table at the top of the stack, checking that
 * it is rectangular and numeric. path holds the 1-based position. */
static void table_fill(lua_State *L, int depth, int ndim,
                       const int64_t *shape, const Tensor *dst, int64_t *at,
                       int *path) {
  if (depth == ndim) {
    int isnum;
    lua_Number v = lua_tonumberx(L, -1, &isnum);
    if (!isnum) {
      char pos[96] = "";
      for (int d = 0, k = 0; d < ndim; d++)
        k += snprintf(pos + k, sizeof pos - (size_t)k, "[%d]", path[d]);
      lerror(L, "tensor: element %s is a %s, expected a number", pos,
                 luaL_typename(L, -1));
    }
    tensor_store(dst, (*at)++, v);
    return;
  }
  if (!lua_istable(L, -1) || (int64_t)luaL_len(L, -1) != shape[depth]) {
    char pos[96] = "";
    for (int d = 0, k = 0; d < depth; d++)
      k += snprintf(pos + k, sizeof pos - (size_t)k, "[%d]", path[d]);
    lerror(L, "tensor: ragged nested table at %s: expected %lld elements, got %s",
               depth ? pos : "top level", (long long)shape[depth],
               lua_istable(L, -1) ? lua_pushfstring(L, "%d", (int)luaL_len(L, -1))
                                  : luaL_typename(L, -1));
  }
  for (int64_t k = 1; k <= shape[depth]; k++) {
    path[depth] = (int)k;
    lua_geti(L, -1, k);
    table_fill(L, depth + 1, ndim, shape, dst, at, path);
    lua_pop(L, 1);
  }
}

static Tensor *push_from_table(lua_State *L, int i, int dtype) {
  int ndim;
  int64_t shape[TENSOR_MAXDIM], k = 0;
  i = lua_absindex(L, i);
  table_shape(L, i, &ndim, shape);
  Tensor *t = push_tensor_dtype(L, ndim, shape, dtype);
  int path[TENSOR_MAXDIM];
  lua_pushvalue(L, i);
  table_fill(L, 0, ndim, shape, t, &k, path);
  lua_pop(L, 1);
  return t;
}

Tensor *to_tensor_any(lua_State *L, int i, int dtype) {
  Tensor *t = test_tensor_any(L, i);
  if (t) return t;
  if (lua_type(L, i) == LUA_TNUMBER) {
    t = push_tensor_dtype(L, 0, NULL, dtype);
    tensor_store(t, 0, lua_tonumber(L, i));
    return t;
  }
  if (lua_istable(L, i)) return push_from_table(L, i, dtype);
  luaL_typeerror(L, i, "tensor, number or table");
  return NULL;
}

Tensor *to_tensor(lua_State *L, int i) {
  Tensor *t = to_tensor_any(L, i, TENSOR_F32);
  if (t->dtype != TENSOR_F32) dtype_error(L, t);
  return t;
}

/* The dtype of a binary operation on the values at i and j: float64 when
 * either is a float64 tensor (numbers and tables adapt). */
int result_dtype(lua_State *L, int i, int j) {
  Tensor *a = test_tensor_any(L, i), *b = test_tensor_any(L, j);
  return (a && a->dtype == TENSOR_F64) || (b && b->dtype == TENSOR_F64)
         ? TENSOR_F64 : TENSOR_F32;
}

/* the value at i as a tensor of dtype: a tensor of another dtype is
 * converted (pushed), numbers and tables are made in dtype (pushed) */
Tensor *to_tensor_as(lua_State *L, int i, int dtype) {
  return as_dtype(L, to_tensor_any(L, i, dtype), dtype);
}

/* ---- module functions: creation ---------------------------------------- */

/* tensor(x[, {dtype}]) / tensor.new: a copy of a tensor (its dtype
 * unless one is given), or a tensor from a number or nested table */
static int t_new(lua_State *L) {
  Tensor *src = test_tensor_any(L, 1);
  int dtype = opt_dtype(L, 2, "tensor", src ? src->dtype : TENSOR_F32);
  if (src) { push_astype(L, src, dtype); return 1; }
  if (lua_type(L, 1) != LUA_TNUMBER) luaL_checktype(L, 1, LUA_TTABLE);
  to_tensor_any(L, 1, dtype);
  return 1;
}

/* an options table (not a shape list) as the last argument of a
 * creation function: its dtype, and it is removed from the stack */
static int trailing_dtype(lua_State *L, int first, const char *fn) {
  int top = lua_gettop(L);
  if (top <= first || !lua_istable(L, top) || lua_rawlen(L, top) > 0) return TENSOR_F32;
  int d = opt_dtype(L, top, fn, TENSOR_F32);
  lua_settop(L, top - 1);
  return d;
}

static Tensor *push_shaped(lua_State *L, int i, const char *fn) {
  int dtype = trailing_dtype(L, i, fn);
  int64_t shape[TENSOR_MAXDIM];
  int n = check_shape(L, i, shape, 0);
  return push_tensor_dtype(L, n, shape, dtype);
}

static int t_zeros(lua_State *L) { push_shaped(L, 1, "zeros"); return 1; }
static int t_ones(lua_State *L) {
  Tensor *t = push_shaped(L, 1, "ones");
  tensor_fill(t, 1.0);
  return 1;
}
static int t_full(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  double v = luaL_checknumber(L, 2);
  int dtype = opt_dtype(L, 3, "full", TENSOR_F32);
  lua_settop(L, 1);
  int64_t shape[TENSOR_MAXDIM];
  int n = check_shape(L, 1, shape, 0);
  Tensor *t = push_tensor_dtype(L, n, shape, dtype);
  tensor_fill(t, v);
  return 1;
}

static int t_arange(lua_State *L) {
  int dtype = trailing_dtype(L, 1, "arange");
  double start = 0, stop, step = 1;
  if (lua_isnoneornil(L, 2)) stop = luaL_checknumber(L, 1);
  else {
    start = luaL_checknumber(L, 1);
    stop = luaL_checknumber(L, 2);
    step = luaL_optnumber(L, 3, 1);
  }
  if (step == 0) return lerror(L, "arange: step must not be zero");
  double cnt = ceil((stop - start) / step);
  if (!(cnt < 1e10)) return lerror(L, "arange: too many elements");
  int64_t n = cnt > 0 ? (int64_t)cnt : 0;
  Tensor *t = push_tensor_uninit(L, 1, &n, dtype);   /* all n stored */
  for (int64_t i = 0; i < n; i++) tensor_store(t, i, start + (double)i * step);
  return 1;
}

/* rand/randn(shape[, {dtype}]): float64 draws use 53 random bits */
static int t_rand(lua_State *L) {
  Tensor *t = push_shaped(L, 1, "rand");
  if (t->dtype == TENSOR_F64)
    for (int64_t i = 0; i < t->size; i++) t->f64[i] = tensor_rand_uniform();
  else tensor_rand_uniform_floats(t->data, t->size);
  return 1;
}
static int t_randn(lua_State *L) {
  Tensor *t = push_shaped(L, 1, "randn");
  for (int64_t i = 0; i < t->size; i++) tensor_store(t, i, tensor_rand_normal());
  return 1;
}
/* randperm(n): 1..n shuffled (Fisher-Yates on the runtime's RNG) */
static int t_randperm(lua_State *L) {
  int64_t n = check_int(L, 1, "n");
  if (n < 0) return lerror(L, "randperm: n must be non-negative, got %lld", (long long)n);
  Tensor *t = push_tensor_uninit(L, 1, &n, TENSOR_F32);   /* all n stored */
  for (int64_t i = 0; i < n; i++) t->data[i] = (float)(i + 1);
  for (int64_t i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)(tensor_rand_u64() % (uint64_t)(i + 1));
    float tmp = t->data[i];
    t->data[i] = t->data[j];
    t->data[j] = tmp;
  }
  return 1;
}

static int t_seed(lua_State *L) {
  tensor_seed((uint64_t)check_int(L, 1, "seed"));
  return 0;
}
static int t_eye(lua_State *L) {
  int64_t n = check_int(L, 1, "size");
  if (n < 0) return lerror(L, "eye: size must be non-negative, got %lld", (long long)n);
  int dtype = opt_dtype(L, 2, "eye", TENSOR_F32);
  int64_t shape[2] = {n, n};
  Tensor *t = push_tensor_dtype(L, 2, shape, dtype);
  for (int64_t i = 0; i < n; i++) tensor_store(t, i * n + i, 1);
  return 1;
}
static int t_is_tensor(lua_State *L) {
  lua_pushboolean(L, test_tensor_any(L, 1) != NULL);
  return 1;
}

/* ---- indexing ------------------------------------------------------- */

/* Turn a 1-based (or negative) position into 0-based, or raise. */
static int64_t check_pos(lua_State *L, lua_Integer i, int64_t n, int dim) {
  int64_t p = i < 0 ? n + i : i - 1;
  if (i == 0 || p < 0 || p >= n)
    lerror(L, "index %lld out of range 1..%lld for dimension %d",
               (long long)i, (long long)n, dim);
  return p;
}

static int check_axis(lua_State *L, int i, int ndim) {
  lua_Integer a = check_int(L, i, "axis");
  if (a == 0 || a > ndim || a < -ndim)
    lerror(L, "axis %lld out of range 1..%d (or -1..-%d)", (long long)a, ndim, ndim);
  return (int)(a < 0 ? ndim + a : a - 1);
}

static int m_get(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int n = lua_gettop(L) - 1;
  if (n != t->ndim)
    return lerror(L, "get: %d indices given for a %d-d tensor", n, t->ndim);
  int64_t off = 0;
  for (int d = 0; d < n; d++)
    off += check_pos(L, check_int(L, d + 2, "index"), t->shape[d], d + 1) * t->stride[d];
  lua_pushnumber(L, tensor_load(t, off));
  return 1;
}

static int m_set(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int n = lua_gettop(L) - 2;
  if (n != t->ndim)
    return lerror(L, "set: %d indices given for a %d-d tensor (then the value)", n, t->ndim);
  double v = luaL_checknumber(L, n + 2);
  int64_t off = 0;
  for (int d = 0; d < n; d++)
    off += check_pos(L, check_int(L, d + 2, "index"), t->shape[d], d + 1) * t->stride[d];
  tensor_store(t, off, v);
  return 0;
}

static Tensor *push_select(lua_State *L, int i, int dim, int64_t pos) {
  Tensor *t = check_tensor_any(L, i), v;
  v.data = tensor_ptr(t, pos * t->stride[dim]);
  v.dtype = t->dtype;
  v.ndim = t->ndim - 1;
  v.size = t->shape[dim] ? t->size / t->shape[dim] : 0;
  for (int d = 0, k = 0; d < t->ndim; d++)
    if (d != dim) { v.shape[k] = t->shape[d]; v.stride[k++] = t->stride[d]; }
  return push_view(L, i, &v);
}

static int m_select(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (t->ndim == 0) return lerror(L, "select: a 0-d tensor has no dimensions");
  int dim = check_axis(L, 2, t->ndim);
  int64_t pos = check_pos(L, check_int(L, 3, "index"), t->shape[dim], dim + 1);
  push_select(L, 1, dim, pos);
  return 1;
}

/* slice(dim, first, last[, step]): positions first..last inclusive */
static int m_slice(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (t->ndim == 0) return lerror(L, "slice: a 0-d tensor has no dimensions");
  int dim = check_axis(L, 2, t->ndim);
  int64_t n = t->shape[dim];
  lua_Integer first = luaL_optinteger(L, 3, 1), last = luaL_optinteger(L, 4, -1);
  lua_Integer step = luaL_optinteger(L, 5, 1);
  if (step <= 0) return lerror(L, "slice: step must be positive, got %lld", (long long)step);
  int64_t a = first < 0 ? n + first : first - 1;
  int64_t b = last < 0 ? n + last : last - 1;
  if (first == 0 || last == 0 || a < 0 || a >= n || b < -1 || b >= n)
    return lerror(L, "slice %lld..%lld out of range 1..%lld for dimension %d",
                      (long long)first, (long long)last, (long long)n, dim + 1);
  Tensor v = *t;
  int64_t len = b >= a ? (b - a) / step + 1 : 0;
  v.data = tensor_ptr(t, a * t->stride[dim]);
  v.shape[dim] = len;
  v.stride[dim] = t->stride[dim] * step;
  v.size = n ? t->size / n * len : 0;
  push_view(L, 1, &v);
  return 1;
}

static int mm_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TNUMBER) {
    Tensor *t = check_tensor_any(L, 1);
    if (t->ndim == 0) return lerror(L, "cannot index a 0-d tensor (use :item())");
    int64_t pos = check_pos(L, check_int(L, 2, "index"), t->shape[0], 1);
    if (t->ndim == 1) lua_pushnumber(L, tensor_load(t, pos * t->stride[0]));
    else push_select(L, 1, 0, pos);
    return 1;
  }
  if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "dtype") == 0) {
    lua_pushstring(L, tensor_dtype_name(check_tensor_any(L, 1)->dtype));
    return 1;
  }
  /* methods: the metatable's methods table */
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static void copy_into(lua_State *L, const Tensor *dst, int src_idx);

static int mm_newindex(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (lua_type(L, 2) != LUA_TNUMBER)
    return lerror(L, "tensors have no field '%s' to set", luaL_tolstring(L, 2, NULL));
  if (t->ndim == 0) return lerror(L, "cannot index a 0-d tensor");
  int64_t pos = check_pos(L, check_int(L, 2, "index"), t->shape[0], 1);
  if (t->ndim == 1) {
    tensor_store(t, pos * t->stride[0], luaL_checknumber(L, 3));
    return 0;
  }
  Tensor *row = push_select(L, 1, 0, pos);
  copy_into(L, row, 3);
  return 0;
}

static int mm_len(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  lua_pushinteger(L, t->ndim ? t->shape[0] : 1);
  return 1;
}

/* ---- shape ---------------------------------------------------------- */

static int m_shape(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  lua_createtable(L, t->ndim, 0);
  for (int d = 0; d < t->ndim; d++) {
    lua_pushinteger(L, t->shape[d]);
    lua_rawseti(L, -2, d + 1);
  }
  return 1;
}
static int m_size(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (lua_isnoneornil(L, 2)) return m_shape(L);
  lua_pushinteger(L, t->shape[check_axis(L, 2, t->ndim)]);
  return 1;
}
static int m_dim(lua_State *L) { lua_pushinteger(L, check_tensor_any(L, 1)->ndim); return 1; }
static int m_numel(lua_State *L) { lua_pushinteger(L, check_tensor_any(L, 1)->size); return 1; }
static int m_is_contiguous(lua_State *L) {
  lua_pushboolean(L, tensor_is_contiguous(check_tensor_any(L, 1)));
  return 1;
}

static int m_reshape(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int64_t shape[TENSOR_MAXDIM];
  int n = 0, infer = -1;
  int64_t known = 1;
  if (lua_istable(L, 2)) lua_settop(L, 2);
  int top = lua_gettop(L);
  if (top < 2) return lerror(L, "reshape: missing the new shape");
  if (lua_istable(L, 2)) {
    n = (int)luaL_len(L, 2);
    if (n > TENSOR_MAXDIM) return lerror(L, "reshape: at most %d dimensions", TENSOR_MAXDIM);
    for (int d = 0; d < n; d++) {
      lua_geti(L, 2, d + 1);
      shape[d] = check_int(L, -1, "size");
      lua_pop(L, 1);
    }
  } else {
    if (top - 1 > TENSOR_MAXDIM) return lerror(L, "reshape: at most %d dimensions", TENSOR_MAXDIM);
    for (int k = 2; k <= top; k++) shape[n++] = check_int(L, k, "size");
  }
  for (int d = 0; d < n; d++) {
    if (shape[d] == -1) {
      if (infer >= 0) return lerror(L, "reshape: only one size can be -1");
      infer = d;
    } else if (shape[d] < 0) {
      return lerror(L, "reshape: size %d is negative (%lld)", d + 1, (long long)shape[d]);
    } else if (__builtin_mul_overflow(known, shape[d], &known)) {
      return lerror(L, "reshape: the new shape has more than 2^63 elements; the "
                    "tensor has %lld", (long long)t->size);
    }
  }
  if (infer >= 0) {
    if (known == 0 || t->size % known)
      return lerror(L, "reshape: cannot infer size -1 from %lld elements", (long long)t->size);
    shape[infer] = t->size / known;
    known *= shape[infer];
  }
  if (known != t->size) {
    char b[128];
    return lerror(L, "reshape: cannot reshape %s (%lld elements) into %lld elements",
                      tensor_shape_str(t, b, sizeof b), (long long)t->size, (long long)known);
  }
  char err[TENSOR_ERRLEN];
  if (tensor_is_contiguous(t)) {
    Tensor v;
    if (tensor_init(&v, t->data, n, shape, err)) return lerror(L, "reshape: %s", err);
    v.dtype = t->dtype;
    push_view(L, 1, &v);
  } else {
    Tensor *c = push_tensor_uninit(L, n, shape, t->dtype);   /* all gathered */
    tensor_gather(t, c->data);
  }
  return 1;
}

static int m_flatten(lua_State *L) {
  check_tensor_any(L, 1);
  lua_settop(L, 1);
  lua_pushinteger(L, -1);
  return m_reshape(L);
}

static int m_permute(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int perm[TENSOR_MAXDIM], seen[TENSOR_MAXDIM] = {0};
  int n = lua_istable(L, 2) ? (int)luaL_len(L, 2) : lua_gettop(L) - 1;
  if (n != t->ndim)
    return lerror(L, "permute: %d axes given for a %d-d tensor", n, t->ndim);
  for (int d = 0; d < n; d++) {
    if (lua_istable(L, 2)) { lua_geti(L, 2, d + 1); perm[d] = check_axis(L, -1, n); lua_pop(L, 1); }
    else perm[d] = check_axis(L, d + 2, n);
    if (seen[perm[d]]++) return lerror(L, "permute: axis %d repeated", perm[d] + 1);
  }
  Tensor v = *t;
  for (int d = 0; d < n; d++) { v.shape[d] = t->shape[perm[d]]; v.stride[d] = t->stride[perm[d]]; }
  push_view(L, 1, &v);
  return 1;
}

static int m_transpose(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int a, b;
  if (lua_isnoneornil(L, 2)) {
    if (t->ndim != 2)
      return lerror(L, "transpose: give two axes for a %d-d tensor", t->ndim);
    a = 0, b = 1;
  } else {
    a = check_axis(L, 2, t->ndim);
    b = check_axis(L, 3, t->ndim);
  }
  Tensor v = *t;
  v.shape[a] = t->shape[b]; v.stride[a] = t->stride[b];
  v.shape[b] = t->shape[a]; v.stride[b] = t->stride[a];
  push_view(L, 1, &v);
  return 1;
}

static int m_clone(lua_State *L) { push_copy(L, check_tensor_any(L, 1)); return 1; }
static int m_contiguous(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (tensor_is_contiguous(t)) lua_settop(L, 1);
  else push_copy(L, t);
  return 1;
}

/* dst = src (a tensor, number or table), broadcasting src to dst's shape */
static void copy_into(lua_State *L, const Tensor *dst, int src_idx) {
  if (lua_type(L, src_idx) == LUA_TNUMBER) {
    tensor_fill(dst, lua_tonumber(L, src_idx));
    return;
  }
  /* values of the other dtype are converted, as NumPy's assignment does */
  Tensor *src = to_tensor_as(L, src_idx, dst->dtype);
  int nd;
  int64_t shape[TENSOR_MAXDIM];
  char err[TENSOR_ERRLEN];
  if (tensor_broadcast_shape(dst, src, &nd, shape, err)) lerror(L, "copy: %s", err);
  Tensor bs;
  if (tensor_init(&bs, NULL, nd, shape, err) || !tensor_same_shape(&bs, dst)) {
    char a[128], b[128];
    lerror(L, "copy: cannot copy a %s tensor into a %s one",
               tensor_shape_str(src, a, sizeof a), tensor_shape_str(dst, b, sizeof b));
  }
  /* through a temporary, so overlapping views copy correctly */
  Tensor *tmp = push_tensor_uninit(L, nd, shape, dst->dtype);  /* binop writes all */
  Tensor zero;
  double z = 0;
  tensor_init(&zero, (float *)&z, 0, NULL, err);
  zero.dtype = dst->dtype;
  tensor_binop(TOP_ADD, src, &zero, tmp);
  tensor_scatter(dst, tmp->data);
  lua_pop(L, 1);
}

static int m_copy(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  luaL_checkany(L, 2);
  copy_into(L, t, 2);
  lua_settop(L, 1);
  return 1;
}

static int m_fill(lua_State *L) {
  tensor_fill(check_tensor_any(L, 1), luaL_checknumber(L, 2));
  lua_settop(L, 1);
  return 1;
}

static int m_item(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (t->size != 1)
    return lerror(L, "item: tensor has %lld elements, expected 1", (long long)t->size);
  int64_t idx[TENSOR_MAXDIM] = {0};
  lua_pushnumber(L, tensor_load(t, tensor_offset(t, idx)));
  return 1;
}

/* rows(idx [, out]): the rows (positions along dimension 1) listed in
 * idx, a tensor or table of 1-based positions, as a new contiguous
 * tensor - or written into out, a contiguous tensor of exactly that
 * shape and dtype sharing no memory with t, which is returned (fit's
 * batch gather reuses one per epoch). */
static int m_rows(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  Tensor *given = lua_isnoneornil(L, 3) ? NULL : check_tensor_any(L, 3);
  if (t->ndim == 0) return lerror(L, "rows: a 0-d tensor has no rows");
  Tensor *idx;
  if (lua_istable(L, 2)) idx = to_tensor_any(L, 2, TENSOR_F32);
  else idx = check_tensor_any(L, 2);
  if (idx->ndim > 1) return lerror(L, "rows: positions must be a 1-d tensor or a table");
  Tensor *src = t;
  if (!tensor_is_contiguous(t)) src = push_copy(L, t);
  int64_t shape[TENSOR_MAXDIM];
  memcpy(shape, t->shape, sizeof shape);
  shape[0] = idx->size;
  int64_t row = t->shape[0] ? t->size / t->shape[0] : 0;
  for (int64_t i = 0; i < idx->size; i++) {
    double v = tensor_load(idx, idx->ndim ? i * idx->stride[0] : 0);
    if (v != floor(v) || v < 1 || v > (double)t->shape[0])
      return lerror(L, "rows: position %g (entry %lld) out of range 1..%lld", v,
                    (long long)i + 1, (long long)t->shape[0]);
  }
  size_t es = tensor_esize(t), rb = (size_t)row * es;
  Tensor *out;
  if (given) {
    Tensor want;
    char err[TENSOR_ERRLEN], s1[128], s2[128];
    tensor_init(&want, NULL, t->ndim, shape, err);
    if (given->dtype != t->dtype || !tensor_is_contiguous(given) ||
        !tensor_same_shape(given, &want))
      return lerror(L, "rows: out must be a contiguous %s tensor of shape %s, got %s %s",
                    tensor_dtype_name(t->dtype), tensor_shape_str(&want, s1, sizeof s1),
                    tensor_is_contiguous(given) ? "a" : "a non-contiguous",
                    tensor_shape_str(given, s2, sizeof s2));
    const char *o0 = (const char *)given->data, *t0 = (const char *)src->data;
    if (given->size && src->size && o0 < t0 + (size_t)src->size * es &&
        t0 < o0 + (size_t)given->size * es)
      return lerror(L, "rows: out shares memory with the tensor read");
    lua_pushvalue(L, 3);
    out = given;
  } else {
    /* every position was checked above and each output row is copied */
    out = push_tensor_uninit(L, t->ndim, shape, t->dtype);
  }
  /* random rows of a large dataset miss the cache at each row's start:
   * the next row is prefetched while this one is copied (a shuffled
   * batch gather of Fashion-MNIST is memory-latency bound) */
  int64_t s0 = idx->ndim ? idx->stride[0] : 0;
  for (int64_t i = 0; i < idx->size; i++) {
    int64_t p = (int64_t)tensor_load(idx, i * s0) - 1;
    if (i + 1 < idx->size) {
      const char *nx = tensor_ptr(src, ((int64_t)tensor_load(idx, (i + 1) * s0) - 1) * row);
      for (size_t b = 0; b < rb; b += 64) __builtin_prefetch(nx + b);
    }
    memcpy(tensor_ptr(out, i * row), tensor_ptr(src, p * row), rb);
  }
  return 1;
}

/* the values as a binary string (native byte order, the tensor's dtype) */
static int m_tobytes(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  if (!tensor_is_contiguous(t)) t = push_copy(L, t);
  lua_pushlstring(L, (const char *)t->data, (size_t)t->size * tensor_esize(t));
  return 1;
}

/* tensor.frombytes(s, shape[, {dtype}]): the inverse of tobytes */
static int t_frombytes(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  luaL_checktype(L, 2, LUA_TTABLE);
  int dtype = opt_dtype(L, 3, "frombytes", TENSOR_F32);
  lua_settop(L, 2);
  int64_t shape[TENSOR_MAXDIM];
  int nd = check_shape(L, 2, shape, 0);
  Tensor probe;
  char err[TENSOR_ERRLEN];
  if (tensor_init(&probe, NULL, nd, shape, err)) return lerror(L, "frombytes: %s", err);
  if ((size_t)probe.size * tensor_dtype_size(dtype) != n)
    return lerror(L, "frombytes: %zu bytes do not hold a tensor of %lld %s values",
                  n, (long long)probe.size, tensor_dtype_name(dtype));
  Tensor *t = push_tensor_uninit(L, nd, shape, dtype);   /* n bytes = all */
  if (n) memcpy(t->data, s, n);
  return 1;
}

/* ---- arithmetic ------------------------------------------------------ */

static const char *binop_name[] = {"+", "-", "*", "/", "^", "maximum", "minimum",
                                   "eq", "ne", "lt", "le", "gt", "ge"};

/* a op b with NumPy's promotion; comparisons give float32 0/1 masks */
static int binop(lua_State *L, TensorBinop op) {
  int dtype = result_dtype(L, 1, 2);
  Tensor *a = to_tensor_as(L, 1, dtype);   /* may push a converted copy */
  Tensor *b = to_tensor_as(L, 2, dtype);
  int nd;
  int64_t shape[TENSOR_MAXDIM];
  char err[TENSOR_ERRLEN];
  if (tensor_broadcast_shape(a, b, &nd, shape, err))
    return lerror(L, "tensor %s: %s", binop_name[op], err);
  /* tensor_binop writes every element of out (each of its paths) */
  Tensor *out = push_tensor_uninit(L, nd, shape, op >= TOP_EQ ? TENSOR_F32 : dtype);
  tensor_binop(op, a, b, out);
  return 1;
}

#define BINOP(fname, op) static int fname(lua_State *L) { return binop(L, op); }
BINOP(mm_add, TOP_ADD) BINOP(mm_sub, TOP_SUB) BINOP(mm_mul, TOP_MUL)
BINOP(mm_div, TOP_DIV) BINOP(mm_pow, TOP_POW) BINOP(m_maximum, TOP_MAX)
BINOP(m_minimum, TOP_MIN) BINOP(m_eq, TOP_EQ) BINOP(m_ne, TOP_NE)
BINOP(m_lt, TOP_LT) BINOP(m_le, TOP_LE) BINOP(m_gt, TOP_GT) BINOP(m_ge, TOP_GE)
#undef BINOP

static int unop(lua_State *L, TensorUnop op) {
  Tensor *a = to_tensor_any(L, 1, TENSOR_F32);
  Tensor *out = push_tensor_uninit(L, a->ndim, a->shape, a->dtype);  /* all written */
  tensor_unop(op, a, out);
  return 1;
}
#define UNOP(fname, op) static int fname(lua_State *L) { return unop(L, op); }
UNOP(mm_unm, TUN_NEG) UNOP(m_exp, TUN_EXP) UNOP(m_log, TUN_LOG)
UNOP(m_sqrt, TUN_SQRT) UNOP(m_abs, TUN_ABS) UNOP(m_relu, TUN_RELU)
UNOP(m_sigmoid, TUN_SIGMOID) UNOP(m_tanh, TUN_TANH) UNOP(m_square, TUN_SQUARE)
#undef UNOP

static int m_clamp(lua_State *L) {
  Tensor *a = to_tensor_any(L, 1, TENSOR_F32);
  double lo = luaL_optnumber(L, 2, -HUGE_VAL);
  double hi = luaL_optnumber(L, 3, HUGE_VAL);
  if (lo > hi) return lerror(L, "clamp: lower bound %f above upper bound %f", lo, hi);
  Tensor *out = push_tensor_uninit(L, a->ndim, a->shape, a->dtype);  /* all written */
  tensor_clamp(a, lo, hi, out);
  return 1;
}

static int m_matmul(lua_State *L) {
  check_tensor_any(L, 1);
  check_tensor_any(L, 2);
  int dtype = result_dtype(L, 1, 2);
  Tensor *a = to_tensor_as(L, 1, dtype), *b = to_tensor_as(L, 2, dtype);
  char err[TENSOR_ERRLEN];
  Tensor empty = {0};       /* size 0: tensor_matmul only checks shapes */
  if (tensor_matmul(a, b, &empty, err)) return lerror(L, "%s", err);
  int64_t shape[TENSOR_MAXDIM];
  memcpy(shape, a->shape, sizeof shape);
  shape[a->ndim - 1] = b->shape[a->ndim - 1];
  Tensor *out = push_tensor_dtype(L, a->ndim, shape, dtype);
  if (tensor_matmul(a, b, out, err)) return lerror(L, "%s", err);
  return 1;
}

/* ---- reductions ------------------------------------------------------ */

/* values keep the dtype; argmax/argmin positions are float32, like
 * every position and mask */
static int reduce(lua_State *L, TensorReduce op) {
  Tensor *t = to_tensor_any(L, 1, TENSOR_F32);
  int arg = (op == TRED_ARGMAX || op == TRED_ARGMIN);
  if (lua_isnoneornil(L, 2)) {
    if (t->size == 0 && op != TRED_SUM)
      return lerror(L, "reduction of an empty tensor");
    double v = tensor_reduce_all(op, t);
    if (arg) lua_pushinteger(L, (lua_Integer)v + 1);
    else lua_pushnumber(L, v);
    return 1;
  }
  if (t->ndim == 0) return lerror(L, "a 0-d tensor has no axis to reduce");
  int axis = check_axis(L, 2, t->ndim);
  int keep = lua_toboolean(L, 3);
  if (t->shape[axis] == 0 && op != TRED_SUM)
    return lerror(L, "reduction over an empty axis");
  int64_t shape[TENSOR_MAXDIM];
  int n = 0;
  for (int d = 0; d < t->ndim; d++) {
    if (d != axis) shape[n++] = t->shape[d];
    else if (keep) shape[n++] = 1;
  }
  Tensor *out = push_tensor_dtype(L, n, shape, arg ? TENSOR_F32 : t->dtype);
  tensor_reduce_axis(op, t, axis, out);
  if (arg) for (int64_t i = 0; i < out->size; i++) out->data[i] += 1;
  return 1;
}
#define RED(fname, op) static int fname(lua_State *L) { return reduce(L, op); }
RED(m_sum, TRED_SUM) RED(m_mean, TRED_MEAN) RED(m_max, TRED_MAX)
RED(m_min, TRED_MIN) RED(m_argmax, TRED_ARGMAX) RED(m_argmin, TRED_ARGMIN)
#undef RED

/* ---- conversion and printing ------------------------------------------ */

static void push_table_rec(lua_State *L, const Tensor *t, int d, int64_t off) {
  if (d == t->ndim) { lua_pushnumber(L, tensor_load(t, off)); return; }
  lua_createtable(L, (int)t->shape[d], 0);
  for (int64_t i = 0; i < t->shape[d]; i++) {
    push_table_rec(L, t, d + 1, off + i * t->stride[d]);
    lua_rawseti(L, -2, i + 1);
  }
}
static int m_totable(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  luaL_checkstack(L, t->ndim + 4, "nested too deep");
  push_table_rec(L, t, 0, 0);
  return 1;
}

#define EDGE 3      /* items shown at each end of an elided dimension */
#define ELIDE 1000  /* elide when the tensor has more elements than this */

/* prec: decimals, or -1 for exponent notation with eprec decimals.
 * float32 shows 4 decimals as always; float64 shows as many as its values
 * need, up to NumPy's 8. */
typedef struct { int integral; int width; int prec; int eprec; int elide; } Fmt;

/* decimals %.8f needs for v once trailing zeros go */
static int decimals_needed(double v) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%.8f", v), k = 8;
  while (k > 0 && n > 0 && buf[n - 1] == '0') { n--; k--; }
  return k;
}

static void fmt_scan(const Tensor *t, Fmt *f) {
  int64_t idx[TENSOR_MAXDIM] = {0};
  double amax = 0, vmin = 0, vmax = 0;
  int f64 = t->dtype == TENSOR_F64, need = 1;
  f->integral = 1;
  f->elide = t->size > ELIDE;
  f->eprec = f64 ? 8 : 4;
  if (t->size == 0) { f->width = 1; f->prec = 0; return; }
  int64_t k = 0;
  do {
    double v = tensor_load(t, tensor_offset(t, idx));
    if (f64 && isfinite(v) && need < 8) {
      int dn = decimals_needed(v);
      if (dn > need) need = dn;
    }
    if (isfinite(v)) {
      if (fabs(v) > amax) amax = fabs(v);
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
      if (v != floor(v)) f->integral = 0;
    }
    if (++k > 200000) break;   /* enough to choose a format */
    int d = t->ndim - 1;
    for (; d >= 0; d--) { if (++idx[d] < t->shape[d]) break; idx[d] = 0; }
    if (d < 0) break;
  } while (1);
  char buf[64];
  f->prec = f->integral ? 0 : f64 ? need : 4;
  if (amax >= 1e6 || (!f->integral && amax > 0 && amax < 1e-3)) f->prec = -1;
  if (f->prec < 0) f->width = 7 + f->eprec;
  else {
    int wn = snprintf(buf, sizeof buf, "%.*f", f->prec, vmin);
    int wp = snprintf(buf, sizeof buf, "%.*f", f->prec, vmax);
    f->width = wn > wp ? wn : wp;
  }
  if (f->width < 1) f->width = 1;
}

static void fmt_value(luaL_Buffer *b, const Fmt *f, double v) {
  char buf[64];
  if (isnan(v)) snprintf(buf, sizeof buf, "%*s", f->width, "nan");
  else if (isinf(v)) snprintf(buf, sizeof buf, "%*s", f->width, v > 0 ? "inf" : "-inf");
  else if (f->prec < 0) snprintf(buf, sizeof buf, "%*.*e", f->width, f->eprec, v);
  else snprintf(buf, sizeof buf, "%*.*f", f->width, f->prec, v);
  luaL_addstring(b, buf);
}

static void fmt_rec(luaL_Buffer *b, const Tensor *t, const Fmt *f, int d,
                    int64_t p) {
  if (d == t->ndim) { fmt_value(b, f, tensor_load(t, p)); return; }
  luaL_addchar(b, '[');
  int64_t n = t->shape[d];
  for (int64_t i = 0; i < n; i++) {
    if (f->elide && n > 2 * EDGE && i == EDGE) {
      luaL_addstring(b, d == t->ndim - 1 ? "..., " : "...,\n");
      if (d < t->ndim - 1) for (int s = 0; s <= d; s++) luaL_addchar(b, ' ');
      i = n - EDGE;
    }
    fmt_rec(b, t, f, d + 1, p + i * t->stride[d]);
    if (i + 1 < n) {
      luaL_addchar(b, ',');
      if (d == t->ndim - 1) luaL_addchar(b, ' ');
      else {
        for (int s = d; s < t->ndim - 1; s++) luaL_addchar(b, '\n');
        for (int s = 0; s <= d; s++) luaL_addchar(b, ' ');
      }
    }
  }
  luaL_addchar(b, ']');
}

static int mm_tostring(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  char sb[160];
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "tensor(shape=");
  luaL_addstring(&b, tensor_shape_str(t, sb, sizeof sb));
  /* as NumPy names a dtype only when it is not its default, float32 (the
   * workbook's default) goes unnamed and float64 is named */
  if (t->dtype != TENSOR_F32) {
    luaL_addstring(&b, ", dtype=");
    luaL_addstring(&b, tensor_dtype_name(t->dtype));
  }
  luaL_addstring(&b, ")\n");
  Fmt f;
  fmt_scan(t, &f);
  fmt_rec(&b, t, &f, 0, 0);
  luaL_pushresult(&b);
  return 1;
}

/* ---- .npy ------------------------------------------------------------ */

/* tensor.load(path[, {dtype}]): '<f8' files give float64 tensors, the
 * others float32, unless dtype asks for one */
static int t_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int want = opt_dtype(L, 2, "tensor.load", -1);
  NpyHeader h;
  char err[TENSOR_ERRLEN];
  if (npy_read_header_file(path, &h, err)) return lerror(L, "tensor.load: %s", err);
  int dtype = want >= 0 ? want : npy_dtype(&h);
  Tensor *t = push_tensor_dtype(L, h.ndim, h.shape, dtype);
  if (npy_read_data_file(path, &h, t->data, dtype, t->size, err))
    return lerror(L, "tensor.load: %s", err);
  return 1;
}

static int t_save(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  const char *path = luaL_checkstring(L, 2);
  char err[TENSOR_ERRLEN];
  if (npy_write_file(path, t, err)) return lerror(L, "tensor.save: %s", err);
  return 0;
}

/* ---- dtypes ---------------------------------------------------------- */

/* t:astype(dtype): a new tensor of that dtype (a copy even when it is
 * t's own, as NumPy's astype) */
static int m_astype(lua_State *L) {
  Tensor *t = check_tensor_any(L, 1);
  int dtype = check_dtype_name(L, "astype", luaL_checkstring(L, 2));
  push_astype(L, t, dtype);
  return 1;
}
/* t:double() / t:float(): t itself when it already has the dtype (as
 * PyTorch's), else a converted copy */
static int to_dtype(lua_State *L, int dtype) {
  Tensor *t = check_tensor_any(L, 1);
  if (t->dtype == dtype) lua_settop(L, 1);
  else push_astype(L, t, dtype);
  return 1;
}
static int m_double(lua_State *L) { return to_dtype(L, TENSOR_F64); }
static int m_float(lua_State *L) { return to_dtype(L, TENSOR_F32); }

/* ---- registration ---------------------------------------------------- */

static const luaL_Reg functions[] = {
  {"new", t_new}, {"zeros", t_zeros}, {"ones", t_ones}, {"full", t_full},
  {"arange", t_arange}, {"rand", t_rand}, {"randn", t_randn},
  {"seed", t_seed}, {"randperm", t_randperm}, {"eye", t_eye}, {"is_tensor", t_is_tensor},
  {"load", t_load}, {"save", t_save}, {"frombytes", t_frombytes},
  {"matmul", m_matmul}, {"exp", m_exp}, {"log", m_log}, {"sqrt", m_sqrt},
  {"abs", m_abs}, {"relu", m_relu}, {"sigmoid", m_sigmoid}, {"tanh", m_tanh},
  {"clamp", m_clamp}, {"maximum", m_maximum}, {"minimum", m_minimum},
  {"sum", m_sum}, {"mean", m_mean}, {"max", m_max}, {"min", m_min},
  {"argmax", m_argmax}, {"argmin", m_argmin},
  {NULL, NULL}
};

static const luaL_Reg methods[] = {
  {"get", m_get}, {"set", m_set}, {"select", m_select}, {"slice", m_slice},
  {"shape", m_shape}, {"size", m_size}, {"dim", m_dim}, {"numel", m_numel},
  {"is_contiguous", m_is_contiguous},
  {"reshape", m_reshape}, {"flatten", m_flatten}, {"permute", m_permute},
  {"transpose", m_transpose}, {"clone", m_clone}, {"contiguous", m_contiguous},
  {"copy", m_copy}, {"fill", m_fill}, {"item", m_item}, {"rows", m_rows},
  {"tobytes", m_tobytes},
  {"add", mm_add}, {"sub", mm_sub}, {"mul", mm_mul}, {"div", mm_div},
  {"pow", mm_pow}, {"maximum", m_maximum}, {"minimum", m_minimum},
  {"eq", m_eq}, {"ne", m_ne}, {"lt", m_lt}, {"le", m_le}, {"gt", m_gt},
  {"ge", m_ge}, {"matmul", m_matmul},
  {"exp", m_exp}, {"log", m_log}, {"sqrt", m_sqrt}, {"abs", m_abs},
  {"relu", m_relu}, {"sigmoid", m_sigmoid}, {"tanh", m_tanh},
  {"square", m_square}, {"clamp", m_clamp},
  {"sum", m_sum}, {"mean", m_mean}, {"max", m_max}, {"min", m_min},
  {"argmax", m_argmax}, {"argmin", m_argmin},
  {"totable", m_totable}, {"tolist", m_totable}, {"tostring", mm_tostring},
  {"astype", m_astype}, {"double", m_double}, {"float", m_float},
  {NULL, NULL}
};

static const luaL_Reg metamethods[] = {
  {"__index", mm_index}, {"__newindex", mm_newindex}, {"__len", mm_len},
  {"__add", mm_add}, {"__sub", mm_sub}, {"__mul", mm_mul}, {"__div", mm_div},
  {"__pow", mm_pow}, {"__unm", mm_unm}, {"__tostring", mm_tostring},
  {NULL, NULL}
};

static int t_call(lua_State *L) {
  lua_remove(L, 1);   /* the module table */
  return t_new(L);
}

/* a.reshape(2, 3) passes 2 as the tensor: when the running function is
 * a tensor method the module does not also offer (tensor.sum(a) is
 * right), called as a field, say that ':' was meant. */
static void check_dot_call(lua_State *L, int i) {
  lua_Debug ar;
  if (i != 1 || !lua_getstack(L, 0, &ar) || !lua_getinfo(L, "nf", &ar))
    return;
  lua_CFunction f = lua_tocfunction(L, -1);
  lua_pop(L, 1);
  if (!ar.name || !ar.namewhat || strcmp(ar.namewhat, "field") != 0) return;
  for (const luaL_Reg *r = functions; r->name; r++)
    if (strcmp(r->name, ar.name) == 0) return;
  for (const luaL_Reg *r = methods; r->name; r++)
    if (r->func == f && strcmp(r->name, ar.name) == 0)
      lerror(L, "%s: called with '.' instead of ':' (write t:%s(...))",
             ar.name, ar.name);
}

/* push the tensor metatable, creating it if needed */
static void new_metatable(lua_State *L) {
  if (luaL_newmetatable(L, LTENSOR_MT)) {
    luaL_setfuncs(L, metamethods, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "methods");
    lua_pushliteral(L, "tensor");
    lua_setfield(L, -2, "__name");
  }
}

int luaopen_tensor(lua_State *L) {
  new_metatable(L);
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  lua_newtable(L);
  lua_pushcfunction(L, t_call);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, -2);
  /* the methods table, so the Lua half can add methods */
  luaL_getmetatable(L, LTENSOR_MT);
  lua_getfield(L, -1, "methods");
  ltensor_ext_open(L, -3, -1);     /* NumPy-style additions */
  lua_setfield(L, -3, "methods");
  lua_pop(L, 1);
  return 1;
}
