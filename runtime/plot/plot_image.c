/* plot_image.c - image cells (float data as gray or RGB pixels, scaled
 * by whole factors so small images stay crisp, with a caption), grids
 * of them, and heat maps with numbers in the cells and a colour bar. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plot/plot.h"

/* ---- image cells ---------------------------------------------------- */

void plot_image_init(PlotImage *im, const float *data, int h, int w,
                     int c) {
  memset(im, 0, sizeof *im);
  im->data = data;
  im->h = h;
  im->w = w;
  im->c = c;
  im->vmin = 0;
  im->vmax = 1;
  im->cmap = PLOT_GRAY;
}

static int check_image(const PlotImage *im, char *err) {
  if (!im->data || im->h < 1 || im->w < 1 || im->h > PLOT_MAXSIDE ||
      im->w > PLOT_MAXSIDE || (im->c != 1 && im->c != 3)) {
    snprintf(err, PLOT_ERRLEN, "an image must be HxWx1 or HxWx3 with "
             "sides 1..%d, got %dx%dx%d", PLOT_MAXSIDE, im->h, im->w, im->c);
    return -1;
  }
  if (!im->normalize && !(im->vmin < im->vmax)) {
    snprintf(err, PLOT_ERRLEN, "image value range %g..%g is empty",
             im->vmin, im->vmax);
    return -1;
  }
  return 0;
}

int plot_caption_lines(const char *caption) {
  if (!caption || !*caption) return 0;
  int n = 1;
  for (const char *p = caption; *p; p++) n += *p == '\n';
  return n < PLOT_CAPTION_LINES ? n : PLOT_CAPTION_LINES;
}

PlotRect plot_image_place(PlotRect r, const PlotImage *im) {
  double aw = r.w, ah = r.h - plot_caption_lines(im->caption) * PLOT_CAPTION_H;
  double s = fmin(aw / im->w, ah / im->h);
  if (s >= 1) s = floor(s);       /* whole factors: crisp pixels */
  double w = im->w * s, h = im->h * s;
  return (PlotRect){round(r.x + (aw - w) / 2), round(r.y + (ah - h) / 2),
                    w, h};
}

/* the value range that maps to black..white */
static void value_range(const PlotImage *im, double *lo, double *hi) {
  *lo = im->vmin;
  *hi = im->vmax;
  if (!im->normalize) return;
  double a = INFINITY, b = -INFINITY;
  size_t n = (size_t)im->h * im->w * im->c;
  for (size_t i = 0; i < n; i++) {
    double v = im->data[i];
    if (!isfinite(v)) continue;
    a = fmin(a, v);
    b = fmax(b, v);
  }
  if (!(a < b)) { a = isfinite(a) ? a : 0; b = a + 1; }   /* flat: black */
  *lo = a;
  *hi = b;
}

static uint32_t to_byte(double t) {
  return (uint32_t)lround((t > 0 ? (t < 1 ? t : 1) : 0) * 255);
}

/* The data as a cairo RGB24 surface, one pixel per value. */
static cairo_surface_t *raster(const PlotImage *im, char *err) {
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                                  im->w, im->h);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    snprintf(err, PLOT_ERRLEN, "cannot make a %dx%d image: %s", im->w,
             im->h, cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    return NULL;
  }
  double lo, hi;
  value_range(im, &lo, &hi);
  unsigned char *base = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < im->h; y++) {
    uint32_t *row = (uint32_t *)(base + (size_t)y * stride);
    const float *p = im->data + (size_t)y * im->w * im->c;
    for (int x = 0; x < im->w; x++, p += im->c) {
      if (im->c == 3) {
        row[x] = to_byte((p[0] - lo) / (hi - lo)) << 16 |
                 to_byte((p[1] - lo) / (hi - lo)) << 8 |
                 to_byte((p[2] - lo) / (hi - lo));
        continue;
      }
      PlotColor c = plot_cmap(im->cmap, (p[0] - lo) / (hi - lo));
      row[x] = to_byte(c.r) << 16 | to_byte(c.g) << 8 | to_byte(c.b);
    }
  }
  cairo_surface_mark_dirty(s);
  return s;
}

int plot_image(PlotFigure *f, PlotRect r, const PlotImage *im, char *err) {
  if (check_image(im, err)) return -1;
  cairo_surface_t *src = raster(im, err);
  if (!src) return -1;
  PlotRect d = plot_image_place(r, im);
  cairo_t *cr = f->cr;
  cairo_save(cr);
  if (im->marked) {                                /* a thick frame */
    cairo_set_source_rgb(cr, im->mark.r, im->mark.g, im->mark.b);
    cairo_set_line_width(cr, 3);
    cairo_rectangle(cr, d.x - 1.5, d.y - 1.5, d.w + 3, d.h + 3);
  } else {                                         /* a thin frame */
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, d.x - 0.5, d.y - 0.5, d.w + 1, d.h + 1);
  }
  cairo_stroke(cr);
  cairo_translate(cr, d.x, d.y);
  cairo_scale(cr, d.w / im->w, d.h / im->h);
  cairo_set_source_surface(cr, src, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), d.w >= im->w
                           ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_rectangle(cr, 0, 0, im->w, im->h);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_surface_destroy(src);
  int lines = plot_caption_lines(im->caption);
  if (lines) {
    PlotColor c = im->marked ? im->mark : (PlotColor){0, 0, 0};
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    const char *p = im->caption;
    for (int i = 0; i < lines; i++) {
      const char *e = i + 1 < lines ? strchr(p, '\n') : NULL;
      size_t len = e ? (size_t)(e - p) : strlen(p);
      char line[512];
      if (len >= sizeof line) len = sizeof line - 1;
      memcpy(line, p, len);
      line[len] = 0;
      for (char *q = line; *q; q++) if (*q == '\n') *q = ' ';
      plot_text_fit(f, line, r.x + r.w / 2,
                    d.y + d.h + 4 + i * PLOT_CAPTION_H * 0.8,
                    PLOT_PX_TICK, 0.5, 0, r.w + 6);
      if (e) p = e + 1;
    }
  }
  return 0;
}

int plot_save_images(const char *path, const PlotImage *ims, int n,
                     int cols, int box, const char *title, char *err) {
  const int margin = 16, gx = 14, gy = 10;
  if (n < 1 || cols < 1 || box < 4) {
    snprintf(err, PLOT_ERRLEN, "%d images in %d columns of %d pixels: "
             "need at least one image, a column and 4 pixels", n, cols, box);
    return -1;
  }
  if (cols > n) cols = n;
  int rows = (n + cols - 1) / cols, caps = 0;
  for (int i = 0; i < n; i++) {
    int k = plot_caption_lines(ims[i].caption);
    if (k > caps) caps = k;
  }
  double ch = box + caps * PLOT_CAPTION_H;
  double th = plot_suptitle_height(title);
  double w = 2.0 * margin + (double)cols * box + (cols - 1.0) * gx;
  double h = 2.0 * margin + th + rows * ch + (rows - 1.0) * gy;
  if (w > PLOT_MAXSIDE || h > PLOT_MAXSIDE) {
    snprintf(err, PLOT_ERRLEN, "%d images of %d pixels make a %.0fx%.0f "
             "figure, over %d pixels", n, box, w, h, PLOT_MAXSIDE);
    return -1;
  }
  PlotFigure *f = plot_figure_new((int)w, (int)h, err);
  if (!f) return -1;
  plot_suptitle(f, title);
  int rc = 0;
  for (int i = 0; i < n && rc == 0; i++) {
    PlotRect r = {margin + (i % cols) * (double)(box + gx),
                  margin + th + (i / cols) * (ch + gy), box, ch};
    rc = plot_image(f, r, &ims[i], err);
  }
  if (rc == 0) rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}

int plot_save_image_panel(const char *path, const PlotImage *im,
                          const PlotAxes *a, int w, int h,
                          const char *title, char *err) {
  const int margin = 16;
  double th = plot_suptitle_height(title);
  double side = h - th - 2.0 * margin;
  if (w < 240 || h < 160 || w > PLOT_MAXSIDE || h > PLOT_MAXSIDE ||
      side < 40 || w - side - 2.0 * margin < 160) {
    snprintf(err, PLOT_ERRLEN, "a %dx%d figure is too small for an image "
             "beside a panel (or over %d pixels)", w, h, PLOT_MAXSIDE);
    return -1;
  }
  PlotFigure *f = plot_figure_new(w, h, err);
  if (!f) return -1;
  plot_suptitle(f, title);
  double iw = fmin(side, w * 0.45);
  int rc = plot_image(f, (PlotRect){margin, th + margin, iw, side}, im, err);
  if (rc == 0)
    rc = plot_axes(f, (PlotRect){margin + iw, th, w - margin - iw, h - th},
                   a, err);
  if (rc == 0) rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}

/* ---- heat maps ------------------------------------------------------ */

void plot_heatmap_init(PlotHeatmap *hm, const double *v, int rows,
                       int cols) {
  memset(hm, 0, sizeof *hm);
  hm->v = v;
  hm->rows = rows;
  hm->cols = cols;
  hm->decimals = 0;
  hm->cell = 48;
  hm->colorbar = 1;
  hm->cmap = PLOT_BLUES;
  hm->vmin = hm->vmax = NAN;
}

/* where everything goes, relative to the heat map's top-left corner */
typedef struct {
  PlotRect cells, bar;
  int slant;               /* x tick labels at 45 degrees */
  double colw;             /* widest column label */
  double w, h;
  double vmin, vmax;
} HeatLayout;

static const char *label_of(const char *const *labels, int i, char *buf) {
  if (labels && labels[i]) return labels[i];
  snprintf(buf, 16, "%d", i);
  return buf;
}

static double widest(const char *const *labels, int n) {
  double w = 0;
  char buf[16];
  for (int i = 0; i < n; i++)
    w = fmax(w, plot_text_width(label_of(labels, i, buf), PLOT_PX_TICK));
  return w;
}

static void value_span(const PlotHeatmap *hm, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < (size_t)hm->rows * hm->cols; i++)
    if (isfinite(hm->v[i])) {
      *lo = fmin(*lo, hm->v[i]);
      *hi = fmax(*hi, hm->v[i]);
    }
  if (!isfinite(*lo)) { *lo = 0; *hi = 1; }
  if (isfinite(hm->vmin)) *lo = hm->vmin;
  if (isfinite(hm->vmax)) *hi = hm->vmax;
  if (!(*lo < *hi)) *hi = *lo + 1;      /* flat: every cell the palest */
}

static double bar_label_width(const HeatLayout *L) {
  double t[PLOT_MAXTICKS], step, w = 0;
  char buf[32];
  int n = plot_nice_ticks(L->vmin, L->vmax, 6, 0, t, &step);
  for (int i = 0; i < n; i++) {
    plot_format_tick(t[i], step, buf, sizeof buf);
    w = fmax(w, plot_text_width(buf, PLOT_PX_TICK));
  }
  return w;
}

static void heat_layout(const PlotHeatmap *hm, HeatLayout *L) {
  const double s45 = sqrt(0.5), px = PLOT_PX_TICK;
  double cell = hm->cell, gw = cell * hm->cols, gh = cell * hm->rows;
  value_span(hm, &L->vmin, &L->vmax);
  L->colw = widest(hm->col_labels, hm->cols);
  L->slant = L->colw > cell - 6;
  double rowlab = widest(hm->row_labels, hm->rows);
  double left = 12 + (hm->ylabel && *hm->ylabel ? PLOT_PX_LABEL * 1.9 : 0)
                + rowlab + 10;
  if (L->slant) left = fmax(left, 12 + L->colw * s45 - cell / 2);
  double top = 12 + (hm->title && *hm->title ? PLOT_PX_TITLE * 2 : 0);
  double labh = L->slant ? (L->colw + px) * s45 : px * 1.3;
  double bottom = 8 + labh + 10 +
                  (hm->xlabel && *hm->xlabel ? PLOT_PX_LABEL * 1.8 : 0);
  L->cells = (PlotRect){round(left), round(top), gw, gh};
  double right = 20;
  if (hm->colorbar) {
    L->bar = (PlotRect){L->cells.x + gw + 20, L->cells.y, 18, gh};
    right = 20 + 18 + 10 + bar_label_width(L) + 14;
  }
  L->w = ceil(L->cells.x + gw + right);
  L->h = ceil(top + gh + bottom);
}

void plot_heatmap_size(const PlotHeatmap *hm, int *w, int *h) {
  HeatLayout L;
  heat_layout(hm, &L);
  *w = (int)L.w;
  *h = (int)L.h;
}

PlotRect plot_heatmap_cells(const PlotHeatmap *hm) {
  HeatLayout L;
  heat_layout(hm, &L);
  return L.cells;
}

static double unit(const HeatLayout *L, double v) {
  return (v - L->vmin) / (L->vmax - L->vmin);
}

/* a number centred in its cell, white on dark cells, if it fits */
static void cell_number(PlotFigure *f, const PlotHeatmap *hm, double v,
                        double t, PlotRect c) {
  char buf[48];
  if (!isfinite(v)) snprintf(buf, sizeof buf, "nan");
  else snprintf(buf, sizeof buf, "%.*f", hm->decimals, v);
  if (strspn(buf, "-0.") == strlen(buf))     /* no "-0" */
    snprintf(buf, sizeof buf, "%.*f", hm->decimals, 0.0);
  double px = fmin(PLOT_PX_TICK, c.h * 0.45);
  double w = plot_text_width(buf, px);
  if (w > c.w - 3) px *= (c.w - 3) / w;
  if (px < 6) return;                          /* unreadable: skip */
  /* white on dark cells: Blues by position, other maps by luminance */
  PlotColor bg = plot_cmap(hm->cmap, t);
  double lum = 0.299 * bg.r + 0.587 * bg.g + 0.114 * bg.b;
  double g = (hm->cmap == PLOT_BLUES ? t > 0.5 : lum < 0.5) ? 1 : 0;
  cairo_set_source_rgb(f->cr, g, g, g);
  plot_text(f, buf, c.x + c.w / 2, c.y + c.h / 2, px, 0.5, 0.5, 0);
}

static void draw_cells(PlotFigure *f, const PlotHeatmap *hm,
                       const HeatLayout *L) {
  double cell = hm->cell;
  for (int i = 0; i < hm->rows; i++)
    for (int j = 0; j < hm->cols; j++) {
      double v = hm->v[(size_t)i * hm->cols + j], t = unit(L, v);
      PlotRect c = {L->cells.x + j * cell, L->cells.y + i * cell, cell, cell};
      PlotColor col = isfinite(v) ? plot_cmap(hm->cmap, t)
                                  : (PlotColor){1, 1, 1};
      cairo_set_source_rgb(f->cr, col.r, col.g, col.b);
      cairo_rectangle(f->cr, c.x, c.y, c.w, c.h);
      cairo_fill(f->cr);
      if (hm->decimals >= 0) cell_number(f, hm, v, t, c);
    }
}

static void draw_axes_labels(PlotFigure *f, const PlotHeatmap *hm,
                             const HeatLayout *L) {
  cairo_t *cr = f->cr;
  PlotRect g = L->cells;
  char buf[16];
  double cell = hm->cell;
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, g.x + 0.5, g.y + 0.5, g.w - 1, g.h - 1);
  for (int j = 0; j < hm->cols; j++) {
    double x = round(g.x + (j + 0.5) * cell) + 0.5;
    cairo_move_to(cr, x, g.y + g.h);
    cairo_line_to(cr, x, g.y + g.h + 4);
  }
  for (int i = 0; i < hm->rows; i++) {
    double y = round(g.y + (i + 0.5) * cell) + 0.5;
    cairo_move_to(cr, g.x, y);
    cairo_line_to(cr, g.x - 4, y);
  }
  cairo_stroke(cr);
  for (int j = 0; j < hm->cols; j++) {
    const char *s = label_of(hm->col_labels, j, buf);
    double x = g.x + (j + 0.5) * cell;
    if (L->slant)        /* matplotlib's rotation=45, ha="right" */
      plot_text(f, s, x + 3, g.y + g.h + 7, PLOT_PX_TICK, 1, 0, -M_PI / 4);
    else
      plot_text(f, s, x, g.y + g.h + 7, PLOT_PX_TICK, 0.5, 0, 0);
  }
  for (int i = 0; i < hm->rows; i++)
    plot_text(f, label_of(hm->row_labels, i, buf), g.x - 7,
              g.y + (i + 0.5) * cell, PLOT_PX_TICK, 1, 0.5, 0);
}

static void draw_titles(PlotFigure *f, const PlotHeatmap *hm,
                        const HeatLayout *L, PlotRect r) {
  PlotRect g = L->cells;
  double labh = L->slant ? (L->colw + PLOT_PX_TICK) * sqrt(0.5)
                         : PLOT_PX_TICK * 1.3;
  cairo_set_source_rgb(f->cr, 0, 0, 0);
  if (hm->title && *hm->title)
    plot_text_fit(f, hm->title, g.x + g.w / 2, g.y - 10, PLOT_PX_TITLE,
                  0.5, 1, r.w - 8);
  if (hm->xlabel && *hm->xlabel)
    plot_text(f, hm->xlabel, g.x + g.w / 2, g.y + g.h + 12 + labh,
              PLOT_PX_LABEL, 0.5, 0, 0);
  if (hm->ylabel && *hm->ylabel)
    plot_text(f, hm->ylabel, r.x + 10, g.y + g.h / 2, PLOT_PX_LABEL, 0.5,
              0, -M_PI / 2);
}

static void draw_colorbar(PlotFigure *f, const PlotHeatmap *hm,
                          const HeatLayout *L) {
  cairo_t *cr = f->cr;
  PlotRect b = L->bar;
  for (int y = 0; y < (int)b.h; y++) {       /* one colour a pixel row */
    PlotColor c = plot_cmap(hm->cmap, 1 - (y + 0.5) / b.h);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_rectangle(cr, b.x, b.y + y, b.w, 1);
    cairo_fill(cr);
  }
  double t[PLOT_MAXTICKS], step;
  char buf[32];
  int n = plot_nice_ticks(L->vmin, L->vmax, 6, 0, t, &step);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
  for (int i = 0; i < n; i++) {
    double y = round(b.y + b.h - unit(L, t[i]) * b.h) + 0.5;
    cairo_move_to(cr, b.x + b.w, y);
    cairo_line_to(cr, b.x + b.w + 4, y);
  }
  cairo_stroke(cr);
  for (int i = 0; i < n; i++) {
    plot_format_tick(t[i], step, buf, sizeof buf);
    plot_text(f, buf, b.x + b.w + 7, b.y + b.h - unit(L, t[i]) * b.h,
              PLOT_PX_TICK, 0, 0.5, 0);
  }
}

static int check_heatmap(const PlotHeatmap *hm, char *err) {
  if (!hm->v || hm->rows < 1 || hm->cols < 1 || hm->cell < 4 ||
      hm->decimals > 12) {
    snprintf(err, PLOT_ERRLEN, "a heat map needs values, rows >= 1, "
             "cols >= 1, cells of >= 4 pixels and <= 12 decimals");
    return -1;
  }
  if ((double)hm->rows * hm->cell > PLOT_MAXSIDE ||
      (double)hm->cols * hm->cell > PLOT_MAXSIDE) {
    snprintf(err, PLOT_ERRLEN, "a %dx%d heat map of %d-pixel cells is over "
             "%d pixels", hm->rows, hm->cols, hm->cell, PLOT_MAXSIDE);
    return -1;
  }
  return 0;
}

int plot_heatmap(PlotFigure *f, PlotRect r, const PlotHeatmap *hm,
                 char *err) {
  if (check_heatmap(hm, err)) return -1;
  HeatLayout L;
  heat_layout(hm, &L);
  cairo_save(f->cr);
  cairo_translate(f->cr, round(r.x), round(r.y));
  PlotRect local = {0, 0, r.w, r.h};
  draw_cells(f, hm, &L);
  draw_axes_labels(f, hm, &L);
  draw_titles(f, hm, &L, local);
  if (hm->colorbar) draw_colorbar(f, hm, &L);
  cairo_restore(f->cr);
  return 0;
}

int plot_save_heatmap(const char *path, const PlotHeatmap *hm, char *err) {
  if (check_heatmap(hm, err)) return -1;
  int w, h;
  plot_heatmap_size(hm, &w, &h);
  PlotFigure *f = plot_figure_new(w, h, err);
  if (!f) return -1;
  int rc = plot_heatmap(f, (PlotRect){0, 0, w, h}, hm, err);
  if (rc == 0) rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}
