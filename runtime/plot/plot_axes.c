/* plot_axes.c - line-chart panels: data range, nice ticks, grid, lines
 * with markers, spines, labels, a legend placed where it hides the
 * fewest points (matplotlib's loc="best"), and figures of panels. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot/plot.h"

typedef PlotFrame Frame;
#define fx plot_fx
#define fy plot_fy

void plot_axes_init(PlotAxes *a) {
  memset(a, 0, sizeof *a);
  a->xlim[0] = a->xlim[1] = a->ylim[0] = a->ylim[1] = NAN;
  a->legend = a->grid = 1;
}

static void widen(double *lo, double *hi, double x, double y) {
  if (!isfinite(x) || !isfinite(y)) return;
  if (x < *lo) *lo = x;
  if (x > *hi) *hi = x;
}

/* min and max of the finite x (axis 0) or y (axis 1) values */
static void data_range(const PlotAxes *a, int axis, double *lo,
                       double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int s = 0; s < a->nseries; s++) {
    const PlotSeries *se = &a->series[s];
    for (int i = 0; i < se->n; i++)
      widen(lo, hi, axis ? se->y[i] : se->x[i], se->x[i] + se->y[i]);
  }
  for (int s = 0; s < a->npoints; s++) {
    const PlotPoints *p = &a->points[s];
    for (int i = 0; i < p->n; i++)
      widen(lo, hi, axis ? p->y[i] : p->x[i], p->x[i] + p->y[i]);
  }
  for (int s = 0; s < a->nbars; s++) {
    const PlotBars *b = &a->bars[s];
    for (int i = 0; i < b->n; i++) {
      const double *r = b->rect + 4 * i;
      double sum = r[0] + r[1] + r[2] + r[3];
      widen(lo, hi, r[2 * axis], sum);
      widen(lo, hi, r[2 * axis + 1], sum);
    }
  }
  for (int s = 0; s < a->ntexts; s++) {
    const PlotTexts *t = &a->texts[s];
    for (int i = 0; i < t->n; i++)
      widen(lo, hi, axis ? t->y[i] : t->x[i], t->x[i] + t->y[i]);
  }
  for (int s = 0; s < a->narrows; s++) {
    const PlotArrows *w = &a->arrows[s];
    for (int i = 0; i < w->n; i++) {
      const double *g = w->seg + 4 * i;
      double sum = g[0] + g[1] + g[2] + g[3];
      widen(lo, hi, g[axis], sum);
      widen(lo, hi, g[2 + axis], sum);
    }
  }
}

/* bars standing on 0 keep 0 as the edge of the view (matplotlib's
 * sticky edges); 1 when every bar starts at y = 0 */
static int bars_on_zero(const PlotAxes *a) {
  int any = 0;
  for (int s = 0; s < a->nbars; s++)
    for (int i = 0; i < a->bars[s].n; i++) {
      if (a->bars[s].rect[4 * i + 2] != 0) return 0;
      any = 1;
    }
  return any;
}

static int view(const PlotAxes *a, int axis, double *lo, double *hi,
                char *err) {
  const double *lim = axis ? a->ylim : a->xlim;
  if (isfinite(lim[0]) && isfinite(lim[1])) {
    if (!(lim[0] < lim[1])) {
      snprintf(err, PLOT_ERRLEN, "%slim: %g..%g is empty", axis ? "y" : "x",
               lim[0], lim[1]);
      return -1;
    }
    *lo = lim[0];
    *hi = lim[1];
    return 0;
  }
  double dlo, dhi;
  const PlotRaster *r = a->raster;
  if (r) {             /* a grid fills the panel, as contourf's does */
    dlo = axis ? r->y0 : r->x0;
    dhi = axis ? r->y1 : r->x1;
    *lo = fmin(dlo, dhi);
    *hi = fmax(dlo, dhi);
  } else {
    data_range(a, axis, &dlo, &dhi);
    plot_view_range(dlo, dhi, axis == 0 && a->integer_x, lo, hi);
    if (axis == 1 && bars_on_zero(a)) {
      if (dlo >= 0 && dhi > 0) *lo = 0;
      else if (dhi <= 0 && dlo < 0) *hi = 0;
    }
  }
  if (isfinite(lim[0])) *lo = lim[0];   /* one end fixed by the caller */
  if (isfinite(lim[1])) *hi = lim[1];
  if (!(*lo < *hi)) {
    snprintf(err, PLOT_ERRLEN, "%slim leaves an empty range",
             axis ? "y" : "x");
    return -1;
  }
  return 0;
}

typedef struct {
  int n;
  double v[PLOT_MAXTICKS], step;
  char s[PLOT_MAXTICKS][32];
  double maxw;                   /* widest label */
  int slant;                     /* x labels at 45 degrees (categories) */
} Ticks;

static void make_ticks(Ticks *t, double lo, double hi, int max, int integer) {
  t->slant = 0;
  t->n = plot_nice_ticks(lo, hi, max, integer, t->v, &t->step);
  t->maxw = 0;
  for (int i = 0; i < t->n; i++) {
    plot_format_tick(t->v[i], t->step, t->s[i], sizeof t->s[i]);
    t->maxw = fmax(t->maxw, plot_text_width(t->s[i], PLOT_PX_TICK));
  }
}

static int clampi(int v, int lo, int hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* Margins from what surrounds the plotting area: y tick labels set the
 * left one, so the y ticks come first, the x ticks fit the rest. */
/* the caller's ticks at their labels (categories of a bar chart) */
static void fixed_ticks(Ticks *t, const PlotAxes *a) {
  t->n = a->nxticks < PLOT_MAXTICKS ? a->nxticks : PLOT_MAXTICKS;
  t->step = 1;
  t->maxw = 0;
  t->slant = 0;
  for (int i = 0; i < t->n; i++) {
    t->v[i] = a->xticks[i];
    snprintf(t->s[i], sizeof t->s[i], "%s",
             a->xticklabels && a->xticklabels[i] ? a->xticklabels[i] : "");
    t->maxw = fmax(t->maxw, plot_text_width(t->s[i], PLOT_PX_TICK));
  }
}

/* height the x tick labels take below the plotting area */
static double xlabels_height(const Ticks *xt) {
  return xt->slant ? (xt->maxw + PLOT_PX_TICK) * sqrt(0.5) + 4
                   : PLOT_PX_TICK * 1.4;
}

static PlotRect layout(const PlotAxes *a, PlotRect r, const Frame *fr,
                       Ticks *xt, Ticks *yt) {
  double top = 10 + (a->title && *a->title ? PLOT_PX_TITLE * 2 : 0);
  xt->slant = 0;
  if (a->nxticks > 0 && !a->noaxis) {
    /* category names slant when they do not fit side by side */
    fixed_ticks(xt, a);
    double room = (r.w - 100) / (xt->n > 0 ? xt->n : 1);
    xt->slant = xt->maxw + 10 > room;
  }
  double bottom = 8 + xlabels_height(xt) + 10 +
                  (a->xlabel && *a->xlabel ? PLOT_PX_LABEL * 1.8 : 0);
  double h = r.h - top - bottom;
  double right = 20 + (a->colorbar.on ? plot_colorbar_width(&a->colorbar)
                                      : 0);
  if (a->noaxis) {
    xt->n = yt->n = 0;
    xt->maxw = yt->maxw = 0;
    return (PlotRect){round(r.x + 20), round(r.y + top), round(r.w - 20 -
                      right), round(r.h - top - 20)};
  }
  make_ticks(yt, fr->y0, fr->y1, clampi((int)(h / 45), 3, 10),
             a->integer_y);
  double left = 12 + yt->maxw + 8 +
                (a->ylabel && *a->ylabel ? PLOT_PX_LABEL * 1.9 : 0);
  double w = r.w - left - right;
  int max = clampi((int)(w / 70), 3, 10);
  if (a->nxticks > 0) {
    int slant = xt->slant;
    fixed_ticks(xt, a);
    xt->slant = slant;
  } else do {  /* fewer ticks until the labels leave gaps between them */
    make_ticks(xt, fr->x0, fr->x1, max, a->integer_x);
  } while (xt->n * (xt->maxw + 12) > w && --max >= 2);
  return (PlotRect){round(r.x + left), round(r.y + top), round(w),
                    round(h)};
}

/* one data unit as many pixels on both axes: the view grows on the
 * axis whose unit is larger (matplotlib's adjustable="datalim") */
static void equalize(Frame *fr) {
  double sx = fr->p.w / (fr->x1 - fr->x0), sy = fr->p.h / (fr->y1 - fr->y0);
  if (sx > sy) {
    double half = fr->p.w / sy / 2, c = (fr->x0 + fr->x1) / 2;
    fr->x0 = c - half;
    fr->x1 = c + half;
  } else {
    double half = fr->p.h / sx / 2, c = (fr->y0 + fr->y1) / 2;
    fr->y0 = c - half;
    fr->y1 = c + half;
  }
}

/* ---- lines ---------------------------------------------------------- */

/* Liang-Barsky: clip segment (x0,y0)-(x1,y1) to b; 0 if outside. Far
 * away points would overflow cairo's fixed-point coordinates. */
static int clip_seg(PlotRect b, double *x0, double *y0, double *x1,
                    double *y1) {
  double dx = *x1 - *x0, dy = *y1 - *y0, t0 = 0, t1 = 1;
  double p[4] = {-dx, dx, -dy, dy};
  double q[4] = {*x0 - b.x, b.x + b.w - *x0, *y0 - b.y, b.y + b.h - *y0};
  for (int i = 0; i < 4; i++) {
    if (p[i] == 0) { if (q[i] < 0) return 0; continue; }
    double t = q[i] / p[i];
    if (p[i] < 0) { if (t > t1) return 0; if (t > t0) t0 = t; }
    else { if (t < t0) return 0; if (t < t1) t1 = t; }
  }
  double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy;
  *x1 = *x0 + t1 * dx;
  *y1 = *y0 + t1 * dy;
  *x0 = ax;
  *y0 = ay;
  return 1;
}

static void set_line(cairo_t *cr, const PlotSeries *s) {
  static const double dash[] = {7, 4};
  cairo_set_source_rgb(cr, s->color.r, s->color.g, s->color.b);
  cairo_set_line_width(cr, 2);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_dash(cr, dash, s->dashed ? 2 : 0, 0);
}

static void draw_line(cairo_t *cr, const Frame *fr, const PlotSeries *s) {
  PlotRect b = {fr->p.x - 50, fr->p.y - 50, fr->p.w + 100, fr->p.h + 100};
  double px = NAN, py = NAN, penx = NAN, peny = NAN;
  set_line(cr, s);
  cairo_new_path(cr);
  for (int i = 0; i < s->n; i++) {
    double x = fx(fr, s->x[i]), y = fy(fr, s->y[i]);
    int okp = isfinite(x) && isfinite(y);
    if (okp && isfinite(px)) {
      double x0 = px, y0 = py, x1 = x, y1 = y;
      if (clip_seg(b, &x0, &y0, &x1, &y1)) {
        if (x0 != penx || y0 != peny) cairo_move_to(cr, x0, y0);
        cairo_line_to(cr, x1, y1);
        penx = x1;
        peny = y1;
      }
    }
    px = okp ? x : NAN;
    py = okp ? y : NAN;
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
}

static void marker_at(cairo_t *cr, PlotMarker m, double x, double y) {
  plot_marker_path(cr, m, x, y, 3.5);
}

static void draw_markers(cairo_t *cr, const Frame *fr, const PlotSeries *s) {
  if (s->marker == PLOT_MARK_NONE) return;
  cairo_new_path(cr);
  for (int i = 0; i < s->n; i++) {
    double x = fx(fr, s->x[i]), y = fy(fr, s->y[i]);
    if (!isfinite(x) || !isfinite(y)) continue;
    if (x < fr->p.x - 5 || x > fr->p.x + fr->p.w + 5 || y < fr->p.y - 5 ||
        y > fr->p.y + fr->p.h + 5) continue;
    marker_at(cr, s->marker, x, y);
  }
  cairo_set_source_rgb(cr, s->color.r, s->color.g, s->color.b);
  plot_marker_finish(cr, s->marker, 3.5);
}

/* ---- frame, ticks, labels ------------------------------------------- */

static void draw_grid(cairo_t *cr, const Frame *fr, const Ticks *xt,
                      const Ticks *yt) {
  cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
  cairo_set_line_width(cr, 1);
  for (int i = 0; i < xt->n; i++) {
    double x = round(fx(fr, xt->v[i])) + 0.5;
    cairo_move_to(cr, x, fr->p.y);
    cairo_line_to(cr, x, fr->p.y + fr->p.h);
  }
  for (int i = 0; i < yt->n; i++) {
    double y = round(fy(fr, yt->v[i])) + 0.5;
    cairo_move_to(cr, fr->p.x, y);
    cairo_line_to(cr, fr->p.x + fr->p.w, y);
  }
  cairo_stroke(cr);
}

static void draw_ticks(PlotFigure *f, const Frame *fr, const Ticks *xt,
                       const Ticks *yt) {
  cairo_t *cr = f->cr;
  PlotRect p = fr->p;
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, p.x + 0.5, p.y + 0.5, p.w - 1, p.h - 1);
  for (int i = 0; i < xt->n; i++) {
    double x = round(fx(fr, xt->v[i])) + 0.5;
    cairo_move_to(cr, x, p.y + p.h);
    cairo_line_to(cr, x, p.y + p.h + 4);
  }
  for (int i = 0; i < yt->n; i++) {
    double y = round(fy(fr, yt->v[i])) + 0.5;
    cairo_move_to(cr, p.x, y);
    cairo_line_to(cr, p.x - 4, y);
  }
  cairo_stroke(cr);
  for (int i = 0; i < xt->n; i++) {
    double x = round(fx(fr, xt->v[i])) + 0.5;
    if (xt->slant)             /* matplotlib's rotation=45, ha="right" */
      plot_text(f, xt->s[i], x + 3, p.y + p.h + 7, PLOT_PX_TICK, 1, 0,
                -M_PI / 4);
    else
      plot_text(f, xt->s[i], x, p.y + p.h + 7, PLOT_PX_TICK, 0.5, 0, 0);
  }
  for (int i = 0; i < yt->n; i++)
    plot_text(f, yt->s[i], p.x - 7, round(fy(fr, yt->v[i])) + 0.5,
              PLOT_PX_TICK, 1, 0.5, 0);
}

static void draw_labels(PlotFigure *f, const PlotAxes *a, PlotRect p,
                        const Ticks *xt, const Ticks *yt) {
  cairo_set_source_rgb(f->cr, 0, 0, 0);
  if (a->title && *a->title)
    plot_text_fit(f, a->title, p.x + p.w / 2, p.y - 8, PLOT_PX_TITLE, 0.5,
                  1, p.w + 40);
  if (a->xlabel && *a->xlabel)
    plot_text_fit(f, a->xlabel, p.x + p.w / 2,
                  p.y + p.h + 10 + xlabels_height(xt), PLOT_PX_LABEL, 0.5,
                  0, p.w);
  if (a->ylabel && *a->ylabel)
    plot_text(f, a->ylabel, p.x - 12 - yt->maxw, p.y + p.h / 2,
              PLOT_PX_LABEL, 0.5, 1, -M_PI / 2);
}

/* ---- legend --------------------------------------------------------- */

/* A legend entry: a line (series, arrows), a marker (points) or a
 * patch (bars). */
typedef enum { ENTRY_LINE, ENTRY_POINT, ENTRY_PATCH, ENTRY_ARROW } EntryKind;
typedef struct {
  EntryKind kind;
  const void *item;
  const char *label;
} Entry;

#define MAX_ENTRIES 64

typedef struct {
  double w, h, lh;
  int n;
  Entry e[MAX_ENTRIES];
} Legend;

static void add_entry(Legend *lg, EntryKind k, const void *item,
                      const char *label) {
  if (!label || !*label || lg->n >= MAX_ENTRIES) return;
  lg->e[lg->n++] = (Entry){k, item, label};
}

static void legend_size(const PlotAxes *a, Legend *lg) {
  double tw = 0;
  lg->n = 0;
  for (int s = 0; s < a->nseries; s++)
    add_entry(lg, ENTRY_LINE, &a->series[s], a->series[s].label);
  for (int s = 0; s < a->npoints; s++)
    add_entry(lg, ENTRY_POINT, &a->points[s], a->points[s].label);
  for (int s = 0; s < a->nbars; s++)
    add_entry(lg, ENTRY_PATCH, &a->bars[s], a->bars[s].label);
  for (int s = 0; s < a->narrows; s++)
    add_entry(lg, ENTRY_ARROW, &a->arrows[s], a->arrows[s].label);
  for (int i = 0; i < lg->n; i++)
    tw = fmax(tw, plot_text_width(lg->e[i].label, PLOT_PX_TICK));
  lg->lh = PLOT_PX_TICK * 1.6;
  lg->w = 10 + 28 + 8 + tw + 10;
  lg->h = 8 + lg->n * lg->lh + 4;
}

static int inside(PlotRect b, double x, double y) {
  return x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
}

/* scatter points and bar areas (a 5x5 sample each) inside box b */
static int hidden_marks(const Frame *fr, const PlotAxes *a, PlotRect b) {
  int count = 0;
  for (int s = 0; s < a->npoints; s++) {
    const PlotPoints *p = &a->points[s];
    for (int i = 0; i < p->n; i++)
      count += 4 * inside(b, fx(fr, p->x[i]), fy(fr, p->y[i]));
  }
  for (int s = 0; s < a->nbars; s++) {
    const PlotBars *br = &a->bars[s];
    for (int i = 0; i < br->n; i++) {
      const double *r = br->rect + 4 * i;
      for (int u = 0; u < 5; u++)
        for (int v = 0; v < 5; v++)
          count += inside(b, fx(fr, r[0] + (r[1] - r[0]) * u / 4),
                          fy(fr, r[2] + (r[3] - r[2]) * v / 4));
    }
  }
  return count;
}

/* points of the lines (sampled every few pixels) inside box b */
static int hidden(const Frame *fr, const PlotAxes *a, PlotRect b) {
  int count = 0;
  for (int s = 0; s < a->nseries; s++) {
    const PlotSeries *se = &a->series[s];
    for (int i = 0; i < se->n; i++) {
      double x = fx(fr, se->x[i]), y = fy(fr, se->y[i]);
      double nx = i + 1 < se->n ? fx(fr, se->x[i + 1]) : x;
      double ny = i + 1 < se->n ? fy(fr, se->y[i + 1]) : y;
      if (!isfinite(x + y)) continue;
      if (!isfinite(nx + ny)) { nx = x; ny = y; }
      int k = (int)fmin(200, hypot(nx - x, ny - y) / 4) + 1;
      for (int j = 0; j < k; j++) {
        double px = x + (nx - x) * j / k, py = y + (ny - y) * j / k;
        count += inside(b, px, py);
      }
    }
  }
  return count + hidden_marks(fr, a, b);
}

static PlotRect legend_place(const Frame *fr, const PlotAxes *a,
                             const Legend *lg) {
  /* matplotlib's order: upper right, upper left, lower left, lower
   * right, right, centre left, centre right, lower centre, upper centre */
  static const double spot[][2] = {{1, 0}, {0, 0}, {0, 1}, {1, 1},
    {1, 0.5}, {0, 0.5}, {1, 0.5}, {0.5, 1}, {0.5, 0}};
  PlotRect p = fr->p, best = {0, 0, 0, 0};
  int least = -1;
  for (int i = 0; i < 9; i++) {
    PlotRect b = {p.x + 8 + spot[i][0] * (p.w - 16 - lg->w),
                  p.y + 8 + spot[i][1] * (p.h - 16 - lg->h), lg->w, lg->h};
    int c = hidden(fr, a, b);
    if (least < 0 || c < least) { least = c; best = b; }
  }
  best.x = round(best.x);
  best.y = round(best.y);
  return best;
}

static void rounded(cairo_t *cr, PlotRect b, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, b.x + b.w - r, b.y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, M_PI / 2);
  cairo_arc(cr, b.x + r, b.y + b.h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, b.x + r, b.y + r, r, M_PI, 1.5 * M_PI);
  cairo_close_path(cr);
}

static void draw_legend(PlotFigure *f, const Frame *fr, const PlotAxes *a) {
  Legend lg;
  legend_size(a, &lg);
  if (!a->legend || lg.n == 0) return;
  cairo_t *cr = f->cr;
  PlotRect b = legend_place(fr, a, &lg);
  rounded(cr, (PlotRect){b.x + 0.5, b.y + 0.5, b.w, b.h}, 3);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  double y = b.y + 6 + lg.lh / 2;
  for (int i = 0; i < lg.n; i++, y += lg.lh) {
    const Entry *e = &lg.e[i];
    cairo_new_path(cr);
    if (e->kind == ENTRY_LINE) {
      const PlotSeries *se = e->item;
      set_line(cr, se);
      cairo_move_to(cr, b.x + 10, y);
      cairo_line_to(cr, b.x + 38, y);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
      marker_at(cr, se->marker, b.x + 24, y);
      plot_marker_finish(cr, se->marker, 3.5);
    } else if (e->kind == ENTRY_POINT) {
      const PlotPoints *p = e->item;
      PlotPoints one = *p;
      double x = (b.x + 24 - fr->p.x) / fr->p.w * (fr->x1 - fr->x0) + fr->x0;
      double yy = fr->y1 - (y - fr->p.y) / fr->p.h * (fr->y1 - fr->y0);
      one.x = &x;
      one.y = &yy;
      one.n = 1;
      one.colors = NULL;
      one.alpha = 1;
      one.size = fmin(p->size, 6);
      cairo_save(cr);
      cairo_reset_clip(cr);
      plot_draw_points(f, fr, &one);
      cairo_restore(cr);
    } else if (e->kind == ENTRY_PATCH) {
      const PlotBars *br = e->item;
      cairo_set_source_rgba(cr, br->color.r, br->color.g, br->color.b,
                            br->alpha);
      cairo_rectangle(cr, b.x + 12, y - 5, 24, 10);
      cairo_fill(cr);
    } else {
      const PlotArrows *w = e->item;
      double x0 = (b.x + 10 - fr->p.x) / fr->p.w * (fr->x1 - fr->x0) + fr->x0;
      double x1 = (b.x + 38 - fr->p.x) / fr->p.w * (fr->x1 - fr->x0) + fr->x0;
      double yy = fr->y1 - (y - fr->p.y) / fr->p.h * (fr->y1 - fr->y0);
      double seg[4] = {x0, yy, x1, yy};
      PlotArrows one = *w;
      one.seg = seg;
      one.n = 1;
      plot_draw_arrows(f, fr, &one);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    plot_text(f, e->label, b.x + 46, y, PLOT_PX_TICK, 0, 0.5, 0);
  }
}

/* ---- panels and figures --------------------------------------------- */

static int check_axes(const PlotAxes *a, char *err) {
  if (a->nseries < 0 || (a->nseries > 0 && !a->series) ||
      a->npoints < 0 || (a->npoints > 0 && !a->points) || a->nbars < 0 ||
      (a->nbars > 0 && !a->bars) || a->narrows < 0 ||
      (a->narrows > 0 && !a->arrows) || a->ntexts < 0 ||
      (a->ntexts > 0 && !a->texts)) {
    snprintf(err, PLOT_ERRLEN, "no series given");
    return -1;
  }
  if (a->nxticks < 0 || (a->nxticks > 0 && !a->xticks)) {
    snprintf(err, PLOT_ERRLEN, "x ticks given without positions");
    return -1;
  }
  const PlotRaster *r = a->raster;
  if (r && (!r->v || r->rows < 2 || r->cols < 2 || !(r->x0 < r->x1) ||
            !(r->y0 < r->y1))) {
    snprintf(err, PLOT_ERRLEN, "a grid needs at least 2x2 values over a "
             "non-empty x and y range");
    return -1;
  }
  if (a->contour && !r) {
    snprintf(err, PLOT_ERRLEN, "contour lines need a grid");
    return -1;
  }
  for (int s = 0; s < a->nseries; s++)
    if (a->series[s].n < 0 || (a->series[s].n > 0 &&
                               (!a->series[s].x || !a->series[s].y))) {
      snprintf(err, PLOT_ERRLEN, "series %d has no data", s + 1);
      return -1;
    }
  return 0;
}

int plot_axes(PlotFigure *f, PlotRect r, const PlotAxes *a, char *err) {
  Frame fr;
  Ticks xt, yt;
  if (check_axes(a, err) || view(a, 0, &fr.x0, &fr.x1, err) ||
      view(a, 1, &fr.y0, &fr.y1, err))
    return -1;
  fr.p = layout(a, r, &fr, &xt, &yt);
  if (a->equal && fr.p.w >= 20 && fr.p.h >= 20) {
    equalize(&fr);
    fr.p = layout(a, r, &fr, &xt, &yt);
    equalize(&fr);     /* ranges only grow: the ticks stay inside */
  }
  if (fr.p.w < 20 || fr.p.h < 20) {
    snprintf(err, PLOT_ERRLEN, "a %.0fx%.0f panel is too small to plot in",
             r.w, r.h);
    return -1;
  }
  cairo_t *cr = f->cr;
  int rc = 0;
  cairo_save(cr);
  cairo_save(cr);
  cairo_rectangle(cr, fr.p.x, fr.p.y, fr.p.w, fr.p.h);
  cairo_clip(cr);
  int painted = a->raster && !a->raster->hidden;
  if (painted) plot_draw_raster(f, &fr, a->raster);
  if (a->grid && !a->noaxis && !painted) draw_grid(cr, &fr, &xt, &yt);
  if (a->contour) rc = plot_draw_contour(f, &fr, a->raster, a->contour, err);
  for (int s = 0; s < a->nbars; s++) plot_draw_bars(f, &fr, &a->bars[s]);
  for (int s = 0; s < a->nseries; s++) draw_line(cr, &fr, &a->series[s]);
  for (int s = 0; s < a->nseries; s++) draw_markers(cr, &fr, &a->series[s]);
  for (int s = 0; s < a->npoints; s++) plot_draw_points(f, &fr, &a->points[s]);
  for (int s = 0; s < a->narrows; s++) plot_draw_arrows(f, &fr, &a->arrows[s]);
  cairo_restore(cr);
  for (int s = 0; s < a->ntexts; s++) plot_draw_texts(f, &fr, &a->texts[s]);
  if (!a->noaxis) draw_ticks(f, &fr, &xt, &yt);
  draw_labels(f, a, fr.p, &xt, &yt);
  draw_legend(f, &fr, a);
  if (a->colorbar.on)
    plot_draw_colorbar(f, (PlotRect){fr.p.x + fr.p.w + 16, fr.p.y, 16,
                                     fr.p.h}, &a->colorbar);
  cairo_restore(cr);
  return rc;
}

int plot_save_axes(const char *path, const PlotAxes *panels, int n, int pw,
                   int ph, const char *title, char *err) {
  return plot_save_axes_grid(path, panels, n, n, pw, ph, title, err);
}

int plot_save_axes_grid(const char *path, const PlotAxes *panels, int n,
                        int cols, int pw, int ph, const char *title,
                        char *err) {
  if (cols < 1) cols = 1;
  if (cols > n) cols = n;
  int rows = n > 0 ? (n + cols - 1) / cols : 1;
  if (n < 1 || n > 64 || pw < 120 || ph < 100) {
    snprintf(err, PLOT_ERRLEN, "%d panels of %dx%d pixels: need 1..64 "
             "panels of at least 120x100", n, pw, ph);
    return -1;
  }
  double th = plot_suptitle_height(title);
  if ((double)cols * pw > PLOT_MAXSIDE ||
      (double)rows * ph + th > PLOT_MAXSIDE) {
    snprintf(err, PLOT_ERRLEN, "%d panels of %dx%d pixels exceed %d pixels",
             n, pw, ph, PLOT_MAXSIDE);
    return -1;
  }
  PlotFigure *f = plot_figure_new(cols * pw, rows * ph + (int)th, err);
  if (!f) return -1;
  plot_suptitle(f, title);
  int rc = 0;
  for (int i = 0; i < n && rc == 0; i++)
    rc = plot_axes(f, (PlotRect){(double)(i % cols) * pw,
                                 th + (double)(i / cols) * ph, pw, ph},
                   &panels[i], err);
  if (rc == 0) rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}
