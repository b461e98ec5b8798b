/* plot_surface.h - a 3-d surface z = f(x, y) over a grid (the error
 * surface of a line fit over w and b, say), seen from elev / azim as
 * matplotlib's plot_surface shows it: quads coloured by their height
 * through a colour map, far ones drawn first, the box's floor and its
 * three axes labelled, and an optional path of points on top (gradient
 * descent's steps).
 *
 * No Lua here; returns 0, or -1 with a message in err (PLOT_ERRLEN). */
#ifndef WB_PLOT_SURFACE_H
#define WB_PLOT_SURFACE_H

#include "plot/plot.h"

typedef struct PlotSurface {
  const double *z;          /* rows x cols, row-major, all finite */
  int rows, cols;           /* each >= 2; row r is y = y0 + r * dy */
  double x0, x1, y0, y1;    /* the grid's extent (x0 < x1, y0 < y1) */
  double elev, azim;        /* the view in degrees (matplotlib's 30, -60) */
  PlotCmap cmap;
  const char *title, *xlabel, *ylabel, *zlabel;   /* each may be NULL */
  const double *path;       /* npath points x, y, z (finite), or NULL */
  int npath;
} PlotSurface;

int plot_save_surface(const char *path, const PlotSurface *s, int width,
                      int height, char *err);

#endif
