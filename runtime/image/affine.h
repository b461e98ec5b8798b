/* affine.h - an order-1 (bilinear) affine warp of HxWxC float images
 * with scipy.ndimage.affine_transform's semantics (SciPy 1.10, order=1),
 * the warp Keras's ImageDataGenerator applies.
 *
 * Output pixel (i, j) (row, column, from 0) samples the input at
 *   r = m[0]*i + m[1]*j + off[0],   c = m[2]*i + m[3]*j + off[1]
 * with each channel interpolated on its own. Outside the image the
 * boundary mode decides, per axis, as SciPy does for order 1:
 *   constant  any point outside [0, n-1] (even within the last pixel's
 *             half, e.g. n-1+1e-9) is cval; no blending with cval;
 *   nearest   clamped to [0, n-1];
 *   reflect   half-sample symmetric (d c b a | a b c d | d c b a), so
 *             points in (n-1, n-0.5] take the edge value;
 *   wrap      SciPy's 'wrap': period n-1 (the first and last samples
 *             coincide), not n; a negative multiple of n-1 lands on the
 *             last sample;
 *   mirror    whole-sample symmetric (d c b | a b c d | c b a).
 * No Lua here; nothing allocates, prints or fails once arguments pass
 * image_affine_check. */
#ifndef WB_IMAGE_AFFINE_H
#define WB_IMAGE_AFFINE_H

#include <stdint.h>

typedef enum { AFFINE_CONSTANT, AFFINE_NEAREST, AFFINE_REFLECT,
               AFFINE_WRAP, AFFINE_MIRROR } AffineMode;

/* "constant", "nearest", "reflect", "wrap", "mirror", NULL */
extern const char *const affine_mode_names[];

/* One warp: the 2x2 matrix (row-major) and the offset; flip[0] / flip[1]
 * then reverse the result's rows / columns (Keras's vertical and
 * horizontal flips, applied after the warp): the value computed for
 * output (i, j) is stored at (h-1-i, j) / (i, w-1-j). */
typedef struct { double m[4], off[2]; int flip[2]; } AffineParams;

/* 0 when the sizes and parameters are usable, else -1 and a message in
 * err (TENSOR_ERRLEN bytes): positive sizes, finite parameters. */
int image_affine_check(int64_t n, int64_t h, int64_t w, int64_t c,
                       const AffineParams *p, int64_t np, char *err);

/* out[k] = warp of in[k] for k = 0..n-1 (each h*w*c floats, HWC), with
 * params p[k] (or p[0] for all when np == 1). Work is split by output
 * rows over the thread pool; every output value is computed by one
 * thread alone in a fixed order, so the bits do not depend on the
 * number of threads. */
void image_affine_batch(const float *in, float *out, int64_t n, int64_t h,
                        int64_t w, int64_t c, const AffineParams *p,
                        int64_t np, AffineMode mode, double cval);

#endif
