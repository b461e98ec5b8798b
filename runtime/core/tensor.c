/* tensor.c - shapes, strided copies, broadcasting elementwise ops,
 * matmul (OpenBLAS) and reductions over the Tensor descriptor.
 * Each fast path has a naive twin the tests compare it with. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <tgmath.h>     /* the unary kernels: one text for float and double */
#include <stdio.h>
#include <string.h>

#include "core/tensor.h"

int tensor_init(Tensor *t, float *data, int ndim, const int64_t *shape,
                char *err) {
  if (ndim < 0 || ndim > TENSOR_MAXDIM) {
    snprintf(err, TENSOR_ERRLEN, "tensors have 0 to %d dimensions, got %d",
             TENSOR_MAXDIM, ndim);
    return -1;
  }
  int64_t size = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    if (shape[d] < 0) {
      snprintf(err, TENSOR_ERRLEN, "dimension %d has negative size %lld",
               d + 1, (long long)shape[d]);
      return -1;
    }
    if (shape[d] > 0 && size > (INT64_C(1) << 40) / shape[d]) {
      snprintf(err, TENSOR_ERRLEN, "tensor too large");
      return -1;
    }
    t->shape[d] = shape[d];
    t->stride[d] = size;
    size *= shape[d];
  }
  t->data = data;
  t->ndim = ndim;
  t->size = size;
  t->dtype = TENSOR_F32;
  return 0;
}

int tensor_is_contiguous(const Tensor *t) {
  int64_t expect = 1;
  for (int d = t->ndim - 1; d >= 0; d--) {
    if (t->shape[d] != 1 && t->stride[d] != expect) return 0;
    expect *= t->shape[d];
  }
  return 1;
}

int tensor_same_shape(const Tensor *a, const Tensor *b) {
  if (a->ndim != b->ndim) return 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return 0;
  return 1;
}

const char *tensor_shape_str(const Tensor *t, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "(");
  for (int d = 0; d < t->ndim && k < n; d++)
    k += (size_t)snprintf(buf + k, n - k, d ? ", %lld" : "%lld",
                          (long long)t->shape[d]);
  if (t->ndim == 1 && k < n) k += (size_t)snprintf(buf + k, n - k, ",");
  if (k < n) snprintf(buf + k, n - k, ")");
  return buf;
}

/* ---- strided iteration ------------------------------------------------ */

/* Advance a 0-based index vector in row-major order; returns 0 at the end. */
static int next_index(int ndim, const int64_t *shape, int64_t *idx) {
  for (int d = ndim - 1; d >= 0; d--) {
    if (++idx[d] < shape[d]) return 1;
    idx[d] = 0;
  }
  return 0;
}

/* Visit runs of the last dimension: fn(ptr, stride, n, arg) for each;
 * ptr points at an element of t's dtype. */
typedef void (*row_fn)(void *p, int64_t stride, int64_t n, void *arg);
static void for_rows(const Tensor *t, row_fn fn, void *arg) {
  if (t->size == 0) return;
  if (t->ndim == 0) { fn(t->data, 1, 1, arg); return; }
  if (tensor_is_contiguous(t)) { fn(t->data, 1, t->size, arg); return; }
  int64_t idx[TENSOR_MAXDIM] = {0};
  int last = t->ndim - 1;
  do {
    fn(tensor_ptr(t, tensor_offset(t, idx)), t->stride[last], t->shape[last], arg);
  } while (next_index(last, t->shape, idx));
}

static void gather_row(void *p, int64_t s, int64_t n, void *arg) {
  float **dst = arg;
  const float *q = p;
  for (int64_t i = 0; i < n; i++) *(*dst)++ = q[i * s];
}
static void gather_row64(void *p, int64_t s, int64_t n, void *arg) {
  double **dst = arg;
  const double *q = p;
  for (int64_t i = 0; i < n; i++) *(*dst)++ = q[i * s];
}
void tensor_gather(const Tensor *t, void *dst) {
  if (tensor_is_contiguous(t)) {
    if (t->size) memcpy(dst, t->data, (size_t)t->size * tensor_esize(t));
    return;
  }
  for_rows(t, t->dtype == TENSOR_F64 ? gather_row64 : gather_row, &dst);
}

static void scatter_row(void *p, int64_t s, int64_t n, void *arg) {
  const float **src = arg;
  float *q = p;
  for (int64_t i = 0; i < n; i++) q[i * s] = *(*src)++;
}
static void scatter_row64(void *p, int64_t s, int64_t n, void *arg) {
  const double **src = arg;
  double *q = p;
  for (int64_t i = 0; i < n; i++) q[i * s] = *(*src)++;
}
void tensor_scatter(const Tensor *t, const void *src) {
  for_rows(t, t->dtype == TENSOR_F64 ? scatter_row64 : scatter_row, &src);
}

static void fill_row(void *p, int64_t s, int64_t n, void *arg) {
  float v = (float)*(double *)arg, *q = p;
  for (int64_t i = 0; i < n; i++) q[i * s] = v;
}
static void fill_row64(void *p, int64_t s, int64_t n, void *arg) {
  double v = *(double *)arg, *q = p;
  for (int64_t i = 0; i < n; i++) q[i * s] = v;
}
void tensor_fill(const Tensor *t, double v) {
  for_rows(t, t->dtype == TENSOR_F64 ? fill_row64 : fill_row, &v);
}

void tensor_convert(const Tensor *src, const Tensor *dst) {
  if (dst->size == 0) return;
  int64_t idx[TENSOR_MAXDIM] = {0};
  do {
    tensor_store(dst, tensor_offset(dst, idx), tensor_load(src, tensor_offset(src, idx)));
  } while (next_index(dst->ndim, dst->shape, idx));
}

/* ---- broadcasting binary ops ------------------------------------------ */

int tensor_broadcast_shape(const Tensor *a, const Tensor *b, int *ndim,
                           int64_t *shape, char *err) {
  int n = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int i = 0; i < n; i++) {
    int da = a->ndim - n + i, db = b->ndim - n + i;
    int64_t sa = da >= 0 ? a->shape[da] : 1, sb = db >= 0 ? b->shape[db] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      char ba[128], bb[128];
      snprintf(err, TENSOR_ERRLEN,
               "shapes %s and %s do not broadcast (dimension %d: %lld vs %lld)",
               tensor_shape_str(a, ba, sizeof ba),
               tensor_shape_str(b, bb, sizeof bb), i + 1, (long long)sa,
               (long long)sb);
      return -1;
    }
    shape[i] = sa == 1 ? sb : sa;
  }
  *ndim = n;
  return 0;
}

/* A view of t with out's rank, stride 0 along broadcast dimensions. */
static void broadcast_view(const Tensor *t, const Tensor *out, Tensor *v) {
  v->data = t->data;
  v->dtype = t->dtype;
  v->ndim = out->ndim;
  v->size = out->size;
  for (int i = 0; i < out->ndim; i++) {
    int d = t->ndim - out->ndim + i;
    v->shape[i] = out->shape[i];
    v->stride[i] = (d >= 0 && t->shape[d] != 1) ? t->stride[d] : 0;
  }
}

/* x op y and one row of it, out[i] = a[i*sa] op b[i*sb], for one
 * element type T (float, then double), with the op hoisted out of the
 * row loop so the compiler vectorises the common unit-stride cases. */
#define BINOP_FAMILY(T, APPLY, ROW, POW)                                    \
static inline T APPLY(TensorBinop op, T x, T y) {                           \
  switch (op) {                                                             \
  case TOP_ADD: return x + y;                                               \
  case TOP_SUB: return x - y;                                               \
  case TOP_MUL: return x * y;                                               \
  case TOP_DIV: return x / y;                                               \
  case TOP_POW: return POW(x, y);                                           \
  case TOP_MAX: return x > y || isnan(x) ? x : y;                           \
  case TOP_MIN: return x < y || isnan(x) ? x : y;                           \
  case TOP_EQ: return x == y;                                               \
  case TOP_NE: return x != y;                                               \
  case TOP_LT: return x < y;                                                \
  case TOP_LE: return x <= y;                                               \
  case TOP_GT: return x > y;                                                \
  case TOP_GE: return x >= y;                                               \
  }                                                                         \
  return 0;                                                                 \
}                                                                           \
static void ROW(TensorBinop op, const T *pa, int64_t sa, const T *pb,       \
                int64_t sb, T *po, int64_t n) {                             \
  switch (op) {                                                             \
  case TOP_ADD: ROW_LOOP(T, x + y); break;                                  \
  case TOP_SUB: ROW_LOOP(T, x - y); break;                                  \
  case TOP_MUL: ROW_LOOP(T, x * y); break;                                  \
  case TOP_DIV: ROW_LOOP(T, x / y); break;                                  \
  default: ROW_LOOP(T, APPLY(op, x, y)); break;                             \
  }                                                                         \
}
#define ROW_LOOP(T, EXPR)                                                   \
  for (int64_t i = 0; i < n; i++) {                                         \
    T x = pa[i * sa], y = pb[i * sb];                                       \
    po[i] = (EXPR);                                                         \
  }
BINOP_FAMILY(float, apply_binop, binop_row, powf)
BINOP_FAMILY(double, apply_binop64, binop_row64, pow)
#undef ROW_LOOP
#undef BINOP_FAMILY

void tensor_binop_naive(TensorBinop op, const Tensor *a, const Tensor *b,
                        const Tensor *out) {
  Tensor va, vb;
  broadcast_view(a, out, &va);
  broadcast_view(b, out, &vb);
  int64_t idx[TENSOR_MAXDIM] = {0};
  if (out->size == 0) return;
  do {
    *tensor_at(out, idx) = apply_binop(op, *tensor_at(&va, idx),
                                       *tensor_at(&vb, idx));
  } while (next_index(out->ndim, out->shape, idx));
}

/* float64 inputs; out float64, or float32 for a comparison's mask */
static void binop64(TensorBinop op, const Tensor *va, const Tensor *vb,
                    const Tensor *out) {
  int last = out->ndim - 1;
  if (out->dtype == TENSOR_F64 && out->ndim > 0) {
    if (tensor_is_contiguous(va) && tensor_is_contiguous(vb)) {
      binop_row64(op, va->f64, 1, vb->f64, 1, out->f64, out->size);
      return;
    }
    int64_t idx[TENSOR_MAXDIM] = {0};
    double *po = out->f64;
    do {
      binop_row64(op, va->f64 + tensor_offset(va, idx), va->stride[last],
                  vb->f64 + tensor_offset(vb, idx), vb->stride[last], po,
                  out->shape[last]);
      po += out->shape[last];
    } while (next_index(last, out->shape, idx));
    return;
  }
  int64_t idx[TENSOR_MAXDIM] = {0}, k = 0;
  do {
    tensor_store(out, k++, apply_binop64(op, va->f64[tensor_offset(va, idx)],
                                         vb->f64[tensor_offset(vb, idx)]));
  } while (next_index(out->ndim, out->shape, idx));
}

void tensor_binop(TensorBinop op, const Tensor *a, const Tensor *b,
                  const Tensor *out) {
  if (out->size == 0) return;
  Tensor va, vb;
  broadcast_view(a, out, &va);
  broadcast_view(b, out, &vb);
  if (a->dtype == TENSOR_F64) { binop64(op, &va, &vb, out); return; }
  if (out->ndim == 0) {
    out->data[0] = apply_binop(op, a->data[0], b->data[0]);
    return;
  }
  /* whole-buffer fast path: both contiguous with out's shape */
  if (tensor_is_contiguous(&va) && tensor_is_contiguous(&vb)) {
    binop_row(op, va.data, 1, vb.data, 1, out->data, out->size);
    return;
  }
  int last = out->ndim - 1;
  int64_t idx[TENSOR_MAXDIM] = {0};
  float *po = out->data;
  do {
    binop_row(op, tensor_at(&va, idx), va.stride[last], tensor_at(&vb, idx),
              vb.stride[last], po, out->shape[last]);
    po += out->shape[last];
  } while (next_index(last, out->shape, idx));
}

/* ---- unary ops -------------------------------------------------------- */

/* f(x) for one element type T; <tgmath.h> picks expf or exp by T */
#define UNOP_FAMILY(T, APPLY)                                               \
static inline T APPLY(TensorUnop op, T x) {                                 \
  switch (op) {                                                             \
  case TUN_NEG: return -x;                                                  \
  case TUN_EXP: return exp(x);                                              \
  case TUN_LOG: return log(x);                                              \
  case TUN_SQRT: return sqrt(x);                                            \
  case TUN_ABS: return fabs(x);                                             \
  case TUN_RELU: return x > 0 ? x : 0;                                      \
  case TUN_SIGMOID:                                                         \
    /* split by sign so exp never overflows */                              \
    if (x >= 0) return (T)1 / ((T)1 + exp(-x));                             \
    else { T e = exp(x); return e / ((T)1 + e); }                           \
  case TUN_TANH: return tanh(x);                                            \
  case TUN_SQUARE: return x * x;                                            \
  }                                                                         \
  return 0;                                                                 \
}
UNOP_FAMILY(float, apply_unop)
UNOP_FAMILY(double, apply_unop64)
#undef UNOP_FAMILY

void tensor_unop(TensorUnop op, const Tensor *a, const Tensor *out) {
  if (a->dtype == TENSOR_F64) {
    tensor_gather(a, out->f64);
    for (int64_t i = 0; i < a->size; i++)
      out->f64[i] = apply_unop64(op, out->f64[i]);
    return;
  }
  if (tensor_is_contiguous(a)) {
    for (int64_t i = 0; i < a->size; i++)
      out->data[i] = apply_unop(op, a->data[i]);
    return;
  }
  tensor_gather(a, out->data);
  for (int64_t i = 0; i < a->size; i++)
    out->data[i] = apply_unop(op, out->data[i]);
}

void tensor_clamp(const Tensor *a, double lo, double hi, const Tensor *out) {
  tensor_gather(a, out->data);
  if (a->dtype == TENSOR_F64) {
    for (int64_t i = 0; i < a->size; i++) {
      double x = out->f64[i];
      out->f64[i] = x < lo ? lo : x > hi ? hi : x;
    }
    return;
  }
  for (int64_t i = 0; i < a->size; i++) {
    float x = out->data[i];
    out->data[i] = x < lo ? (float)lo : x > hi ? (float)hi : x;
  }
}

/* ---- matmul ----------------------------------------------------------- */

/* A 2-D strided matrix usable by BLAS: unit stride along one axis. */
static int blas_layout(const Tensor *t, int r, int c, CBLAS_TRANSPOSE *tr,
                       int *ld) {
  int64_t rows = t->shape[r], cols = t->shape[c];
  if (t->stride[c] == 1 && (rows == 1 || t->stride[r] >= cols)) {
    *tr = CblasNoTrans;
    *ld = (int)(rows == 1 ? (cols > 0 ? cols : 1) : t->stride[r]);
    return 1;
  }
  if (t->stride[r] == 1 && (cols == 1 || t->stride[c] >= rows)) {
    *tr = CblasTrans;
    *ld = (int)(cols == 1 ? (rows > 0 ? rows : 1) : t->stride[c]);
    return 1;
  }
  return 0;
}

static int check_matmul(const Tensor *a, const Tensor *b, const Tensor *out,
                        char *err) {
  char ba[128], bb[128];
  if (a->ndim < 2 || b->ndim < 2 || a->ndim != b->ndim) {
    snprintf(err, TENSOR_ERRLEN,
             "matmul needs two matrices (or stacks of equal rank), got %s and %s",
             tensor_shape_str(a, ba, sizeof ba), tensor_shape_str(b, bb, sizeof bb));
    return -1;
  }
  int n = a->ndim;
  int bad = a->shape[n - 1] != b->shape[n - 2];
  for (int d = 0; d < n - 2; d++) bad |= a->shape[d] != b->shape[d];
  if (bad) {
    snprintf(err, TENSOR_ERRLEN,
             "matmul: shapes %s and %s do not match (inner sizes %lld and %lld)",
             tensor_shape_str(a, ba, sizeof ba), tensor_shape_str(b, bb, sizeof bb),
             (long long)a->shape[n - 1], (long long)b->shape[n - 2]);
    return -1;
  }
  (void)out;
  return 0;
}

void tensor_matmul_naive(const Tensor *a, const Tensor *b, const Tensor *out) {
  int n = a->ndim;
  int64_t M = a->shape[n - 2], K = a->shape[n - 1], N = b->shape[n - 1];
  int64_t batch = (M * N) != 0 ? out->size / (M * N) : 0;
  int64_t idx[TENSOR_MAXDIM] = {0};
  for (int64_t bi = 0; bi < batch; bi++) {
    /* leading index of this batch */
    int64_t r = bi;
    for (int d = n - 3; d >= 0; d--) { idx[d] = r % a->shape[d]; r /= a->shape[d]; }
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        double s = 0;
        for (int64_t k = 0; k < K; k++) {
          idx[n - 2] = i; idx[n - 1] = k;
          double x = tensor_load(a, tensor_offset(a, idx));
          idx[n - 2] = k; idx[n - 1] = j;
          s += x * tensor_load(b, tensor_offset(b, idx));
        }
        tensor_store(out, (bi * M + i) * N + j, s);
      }
  }
}

int tensor_matmul(const Tensor *a, const Tensor *b, const Tensor *out,
                  char *err) {
  if (check_matmul(a, b, out, err)) return -1;
  int n = a->ndim;
  int64_t M = a->shape[n - 2], K = a->shape[n - 1], N = b->shape[n - 1];
  if (M > INT32_MAX || K > INT32_MAX || N > INT32_MAX) {
    snprintf(err, TENSOR_ERRLEN, "matmul: matrix too large");
    return -1;
  }
  if (out->size == 0) return 0;
  if (K == 0) { tensor_fill(out, 0); return 0; }
  CBLAS_TRANSPOSE ta, tb;
  int lda, ldb;
  if (!blas_layout(a, n - 2, n - 1, &ta, &lda) ||
      !blas_layout(b, n - 2, n - 1, &tb, &ldb)) {
    tensor_matmul_naive(a, b, out);
    return 0;
  }
  int64_t batch = out->size / (M * N);
  int64_t idx[TENSOR_MAXDIM] = {0};
  for (int64_t bi = 0; bi < batch; bi++) {
    int64_t r = bi;
    for (int d = n - 3; d >= 0; d--) { idx[d] = r % a->shape[d]; r /= a->shape[d]; }
    idx[n - 2] = idx[n - 1] = 0;
    if (a->dtype == TENSOR_F64)
      cblas_dgemm(CblasRowMajor, ta, tb, (int)M, (int)N, (int)K, 1.0,
                  a->f64 + tensor_offset(a, idx), lda,
                  b->f64 + tensor_offset(b, idx), ldb, 0.0,
                  out->f64 + bi * M * N, (int)N);
    else
      cblas_sgemm(CblasRowMajor, ta, tb, (int)M, (int)N, (int)K, 1.0f,
                  tensor_at(a, idx), lda, tensor_at(b, idx), ldb, 0.0f,
                  out->data + bi * M * N, (int)N);
  }
  return 0;
}

/* ---- reductions ------------------------------------------------------- */

/* Reduce n strided values; ARG* return the 0-based position. */
#define REDUCE_RUN(NAME, T)                                                  \
static double NAME(TensorReduce op, const T *p, int64_t s, int64_t n) {      \
  switch (op) {                                                              \
  case TRED_SUM: case TRED_MEAN: {                                           \
    double acc = 0;                                                          \
    for (int64_t i = 0; i < n; i++) acc += p[i * s];                         \
    return op == TRED_MEAN ? (n ? acc / (double)n : NAN) : acc;              \
  }                                                                          \
  case TRED_MAX: case TRED_ARGMAX: case TRED_MIN: case TRED_ARGMIN: {        \
    int want_max = op == TRED_MAX || op == TRED_ARGMAX;                      \
    int64_t best = 0;                                                        \
    for (int64_t i = 1; i < n; i++) {                                        \
      T v = p[i * s], b = p[best * s];                                       \
      if (isnan(b)) break;                                                   \
      if (isnan(v) || (want_max ? v > b : v < b)) best = i;                  \
    }                                                                        \
    if (n == 0) return op == TRED_ARGMAX || op == TRED_ARGMIN ? -1 : NAN;    \
    if (op == TRED_ARGMAX || op == TRED_ARGMIN) return (double)best;         \
    return p[best * s];                                                      \
  }                                                                          \
  }                                                                          \
  return 0;                                                                  \
}
/* float64 lanes; summed left to right in double like the float32 ones
 * (NumPy sums pairwise: the two agree to a few ulps). */
REDUCE_RUN(reduce_run64, double)
#undef REDUCE_RUN

static double reduce_run(TensorReduce op, const float *p, int64_t s,
                         int64_t n) {
  switch (op) {
  case TRED_SUM: case TRED_MEAN: {
    double acc = 0;
    for (int64_t i = 0; i < n; i++) acc += p[i * s];
    return op == TRED_MEAN ? (n ? acc / (double)n : NAN) : acc;
  }
  case TRED_MAX: case TRED_ARGMAX: case TRED_MIN: case TRED_ARGMIN: {
    int want_max = op == TRED_MAX || op == TRED_ARGMAX;
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++) {
      float v = p[i * s], b = p[best * s];
      if (isnan(b)) break;                  /* NaN wins, as in NumPy */
      if (isnan(v) || (want_max ? v > b : v < b)) best = i;
    }
    if (n == 0) return op == TRED_ARGMAX || op == TRED_ARGMIN ? -1 : NAN;
    if (op == TRED_ARGMAX || op == TRED_ARGMIN) return (double)best;
    return p[best * s];
  }
  }
  return 0;
}

double tensor_reduce_all(TensorReduce op, const Tensor *a) {
  /* an empty view may still have strides that point past its buffer:
   * never touch its data */
  if (a->size == 0) return reduce_run(op, a->data, 1, 0);
  if (tensor_is_contiguous(a) || a->ndim == 0)
    return a->dtype == TENSOR_F64 ? reduce_run64(op, a->f64, 1, a->size)
                                  : reduce_run(op, a->data, 1, a->size);
  int64_t idx[TENSOR_MAXDIM] = {0};
  double acc = 0;
  int64_t count = 0, best = -1;
  double bestv = 0;
  int want_max = op == TRED_MAX || op == TRED_ARGMAX;
  do {
    double v = tensor_load(a, tensor_offset(a, idx));
    if (op == TRED_SUM || op == TRED_MEAN) acc += v;
    else if (best < 0 || (!isnan(bestv) && (isnan(v) || (want_max ? v > bestv : v < bestv)))) {
      best = count;
      bestv = v;
    }
    count++;
  } while (next_index(a->ndim, a->shape, idx));
  if (op == TRED_SUM) return acc;
  if (op == TRED_MEAN) return count ? acc / (double)count : NAN;
  if (op == TRED_ARGMAX || op == TRED_ARGMIN) return (double)best;
  return bestv;
}

void tensor_reduce_axis(TensorReduce op, const Tensor *a, int axis,
                        const Tensor *out) {
  /* iterate over every index of a with axis fixed at 0 */
  int64_t shape[TENSOR_MAXDIM];
  int n = 0;
  for (int d = 0; d < a->ndim; d++)
    if (d != axis) shape[n++] = a->shape[d];
  int64_t idx[TENSOR_MAXDIM] = {0};
  int64_t full[TENSOR_MAXDIM] = {0};
  int64_t k = 0;
  if (out->size == 0) return;
  do {
    for (int d = 0, j = 0; d < a->ndim; d++) full[d] = d == axis ? 0 : idx[j++];
    int64_t off = tensor_offset(a, full);
    double v = a->dtype == TENSOR_F64
      ? reduce_run64(op, a->f64 + off, a->stride[axis], a->shape[axis])
      : reduce_run(op, a->data + off, a->stride[axis], a->shape[axis]);
    tensor_store(out, k++, v);
  } while (n > 0 && next_index(n, shape, idx));
}

/* ---- RNG: xoshiro256** seeded through splitmix64 ----------------------- */

static uint64_t rng_s[4] = {0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL,
                            0x94d049bb133111ebULL, 0x2545f4914f6cdd1dULL};
static int have_spare;
static double spare;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void tensor_seed(uint64_t seed) {
  for (int i = 0; i < 4; i++) rng_s[i] = splitmix64(&seed);
  have_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/* one step of xoshiro256** on the state s: the bulk functions below run
 * it on a local copy of rng_s (kept in registers, stored back at the
 * end), giving exactly the values that many tensor_rand_u64 calls give */
static inline uint64_t xoshiro_next(uint64_t s[4]) {
  uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return r;
}

uint64_t tensor_rand_u64(void) { return xoshiro_next(rng_s); }

/* n floats uniform in [0, 1), 24 random bits each: the bulk form for
 * dropout masks and rand(), one draw of the stream per value. */
void tensor_rand_uniform_floats(float *dst, int64_t n) {
  uint64_t s[4] = {rng_s[0], rng_s[1], rng_s[2], rng_s[3]};
  for (int64_t i = 0; i < n; i++)
    dst[i] = (float)(xoshiro_next(s) >> 40) * 0x1.0p-24f;
  memcpy(rng_s, s, sizeof s);
}

/* keep[i] = 1 when the i-th draw's 24 top bits k satisfy k >= thr, else
 * 0: one draw per value, the same draws tensor_rand_uniform_floats
 * makes, so with thr = ceil(rate * 2^24) (rate a float in [0, 1])
 * keep[i] == (u_i >= rate) exactly (u_i = k * 2^-24 is exact in a
 * float, and so is rate * 2^24). */
void tensor_rand_keep24(uint8_t *keep, int64_t n, uint32_t thr) {
  uint64_t s[4] = {rng_s[0], rng_s[1], rng_s[2], rng_s[3]};
  for (int64_t i = 0; i < n; i++) keep[i] = (uint32_t)(xoshiro_next(s) >> 40) >= thr;
  memcpy(rng_s, s, sizeof s);
}

double tensor_rand_uniform(void) {
  return (double)(tensor_rand_u64() >> 11) * 0x1.0p-53;
}

/* Box-Muller, keeping the second value for the next call */
double tensor_rand_normal(void) {
  if (have_spare) { have_spare = 0; return spare; }
  double u, v;
  do u = tensor_rand_uniform(); while (u <= 0);
  v = tensor_rand_uniform();
  double r = sqrt(-2.0 * log(u)), th = 2.0 * M_PI * v;
  spare = r * sin(th);
  have_spare = 1;
  return r * cos(th);
}
