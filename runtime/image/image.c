/* image.c - images as float tensors: PNG I/O through libpng's
 * simplified API (no setjmp here), gray, resize, crop, pad, 2-D
 * filtering with a naive twin, pooling, montage. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "image/draw.h"
#include "core/fsutil.h"
#include "image/image.h"

#define ERR(...) (snprintf(err, TENSOR_ERRLEN, __VA_ARGS__), -1)
#define LL(x) ((long long)(x))

int64_t image_border_index(int64_t i, int64_t n, ImageBorder b) {
  if (i >= 0 && i < n) return i;
  if (b == IMG_BORDER_ZERO) return -1;
  if (b == IMG_BORDER_REPLICATE || n == 1) return i < 0 ? 0 : n - 1;
  int64_t period = 2 * (n - 1);      /* reflect: a b c d c b | a b ... */
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

/* Luminance of one pixel of c channels; alpha over a white page. */
static float luminance(const float *p, int c) {
  float r, g, b, a;
  switch (c) {
  case 1: return p[0];
  case 2: return p[0] * p[1] + (1 - p[1]);
  case 3: r = p[0], g = p[1], b = p[2]; break;
  default:
    a = p[3];
    r = p[0] * a + (1 - a), g = p[1] * a + (1 - a), b = p[2] * a + (1 - a);
  }
  return 0.2125f * r + 0.7154f * g + 0.0721f * b;
}

/* ---- PNG ---------------------------------------------------------- */

int image_read_file(const char *path, void **mem, size_t *n, char *err) {
  *mem = NULL;
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return ERR("cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    fclose(f);
    return ERR("cannot read %s: %s", path, strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    fclose(f);
    return ERR("cannot read %s: %s", path,
               S_ISDIR(st.st_mode) ? "it is a folder" : "not a regular file");
  }
  size_t size = (size_t)st.st_size;
  void *buf = malloc(size ? size : 1);
  if (!buf) {
    fclose(f);
    return ERR("cannot read %s: out of memory (%zu bytes)", path, size);
  }
  size_t got = fread(buf, 1, size, f);
  int bad = ferror(f);
  fclose(f);
  if (bad || got != size) {
    free(buf);
    return ERR("cannot read %s: %s", path,
               bad ? strerror(errno) : "the file changed while reading");
  }
  *mem = buf;
  *n = size;
  return 0;
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
         | p[3];
}

static void put_be32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Rename the colour-space chunks before the pixels (gAMA, sRGB, iCCP,
 * cHRM) to private names libpng skips, fixing their CRCs. Otherwise the
 * simplified API converts values by the declared gamma, whereas Pillow,
 * imageio, OpenCV (and so matplotlib and scikit-image) give the stored
 * numbers; so do we. */
static void hide_colour_chunks(unsigned char *p, size_t n) {
  static const char *const names[] = {"gAMA", "sRGB", "iCCP", "cHRM"};
  for (size_t off = 8; off + 12 <= n; ) {
    uint32_t len = be32(p + off);
    unsigned char *type = p + off + 4;
    if (!memcmp(type, "IDAT", 4) || !memcmp(type, "IEND", 4)
        || len > n - off - 12) break;
    for (int k = 0; k < 4; k++)
      if (!memcmp(type, names[k], 4)) {
        type[1] |= 0x20;          /* lower case: a private chunk */
        put_be32(type + 4 + len, (uint32_t)crc32(0, type, 4 + len));
      }
    off += 12 + (size_t)len;
  }
}

int image_png_begin(ImagePng *r, void *mem, size_t n, const char *name,
                    char *err) {
  memset(r, 0, sizeof *r);
  r->png.version = PNG_IMAGE_VERSION;
  if (n == 0) return ERR("%s is empty, not a PNG image", name);
  if (n < 8 || png_sig_cmp((png_const_bytep)mem, 0, 8) != 0)
    return ERR("%s is not a PNG file (no PNG signature at its start)", name);
  hide_colour_chunks(mem, n);
  if (!png_image_begin_read_from_memory(&r->png, mem, n)) {
    snprintf(err, TENSOR_ERRLEN, "%s: corrupt PNG header (libpng: %s)",
             name, r->png.message);
    png_image_free(&r->png);
    return -1;
  }
  png_uint_32 fmt = r->png.format;
  r->h = r->png.height;
  r->w = r->png.width;
  r->c = (fmt & PNG_FORMAT_FLAG_COLOR ? 3 : 1)
         + (fmt & PNG_FORMAT_FLAG_ALPHA ? 1 : 0);
  /* Without colour chunks libpng takes 16-bit files as linear and
   * 8-bit ones as sRGB, so decoding each in that form changes nothing */
  r->wide = (fmt & PNG_FORMAT_FLAG_LINEAR) != 0;
  r->png.format = (fmt & (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA))
                  | (r->wide ? PNG_FORMAT_FLAG_LINEAR : 0);
  if (r->h > IMAGE_MAX_ELEMS / r->w / r->c) {
    snprintf(err, TENSOR_ERRLEN, "%s: image too large (%lldx%lld)", name,
             LL(r->h), LL(r->w));
    png_image_free(&r->png);
    return -1;
  }
  r->raw_bytes = (size_t)(r->h * r->w * r->c) * (r->wide ? 2 : 1);
  /* the pixels come out of deflate data inside the file, which expands
   * at most about 1032:1: a header promising more is a damaged file, and
   * nothing is allocated for it */
  if ((double)r->raw_bytes > (double)n * 1032.0) {
    snprintf(err, TENSOR_ERRLEN, "%s: truncated or corrupt: the header says "
             "%lldx%lld pixels, more than a %zu-byte file can hold", name,
             LL(r->h), LL(r->w), n);
    png_image_free(&r->png);
    return -1;
  }
  return 0;
}

/* One pixel of 16-bit linear data; with alpha it arrives premultiplied
 * (the simplified API's rule), so divide by alpha to undo that. */
static void convert_wide(const uint16_t *s, int c, float *px) {
  int alpha = c == 2 || c == 4;
  for (int k = 0; k < c; k++) {
    if (alpha && k < c - 1)
      px[k] = s[c - 1] ? fminf(1, (float)s[k] / s[c - 1]) : 0;
    else
      px[k] = s[k] / 65535.0f;
  }
}

int image_png_finish(ImagePng *r, void *raw, float *dst, int gray,
                     const char *name, char *err) {
  if (!png_image_finish_read(&r->png, NULL, raw, 0, NULL)) {
    snprintf(err, TENSOR_ERRLEN, "%s: truncated or corrupt PNG (libpng: %s)",
             name, r->png.message);
    png_image_free(&r->png);
    return -1;
  }
  png_image_free(&r->png);
  int64_t npix = r->h * r->w;
  int c = r->c;
  float px[4];
  for (int64_t i = 0; i < npix; i++) {
    if (r->wide) convert_wide((const uint16_t *)raw + i * c, c, px);
    else
      for (int k = 0; k < c; k++)
        px[k] = ((const unsigned char *)raw)[i * c + k] / 255.0f;
    if (gray) dst[i] = luminance(px, c);
    else memcpy(dst + i * c, px, (size_t)c * sizeof(float));
  }
  return 0;
}

void image_png_end(ImagePng *r) { png_image_free(&r->png); }

int image_load_png(const char *path, int gray, float **out, int64_t *h,
                   int64_t *w, int *c, char *err) {
  void *mem, *raw = NULL;
  size_t n;
  ImagePng r;
  *out = NULL;
  if (image_read_file(path, &mem, &n, err)) return -1;
  if (image_png_begin(&r, mem, n, path, err)) { free(mem); return -1; }
  int oc = gray ? 1 : r.c;
  raw = malloc(r.raw_bytes);
  float *dst = malloc((size_t)(r.h * r.w * oc) * sizeof(float));
  int rc = -1;
  if (!raw || !dst) snprintf(err, TENSOR_ERRLEN, "%s: out of memory", path);
  else rc = image_png_finish(&r, raw, dst, gray, path, err);
  image_png_end(&r);
  free(raw);
  free(mem);
  if (rc) { free(dst); return -1; }
  *out = dst;
  *h = r.h, *w = r.w, *c = oc;
  return 0;
}

/* The affine map v -> (v - lo) * scale that normalize applies. */
static void value_range(const float *v, int64_t n, int c, int skip_alpha,
                        float *lo, float *scale) {
  float mn = INFINITY, mx = -INFINITY;
  for (int64_t i = 0; i < n; i++) {
    if (skip_alpha && (c == 2 || c == 4) && i % c == c - 1) continue;
    if (!isfinite(v[i])) continue;
    if (v[i] < mn) mn = v[i];
    if (v[i] > mx) mx = v[i];
  }
  *lo = mx >= mn ? mn : 0;
  *scale = mx > mn ? 1 / (mx - mn) : 0;
}

static unsigned char to_byte(float v) {
  if (!(v > 0)) return 0;          /* NaN too */
  if (v >= 1) return 255;
  return (unsigned char)lrintf(v * 255);
}

int image_save_png(const char *path, const Image *img, int normalize,
                   char *err) {
  static const png_uint_32 formats[] = {
    PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
  if (img->c < 1 || img->c > 4)
    return ERR("cannot save %d channels as PNG (1 gray, 2 gray+alpha, "
               "3 RGB, 4 RGBA)", img->c);
  if (img->h < 1 || img->w < 1)
    return ERR("cannot save an empty %lldx%lld image", LL(img->h), LL(img->w));
  if (img->h > 0x7fffffff || img->w > 0x7fffffff / img->c)
    return ERR("image too large for PNG (%lldx%lld)", LL(img->h), LL(img->w));
  int64_t n = img->h * img->w * img->c;
  unsigned char *buf = malloc((size_t)n);
  if (!buf) return ERR("cannot save %s: out of memory", path);
  float lo = 0, scale = 1;
  if (normalize) value_range(img->data, n, img->c, 0, &lo, &scale);
  for (int64_t i = 0; i < n; i++) buf[i] = to_byte((img->data[i] - lo) * scale);

  png_image png;
  memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = (png_uint_32)img->w;
  png.height = (png_uint_32)img->h;
  png.format = formats[img->c - 1];
  char tmp[4096];
  FILE *f = fs_open_tmp(path, tmp, sizeof tmp);
  if (!f) {
    free(buf);
    return ERR("cannot write %s: %s", path, strerror(errno));
  }
  int ok = png_image_write_to_stdio(&png, f, 0, buf, 0, NULL);
  char msg[64];
  snprintf(msg, sizeof msg, "libpng: %s", png.message);
  png_image_free(&png);
  free(buf);
  if (fs_commit_tmp(f, tmp, path, ok) != 0)
    return ERR("cannot write %s: %s", path, ok ? strerror(errno) : msg);
  return 0;
}

/* ---- pixel operations --------------------------------------------- */

int image_to_gray(const Image *src, const Image *dst, char *err) {
  if (src->c < 1 || src->c > 4)
    return ERR("expected 1 to 4 channels (gray, gray+alpha, RGB, RGBA), "
               "got %d", src->c);
  int64_t npix = src->h * src->w;
  for (int64_t i = 0; i < npix; i++)
    dst->data[i] = luminance(src->data + i * src->c, src->c);
  return 0;
}

typedef struct LinTap { int64_t i0, i1; float f; } LinTap;

/* Where each of n_out samples falls in n_in: half-pixel centres. */
static void linear_taps(int64_t n_in, int64_t n_out, LinTap *t) {
  double scale = (double)n_in / (double)n_out;
  for (int64_t x = 0; x < n_out; x++) {
    double s = (x + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    int64_t i0 = (int64_t)s;
    if (i0 >= n_in - 1) { t[x] = (LinTap){n_in - 1, n_in - 1, 0}; continue; }
    t[x] = (LinTap){i0, i0 + 1, (float)(s - (double)i0)};
  }
}

int image_resize(const Image *src, const Image *dst, char *err) {
  LinTap *ty = malloc((size_t)dst->h * sizeof *ty);
  LinTap *tx = malloc((size_t)dst->w * sizeof *tx);
  if (!ty || !tx) { free(ty); free(tx); return ERR("resize: out of memory"); }
  linear_taps(src->h, dst->h, ty);
  linear_taps(src->w, dst->w, tx);
  int c = src->c;
  for (int64_t y = 0; y < dst->h; y++) {
    const float *r0 = src->data + ty[y].i0 * src->w * c;
    const float *r1 = src->data + ty[y].i1 * src->w * c;
    float fy = ty[y].f;
    float *o = dst->data + y * dst->w * c;
    for (int64_t x = 0; x < dst->w; x++) {
      int64_t a = tx[x].i0 * c, b = tx[x].i1 * c;
      float fx = tx[x].f;
      for (int k = 0; k < c; k++) {
        float top = r0[a + k] + fx * (r0[b + k] - r0[a + k]);
        float bot = r1[a + k] + fx * (r1[b + k] - r1[a + k]);
        *o++ = top + fy * (bot - top);
      }
    }
  }
  free(ty);
  free(tx);
  return 0;
}

int image_crop(const Image *src, int64_t top, int64_t left,
               const Image *dst, char *err) {
  if (top < 0 || left < 0 || top + dst->h > src->h || left + dst->w > src->w
      || dst->c != src->c)
    return ERR("crop of %lldx%lld at (%lld, %lld) does not fit in the "
               "%lldx%lld image", LL(dst->h), LL(dst->w), LL(top), LL(left),
               LL(src->h), LL(src->w));
  size_t row = (size_t)(dst->w * src->c) * sizeof(float);
  for (int64_t y = 0; y < dst->h; y++)
    memcpy(dst->data + y * dst->w * src->c,
           src->data + ((top + y) * src->w + left) * src->c, row);
  return 0;
}

/* Fill ph x pw x c at p with src placed at (top, left) and the margin
 * filled by the border rule. cols holds pw scratch entries. */
static void fill_padded(const Image *src, ImageBorder b, int64_t top,
                        int64_t left, int64_t ph, int64_t pw,
                        int64_t *cols, float *p) {
  int64_t c = src->c, prow = pw * c;
  for (int64_t q = 0; q < pw; q++)
    cols[q] = image_border_index(q - left, src->w, b);
  /* the columns that map straight through, copied in one go */
  int64_t q0 = left > 0 ? left : 0;
  int64_t q1 = left + src->w < pw ? left + src->w : pw;
  for (int64_t r = 0; r < ph; r++) {
    float *d = p + r * prow;
    int64_t sr = image_border_index(r - top, src->h, b);
    if (sr < 0) { memset(d, 0, (size_t)prow * sizeof(float)); continue; }
    const float *s = src->data + sr * src->w * c;
    for (int64_t q = 0; q < pw; q++) {
      if (q == q0 && q1 > q0) {
        memcpy(d + q * c, s + cols[q] * c,
               (size_t)((q1 - q0) * c) * sizeof(float));
        q = q1 - 1;
      } else if (cols[q] < 0) {
        memset(d + q * c, 0, (size_t)c * sizeof(float));
      } else {
        memcpy(d + q * c, s + cols[q] * c, (size_t)c * sizeof(float));
      }
    }
  }
}

int image_pad(const Image *src, const int64_t pad[4], ImageBorder b,
              const Image *dst, char *err) {
  if (pad[0] < 0 || pad[1] < 0 || pad[2] < 0 || pad[3] < 0)
    return ERR("padding must not be negative");
  if (dst->h != src->h + pad[0] + pad[1] || dst->w != src->w + pad[2] + pad[3]
      || dst->c != src->c)
    return ERR("pad: output size does not match");
  int64_t *cols = malloc((size_t)dst->w * sizeof *cols);
  if (!cols) return ERR("pad: out of memory");
  fill_padded(src, b, pad[0], pad[2], dst->h, dst->w, cols, dst->data);
  free(cols);
  return 0;
}

/* ---- filtering ---------------------------------------------------- */

/* Output length and margin before, for one axis (see image.h). */
static int64_t axis_geom(int64_t n, int64_t k, int64_t s, ImagePadding p,
                         int64_t *before) {
  if (p == IMG_PAD_VALID) { *before = 0; return (n - k) / s + 1; }
  int64_t out = (n + s - 1) / s;
  int64_t total = (out - 1) * s + k - n;
  *before = total > 0 ? total / 2 : 0;
  return out;
}

int image_filter_geom(int64_t h, int64_t w, int64_t kh, int64_t kw,
                      const ImageFilterOpt *o, ImageGeom *g, char *err) {
  if (h < 1 || w < 1) return ERR("empty image (%lldx%lld)", LL(h), LL(w));
  if (kh < 1 || kw < 1) return ERR("empty kernel (%lldx%lld)", LL(kh), LL(kw));
  if (o->sy < 1 || o->sx < 1)
    return ERR("stride must be positive, got %lld",
               LL(o->sy < 1 ? o->sy : o->sx));
  if (o->padding == IMG_PAD_VALID && (kh > h || kw > w))
    return ERR("the %lldx%lld kernel is larger than the %lldx%lld image; "
               "padding='valid' needs it to fit (use padding='same')",
               LL(kh), LL(kw), LL(h), LL(w));
  if (kh > IMAGE_MAX_ELEMS / kw)
    return ERR("kernel too large (%lldx%lld)", LL(kh), LL(kw));
  g->oh = axis_geom(h, kh, o->sy, o->padding, &g->top);
  g->ow = axis_geom(w, kw, o->sx, o->padding, &g->left);
  return 0;
}

#if defined(__GNUC__)
/* Four floats, loaded and stored unaligned: one SSE/NEON register, so
 * the compiler keeps accumulators in registers on any 64-bit target. */
typedef float vf4 __attribute__((vector_size(16), aligned(4)));
#define VEC 4
#endif

/* out[m] = sum_t k[t] * base[off[t] + m] for m < n: one output row of
 * a stride-1 filter, all channels at once (the kernel is the same for
 * every channel, so interleaved channels need no special care). */
static void correlate_row(const float *base, const int64_t *off,
                          const float *k, int nt, float *out, int64_t n) {
  int64_t m = 0;
#ifdef VEC
  for (; m + 4 * VEC <= n; m += 4 * VEC) {   /* four chains hide latency */
    vf4 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int t = 0; t < nt; t++) {
      const float *s = base + off[t] + m;
      vf4 w = k[t] + (vf4){0};
      a0 += w * *(const vf4 *)s;
      a1 += w * *(const vf4 *)(s + VEC);
      a2 += w * *(const vf4 *)(s + 2 * VEC);
      a3 += w * *(const vf4 *)(s + 3 * VEC);
    }
    *(vf4 *)(out + m) = a0;
    *(vf4 *)(out + m + VEC) = a1;
    *(vf4 *)(out + m + 2 * VEC) = a2;
    *(vf4 *)(out + m + 3 * VEC) = a3;
  }
  for (; m + VEC <= n; m += VEC) {
    vf4 a = {0};
    for (int t = 0; t < nt; t++) a += k[t] * *(const vf4 *)(base + off[t] + m);
    *(vf4 *)(out + m) = a;
  }
#endif
  for (; m < n; m++) {
    float a = 0;
    for (int t = 0; t < nt; t++) a += k[t] * base[off[t] + m];
    out[m] = a;
  }
}

/* The same with a column stride: outputs are sx pixels apart. */
static void correlate_row_strided(const float *base, const int64_t *off,
                                  const float *k, int nt, float *out,
                                  int64_t ow, int c, int64_t sx) {
  for (int64_t x = 0; x < ow; x++)
    for (int ch = 0; ch < c; ch++) {
      const float *s = base + x * sx * c + ch;
      float a = 0;
      for (int t = 0; t < nt; t++) a += k[t] * s[off[t]];
      *out++ = a;
    }
}

int image_filter(const Image *src, const float *k, int64_t kh, int64_t kw,
                 const ImageFilterOpt *o, const Image *dst, char *err) {
  ImageGeom g;
  if (image_filter_geom(src->h, src->w, kh, kw, o, &g, err)) return -1;
  int64_t c = src->c;
  int64_t ph = (g.oh - 1) * o->sy + kh, pw = (g.ow - 1) * o->sx + kw;
  if (ph > IMAGE_MAX_ELEMS / pw / c)
    return ERR("padded image too large (%lldx%lld)", LL(ph), LL(pw));
  int64_t prow = pw * c, nt = kh * kw;
  /* small column strides: the vector loop over every column, then
   * keep each sx-th, beats a scalar loop over the kept ones */
  int64_t full = o->sx > 1 && o->sx <= 4 ? ((g.ow - 1) * o->sx + 1) * c : 0;
  float *p = malloc((size_t)(ph * prow) * sizeof(float));
  int64_t *cols = malloc((size_t)pw * sizeof *cols);
  int64_t *off = malloc((size_t)nt * sizeof *off);
  float *row = malloc((size_t)(full ? full : 1) * sizeof(float));
  if (!p || !cols || !off || !row) {
    free(p); free(cols); free(off); free(row);
    return ERR("filter: out of memory");
  }
  /* Pad once, then every output is a plain dot product with the taps at
   * fixed offsets from its top-left corner. */
  fill_padded(src, o->border, g.top, g.left, ph, pw, cols, p);
  for (int64_t i = 0; i < kh; i++)
    for (int64_t j = 0; j < kw; j++) off[i * kw + j] = i * prow + j * c;
  for (int64_t y = 0; y < g.oh; y++) {
    const float *base = p + y * o->sy * prow;
    float *out = dst->data + y * g.ow * c;
    if (o->sx == 1) {
      correlate_row(base, off, k, (int)nt, out, g.ow * c);
    } else if (full) {
      correlate_row(base, off, k, (int)nt, row, full);
      for (int64_t x = 0; x < g.ow; x++)
        memcpy(out + x * c, row + x * o->sx * c, (size_t)c * sizeof(float));
    } else {
      correlate_row_strided(base, off, k, (int)nt, out, g.ow, (int)c, o->sx);
    }
  }
  free(p);
  free(cols);
  free(off);
  free(row);
  return 0;
}

void image_filter_naive(const Image *src, const float *k, int64_t kh,
                        int64_t kw, const ImageFilterOpt *o,
                        const Image *dst) {
  ImageGeom g;
  char err[TENSOR_ERRLEN];
  if (image_filter_geom(src->h, src->w, kh, kw, o, &g, err)) return;
  int c = src->c;
  for (int64_t y = 0; y < g.oh; y++)
    for (int64_t x = 0; x < g.ow; x++)
      for (int ch = 0; ch < c; ch++) {
        double a = 0;
        for (int64_t i = 0; i < kh; i++) {
          int64_t sy = image_border_index(y * o->sy + i - g.top, src->h,
                                          o->border);
          for (int64_t j = 0; j < kw; j++) {
            int64_t sx = image_border_index(x * o->sx + j - g.left, src->w,
                                            o->border);
            if (sy < 0 || sx < 0) continue;
            a += (double)k[i * kw + j] * src->data[(sy * src->w + sx) * c + ch];
          }
        }
        dst->data[(y * g.ow + x) * c + ch] = (float)a;
      }
}

/* ---- pooling ------------------------------------------------------ */

int image_pool_geom(int64_t h, int64_t w, int64_t ph, int64_t pw,
                    int64_t sy, int64_t sx, ImageGeom *g, char *err) {
  if (h < 1 || w < 1) return ERR("empty image (%lldx%lld)", LL(h), LL(w));
  if (ph < 1 || pw < 1)
    return ERR("pool size must be positive, got %lldx%lld", LL(ph), LL(pw));
  if (sy < 1 || sx < 1)
    return ERR("stride must be positive, got %lld", LL(sy < 1 ? sy : sx));
  if (ph > h || pw > w)
    return ERR("the %lldx%lld pool window is larger than the %lldx%lld image",
               LL(ph), LL(pw), LL(h), LL(w));
  g->oh = (h - ph) / sy + 1;
  g->ow = (w - pw) / sx + 1;
  g->top = g->left = 0;
  return 0;
}

void image_pool(const Image *src, int64_t ph, int64_t pw, int64_t sy,
                int64_t sx, int max, const Image *dst) {
  int c = src->c;
  float inv = 1.0f / (float)(ph * pw);
  for (int64_t y = 0; y < dst->h; y++)
    for (int64_t x = 0; x < dst->w; x++)
      for (int ch = 0; ch < c; ch++) {
        const float *s = src->data + (y * sy * src->w + x * sx) * c + ch;
        float a = max ? s[0] : 0;
        for (int64_t i = 0; i < ph; i++)
          for (int64_t j = 0; j < pw; j++) {
            float v = s[(i * src->w + j) * c];
            if (!max) a += v;
            else if (v > a) a = v;
          }
        dst->data[(y * dst->w + x) * c + ch] = max ? a : a * inv;
      }
}

/* ---- montage ------------------------------------------------------ */

int image_montage_layout(const Image *imgs, int n, int cols, int captions,
                         MontageLayout *m, char *err) {
  if (n < 1) return ERR("no images to put together");
  if (cols < 0) return ERR("cols must be positive, got %d", cols);
  memset(m, 0, sizeof *m);
  m->n = n;
  m->cols = cols == 0 ? (n < 4 ? n : 4) : (cols < n ? cols : n);
  m->rows = (n + m->cols - 1) / m->cols;
  for (int i = 0; i < n; i++) {
    if (imgs[i].h < 1 || imgs[i].w < 1)
      return ERR("image %d is empty (%lldx%lld)", i + 1, LL(imgs[i].h),
                 LL(imgs[i].w));
    if (imgs[i].c < 1 || imgs[i].c > 4)
      return ERR("image %d has %d channels; expected 1 to 4", i + 1, imgs[i].c);
    if (imgs[i].h > m->cell_h) m->cell_h = imgs[i].h;
    if (imgs[i].w > m->cell_w) m->cell_w = imgs[i].w;
  }
  m->font_px = fmin(28, fmax(12, (double)m->cell_w / 20));
  m->band = captions ? (int64_t)ceil(m->font_px * 1.7) : 0;
  m->gap = m->cell_w >= 64 ? 8 : 4;
  m->w = m->cols * m->cell_w + (m->cols + 1) * m->gap;
  m->h = m->rows * (m->cell_h + m->band) + (m->rows + 1) * m->gap;
  if (m->h > IMAGE_MAX_ELEMS / m->w / 3)
    return ERR("montage too large (%lldx%lld)", LL(m->h), LL(m->w));
  return 0;
}

/* One image into the RGB picture with its top-left at (oy, ox). */
static void place(const Image *im, int normalize, float *dst, int64_t w,
                  int64_t oy, int64_t ox) {
  int c = im->c;
  float lo = 0, scale = 1, px[4], rgb[3];
  if (normalize) value_range(im->data, im->h * im->w * c, c, 1, &lo, &scale);
  for (int64_t y = 0; y < im->h; y++)
    for (int64_t x = 0; x < im->w; x++) {
      const float *s = im->data + (y * im->w + x) * c;
      for (int k = 0; k < c; k++) {
        int alpha = (c == 2 || c == 4) && k == c - 1;
        float v = alpha ? s[k] : (s[k] - lo) * scale;
        px[k] = !(v > 0) ? 0 : v > 1 ? 1 : v;
      }
      float a = (c == 2 || c == 4) ? px[c - 1] : 1;
      for (int k = 0; k < 3; k++) rgb[k] = px[c < 3 ? 0 : k] * a + (1 - a);
      memcpy(dst + ((oy + y) * w + ox + x) * 3, rgb, sizeof rgb);
    }
}

int image_montage(const Image *imgs, int n, const char *const *captions,
                  int normalize, const MontageLayout *m, float *dst,
                  char *err) {
  for (int64_t i = 0; i < m->h * m->w * 3; i++) dst[i] = 1;
  for (int i = 0; i < n && i < m->n; i++) {
    int64_t x0 = m->gap + (i % m->cols) * (m->cell_w + m->gap);
    int64_t y0 = m->gap + (i / m->cols) * (m->cell_h + m->band + m->gap);
    place(&imgs[i], normalize, dst, m->w, y0 + (m->cell_h - imgs[i].h) / 2,
          x0 + (m->cell_w - imgs[i].w) / 2);
    if (!captions || !captions[i]) continue;
    if (draw_text(dst, m->h, m->w, 3, captions[i], m->font_px,
                  x0 + m->cell_w / 2.0, y0 + m->cell_h + m->font_px * 0.25,
                  (double)(m->cell_w + m->gap), err))
      return -1;
  }
  return 0;
}
