/* hog.c - Histogram of Oriented Gradients as scikit-image 0.19 computes
 * it (see hog.h): a row-at-a-time histogram pass with its naive twin,
 * block normalisation, and the HOG picture.
 *
 * The fast pass avoids atan2 per pixel: a float polynomial places the
 * angle in a bin, and only angles within a hair of a bin edge (or on
 * the 0/180 degree seam) go to skimage's exact atan2 arithmetic, so the
 * bins are skimage's. Magnitudes stay float64 and each cell's sums are
 * float32 added in skimage's order, so the histograms carry the same
 * float32 roundings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/hog.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ERR(...) (snprintf(err, TENSOR_ERRLEN, __VA_ARGS__), -1)
#define LL(x) ((long long)(x))

#define HOG_EPS 1e-5                       /* skimage's eps */
#define HOG_MAX_SIDE ((int64_t)1 << 30)    /* cells, blocks */
#define HOG_MAX_FEATURES ((int64_t)1 << 28)
/* Bound on the polynomial angle's error in radians: atan01 is within
 * 1.8e-6 of atan over [0, 1] (checked in float32 on 2M points), and the
 * float steps around it add ~1e-7; the bound leaves a factor of 10. */
#define HOG_ATAN_ERR 2e-5

HogOpt hog_defaults(void) {
  return (HogOpt){9, 8, 8, 3, 3, HOG_L2_HYS, 0};
}

/* ---- four lanes at a time ----------------------------------------- */

/* GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64, plain
 * scalar code elsewhere; only the double square root needs a hand. */
typedef float f4 __attribute__((vector_size(16)));
typedef int32_t i4 __attribute__((vector_size(16)));
typedef double d2 __attribute__((vector_size(16)));

static inline f4 load4(const float *p) { f4 v; memcpy(&v, p, 16); return v; }
static inline void store4(float *p, f4 v) { memcpy(p, &v, 16); }
static inline f4 splat(float v) { return (f4){v, v, v, v}; }
static inline i4 splati(int v) { return (i4){v, v, v, v}; }
static inline f4 pick(i4 m, f4 a, f4 b) {       /* m ? a : b per lane */
  return (f4)((m & (i4)a) | (~m & (i4)b));
}

static inline d2 sqrt2(d2 v) {
#ifdef __SSE2__
  return (d2)_mm_sqrt_pd((__m128d)v);
#else
  return (d2){sqrt(v[0]), sqrt(v[1])};
#endif
}

/* ---- checks ------------------------------------------------------- */

static int check_pair(const char *name, int64_t a, int64_t b, char *err) {
  if (a >= 1 && b >= 1 && a <= HOG_MAX_SIDE && b <= HOG_MAX_SIDE) return 0;
  return ERR("%s must be between 1 and %lld, got %lldx%lld", name,
             LL(HOG_MAX_SIDE), LL(a), LL(b));
}

int hog_geom(int64_t h, int64_t w, const HogOpt *o, HogGeom *g, char *err) {
  if (o->orientations < 1 || o->orientations > HOG_MAX_BINS)
    return ERR("orientations must be between 1 and %d, got %d",
               HOG_MAX_BINS, o->orientations);
  if (check_pair("pixels_per_cell", o->cell_h, o->cell_w, err)
      || check_pair("cells_per_block", o->block_h, o->block_w, err))
    return -1;
  g->cells_h = h / o->cell_h;
  g->cells_w = w / o->cell_w;
  if (g->cells_h < o->block_h || g->cells_w < o->block_w)
    return ERR("the %lldx%lld image is smaller than one block: %lldx%lld "
               "cells of %lldx%lld pixels need %.0fx%.0f", LL(h), LL(w),
               LL(o->block_h), LL(o->block_w), LL(o->cell_h), LL(o->cell_w),
               (double)o->block_h * o->cell_h,
               (double)o->block_w * o->cell_w);
  g->blocks_h = g->cells_h - o->block_h + 1;
  g->blocks_w = g->cells_w - o->block_w + 1;
  /* features >= histogram entries, so this bounds both */
  double n = (double)g->blocks_h * g->blocks_w * o->block_h * o->block_w
             * o->orientations;
  if (n > HOG_MAX_FEATURES)
    return ERR("%.0f features is too many (at most %lld)", n,
               LL(HOG_MAX_FEATURES));
  g->size = (int64_t)n;
  g->hist_size = g->cells_h * g->cells_w * o->orientations;
  return 0;
}

/* Where the first pixel outside [lo, HOG_MAX_PIXEL] is (NaN included),
 * or n: 64 values at a time, looking closer only at a bad stretch. */
static int64_t first_bad(const float *p, int64_t n, float lo) {
  const f4 l = splat(lo), h = splat(HOG_MAX_PIXEL);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    i4 good = splati(-1);
    for (int j = 0; j < 64; j += 4) {
      f4 v = load4(p + i + j);
      good &= (v >= l) & (v <= h);
    }
    if (!(good[0] & good[1] & good[2] & good[3])) break;
  }
  for (; i < n; i++)
    if (!(p[i] >= lo && p[i] <= HOG_MAX_PIXEL)) return i;
  return n;
}

int hog_check_pixels(const Image *im, int sqrt_first, char *err) {
  int64_t n = im->h * im->w * im->c;
  const float *p = im->data;
  int64_t i = first_bad(p, n, sqrt_first ? 0 : -HOG_MAX_PIXEL);
  if (i == n) return 0;
  int64_t px = i / im->c;
  char ch[32] = "";
  if (im->c > 1)
    snprintf(ch, sizeof ch, ", channel %d", (int)(i % im->c) + 1);
  const char *what = isnan(p[i]) ? "NaN" : isinf(p[i]) ? "infinite"
                     : p[i] > 0 || !sqrt_first ? "beyond +-1e37"
                     : "negative; transform_sqrt needs pixels >= 0";
  return ERR("pixel (row %lld, column %lld%s) is %s", LL(px / im->w + 1),
             LL(px % im->w + 1), ch, what);
}

/* ---- orientation bins --------------------------------------------- */

/* skimage's bin of a gradient: the i with per180 * i <= angle <
 * per180 * (i + 1), where angle = rad2deg(arctan2(g_row, g_col)) % 180
 * with NumPy's remainder (fmod, plus 180 when negative: a tiny negative
 * angle becomes 180.0); -1 when an angle rounds up to the top edge and
 * falls in no bin, as in skimage. */
static int exact_bin(double gr, double gc, int n, double per180) {
  double a = fmod(atan2(gr, gc) * (180.0 / M_PI), 180.0);
  if (a < 0) a += 180.0;
  double q = a / per180;
  int i = q < n ? (int)q : n;
  while (i > 0 && a < per180 * i) i--;
  while (i < n && a >= per180 * (i + 1)) i++;
  return i < n ? i : -1;
}

typedef struct BinTab {
  int n;
  double per180;    /* 180 / n, as skimage computes its bin edges */
  float scale;      /* bins per radian */
  float tol;        /* distance to an edge (in bins) the fast path trusts */
  int vertical[2];  /* the bins of g_col == 0 with g_row > 0, < 0 */
} BinTab;

static BinTab bin_table(int n) {
  BinTab t = {n, 180.0 / n, (float)(n / M_PI), 0, {0, 0}};
  t.tol = (float)(4 * (HOG_ATAN_ERR + 1e-6) * n / M_PI);
  t.vertical[0] = exact_bin(1, 0, n, t.per180);
  t.vertical[1] = exact_bin(-1, 0, n, t.per180);
  return t;
}

/* The bin of a nonzero gradient the four-lane pass left undecided. */
static int edge_bin(float gr, float gc, const BinTab *t) {
  if (gr == 0) return 0;          /* angle 0 or 180, which % 180 makes 0 */
  if (gc == 0) return t->vertical[gr < 0];
  return exact_bin(gr, gc, t->n, t->per180);
}

/* atan(a) for a in [0, 1]: an odd minimax polynomial, error 1.8e-6. */
static inline f4 atan01(f4 a) {
  f4 s = a * a;
  return a * (0.99997726f + s * (-0.33262347f + s * (0.19354346f
         + s * (-0.11643287f + s * (0.05265332f + s * -0.01172120f)))));
}

/* The bin table as four-lane constants, hoisted out of the row loop. */
typedef struct BinLanes {
  f4 scale, lo, hi;     /* bins per radian; trusted fractions (lo, hi) */
  i4 n;
} BinLanes;

static BinLanes bin_lanes(const BinTab *t) {
  return (BinLanes){splat(t->scale), splat(t->tol), splat(1 - t->tol),
                    splati(t->n)};
}

/* Bins of four gradients: the angle folded into [0, pi), from the
 * polynomial, trusted only clear of the bin edges; -1 marks a zero
 * gradient and -2 a lane for edge_bin (an edge, or an axis). */
static inline i4 bins4(f4 gr, f4 gc, const BinLanes *t) {
  const i4 abs_mask = splati(0x7fffffff);
  f4 ax = (f4)((i4)gc & abs_mask), ay = (f4)((i4)gr & abs_mask);
  i4 steep = ay > ax, zero = (ax + ay) == 0;
  f4 lo = pick(steep, ax, ay), hi = pick(steep, ay, ax);
  f4 p = atan01(lo / pick(zero, splat(1), hi));
  f4 th = pick(steep, (float)M_PI_2 - p, p);
  /* fold into [0, pi): the angle of (gc, gr) or of (-gc, -gr) */
  th = pick((gr < 0) ^ (gc < 0), (float)M_PI - th, th);
  f4 b = th * t->scale;
  i4 k = __builtin_convertvector(b, i4);
  f4 f = b - __builtin_convertvector(k, f4);
  i4 sure = (f > t->lo) & (f < t->hi) & (k < t->n) & (gr != 0) & (gc != 0);
  return (sure & k) | (~sure & (zero | -2));
}

/* ---- the fast pass: one image row at a time ----------------------- */

/* Source rows: the image's own, or their square roots kept in a ring of
 * three rows (a gradient row needs rows y - 1, y, y + 1). */
typedef struct Source {
  const Image *im;
  float *ring;        /* 3 rows, NULL without transform_sqrt */
  int64_t held[3];    /* which row each slot holds */
} Source;

static const float *source_row(Source *s, int64_t y) {
  int64_t n = s->im->w * s->im->c;
  const float *row = s->im->data + y * n;
  if (!s->ring) return row;
  float *slot = s->ring + (y % 3) * n;
  if (s->held[y % 3] != y) {
    for (int64_t i = 0; i < n; i++) slot[i] = sqrtf(row[i]);
    s->held[y % 3] = y;
  }
  return slot;
}

/* Gradients of the first n pixels of row y: g_row from the rows above
 * and below (zero on the first and last row), g_col from the left and
 * right neighbours (zero in the first and last column). */
static void gradient_gray(Source *s, int64_t y, int64_t n, float *gr,
                          float *gc) {
  int64_t h = s->im->h, w = s->im->w, x = 0;
  const float *mid = source_row(s, y);
  if (y == 0 || y == h - 1) {
    memset(gr, 0, (size_t)n * sizeof *gr);
  } else {
    const float *up = source_row(s, y - 1), *dn = source_row(s, y + 1);
    for (; x + 4 <= n; x += 4) store4(gr + x, load4(dn + x) - load4(up + x));
    for (; x < n; x++) gr[x] = dn[x] - up[x];
  }
  int64_t inner = n < w - 1 ? n : w - 1;   /* columns 1 .. inner-1 */
  gc[0] = 0;
  for (x = 1; x + 4 <= inner; x += 4)
    store4(gc + x, load4(mid + x + 1) - load4(mid + x - 1));
  for (; x < inner; x++) gc[x] = mid[x + 1] - mid[x - 1];
  if (n == w) gc[w - 1] = 0;
}

/* Several channels: per pixel, the channel whose float32 gradient
 * magnitude is largest (the first on ties, as argmax); the float64
 * square root rounded to float32 is NumPy's float32 hypot. */
static void gradient_multi(Source *s, int64_t y, int64_t n, float *gr,
                           float *gc) {
  int64_t h = s->im->h, w = s->im->w, c = s->im->c;
  const float *mid = source_row(s, y), *up = NULL, *dn = NULL;
  if (y > 0 && y < h - 1) up = source_row(s, y - 1), dn = source_row(s, y + 1);
  for (int64_t x = 0; x < n; x++) {
    int inner = x > 0 && x < w - 1;
    float best = -1, br = 0, bc = 0;
    for (int64_t k = x * c; k < (x + 1) * c; k++) {
      float r = up ? dn[k] - up[k] : 0;
      float q = inner ? mid[k + c] - mid[k - c] : 0;
      float m = (float)sqrt((double)r * r + (double)q * q);
      if (m > best) best = m, br = r, bc = q;
    }
    gr[x] = br, gc[x] = bc;
  }
}

/* Magnitudes (float64, as skimage's hypot) and bins4's bins of n
 * pixels, n a multiple of 4. */
static void row_bins(const float *gr, const float *gc, int64_t n,
                     const BinTab *t, double *mag, int32_t *bin) {
  BinLanes l = bin_lanes(t);
  for (int64_t x = 0; x < n; x += 4) {
    i4 b = bins4(load4(gr + x), load4(gc + x), &l);
    memcpy(bin + x, &b, sizeof b);
  }
  for (int64_t x = 0; x < n; x += 2) {
    d2 r = {gr[x], gr[x + 1]}, c = {gc[x], gc[x + 1]};
    d2 m = sqrt2(r * r + c * c);
    memcpy(mag + x, &m, sizeof m);
  }
}

/* Add one pixel row to its row of cells. Each cell's sums must see its
 * pixels in row-major order, but the cells are independent, so the loop
 * steps across cells first: consecutive float adds then go to different
 * cells instead of waiting on each other. */
static void accumulate(const double *mag, const int32_t *bin,
                       const float *gr, const float *gc, int64_t cells,
                       int64_t cw, const BinTab *t, float *hrow) {
  for (int64_t k = 0; k < cw; k++)
    for (int64_t j = 0; j < cells; j++) {
      int64_t x = j * cw + k;
      int b = bin[x];
      if (b < 0 && (b == -1 || (b = edge_bin(gr[x], gc[x], t)) < 0))
        continue;
      float *h = hrow + j * t->n + b;
      *h = (float)(*h + mag[x]);   /* skimage: float total += double */
    }
}

int hog_histograms(const Image *im, const HogOpt *o, const HogGeom *g,
                   float *hist, char *err) {
  int n = o->orientations;
  int64_t cw = g->cells_w * o->cell_w, ch = g->cells_h * o->cell_h;
  int64_t cw4 = (cw + 3) / 4 * 4;       /* rows padded for four lanes */
  size_t ring = o->transform_sqrt ? 3 * (size_t)(im->w * im->c) : 0;
  size_t bytes = (size_t)cw4 * (sizeof(double) + 3 * sizeof(float))
                 + ring * sizeof(float);
  double *mag = malloc(bytes);
  if (!mag) return ERR("out of memory");
  memset(mag, 0, bytes);                /* the padding stays zero */
  float *gr = (float *)(mag + cw4), *gc = gr + cw4, *ringp = gc + cw4;
  int32_t *bin = (int32_t *)(ringp + ring);
  Source s = {im, ring ? ringp : NULL, {-1, -1, -1}};
  BinTab t = bin_table(n);
  memset(hist, 0, (size_t)g->hist_size * sizeof *hist);
  for (int64_t y = 0; y < ch; y++) {
    if (im->c == 1) gradient_gray(&s, y, cw, gr, gc);
    else gradient_multi(&s, y, cw, gr, gc);
    row_bins(gr, gc, cw4, &t, mag, bin);
    accumulate(mag, bin, gr, gc, g->cells_w, o->cell_w, &t,
               hist + y / o->cell_h * g->cells_w * n);
  }
  float cell = (float)(o->cell_h * o->cell_w);   /* skimage: total / int */
  for (int64_t i = 0; i < g->hist_size; i++) hist[i] /= cell;
  free(mag);
  return 0;
}

/* ---- the naive twin: skimage's code, step by step ----------------- */

/* Whole-image gradients g_row, g_col (h x w), channel chosen per pixel
 * by hypotf as NumPy's float32 hypot. */
static void naive_gradients(const Image *im, int sqrt_first, float *gr,
                            float *gc) {
  int64_t h = im->h, w = im->w, c = im->c;
  for (int64_t y = 0; y < h; y++)
    for (int64_t x = 0; x < w; x++) {
      float best = -1;
      for (int64_t k = 0; k < c; k++) {
        float v[4] = {0, 0, 0, 0};   /* up, down, left, right */
        if (y > 0 && y < h - 1) {
          v[0] = im->data[((y - 1) * w + x) * c + k];
          v[1] = im->data[((y + 1) * w + x) * c + k];
        }
        if (x > 0 && x < w - 1) {
          v[2] = im->data[(y * w + x - 1) * c + k];
          v[3] = im->data[(y * w + x + 1) * c + k];
        }
        for (int j = 0; sqrt_first && j < 4; j++) v[j] = sqrtf(v[j]);
        float r = v[1] - v[0], q = v[3] - v[2];
        if (hypotf(r, q) > best) {
          best = hypotf(r, q);
          gr[y * w + x] = r, gc[y * w + x] = q;
        }
      }
    }
}

int hog_histograms_naive(const Image *im, const HogOpt *o,
                         const HogGeom *g, float *hist, char *err) {
  int64_t h = im->h, w = im->w, n = o->orientations;
  size_t each = 2 * sizeof(float) + 2 * sizeof(double);
  float *gr = malloc((size_t)(h * w) * each);
  if (!gr) return ERR("out of memory");
  float *gc = gr + h * w;
  double *mag = (double *)(gc + h * w), *ori = mag + h * w;
  naive_gradients(im, o->transform_sqrt, gr, gc);
  for (int64_t i = 0; i < h * w; i++) {
    mag[i] = hypot(gc[i], gr[i]);
    double a = fmod(atan2(gr[i], gc[i]) * (180.0 / M_PI), 180.0);
    ori[i] = a < 0 ? a + 180.0 : a;      /* NumPy's % */
  }
  double per180 = 180.0 / n;
  for (int64_t b = 0; b < n; b++) {
    double start = per180 * (b + 1), end = per180 * b;
    for (int64_t cy = 0; cy < g->cells_h; cy++)
      for (int64_t cx = 0; cx < g->cells_w; cx++) {
        float total = 0;
        for (int64_t y = cy * o->cell_h; y < (cy + 1) * o->cell_h; y++)
          for (int64_t x = cx * o->cell_w; x < (cx + 1) * o->cell_w; x++) {
            double a = ori[y * w + x];
            if (a >= start || a < end) continue;
            total += mag[y * w + x];
          }
        hist[(cy * g->cells_w + cx) * n + b] =
            total / (float)(o->cell_h * o->cell_w);
      }
  }
  free(gr);
  return 0;
}

/* ---- block normalisation ------------------------------------------ */

/* One block: rows rows of span contiguous values, stride apart. */
typedef struct Block {
  const float *v;
  int64_t rows, span, stride;
} Block;

static inline double clip(double v, double hi) { return v < hi ? v : hi; }

/* Sums over the block of v, and of u^2 with u = min(v * r, hi); two
 * partial sums so the adds do not all wait on each other. */
static double block_sum(const Block *b) {
  double s0 = 0, s1 = 0;
  for (int64_t i = 0; i < b->rows; i++) {
    const float *p = b->v + i * b->stride;
    int64_t j = 0;
    for (; j + 2 <= b->span; j += 2) s0 += fabs(p[j]), s1 += fabs(p[j + 1]);
    if (j < b->span) s0 += fabs(p[j]);
  }
  return s0 + s1;
}

static double block_sum_sq(const Block *b, double r, double hi) {
  double s0 = 0, s1 = 0;
  for (int64_t i = 0; i < b->rows; i++) {
    const float *p = b->v + i * b->stride;
    int64_t j = 0;
    for (; j + 2 <= b->span; j += 2) {
      double u0 = clip(p[j] * r, hi), u1 = clip(p[j + 1] * r, hi);
      s0 += u0 * u0, s1 += u1 * u1;
    }
    if (j < b->span) s0 += clip(p[j] * r, hi) * clip(p[j] * r, hi);
  }
  return s0 + s1;
}

/* out = f(min(v * r, hi) * r2), f the square root when root is set. */
static float *block_out(const Block *b, double r, double hi, double r2,
                        int root, float *out) {
  for (int64_t i = 0; i < b->rows; i++) {
    const float *p = b->v + i * b->stride;
    for (int64_t j = 0; j < b->span; j++) {
      double u = clip(p[j] * r, hi) * r2;
      *out++ = (float)(root ? sqrt(u) : u);
    }
  }
  return out;
}

/* skimage divides by the norm; multiplying by its reciprocal moves the
 * float64 result by at most an ulp, which float32 rounding hides. */
static float *normalize_block(const Block *b, HogNorm norm, float *out) {
  double eps2 = HOG_EPS * HOG_EPS;
  if (norm == HOG_L1 || norm == HOG_L1_SQRT)
    return block_out(b, 1 / (block_sum(b) + HOG_EPS), INFINITY, 1,
                     norm == HOG_L1_SQRT, out);
  double r = 1 / sqrt(block_sum_sq(b, 1, INFINITY) + eps2);
  if (norm == HOG_L2) return block_out(b, r, INFINITY, 1, 0, out);
  /* L2-Hys: clip the L2-normalised values at 0.2, normalise again */
  double r2 = 1 / sqrt(block_sum_sq(b, r, 0.2) + eps2);
  return block_out(b, r, 0.2, r2, 0, out);
}

void hog_normalize(const float *hist, const HogOpt *o, const HogGeom *g,
                   float *out) {
  int64_t n = o->orientations;
  for (int64_t r = 0; r < g->blocks_h; r++)
    for (int64_t c = 0; c < g->blocks_w; c++) {
      Block b = {hist + (r * g->cells_w + c) * n, o->block_h,
                 o->block_w * n, g->cells_w * n};
      out = normalize_block(&b, o->norm, out);
    }
}

/* ---- the picture -------------------------------------------------- */

static void swap(int64_t *a, int64_t *b) { int64_t t = *a; *a = *b; *b = t; }

/* skimage.draw.line's Bresenham, adding v to every pixel inside (in
 * float32: NumPy adds the float64 value to a float32 picture). */
static void add_line(float *pic, int64_t h, int64_t w, int64_t r0,
                     int64_t c0, int64_t r1, int64_t c1, float v) {
  int64_t r = r0, c = c0, dr = llabs(r1 - r0), dc = llabs(c1 - c0);
  int64_t sr = r1 - r > 0 ? 1 : -1, sc = c1 - c > 0 ? 1 : -1;
  int steep = dr > dc;
  if (steep) swap(&r, &c), swap(&dr, &dc), swap(&sr, &sc);
  int64_t d = 2 * dr - dc;
  for (int64_t i = 0; i <= dc; i++) {
    int64_t y = i == dc ? r1 : steep ? c : r, x = i == dc ? c1 : steep ? r : c;
    if (y >= 0 && y < h && x >= 0 && x < w) pic[y * w + x] += v;
    if (i == dc) break;            /* dc == 0 would loop forever below */
    while (d >= 0) r += sr, d -= 2 * dc;
    c += sc, d += 2 * dr;
  }
}

int hog_draw(const float *hist, const HogOpt *o, const HogGeom *g,
             int64_t h, int64_t w, float *picture, char *err) {
  int n = o->orientations;
  int64_t cy = o->cell_h, cx = o->cell_w;
  int64_t radius = (cy < cx ? cy : cx) / 2 - 1;
  double *dr = malloc(2 * (size_t)n * sizeof *dr), *dc = dr + n;
  if (!dr) return ERR("out of memory");
  for (int i = 0; i < n; i++) {     /* bin middles, as skimage's arrays */
    double mid = M_PI * (i + 0.5) / n;
    dr[i] = radius * sin(mid), dc[i] = radius * cos(mid);
  }
  memset(picture, 0, (size_t)(h * w) * sizeof *picture);
  for (int64_t r = 0; r < g->cells_h; r++)
    for (int64_t c = 0; c < g->cells_w; c++)
      for (int i = 0; i < n; i++) {
        double y = (double)(r * cy + cy / 2), x = (double)(c * cx + cx / 2);
        add_line(picture, h, w, (int64_t)(y - dc[i]), (int64_t)(x + dr[i]),
                 (int64_t)(y + dc[i]), (int64_t)(x - dr[i]),
                 hist[(r * g->cells_w + c) * n + i]);
      }
  free(dr);
  return 0;
}

int hog_compute(const Image *im, const HogOpt *o, const HogGeom *g,
                float *out, float *picture, char *err) {
  float *hist = malloc((size_t)g->hist_size * sizeof *hist);
  if (!hist) return ERR("out of memory");
  int rc = hog_histograms(im, o, g, hist, err);
  if (!rc) hog_normalize(hist, o, g, out);
  if (!rc && picture) rc = hog_draw(hist, o, g, im->h, im->w, picture, err);
  free(hist);
  return rc;
}
