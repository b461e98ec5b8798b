/* plot_boxes.c - a photo with detection boxes and their labels (the
 * face finder's output): the image drawn as plot_image draws it, then
 * each box as a coloured rectangle with its label on a filled tag. */
#include <math.h>
#include <stdio.h>

#include "plot/plot.h"

/* One box: (top, left, height, width) in image pixels, mapped into the
 * placed image rectangle p (scale s). */
static void draw_box(PlotFigure *f, PlotRect p, double s, const double *b,
                     const char *label, PlotColor c) {
  double x = p.x + b[1] * s, y = p.y + b[0] * s;
  double w = b[3] * s, h = b[2] * s;
  cairo_t *cr = f->cr;
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  cairo_set_line_width(cr, 2.0);
  cairo_rectangle(cr, x, y, w, h);
  cairo_stroke(cr);
  if (!label || !*label) return;
  const double px = 12.0, pad = 3.0;
  double tw = plot_text_width(label, px) + 2 * pad, th = px + 2 * pad;
  double ty = y - th >= p.y ? y - th : y;    /* above the box if it fits */
  cairo_rectangle(cr, x - 1.0, ty, tw, th);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  plot_text(f, label, x - 1.0 + pad, ty + pad, px, 0, 0, 0);
}

int plot_save_detections(const char *path, const PlotImage *im,
                         const double *boxes, const char *const *labels,
                         int n, int side, const char *title, char *err) {
  const int margin = 16;
  if (n < 0 || side < 16 || side > PLOT_MAXSIDE) {
    snprintf(err, PLOT_ERRLEN, "%d boxes in a %d-pixel figure: need at "
             "least 0 boxes and 16..%d pixels", n, side, PLOT_MAXSIDE);
    return -1;
  }
  /* as plot_image scales: a whole factor up to `side` pixels for small
   * images, a smooth shrink for large ones */
  int longer = im->h > im->w ? im->h : im->w;
  double s = longer <= side ? floor((double)side / longer)
                            : (double)side / longer;
  double iw = im->w * s, ih = im->h * s, th = plot_suptitle_height(title);
  PlotFigure *f = plot_figure_new((int)ceil(iw + 2 * margin),
                                  (int)ceil(ih + 2 * margin + th), err);
  if (!f) return -1;
  plot_suptitle(f, title);
  PlotRect r = {margin, margin + th, iw, ih};
  PlotImage plain = *im;
  plain.caption = NULL;
  int rc = plot_image(f, r, &plain, err);
  PlotRect p = plot_image_place(r, &plain);
  double ps = p.w / im->w;
  for (int i = 0; i < n && rc == 0; i++)
    draw_box(f, p, ps, boxes + 4 * i, labels ? labels[i] : NULL,
             plot_palette(3));              /* tab10 red */
  if (rc == 0) rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}
