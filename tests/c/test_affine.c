/* test_affine.c - image_affine_batch (image/affine.c): one row of
 * values at points on and around the edges, in every mode, against
 * values SciPy 1.10's ndimage.affine_transform(order=1) gave; random
 * warps of a multi-channel batch against a naive per-pixel reference
 * (the extended signal sampled pointwise); the same bits for 1, 2 and 3
 * threads; bad parameters refused. */
#include <stdlib.h>
#include <string.h>

#include "core/tensor.h"
#include "core/threads.h"
#include "image/affine.h"
#include "tap.h"

/* a = 1 2 4 8 16 as a 1x5 image; column offsets xs; want[mode] */
static const double XS[18] = {-3.7, -1.2, -1.0, -0.7, -0.3, -1e-9, 0, 0.5, 3.5,
                              4, 4 + 1e-9, 4.3, 4.7, 5, 5.5, 7.2, 9.9, 13.1};
static const double WANT[5][18] = {
  /* constant, cval -5 */
  {-5, -5, -5, -5, -5, -5, 1, 1.5, 12, 16, -5, -5, -5, -5, -5, -5, -5, -5},
  /* nearest */
  {1, 1, 1, 1, 1, 1, 1, 1.5, 12, 16, 16, 16, 16, 16, 16, 16, 16, 16},
  /* reflect */
  {6.8, 1.2, 1, 1, 1, 1, 1, 1.5, 12, 16, 16, 16, 16, 16, 12, 3.6, 1, 8.8},
  /* wrap */
  {1.3, 7.2, 8, 10.4, 13.6, 16, 1, 1.5, 12, 16, 1, 1.3, 1.7, 2, 3, 9.6, 3.8, 2.2},
  /* mirror */
  {13.6, 2.4, 2, 1.7, 1.3, 1, 1, 1.5, 12, 16, 16, 13.6, 10.4, 8, 6, 1.8, 3.8, 7.6},
};

static void scipy_row(void) {
  const float a[5] = {1, 2, 4, 8, 16};
  for (int mode = 0; mode < 5; mode++) {
    double worst = 0;
    for (int k = 0; k < 18; k++) {
      AffineParams p = {{1, 0, 0, 1}, {0, XS[k]}, {0, 0}};
      float out[5];
      image_affine_batch(a, out, 1, 1, 5, 1, &p, 1, (AffineMode)mode, -5);
      double d = fabs(out[0] - WANT[mode][k]);
      if (d > worst) worst = d;
      if (d > 1e-5) diag("%s at %g: got %g, want %g", affine_mode_names[mode], XS[k],
                         out[0], WANT[mode][k]);
    }
    ok(worst <= 1e-5, "%s: 18 points around the edges as SciPy", affine_mode_names[mode]);
  }
}

/* ---- naive reference ------------------------------------------------ */

/* the image's value at integer index k of an axis of length n, extended
 * per mode (constant: -1 = outside) */
static int64_t ext(int64_t k, int64_t n, int mode) {
  if (n == 1) return 0;
  switch (mode) {
  case AFFINE_NEAREST: return k < 0 ? 0 : k >= n ? n - 1 : k;
  case AFFINE_REFLECT: {   /* d c b a | a b c d | d c b a */
    int64_t p = 2 * n, r = ((k % p) + p) % p;
    return r >= n ? p - 1 - r : r;
  }
  case AFFINE_MIRROR: {    /* d c b | a b c d | c b a */
    int64_t p = 2 * n - 2, r = ((k % p) + p) % p;
    return r >= n ? p - r : r;
  }
  default: return k < 0 || k >= n ? -1 : k;
  }
}

/* the value of one channel at (r, c) */
static double naive(const float *img, int64_t h, int64_t w, int64_t nc, int64_t ch,
                    double r, double c, int mode, double cval) {
  if (mode == AFFINE_CONSTANT && (r < 0 || r > h - 1 || c < 0 || c > w - 1)) return cval;
  if (mode == AFFINE_WRAP) {   /* SciPy's: the coordinate has period n - 1 */
    double lr = (double)(h - 1), lc = (double)(w - 1);
    if (h == 1) r = 0; else if (r < 0) r = fmod(r, lr) + lr; else if (r > lr) r = fmod(r, lr);
    if (w == 1) c = 0; else if (c < 0) c = fmod(c, lc) + lc; else if (c > lc) c = fmod(c, lc);
  }
  int emode = mode == AFFINE_WRAP || mode == AFFINE_CONSTANT ? AFFINE_NEAREST : mode;
  double fr = floor(r), fc = floor(c), t = 0;
  for (int dr = 0; dr < 2; dr++)
    for (int dc = 0; dc < 2; dc++) {
      double wgt = (dr ? r - fr : 1 - (r - fr)) * (dc ? c - fc : 1 - (c - fc));
      int64_t i = ext((int64_t)fr + dr, h, emode), j = ext((int64_t)fc + dc, w, emode);
      t += wgt * img[(i * w + j) * nc + ch];
    }
  return t;
}

static double urand(void) { return rand() / (RAND_MAX + 1.0); }

static void random_warps(void) {
  const int64_t N = 5, H = 11, W = 13, C = 3;
  float *in = malloc(N * H * W * C * sizeof(float));
  float *out = malloc(N * H * W * C * sizeof(float));
  AffineParams p[5];
  for (int64_t i = 0; i < N * H * W * C; i++) in[i] = (float)urand();
  for (int k = 0; k < N; k++) {
    double th = urand() * 6.3, s = 0.5 + urand() * 1.5;
    p[k] = (AffineParams){{s * cos(th), -s * sin(th), s * sin(th), s * cos(th)},
                          {(urand() - 0.5) * 40, (urand() - 0.5) * 40}, {0, 0}};
  }
  for (int mode = 0; mode < 5; mode++) {
    image_affine_batch(in, out, N, H, W, C, p, N, (AffineMode)mode, 0.75);
    double worst = 0;
    for (int64_t k = 0; k < N; k++)
      for (int64_t i = 0; i < H; i++)
        for (int64_t j = 0; j < W; j++)
          for (int64_t ch = 0; ch < C; ch++) {
            const AffineParams *q = &p[k];
            double r = q->m[0] * i + q->m[1] * j + q->off[0];
            double c = q->m[2] * i + q->m[3] * j + q->off[1];
            double want = naive(in + k * H * W * C, H, W, C, ch, r, c, mode, 0.75);
            double d = fabs(out[((k * H + i) * W + j) * C + ch] - want);
            if (d > worst) worst = d;
          }
    ok(worst <= 1e-5, "%s: 5 random warps of 11x13x3 as the naive reference (worst %.2g)",
       affine_mode_names[mode], worst);
  }
  /* same bits whatever the thread count */
  float *ref = malloc(N * H * W * C * sizeof(float));
  threads_set_count(1);
  image_affine_batch(in, ref, N, H, W, C, p, N, AFFINE_REFLECT, 0);
  int same = 1;
  for (int n = 2; n <= 3; n++) {
    threads_set_count(n);
    memset(out, 0, N * H * W * C * sizeof(float));
    image_affine_batch(in, out, N, H, W, C, p, N, AFFINE_REFLECT, 0);
    same = same && memcmp(out, ref, N * H * W * C * sizeof(float)) == 0;
  }
  ok(same, "1, 2 and 3 threads give the same bits");
  /* one parameter set for the whole batch */
  image_affine_batch(in, out, N, H, W, C, p, 1, AFFINE_NEAREST, 0);
  image_affine_batch(in + 2 * H * W * C, ref, 1, H, W, C, p, 1, AFFINE_NEAREST, 0);
  ok(memcmp(out + 2 * H * W * C, ref, H * W * C * sizeof(float)) == 0,
     "one parameter set serves every image of a batch");
  /* flips: the warp's rows and columns reversed afterwards */
  AffineParams f = p[1];
  f.flip[0] = f.flip[1] = 1;
  image_affine_batch(in, ref, 1, H, W, C, &p[1], 1, AFFINE_WRAP, 0);
  image_affine_batch(in, out, 1, H, W, C, &f, 1, AFFINE_WRAP, 0);
  int flipped = 1;
  for (int64_t i = 0; i < H; i++)
    for (int64_t j = 0; j < W; j++)
      for (int64_t ch = 0; ch < C; ch++)
        flipped = flipped && out[(i * W + j) * C + ch] ==
                                 ref[((H - 1 - i) * W + (W - 1 - j)) * C + ch];
  ok(flipped, "flip reverses the warped rows and columns");
  free(in), free(out), free(ref);
}

static void bad_input(void) {
  char err[TENSOR_ERRLEN];
  AffineParams p = {{1, 0, 0, NAN}, {0, 0}, {0, 0}};
  ok(image_affine_check(1, 4, 4, 1, &p, 1, err) == -1 && strstr(err, "finite"),
     "a NaN matrix entry is refused: %s", err);
  p.m[3] = 1;
  p.off[0] = INFINITY;
  ok(image_affine_check(1, 4, 4, 1, &p, 1, err) == -1 && strstr(err, "offset"),
     "an infinite offset is refused: %s", err);
  p.off[0] = 0;
  ok(image_affine_check(3, 4, 4, 1, &p, 2, err) == -1, "2 parameter sets for 3 images refused");
  ok(image_affine_check(1, 0, 4, 1, &p, 1, err) == -1, "an empty image refused");
  ok(image_affine_check(3, 4, 4, 1, &p, 1, err) == 0, "good arguments pass");
  /* huge coordinates: no undefined behaviour, a value from the image */
  float a[4] = {1, 2, 3, 4}, o[4];
  AffineParams big = {{1e308, 1e308, -1e308, 1e308}, {0, 0}, {0, 0}};
  image_affine_batch(a, o, 1, 2, 2, 1, &big, 1, AFFINE_WRAP, 0);
  int inside = 1;
  for (int i = 0; i < 4; i++) inside = inside && o[i] >= 1 && o[i] <= 4;
  ok(inside, "coordinates that overflow to infinity still sample the image");
}

int main(void) {
  plan(5 + 5 + 3 + 6);
  scipy_row();
  random_warps();
  bad_input();
  return tap_failed != 0;
}
