/* plot.h - PNG figures drawn with cairo: line charts, image grids and
 * heat maps, matplotlib's look (white background, tab10 colours, nice
 * tick numbers, antialiased text and lines).
 *
 * No Lua here. Functions that can fail return 0 on success and -1 with a
 * message in err (PLOT_ERRLEN bytes); they never print, exit or abort.
 * Inputs are borrowed: the caller owns every array and string. Text is
 * UTF-8 and drawn in NanumGothic (Korean and Latin), or DejaVu Sans when
 * fontconfig has no font with Hangul under that name. */
#ifndef WB_PLOT_H
#define WB_PLOT_H

#include <stddef.h>

#include <cairo.h>

#define PLOT_ERRLEN 256
#define PLOT_MAXSIDE 8192     /* figures are at most this many pixels a side */
#define PLOT_MAXTICKS 32

/* font sizes in pixels (matplotlib's 10-12 pt at 100 dpi) */
#define PLOT_PX_TICK 12.0
#define PLOT_PX_LABEL 13.0
#define PLOT_PX_TITLE 15.0
#define PLOT_PX_SUPTITLE 18.0
#define PLOT_CAPTION_H 20.0   /* room under an image cell for its caption */

/* A white RGB canvas and its drawing context. */
typedef struct PlotFigure {
  cairo_surface_t *surface;
  cairo_t *cr;
  int width, height;
} PlotFigure;
typedef struct { double x, y, w, h; } PlotRect;
typedef struct { double r, g, b; } PlotColor;

typedef enum { PLOT_GRAY, PLOT_BINARY, PLOT_BLUES, PLOT_VIRIDIS,
               PLOT_COOLWARM, PLOT_RDBU } PlotCmap;
typedef enum { PLOT_MARK_NONE, PLOT_MARK_CIRCLE, PLOT_MARK_SQUARE,
               PLOT_MARK_TRIANGLE, PLOT_MARK_DIAMOND, PLOT_MARK_X,
               PLOT_MARK_PLUS } PlotMarker;

/* ---- figure --------------------------------------------------------- */

PlotFigure *plot_figure_new(int width, int height, char *err);
void plot_figure_free(PlotFigure *f);
/* Write the PNG to "<path>.tmp<pid>", then rename it over path; on
 * failure no file is left behind. */
int plot_figure_save(PlotFigure *f, const char *path, char *err);
/* A centred figure title at the top; returns the height it took (0 for
 * NULL or ""). */
double plot_suptitle(PlotFigure *f, const char *text);
double plot_suptitle_height(const char *text);
/* Cell i (0-based, row-major) of a rows x cols split of area. */
PlotRect plot_grid_cell(PlotRect area, int rows, int cols, int i);

/* ---- text, colours, ticks ------------------------------------------- */

/* The font family in use: "NanumGothic" or "DejaVu Sans". */
const char *plot_font_family(void);
/* Width in pixels of text at px pixels high. */
double plot_text_width(const char *text, double px);
/* Draw text with its anchor at (x, y): ha 0/0.5/1 puts the anchor at
 * the left/centre/right, va 0/0.5/1 at the top/middle/bottom of the
 * line; angle in radians turns the text about the anchor. */
void plot_text(PlotFigure *f, const char *text, double x, double y,
               double px, double ha, double va, double angle);
/* The same, shrunk (down to 8 px) then clipped to max_w pixels. */
void plot_text_fit(PlotFigure *f, const char *text, double x, double y,
                   double px, double ha, double va, double max_w);
/* tab10 colour i (wraps around), matplotlib's default cycle */
PlotColor plot_palette(int i);
/* "#1f77b4" -> colour; -1 if s is not #rrggbb */
int plot_parse_color(const char *s, PlotColor *c);
/* t in [0, 1] (clamped; NaN gives 0) through a colour map */
PlotColor plot_cmap(PlotCmap map, double t);

/* "Nice" ticks for [lo, hi]: multiples of step, step one of 1, 2, 2.5
 * or 5 times a power of ten (whole numbers when integer is set), the
 * smallest step giving at most max_ticks ticks inside [lo, hi]. Writes
 * up to PLOT_MAXTICKS values; returns the count (0 if lo/hi are not
 * finite or lo > hi). */
int plot_nice_ticks(double lo, double hi, int max_ticks, int integer,
                    double *ticks, double *step);
/* A tick value with as many decimals as step needs: 0.25 -> "0.25",
 * 2 -> "2", never "-0". */
void plot_format_tick(double v, double step, char *buf, size_t n);
/* The view range of data in [lo, hi]: 5% margins, a range of one value
 * widened; integer axes widen a single value by 1. */
void plot_view_range(double lo, double hi, int integer, double *vlo,
                     double *vhi);

/* "viridis" -> PLOT_VIRIDIS (gray, binary, Blues, viridis, coolwarm,
 * RdBu); -1 for an unknown name */
int plot_cmap_named(const char *name, PlotCmap *map);
/* A colour lightened towards white: t = 0 keeps it, 1 is white. */
PlotColor plot_lighten(PlotColor c, double t);

/* ---- line charts ---------------------------------------------------- */

typedef struct PlotSeries {
  const double *x, *y;      /* n points; non-finite ones break the line */
  int n;
  const char *label;        /* legend text, or NULL */
  PlotColor color;
  PlotMarker marker;
  int dashed;
} PlotSeries;

/* Scatter points: one colour each (colors) or all in color. */
typedef struct PlotPoints {
  const double *x, *y;      /* n points; non-finite ones are skipped */
  int n;
  const PlotColor *colors;  /* n colours, or NULL: color for all */
  PlotColor color;
  const char *label;        /* legend text, or NULL */
  PlotMarker marker;        /* NONE draws circles */
  double size;              /* marker radius in pixels */
  double alpha;             /* fill opacity 0..1 */
  int edge;                 /* a thin dark outline (points on regions) */
} PlotPoints;

/* Filled rectangles in data coordinates: n of (x0, x1, y0, y1). */
typedef struct PlotBars {
  const double *rect;       /* 4 doubles a bar */
  int n;
  PlotColor color;
  const char *label;        /* legend text, or NULL */
  double alpha;
  const double *values;     /* n numbers written above the bars, or NULL */
  int decimals;
} PlotBars;

/* Values sampled on a grid, painted under everything else: sample
 * (i, j) sits at x0 + j (x1 - x0) / (cols - 1), y0 + i (y1 - y0) /
 * (rows - 1) (row 0 at the bottom, as meshgrid's). */
typedef struct PlotRaster {
  const double *v;          /* rows x cols, row-major */
  int rows, cols;           /* each >= 2 */
  double x0, x1, y0, y1;
  int smooth;               /* bilinear between samples, else nearest;
                               classes: the corners' weighted vote */
  PlotCmap cmap;
  double vmin, vmax;        /* the values mapped to the map's ends */
  const double *levels;     /* nlevels >= 2 ascending: one flat colour */
  int nlevels;              /*   a band between levels (contourf) */
  const PlotColor *classes; /* nclasses: value k is colour k (regions) */
  int nclasses;
  double lighten;           /* towards white (class regions) */
  int hidden;               /* not painted: only the contour lines' grid */
} PlotRaster;

/* Contour lines of the raster's grid at levels, coloured through cmap
 * from vmin to vmax (or all in color when mono is set). */
typedef struct PlotContour {
  const double *levels;
  int nlevels;
  PlotCmap cmap;
  double vmin, vmax;
  int mono;
  PlotColor color;
  double width;             /* line width in pixels */
} PlotContour;

typedef struct PlotColorbar {
  int on;
  PlotCmap cmap;
  double vmin, vmax;
  const double *levels;     /* banded like a contourf, or NULL */
  int nlevels;
  const char *label;
} PlotColorbar;

/* Arrows from (x0, y0) to (x1, y1) in data coordinates. */
typedef struct PlotArrows {
  const double *seg;        /* 4 doubles an arrow: x0, y0, x1, y1 */
  int n;
  PlotColor color;
  const char *label;
  double width;
} PlotArrows;

/* Text at points in data coordinates (axis names of a 3-d view, arrow
 * labels): anchored as plot_text anchors, in color. */
typedef struct PlotTexts {
  const double *x, *y;
  const char *const *text;
  int n;
  PlotColor color;
  double px;                /* font size in pixels */
  double ha, va;
} PlotTexts;

typedef struct PlotAxes {
  const char *title, *xlabel, *ylabel;    /* each may be NULL */
  const PlotSeries *series;
  int nseries;
  const PlotPoints *points;
  int npoints;
  const PlotBars *bars;
  int nbars;
  const PlotArrows *arrows;
  int narrows;
  const PlotTexts *texts;
  int ntexts;
  const PlotRaster *raster;               /* or NULL */
  const PlotContour *contour;             /* lines of raster, or NULL */
  PlotColorbar colorbar;
  /* categorical x ticks: nxticks positions with labels (bar charts) */
  const double *xticks;
  const char *const *xticklabels;
  int nxticks;
  int equal;                /* one data unit as long on both axes */
  int integer_y;            /* y ticks on whole numbers (counts) */
  int noaxis;               /* no ticks, grid or frame (3-d views) */
  double xlim[2], ylim[2];  /* NaN: from the data */
  int integer_x;            /* x ticks on whole numbers (epochs) */
  int legend;               /* a legend of the labelled series */
  int grid;                 /* light grid lines at the ticks */
} PlotAxes;

/* Defaults: no titles, NaN limits, legend and grid on. */
void plot_axes_init(PlotAxes *a);
/* One panel (title, ticks, labels, lines, legend) inside r. */
int plot_axes(PlotFigure *f, PlotRect r, const PlotAxes *a, char *err);
/* A figure of n panels side by side, each pw x ph, under title. */
int plot_save_axes(const char *path, const PlotAxes *panels, int n,
                   int pw, int ph, const char *title, char *err);
/* The same in a grid cols wide (rows as needed). */
int plot_save_axes_grid(const char *path, const PlotAxes *panels, int n,
                        int cols, int pw, int ph, const char *title,
                        char *err);

/* ---- layers on panels (plot_layers.c) ------------------------------- */

/* data coordinates -> pixels inside the plotting area p */
typedef struct PlotFrame {
  PlotRect p;
  double x0, x1, y0, y1;
} PlotFrame;
static inline double plot_fx(const PlotFrame *f, double x) {
  return f->p.x + (x - f->x0) / (f->x1 - f->x0) * f->p.w;
}
static inline double plot_fy(const PlotFrame *f, double y) {
  return f->p.y + f->p.h - (y - f->y0) / (f->y1 - f->y0) * f->p.h;
}
void plot_draw_raster(PlotFigure *f, const PlotFrame *fr,
                      const PlotRaster *r);
int plot_draw_contour(PlotFigure *f, const PlotFrame *fr,
                      const PlotRaster *r, const PlotContour *c,
                      char *err);
void plot_draw_bars(PlotFigure *f, const PlotFrame *fr, const PlotBars *b);
void plot_draw_points(PlotFigure *f, const PlotFrame *fr,
                      const PlotPoints *p);
void plot_draw_arrows(PlotFigure *f, const PlotFrame *fr,
                      const PlotArrows *a);
void plot_draw_texts(PlotFigure *f, const PlotFrame *fr,
                     const PlotTexts *t);
/* A marker's outline as a sub-path of cr: filled for the solid markers,
 * stroked for the line ones (plot_marker_stroked: x and +). */
void plot_marker_path(cairo_t *cr, PlotMarker m, double x, double y,
                      double r);
int plot_marker_stroked(PlotMarker m);
/* Fill or stroke the markers' path in the current source colour. */
void plot_marker_finish(cairo_t *cr, PlotMarker m, double r);
/* A vertical colour bar in b with ticks and their numbers on its right
 * and label turned along it; returns the width it takes right of b. */
double plot_colorbar_width(const PlotColorbar *cb);
void plot_draw_colorbar(PlotFigure *f, PlotRect b, const PlotColorbar *cb);

/* Marching squares: the segments where the rows x cols grid v crosses
 * level, in grid coordinates (column, row; fractional), 4 doubles a
 * segment (c0, r0, c1, r1). Writes at most cap segments; returns how
 * many there are (NaN cells give none). A saddle cell is split by the
 * mean of its corners, as matplotlib's default corner_mask does. */
int plot_contour_segments(const double *v, int rows, int cols, double level,
                          double *seg, int cap);
/* n "nice" levels spanning [lo, hi] (MaxNLocator-like): returns the
 * count (<= cap), levels ascending, covering lo and hi. */
int plot_contour_levels(double lo, double hi, int n, double *levels,
                        int cap);

/* ---- images --------------------------------------------------------- */

typedef struct PlotImage {
  const float *data;        /* h x w x c, row-major (HWC), c 1 or 3 */
  int h, w, c;
  int normalize;            /* map this image's min..max to black..white */
  double vmin, vmax;        /* else this range (usually 0..1) */
  PlotCmap cmap;            /* PLOT_GRAY or PLOT_BINARY for c == 1 */
  const char *caption;      /* below the image, or NULL; '\n' starts a
                               second line (at most PLOT_CAPTION_LINES) */
  int marked;               /* caption and a thick frame in mark colour */
  PlotColor mark;
} PlotImage;

#define PLOT_CAPTION_LINES 3
/* How many lines caption takes (0 for NULL or ""). */
int plot_caption_lines(const char *caption);

void plot_image_init(PlotImage *im, const float *data, int h, int w, int c);
/* The image centred in r above its caption, scaled by a whole factor
 * with nearest-neighbour sampling (pixels stay crisp); larger images
 * shrink smoothly to fit. */
int plot_image(PlotFigure *f, PlotRect r, const PlotImage *im, char *err);
/* Where plot_image puts the image's pixels inside r. */
PlotRect plot_image_place(PlotRect r, const PlotImage *im);
/* A grid of n images, cols wide, each in a box x box square plus room
 * for captions, under title. */
int plot_save_images(const char *path, const PlotImage *ims, int n,
                     int cols, int box, const char *title, char *err);
/* One image (with its caption) on the left of a w x h figure, the panel
 * a on its right (a prediction beside its class probabilities). */
int plot_save_image_panel(const char *path, const PlotImage *im,
                          const PlotAxes *a, int w, int h,
                          const char *title, char *err);

/* ---- heat maps ------------------------------------------------------ */

typedef struct PlotHeatmap {
  const double *v;          /* rows x cols, row-major */
  int rows, cols;
  const char *const *row_labels;   /* rows strings, or NULL: 0, 1, ... */
  const char *const *col_labels;   /* cols strings, or NULL */
  const char *title, *xlabel, *ylabel;
  int decimals;             /* digits in the cells; -1: no numbers */
  int cell;                 /* cell side in pixels */
  int colorbar;
  PlotCmap cmap;            /* PLOT_BLUES unless set */
  double vmin, vmax;        /* NaN: from the data */
} PlotHeatmap;

void plot_heatmap_init(PlotHeatmap *hm, const double *v, int rows,
                       int cols);
/* The size a heat map needs, margins and colour bar included, and where
 * its cells go relative to its top-left corner. */
void plot_heatmap_size(const PlotHeatmap *hm, int *w, int *h);
PlotRect plot_heatmap_cells(const PlotHeatmap *hm);
/* Blues cells (darkest at the largest value) with their numbers in
 * black or white by contrast, tick labels (x ones slanted when they do
 * not fit), a colour bar; drawn at r's top-left corner. */
int plot_heatmap(PlotFigure *f, PlotRect r, const PlotHeatmap *hm,
                 char *err);
int plot_save_heatmap(const char *path, const PlotHeatmap *hm, char *err);

/* ---- detections ---------------------------------------------------- */
/* The image, its longer side scaled to side pixels, with n boxes (each
 * top, left, height, width in image pixels, 4 doubles) outlined in red
 * and labelled with labels[i] (labels or any entry may be NULL). */
int plot_save_detections(const char *path, const PlotImage *im,
                         const double *boxes, const char *const *labels,
                         int n, int side, const char *title, char *err);

/* ---- tree diagrams (plot_tree.c) ----------------------------------- */
/* A decision tree as scikit-learn's plot_tree draws it: one box a node
 * with its text (lines split at '\n'), filled with fill (or white), an
 * arrow from each parent to its children; "True" / "False" (or the
 * given words) on the root's two arrows. x: the node's column in leaf
 * units (leaves 0, 1, 2 ...), depth its row. The figure is sized to the
 * boxes (width/height 0) and shrinks its text to fit PLOT_MAXSIDE. */
typedef struct PlotTreeNode {
  double x;
  int depth, parent;          /* parent: index or -1 */
  const char *text;
  PlotColor fill;
} PlotTreeNode;
typedef struct PlotTree {
  const PlotTreeNode *nodes;
  int n;
  const char *title, *yes, *no;
  int width, height;          /* 0: from the boxes */
  double font_px;
} PlotTree;
int plot_save_tree(const char *path, const PlotTree *t, char *err);

#endif
