/* test_hog.c - the HOG core against numbers worked out by hand: cell
 * histograms of small ramps (plain, transform_sqrt, several channels),
 * skimage's bin edges, the four block norms and the output order, the
 * picture's line segments; the fast histograms against their naive
 * twin on random and edge-heavy images; geometry and pixel checks.
 * (tests/lua/hog.lua compares with scikit-image's own output.) */
#include <stdlib.h>
#include <string.h>

#include "image/hog.h"
#include "tap.h"

#define EPS 1e-5
#define SQRT20 4.47213595499958

static HogOpt opts(int n, int cell, int block, HogNorm norm) {
  HogOpt o = hog_defaults();
  o.orientations = n;
  o.cell_h = o.cell_w = cell;
  o.block_h = o.block_w = block;
  o.norm = norm;
  return o;
}

/* largest |a - b| relative to max(1, |b|) */
static double rel_diff(const float *a, const double *b, int64_t n) {
  double d = 0;
  for (int64_t i = 0; i < n; i++) {
    double s = fabs(b[i]) > 1 ? fabs(b[i]) : 1;
    double e = fabs(a[i] - b[i]) / s;
    if (e > d || e != e) d = e;
  }
  return d;
}

/* ---- geometry and pixel checks ------------------------------------ */

static void test_geometry(void) {
  HogOpt o = hog_defaults();
  HogGeom g;
  char err[TENSOR_ERRLEN];
  ok(hog_geom(25, 25, &o, &g, err) == 0 && g.size == 81 && g.cells_h == 3
     && g.hist_size == 81, "25x25, skimage's defaults: 3x3 cells, 81 "
     "features");
  ok(hog_geom(512, 512, &o, &g, err) == 0 && g.blocks_h == 62
     && g.size == 62 * 62 * 81, "512x512: 62x62 blocks of 81");
  is(hog_geom(23, 40, &o, &g, err), -1, "23 rows cannot hold 3 cells of 8");
  ok(strstr(err, "23x40") && strstr(err, "24x24") && strstr(err, "3x3 cells")
     && strstr(err, "8x8 pixels"), "the message names both sizes: %s", err);
  o.orientations = 0;
  ok(hog_geom(64, 64, &o, &g, err) == -1 && strstr(err, "orientations"),
     "orientations 0 is refused: %s", err);
  o = hog_defaults();
  o.cell_w = 0;
  ok(hog_geom(64, 64, &o, &g, err) == -1 && strstr(err, "pixels_per_cell"),
     "a 0-pixel cell is refused: %s", err);
  o = hog_defaults();
  o.block_h = -2;
  ok(hog_geom(64, 64, &o, &g, err) == -1 && strstr(err, "cells_per_block"),
     "a negative block is refused: %s", err);
  o = opts(1 << 20, 1, 1, HOG_L1);
  ok(hog_geom(1 << 14, 1 << 14, &o, &g, err) == -1
     && strstr(err, "too many"), "an absurd feature count is refused: %s",
     err);
}

static void test_pixels(void) {
  float px[6] = {0, 0.5f, 1, 0, 0, 0};
  Image im = {px, 2, 3, 1};
  char err[TENSOR_ERRLEN];
  is(hog_check_pixels(&im, 1, err), 0, "ordinary pixels pass");
  px[4] = NAN;
  ok(hog_check_pixels(&im, 0, err) == -1 && strstr(err, "row 2, column 2")
     && strstr(err, "NaN"), "NaN is named by row and column: %s", err);
  px[4] = -INFINITY;
  ok(hog_check_pixels(&im, 0, err) == -1 && strstr(err, "infinite"),
     "so is infinity: %s", err);
  px[4] = -0.25f;
  is(hog_check_pixels(&im, 0, err), 0, "negative pixels pass without sqrt");
  ok(hog_check_pixels(&im, 1, err) == -1 && strstr(err, "negative")
     && strstr(err, "transform_sqrt"), "but not with it: %s", err);
  px[4] = -0.0f;
  is(hog_check_pixels(&im, 1, err), 0, "-0 has a square root");
  px[4] = 3e37f;
  ok(hog_check_pixels(&im, 0, err) == -1 && strstr(err, "beyond +-1e37"),
     "values whose differences overflow are refused: %s", err);
  /* a big image is scanned 64 values at a time: every position found */
  static float big[100 * 101];
  Image bim = {big, 100, 101, 1};
  static const int at[] = {0, 63, 64, 100, 127, 5000, 10098, 10099};
  int found = 1;
  for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
    char want[64];
    big[at[k]] = NAN;
    snprintf(want, sizeof want, "(row %d, column %d)", at[k] / 101 + 1,
             at[k] % 101 + 1);
    found &= hog_check_pixels(&bim, 0, err) == -1 && strstr(err, want);
    big[at[k]] = 0.5f;
  }
  ok(found && hog_check_pixels(&bim, 1, err) == 0,
     "NaN anywhere in a 100x101 image is found and placed");
  Image rgb = {px, 1, 2, 3};
  px[4] = NAN;
  ok(hog_check_pixels(&rgb, 0, err) == -1 && strstr(err, "column 2")
     && strstr(err, "channel 2"), "channels are named too: %s", err);
}

/* ---- cell histograms by hand -------------------------------------- */

/* I(r, c) = c + 2r on 5x5, 2x2 cells (rows and columns 0..3), 9 bins
 * of 20 degrees. Inside: g_row = 4, g_col = 2, |g| = sqrt(20), angle
 * atan2(4, 2) = 63.4 -> bin 3. Row 0: g_row = 0, g_col = 2 -> bin 0,
 * |g| = 2. Column 0: g_col = 0, g_row = 4 -> 90 degrees, bin 4, |g| = 4.
 * Corner (0,0): no gradient. Row 3 and column 3 are inside (the image
 * has 5). Each cell sum is divided by its 4 pixels. */
static const double HAND[4][9] = {
  {0.5, 0, 0, SQRT20 / 4, 1, 0, 0, 0, 0},   /* (0,0): 2; sqrt20; 4 */
  {1, 0, 0, SQRT20 / 2, 0, 0, 0, 0, 0},     /* (0,1): 2, 2; 2 sqrt20 */
  {0, 0, 0, SQRT20 / 2, 2, 0, 0, 0, 0},     /* (1,0): 4, 4; 2 sqrt20 */
  {0, 0, 0, SQRT20, 0, 0, 0, 0, 0},         /* (1,1): 4 sqrt20 */
};

static void ramp(float *px, int sq) {
  for (int r = 0; r < 5; r++)
    for (int c = 0; c < 5; c++)
      px[r * 5 + c] = (float)(sq ? (c + 2 * r) * (c + 2 * r) : c + 2 * r);
}

static void check_hist(const Image *im, const HogOpt *o, const double *want,
                       const char *what) {
  HogGeom g;
  char err[TENSOR_ERRLEN];
  float fast[64], naive[64];
  if (hog_geom(im->h, im->w, o, &g, err) || g.hist_size > 64) {
    ok(0, "%s: geometry %s", what, err);
    return;
  }
  hog_histograms(im, o, &g, fast, err);
  hog_histograms_naive(im, o, &g, naive, err);
  ok(rel_diff(fast, want, g.hist_size) < 1e-6, "%s: fast histograms", what);
  ok(rel_diff(naive, want, g.hist_size) < 1e-6, "%s: naive histograms", what);
}

static void test_hand_histograms(void) {
  float px[25];
  HogOpt o = opts(9, 2, 2, HOG_L2_HYS);
  ramp(px, 0);
  Image im = {px, 5, 5, 1};
  check_hist(&im, &o, &HAND[0][0], "ramp c + 2r");
  /* transform_sqrt: the image (c + 2r)^2 becomes the same ramp */
  ramp(px, 1);
  o.transform_sqrt = 1;
  check_hist(&im, &o, &HAND[0][0], "sqrt of (c + 2r)^2");

  /* channel 0 the ramp, channel 1 zero, channel 2 = 3c: inside and on
   * row 0 channel 2's g_col = 6 beats sqrt(20) and 2, angle 0; on
   * column 0 only channel 0 has a gradient (90 degrees, 4) */
  float rgb[75];
  ramp(px, 0);
  for (int i = 0; i < 25; i++)
    rgb[3 * i] = px[i], rgb[3 * i + 1] = 0, rgb[3 * i + 2] = 3.0f * (i % 5);
  static const double want3[4][9] = {
    {3, 0, 0, 0, 1, 0, 0, 0, 0}, {6, 0, 0, 0, 0, 0, 0, 0, 0},
    {3, 0, 0, 0, 2, 0, 0, 0, 0}, {6, 0, 0, 0, 0, 0, 0, 0, 0},
  };
  Image im3 = {rgb, 5, 5, 3};
  o.transform_sqrt = 0;
  check_hist(&im3, &o, &want3[0][0], "3 channels, strongest per pixel");

  /* a tie: |(3, 4)| = |(0, 5)| = 5 at the centre of a 3x3 image (see
   * centre_bin); argmax keeps the first channel, angle 36.9 or 0 */
  float tie[18] = {0};
  tie[7 * 2] = 3, tie[5 * 2] = 4, tie[5 * 2 + 1] = 5;
  Image imt = {tie, 3, 3, 2};
  HogOpt ot = opts(9, 3, 1, HOG_L1);
  double want_t[9] = {0, 5.0 / 9};
  check_hist(&imt, &ot, want_t, "equal magnitudes: the first channel");
  tie[7 * 2] = 0, tie[5 * 2] = 5, tie[7 * 2 + 1] = 3, tie[5 * 2 + 1] = 4;
  double want_t2[9] = {5.0 / 9};
  check_hist(&imt, &ot, want_t2, "and the other way round");
}

/* A 3x3 image whose only gradient is (g_row, g_col) at the centre:
 * corners zero, top and left middles zero, bottom middle g_row, right
 * middle g_col. One 3x3 cell: that bin holds |g| / 9. */
static int centre_bin(float gr, float gc, int n, float *value) {
  float px[9] = {0, 0, 0, 0, 0, gc, 0, gr, 0};
  Image im = {px, 3, 3, 1};
  HogOpt o = opts(n, 3, 1, HOG_L1);
  HogGeom g;
  char err[TENSOR_ERRLEN];
  float h[64], hn[64];
  hog_geom(3, 3, &o, &g, err);
  hog_histograms(&im, &o, &g, h, err);
  hog_histograms_naive(&im, &o, &g, hn, err);
  int bin = -1;
  for (int i = 0; i < n; i++) {
    if (h[i] != hn[i]) return -2;           /* the twins disagree */
    if (h[i] != 0) bin = bin == -1 ? i : -3; /* more than one bin */
  }
  *value = bin >= 0 ? h[bin] : 0;
  return bin;
}

static void test_bin_edges(void) {
  /* 4 bins of 45 degrees: [0,45) [45,90) [90,135) [135,180); an angle
   * on an edge belongs to the bin above it, angles are taken mod 180 */
  static const struct { float gr, gc; int n, bin; const char *why; } t[] = {
    {1, 1, 4, 1, "45 degrees opens bin 1"},
    {-1, -1, 4, 1, "-135 is 45 mod 180"},
    {1, -1, 4, 3, "135 opens bin 3"},
    {-1, 1, 4, 3, "-45 is 135"},
    {1, 0, 4, 2, "90 opens bin 2"},
    {-1, 0, 4, 2, "-90 is 90"},
    {0, 1, 4, 0, "0 degrees is bin 0"},
    {0, -1, 4, 0, "180 is 0 mod 180"},
    {1, 1, 9, 2, "9 bins: 45 is in [40, 60)"},
    {1, 0, 9, 4, "9 bins: 90 is in [80, 100)"},
    {3, 4, 9, 1, "atan2(3, 4) = 36.9 is in [20, 40)"},
    {1, 1, 1, 0, "1 bin takes every angle"},
    {-1e-30f, 1, 4, -1, "-1e-30 degrees mod 180 rounds to 180: no bin"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    float v;
    int b = centre_bin(t[i].gr, t[i].gc, t[i].n, &v);
    is(b, t[i].bin, "(g_row %g, g_col %g), %d bins: %s", t[i].gr, t[i].gc,
       t[i].n, t[i].why);
  }
  float v;
  centre_bin(3, 4, 9, &v);
  near(v, 5.0 / 9, 1e-7, "the bin holds |g| / 9 = 5/9");
}

/* ---- block norms by hand ------------------------------------------ */

/* The hand histograms above as one 2x2 block, each norm's formula. */
static void want_norm(HogNorm norm, double *out) {
  const double *v = &HAND[0][0];
  double s1 = 0, s2 = 0, s3 = 0;
  for (int i = 0; i < 36; i++) s1 += v[i], s2 += v[i] * v[i];
  for (int i = 0; i < 36; i++) {
    double l2 = v[i] / sqrt(s2 + EPS * EPS);
    out[i] = norm == HOG_L1 ? v[i] / (s1 + EPS)
             : norm == HOG_L1_SQRT ? sqrt(v[i] / (s1 + EPS))
             : norm == HOG_L2 ? l2 : fmin(l2, 0.2);
    s3 += fmin(l2, 0.2) * fmin(l2, 0.2);
  }
  if (norm == HOG_L2_HYS)
    for (int i = 0; i < 36; i++) out[i] /= sqrt(s3 + EPS * EPS);
}

static void test_norms(void) {
  static const char *names[] = {"L1", "L1-sqrt", "L2", "L2-Hys"};
  float px[25], out[36];
  double want[36];
  char err[TENSOR_ERRLEN];
  for (int sq = 0; sq < 2; sq++) {
    ramp(px, sq);
    Image im = {px, 5, 5, 1};
    for (int k = 0; k < 4; k++) {
      HogOpt o = opts(9, 2, 2, (HogNorm)k);
      o.transform_sqrt = sq;
      HogGeom g;
      hog_geom(5, 5, &o, &g, err);
      hog_compute(&im, &o, &g, out, NULL, err);
      want_norm((HogNorm)k, want);
      ok(g.size == 36 && rel_diff(out, want, 36) < 1e-6,
         "ramp%s, one 2x2 block, %s", sq ? " (sqrt)" : "", names[k]);
    }
  }
  /* the largest value 10 / sqrt(103) = 0.985 clips to 0.2, the others
   * 1 / sqrt(103) = 0.0985 stay; then L2 again */
  float h[4] = {10, 1, 1, 1}, o4[4];
  HogOpt o = opts(1, 1, 1, HOG_L2_HYS);
  o.block_w = 4;
  HogGeom g = {1, 4, 1, 1, 4, 4};
  hog_normalize(h, &o, &g, o4);
  double u = 1 / sqrt(103 + EPS * EPS), d = sqrt(0.04 + 3 * u * u + EPS * EPS);
  double want4[4] = {0.2 / d, u / d, u / d, u / d};
  ok(rel_diff(o4, want4, 4) < 1e-6, "L2-Hys clips 0.985 to 0.2 and "
     "renormalises: %.6f %.6f", o4[0], o4[1]);
  o.norm = HOG_L1;
  hog_normalize(h, &o, &g, o4);
  double want1[4] = {10 / (13 + EPS), 1 / (13 + EPS), 1 / (13 + EPS),
                     1 / (13 + EPS)};
  ok(rel_diff(o4, want1, 4) < 1e-6, "L1 divides by 13 + eps");
  float zero[4] = {0, 0, 0, 0};
  o.norm = HOG_L2_HYS;
  hog_normalize(zero, &o, &g, o4);
  ok(o4[0] == 0 && o4[3] == 0, "an empty block stays 0 (eps, no NaN)");
}

/* Output order (blocks_h, blocks_w, block_h, block_w, n): 2x3 cells of
 * 2 bins, 2x2 blocks -> 1x2 blocks; cell (y,x) bin o holds
 * 100y + 10x + o + 1, and L1 times the block's sum gives it back. */
static void test_layout(void) {
  float h[12], out[16];
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 3; x++)
      for (int b = 0; b < 2; b++)
        h[(y * 3 + x) * 2 + b] = 100 * y + 10 * x + b + 1;
  HogOpt o = opts(2, 1, 2, HOG_L1);
  HogGeom g = {2, 3, 1, 2, 12, 16};
  hog_normalize(h, &o, &g, out);
  int good = 1;
  for (int bx = 0; bx < 2; bx++) {
    double sum = 0;
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 2; j++)
        for (int b = 0; b < 2; b++) sum += 100 * i + 10 * (bx + j) + b + 1;
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 2; j++)
        for (int b = 0; b < 2; b++) {
          double v = out[((bx * 2 + i) * 2 + j) * 2 + b] * (sum + EPS);
          good &= fabs(v - (100 * i + 10 * (bx + j) + b + 1)) < 1e-3;
        }
  }
  ok(good, "features run block row, block column, cell row, cell "
     "column, bin");
}

/* ---- the picture -------------------------------------------------- */

/* One 8x8 cell, 2 bins: radius 8/2 - 1 = 3; bin 0's middle is 45
 * degrees, so its segment runs from (int(4 - 2.12), int(4 + 2.12)) =
 * (1, 6) to (6, 1); bin 1 (135 degrees) from (6, 6) to (1, 1). Each
 * pixel of a segment gets the bin's value. */
static void test_picture(void) {
  float h[2] = {0.5f, 0.25f}, pic[64], want[64] = {0};
  HogOpt o = opts(2, 8, 1, HOG_L1);
  HogGeom g = {1, 1, 1, 1, 2, 2};
  char err[TENSOR_ERRLEN];
  for (int i = 1; i <= 6; i++)
    want[i * 8 + 7 - i] += 0.5f, want[i * 9] += 0.25f;
  hog_draw(h, &o, &g, 8, 8, pic, err);
  int same = 1;
  for (int i = 0; i < 64; i++) same &= pic[i] == want[i];
  ok(same, "two diagonal segments through the cell centre");

  /* 1-pixel cells, 9 bins: radius -1 and bin 4's sine is exactly 1, so
   * its segment ends one column right of its cell; skimage raises
   * IndexError for the last column, the picture leaves it out */
  float h9[2 * 3 * 9], pic9[6];
  for (int i = 0; i < 54; i++) h9[i] = 1;
  o = opts(9, 1, 1, HOG_L1);
  g = (HogGeom){2, 3, 2, 3, 54, 54};
  is(hog_draw(h9, &o, &g, 2, 3, pic9, err), 0,
     "segments leaving the picture are cut, not written");
}

/* ---- fast against naive ------------------------------------------- */

static uint64_t rng = 88172645463325252ull;
static double urand(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

/* Compare both histogram passes on one image; 0 ulps expected (the
 * same float32 adds in the same order). */
static int twins_agree(const Image *im, const HogOpt *o, double *worst) {
  HogGeom g;
  char err[TENSOR_ERRLEN];
  if (hog_geom(im->h, im->w, o, &g, err)) return -1;
  float *a = malloc((size_t)g.hist_size * 2 * sizeof *a), *b = a + g.hist_size;
  hog_histograms(im, o, &g, a, err);
  hog_histograms_naive(im, o, &g, b, err);
  int same = 1;
  for (int64_t i = 0; i < g.hist_size; i++) {
    double d = fabs(a[i] - b[i]) / (fabs(b[i]) > 1e-30 ? fabs(b[i]) : 1);
    if (d > *worst) *worst = d;
    same &= d <= 0x1p-23;
  }
  free(a);
  return same;
}

static void test_fast_vs_naive(void) {
  static const int bins[] = {1, 2, 3, 4, 6, 8, 9, 12, 18, 36, 180, 1000};
  int cases = 0, agree = 0;
  double worst = 0;
  for (int t = 0; t < 400; t++) {
    int h = 2 + (int)(urand() * 60), w = 2 + (int)(urand() * 60);
    int c = urand() < 0.25 ? 3 : 1, kind = (int)(urand() * 3);
    float *px = malloc((size_t)(h * w * c) * sizeof *px);
    for (int i = 0; i < h * w * c; i++)
      px[i] = kind == 0 ? (float)urand()            /* smooth noise */
              : kind == 1 ? (float)(int)(urand() * 4) / 4  /* on edges */
              : (float)((i / c) % w + 2 * ((i / c) / w) % 7);
    Image im = {px, h, w, c};
    HogOpt o = hog_defaults();
    o.orientations = bins[(int)(urand() * 12)];
    o.cell_h = 1 + (int)(urand() * 8), o.cell_w = 1 + (int)(urand() * 8);
    o.block_h = o.block_w = 1;
    o.transform_sqrt = urand() < 0.3;
    int r = twins_agree(&im, &o, &worst);
    if (r >= 0) cases++, agree += r;
    free(px);
  }
  ok(cases > 200 && agree == cases, "fast histograms equal the naive ones "
     "on %d random images (worst relative difference %.3g)", cases, worst);

  /* the whole bin-edge grid: every integer gradient in -8..8 squared */
  float px[9] = {0};
  int same = 1;
  for (int n = 1; n <= 12; n++)
    for (int gr = -8; gr <= 8; gr++)
      for (int gc = -8; gc <= 8; gc++) {
        px[7] = (float)gr, px[5] = (float)gc;
        Image im = {px, 3, 3, 1};
        HogOpt o = opts(n, 3, 1, HOG_L1);
        double w0 = 0;
        same &= twins_agree(&im, &o, &w0) == 1;
      }
  ok(same, "and on every integer gradient in -8..8 for 1..12 bins");
}

int main(void) {
  test_geometry();
  test_pixels();
  test_hand_histograms();
  test_bin_edges();
  test_norms();
  test_layout();
  test_picture();
  test_fast_vs_naive();
  return done_testing();
}
