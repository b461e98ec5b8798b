/* tensor_ext.c - the NumPy-style additions to the tensor core (see
 * tensor_ext.h). Naive and simple: every kernel walks its input once or
 * twice; the strided walker tx_copy does the view arithmetic for the
 * joining kernels. */
#include <math.h>
#include <tgmath.h>     /* tx_unop: one text for float and double */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "core/tensor_ext.h"

/* ---- ranges ------------------------------------------------------------ */

/* value i of linspace (log unset) or logspace, in double */
static double range_value(int64_t i, int64_t n, double start, double stop,
                          int endpoint, int log, double base) {
  double div = endpoint ? (double)(n - 1) : (double)n;
  double step = div > 0 ? (stop - start) / div : 0;
  double e = (endpoint && n > 1 && i == n - 1) ? stop : start + (double)i * step;
  return log ? pow(base, e) : e;
}

void tx_linspace(float *out, int64_t n, double start, double stop, int endpoint) {
  for (int64_t i = 0; i < n; i++)
    out[i] = (float)range_value(i, n, start, stop, endpoint, 0, 0);
}

void tx_logspace(float *out, int64_t n, double start, double stop, int endpoint,
                 double base) {
  for (int64_t i = 0; i < n; i++)
    out[i] = (float)range_value(i, n, start, stop, endpoint, 1, base);
}

void tx_range64(double *out, int64_t n, double start, double stop, int endpoint,
                int log, double base) {
  for (int64_t i = 0; i < n; i++)
    out[i] = range_value(i, n, start, stop, endpoint, log, base);
}

/* ---- elementwise ------------------------------------------------------- */

/* f over n values of type T in place; <tgmath.h> picks sinf or sin by T */
#define TX_UNOP_LOOP(T, o)                                                   \
  switch (op) {                                                              \
  case TX_SIN: for (int64_t i = 0; i < n; i++) o[i] = sin(o[i]); break;      \
  case TX_COS: for (int64_t i = 0; i < n; i++) o[i] = cos(o[i]); break;      \
  case TX_TAN: for (int64_t i = 0; i < n; i++) o[i] = tan(o[i]); break;      \
  case TX_SIGN:                                                              \
    for (int64_t i = 0; i < n; i++)                                          \
      if (!isnan(o[i])) o[i] = (T)((o[i] > 0) - (o[i] < 0));                 \
    break;                                                                   \
  case TX_FLOOR: for (int64_t i = 0; i < n; i++) o[i] = floor(o[i]); break;  \
  case TX_CEIL: for (int64_t i = 0; i < n; i++) o[i] = ceil(o[i]); break;    \
  case TX_TRUNC: for (int64_t i = 0; i < n; i++) o[i] = trunc(o[i]); break;  \
  }

void tx_unop(TxUnop op, const Tensor *a, void *outp) {
  tensor_gather(a, outp);
  int64_t n = a->size;
  if (a->dtype == TENSOR_F64) {
    double *o = outp;
    TX_UNOP_LOOP(double, o)
  } else {
    float *o = outp;
    TX_UNOP_LOOP(float, o)
  }
}
#undef TX_UNOP_LOOP

/* NumPy rounds float32 by multiplying by 10^d, rounding half to even
 * (rint in the default rounding mode) and dividing back, all in float32;
 * negative d divides first. */
static void round64(const Tensor *a, int decimals, double *out) {
  tensor_gather(a, out);
  double s = pow(10.0, decimals < 0 ? -decimals : decimals);
  for (int64_t i = 0; i < a->size; i++) {
    if (decimals == 0) { out[i] = rint(out[i]); continue; }
    double y = rint(decimals > 0 ? out[i] * s : out[i] / s);
    out[i] = decimals > 0 ? y / s : y * s;
  }
}

void tx_round(const Tensor *a, int decimals, void *outp) {
  if (a->dtype == TENSOR_F64) { round64(a, decimals, outp); return; }
  float *out = outp;
  tensor_gather(a, out);
  if (decimals == 0) {
    for (int64_t i = 0; i < a->size; i++) out[i] = rintf(out[i]);
    return;
  }
  float s = (float)pow(10.0, decimals < 0 ? -decimals : decimals);
  for (int64_t i = 0; i < a->size; i++) {
    float y = decimals > 0 ? out[i] * s : out[i] / s;
    y = rintf(y);
    out[i] = decimals > 0 ? y / s : y * s;
  }
}

/* ---- lanes ------------------------------------------------------------- */

void tx_lanes(const Tensor *a, int axis, int64_t *outer, int64_t *n,
              int64_t *inner) {
  *outer = 1;
  *inner = 1;
  *n = a->ndim ? a->shape[axis] : 1;
  for (int d = 0; d < axis; d++) *outer *= a->shape[d];
  for (int d = axis + 1; d < a->ndim; d++) *inner *= a->shape[d];
}

#define TX_VAR(NAME, T)                                                  \
void NAME(const T *a, int64_t outer, int64_t n, int64_t inner,           \
          double ddof, int root, T *out) {                               \
  for (int64_t o = 0; o < outer; o++)                                    \
    for (int64_t i = 0; i < inner; i++) {                                \
      const T *p = a + o * n * inner + i;                                \
      double m = 0, s = 0;                                               \
      for (int64_t j = 0; j < n; j++) m += p[j * inner];                 \
      m /= (double)n;                                                    \
      for (int64_t j = 0; j < n; j++) {                                  \
        double d = p[j * inner] - m;                                     \
        s += d * d;                                                      \
      }                                                                  \
      s /= ((double)n - ddof);                                           \
      out[o * inner + i] = (T)(root ? sqrt(s) : s);                      \
    }                                                                    \
}
TX_VAR(tx_var, float)
TX_VAR(tx_var64, double)
#undef TX_VAR

static int64_t *alloc_longs(int64_t n, char *err) {
  int64_t *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
  if (!p) snprintf(err, TENSOR_ERRLEN, "out of memory for %lld positions", (long long)n);
  return p;
}

/* The sorting family for one element type T (float, then double):
 * KEY_LESS: a before b: ascending, NaN after every number; equal keys
 * keep their positions' order (stability comes from the merge).
 * MERGE: stable merge sort of positions idx[0..n) by key[idx], tmp n
 * longs. LANES sorts each lane and hands it to a callback; SORT and
 * MEDIAN are tx_sort and tx_median on it. */
#define SORT_FAMILY(T, KEY_LESS, MERGE, LANES, SORT, MEDIAN)                        \
static int KEY_LESS(T a, T b) {                                              \
  if (isnan(a)) return 0;                                                    \
  if (isnan(b)) return 1;                                                    \
  return a < b;                                                              \
}                                                                            \
static void MERGE(int64_t *idx, int64_t *tmp, int64_t n, const T *key,       \
                  int64_t stride) {                                          \
  if (n < 2) return;                                                         \
  if (n <= 16) {                     /* insertion sort: stable */            \
    for (int64_t i = 1; i < n; i++) {                                        \
      int64_t v = idx[i], j = i;                                             \
      while (j > 0 && KEY_LESS(key[v * stride], key[idx[j - 1] * stride])) { \
        idx[j] = idx[j - 1];                                                 \
        j--;                                                                 \
      }                                                                      \
      idx[j] = v;                                                            \
    }                                                                        \
    return;                                                                  \
  }                                                                          \
  int64_t h = n / 2;                                                         \
  MERGE(idx, tmp, h, key, stride);                                           \
  MERGE(idx + h, tmp, n - h, key, stride);                                   \
  int64_t i = 0, j = h, k = 0;                                               \
  while (i < h && j < n)                                                     \
    tmp[k++] = KEY_LESS(key[idx[j] * stride], key[idx[i] * stride])          \
               ? idx[j++] : idx[i++];                                        \
  while (i < h) tmp[k++] = idx[i++];                                         \
  while (j < n) tmp[k++] = idx[j++];                                         \
  memcpy(idx, tmp, (size_t)n * sizeof *idx);                                 \
}                                                                            \
/* fn(p, idx, o, i) for each lane (o, i): p its first value, idx the    \
 * positions 0..n-1 in sorted order */                                      \
static int LANES(const T *a, int64_t outer, int64_t n, int64_t inner,        \
                 void (*fn)(const T *, const int64_t *, int64_t, int64_t,    \
                            int64_t, int64_t, void *),                        \
                 void *arg, char *err) {                                     \
  int64_t *idx = alloc_longs(2 * n, err);                                    \
  if (!idx) return -1;                                                       \
  for (int64_t o = 0; o < outer; o++)                                        \
    for (int64_t i = 0; i < inner; i++) {                                    \
      const T *p = a + o * n * inner + i;                                    \
      for (int64_t j = 0; j < n; j++) idx[j] = j;                            \
      MERGE(idx, idx + n, n, p, inner);                                      \
      fn(p, idx, n, inner, o, i, arg);                                       \
    }                                                                        \
  free(idx);                                                                 \
  return 0;                                                                  \
}                                                                            \
typedef struct { T *vals; float *pos; } SORT##_out;                          \
static void SORT##_lane(const T *p, const int64_t *idx, int64_t n,           \
                        int64_t inner, int64_t o, int64_t i, void *arg) {    \
  SORT##_out *w = arg;                                                       \
  T *v = w->vals ? w->vals + o * n * inner + i : NULL;                       \
  float *q = w->pos ? w->pos + o * n * inner + i : NULL;                     \
  for (int64_t j = 0; j < n; j++) {                                          \
    if (v) v[j * inner] = p[idx[j] * inner];                                 \
    if (q) q[j * inner] = (float)idx[j];                                     \
  }                                                                          \
}                                                                            \
int SORT(const T *a, int64_t outer, int64_t n, int64_t inner, T *vals,       \
         float *pos, char *err) {                                            \
  SORT##_out w = {vals, pos};                                                \
  return LANES(a, outer, n, inner, SORT##_lane, &w, err);                    \
}                                                                            \
static void MEDIAN##_lane(const T *p, const int64_t *idx, int64_t n,         \
                          int64_t inner, int64_t o, int64_t i, void *arg) {  \
  T r, *out = arg;                                                           \
  if (isnan(p[idx[n - 1] * inner])) r = NAN;                                 \
  else if (n % 2) r = p[idx[n / 2] * inner];                                 \
  else r = (T)(((double)p[idx[n / 2 - 1] * inner] +                          \
                p[idx[n / 2] * inner]) / 2);                                 \
  out[o * inner + i] = r;                                                    \
}                                                                            \
int MEDIAN(const T *a, int64_t outer, int64_t n, int64_t inner, T *out,      \
           char *err) {                                                      \
  return LANES(a, outer, n, inner, MEDIAN##_lane, out, err);                 \
}
SORT_FAMILY(float, key_less, merge_sort, sorted_lanes, tx_sort, tx_median)
SORT_FAMILY(double, key_less64, merge_sort64, sorted_lanes64, tx_sort64, tx_median64)
#undef SORT_FAMILY

#define TX_CUMULATE(NAME, T)                                             \
void NAME(const T *a, int64_t outer, int64_t n, int64_t inner, int prod, \
          T *out) {                                                      \
  for (int64_t o = 0; o < outer; o++)                                    \
    for (int64_t i = 0; i < inner; i++) {                                \
      const T *p = a + o * n * inner + i;                                \
      T *q = out + o * n * inner + i;                                    \
      T acc = prod ? 1 : 0;                                              \
      for (int64_t j = 0; j < n; j++) {                                  \
        acc = prod ? acc * p[j * inner] : acc + p[j * inner];            \
        q[j * inner] = acc;                                              \
      }                                                                  \
    }                                                                    \
}
TX_CUMULATE(tx_cumulate, float)
TX_CUMULATE(tx_cumulate64, double)
#undef TX_CUMULATE

/* ---- strided copies ---------------------------------------------------- */

#define TX_COPY(NAME, T)                                                   \
void NAME(T *dst, const int64_t *dstride, const T *src,                    \
          const int64_t *sstride, const int64_t *shape, int nd) {          \
  if (nd == 0) { *dst = *src; return; }                                    \
  for (int d = 0; d < nd; d++) if (shape[d] == 0) return;                  \
  if (nd == 1) {                                                           \
    for (int64_t i = 0; i < shape[0]; i++) dst[i * dstride[0]] = src[i * sstride[0]]; \
    return;                                                                \
  }                                                                        \
  for (int64_t i = 0; i < shape[0]; i++)                                   \
    NAME(dst + i * dstride[0], dstride + 1, src + i * sstride[0], sstride + 1, \
         shape + 1, nd - 1);                                               \
}
TX_COPY(tx_copy, float)
TX_COPY(tx_copy64, double)
#undef TX_COPY

/* tx_copy or tx_copy64 by dst's dtype (src has the same) */
static void copy_any(const Tensor *dst, const int64_t *dstride, const Tensor *src,
                     const int64_t *sstride, const int64_t *shape, int nd) {
  if (dst->dtype == TENSOR_F64) tx_copy64(dst->f64, dstride, src->f64, sstride, shape, nd);
  else tx_copy(dst->data, dstride, src->data, sstride, shape, nd);
}

void tx_broadcast_view(const Tensor *a, int ndim, const int64_t *shape,
                       Tensor *v) {
  int off = ndim - a->ndim;
  v->data = a->data;
  v->dtype = a->dtype;
  v->ndim = ndim;
  v->size = 1;
  for (int d = 0; d < ndim; d++) {
    v->shape[d] = shape[d];
    v->size *= shape[d];
    if (d < off || a->shape[d - off] == 1) v->stride[d] = 0;
    else v->stride[d] = a->stride[d - off];
  }
}

static void copy_tensor(const Tensor *dst, const Tensor *src) {
  copy_any(dst, dst->stride, src, src->stride, dst->shape, dst->ndim);
}

void tx_where(const Tensor *cond, const Tensor *a, const Tensor *b,
              const Tensor *out) {
  Tensor c, x, y;
  tx_broadcast_view(cond, out->ndim, out->shape, &c);
  tx_broadcast_view(a, out->ndim, out->shape, &x);
  tx_broadcast_view(b, out->ndim, out->shape, &y);
  int64_t idx[TENSOR_MAXDIM] = {0};
  for (int64_t k = 0; k < out->size; k++) {
    int pick = tensor_load(&c, tensor_offset(&c, idx)) != 0;
    const Tensor *s = pick ? &x : &y;
    tensor_store(out, k, tensor_load(s, tensor_offset(s, idx)));
    for (int d = out->ndim - 1; d >= 0; d--) {
      if (++idx[d] < out->shape[d]) break;
      idx[d] = 0;
    }
  }
}

void tx_concat(const Tensor *const *ts, int k, int axis, const Tensor *out) {
  int64_t at = 0;
  for (int i = 0; i < k; i++) {
    Tensor v = *out;
    v.data = tensor_ptr(out, at * out->stride[axis]);
    v.shape[axis] = ts[i]->shape[axis];
    copy_tensor(&v, ts[i]);
    at += ts[i]->shape[axis];
  }
}

void tx_tile(const Tensor *a, int nd, const int64_t *reps, const Tensor *out) {
  /* out as (reps_0, n_0, reps_1, n_1, ...); a broadcast along each reps */
  int64_t shape[2 * TENSOR_MAXDIM], ds[2 * TENSOR_MAXDIM], ss[2 * TENSOR_MAXDIM];
  int off = nd - a->ndim;
  for (int d = 0; d < nd; d++) {
    int64_t n = d < off ? 1 : a->shape[d - off];
    shape[2 * d] = reps[d];
    shape[2 * d + 1] = n;
    ds[2 * d] = out->stride[d] * n;
    ds[2 * d + 1] = out->stride[d];
    ss[2 * d] = 0;
    ss[2 * d + 1] = d < off ? 0 : a->stride[d - off];
  }
  copy_any(out, ds, a, ss, shape, 2 * nd);
}

void tx_repeat(const Tensor *a, int axis, const int64_t *counts,
               const Tensor *out) {
  Tensor s = *a, d = *out;
  s.shape[axis] = 1;
  d.shape[axis] = 1;
  int64_t at = 0;
  for (int64_t j = 0; j < a->shape[axis]; j++) {
    s.data = tensor_ptr(a, j * a->stride[axis]);
    for (int64_t c = 0; c < counts[j]; c++, at++) {
      d.data = tensor_ptr(out, at * out->stride[axis]);
      copy_tensor(&d, &s);
    }
  }
}

void tx_flip(const Tensor *a, const int *flip, const Tensor *out) {
  Tensor s = *a;
  for (int d = 0; d < a->ndim; d++)
    if (flip[d] && a->shape[d] > 0) {
      s.data = tensor_ptr(&s, (a->shape[d] - 1) * a->stride[d]);
      s.stride[d] = -a->stride[d];
    }
  if (a->size) copy_tensor(out, &s);
}

/* ---- selection --------------------------------------------------------- */

/* walk the mask's elements in row-major order, calling back with the
 * ordinal of each block and whether it is selected */
#define MASK_WALK(mask, body)                                            \
  do {                                                                   \
    int64_t idx_[TENSOR_MAXDIM] = {0};                                   \
    for (int64_t blk = 0; blk < (mask)->size; blk++) {                   \
      int sel = tensor_load((mask), tensor_offset((mask), idx_)) != 0;   \
      body                                                               \
      for (int d_ = (mask)->ndim - 1; d_ >= 0; d_--) {                   \
        if (++idx_[d_] < (mask)->shape[d_]) break;                       \
        idx_[d_] = 0;                                                    \
      }                                                                  \
    }                                                                    \
  } while (0)

int64_t tx_mask_count(const Tensor *mask) {
  int64_t n = 0;
  MASK_WALK(mask, n += sel;);
  return n;
}

/* the block of a at the block ordinal blk: a view of the trailing dims */
static void block_view(const Tensor *a, int lead, int64_t blk, Tensor *v) {
  int64_t off = 0;
  for (int d = lead - 1; d >= 0; d--) {
    off += (blk % a->shape[d]) * a->stride[d];
    blk /= a->shape[d];
  }
  v->data = tensor_ptr(a, off);
  v->dtype = a->dtype;
  v->ndim = a->ndim - lead;
  v->size = 1;
  for (int d = 0; d < v->ndim; d++) {
    v->shape[d] = a->shape[lead + d];
    v->stride[d] = a->stride[lead + d];
    v->size *= v->shape[d];
  }
}

void tx_mask_select(const Tensor *a, const Tensor *mask, void *out) {
  int64_t k = 0;
  size_t es = tensor_esize(a);
  MASK_WALK(mask, if (sel) {
    Tensor v;
    block_view(a, mask->ndim, blk, &v);
    tensor_gather(&v, (char *)out + (size_t)k * es);
    k += v.size;
  });
}

void tx_mask_assign(const Tensor *a, const Tensor *mask, const void *values,
                    int64_t nvalues) {
  int64_t k = 0;
  size_t es = tensor_esize(a);
  MASK_WALK(mask, if (sel) {
    Tensor v;
    block_view(a, mask->ndim, blk, &v);
    if (nvalues == 1)
      tensor_fill(&v, a->dtype == TENSOR_F64 ? *(const double *)values
                                             : *(const float *)values);
    else tensor_scatter(&v, (const char *)values + (size_t)k * es);
    k += v.size;
  });
}

/* ---- products ---------------------------------------------------------- */

double tx_dot(const Tensor *a, const Tensor *b) {
  int64_t n = a->shape[0];
  if (a->dtype == TENSOR_F64 && b->dtype == TENSOR_F64) {
    if (n > 0 && n <= INT32_MAX && a->stride[0] > 0 && b->stride[0] > 0 &&
        a->stride[0] <= INT32_MAX && b->stride[0] <= INT32_MAX)
      return cblas_ddot((int)n, a->f64, (int)a->stride[0], b->f64, (int)b->stride[0]);
    double s = 0;
    for (int64_t i = 0; i < n; i++)
      s += a->f64[i * a->stride[0]] * b->f64[i * b->stride[0]];
    return s;
  }
  double s = 0;
  for (int64_t i = 0; i < a->shape[0]; i++)
    s += (double)a->data[i * a->stride[0]] * b->data[i * b->stride[0]];
  return s;
}

void tx_outer(const Tensor *a, const Tensor *b, void *outp) {
  if (a->dtype == TENSOR_F64) {      /* a, b and out float64 */
    double *o = outp;
    int64_t ia[TENSOR_MAXDIM] = {0};
    for (int64_t i = 0; i < a->size; i++) {
      double ai = a->f64[tensor_offset(a, ia)];
      int64_t ib[TENSOR_MAXDIM] = {0};
      for (int64_t j = 0; j < b->size; j++) {
        o[i * b->size + j] = ai * b->f64[tensor_offset(b, ib)];
        for (int d = b->ndim - 1; d >= 0; d--) {
          if (++ib[d] < b->shape[d]) break;
          ib[d] = 0;
        }
      }
      for (int d = a->ndim - 1; d >= 0; d--) {
        if (++ia[d] < a->shape[d]) break;
        ia[d] = 0;
      }
    }
    return;
  }
  float *out = outp;
  float *x = out, *y = out + a->size * b->size - b->size;
  /* gather b into the last row first, then a into the first column's
   * scratch: avoid allocations by reading a element-wise */
  int64_t idx[TENSOR_MAXDIM] = {0};
  if (a->size == 0 || b->size == 0) return;
  tensor_gather(b, y);
  for (int64_t i = 0; i < a->size; i++) {
    float ai = *tensor_at(a, idx);
    for (int d = a->ndim - 1; d >= 0; d--) {
      if (++idx[d] < a->shape[d]) break;
      idx[d] = 0;
    }
    if (i == a->size - 1) {          /* the last row holds b itself */
      for (int64_t j = 0; j < b->size; j++) y[j] *= ai;
    } else {
      for (int64_t j = 0; j < b->size; j++) x[i * b->size + j] = ai * y[j];
    }
  }
}

/* ---- matrices and grids ------------------------------------------------ */

void tx_diag_from(const Tensor *v, int64_t k, const Tensor *out) {
  int64_t m = out->shape[1];
  for (int64_t i = 0; i < v->shape[0]; i++) {
    int64_t r = k >= 0 ? i : i - k, c = k >= 0 ? i + k : i;
    tensor_store(out, r * m + c, tensor_load(v, i * v->stride[0]));
  }
}

void tx_diag_of(const Tensor *m, int64_t k, int64_t len, void *out) {
  for (int64_t i = 0; i < len; i++) {
    int64_t r = k >= 0 ? i : i - k, c = k >= 0 ? i + k : i;
    double v = tensor_load(m, r * m->stride[0] + c * m->stride[1]);
    if (m->dtype == TENSOR_F64) ((double *)out)[i] = v;
    else ((float *)out)[i] = (float)v;
  }
}

void tx_grid(const Tensor *x, int dim, const Tensor *out) {
  int64_t ss[TENSOR_MAXDIM] = {0};
  ss[dim] = x->stride[0];
  copy_any(out, out->stride, x, ss, out->shape, out->ndim);
}

/* ---- counting ---------------------------------------------------------- */

int tx_unique(const Tensor *a, void *values, float *first, float *inverse,
              float *counts, int64_t *k, char *err) {
  int64_t n = a->size;
  int f64 = a->dtype == TENSOR_F64;
  *k = 0;
  if (n == 0) return 0;
  int64_t *idx = alloc_longs(2 * n, err);
  if (!idx) return -1;
  void *flat = malloc((size_t)n * tensor_esize(a));
  if (!flat) {
    free(idx);
    snprintf(err, TENSOR_ERRLEN, "out of memory for %lld values", (long long)n);
    return -1;
  }
  tensor_gather(a, flat);
  for (int64_t j = 0; j < n; j++) idx[j] = j;
  if (f64) merge_sort64(idx, idx + n, n, flat, 1);
  else merge_sort(idx, idx + n, n, flat, 1);
  int64_t u = -1;
  double prev = 0;
  for (int64_t j = 0; j < n; j++) {
    double v = f64 ? ((double *)flat)[idx[j]] : ((float *)flat)[idx[j]];
    int same = j > 0 && (v == prev || (isnan(v) && isnan(prev)));
    if (!same) {
      u++;
      if (values && f64) ((double *)values)[u] = v;
      else if (values) ((float *)values)[u] = (float)v;
      if (first) first[u] = (float)idx[j];   /* stable: the earliest */
      if (counts) counts[u] = 0;
      prev = v;
    }
    if (counts) counts[u] += 1;
    if (inverse) inverse[idx[j]] = (float)u;
  }
  *k = u + 1;
  free(flat);
  free(idx);
  return 0;
}

void tx_bincount(const Tensor *x, const Tensor *w, float *out, int64_t len) {
  double *acc = NULL;
  if (w) acc = calloc((size_t)(len > 0 ? len : 1), sizeof *acc);
  for (int64_t i = 0; i < x->shape[0]; i++) {
    int64_t b = (int64_t)x->data[i * x->stride[0]];
    if (!w) out[b] += 1;
    else if (acc) acc[b] += w->data[i * w->stride[0]];
    else out[b] += w->data[i * w->stride[0]];   /* no memory: float sums */
  }
  if (acc) {
    for (int64_t b = 0; b < len; b++) out[b] = (float)acc[b];
    free(acc);
  }
}

/* ---- sampling ---------------------------------------------------------- */

uint64_t tx_rand_below(uint64_t range) {
  /* reject the top partial block so every residue is equally likely */
  uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t r;
  do r = tensor_rand_u64(); while (r >= limit);
  return r % range;
}

void tx_randint(float *out, int64_t n, int64_t lo, int64_t hi) {
  uint64_t range = (uint64_t)(hi - lo);
  for (int64_t i = 0; i < n; i++)
    out[i] = (float)(lo + (int64_t)tx_rand_below(range));
}

/* one weighted draw by inverse CDF over w[0..m), total > 0 */
static int64_t draw_weighted(const double *w, int64_t m, double total) {
  double u = tensor_rand_uniform() * total, c = 0;
  int64_t last = 0;
  for (int64_t j = 0; j < m; j++) {
    if (w[j] <= 0) continue;
    c += w[j];
    last = j;
    if (u < c) return j;
  }
  return last;                       /* rounding at the top end */
}

int tx_choice(int64_t *pos, int64_t n, int64_t m, const float *p,
              int replace, char *err) {
  if (!p) {
    if (replace) {
      for (int64_t i = 0; i < n; i++) pos[i] = (int64_t)tx_rand_below((uint64_t)m);
      return 0;
    }
    /* a partial Fisher-Yates shuffle of 0..m-1 */
    int64_t *perm = alloc_longs(m, err);
    if (!perm) return -1;
    for (int64_t j = 0; j < m; j++) perm[j] = j;
    for (int64_t i = 0; i < n; i++) {
      int64_t j = i + (int64_t)tx_rand_below((uint64_t)(m - i));
      int64_t t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      pos[i] = perm[i];
    }
    free(perm);
    return 0;
  }
  double *w = malloc((size_t)m * sizeof *w);
  if (!w) {
    snprintf(err, TENSOR_ERRLEN, "out of memory for %lld weights", (long long)m);
    return -1;
  }
  double total = 0;
  for (int64_t j = 0; j < m; j++) total += (w[j] = p[j]);
  for (int64_t i = 0; i < n; i++) {
    int64_t j = draw_weighted(w, m, total);
    pos[i] = j;
    if (!replace) {                  /* drop it and renormalise */
      total -= w[j];
      w[j] = 0;
      if (i + 1 < n) {               /* recompute: no drift from subtraction */
        total = 0;
        for (int64_t q = 0; q < m; q++) total += w[q];
      }
    }
  }
  free(w);
  return 0;
}
