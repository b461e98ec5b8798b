/* mlutil.h - small numeric helpers for the classic-ML module: finite
 * checks, statistics in double precision, non-maximum suppression.
 *
 * No Lua here; nothing allocates except ml_nms, which reports running
 * out of memory through its return value. */
#ifndef WB_MLUTIL_H
#define WB_MLUTIL_H

#include <stdint.h>

/* Position (0-based) of the first NaN or infinity in x[0..n), or -1. */
int64_t ml_find_nonfinite(const float *x, int64_t n);

/* Mean and population variance of x[0..n) (n >= 1), two passes in
 * double: what NumPy's X.mean() and X.var() give. */
void ml_stats(const float *x, int64_t n, double *mean, double *var);

/* The same per column of an n x d row-major matrix (mean, var: d). */
void ml_col_stats(const float *x, int64_t n, int64_t d, double *mean,
                  double *var);

/* Greedy non-maximum suppression. boxes is n x 4 {top, left, height,
 * width} (heights and widths >= 0), scores n finite values. Visits the
 * boxes by falling score (equal scores: lower position first) and keeps
 * a box unless its intersection over union with a box already kept is
 * above iou. keep gets the kept positions (0-based) in that order; the
 * count is returned, or -1 when out of memory. */
int64_t ml_nms(const float *boxes, const float *scores, int64_t n,
               double iou, int64_t *keep);

#endif
