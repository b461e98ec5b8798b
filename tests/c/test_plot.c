/* test_plot.c - the plot core: nice ticks and their labels, colour maps,
 * image cells and heat maps checked pixel by pixel after a round trip
 * through a PNG file, line-chart figures, atomic writes and bad input.
 * Files go to a fresh folder under /tmp, removed at the end. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot/plot.h"
#include "tap.h"

static char dir[64], err[PLOT_ERRLEN];

static const char *file(const char *name) {
  static char buf[128];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

/* how many entries the temp folder holds (leftover temp files) */
static int entries(const char *d) {
  DIR *dp = opendir(d);
  int n = 0;
  for (struct dirent *e; dp && (e = readdir(dp));)
    n += e->d_name[0] != '.';
  if (dp) closedir(dp);
  return n;
}

/* ---- pixels of a PNG read back ------------------------------------ */

typedef struct { cairo_surface_t *s; int w, h; } Png;

static int png_load(Png *p, const char *path) {
  p->s = cairo_image_surface_create_from_png(path);
  if (cairo_surface_status(p->s) != CAIRO_STATUS_SUCCESS) return -1;
  p->w = cairo_image_surface_get_width(p->s);
  p->h = cairo_image_surface_get_height(p->s);
  return 0;
}

static unsigned rgb_at(const Png *p, int x, int y) {
  const unsigned char *d = cairo_image_surface_get_data(p->s);
  int stride = cairo_image_surface_get_stride(p->s);
  return ((const uint32_t *)(d + (size_t)y * stride))[x] & 0xffffff;
}

static unsigned rgb_of(PlotColor c) {
  return (unsigned)lround(c.r * 255) << 16 | (unsigned)lround(c.g * 255) << 8
         | (unsigned)lround(c.b * 255);
}

static int close_rgb(unsigned a, unsigned b, int tol) {
  for (int sh = 0; sh <= 16; sh += 8)
    if (abs((int)(a >> sh & 255) - (int)(b >> sh & 255)) > tol) return 0;
  return 1;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* ---- ticks -------------------------------------------------------- */

static int ticks_are(double lo, double hi, int max, int integer,
                     double want_step, int n, const double *want) {
  double t[PLOT_MAXTICKS], step = 0;
  int got = plot_nice_ticks(lo, hi, max, integer, t, &step);
  int same = got == n && fabs(step - want_step) < 1e-12;
  for (int i = 0; same && i < n; i++) same = fabs(t[i] - want[i]) < 1e-9;
  if (!same) {
    diag("got %d ticks, step %g:", got, step);
    for (int i = 0; i < got; i++) diag("  %.17g", t[i]);
  }
  return same;
}

static void test_ticks(void) {
  ok(ticks_are(0, 1, 6, 0, 0.2, 6, (double[]){0, .2, .4, .6, .8, 1}),
       "0..1 in at most 6 ticks: steps of 0.2");
  ok(ticks_are(0.8196, 0.8945, 7, 0, 0.02, 4,
               (double[]){.82, .84, .86, .88}),
     "accuracy range: steps of 0.02 inside the range");
  ok(ticks_are(0, 100, 5, 0, 25, 5, (double[]){0, 25, 50, 75, 100}),
     "0..100 in 5 ticks: steps of 25");
  ok(ticks_are(-3, 7, 6, 0, 2, 5, (double[]){-2, 0, 2, 4, 6}),
     "negative lower end");
  ok(ticks_are(0.8, 5.2, 10, 1, 1, 5, (double[]){1, 2, 3, 4, 5}),
     "epochs 1..5: whole-number ticks, never 0.5");
  ok(ticks_are(0.5, 50.5, 8, 1, 10, 5, (double[]){10, 20, 30, 40, 50}),
     "50 epochs: steps of 10");
  ok(ticks_are(1e-6, 5e-6, 5, 0, 1e-6, 5,
               (double[]){1e-6, 2e-6, 3e-6, 4e-6, 5e-6}), "tiny values");
  double t[PLOT_MAXTICKS], step;
  is(plot_nice_ticks(NAN, 1, 5, 0, t, &step), 0, "NaN range: no ticks");
  is(plot_nice_ticks(2, 1, 5, 0, t, &step), 0, "lo > hi: no ticks");
  ok(plot_nice_ticks(5, 5, 5, 0, t, &step) >= 1 && t[0] == 5,
     "a one-value range still gets its tick");
  ok(plot_nice_ticks(-1e6, 1e6, 1000, 0, t, &step) <= PLOT_MAXTICKS,
     "at most PLOT_MAXTICKS ticks");
}

static int fmt_is(double v, double step, const char *want) {
  char buf[32];
  plot_format_tick(v, step, buf, sizeof buf);
  if (strcmp(buf, want)) diag("%.17g step %g -> \"%s\"", v, step, buf);
  return strcmp(buf, want) == 0;
}

static void test_format(void) {
  ok(fmt_is(3 * 0.1, 0.1, "0.3"), "0.30000000000000004 prints 0.3");
  ok(fmt_is(0.25, 0.25, "0.25"), "steps of 0.25 keep two decimals");
  ok(fmt_is(0.5, 0.25, "0.50"), "every label has the step's decimals");
  ok(fmt_is(2, 1, "2"), "whole steps print whole numbers");
  ok(fmt_is(-0.0, 0.5, "0.0"), "no -0");
  ok(fmt_is(-1e-17, 0.1, "0.0"), "rounding noise around 0 is 0");
  ok(fmt_is(-2.5, 2.5, "-2.5"), "negative values keep their sign");
  ok(fmt_is(1500000, 500000, "1500000"), "large whole numbers");
  double lo, hi;
  plot_view_range(1, 5, 1, &lo, &hi);
  ok(fabs(lo - 0.8) < 1e-12 && fabs(hi - 5.2) < 1e-12,
     "view range: 5%% margins");
  plot_view_range(3, 3, 1, &lo, &hi);
  ok(lo == 2 && hi == 4, "one epoch: widened by 1");
  plot_view_range(0, 0, 0, &lo, &hi);
  ok(lo < 0 && hi > 0, "a constant 0 gets a range around it");
  plot_view_range(NAN, NAN, 0, &lo, &hi);
  ok(lo < 0 && hi > 1, "no finite data: about 0..1");
}

/* ---- colours ------------------------------------------------------ */

static void test_colors(void) {
  PlotColor c;
  ok(plot_parse_color("#1f77b4", &c) == 0 && rgb_of(c) == 0x1f77b4,
     "#rrggbb parses");
  ok(plot_parse_color("blue", &c) == -1 &&
     plot_parse_color("#12345", &c) == -1 &&
     plot_parse_color("#1234567", &c) == -1, "bad colours are refused");
  is(rgb_of(plot_palette(0)), 0x1f77b4, "palette starts with tab10 blue");
  is(rgb_of(plot_palette(11)), 0xff7f0e, "palette wraps around");
  is(rgb_of(plot_cmap(PLOT_BLUES, 0)), 0xf7fbff, "Blues at 0 is palest");
  is(rgb_of(plot_cmap(PLOT_BLUES, 1)), 0x08306b, "Blues at 1 is darkest");
  is(rgb_of(plot_cmap(PLOT_BLUES, 7)), 0x08306b, "above 1 clamps");
  is(rgb_of(plot_cmap(PLOT_GRAY, NAN)), 0, "NaN maps to the low end");
  is(rgb_of(plot_cmap(PLOT_BINARY, 0.25)), 0xbfbfbf, "binary inverts");
  PlotColor a = plot_cmap(PLOT_BLUES, 0.3), b = plot_cmap(PLOT_BLUES, 0.6);
  ok(a.r + a.g + a.b > b.r + b.g + b.b, "Blues darkens as values grow");
}

/* ---- image cells -------------------------------------------------- */

/* every data pixel of im shows as a solid scale x scale block of the
 * expected colour in the PNG */
static int blocks_match(const Png *p, PlotRect d, const PlotImage *im,
                        unsigned (*want)(const PlotImage *, int, int)) {
  int s = (int)(d.w / im->w), bad = 0;
  for (int y = 0; y < im->h * s; y++)
    for (int x = 0; x < im->w * s; x++) {
      unsigned got = rgb_at(p, (int)d.x + x, (int)d.y + y);
      unsigned w = want(im, y / s, x / s);
      if (got != w && bad++ < 3)
        diag("pixel (%d,%d) of value (%d,%d): %06x, want %06x", x, y,
             x / s, y / s, got, w);
    }
  return bad == 0;
}

static unsigned gray_want(const PlotImage *im, int y, int x) {
  unsigned g = (unsigned)lround((double)im->data[y * im->w + x] * 255);
  return g << 16 | g << 8 | g;
}

static unsigned rgb_want(const PlotImage *im, int y, int x) {
  const float *p = im->data + (y * im->w + x) * 3;
  return (unsigned)lround((double)p[0] * 255) << 16 |
         (unsigned)lround((double)p[1] * 255) << 8 |
         (unsigned)lround((double)p[2] * 255);
}

/* values 10..20 normalised: 10 black, 20 white */
static unsigned norm_want(const PlotImage *im, int y, int x) {
  unsigned g = (unsigned)lround((im->data[y * im->w + x] - 10) / 10 * 255);
  return g << 16 | g << 8 | g;
}

static void test_images(void) {
  float gray[6 * 8], rgb[4 * 5 * 3], ramp[3 * 4];
  for (int i = 0; i < 48; i++) gray[i] = (float)i / 47;
  for (int i = 0; i < 60; i++) rgb[i] = (float)((i * 37) % 61) / 60;
  for (int i = 0; i < 12; i++) ramp[i] = 10 + (float)i * 10 / 11;
  PlotImage g, c, n;
  plot_image_init(&g, gray, 6, 8, 1);
  g.caption = "gray 회색";
  plot_image_init(&c, rgb, 4, 5, 3);
  plot_image_init(&n, ramp, 3, 4, 1);
  n.normalize = 1;
  PlotFigure *f = plot_figure_new(400, 200, err);
  ok(f != NULL, "a 400x200 figure");
  PlotRect rg = {10, 10, 120, 150}, rc = {140, 10, 100, 100},
           rn = {260, 10, 120, 120};
  ok(plot_image(f, rg, &g, err) == 0 && plot_image(f, rc, &c, err) == 0 &&
     plot_image(f, rn, &n, err) == 0, "three image cells drawn");
  ok(plot_figure_save(f, file("cells.png"), err) == 0, "saved: %s",
     file("cells.png"));
  plot_figure_free(f);
  Png p;
  ok(png_load(&p, file("cells.png")) == 0 && p.w == 400 && p.h == 200,
     "read back at 400x200");
  PlotRect dg = plot_image_place(rg, &g);
  is((long long)dg.w, 8 * 15, "8x6 image in 120x130: scaled by a whole 15");
  ok(blocks_match(&p, dg, &g, gray_want),
     "gray cell reproduces the data's gray levels, nearest-neighbour");
  ok(blocks_match(&p, plot_image_place(rc, &c), &c, rgb_want),
     "RGB cell reproduces the data's colours");
  ok(blocks_match(&p, plot_image_place(rn, &n), &n, norm_want),
     "normalised cell: min black, max white");
  is(rgb_at(&p, 0, 0), 0xffffff, "white background");
  int dark = 0;                 /* caption pixels under the gray cell */
  for (int y = (int)(dg.y + dg.h + 3); y < 160; y++)
    for (int x = 10; x < 130; x++) dark += (rgb_at(&p, x, y) & 255) < 128;
  ok(dark > 20, "the caption is drawn (%d dark pixels)", dark);
  cairo_surface_destroy(p.s);
}

static void test_image_grid(void) {
  float img[10][7 * 7];
  PlotImage ims[10];
  static const char *caps[10] = {"T-shirt/top", "Trouser", "Pullover",
    "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  for (int k = 0; k < 10; k++) {
    for (int i = 0; i < 49; i++) img[k][i] = (float)((i + k) % 7) / 6;
    plot_image_init(&ims[k], img[k], 7, 7, 1);
    ims[k].caption = caps[k];
    ims[k].cmap = PLOT_BINARY;
  }
  ok(plot_save_images(file("grid.png"), ims, 10, 5, 70, "격자 grid",
                      err) == 0, "a 2x5 grid saved");
  Png p;
  int w = 2 * 16 + 5 * 70 + 4 * 14;
  int h = 2 * 16 + (int)plot_suptitle_height("x") + 2 * 90 + 10;
  int loaded = png_load(&p, file("grid.png")) == 0;
  ok(loaded && p.w == w && p.h == h, "grid size %dx%d (got %dx%d)", w, h,
     p.w, p.h);
  long sz = file_size(file("grid.png"));
  ok(sz > 2000 && sz < 200000, "file size is sane (%ld bytes)", sz);
  cairo_surface_destroy(p.s);
}

/* ---- heat maps ---------------------------------------------------- */

static void test_heatmap(void) {
  double v[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  static const char *names[3] = {"고양이", "dog", "a very long class name"};
  PlotHeatmap hm;
  plot_heatmap_init(&hm, v, 3, 3);
  hm.row_labels = hm.col_labels = names;
  hm.title = "Confusion matrix";
  hm.xlabel = "Predicted label";
  hm.ylabel = "True label";
  ok(plot_save_heatmap(file("heat.png"), &hm, err) == 0, "heat map saved");
  int w, h;
  plot_heatmap_size(&hm, &w, &h);
  Png p;
  ok(png_load(&p, file("heat.png")) == 0 && p.w == w && p.h == h,
     "heat map is %dx%d as plot_heatmap_size says", w, h);
  PlotRect g = plot_heatmap_cells(&hm);
  int bad = 0;
  for (int i = 0; i < 9; i++) {
    int x = (int)g.x + (i % 3) * hm.cell + 3;
    int y = (int)g.y + (i / 3) * hm.cell + 3;
    unsigned want = rgb_of(plot_cmap(PLOT_BLUES, v[i] / 8));
    if (!close_rgb(rgb_at(&p, x, y), want, 1) && bad++ < 3)
      diag("cell %d: %06x, want %06x", i, rgb_at(&p, x, y), want);
  }
  ok(bad == 0, "cell colours follow the values through Blues");
  int white = 0, black = 0;
  for (int y = 0; y < hm.cell; y++)
    for (int x = 0; x < hm.cell; x++) {
      black += (rgb_at(&p, (int)g.x + x, (int)g.y + y) & 255) < 100;
      white += (rgb_at(&p, (int)g.x + 2 * hm.cell + x,
                       (int)g.y + 2 * hm.cell + y) & 255) > 200;
    }
  ok(black > 5 && white > 5, "numbers contrast: dark on pale, white on dark");
  cairo_surface_destroy(p.s);
  hm.decimals = -1;
  hm.colorbar = 0;
  ok(plot_save_heatmap(file("heat2.png"), &hm, err) == 0,
     "without numbers or colour bar");
}

/* ---- line charts -------------------------------------------------- */

static int has_color(const Png *p, unsigned c) {
  for (int y = 0; y < p->h; y++)
    for (int x = 0; x < p->w; x++)
      if (rgb_at(p, x, y) == c) return 1;
  return 0;
}

static void test_axes(void) {
  double ep[5] = {1, 2, 3, 4, 5}, loss[5] = {0.5, 0.37, 0.33, 0.31, 0.29},
         vl[5] = {0.4, 0.36, NAN, 0.34, 0.34}, big[2] = {0, 1e300};
  PlotSeries s[2] = {
    {ep, loss, 5, "train", plot_palette(0), PLOT_MARK_CIRCLE, 0},
    {ep, vl, 5, "validation", plot_palette(1), PLOT_MARK_SQUARE, 1}};
  PlotAxes a[2];
  plot_axes_init(&a[0]);
  a[0].series = s;
  a[0].nseries = 2;
  a[0].integer_x = 1;
  a[0].title = "loss";
  a[0].xlabel = "epoch";
  a[0].ylabel = "손실";
  a[1] = a[0];
  a[1].nseries = 1;
  a[1].ylim[0] = 0.3;      /* points outside the limits are clipped */
  a[1].ylim[1] = 0.4;
  ok(plot_save_axes(file("axes.png"), a, 2, 400, 300, "학습 곡선",
                    err) == 0, "two panels saved");
  Png p;
  int th = (int)plot_suptitle_height("t");
  ok(png_load(&p, file("axes.png")) == 0 && p.w == 800 && p.h == 300 + th,
     "figure is 800x%d", 300 + th);
  ok(has_color(&p, 0x1f77b4) && has_color(&p, 0xff7f0e),
     "both series drawn in tab10 blue and orange");
  is(rgb_at(&p, 2, p.h - 2), 0xffffff, "white margins");
  long sz = file_size(file("axes.png"));
  ok(sz > 5000 && sz < 500000, "file size is sane (%ld bytes)", sz);
  cairo_surface_destroy(p.s);
  PlotSeries far = {big, big, 2, NULL, plot_palette(2), PLOT_MARK_NONE, 0};
  a[1].series = &far;
  a[1].ylim[0] = 0;
  a[1].ylim[1] = 1;
  a[1].xlim[0] = 0;
  a[1].xlim[1] = 1;
  ok(plot_save_axes(file("far.png"), &a[1], 1, 400, 300, NULL, err) == 0,
     "a point at 1e300 outside the limits draws without trouble");
}

/* ---- failures ----------------------------------------------------- */

static void test_errors(void) {
  ok(plot_figure_new(0, 10, err) == NULL && strstr(err, "0x10"),
     "0-wide figure refused: %s", err);
  ok(plot_figure_new(PLOT_MAXSIDE + 1, 10, err) == NULL,
     "oversized figure refused");
  PlotFigure *f = plot_figure_new(50, 50, err);
  char sub[128];
  snprintf(sub, sizeof sub, "%s/missing/x.png", dir);
  int before = entries(dir);
  ok(plot_figure_save(f, sub, err) == -1 && strstr(err, "cannot write") &&
     strstr(err, "No such file"), "missing folder: %s", err);
  snprintf(sub, sizeof sub, "%s/adir", dir);
  mkdir(sub, 0777);
  ok(plot_figure_save(f, sub, err) == -1, "a folder in the way: %s", err);
  is(entries(dir), before + 1, "no temporary file left behind");
  rmdir(sub);
  /* invalid UTF-8 must not put cairo into an error state */
  plot_text(f, "bad \xff\xfe utf-8 \xe1\x80", 5, 5, 12, 0, 0, 0);
  ok(plot_figure_save(f, file("utf8.png"), err) == 0,
     "invalid UTF-8 text is drawn with '?' and the figure still saves");
  plot_figure_free(f);

  float px[4] = {0};
  PlotImage im;
  plot_image_init(&im, px, 2, 2, 2);
  ok(plot_save_images(file("x.png"), &im, 1, 1, 20, NULL, err) == -1 &&
     strstr(err, "HxWx1 or HxWx3"), "2-channel image refused: %s", err);
  ok(plot_save_images(file("x.png"), &im, 0, 1, 20, NULL, err) == -1,
     "no images refused: %s", err);
  double v[1] = {1};
  PlotHeatmap hm;
  plot_heatmap_init(&hm, v, 0, 1);
  ok(plot_save_heatmap(file("x.png"), &hm, err) == -1, "0-row heat map: %s",
     err);
  PlotAxes a;
  plot_axes_init(&a);
  PlotSeries s = {v, v, 1, NULL, plot_palette(0), PLOT_MARK_NONE, 0};
  a.series = &s;
  a.nseries = 1;
  a.xlim[0] = a.xlim[1] = 3;
  ok(plot_save_axes(file("x.png"), &a, 1, 300, 200, NULL, err) == -1 &&
     strstr(err, "xlim"), "empty x limits: %s", err);
  ok(access(file("x.png"), F_OK) != 0, "failed figures write no file");
}

static void cleanup(void) {
  DIR *dp = opendir(dir);
  char path[512];
  for (struct dirent *e; dp && (e = readdir(dp));) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    remove(path);
  }
  if (dp) closedir(dp);
  rmdir(dir);
}

int main(void) {
  strcpy(dir, "/tmp/wb_plotXXXXXX");
  if (!mkdtemp(dir)) { printf("Bail out! no temp folder\n"); return 1; }
  const char *fam = plot_font_family();
  ok(!strcmp(fam, "NanumGothic") || !strcmp(fam, "DejaVu Sans"),
     "font family: %s", fam);
  ok(plot_text_width("학습 곡선", 12) > 30, "Korean text has width");
  test_ticks();
  test_format();
  test_colors();
  test_images();
  test_image_grid();
  test_heatmap();
  test_axes();
  test_errors();
  cleanup();
  return done_testing();
}
