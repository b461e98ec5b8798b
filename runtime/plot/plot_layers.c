/* plot_layers.c - what panels draw besides lines: scatter points, bars,
 * arrows, values on a grid (filled bands, smooth colour, class
 * regions), contour lines by marching squares, and colour bars. Each
 * draws inside a panel's frame (data -> pixel mapping) that plot_axes
 * sets up; the caller clips to the plotting area. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot.h"

/* ---- points, bars, arrows ------------------------------------------- */

void plot_marker_path(cairo_t *cr, PlotMarker m, double x, double y,
                      double r) {
  cairo_new_sub_path(cr);
  if (m == PLOT_MARK_CIRCLE) cairo_arc(cr, x, y, r, 0, 2 * M_PI);
  else if (m == PLOT_MARK_SQUARE) cairo_rectangle(cr, x - r, y - r, 2 * r,
                                                  2 * r);
  else if (m == PLOT_MARK_TRIANGLE) {
    cairo_move_to(cr, x, y - r * 1.2);
    cairo_line_to(cr, x + r * 1.1, y + r * 0.8);
    cairo_line_to(cr, x - r * 1.1, y + r * 0.8);
    cairo_close_path(cr);
  } else if (m == PLOT_MARK_DIAMOND) {
    cairo_move_to(cr, x, y - r * 1.25);
    cairo_line_to(cr, x + r * 0.9, y);
    cairo_line_to(cr, x, y + r * 1.25);
    cairo_line_to(cr, x - r * 0.9, y);
    cairo_close_path(cr);
  } else if (m == PLOT_MARK_X) {
    cairo_move_to(cr, x - r, y - r);
    cairo_line_to(cr, x + r, y + r);
    cairo_move_to(cr, x - r, y + r);
    cairo_line_to(cr, x + r, y - r);
  } else if (m == PLOT_MARK_PLUS) {
    cairo_move_to(cr, x - r * 1.2, y);
    cairo_line_to(cr, x + r * 1.2, y);
    cairo_move_to(cr, x, y - r * 1.2);
    cairo_line_to(cr, x, y + r * 1.2);
  }
}

int plot_marker_stroked(PlotMarker m) {
  return m == PLOT_MARK_X || m == PLOT_MARK_PLUS;
}

void plot_marker_finish(cairo_t *cr, PlotMarker m, double r) {
  if (!plot_marker_stroked(m)) { cairo_fill(cr); return; }
  cairo_save(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_line_width(cr, fmax(1.5, r * 0.45));
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_stroke(cr);
  cairo_restore(cr);
}

void plot_draw_points(PlotFigure *f, const PlotFrame *fr,
                      const PlotPoints *p) {
  cairo_t *cr = f->cr;
  PlotMarker m = p->marker == PLOT_MARK_NONE ? PLOT_MARK_CIRCLE : p->marker;
  double r = p->size > 0 ? p->size : 3.5;
  cairo_save(cr);
  cairo_set_line_width(cr, 0.6);
  for (int i = 0; i < p->n; i++) {
    double x = plot_fx(fr, p->x[i]), y = plot_fy(fr, p->y[i]);
    if (!isfinite(x) || !isfinite(y)) continue;
    if (x < fr->p.x - 2 * r || x > fr->p.x + fr->p.w + 2 * r ||
        y < fr->p.y - 2 * r || y > fr->p.y + fr->p.h + 2 * r) continue;
    PlotColor c = p->colors ? p->colors[i] : p->color;
    cairo_new_path(cr);
    plot_marker_path(cr, m, x, y, r);
    cairo_set_source_rgba(cr, c.r, c.g, c.b, p->alpha);
    if (plot_marker_stroked(m)) {
      plot_marker_finish(cr, m, r);
    } else if (p->edge) {
      cairo_fill_preserve(cr);
      cairo_set_source_rgba(cr, 0.1, 0.1, 0.1, fmax(p->alpha, 0.6));
      cairo_stroke(cr);
    } else {
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
}

void plot_draw_bars(PlotFigure *f, const PlotFrame *fr, const PlotBars *b) {
  cairo_t *cr = f->cr;
  cairo_save(cr);
  for (int i = 0; i < b->n; i++) {
    const double *r = b->rect + 4 * i;
    double x0 = plot_fx(fr, fmin(r[0], r[1])), x1 = plot_fx(fr, fmax(r[0], r[1]));
    double y0 = plot_fy(fr, fmax(r[2], r[3])), y1 = plot_fy(fr, fmin(r[2], r[3]));
    if (!isfinite(x0 + x1 + y0 + y1)) continue;
    /* keep far-off ends inside cairo's fixed-point range */
    x0 = fmax(x0, fr->p.x - 10);
    x1 = fmin(x1, fr->p.x + fr->p.w + 10);
    y0 = fmax(y0, fr->p.y - 10);
    y1 = fmin(y1, fr->p.y + fr->p.h + 10);
    if (x1 <= x0 || y1 < y0) continue;
    cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
    cairo_set_source_rgba(cr, b->color.r, b->color.g, b->color.b, b->alpha);
    if (x1 - x0 > 6) {           /* a white seam between touching bars */
      cairo_fill_preserve(cr);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_set_line_width(cr, 0.8);
      cairo_stroke(cr);
    } else {
      cairo_fill(cr);
    }
    if (b->values && isfinite(b->values[i])) {
      char buf[48];
      snprintf(buf, sizeof buf, "%.*f", b->decimals, b->values[i]);
      double up = r[3] >= r[2];
      cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
      plot_text(f, buf, (x0 + x1) / 2, up ? y0 - 3 : y1 + 3, PLOT_PX_TICK - 1,
                0.5, up ? 1 : 0, 0);
    }
  }
  cairo_restore(cr);
}

void plot_draw_arrows(PlotFigure *f, const PlotFrame *fr,
                      const PlotArrows *a) {
  cairo_t *cr = f->cr;
  double lw = a->width > 0 ? a->width : 1.8, head = 4 + 3 * lw;
  cairo_save(cr);
  cairo_set_source_rgb(cr, a->color.r, a->color.g, a->color.b);
  cairo_set_line_width(cr, lw);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (int i = 0; i < a->n; i++) {
    const double *g = a->seg + 4 * i;
    double x0 = plot_fx(fr, g[0]), y0 = plot_fy(fr, g[1]);
    double x1 = plot_fx(fr, g[2]), y1 = plot_fy(fr, g[3]);
    if (!isfinite(x0 + y0 + x1 + y1)) continue;
    if (fmax(fabs(x0), fabs(x1)) > 1e5 || fmax(fabs(y0), fabs(y1)) > 1e5)
      continue;
    double len = hypot(x1 - x0, y1 - y0);
    if (len < 1e-9) continue;
    double ux = (x1 - x0) / len, uy = (y1 - y0) / len;
    double h = fmin(head, len * 0.6);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1 - ux * h * 0.8, y1 - uy * h * 0.8);
    cairo_stroke(cr);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x1 - ux * h - uy * h * 0.45, y1 - uy * h + ux * h * 0.45);
    cairo_line_to(cr, x1 - ux * h + uy * h * 0.45, y1 - uy * h - ux * h * 0.45);
    cairo_close_path(cr);
    cairo_fill(cr);
  }
  cairo_restore(cr);
}

void plot_draw_texts(PlotFigure *f, const PlotFrame *fr,
                     const PlotTexts *t) {
  cairo_set_source_rgb(f->cr, t->color.r, t->color.g, t->color.b);
  for (int i = 0; i < t->n; i++) {
    double x = plot_fx(fr, t->x[i]), y = plot_fy(fr, t->y[i]);
    if (!isfinite(x) || !isfinite(y) || fabs(x) > 1e5 || fabs(y) > 1e5 ||
        !t->text[i])
      continue;
    plot_text(f, t->text[i], x, y, t->px > 0 ? t->px : PLOT_PX_TICK, t->ha,
              t->va, 0);
  }
}

/* ---- values on a grid ----------------------------------------------- */

/* band of v among the levels: 0 below levels[1], nlevels - 2 at the top */
static int band_of(const double *levels, int n, double v) {
  int k = 0;
  while (k < n - 2 && v >= levels[k + 1]) k++;
  return k;
}

static PlotColor band_color(PlotCmap map, int k, int n) {
  return plot_cmap(map, n > 2 ? (double)k / (n - 2) : 0.5);
}

/* the class at (c, r) with the most bilinear weight among the cell's
 * four corners: boundaries run smoothly between grid points, where
 * nearest sampling would leave a staircase */
static double vote(const PlotRaster *g, double c, double r) {
  int j = (int)fmin(floor(c), g->cols - 2), i = (int)fmin(floor(r),
                                                          g->rows - 2);
  double u = c - j, w = r - i;
  const double *a = g->v + (size_t)i * g->cols + j, *b = a + g->cols;
  double id[4] = {a[0], a[1], b[0], b[1]};
  double wt[4] = {(1 - u) * (1 - w), u * (1 - w), (1 - u) * w, u * w};
  double best = id[0], most = -1;
  for (int k = 0; k < 4; k++) {
    double sum = 0;
    for (int m = 0; m < 4; m++) if (id[m] == id[k]) sum += wt[m];
    if (sum > most) { most = sum; best = id[k]; }
  }
  return best;
}

/* the value at fractional grid position (c, r) */
static double sample(const PlotRaster *g, double c, double r) {
  if (g->smooth && g->classes) return vote(g, c, r);
  if (!g->smooth) {
    int j = (int)lround(c), i = (int)lround(r);
    return g->v[(size_t)i * g->cols + j];
  }
  int j = (int)fmin(floor(c), g->cols - 2), i = (int)fmin(floor(r),
                                                          g->rows - 2);
  double u = c - j, w = r - i;
  const double *a = g->v + (size_t)i * g->cols + j, *b = a + g->cols;
  return (a[0] * (1 - u) + a[1] * u) * (1 - w) +
         (b[0] * (1 - u) + b[1] * u) * w;
}

static PlotColor raster_color(const PlotRaster *g, double v, int *ok) {
  *ok = isfinite(v);
  if (!*ok) return (PlotColor){1, 1, 1};
  if (g->classes) {
    int k = (int)lround(v);
    *ok = k >= 0 && k < g->nclasses;
    return *ok ? plot_lighten(g->classes[k], g->lighten) : (PlotColor){1, 1, 1};
  }
  if (g->nlevels >= 2)
    return band_color(g->cmap, band_of(g->levels, g->nlevels, v), g->nlevels);
  double span = g->vmax - g->vmin;
  return plot_cmap(g->cmap, span > 0 ? (v - g->vmin) / span : 0.5);
}

void plot_draw_raster(PlotFigure *f, const PlotFrame *fr,
                      const PlotRaster *g) {
  int w = (int)ceil(fr->p.w), h = (int)ceil(fr->p.h);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return;
  }
  unsigned char *base = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  for (int py = 0; py < h; py++) {
    uint32_t *row = (uint32_t *)(base + (size_t)py * stride);
    double y = fr->y1 - (py + 0.5) / fr->p.h * (fr->y1 - fr->y0);
    double r = (y - g->y0) / (g->y1 - g->y0) * (g->rows - 1);
    for (int px = 0; px < w; px++) {
      double x = fr->x0 + (px + 0.5) / fr->p.w * (fr->x1 - fr->x0);
      double c = (x - g->x0) / (g->x1 - g->x0) * (g->cols - 1);
      row[px] = 0;
      if (!(c >= -0.5 && c <= g->cols - 0.5 && r >= -0.5 &&
            r <= g->rows - 0.5)) continue;
      if (g->smooth) {
        c = fmin(fmax(c, 0), g->cols - 1);
        r = fmin(fmax(r, 0), g->rows - 1);
      }
      int ok;
      PlotColor col = raster_color(g, sample(g, c, g->smooth ? r
                                             : fmin(fmax(r, 0), g->rows - 1)),
                                   &ok);
      if (!ok) continue;
      row[px] = 0xffu << 24 | (uint32_t)lround(col.r * 255) << 16 |
                (uint32_t)lround(col.g * 255) << 8 |
                (uint32_t)lround(col.b * 255);
    }
  }
  cairo_surface_mark_dirty(s);
  cairo_save(f->cr);
  cairo_set_source_surface(f->cr, s, fr->p.x, fr->p.y);
  cairo_rectangle(f->cr, fr->p.x, fr->p.y, w, h);
  cairo_fill(f->cr);
  cairo_restore(f->cr);
  cairo_surface_destroy(s);
}

/* ---- contour lines -------------------------------------------------- */

/* where the edge from corner a (value va at (ca, ra)) to corner b
 * crosses level */
static void cross(double va, double vb, double level, double ca, double ra,
                  double cb, double rb, double *c, double *r) {
  double t = vb != va ? (level - va) / (vb - va) : 0.5;
  *c = ca + (cb - ca) * t;
  *r = ra + (rb - ra) * t;
}

int plot_contour_segments(const double *v, int rows, int cols, double level,
                          double *seg, int cap) {
  int n = 0;
  for (int i = 0; i + 1 < rows; i++)
    for (int j = 0; j + 1 < cols; j++) {
      /* corners counter-clockwise from (j, i): their grid positions */
      const double cc[4] = {j, j + 1, j + 1, j}, rr[4] = {i, i, i + 1, i + 1};
      double q[4] = {v[(size_t)i * cols + j], v[(size_t)i * cols + j + 1],
                     v[(size_t)(i + 1) * cols + j + 1],
                     v[(size_t)(i + 1) * cols + j]};
      if (!isfinite(q[0] + q[1] + q[2] + q[3])) continue;
      double ec[4], er[4];           /* crossing on edge k (k to k + 1) */
      int up[4], crossed[4], nc = 0;
      for (int k = 0; k < 4; k++) up[k] = q[k] >= level;
      for (int k = 0; k < 4; k++) {
        int l = (k + 1) % 4;
        crossed[k] = up[k] != up[l];
        if (crossed[k]) {
          cross(q[k], q[l], level, cc[k], rr[k], cc[l], rr[l], &ec[k], &er[k]);
          nc++;
        }
      }
      int pair[2][2], np = 0;
      if (nc == 2) {
        int a = -1, b = -1;
        for (int k = 0; k < 4; k++)
          if (crossed[k]) { if (a < 0) a = k; else b = k; }
        pair[0][0] = a;
        pair[0][1] = b;
        np = 1;
      } else if (nc == 4) {
        /* a saddle: the centre joins the corners on its side. Edge k
         * runs from corner k to k + 1, so corner k lies between edges
         * k - 1 and k; cut off the two corners unlike the centre. */
        int centre = (q[0] + q[1] + q[2] + q[3]) / 4 >= level;
        int first = up[0] != centre ? 0 : 1;      /* corners first, +2 */
        for (int m = 0; m < 2; m++) {
          int k = first + 2 * m;
          pair[m][0] = (k + 3) % 4;
          pair[m][1] = k;
        }
        np = 2;
      }
      for (int m = 0; m < np; m++, n++) {
        if (n >= cap) continue;
        double *s = seg + 4 * (size_t)n;
        s[0] = ec[pair[m][0]];
        s[1] = er[pair[m][0]];
        s[2] = ec[pair[m][1]];
        s[3] = er[pair[m][1]];
      }
    }
  return n;
}

int plot_contour_levels(double lo, double hi, int n, double *levels,
                        int cap) {
  if (!isfinite(lo) || !isfinite(hi) || cap < 2) return 0;
  if (lo > hi) { double t = lo; lo = hi; hi = t; }
  if (lo == hi) { lo -= 0.5; hi += 0.5; }
  double t[PLOT_MAXTICKS], step;
  int k = plot_nice_ticks(lo, hi, n < 2 ? 2 : n, 0, t, &step);
  if (k < 1) return 0;
  int m = 0;
  if (t[0] > lo + 1e-12 * fabs(step)) levels[m++] = t[0] - step;
  for (int i = 0; i < k && m < cap; i++) levels[m++] = t[i];
  if (levels[m - 1] < hi - 1e-12 * fabs(step) && m < cap)
    levels[m] = levels[m - 1] + step, m++;
  for (int i = 0; i < m; i++) if (fabs(levels[i]) < 1e-12 * step) levels[i] = 0;
  return m;
}

int plot_draw_contour(PlotFigure *f, const PlotFrame *fr,
                      const PlotRaster *g, const PlotContour *c, char *err) {
  int cap = 2 * (g->rows - 1) * (g->cols - 1);
  double *seg = malloc((size_t)cap * 4 * sizeof *seg);
  if (!seg) { snprintf(err, PLOT_ERRLEN, "out of memory"); return -1; }
  cairo_t *cr = f->cr;
  cairo_save(cr);
  cairo_set_line_width(cr, c->width > 0 ? c->width : 1.2);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  double sx = (g->x1 - g->x0) / (g->cols - 1);
  double sy = (g->y1 - g->y0) / (g->rows - 1);
  for (int l = 0; l < c->nlevels; l++) {
    int n = plot_contour_segments(g->v, g->rows, g->cols, c->levels[l],
                                  seg, cap);
    if (n > cap) n = cap;
    double span = c->vmax - c->vmin;
    PlotColor col = c->mono ? c->color
        : plot_cmap(c->cmap, span > 0 ? (c->levels[l] - c->vmin) / span : 0.5);
    cairo_set_source_rgb(cr, col.r, col.g, col.b);
    for (int i = 0; i < n; i++) {
      const double *s = seg + 4 * (size_t)i;
      cairo_move_to(cr, plot_fx(fr, g->x0 + s[0] * sx),
                    plot_fy(fr, g->y0 + s[1] * sy));
      cairo_line_to(cr, plot_fx(fr, g->x0 + s[2] * sx),
                    plot_fy(fr, g->y0 + s[3] * sy));
    }
    cairo_stroke(cr);
  }
  cairo_restore(cr);
  free(seg);
  return 0;
}

/* ---- colour bars ---------------------------------------------------- */

static int bar_ticks(const PlotColorbar *cb, double *t, double *step) {
  if (cb->levels && cb->nlevels >= 2) {
    int n = cb->nlevels < PLOT_MAXTICKS ? cb->nlevels : PLOT_MAXTICKS;
    /* every level while they fit, else every other one */
    int every = n > 12 ? 2 : 1, m = 0;
    for (int i = 0; i < n; i += every) t[m++] = cb->levels[i];
    *step = cb->levels[1] - cb->levels[0];
    return m;
  }
  return plot_nice_ticks(cb->vmin, cb->vmax, 7, 0, t, step);
}

#define CB_LABEL_GAP 8.0   /* between the tick numbers and the label */

double plot_colorbar_width(const PlotColorbar *cb) {
  double t[PLOT_MAXTICKS], step, w = 0;
  char buf[32];
  int n = bar_ticks(cb, t, &step);
  for (int i = 0; i < n; i++) {
    plot_format_tick(t[i], step, buf, sizeof buf);
    w = fmax(w, plot_text_width(buf, PLOT_PX_TICK));
  }
  /* gap, bar, tick marks, numbers, then the label's line (set right of
   * the numbers by plot_draw_colorbar) */
  return 16 + 16 + 7 + w + (cb->label && *cb->label ? CB_LABEL_GAP +
                                                      PLOT_PX_LABEL * 1.5
                                                    : 4);
}

void plot_draw_colorbar(PlotFigure *f, PlotRect b, const PlotColorbar *cb) {
  cairo_t *cr = f->cr;
  double lo = cb->vmin, hi = cb->vmax;
  int banded = cb->levels && cb->nlevels >= 2;
  if (banded) { lo = cb->levels[0]; hi = cb->levels[cb->nlevels - 1]; }
  if (!(hi > lo)) hi = lo + 1;
  for (int y = 0; y < (int)b.h; y++) {       /* one colour a pixel row */
    double v = hi - (y + 0.5) / b.h * (hi - lo);
    PlotColor c = banded
        ? band_color(cb->cmap, band_of(cb->levels, cb->nlevels, v), cb->nlevels)
        : plot_cmap(cb->cmap, (v - lo) / (hi - lo));
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_rectangle(cr, b.x, b.y + y, b.w, 1);
    cairo_fill(cr);
  }
  double t[PLOT_MAXTICKS], step, maxw = 0;
  char buf[32];
  int n = bar_ticks(cb, t, &step);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
  for (int i = 0; i < n; i++) {
    double y = round(b.y + b.h - (t[i] - lo) / (hi - lo) * b.h) + 0.5;
    cairo_move_to(cr, b.x + b.w, y);
    cairo_line_to(cr, b.x + b.w + 4, y);
  }
  cairo_stroke(cr);
  for (int i = 0; i < n; i++) {
    plot_format_tick(t[i], step, buf, sizeof buf);
    maxw = fmax(maxw, plot_text_width(buf, PLOT_PX_TICK));
    plot_text(f, buf, b.x + b.w + 7, b.y + b.h - (t[i] - lo) / (hi - lo) * b.h,
              PLOT_PX_TICK, 0, 0.5, 0);
  }
  /* read bottom to top as matplotlib's, its top edge to the left: the
   * line lies wholly right of the numbers */
  if (cb->label && *cb->label)
    plot_text(f, cb->label, b.x + b.w + 7 + maxw + CB_LABEL_GAP, b.y + b.h / 2,
              PLOT_PX_LABEL, 0.5, 0, -M_PI / 2);
}
