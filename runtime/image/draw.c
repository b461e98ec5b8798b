/* draw.c - text onto float images with cairo (captions of montages).
 *
 * cairo renders the text into an 8-bit coverage mask (A8 surface) the
 * width of the space allowed; the mask then darkens the float image. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cairo.h>

#include "image/draw.h"
#include "core/tensor.h"

/* fontconfig substitutes a default sans face when this one is missing */
static const char *font_family = "NanumGothic";
static const double min_px = 8;

static void set_font(cairo_t *cr, double px) {
  cairo_select_font_face(cr, font_family, CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, px);
}

#ifdef __SANITIZE_ADDRESS__
#include <dlfcn.h>
/* cairo and fontconfig keep font caches until exit, which LeakSanitizer
 * reports; sanitizer builds empty them at exit so real leaks stand
 * out. fontconfig is reached through cairo, hence dlsym. */
static void release_fonts(void) {
  cairo_debug_reset_static_data();
  void (*fc_fini)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "FcFini");
  if (fc_fini) fc_fini();
}
static void at_exit_release(void) {
  static int done;
  if (!done++) atexit(release_fonts);
}
#else
static void at_exit_release(void) {}
#endif

/* Render text centred in the mask; shrink it first if too wide. */
static void render(cairo_t *cr, const char *text, double px, int sw) {
  cairo_text_extents_t te;
  cairo_font_extents_t fe;
  set_font(cr, px);
  cairo_text_extents(cr, text, &te);
  if (te.x_advance > sw && px > min_px) {
    px = fmax(min_px, px * sw / te.x_advance);
    set_font(cr, px);
    cairo_text_extents(cr, text, &te);
  }
  cairo_font_extents(cr, &fe);
  cairo_move_to(cr, floor((sw - te.x_advance) / 2), ceil(fe.ascent));
  cairo_show_text(cr, text);
}

/* img *= 1 - coverage, the mask's pixel (0,0) at image (y0, x0) */
static void blend(float *img, int64_t h, int64_t w, int c,
                  cairo_surface_t *s, int64_t y0, int64_t x0) {
  const unsigned char *m = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  int sw = cairo_image_surface_get_width(s);
  int sh = cairo_image_surface_get_height(s);
  for (int sy = 0; sy < sh; sy++) {
    int64_t iy = y0 + sy;
    if (iy < 0 || iy >= h) continue;
    for (int sx = 0; sx < sw; sx++) {
      int64_t ix = x0 + sx;
      if (ix < 0 || ix >= w || !m[sy * stride + sx]) continue;
      float keep = 1.0f - m[sy * stride + sx] / 255.0f;
      float *p = img + (iy * w + ix) * c;
      for (int k = 0; k < c; k++) p[k] *= keep;
    }
  }
}

int draw_text(float *img, int64_t h, int64_t w, int c, const char *text,
              double px, double cx, double y, double max_w, char *err) {
  int sw = (int)floor(max_w), sh = (int)ceil(px * 2);
  if (!text || !*text || sw < 1 || sh < 1) return 0;
  at_exit_release();
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, sw, sh);
  cairo_t *cr = cairo_create(s);
  render(cr, text, px, sw);
  cairo_status_t st = cairo_status(cr);
  cairo_destroy(cr);
  if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(s);
  if (st == CAIRO_STATUS_SUCCESS) {
    cairo_surface_flush(s);
    blend(img, h, w, c, s, (int64_t)floor(y),
          (int64_t)floor(cx - sw / 2.0));
  }
  cairo_surface_destroy(s);
  if (st == CAIRO_STATUS_INVALID_STRING) {
    snprintf(err, TENSOR_ERRLEN, "caption is not valid UTF-8");
    return -1;
  }
  if (st != CAIRO_STATUS_SUCCESS) {
    snprintf(err, TENSOR_ERRLEN, "cannot draw text: %s",
             cairo_status_to_string(st));
    return -1;
  }
  return 0;
}
