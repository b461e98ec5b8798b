/* tensor_ext.h - the NumPy-style additions to the tensor core: ranges,
 * elementwise maths, moments, scans, sorting, joining and splitting,
 * selection, counting and sampling.
 *
 * No Lua here. As in tensor.h, outputs are contiguous float buffers owned
 * by the caller, sized as each comment says; inputs are Tensors (any
 * strides) unless a comment says "contiguous". Positions written into
 * float outputs are 0-based; the binding adds 1. Functions that can fail
 * return 0 or -1 with a message in err (TENSOR_ERRLEN bytes); the only
 * failure not caught by the binding's checks is running out of memory. */
#ifndef WB_TENSOR_EXT_H
#define WB_TENSOR_EXT_H

#include <stdint.h>

#include "core/tensor.h"

/* ---- ranges: n values, computed in double as NumPy does ---------------- */
/* start + i*step, step = (stop-start)/(n-1) (endpoint) or /n; the last
 * value is exactly stop with endpoint. */
void tx_linspace(float *out, int64_t n, double start, double stop, int endpoint);
/* base ^ linspace(start, stop) */
void tx_logspace(float *out, int64_t n, double start, double stop, int endpoint,
                 double base);
/* either of them (logspace with log set) into n doubles */
void tx_range64(double *out, int64_t n, double start, double stop, int endpoint,
                int log, double base);

/* ---- elementwise ------------------------------------------------------- */
typedef enum { TX_SIN, TX_COS, TX_TAN, TX_SIGN, TX_FLOOR, TX_CEIL, TX_TRUNC }
  TxUnop;
/* out (a->size elements of a's dtype) = f(a) */
void tx_unop(TxUnop op, const Tensor *a, void *out);
/* NumPy's round: half to even, scaled by 10^decimals in float32 */
void tx_round(const Tensor *a, int decimals, void *out);   /* a's dtype;
                                      float64 scales in double */

/* ---- lanes -------------------------------------------------------------
 * Axis operations see a contiguous tensor as (outer, n, inner): n values
 * along the axis, inner apart, for each of outer*inner lanes. */
void tx_lanes(const Tensor *a, int axis, int64_t *outer, int64_t *n,
              int64_t *inner);

/* variance (or its root with root set) of each lane, dividing by n - ddof
 * (> 0, checked by the caller); two passes in double. a contiguous,
 * out outer*inner floats. */
void tx_var(const float *a, int64_t outer, int64_t n, int64_t inner,
            double ddof, int root, float *out);
void tx_var64(const double *a, int64_t outer, int64_t n, int64_t inner,
              double ddof, int root, double *out);
/* median of each lane (NaN when the lane holds a NaN); a contiguous,
 * n > 0, out outer*inner floats. */
int tx_median(const float *a, int64_t outer, int64_t n, int64_t inner,
              float *out, char *err);
int tx_median64(const double *a, int64_t outer, int64_t n, int64_t inner,
                double *out, char *err);
/* running sum (prod unset) or product along each lane, in float32 as
 * NumPy does; a contiguous, out outer*n*inner floats. */
void tx_cumulate(const float *a, int64_t outer, int64_t n, int64_t inner,
                 int prod, float *out);
void tx_cumulate64(const double *a, int64_t outer, int64_t n, int64_t inner,
                   int prod, double *out);
/* stable ascending sort of each lane, NaN last: sorted values into vals
 * and/or 0-based positions into pos (either may be NULL). a contiguous. */
int tx_sort(const float *a, int64_t outer, int64_t n, int64_t inner,
            float *vals, float *pos, char *err);
int tx_sort64(const double *a, int64_t outer, int64_t n, int64_t inner,
              double *vals, float *pos, char *err);

/* ---- strided copies ----------------------------------------------------
 * dst = src over shape[0..nd) (nd up to 2*TENSOR_MAXDIM), strides in
 * elements, any sign, 0 for broadcast in src. */
void tx_copy(float *dst, const int64_t *dstride, const float *src,
             const int64_t *sstride, const int64_t *shape, int nd);
void tx_copy64(double *dst, const int64_t *dstride, const double *src,
               const int64_t *sstride, const int64_t *shape, int nd);
/* a viewed with shape (ndim, shape) by NumPy's broadcasting rules (the
 * caller checked that a broadcasts to it). */
void tx_broadcast_view(const Tensor *a, int ndim, const int64_t *shape,
                       Tensor *v);

/* out = where(cond != 0, a, b), all three broadcast to out's shape; a, b
 * and out of one dtype, cond of either.
 * The joining, tiling, repeating and flipping kernels below copy in the
 * dtype of their output, which their inputs share. */
void tx_where(const Tensor *cond, const Tensor *a, const Tensor *b,
              const Tensor *out);

/* joining: the tensors ts[0..k) agree except along axis; out is their
 * concatenation along it (contiguous, shape checked by the caller). */
void tx_concat(const Tensor *const *ts, int k, int axis, const Tensor *out);
/* np.tile: a (ndim <= nd, leading 1s implied) repeated reps[d] times
 * along each of nd dimensions into out (contiguous). */
void tx_tile(const Tensor *a, int nd, const int64_t *reps, const Tensor *out);
/* np.repeat along axis: position j repeated counts[j] times */
void tx_repeat(const Tensor *a, int axis, const int64_t *counts,
               const Tensor *out);
/* out = a reversed along the axes with flip[d] set */
void tx_flip(const Tensor *a, const int *flip, const Tensor *out);

/* ---- selection --------------------------------------------------------- */
/* Boolean masks over the leading mask->ndim dimensions of a (same sizes,
 * checked by the caller): blocks of a->size / mask->size elements. */
int64_t tx_mask_count(const Tensor *mask);
/* the selected blocks, in order, into out (count*block elements of a's
 * dtype) */
void tx_mask_select(const Tensor *a, const Tensor *mask, void *out);
/* the selected blocks of a = values (count*block elements of a's dtype,
 * or a single one repeated when nvalues is 1) */
void tx_mask_assign(const Tensor *a, const Tensor *mask, const void *values,
                    int64_t nvalues);

/* ---- products ---------------------------------------------------------- */
/* sum of a[i]*b[i] over two 1-d tensors of equal length, in double
 * (cblas_ddot when both are float64) */
double tx_dot(const Tensor *a, const Tensor *b);
/* out (a->size x b->size, a's dtype, which b shares) = outer product of
 * the flattened a and b */
void tx_outer(const Tensor *a, const Tensor *b, void *out);

/* ---- matrices and grids ------------------------------------------------ */
/* 1-d v -> (n+|k|)^2 matrix with v on diagonal k; out zeroed by caller */
void tx_diag_from(const Tensor *v, int64_t k, const Tensor *out);
/* 2-d m -> its diagonal k (length len, computed by the caller; m's
 * dtype). diag_from stores into out's dtype. */
void tx_diag_of(const Tensor *m, int64_t k, int64_t len, void *out);
/* np.meshgrid output i of k 1-d inputs: out has k dims; input i runs
 * along dimension dim (the caller swaps the first two for "xy"). */
void tx_grid(const Tensor *x, int dim, const Tensor *out);

/* ---- counting ---------------------------------------------------------- */
/* Sorted distinct values of a (flattened), NaNs collapsed last, as NumPy
 * 1.24 does. Each output holds up to a->size elements and may be NULL:
 * values (in a's dtype), first (0-based position of each value's first
 * occurrence), inverse (for each element, the 0-based position of its
 * value in values), counts (floats). *k gets the number of distinct values. */
int tx_unique(const Tensor *a, void *values, float *first, float *inverse,
              float *counts, int64_t *k, char *err);
/* out[len] = counts (or sums of w) of the non-negative integer values x
 * (checked by the caller); x, w 1-d of equal length, w may be NULL. */
void tx_bincount(const Tensor *x, const Tensor *w, float *out, int64_t len);

/* ---- sampling on the runtime's seeded RNG ------------------------------ */
/* a uniform integer in [0, range), range > 0, without modulo bias */
uint64_t tx_rand_below(uint64_t range);
/* n integers in [lo, hi) */
void tx_randint(float *out, int64_t n, int64_t lo, int64_t hi);
/* n draws of positions 0..m-1 (m > 0): uniform, or by the weights p
 * (m floats, non-negative with a positive sum) when p is set; without
 * replacement (n <= m, or n <= number of positive weights) when
 * replace is unset. pos gets 0-based positions. */
int tx_choice(int64_t *pos, int64_t n, int64_t m, const float *p,
              int replace, char *err);

#endif
