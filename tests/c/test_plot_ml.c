/* test_plot_ml.c - the plot core's machine-learning layers: colour maps
 * at their anchor points, marching squares (every cell case, saddles,
 * NaN cells), contour levels, and panels of points, bars, grids and
 * colour bars read back from their PNGs pixel by pixel. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot.h"
#include "tap.h"

static char dir[64], err[PLOT_ERRLEN];

static const char *file(const char *name) {
  static char buf[128];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

static unsigned rgb_of(PlotColor c) {
  return (unsigned)lround(c.r * 255) << 16 | (unsigned)lround(c.g * 255) << 8
         | (unsigned)lround(c.b * 255);
}

/* ---- colour maps --------------------------------------------------- */

static void test_cmaps(void) {
  is(rgb_of(plot_cmap(PLOT_VIRIDIS, 0)), 0x440154, "viridis starts purple");
  is(rgb_of(plot_cmap(PLOT_VIRIDIS, 0.5)), 0x21918c, "viridis mid teal");
  is(rgb_of(plot_cmap(PLOT_VIRIDIS, 1)), 0xfde725, "viridis ends yellow");
  is(rgb_of(plot_cmap(PLOT_COOLWARM, 0)), 0x3b4cc0, "coolwarm starts blue");
  is(rgb_of(plot_cmap(PLOT_COOLWARM, 0.5)), 0xdddddd, "coolwarm mid gray");
  is(rgb_of(plot_cmap(PLOT_COOLWARM, 1)), 0xb40426, "coolwarm ends red");
  is(rgb_of(plot_cmap(PLOT_RDBU, 0)), 0x67001f, "RdBu starts dark red");
  is(rgb_of(plot_cmap(PLOT_RDBU, 0.5)), 0xf7f7f7, "RdBu mid white");
  is(rgb_of(plot_cmap(PLOT_RDBU, 1)), 0x053061, "RdBu ends dark blue");
  double prev = -1;
  int rising = 1;
  for (int i = 0; i <= 100; i++) {     /* viridis brightens monotonically */
    PlotColor c = plot_cmap(PLOT_VIRIDIS, i / 100.0);
    double l = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    rising &= l > prev;
    prev = l;
  }
  ok(rising, "viridis's luminance rises all the way");
  PlotCmap m;
  ok(plot_cmap_named("coolwarm", &m) == 0 && m == PLOT_COOLWARM &&
     plot_cmap_named("viridis", &m) == 0 && m == PLOT_VIRIDIS &&
     plot_cmap_named("RdBu", &m) == 0 && m == PLOT_RDBU,
     "colour maps by name");
  ok(plot_cmap_named("jet", &m) == -1 && plot_cmap_named(NULL, &m) == -1,
     "unknown names refused");
  is(rgb_of(plot_lighten((PlotColor){0, 0, 0}, 0.5)), 0x808080,
     "lighten halfway to white");
}

/* ---- marching squares ---------------------------------------------- */

static int segs(const double *v, int rows, int cols, double level,
                double *s) {
  return plot_contour_segments(v, rows, cols, level, s, 16);
}

static int near_pt(double c, double r, double wc, double wr) {
  return fabs(c - wc) < 1e-12 && fabs(r - wr) < 1e-12;
}

/* segment s joins (a) and (b), either way round */
static int joins(const double *s, double ac, double ar, double bc,
                 double br) {
  return (near_pt(s[0], s[1], ac, ar) && near_pt(s[2], s[3], bc, br)) ||
         (near_pt(s[0], s[1], bc, br) && near_pt(s[2], s[3], ac, ar));
}

static void test_marching(void) {
  double s[64];
  /* one cell, row 0 = {0, 1}, row 1 = {0, 1}: a vertical line at c 0.5 */
  double v1[4] = {0, 1, 0, 1};
  ok(segs(v1, 2, 2, 0.5, s) == 1 && joins(s, 0.5, 0, 0.5, 1),
     "a vertical crossing");
  /* interpolated: level 0.25 crosses a quarter of the way */
  ok(segs(v1, 2, 2, 0.25, s) == 1 && joins(s, 0.25, 0, 0.25, 1),
     "crossings are interpolated");
  double v2[4] = {0, 0, 1, 1};
  ok(segs(v2, 2, 2, 0.5, s) == 1 && joins(s, 0, 0.5, 1, 0.5),
     "a horizontal crossing");
  double v3[4] = {1, 0, 0, 0};          /* one corner above: a cut corner */
  ok(segs(v3, 2, 2, 0.5, s) == 1 && joins(s, 0.5, 0, 0, 0.5),
     "one corner above the level");
  double flat[4] = {1, 1, 1, 1};
  is(segs(flat, 2, 2, 0.5, s), 0, "no crossing above the level");
  is(segs(flat, 2, 2, 2, s), 0, "no crossing below the level");
  /* saddle: corners (0,0) and (1,1) high. Centre mean 0.5 >= 0.4: the
   * high corners join through the centre, the low ones are cut off */
  double sad[4] = {1, 0, 0, 1};
  ok(segs(sad, 2, 2, 0.4, s) == 2 &&
     ((joins(s, 0.6, 0, 1, 0.4) && joins(s + 4, 0.4, 1, 0, 0.6)) ||
      (joins(s + 4, 0.6, 0, 1, 0.4) && joins(s, 0.4, 1, 0, 0.6))),
     "saddle above the centre: the low corners are cut off");
  ok(segs(sad, 2, 2, 0.6, s) == 2 &&
     ((joins(s, 0, 0.4, 0.4, 0) && joins(s + 4, 1, 0.6, 0.6, 1)) ||
      (joins(s + 4, 0, 0.4, 0.4, 0) && joins(s, 1, 0.6, 0.6, 1))),
     "saddle below the centre: the high corners are cut off");
  double nan[4] = {0, 1, NAN, 1};
  is(segs(nan, 2, 2, 0.5, s), 0, "a cell with NaN gives no line");
  /* a cone on a 5x5 grid: the 4 inner cells stay below 1.5, the ring
   * crosses each of the 12 outer cells once, every end near radius 1.5 */
  double cone[25];
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 5; j++) cone[i * 5 + j] = hypot(i - 2, j - 2);
  int n = segs(cone, 5, 5, 1.5, s);
  int round_ok = n == 12;
  for (int k = 0; k < n && k < 16; k++)
    for (int e = 0; e < 2; e++) {
      double d = hypot(s[4 * k + 2 * e] - 2, s[4 * k + 2 * e + 1] - 2);
      round_ok &= d > 1.2 && d < 1.8;
    }
  ok(round_ok, "a ring around a cone: %d segments near radius 1.5", n);
  is(plot_contour_segments(cone, 5, 5, 1.5, s, 3), 12,
     "the count is whole even past cap");
}

static void test_levels(void) {
  double lv[40];
  int n = plot_contour_levels(0, 25, 10, lv, 40);
  int ok_lv = n >= 6 && lv[0] <= 0 && lv[n - 1] >= 25;
  for (int i = 1; i < n; i++) ok_lv &= lv[i] > lv[i - 1];
  ok(ok_lv, "levels cover 0..25 ascending (%d levels, %g..%g)", n, lv[0],
     lv[n - 1]);
  ok(fabs(lv[1] - lv[0] - 5) < 1e-12, "nice step 5 for 0..25 in <= 10");
  n = plot_contour_levels(0.3, 0.9, 5, lv, 40);
  ok(n >= 3 && lv[0] <= 0.3 && lv[n - 1] >= 0.9,
     "an inner range is enclosed: %g..%g", lv[0], lv[n - 1]);
  n = plot_contour_levels(2, 2, 5, lv, 40);
  ok(n >= 2 && lv[0] <= 2 && lv[n - 1] >= 2, "a flat field still has levels");
  is(plot_contour_levels(NAN, 1, 5, lv, 40), 0, "NaN gives no levels");
}

/* ---- panels with layers --------------------------------------------- */

typedef struct { cairo_surface_t *s; int w, h; } Png;

static int count_rgb(const Png *p, unsigned rgb, int tol) {
  const unsigned char *d = cairo_image_surface_get_data(p->s);
  int stride = cairo_image_surface_get_stride(p->s), n = 0;
  for (int y = 0; y < p->h; y++)
    for (int x = 0; x < p->w; x++) {
      unsigned v = ((const uint32_t *)(d + (size_t)y * stride))[x];
      int same = 1;
      for (int sh = 0; sh <= 16; sh += 8)
        same &= abs((int)(v >> sh & 255) - (int)(rgb >> sh & 255)) <= tol;
      n += same;
    }
  return n;
}

static int load(Png *p, const char *path) {
  p->s = cairo_image_surface_create_from_png(path);
  if (cairo_surface_status(p->s) != CAIRO_STATUS_SUCCESS) return -1;
  p->w = cairo_image_surface_get_width(p->s);
  p->h = cairo_image_surface_get_height(p->s);
  return 0;
}

static void test_layers(void) {
  double x[3] = {0, 1, 2}, y[3] = {1, 1.5, 0.5};
  PlotColor cols[3] = {plot_palette(0), plot_palette(1), plot_palette(2)};
  PlotPoints pts = {x, y, 3, cols, {0, 0, 0}, "points", PLOT_MARK_NONE, 8,
                    1, 0};
  double rect[8] = {0, 1, 0, 2, 1, 2, 0, 1};
  PlotBars bars = {rect, 2, plot_palette(3), "bars", 1, NULL, 0};
  PlotAxes a;
  plot_axes_init(&a);
  a.points = &pts;
  a.npoints = 1;
  a.bars = &bars;
  a.nbars = 1;
  a.title = "점과 막대";
  ok(plot_save_axes(file("layers.png"), &a, 1, 400, 300, NULL, err) == 0,
     "points and bars saved: %s", err);
  Png p;
  ok(load(&p, file("layers.png")) == 0 && p.w == 400 && p.h == 300,
     "400x300");
  ok(count_rgb(&p, 0x1f77b4, 2) > 100 && count_rgb(&p, 0xff7f0e, 2) > 100 &&
     count_rgb(&p, 0x2ca02c, 2) > 100, "each point in its own colour");
  ok(count_rgb(&p, 0xd62728, 2) > 5000, "bars filled");
  cairo_surface_destroy(p.s);

  /* a grid of class ids: left half 0, right half 1, lightened */
  double g[4 * 4];
  for (int i = 0; i < 16; i++) g[i] = (i % 4) >= 2;
  PlotColor cls[2] = {plot_palette(0), plot_palette(1)};
  PlotRaster r = {g, 4, 4, 0, 3, 0, 3, 0, PLOT_VIRIDIS, 0, 1, NULL, 0,
                  cls, 2, 0.5, 0};
  PlotAxes b;
  plot_axes_init(&b);
  b.raster = &r;
  ok(plot_save_axes(file("regions.png"), &b, 1, 400, 300, NULL, err) == 0,
     "class regions saved: %s", err);
  ok(load(&p, file("regions.png")) == 0, "read back");
  unsigned l0 = rgb_of(plot_lighten(plot_palette(0), 0.5));
  unsigned l1 = rgb_of(plot_lighten(plot_palette(1), 0.5));
  int n0 = count_rgb(&p, l0, 1), n1 = count_rgb(&p, l1, 1);
  ok(n0 > 20000 && n1 > 20000 && abs(n0 - n1) < n0 / 5,
     "two regions of about equal area (%d, %d pixels)", n0, n1);
  cairo_surface_destroy(p.s);

  /* smooth class regions: one corner of class 1 wins where its
   * bilinear weight u w passes 1/2, (1 - ln 2) / 2 of the cell */
  double g2[4] = {0, 0, 0, 1};
  PlotRaster sm = {g2, 2, 2, 0, 1, 0, 1, 1, PLOT_VIRIDIS, 0, 1, NULL, 0,
                   cls, 2, 0.5, 0};
  b.raster = &sm;
  ok(plot_save_axes(file("vote.png"), &b, 1, 400, 300, NULL, err) == 0,
     "smooth class regions saved: %s", err);
  ok(load(&p, file("vote.png")) == 0, "read back");
  n0 = count_rgb(&p, l0, 1);
  n1 = count_rgb(&p, l1, 1);
  double frac = (double)n1 / (n0 + n1), want = (1 - log(2)) / 2;
  ok(fabs(frac - want) < 0.01, "class 1 covers %.3f of the grid (want "
     "%.3f)", frac, want);
  cairo_surface_destroy(p.s);

  /* filled bands of x over [0, 1] with levels 0, .5, 1 and a colour bar */
  double ramp[2 * 2] = {0, 1, 0, 1}, lv[3] = {0, 0.5, 1};
  PlotRaster rr = {ramp, 2, 2, 0, 1, 0, 1, 1, PLOT_VIRIDIS, 0, 1, lv, 3,
                   NULL, 0, 0, 0};
  PlotContour con = {lv, 3, PLOT_VIRIDIS, 0, 1, 1, {0, 0, 0}, 1};
  PlotAxes c;
  plot_axes_init(&c);
  c.raster = &rr;
  c.contour = &con;
  c.colorbar = (PlotColorbar){1, PLOT_VIRIDIS, 0, 1, lv, 3, "값"};
  ok(plot_save_axes(file("bands.png"), &c, 1, 400, 300, NULL, err) == 0,
     "bands with lines and a colour bar saved: %s", err);
  ok(load(&p, file("bands.png")) == 0, "read back");
  ok(count_rgb(&p, 0x440154, 1) > 10000 && count_rgb(&p, 0xfde725, 1) > 10000,
     "two bands: viridis's ends, each a flat colour");
  cairo_surface_destroy(p.s);

  PlotAxes bad;
  plot_axes_init(&bad);
  bad.contour = &con;
  ok(plot_save_axes(file("x.png"), &bad, 1, 400, 300, NULL, err) == -1 &&
     strstr(err, "need a grid"), "contour lines without a grid: %s", err);
  double one[1] = {0};
  PlotRaster small = {one, 1, 1, 0, 1, 0, 1, 1, PLOT_VIRIDIS, 0, 1, NULL, 0,
                      NULL, 0, 0, 0};
  bad.contour = NULL;
  bad.raster = &small;
  ok(plot_save_axes(file("x.png"), &bad, 1, 400, 300, NULL, err) == -1 &&
     strstr(err, "2x2"), "a 1x1 grid is refused: %s", err);
  ok(access(file("x.png"), F_OK) != 0, "no file from a failed figure");
}

/* a 2x2 grid of panels */
static void test_grid(void) {
  double x[2] = {0, 1}, y[2] = {1, 0};
  PlotSeries s = {x, y, 2, NULL, plot_palette(0), PLOT_MARK_NONE, 0};
  PlotAxes a[3];
  for (int i = 0; i < 3; i++) {
    plot_axes_init(&a[i]);
    a[i].series = &s;
    a[i].nseries = 1;
  }
  ok(plot_save_axes_grid(file("grid.png"), a, 3, 2, 300, 200, NULL, err) == 0,
     "three panels, two a row");
  Png p;
  ok(load(&p, file("grid.png")) == 0 && p.w == 600 && p.h == 400,
     "600x400: two rows");
  cairo_surface_destroy(p.s);
}

int main(void) {
  strcpy(dir, "/tmp/wb_plotmlXXXXXX");
  if (!mkdtemp(dir)) { printf("Bail out! no temp folder\n"); return 1; }
  test_cmaps();
  test_marching();
  test_levels();
  test_layers();
  test_grid();
  const char *names[] = {"layers.png", "regions.png", "bands.png",
                         "grid.png", "vote.png"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    remove(file(names[i]));
  ok(rmdir(dir) == 0, "temp folder empty at the end");
  return done_testing();
}
