/* mlutil.c - finite checks, double-precision statistics and
 * non-maximum suppression for the classic-ML module. */
#include <math.h>
#include <stdlib.h>

#include "ml/mlutil.h"

int64_t ml_find_nonfinite(const float *x, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return i;
  return -1;
}

void ml_stats(const float *x, int64_t n, double *mean, double *var) {
  double s = 0, q = 0;
  for (int64_t i = 0; i < n; i++) s += x[i];
  double m = n ? s / (double)n : 0;
  for (int64_t i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
  *mean = m;
  *var = n ? q / (double)n : 0;
}

void ml_col_stats(const float *x, int64_t n, int64_t d, double *mean,
                  double *var) {
  for (int64_t j = 0; j < d; j++) mean[j] = var[j] = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (int64_t j = 0; j < d; j++) mean[j] = n ? mean[j] / (double)n : 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) {
      double t = x[i * d + j] - mean[j];
      var[j] += t * t;
    }
  for (int64_t j = 0; j < d; j++) var[j] = n ? var[j] / (double)n : 0;
}

/* ---- non-maximum suppression ------------------------------------------ */

typedef struct { float score; int64_t pos; } Ranked;

/* falling score, then rising position: the order is total, so equal
 * scores come out the same way on every run and every libc */
static int by_score(const void *a, const void *b) {
  const Ranked *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? 1 : -1;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

static double iou_of(const float *a, const float *b) {
  double top = fmax(a[0], b[0]), left = fmax(a[1], b[1]);
  double bottom = fmin((double)a[0] + a[2], (double)b[0] + b[2]);
  double right = fmin((double)a[1] + a[3], (double)b[1] + b[3]);
  double inter = fmax(0, bottom - top) * fmax(0, right - left);
  double uni = (double)a[2] * a[3] + (double)b[2] * b[3] - inter;
  return uni > 0 ? inter / uni : 0;
}

int64_t ml_nms(const float *boxes, const float *scores, int64_t n,
               double iou, int64_t *keep) {
  Ranked *r = malloc((size_t)(n ? n : 1) * sizeof *r);
  if (!r) return -1;
  for (int64_t i = 0; i < n; i++) r[i] = (Ranked){scores[i], i};
  qsort(r, (size_t)n, sizeof *r, by_score);
  int64_t kept = 0;
  for (int64_t i = 0; i < n; i++) {
    const float *b = boxes + r[i].pos * 4;
    int ok = 1;
    for (int64_t j = 0; j < kept && ok; j++)
      ok = iou_of(b, boxes + keep[j] * 4) <= iou;
    if (ok) keep[kept++] = r[i].pos;
  }
  free(r);
  return kept;
}
