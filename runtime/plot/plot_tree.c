/* plot_tree.c - a decision tree drawn as boxes and arrows, the way
 * scikit-learn's sklearn.tree.plot_tree shows it (the layout -- leaves
 * side by side, a parent centred over its children -- comes from the
 * caller). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot/plot.h"

#define MAX_LINES 16
#define LINE_GAP 1.25        /* line height over font size */

/* lines of text: pointers into buf, returns the count */
static int split_lines(const char *text, char *buf, size_t n, char **lines) {
  snprintf(buf, n, "%s", text ? text : "");
  int k = 0;
  char *p = buf;
  while (k < MAX_LINES) {
    lines[k++] = p;
    char *nl = strchr(p, '\n');
    if (!nl) break;
    *nl = 0;
    p = nl + 1;
  }
  return k;
}

static void box_size(const char *text, double px, double *w, double *h) {
  char buf[1024], *lines[MAX_LINES];
  int k = split_lines(text, buf, sizeof buf, lines);
  double mw = 0;
  for (int i = 0; i < k; i++) {
    double tw = plot_text_width(lines[i], px);
    if (tw > mw) mw = tw;
  }
  *w = mw + px * 1.2;
  *h = k * px * LINE_GAP + px * 0.8;
}

static void arrow(cairo_t *cr, double x0, double y0, double x1, double y1) {
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  double a = atan2(y1 - y0, x1 - x0), s = 7;
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x1 - s * cos(a - 0.4), y1 - s * sin(a - 0.4));
  cairo_line_to(cr, x1 - s * cos(a + 0.4), y1 - s * sin(a + 0.4));
  cairo_close_path(cr);
  cairo_fill(cr);
}

int plot_save_tree(const char *path, const PlotTree *t, char *err) {
  if (t->n < 1) { snprintf(err, PLOT_ERRLEN, "the tree has no nodes"); return -1; }
  double px = t->font_px > 0 ? t->font_px : 12;
  double maxw = 0, maxh = 0, cols = 1, margin = 0, title_h;
  int depth = 0, W = 0, H = 0;
  for (int i = 0; i < t->n; i++) {
    const PlotTreeNode *nd = &t->nodes[i];
    if (!(nd->x >= 0 && nd->x < 1e6) || nd->depth < 0 || nd->depth > 10000 ||
        nd->parent >= i) {
      snprintf(err, PLOT_ERRLEN, "node %d has a bad position or parent", i);
      return -1;
    }
    if (nd->x + 1 > cols) cols = nd->x + 1;
    if (nd->depth > depth) depth = nd->depth;
  }
  /* sized to the boxes; too large: the text shrinks (down to 5 px) */
  for (int tries = 0;; tries++) {
    maxw = maxh = 0;
    for (int i = 0; i < t->n; i++) {
      double w, h;
      box_size(t->nodes[i].text, px, &w, &h);
      if (w > maxw) maxw = w;
      if (h > maxh) maxh = h;
    }
    margin = px * 1.5;
    title_h = plot_suptitle_height(t->title);
    double natw = cols * (maxw + px * 1.2) + 2 * margin;
    double nath = (depth + 1) * maxh + depth * px * 3.0 + 2 * margin + title_h;
    W = t->width > 0 ? t->width : (int)ceil(natw);
    H = t->height > 0 ? t->height : (int)ceil(nath);
    double scale = fmin(1, fmin((double)PLOT_MAXSIDE / natw, (double)PLOT_MAXSIDE / nath));
    if (scale >= 1 && W <= PLOT_MAXSIDE && H <= PLOT_MAXSIDE) break;
    if (px <= 5 || tries > 5) {
      snprintf(err, PLOT_ERRLEN, "the tree is too large to draw (%.0f x %.0f "
               "pixels with %.0f-pixel text); limit max_depth", natw, nath, px);
      return -1;
    }
    px = fmax(5, px * scale * 0.97);
  }
  PlotFigure *f = plot_figure_new(W, H, err);
  if (!f) return -1;
  cairo_t *cr = f->cr;
  double top = plot_suptitle(f, t->title) + margin;
  double colw = (W - 2 * margin) / cols;
  double rowh = depth > 0 ? (H - top - margin - maxh) / depth : 0;
  /* centre of each box, and its size */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < t->n; i++) {
      const PlotTreeNode *nd = &t->nodes[i];
      double cx = margin + (nd->x + 0.5) * colw;
      double cy = top + nd->depth * rowh + maxh / 2;
      double w, h;
      box_size(nd->text, px, &w, &h);
      if (pass == 0 && nd->parent >= 0) {   /* arrows under the boxes */
        const PlotTreeNode *pa = &t->nodes[nd->parent];
        double px0 = margin + (pa->x + 0.5) * colw;
        double py0 = top + pa->depth * rowh + maxh / 2;
        double pw, ph;
        box_size(pa->text, px, &pw, &ph);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 1.0);
        arrow(cr, px0, py0 + ph / 2, cx, cy - h / 2);
        if (nd->parent == 0 && (t->yes || t->no)) {
          int first = 1;
          for (int j = 0; j < i; j++) if (t->nodes[j].parent == 0) first = 0;
          const char *word = first ? t->yes : t->no;
          if (word) {
            double mx = (px0 + cx) / 2, my = (py0 + ph / 2 + cy - h / 2) / 2;
            plot_text(f, word, mx + (first ? -px * 0.6 : px * 0.6), my, px,
                      first ? 1 : 0, 0.5, 0);
          }
        }
      }
      if (pass == 1) {
        cairo_rectangle(cr, cx - w / 2, cy - h / 2, w, h);
        cairo_set_source_rgb(cr, nd->fill.r, nd->fill.g, nd->fill.b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1.0);
        cairo_stroke(cr);
        char buf[1024], *lines[MAX_LINES];
        int k = split_lines(nd->text, buf, sizeof buf, lines);
        double y0 = cy - k * px * LINE_GAP / 2 + px * LINE_GAP / 2;
        cairo_set_source_rgb(cr, 0, 0, 0);
        for (int l = 0; l < k; l++)
          plot_text(f, lines[l], cx, y0 + l * px * LINE_GAP, px, 0.5, 0.5, 0);
      }
    }
  int rc = plot_figure_save(f, path, err);
  plot_figure_free(f);
  return rc;
}
