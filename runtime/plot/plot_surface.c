/* plot_surface.c - a 3-d surface over a grid (plot_surface.h): the
 * grid is mapped into the box [-1, 1]^3, turned to the view and
 * projected orthographically; quads are painted far to near. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot/plot_surface.h"

typedef struct {
  double right[3], up[3], toward[3];
  double cx, cy, scale;     /* box units -> pixels */
} View;

static double dot3(const double *a, const double *b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void project(const View *v, const double *q, double *px, double *py) {
  *px = v->cx + v->scale * dot3(q, v->right);
  *py = v->cy - v->scale * dot3(q, v->up);
}

typedef struct { double depth; int r, c; } Quad;

static int far_first(const void *a, const void *b) {
  double x = ((const Quad *)a)->depth, y = ((const Quad *)b)->depth;
  return (x > y) - (x < y);
}

static void minmax(const double *v, int n, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int i = 0; i < n; i++) {
    if (v[i] < *lo) *lo = v[i];
    if (v[i] > *hi) *hi = v[i];
  }
  if (*lo == *hi) { *lo -= 0.5; *hi += 0.5; }
}

/* an axis along the box edge from a to b (box units): the line, ticks
 * for [lo, hi] and the label beyond its middle */
static void axis(PlotFigure *f, const View *v, const double *a,
                 const double *b, double lo, double hi, const char *label) {
  cairo_t *cr = f->cr;
  double ax, ay, bx, by;
  project(v, a, &ax, &ay);
  project(v, b, &bx, &by);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, ax, ay);
  cairo_line_to(cr, bx, by);
  cairo_stroke(cr);
  /* outward: away from the box centre's projection */
  double mx = (ax + bx) / 2 - v->cx, my = (ay + by) / 2 - v->cy;
  double len = hypot(mx, my);
  if (len < 1e-9) { mx = 0; my = 1; len = 1; }
  mx /= len;
  my /= len;
  double ticks[PLOT_MAXTICKS], step;
  int nt = plot_nice_ticks(lo, hi, 5, 0, ticks, &step);
  for (int i = 0; i < nt; i++) {
    double t = (ticks[i] - lo) / (hi - lo), q[3], x, y;
    for (int k = 0; k < 3; k++) q[k] = a[k] + t * (b[k] - a[k]);
    project(v, q, &x, &y);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 4 * mx, y + 4 * my);
    cairo_stroke(cr);
    char buf[32];
    plot_format_tick(ticks[i], step, buf, sizeof buf);
    plot_text(f, buf, x + 14 * mx, y + 14 * my, PLOT_PX_TICK - 1, 0.5, 0.5, 0);
  }
  if (label && *label)
    plot_text(f, label, (ax + bx) / 2 + 40 * mx, (ay + by) / 2 + 40 * my,
              PLOT_PX_LABEL, 0.5, 0.5, 0);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
}

int plot_save_surface(const char *path, const PlotSurface *s, int width,
                      int height, char *err) {
  int rows = s->rows, cols = s->cols;
  if (rows < 2 || cols < 2 || !(s->x0 < s->x1) || !(s->y0 < s->y1)) {
    snprintf(err, PLOT_ERRLEN, "a surface needs a grid of at least 2x2 "
             "over increasing x and y ranges");
    return -1;
  }
  for (int i = 0; i < rows * cols; i++)
    if (!isfinite(s->z[i])) {
      snprintf(err, PLOT_ERRLEN, "z value %d is not finite", i + 1);
      return -1;
    }
  Quad *q = malloc((size_t)(rows - 1) * (cols - 1) * sizeof *q);
  PlotFigure *f = q ? plot_figure_new(width, height, err) : NULL;
  if (!f) {
    if (!q) snprintf(err, PLOT_ERRLEN, "out of memory for a surface");
    free(q);
    return -1;
  }
  double zlo, zhi;
  minmax(s->z, rows * cols, &zlo, &zhi);
  double el = s->elev * M_PI / 180, az = s->azim * M_PI / 180;
  View v = {{-sin(az), cos(az), 0},
            {-sin(el) * cos(az), -sin(el) * sin(az), cos(el)},
            {cos(el) * cos(az), cos(el) * sin(az), sin(el)}, 0, 0, 0};
  /* fit the projected box, with room for the axis labels around it */
  double top = plot_suptitle(f, s->title) + 10, margin = 70;
  double bx0 = INFINITY, bx1 = -INFINITY, by0 = INFINITY, by1 = -INFINITY;
  for (int k = 0; k < 8; k++) {
    double c[3] = {k & 1 ? 1 : -1, k & 2 ? 1 : -1, k & 4 ? 1 : -1};
    double x = dot3(c, v.right), y = dot3(c, v.up);
    bx0 = fmin(bx0, x); bx1 = fmax(bx1, x);
    by0 = fmin(by0, y); by1 = fmax(by1, y);
  }
  v.scale = fmin((width - 2 * margin) / (bx1 - bx0),
                 (height - top - 2 * margin) / (by1 - by0));
  if (v.scale < 1) v.scale = 1;
  v.cx = width / 2.0 - v.scale * (bx0 + bx1) / 2;
  v.cy = top + (height - top) / 2.0 + v.scale * (by0 + by1) / 2;
  /* grid point (r, c) in box units */
#define BOX(r, c, out) do { \
    (out)[0] = 2.0 * (c) / (cols - 1) - 1; \
    (out)[1] = 2.0 * (r) / (rows - 1) - 1; \
    (out)[2] = 2 * (s->z[(r) * cols + (c)] - zlo) / (zhi - zlo) - 1; \
  } while (0)
  int nq = 0;
  for (int r = 0; r < rows - 1; r++)
    for (int c = 0; c < cols - 1; c++) {
      double p[3], d = 0;
      for (int k = 0; k < 4; k++) {
        BOX(r + k / 2, c + k % 2, p);
        d += dot3(p, v.toward);
      }
      q[nq++] = (Quad){d, r, c};
    }
  qsort(q, (size_t)nq, sizeof *q, far_first);
  cairo_t *cr = f->cr;
  /* the floor's three labelled edges: x and y at the back, z at a side */
  double fa[3] = {-1, -1, -1}, fb[3] = {1, -1, -1}, fc[3] = {1, 1, -1};
  double fd[3] = {-1, 1, -1};
  double floor_pts[4][3] = {{-1, -1, -1}, {1, -1, -1}, {1, 1, -1}, {-1, 1, -1}};
  cairo_set_source_rgb(cr, 0.93, 0.93, 0.95);
  for (int k = 0; k < 4; k++) {
    double x, y;
    project(&v, floor_pts[k], &x, &y);
    if (k == 0) cairo_move_to(cr, x, y); else cairo_line_to(cr, x, y);
  }
  cairo_close_path(cr);
  cairo_fill(cr);
  /* the x axis on the floor edge nearer the viewer, likewise y */
  if (dot3(fa, v.toward) + dot3(fb, v.toward) >= dot3(fd, v.toward) + dot3(fc, v.toward))
    axis(f, &v, fa, fb, s->x0, s->x1, s->xlabel);
  else
    axis(f, &v, fd, fc, s->x0, s->x1, s->xlabel);
  if (dot3(fb, v.toward) + dot3(fc, v.toward) >= dot3(fa, v.toward) + dot3(fd, v.toward))
    axis(f, &v, fb, fc, s->y0, s->y1, s->ylabel);
  else
    axis(f, &v, fa, fd, s->y0, s->y1, s->ylabel);
  {
    /* z on the vertical edge farthest to the left on screen */
    double best = INFINITY, zb[3] = {-1, -1, -1};
    for (int k = 0; k < 4; k++) {
      double x, y;
      project(&v, floor_pts[k], &x, &y);
      if (x < best) {
        best = x;
        zb[0] = floor_pts[k][0];
        zb[1] = floor_pts[k][1];
      }
    }
    double zt[3] = {zb[0], zb[1], 1};
    axis(f, &v, zb, zt, zlo, zhi, s->zlabel);
  }
  for (int i = 0; i < nq; i++) {
    double p[3], zsum = 0;
    static const int corner[4][2] = {{0, 0}, {0, 1}, {1, 1}, {1, 0}};
    for (int k = 0; k < 4; k++) {
      int r = q[i].r + corner[k][0], c = q[i].c + corner[k][1];
      double x, y;
      BOX(r, c, p);
      zsum += s->z[r * cols + c];
      project(&v, p, &x, &y);
      if (k == 0) cairo_move_to(cr, x, y); else cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
    PlotColor col = plot_cmap(s->cmap, (zsum / 4 - zlo) / (zhi - zlo));
    cairo_set_source_rgb(cr, col.r, col.g, col.b);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, col.r * 0.8, col.g * 0.8, col.b * 0.8, 0.6);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
  }
#undef BOX
  if (s->path && s->npath > 0) {
    /* the line first, then a dot on every point */
    cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
    cairo_set_line_width(cr, 1.8);
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < s->npath; i++) {
        const double *pt = s->path + 3 * i;
        double p[3] = {2 * (pt[0] - s->x0) / (s->x1 - s->x0) - 1,
                       2 * (pt[1] - s->y0) / (s->y1 - s->y0) - 1,
                       2 * (pt[2] - zlo) / (zhi - zlo) - 1}, x, y;
        project(&v, p, &x, &y);
        if (pass == 1) {
          cairo_arc(cr, x, y, 3, 0, 2 * M_PI);
          cairo_fill(cr);
        } else if (i == 0) {
          cairo_move_to(cr, x, y);
        } else {
          cairo_line_to(cr, x, y);
        }
      }
      if (pass == 0) cairo_stroke(cr);
    }
  }
  free(q);
  int rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}
