/* nn_upsample.c - Keras's UpSampling2D, NHWC.
 *
 *   x (N, H, W, C) -> y (N, H*sh, W*sw, C)
 *   nearest:  y[n, oy, ox, c] = x[n, oy / sh, ox / sw, c]
 *   bilinear: half-pixel centres, src = (o + 0.5) / s - 0.5 clamped at 0,
 *             i0 = floor(src), i1 = min(i0 + 1, in - 1), t = src - i0;
 *             y = the (1-t, t) blend along each axis (tf.image.resize's
 *             bilinear, torch's align_corners=False)
 * The backward is the transpose: every dy element added back to the
 * pixels it came from, with the same weights. Plain loops: a memory-bound
 * copy, each output written once, so the result does not depend on any
 * thread count. */
#include <string.h>

#include "nn/nn.h"

typedef struct { int i0, i1; float t; } Tap;

/* the source pair and weight of output o along an axis of size in */
static Tap tap(int o, int s, int in, int bilinear) {
  Tap a;
  if (!bilinear) {
    a.i0 = a.i1 = o / s;
    a.t = 0;
    return a;
  }
  double src = ((double)o + 0.5) / s - 0.5;
  if (src < 0) src = 0;
  a.i0 = (int)src;
  a.i1 = a.i0 + 1 < in ? a.i0 + 1 : in - 1;
  a.t = (float)(src - a.i0);
  return a;
}

void nn_upsample2d_forward(const float *x, float *y, int n, int h, int w,
                           int c, int sh, int sw, int bilinear) {
  const int oh = h * sh, ow = w * sw;
  for (int b = 0; b < n; b++) {
    const float *xs = x + (int64_t)b * h * w * c;
    for (int oy = 0; oy < oh; oy++) {
      Tap ty = tap(oy, sh, h, bilinear);
      const float *r0 = xs + (int64_t)ty.i0 * w * c;
      const float *r1 = xs + (int64_t)ty.i1 * w * c;
      for (int ox = 0; ox < ow; ox++, y += c) {
        Tap tx = tap(ox, sw, w, bilinear);
        if (!bilinear) {
          memcpy(y, r0 + (int64_t)tx.i0 * c, sizeof *y * (size_t)c);
          continue;
        }
        const float *a = r0 + (int64_t)tx.i0 * c, *bb = r0 + (int64_t)tx.i1 * c;
        const float *cc = r1 + (int64_t)tx.i0 * c, *d = r1 + (int64_t)tx.i1 * c;
        for (int k = 0; k < c; k++) {
          float top = a[k] + (bb[k] - a[k]) * tx.t;
          float bot = cc[k] + (d[k] - cc[k]) * tx.t;
          y[k] = top + (bot - top) * ty.t;
        }
      }
    }
  }
}

void nn_upsample2d_backward(const float *dy, float *dx, int n, int h, int w,
                            int c, int sh, int sw, int bilinear) {
  const int oh = h * sh, ow = w * sw;
  memset(dx, 0, sizeof *dx * (size_t)((int64_t)n * h * w * c));
  for (int b = 0; b < n; b++) {
    float *xs = dx + (int64_t)b * h * w * c;
    for (int oy = 0; oy < oh; oy++) {
      Tap ty = tap(oy, sh, h, bilinear);
      float *r0 = xs + (int64_t)ty.i0 * w * c;
      float *r1 = xs + (int64_t)ty.i1 * w * c;
      for (int ox = 0; ox < ow; ox++, dy += c) {
        Tap tx = tap(ox, sw, w, bilinear);
        if (!bilinear) {
          nn_vec_add(r0 + (int64_t)tx.i0 * c, dy, c);
          continue;
        }
        float w00 = (1 - ty.t) * (1 - tx.t), w01 = (1 - ty.t) * tx.t;
        float w10 = ty.t * (1 - tx.t), w11 = ty.t * tx.t;
        float *a = r0 + (int64_t)tx.i0 * c, *bb = r0 + (int64_t)tx.i1 * c;
        float *cc = r1 + (int64_t)tx.i0 * c, *d = r1 + (int64_t)tx.i1 * c;
        for (int k = 0; k < c; k++) {
          a[k] += w00 * dy[k];
          bb[k] += w01 * dy[k];
          cc[k] += w10 * dy[k];
          d[k] += w11 * dy[k];
        }
      }
    }
  }
}
