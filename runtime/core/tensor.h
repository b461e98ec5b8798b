/* tensor.h - the core N-d tensor descriptor (float32, or float64 where
 * a computation needs it) and its kernels.
 *
 * No Lua here. A Tensor borrows its data: whoever made it (the Lua
 * binding, a test) owns the memory. Functions that can fail on bad
 * input return 0 on success and -1 on failure with a message in err
 * (TENSOR_ERRLEN bytes); they never print, exit or abort. */
#ifndef WB_TENSOR_H
#define WB_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define TENSOR_MAXDIM 8
#define TENSOR_ERRLEN 256

/* The element type. TENSOR_F32 is 0, so a Tensor built with {0} or
 * designated initializers is float32, as every kernel outside core/
 * expects. Code that takes a float64 tensor reads it through f64 (the
 * same pointer) and steps with tensor_esize/tensor_ptr. */
typedef enum { TENSOR_F32 = 0, TENSOR_F64 = 1 } TensorDtype;

typedef struct Tensor {
  union {
    float *data;                    /* first element of this view (f32) */
    double *f64;                    /* the same, when dtype is F64 */
  };
  int ndim;                         /* 0 means a scalar (one element) */
  int64_t size;                     /* product of shape */
  int64_t shape[TENSOR_MAXDIM];
  int64_t stride[TENSOR_MAXDIM];    /* in elements, may be 0 (broadcast) */
  int dtype;                        /* TensorDtype */
} Tensor;

static inline size_t tensor_dtype_size(int dtype) {
  return dtype == TENSOR_F64 ? sizeof(double) : sizeof(float);
}
static inline size_t tensor_esize(const Tensor *t) {
  return tensor_dtype_size(t->dtype);
}
static inline const char *tensor_dtype_name(int dtype) {
  return dtype == TENSOR_F64 ? "float64" : "float32";
}
/* the element off elements (any sign) from t->data */
static inline void *tensor_ptr(const Tensor *t, int64_t off) {
  return (char *)t->data + off * (int64_t)tensor_esize(t);
}
/* the value at element offset off, as a double */
static inline double tensor_load(const Tensor *t, int64_t off) {
  return t->dtype == TENSOR_F64 ? t->f64[off] : (double)t->data[off];
}
static inline void tensor_store(const Tensor *t, int64_t off, double v) {
  if (t->dtype == TENSOR_F64) t->f64[off] = v;
  else t->data[off] = (float)v;
}

/* Fill shape/stride/size for a contiguous row-major float32 tensor (set
 * dtype afterwards for float64; the element limit, 2^40, keeps the bytes
 * of either type far inside size_t). Returns -1
 * if ndim is out of range or a dimension is negative or the element
 * count overflows. */
int tensor_init(Tensor *t, float *data, int ndim, const int64_t *shape,
                char *err);
int tensor_is_contiguous(const Tensor *t);
int tensor_same_shape(const Tensor *a, const Tensor *b);
/* "(2, 3, 4)" into buf */
const char *tensor_shape_str(const Tensor *t, char *buf, size_t n);

/* Strided element access by a full index vector (0-based). */
static inline float *tensor_at(const Tensor *t, const int64_t *idx) {
  float *p = t->data;
  for (int d = 0; d < t->ndim; d++) p += idx[d] * t->stride[d];
  return p;
}
/* the offset in elements of a full index vector */
static inline int64_t tensor_offset(const Tensor *t, const int64_t *idx) {
  int64_t off = 0;
  for (int d = 0; d < t->ndim; d++) off += idx[d] * t->stride[d];
  return off;
}

/* Copy any (strided) tensor into a contiguous buffer of t->size elements
 * of its own dtype (dst is a float * or a double *), and back. */
void tensor_gather(const Tensor *t, void *dst);
void tensor_scatter(const Tensor *t, const void *src);
void tensor_fill(const Tensor *t, double v);
/* dst (any strides, dst's shape) = src's values converted to dst's dtype;
 * src has dst's shape. */
void tensor_convert(const Tensor *src, const Tensor *dst);

/* Broadcasting: the result shape of a op b (NumPy rules). */
int tensor_broadcast_shape(const Tensor *a, const Tensor *b, int *ndim,
                           int64_t *shape, char *err);

typedef enum {
  TOP_ADD, TOP_SUB, TOP_MUL, TOP_DIV, TOP_POW, TOP_MAX, TOP_MIN,
  TOP_EQ, TOP_NE, TOP_LT, TOP_LE, TOP_GT, TOP_GE
} TensorBinop;
/* out (contiguous, broadcast shape) = a op b. a and b have one dtype;
 * out has it too, except for the comparisons EQ..GE on float64 inputs,
 * whose 0/1 result may be float32 (a mask). */
void tensor_binop(TensorBinop op, const Tensor *a, const Tensor *b,
                  const Tensor *out);
void tensor_binop_naive(TensorBinop op, const Tensor *a, const Tensor *b,
                        const Tensor *out);

typedef enum {
  TUN_NEG, TUN_EXP, TUN_LOG, TUN_SQRT, TUN_ABS, TUN_RELU, TUN_SIGMOID,
  TUN_TANH, TUN_SQUARE
} TensorUnop;
/* out (same shape, contiguous, a's dtype) = f(a) */
void tensor_unop(TensorUnop op, const Tensor *a, const Tensor *out);
void tensor_clamp(const Tensor *a, double lo, double hi, const Tensor *out);

/* Matrix product of 2-D tensors: (m,k) x (k,n) -> (m,n), out contiguous.
 * Batched: (..., m, k) x (..., k, n) with equal leading dims. a, b and
 * out have one dtype (sgemm for float32, dgemm for float64). */
int tensor_matmul(const Tensor *a, const Tensor *b, const Tensor *out,
                  char *err);
void tensor_matmul_naive(const Tensor *a, const Tensor *b,
                         const Tensor *out);

typedef enum { TRED_SUM, TRED_MEAN, TRED_MAX, TRED_MIN, TRED_ARGMAX,
               TRED_ARGMIN } TensorReduce;
/* Reduce over all elements. ARGMAX/ARGMIN give a 0-based flat index.
 * An empty tensor (any strides) is never read: SUM gives 0, MEAN/MAX/
 * MIN NaN, ARGMAX/ARGMIN -1. */
double tensor_reduce_all(TensorReduce op, const Tensor *a);
/* Reduce along axis (0-based); out has a's shape without that axis
 * (contiguous, either dtype: values are stored converted to it). ARG*
 * store 0-based positions; an empty axis
 * gives what tensor_reduce_all gives for an empty tensor. */
void tensor_reduce_axis(TensorReduce op, const Tensor *a, int axis,
                        const Tensor *out);

/* Seeded RNG (xoshiro256**): one stream for the whole runtime. */
void tensor_seed(uint64_t seed);
uint64_t tensor_rand_u64(void);
double tensor_rand_uniform(void);   /* [0, 1) */
double tensor_rand_normal(void);    /* N(0, 1) */
void tensor_rand_uniform_floats(float *dst, int64_t n);   /* [0, 1) */
/* keep[i] = (the top 24 bits of the i-th draw >= thr): with
 * thr = ceil(rate * 2^24) the same decisions as
 * tensor_rand_uniform_floats(u) then u[i] >= rate (rate a float) */
void tensor_rand_keep24(uint8_t *keep, int64_t n, uint32_t thr);

/* .npy files. The reader fills a header description and converts the
 * payload to the destination's dtype: float32 for '<f4' and '|u1',
 * float64 for '<f8' (npy_dtype says which a file gets). */
typedef struct NpyHeader {
  char dtype[8];          /* "<f4", "<f8", "|u1" */
  int fortran;
  int ndim;
  int64_t shape[TENSOR_MAXDIM];
  size_t data_offset;     /* bytes from the file start */
} NpyHeader;
int npy_parse_header(const unsigned char *buf, size_t n, NpyHeader *h,
                     char *err);
/* Read a whole .npy file: parse, then convert into dst (count elements
 * of dtype: a float * or a double *). */
int npy_read_header_file(const char *path, NpyHeader *h, char *err);
int npy_dtype(const NpyHeader *h);     /* TENSOR_F64 for '<f8', else F32 */
int npy_read_data_file(const char *path, const NpyHeader *h, void *dst,
                       int dtype, int64_t count, char *err);
/* Write C-order '<f4' (float32) or '<f8' (float64) by t's dtype; writes a
 * temporary then renames. */
int npy_write_file(const char *path, const Tensor *t, char *err);

#endif
