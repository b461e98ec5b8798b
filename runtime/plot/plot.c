/* plot.c - the figure canvas, PNG writing, text, colours and nice tick
 * numbers shared by the line charts (plot_axes.c) and the image and
 * heat-map cells (plot_image.c). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "plot/plot.h"

/* ---- figure --------------------------------------------------------- */

PlotFigure *plot_figure_new(int width, int height, char *err) {
  if (width < 1 || height < 1 || width > PLOT_MAXSIDE ||
      height > PLOT_MAXSIDE) {
    snprintf(err, PLOT_ERRLEN, "figure size %dx%d outside 1..%d pixels",
             width, height, PLOT_MAXSIDE);
    return NULL;
  }
  PlotFigure *f = calloc(1, sizeof *f);
  if (!f) { snprintf(err, PLOT_ERRLEN, "out of memory"); return NULL; }
  f->width = width;
  f->height = height;
  /* RGB24: the PNG comes out opaque RGB, like matplotlib's */
  f->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width,
                                          height);
  f->cr = cairo_create(f->surface);
  if (cairo_status(f->cr) != CAIRO_STATUS_SUCCESS) {
    snprintf(err, PLOT_ERRLEN, "cannot make a %dx%d figure: %s", width,
             height, cairo_status_to_string(cairo_status(f->cr)));
    plot_figure_free(f);
    return NULL;
  }
  cairo_set_source_rgb(f->cr, 1, 1, 1);
  cairo_paint(f->cr);
  return f;
}

void plot_figure_free(PlotFigure *f) {
  if (!f) return;
  if (f->cr) cairo_destroy(f->cr);
  if (f->surface) cairo_surface_destroy(f->surface);
  free(f);
}

static cairo_status_t write_stream(void *closure, const unsigned char *d,
                                   unsigned int n) {
  return fwrite(d, 1, n, closure) == n ? CAIRO_STATUS_SUCCESS
                                       : CAIRO_STATUS_WRITE_ERROR;
}

int plot_figure_save(PlotFigure *f, const char *path, char *err) {
  cairo_status_t st = cairo_status(f->cr);
  if (st != CAIRO_STATUS_SUCCESS) {
    snprintf(err, PLOT_ERRLEN, "drawing failed: %s",
             cairo_status_to_string(st));
    return -1;
  }
  cairo_surface_flush(f->surface);
  char tmp[4200];
  errno = 0;
  FILE *out = fs_open_tmp(path, tmp, sizeof tmp);
  if (!out) {
    snprintf(err, PLOT_ERRLEN, "cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  st = cairo_surface_write_to_png_stream(f->surface, write_stream, out);
  int ok = st == CAIRO_STATUS_SUCCESS && !ferror(out);
  errno = 0;
  if (fs_commit_tmp(out, tmp, path, ok) != 0) {
    snprintf(err, PLOT_ERRLEN, "cannot write %s: %s", path,
             st != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(st)
                                        : strerror(errno));
    return -1;
  }
  return 0;
}

double plot_suptitle_height(const char *text) {
  return text && *text ? ceil(PLOT_PX_SUPTITLE * 2.4) : 0;
}

double plot_suptitle(PlotFigure *f, const char *text) {
  double h = plot_suptitle_height(text);
  if (h == 0) return 0;
  cairo_set_source_rgb(f->cr, 0, 0, 0);
  plot_text_fit(f, text, f->width / 2.0, h * 0.62, PLOT_PX_SUPTITLE, 0.5,
                0.5, f->width - 16);
  return h;
}

PlotRect plot_grid_cell(PlotRect a, int rows, int cols, int i) {
  double w = a.w / cols, h = a.h / rows;
  return (PlotRect){a.x + (i % cols) * w, a.y + (i / cols) * h, w, h};
}

/* ---- text ----------------------------------------------------------- */

/* Does the font fontconfig gives for family draw Hangul? Without it
 * cairo's toy API would show boxes for every Korean letter. */
static int draws_hangul(const char *family) {
  cairo_font_face_t *ff = cairo_toy_font_face_create(
      family, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_matrix_t size, ident;
  cairo_matrix_init_scale(&size, 12, 12);
  cairo_matrix_init_identity(&ident);
  cairo_font_options_t *o = cairo_font_options_create();
  cairo_scaled_font_t *sf = cairo_scaled_font_create(ff, &size, &ident, o);
  cairo_glyph_t *g = NULL;
  int ng = 0;
  cairo_status_t st = cairo_scaled_font_text_to_glyphs(
      sf, 0, 0, "\xea\xb0\x80", -1, &g, &ng, NULL, NULL, NULL);   /* 가 */
  int yes = st == CAIRO_STATUS_SUCCESS && ng == 1 && g[0].index != 0;
  cairo_glyph_free(g);
  cairo_scaled_font_destroy(sf);
  cairo_font_options_destroy(o);
  cairo_font_face_destroy(ff);
  return yes;
}

#ifdef __SANITIZE_ADDRESS__
#include <dlfcn.h>
/* cairo and fontconfig keep font caches until exit, which LeakSanitizer
 * reports: sanitizer builds empty them at exit so real leaks stand out
 * (as draw.c does; both running is harmless). fontconfig is reached
 * through cairo, hence dlsym. */
static void release_fonts(void) {
  cairo_debug_reset_static_data();
  void (*fc_fini)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "FcFini");
  if (fc_fini) fc_fini();
}
#define RELEASE_AT_EXIT() atexit(release_fonts)
#else
#define RELEASE_AT_EXIT() ((void)0)
#endif

const char *plot_font_family(void) {
  static const char *family;
  if (family) return family;
  RELEASE_AT_EXIT();
  family = draws_hangul("NanumGothic") ? "NanumGothic" : "DejaVu Sans";
  return family;
}

static void set_font(cairo_t *cr, double px) {
  cairo_select_font_face(cr, plot_font_family(), CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, px);
  cairo_font_options_t *o = cairo_font_options_create();
  cairo_font_options_set_antialias(o, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(o, CAIRO_HINT_STYLE_SLIGHT);
  /* unhinted metrics: widths scale smoothly when text shrinks to fit */
  cairo_font_options_set_hint_metrics(o, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, o);
  cairo_font_options_destroy(o);
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid. A bad
 * string would put cairo's context into an error state for good. */
static int utf8_len(const unsigned char *s) {
  unsigned c = s[0];
  int n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2
        : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
  if (n <= 1) return n;
  uint32_t cp = c & (0x3f >> (n - 1));
  for (int i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
    return 0;
  return n;
}

/* text as valid UTF-8 (bad bytes become '?'), cut at n - 1 bytes */
static const char *clean_utf8(const char *text, char *buf, size_t n) {
  size_t o = 0;
  const unsigned char *s = (const unsigned char *)text;
  while (*s) {
    int k = utf8_len(s);
    if (o + (k ? k : 1) >= n) break;
    if (k == 0) { buf[o++] = '?'; s++; continue; }
    memcpy(buf + o, s, k);
    o += k;
    s += k;
  }
  buf[o] = '\0';
  return buf;
}

static double width_on(cairo_t *cr, const char *text, double px) {
  char buf[1024];
  cairo_text_extents_t te;
  set_font(cr, px);
  cairo_text_extents(cr, clean_utf8(text, buf, sizeof buf), &te);
  return te.x_advance;
}

double plot_text_width(const char *text, double px) {
  if (!text || !*text) return 0;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t *cr = cairo_create(s);
  double w = width_on(cr, text, px);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return w;
}

void plot_text(PlotFigure *f, const char *text, double x, double y,
               double px, double ha, double va, double angle) {
  if (!text || !*text) return;
  char buf[1024];
  cairo_t *cr = f->cr;
  cairo_text_extents_t te;
  cairo_font_extents_t fe;
  clean_utf8(text, buf, sizeof buf);
  cairo_save(cr);
  set_font(cr, px);
  cairo_text_extents(cr, buf, &te);
  cairo_font_extents(cr, &fe);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  double h = fe.ascent + fe.descent;
  cairo_move_to(cr, -ha * te.x_advance, -va * h + fe.ascent);
  cairo_show_text(cr, buf);
  cairo_restore(cr);
}

void plot_text_fit(PlotFigure *f, const char *text, double x, double y,
                   double px, double ha, double va, double max_w) {
  if (!text || !*text) return;
  double w = plot_text_width(text, px);
  if (w > max_w && px > 8) {
    px = fmax(8, px * max_w / w);
    w = plot_text_width(text, px);
  }
  if (w <= max_w) { plot_text(f, text, x, y, px, ha, va, 0); return; }
  /* still too wide: show its start, cut at the box's edge */
  double left = x - ha * max_w;
  cairo_save(f->cr);
  cairo_rectangle(f->cr, left, y - 2 * px, max_w, 4 * px);
  cairo_clip(f->cr);
  plot_text(f, text, left, y, px, 0, va, 0);
  cairo_restore(f->cr);
}

/* ---- colours -------------------------------------------------------- */

static PlotColor hex(uint32_t v) {
  return (PlotColor){(v >> 16 & 255) / 255.0, (v >> 8 & 255) / 255.0,
                     (v & 255) / 255.0};
}

PlotColor plot_palette(int i) {
  static const uint32_t tab10[] = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
    0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
  return hex(tab10[((i % 10) + 10) % 10]);
}

int plot_parse_color(const char *s, PlotColor *c) {
  unsigned v;
  int n = 0;
  if (!s || strlen(s) != 7 || sscanf(s, "#%6x%n", &v, &n) != 1 || n != 7)
    return -1;
  *c = hex(v);
  return 0;
}

/* Piecewise-linear colour maps through n evenly spaced anchor colours. */
static PlotColor through(const uint32_t *stops, int n, double t) {
  double u = t * (n - 1);
  int i = (int)fmin(n - 2, floor(u));
  PlotColor a = hex(stops[i]), b = hex(stops[i + 1]);
  u -= i;
  return (PlotColor){a.r + (b.r - a.r) * u, a.g + (b.g - a.g) * u,
                     a.b + (b.b - a.b) * u};
}

/* ColorBrewer's nine-class Blues, the colour map of sklearn's and
 * seaborn's confusion matrices */
static const uint32_t blues[] = {
  0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
  0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
/* viridis (van der Walt and Smith's perceptually uniform map) at
 * eighths of its range */
static const uint32_t viridis[] = {
  0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
  0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};
/* Moreland's "diverging colour maps for scientific visualization"
 * cool-warm, blue through light gray to red, at eighths */
static const uint32_t coolwarm[] = {
  0x3b4cc0, 0x6282ea, 0x8db0fe, 0xb8d0f9, 0xdddddd,
  0xf5c4ad, 0xf49a7b, 0xde604d, 0xb40426};
/* ColorBrewer's eleven-class RdBu, red at 0, blue at 1 */
static const uint32_t rdbu[] = {
  0x67001f, 0xb2182b, 0xd6604d, 0xf4a582, 0xfddbc7, 0xf7f7f7,
  0xd1e5f0, 0x92c5de, 0x4393c3, 0x2166ac, 0x053061};

PlotColor plot_cmap(PlotCmap map, double t) {
  t = t > 0 ? (t < 1 ? t : 1) : 0;     /* NaN lands on 0 */
  switch (map) {
  case PLOT_BINARY: return (PlotColor){1 - t, 1 - t, 1 - t};
  case PLOT_BLUES: return through(blues, 9, t);
  case PLOT_VIRIDIS: return through(viridis, 9, t);
  case PLOT_COOLWARM: return through(coolwarm, 9, t);
  case PLOT_RDBU: return through(rdbu, 11, t);
  default: return (PlotColor){t, t, t};
  }
}

int plot_cmap_named(const char *name, PlotCmap *map) {
  static const struct { const char *name; PlotCmap map; } maps[] = {
    {"gray", PLOT_GRAY}, {"binary", PLOT_BINARY}, {"Blues", PLOT_BLUES},
    {"viridis", PLOT_VIRIDIS}, {"coolwarm", PLOT_COOLWARM},
    {"RdBu", PLOT_RDBU}};
  for (size_t i = 0; name && i < sizeof maps / sizeof *maps; i++)
    if (!strcmp(name, maps[i].name)) { *map = maps[i].map; return 0; }
  return -1;
}

PlotColor plot_lighten(PlotColor c, double t) {
  return (PlotColor){c.r + (1 - c.r) * t, c.g + (1 - c.g) * t,
                     c.b + (1 - c.b) * t};
}

/* ---- ticks ---------------------------------------------------------- */

/* multiples of s in [lo, hi] (a little slack for rounding) */
static double tick_count(double lo, double hi, double s, double *first) {
  *first = ceil(lo / s - 1e-9);
  return floor(hi / s + 1e-9) - *first + 1;
}

int plot_nice_ticks(double lo, double hi, int max_ticks, int integer,
                    double *ticks, double *step) {
  static const double mant[] = {1, 2, 2.5, 5};
  if (!isfinite(lo) || !isfinite(hi) || lo > hi) return 0;
  if (max_ticks < 2) max_ticks = 2;
  if (max_ticks > PLOT_MAXTICKS) max_ticks = PLOT_MAXTICKS;
  double span = hi - lo, first = 0, best = 0, bstep = 0, cnt = 0;
  if (span == 0) span = fabs(lo) > 0 ? fabs(lo) : 1;
  /* steps grow from a tenth of span/max_ticks: counts only fall */
  double p = pow(10, floor(log10(span / max_ticks)) - 1);
  for (int k = 0; k < 8 && bstep == 0; k++, p *= 10) {
    for (int m = 0; m < 4; m++) {
      double s = mant[m] * p;
      if (integer && (s < 1 || fabs(s - round(s)) > 1e-9)) continue;
      double f0, c = tick_count(lo, hi, s, &f0);
      if (c > max_ticks) { first = f0; best = s; cnt = c; continue; }
      /* a step too coarse to hit [lo, hi] keeps the finer one */
      if (c >= 1 || best == 0) { first = f0; best = s; cnt = c; }
      bstep = best;
      break;
    }
  }
  if (bstep == 0 || cnt < 1) return 0;
  if (cnt > PLOT_MAXTICKS) cnt = PLOT_MAXTICKS;
  for (int i = 0; i < (int)cnt; i++) {
    double v = (first + i) * bstep;
    ticks[i] = v == 0 ? 0 : v;        /* no -0 */
  }
  *step = bstep;
  return (int)cnt;
}

void plot_format_tick(double v, double step, char *buf, size_t n) {
  int d = 0;
  double s = fabs(step);
  while (d < 12 && s > 0) {
    double sc = s * pow(10, d);
    if (fabs(sc - round(sc)) <= 1e-6 * fmax(1, sc)) break;
    d++;
  }
  if (fabs(v) < s * 1e-9) v = 0;
  if (d > 6 || fabs(v) >= 1e7) snprintf(buf, n, "%.4g", v);
  else snprintf(buf, n, "%.*f", d, v);
  if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
    memmove(buf, buf + 1, strlen(buf));
}

void plot_view_range(double lo, double hi, int integer, double *vlo,
                     double *vhi) {
  if (!isfinite(lo) || !isfinite(hi) || lo > hi) { lo = 0; hi = 1; }
  double m = (hi - lo) * 0.05;
  if (lo == hi) m = integer ? 1 : (lo != 0 ? fabs(lo) * 0.05 : 0.5);
  *vlo = lo - m;
  *vhi = hi + m;
}
