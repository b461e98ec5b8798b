/* hog.h - Histogram of Oriented Gradients, numerically scikit-image
 * 0.19's skimage.feature.hog (float32 input, float32 output).
 *
 * No Lua here. The steps, as skimage does them:
 *  1. optional sqrt of every pixel (transform_sqrt);
 *  2. gradients by central differences, g_row[r] = I[r+1] - I[r-1] and
 *     g_col[c] = I[c+1] - I[c-1] in float32, zero on the image's first
 *     and last row (g_row) and column (g_col); with several channels
 *     each pixel takes the channel of largest float32 magnitude (the
 *     first on ties);
 *  3. per cell (cells tile the top-left n_cells * cell pixels; the rest
 *     is ignored) and orientation bin, a float32 sum of the float64
 *     magnitudes hypot(g_row, g_col) of the pixels whose angle
 *     atan2(g_row, g_col) in degrees mod 180 lies in
 *     [i * 180/n, (i+1) * 180/n), in row-major order, divided by the
 *     cell's pixel count;
 *  4. per block of cells, in float64: L1 v / (sum|v| + eps), L1-sqrt
 *     its square root, L2 v / sqrt(sum v^2 + eps^2), L2-Hys the L2
 *     result clipped at 0.2 and L2-normalised again; eps = 1e-5;
 *  5. features (n_blocks_row, n_blocks_col, block_h, block_w, n) in
 *     row-major order, as float32.
 * Every function that can fail returns 0 or -1 with a message in err
 * (TENSOR_ERRLEN bytes); none prints, exits or aborts. */
#ifndef WB_HOG_H
#define WB_HOG_H

#include <stdint.h>

#include "image/image.h"

typedef enum { HOG_L1, HOG_L1_SQRT, HOG_L2, HOG_L2_HYS } HogNorm;

#define HOG_MAX_BINS (1 << 20)        /* orientations */

typedef struct HogOpt {
  int orientations;            /* bins over [0, 180) degrees */
  int64_t cell_h, cell_w;      /* pixels_per_cell */
  int64_t block_h, block_w;    /* cells_per_block */
  HogNorm norm;
  int transform_sqrt;
} HogOpt;

/* skimage's defaults: 9 bins, 8x8 cells, 3x3 blocks, L2-Hys. */
HogOpt hog_defaults(void);

typedef struct HogGeom {
  int64_t cells_h, cells_w;    /* n_cells_row, n_cells_col */
  int64_t blocks_h, blocks_w;  /* n_blocks_row, n_blocks_col */
  int64_t hist_size;           /* cells_h * cells_w * orientations */
  int64_t size;                /* number of features */
} HogGeom;

/* Check the options and that an h x w image holds at least one block;
 * fill g. Callers allocate from g before the work functions run. */
int hog_geom(int64_t h, int64_t w, const HogOpt *o, HogGeom *g, char *err);
/* Refuse pixels that would make NaN features in skimage: NaN, infinite
 * or beyond +-HOG_MAX_PIXEL (their differences could overflow float32),
 * and negative ones when sqrt_first; err names the pixel, rows and
 * columns counting from 1. hog_compute expects pixels that pass. */
#define HOG_MAX_PIXEL 1e37f
int hog_check_pixels(const Image *im, int sqrt_first, char *err);

/* Step 1-3: the cell histograms, g->hist_size floats laid out
 * (cells_h, cells_w, orientations). Fails only when out of memory. */
int hog_histograms(const Image *im, const HogOpt *o, const HogGeom *g,
                   float *hist, char *err);
/* The same computed the way skimage writes it (whole gradient arrays,
 * atan2 and hypot per pixel, one pass per bin); tests compare. */
int hog_histograms_naive(const Image *im, const HogOpt *o,
                         const HogGeom *g, float *hist, char *err);
/* Step 4-5: g->size features from the histograms. */
void hog_normalize(const float *hist, const HogOpt *o, const HogGeom *g,
                   float *out);
/* skimage's hog_image: an h x w picture, zero but for one line segment
 * per cell and bin, through the cell centre and perpendicular to the
 * bin's middle angle, adding the bin's histogram value to each of its
 * pixels (Bresenham, skimage.draw.line). Pixels falling outside the
 * picture (only possible with 1-pixel cells, where skimage raises
 * IndexError) are left out. Fails only when out of memory. */
int hog_draw(const float *hist, const HogOpt *o, const HogGeom *g,
             int64_t h, int64_t w, float *picture, char *err);

/* All the steps: features into out (g->size floats from hog_geom) and,
 * unless picture is NULL, the h x w picture. */
int hog_compute(const Image *im, const HogOpt *o, const HogGeom *g,
                float *out, float *picture, char *err);

#endif
