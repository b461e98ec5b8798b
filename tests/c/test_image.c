/* test_image.c - the image core: filters against hand-computed values
 * for every padding/border/stride, fast path against naive, pooling,
 * resize, pad, gray, PNG round trips for every PNG type, bad files. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "image/image.h"
#include "tap.h"

static char tmpdir[] = "/tmp/wb-test-image-XXXXXX";

static char *tmp_path(const char *name) {
  static char buf[256];
  snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
  return buf;
}

/* largest |a - b| */
static double max_diff(const float *a, const float *b, int64_t n) {
  double d = 0;
  for (int64_t i = 0; i < n; i++) {
    double e = fabs((double)a[i] - b[i]);
    if (e > d || e != e) d = e;
  }
  return d;
}

/* ---- filters by hand ---------------------------------------------- */

/* I = 1..20 as 4x5; K3 and K2 are asymmetric so a flipped kernel, a
 * wrong margin or a wrong border shows. Expected values worked out
 * from out(y,x) = sum k[i][j] * I(y*s + i - top, x*s + j - left). */
static const float I45[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                              11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
static const float K3[9] = {0, 1, 0, 0, 0, 2, 3, 0, 0};
static const float K2[4] = {1, 0, 0, 2};

typedef struct Case {
  const char *name;
  const float *k;
  int kh, kw;
  ImageFilterOpt o;
  int oh, ow;
  float want[20];
} Case;

#define V IMG_PAD_VALID
#define S IMG_PAD_SAME
#define Z IMG_BORDER_ZERO
#define R IMG_BORDER_REFLECT
#define P IMG_BORDER_REPLICATE
static const Case cases[] = {
  {"3x3 valid", K3, 3, 3, {V, Z, 1, 1}, 2, 3, {51, 57, 63, 81, 87, 93}},
  {"3x3 valid stride 2", K3, 3, 3, {V, Z, 2, 2}, 1, 2, {51, 63}},
  {"3x3 same zero", K3, 3, 3, {S, Z, 1, 1}, 4, 5,
   {4, 24, 29, 34, 27, 15, 51, 57, 63, 47, 30, 81, 87, 93, 67,
    45, 48, 51, 54, 15}},
  {"3x3 same reflect", K3, 3, 3, {S, R, 1, 1}, 4, 5,
   {31, 31, 37, 43, 45, 51, 51, 57, 63, 65, 81, 81, 87, 93, 95,
    81, 81, 87, 93, 95}},
  {"3x3 same replicate", K3, 3, 3, {S, P, 1, 1}, 4, 5,
   {23, 26, 32, 38, 42, 48, 51, 57, 63, 67, 78, 81, 87, 93, 97,
    93, 96, 102, 108, 112}},
  /* ceil(4/2) x ceil(5/2); margins: rows 0 before 1 after, cols 1, 1 */
  {"3x3 same zero stride 2", K3, 3, 3, {S, Z, 2, 2}, 2, 3,
   {15, 57, 47, 45, 51, 15}},
  {"3x3 same reflect stride 2", K3, 3, 3, {S, R, 2, 2}, 2, 3,
   {51, 57, 65, 81, 87, 95}},
  /* stride 3: rows pad 2 (1 before), cols pad 1 (0 before, 1 after) */
  {"3x3 same replicate stride 3", K3, 3, 3, {S, P, 3, 3}, 2, 2,
   {26, 42, 96, 112}},
  {"2x2 valid", K2, 2, 2, {V, Z, 1, 1}, 3, 4,
   {15, 18, 21, 24, 30, 33, 36, 39, 45, 48, 51, 54}},
  /* even kernel, 'same': the extra row/column goes after (Keras) */
  {"2x2 same zero", K2, 2, 2, {S, Z, 1, 1}, 4, 5,
   {15, 18, 21, 24, 5, 30, 33, 36, 39, 10, 45, 48, 51, 54, 15,
    16, 17, 18, 19, 20}},
  {"2x2 same replicate", K2, 2, 2, {S, P, 1, 1}, 4, 5,
   {15, 18, 21, 24, 25, 30, 33, 36, 39, 40, 45, 48, 51, 54, 55,
    50, 53, 56, 59, 60}},
  {"2x2 same reflect stride 2", K2, 2, 2, {S, R, 2, 2}, 2, 3,
   {15, 21, 23, 45, 51, 53}},
};

static void test_hand(void) {
  float two[40], out[40], out2[40];
  for (int i = 0; i < 20; i++)
    two[2 * i] = I45[i], two[2 * i + 1] = -10 * I45[i];
  for (size_t n = 0; n < sizeof cases / sizeof *cases; n++) {
    const Case *c = &cases[n];
    ImageGeom g;
    char err[TENSOR_ERRLEN];
    image_filter_geom(4, 5, c->kh, c->kw, &c->o, &g, err);
    is(g.oh * 100 + g.ow, c->oh * 100 + c->ow, "%s: output %dx%d", c->name,
       c->oh, c->ow);
    Image src = {(float *)I45, 4, 5, 1}, dst = {out, g.oh, g.ow, 1};
    image_filter(&src, c->k, c->kh, c->kw, &c->o, &dst, err);
    ok(max_diff(out, c->want, g.oh * g.ow) == 0, "%s: fast path", c->name);
    memset(out, 0, sizeof out);
    image_filter_naive(&src, c->k, c->kh, c->kw, &c->o, &dst);
    ok(max_diff(out, c->want, g.oh * g.ow) == 0, "%s: naive", c->name);
    /* two channels: the second is -10 times the first, alike after */
    Image src2 = {two, 4, 5, 2}, dst2 = {out2, g.oh, g.ow, 2};
    image_filter(&src2, c->k, c->kh, c->kw, &c->o, &dst2, err);
    int good = 1;
    for (int i = 0; i < g.oh * g.ow; i++)
      good &= out2[2 * i] == c->want[i] && out2[2 * i + 1] == -10 * c->want[i];
    ok(good, "%s: two channels filtered alike", c->name);
  }
}

static void test_geom_errors(void) {
  ImageGeom g;
  char err[TENSOR_ERRLEN];
  ImageFilterOpt valid = {V, Z, 1, 1}, same = {S, Z, 1, 1}, s0 = {S, Z, 0, 1};
  ok(image_filter_geom(4, 5, 5, 3, &valid, &g, err) == -1
     && strstr(err, "larger than"), "valid: kernel taller than image fails");
  ok(image_filter_geom(4, 5, 5, 3, &same, &g, err) == 0
     && g.oh == 4 && g.ow == 5,
     "same: a kernel taller than the image is fine");
  ok(image_filter_geom(4, 5, 0, 3, &same, &g, err) == -1, "empty kernel fails");
  ok(image_filter_geom(0, 5, 1, 1, &same, &g, err) == -1, "empty image fails");
  ok(image_filter_geom(4, 5, 3, 3, &s0, &g, err) == -1 && strstr(err, "stride"),
     "stride 0 fails");
  ok(image_pool_geom(4, 5, 5, 1, 1, 1, &g, err) == -1,
     "pool larger than image fails");
  ok(image_pool_geom(4, 5, 2, 2, 0, 2, &g, err) == -1, "pool stride 0 fails");
}

/* ---- fast against naive ------------------------------------------- */

static void fill_random(float *p, int64_t n) {
  for (int64_t i = 0; i < n; i++) p[i] = (float)tensor_rand_uniform() * 2 - 1;
}

/* Largest |fast - naive| on a random h x w x c image and kh x kw
 * kernel, or -1 when the geometry is refused. */
static double fast_vs_naive(int h, int w, int c, int kh, int kw,
                            const ImageFilterOpt *o) {
  ImageGeom g;
  char err[TENSOR_ERRLEN];
  if (image_filter_geom(h, w, kh, kw, o, &g, err)) return -1;
  int64_t n = g.oh * g.ow * c;
  float *src = malloc(sizeof(float) * h * w * c);
  float *k = malloc(sizeof(float) * kh * kw);
  float *fast = malloc(sizeof(float) * n), *slow = malloc(sizeof(float) * n);
  fill_random(src, h * w * c);
  fill_random(k, kh * kw);
  Image si = {src, h, w, c};
  Image df = {fast, g.oh, g.ow, c}, ds = {slow, g.oh, g.ow, c};
  image_filter(&si, k, kh, kw, o, &df, err);
  image_filter_naive(&si, k, kh, kw, o, &ds);
  double d = max_diff(fast, slow, n);
  free(src), free(k), free(fast), free(slow);
  return d;
}

static void test_fast_vs_naive(void) {
  static const int ks[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5},
                              {3, 5}, {6, 2}, {7, 7}, {9, 4}};
  static const int sizes[][2] = {{17, 23}, {5, 4}, {40, 41}};
  static const int st[][2] = {{1, 1}, {2, 2}, {3, 1}, {1, 3}, {2, 5}};
  enum { NK = sizeof ks / sizeof *ks, NS = sizeof st / sizeof *st };
  tensor_seed(7);
  int fails = 0, runs = 0;
  for (int si = 0; si < 3; si++)
    for (int c = 1; c <= 3; c += 2)
      for (int ki = 0; ki < NK; ki++)
        for (int cfg = 0; cfg < 2 * 3 * NS; cfg++) {
          int pad = cfg % 2, b = cfg / 2 % 3, s = cfg / 6;
          ImageFilterOpt o = {pad ? S : V, (ImageBorder)b, st[s][0], st[s][1]};
          double d = fast_vs_naive(sizes[si][0], sizes[si][1], c, ks[ki][0],
                                   ks[ki][1], &o);
          if (d < 0) continue;
          runs++;
          if (d <= 1e-5) continue;
          fails++;
          diag("%dx%dx%d kernel %dx%d pad %d border %d stride %dx%d: %g",
               sizes[si][0], sizes[si][1], c, ks[ki][0], ks[ki][1], pad, b,
               st[s][0], st[s][1], d);
        }
  ok(fails == 0 && runs > 300, "fast path matches naive in %d random cases "
     "(1 and 3 channels, odd and even kernels, strides 1x1 to 2x5)", runs);
  /* a photo-like one, where the vector loops do most of the work */
  ImageFilterOpt o = {S, R, 1, 1};
  near(fast_vs_naive(64, 80, 3, 5, 5, &o), 0, 1e-5,
       "64x80x3 5x5 same/reflect: fast == naive");
}

/* ---- pooling, resize, pad, crop, gray ----------------------------- */

static void test_pool(void) {
  float out[16], out3[48];
  Image src = {(float *)I45, 4, 5, 1}, dst = {out, 2, 2, 1};
  image_pool(&src, 2, 2, 2, 2, 1, &dst);
  ok(out[0] == 7 && out[1] == 9 && out[2] == 17 && out[3] == 19,
     "max pool 2x2 on 4x5 drops the last column ('valid')");
  image_pool(&src, 2, 2, 2, 2, 0, &dst);
  ok(out[0] == 4 && out[1] == 6 && out[2] == 14 && out[3] == 16,
     "avg pool 2x2");
  ImageGeom g;
  char err[TENSOR_ERRLEN];
  image_pool_geom(4, 5, 3, 3, 1, 1, &g, err);
  ok(g.oh == 2 && g.ow == 3, "pool 3 stride 1 gives 2x3");
  Image d3 = {out, 2, 3, 1};
  image_pool(&src, 3, 3, 1, 1, 1, &d3);
  ok(out[0] == 13 && out[5] == 20, "max pool 3x3 stride 1");
  float rgb[60];
  for (int i = 0; i < 20; i++)
    rgb[3 * i] = I45[i], rgb[3 * i + 1] = -I45[i], rgb[3 * i + 2] = 1;
  Image s3 = {rgb, 4, 5, 3}, o3 = {out3, 2, 2, 3};
  image_pool(&s3, 2, 2, 2, 2, 1, &o3);
  ok(out3[0] == 7 && out3[1] == -1 && out3[2] == 1 && out3[9] == 19
     && out3[10] == -13, "max pool keeps channels apart");
}

static void test_resize(void) {
  float row[2] = {0, 1}, up[4], down[2], same[20];
  Image s = {row, 1, 2, 1}, d = {up, 1, 4, 1};
  char err[TENSOR_ERRLEN];
  image_resize(&s, &d, err);
  ok(up[0] == 0 && up[1] == 0.25f && up[2] == 0.75f && up[3] == 1,
     "upsample 2 -> 4 with half-pixel centres: 0 .25 .75 1");
  float four[4] = {0, 1, 2, 3};
  Image s4 = {four, 1, 4, 1}, d2 = {down, 1, 2, 1};
  image_resize(&s4, &d2, err);
  ok(down[0] == 0.5f && down[1] == 2.5f, "downsample 4 -> 2 averages pairs");
  Image src = {(float *)I45, 4, 5, 1}, dst = {same, 4, 5, 1};
  image_resize(&src, &dst, err);
  ok(max_diff(same, I45, 20) == 0, "resize to the same size is the identity");
  float col[3] = {1, 2, 3}, tall[6];
  Image sc = {col, 3, 1, 1}, dc = {tall, 6, 1, 1};
  image_resize(&sc, &dc, err);
  ok(tall[0] == 1 && tall[1] == 1.25f && tall[5] == 3, "upsample a column");
}

static void test_pad_crop(void) {
  float row[3] = {1, 2, 3}, out[7];
  Image s = {row, 1, 3, 1}, d = {out, 1, 7, 1};
  int64_t pad[4] = {0, 0, 2, 2};
  char err[TENSOR_ERRLEN];
  static const float zero[7] = {0, 0, 1, 2, 3, 0, 0},
                     refl[7] = {3, 2, 1, 2, 3, 2, 1},
                     repl[7] = {1, 1, 1, 2, 3, 3, 3};
  image_pad(&s, pad, IMG_BORDER_ZERO, &d, err);
  ok(max_diff(out, zero, 7) == 0, "pad zero");
  image_pad(&s, pad, IMG_BORDER_REFLECT, &d, err);
  ok(max_diff(out, refl, 7) == 0, "pad reflect (edge not repeated)");
  image_pad(&s, pad, IMG_BORDER_REPLICATE, &d, err);
  ok(max_diff(out, repl, 7) == 0, "pad replicate");
  is(image_border_index(-7, 3, IMG_BORDER_REFLECT), 1,
     "reflect folds again past the far edge");
  is(image_border_index(-2, 1, IMG_BORDER_REFLECT), 0,
     "reflect of a 1-pixel axis");
  float one = 5, big[9];
  Image s1 = {&one, 1, 1, 1}, d9 = {big, 3, 3, 1};
  int64_t p1[4] = {1, 1, 1, 1};
  image_pad(&s1, p1, IMG_BORDER_REFLECT, &d9, err);
  ok(big[0] == 5 && big[8] == 5, "reflect-pad a 1x1 image");
  float c[4];
  Image dc = {c, 2, 2, 1};
  Image src = {(float *)I45, 4, 5, 1};
  ok(image_crop(&src, 1, 2, &dc, err) == 0 && c[0] == 8 && c[1] == 9
     && c[2] == 13 && c[3] == 14, "crop 2x2 at row 1, column 2 (0-based)");
  ok(image_crop(&src, 3, 0, &dc, err) == -1, "crop past the bottom fails");
}

static void test_gray(void) {
  float px[] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, g[3];
  Image s = {px, 1, 3, 3}, d = {g, 1, 3, 1};
  char err[TENSOR_ERRLEN];
  image_to_gray(&s, &d, err);
  ok(g[0] == 0.2125f && g[1] == 0.7154f && g[2] == 0.0721f,
     "to_gray weights 0.2125 0.7154 0.0721 (scikit-image)");
  float rgba[4] = {1, 0, 0, 0.5f}, ga[2] = {0.2f, 0.5f}, o;
  Image s4 = {rgba, 1, 1, 4}, s2 = {ga, 1, 1, 2}, d1 = {&o, 1, 1, 1};
  image_to_gray(&s4, &d1, err);
  near(o, 0.2125 + 0.5 * (0.7154 + 0.0721), 1e-6,
       "RGBA: composited over white first");
  image_to_gray(&s2, &d1, err);
  near(o, 0.6, 1e-6, "gray+alpha over white");
  Image s5 = {px, 1, 1, 5};
  ok(image_to_gray(&s5, &d1, err) == -1, "5 channels is an error");
}

/* ---- PNG ---------------------------------------------------------- */

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
         | p[3];
}

static void put32(unsigned char *p, uint32_t v) {
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = (unsigned char)v;
}

/* Find chunk type in a PNG buffer: offset of its length field or 0. */
static size_t find_chunk(const unsigned char *p, size_t n, const char *type) {
  for (size_t off = 8; off + 12 <= n; ) {
    if (!memcmp(p + off + 4, type, 4)) return off;
    off += 12 + get32(p + off);
  }
  return 0;
}

static void strip_chunk(unsigned char *p, size_t *n, const char *type) {
  size_t off = find_chunk(p, *n, type);
  if (!off) return;
  size_t len = 12 + (size_t)get32(p + off);
  memmove(p + off, p + off + len, *n - off - len);
  *n -= len;
}

/* Rewrite the gAMA value (and its CRC). */
static int set_gamma(unsigned char *p, size_t n, uint32_t gamma) {
  size_t off = find_chunk(p, n, "gAMA");
  if (!off) return 0;
  put32(p + off + 8, gamma);
  put32(p + off + 12, (uint32_t)crc32(0, p + off + 4, 8));
  return 1;
}

/* Encode pixels with libpng's simplified writer; malloc'd bytes.
 * flags: PNG_IMAGE_FLAG_COLORSPACE_NOT_sRGB writes gAMA, not sRGB. */
static unsigned char *encode_flags(png_uint_32 fmt, png_uint_32 flags, int w,
                                   int h, const void *px, const void *cmap,
                                   int entries, size_t *n) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.flags = flags;
  im.width = w, im.height = h, im.format = fmt;
  im.colormap_entries = entries;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&im, NULL, &size, 0, px, 0, cmap)) return NULL;
  unsigned char *buf = malloc(size);
  if (!png_image_write_to_memory(&im, buf, &size, 0, px, 0, cmap)) {
    free(buf);
    return NULL;
  }
  *n = size;
  return buf;
}

static unsigned char *encode(png_uint_32 fmt, int w, int h, const void *px,
                             const void *cmap, int entries, size_t *n) {
  return encode_flags(fmt, 0, w, h, px, cmap, entries, n);
}

static int write_bytes(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t k = fwrite(p, 1, n, f);
  return fclose(f) == 0 && k == n ? 0 : -1;
}

/* Write buf as name, load it, compare with want (h*w*c values). */
static void check_load(const char *what, const unsigned char *buf, size_t n,
                       int h, int w, int c, const float *want, double tol) {
  char *path = tmp_path("load.png"), err[TENSOR_ERRLEN];
  float *got = NULL;
  int64_t gh, gw;
  int gc;
  if (!buf || write_bytes(path, buf, n)) {
    ok(0, "%s: write test file", what);
    return;
  }
  int rc = image_load_png(path, 0, &got, &gh, &gw, &gc, err);
  if (rc) diag("%s", err);
  ok(rc == 0 && gh == h && gw == w && gc == c, "%s: loads as %dx%dx%d",
     what, h, w, c);
  if (rc == 0 && gc == c) {
    double d = max_diff(got, want, (int64_t)h * w * c);
    if (d > tol) diag("max difference %g", d);
    ok(d <= tol, "%s: values", what);
  } else {
    ok(0, "%s: values", what);
  }
  free(got);
}

static void test_png_8bit(void) {
  enum { W = 3, H = 2 };
  unsigned char px[W * H * 4];
  float want[W * H * 4];
  for (int i = 0; i < W * H * 4; i++) px[i] = (unsigned char)(i * 37 + 11);
  static const struct { png_uint_32 fmt; int c; const char *name; } f[] = {
    {PNG_FORMAT_GRAY, 1, "8-bit gray"}, {PNG_FORMAT_GA, 2, "8-bit gray+alpha"},
    {PNG_FORMAT_RGB, 3, "8-bit RGB"}, {PNG_FORMAT_RGBA, 4, "8-bit RGBA"}};
  for (int k = 0; k < 4; k++) {
    size_t n;
    for (int i = 0; i < W * H * f[k].c; i++) want[i] = px[i] / 255.0f;
    unsigned char *buf = encode(f[k].fmt, W, H, px, NULL, 0, &n);
    check_load(f[k].name, buf, n, H, W, f[k].c, want, 1e-7);
    free(buf);
  }
  /* gAMA 1/2.2 instead of sRGB, then gAMA 1.0: stored values either way */
  size_t n;
  unsigned char *buf = encode_flags(PNG_FORMAT_RGBA,
                                    PNG_IMAGE_FLAG_COLORSPACE_NOT_sRGB, W, H,
                                    px, NULL, 0, &n);
  check_load("8-bit RGBA, gAMA 1/2.2", buf, n, H, W, 4, want, 1e-7);
  ok(buf && set_gamma(buf, n, 100000), "rewrote gAMA to 1.0");
  check_load("8-bit RGBA, gAMA 1.0", buf, n, H, W, 4, want, 1e-7);
  free(buf);
}

static void test_png_palette(void) {
  /* 3 colours: a 2-bit palette file; 20 with alpha: 8-bit + tRNS */
  unsigned char cmap[20 * 4], idx[12];
  float want[12 * 4];
  for (int i = 0; i < 20 * 4; i++) cmap[i] = (unsigned char)(i * 13 + 5);
  for (int i = 0; i < 12; i++) idx[i] = (unsigned char)(i % 3);
  for (int i = 0; i < 12; i++)
    for (int k = 0; k < 3; k++) want[i * 3 + k] = cmap[idx[i] * 3 + k] / 255.0f;
  size_t n;
  unsigned char *buf = encode(PNG_FORMAT_RGB_COLORMAP, 4, 3, idx, cmap, 3, &n);
  check_load("palette, 3 colours (2-bit)", buf, n, 3, 4, 3, want, 1e-7);
  free(buf);
  for (int i = 0; i < 12; i++) idx[i] = (unsigned char)(i * 7 % 20);
  for (int i = 0; i < 20; i++) cmap[i * 4 + 3] = (unsigned char)(255 - i * 10);
  for (int i = 0; i < 12; i++)
    for (int k = 0; k < 4; k++) want[i * 4 + k] = cmap[idx[i] * 4 + k] / 255.0f;
  buf = encode(PNG_FORMAT_RGBA_COLORMAP, 4, 3, idx, cmap, 20, &n);
  check_load("palette with transparency", buf, n, 3, 4, 4, want, 1e-7);
  free(buf);
}

/* 16-bit: png_image writes linear data (premultiplied when there is
 * alpha) with gAMA 1.0; the loader must give back the stored values. */
static void test_png_16bit(void) {
  enum { W = 4, H = 2, N = W * H };
  static const uint16_t alpha[N] = {65535, 65535, 32768, 65535,
                                    1000, 65535, 0, 40000};
  uint16_t px[N * 4];
  float want[N * 4];
  static const struct { png_uint_32 fmt; int c; const char *name; } f[] = {
    {PNG_FORMAT_LINEAR_Y, 1, "16-bit gray"},
    {PNG_FORMAT_LINEAR_Y_ALPHA, 2, "16-bit gray+alpha"},
    {PNG_FORMAT_LINEAR_RGB, 3, "16-bit RGB"},
    {PNG_FORMAT_LINEAR_RGB_ALPHA, 4, "16-bit RGBA"}};
  for (int k = 0; k < 4; k++) {
    int c = f[k].c, has_alpha = c == 2 || c == 4;
    for (int i = 0; i < N; i++)
      for (int j = 0; j < c; j++) {
        uint32_t v = (uint32_t)(i * 8191 + j * 3001 + 123) % 65536;
        if (has_alpha && j == c - 1) {
          px[i * c + j] = alpha[i];
          want[i * c + j] = alpha[i] / 65535.0f;
        } else if (has_alpha) {
          px[i * c + j] = (uint16_t)((v * alpha[i] + 32767) / 65535);
          want[i * c + j] = alpha[i] ? v / 65535.0f : 0;
        } else {
          px[i * c + j] = (uint16_t)v;
          want[i * c + j] = v / 65535.0f;
        }
      }
    /* nearly transparent pixels lose precision through premultiplying */
    if (has_alpha)
      for (int i = 0; i < N; i++)
        if (alpha[i] == 1000)
          for (int j = 0; j < c - 1; j++) want[i * c + j] = -1;
    size_t n;
    unsigned char *buf = encode(f[k].fmt, W, H, px, NULL, 0, &n);
    float *got = NULL;
    int64_t gh, gw;
    int gc;
    char err[TENSOR_ERRLEN], *path = tmp_path("wide.png");
    int rc = buf ? write_bytes(path, buf, n) : -1;
    if (!rc) rc = image_load_png(path, 0, &got, &gh, &gw, &gc, err);
    ok(rc == 0 && gh == H && gw == W && gc == c, "%s: loads as %dx%dx%d",
       f[k].name, H, W, c);
    double d = 0;
    for (int i = 0; rc == 0 && i < N * c; i++)
      if (want[i] >= 0) d = fmax(d, fabs(got[i] - want[i]));
    ok(rc == 0 && d < 1e-4, "%s: stored values back (max diff %g)",
       f[k].name, d);
    free(got);
    /* the common case from other tools: no gamma chunk at all */
    if (k == 0 && buf) {
      strip_chunk(buf, &n, "gAMA");
      strip_chunk(buf, &n, "cHRM");
      check_load("16-bit gray, no gAMA", buf, n, H, W, 1, want, 1e-7);
      /* a declared gamma does not change the numbers either */
      size_t n2;
      unsigned char *b2 = encode(f[k].fmt, W, H, px, NULL, 0, &n2);
      ok(b2 && set_gamma(b2, n2, 45455), "rewrote gAMA to 1/2.2");
      check_load("16-bit gray, gAMA 1/2.2", b2, n2, H, W, 1, want, 1e-7);
      free(b2);
    }
    free(buf);
  }
}

static void test_png_gray_option(void) {
  unsigned char px[4] = {255, 0, 0, 128};
  size_t n;
  unsigned char *buf = encode(PNG_FORMAT_RGBA, 1, 1, px, NULL, 0, &n);
  char *path = tmp_path("rgba.png"), err[TENSOR_ERRLEN];
  float *got = NULL;
  int64_t h, w;
  int c;
  write_bytes(path, buf, n);
  int rc = image_load_png(path, 1, &got, &h, &w, &c, err);
  float a = 128 / 255.0f;
  float want = 0.2125f + (1 - a) * (0.7154f + 0.0721f);
  ok(rc == 0 && c == 1 && fabs(got[0] - want) < 1e-6,
     "load gray=1: RGBA over white, then luminance");
  free(got);
  free(buf);
}

static int leftover_tmp_files(void) {
  DIR *d = opendir(tmpdir);
  int found = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) found |= strstr(e->d_name, ".tmp") != NULL;
  if (d) closedir(d);
  return found;
}

static void test_png_save(void) {
  char err[TENSOR_ERRLEN];
  for (int c = 1; c <= 4; c++) {
    float px[5 * 3 * 4], *got = NULL;
    for (int i = 0; i < 5 * 3 * c; i++) px[i] = (float)((i * 29) % 256) / 255;
    Image im = {px, 3, 5, c};
    char *path = tmp_path("save.png");
    int64_t h, w;
    int gc;
    int rc = image_save_png(path, &im, 0, err);
    if (!rc) rc = image_load_png(path, 0, &got, &h, &w, &gc, err);
    ok(rc == 0 && h == 3 && w == 5 && gc == c
       && max_diff(got, px, 15 * c) < 1e-7,
       "save/load round trip, %d channel%s", c, c > 1 ? "s" : "");
    free(got);
  }
  float v[4] = {-1, 0, 1, 3}, *got = NULL;
  Image im = {v, 2, 2, 1};
  int64_t h, w;
  int c;
  image_save_png(tmp_path("norm.png"), &im, 1, err);
  image_load_png(tmp_path("norm.png"), 0, &got, &h, &w, &c, err);
  ok(got && got[0] == 0 && got[1] == 64 / 255.0f && got[3] == 1,
     "normalize maps min..max to 0..1");
  free(got);
  got = NULL;
  float odd[4] = {NAN, -0.5f, 2, INFINITY};
  Image im2 = {odd, 2, 2, 1};
  image_save_png(tmp_path("clamp.png"), &im2, 0, err);
  image_load_png(tmp_path("clamp.png"), 0, &got, &h, &w, &c, err);
  ok(got && got[0] == 0 && got[1] == 0 && got[2] == 1 && got[3] == 1,
     "values clamp to [0,1], NaN saves as 0");
  free(got);
  Image five = {v, 2, 2, 5};
  ok(image_save_png(tmp_path("five.png"), &five, 0, err) == -1
     && strstr(err, "5 channels"),
     "saving 5 channels fails");
  ok(image_save_png(tmp_path("no/such/dir.png"), &im, 0, err) == -1
     && strstr(err, "cannot write"), "saving into a missing folder fails");
  mkdir(tmp_path("adir.png"), 0777);
  ok(image_save_png(tmp_path("adir.png"), &im, 0, err) == -1,
     "saving over a folder fails");
  ok(!leftover_tmp_files(), "no temporary file left behind");
}

static void test_png_bad(void) {
  char err[TENSOR_ERRLEN];
  float *got = NULL;
  int64_t h, w;
  int c;
  ok(image_load_png(tmp_path("missing.png"), 0, &got, &h, &w, &c, err) == -1
     && strstr(err, "cannot open") && strstr(err, "missing.png"),
     "missing file: %s", err);
  write_bytes(tmp_path("empty.png"), "", 0);
  ok(image_load_png(tmp_path("empty.png"), 0, &got, &h, &w, &c, err) == -1
     && strstr(err, "empty"), "empty file: %s", err);
  const char *text = "this is a text file, not a picture\n";
  write_bytes(tmp_path("text.png"), text, strlen(text));
  ok(image_load_png(tmp_path("text.png"), 0, &got, &h, &w, &c, err) == -1
     && strstr(err, "not a PNG"), "text file renamed .png: %s", err);
  ok(image_load_png(tmpdir, 0, &got, &h, &w, &c, err) == -1,
     "a folder: %s", err);
  /* a noisy picture, so the pixel data is long, cut in two places */
  enum { W = 64, H = 64 };
  static unsigned char px[W * H * 3];
  for (int i = 0; i < W * H * 3; i++)
    px[i] = (unsigned char)(tensor_rand_u64() >> 56);
  size_t n;
  unsigned char *buf = encode(PNG_FORMAT_RGB, W, H, px, NULL, 0, &n);
  write_bytes(tmp_path("half.png"), buf, n / 2);
  ok(image_load_png(tmp_path("half.png"), 0, &got, &h, &w, &c, err) == -1
     && strstr(err, "truncated"), "truncated in the pixel data: %s", err);
  write_bytes(tmp_path("head.png"), buf, 20);
  ok(image_load_png(tmp_path("head.png"), 0, &got, &h, &w, &c, err) == -1,
     "truncated in the header: %s", err);
  buf[20] ^= 0x55;     /* inside IHDR: its CRC no longer matches */
  write_bytes(tmp_path("crc.png"), buf, n);
  ok(image_load_png(tmp_path("crc.png"), 0, &got, &h, &w, &c, err) == -1,
     "corrupt header: %s", err);
  ok(got == NULL, "nothing returned on failure");
  free(buf);
}

/* ---- montage ------------------------------------------------------ */

static void test_montage(void) {
  float a[4 * 6], b[5 * 3 * 3];
  for (int i = 0; i < 24; i++) a[i] = 0;
  for (int i = 0; i < 45; i++) b[i] = (i % 3 == 0) ? 1 : 0;   /* red */
  Image imgs[2] = {{a, 4, 6, 1}, {b, 5, 3, 3}};
  MontageLayout m;
  char err[TENSOR_ERRLEN];
  ok(image_montage_layout(imgs, 2, 0, 0, &m, err) == 0 && m.cell_h == 5
     && m.cell_w == 6 && m.cols == 2 && m.h == 5 + 2 * m.gap
     && m.w == 12 + 3 * m.gap, "layout: cells as large as the largest image");
  float *out = malloc(sizeof(float) * m.h * m.w * 3);
  image_montage(imgs, 2, NULL, 0, &m, out, err);
  int64_t g = m.gap;
  ok(out[0] == 1 && out[1] == 1 && out[2] == 1, "white background");
  float *p = out + ((g + 0) * m.w + g) * 3;          /* image 1, top left */
  ok(p[0] == 0 && p[1] == 0 && p[2] == 0, "gray image placed (black)");
  int64_t x0 = g + 6 + g + (6 - 3) / 2;              /* image 2, centred */
  p = out + ((g + 0) * m.w + x0) * 3;
  ok(p[0] == 1 && p[1] == 0 && p[2] == 0, "colour image centred in its cell");
  free(out);
  const char *caps[2] = {"Aa 가나", NULL};
  ok(image_montage_layout(imgs, 2, 1, 1, &m, err) == 0 && m.cols == 1
     && m.rows == 2 && m.band > 0, "one column, caption band");
  out = malloc(sizeof(float) * m.h * m.w * 3);
  ok(image_montage(imgs, 2, caps, 0, &m, out, err) == 0, "draw with a caption");
  int dark = 0;
  for (int64_t y = g + m.cell_h; y < g + m.cell_h + m.band; y++)
    for (int64_t x = 0; x < m.w; x++) dark += out[(y * m.w + x) * 3] < 0.5f;
  ok(dark > 5, "the caption darkens pixels under the image (%d)", dark);
  const char *bad[2] = {"\xff\xfe", NULL};
  ok(image_montage(imgs, 2, bad, 0, &m, out, err) == -1 && strstr(err, "UTF-8"),
     "invalid UTF-8 caption: %s", err);
  free(out);
  ok(image_montage_layout(imgs, 0, 0, 0, &m, err) == -1, "no images fails");
}

int main(void) {
  if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp failed\n"); return 1; }
  test_hand();
  test_geom_errors();
  test_fast_vs_naive();
  test_pool();
  test_resize();
  test_pad_crop();
  test_gray();
  test_png_8bit();
  test_png_palette();
  test_png_16bit();
  test_png_gray_option();
  test_png_save();
  test_png_bad();
  test_montage();
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) diag("could not remove %s", tmpdir);
  return done_testing();
}
