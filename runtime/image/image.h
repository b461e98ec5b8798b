/* image.h - images as float tensors: PNG load/save, gray, resize, crop,
 * pad, 2-D filtering (cross-correlation), pooling, montage.
 *
 * No Lua here. An Image borrows h x w x c floats, row-major with the
 * channels interleaved (HWC, the layout tensors hold images in). Every
 * function that can fail returns 0 or -1 with a message in err
 * (TENSOR_ERRLEN bytes); none prints, exits or aborts. Geometry
 * functions check sizes so callers can allocate results before the
 * work functions run, which then cannot fail on bad input. */
#ifndef WB_IMAGE_H
#define WB_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <png.h>

#include "core/tensor.h"

typedef struct Image {
  float *data;
  int64_t h, w;
  int c;
} Image;

/* Most floats one image may hold (1 GiB of floats); larger requests,
 * e.g. from a corrupt PNG header, are refused instead of attempted. */
#define IMAGE_MAX_ELEMS ((int64_t)1 << 28)

typedef enum { IMG_BORDER_ZERO, IMG_BORDER_REFLECT,
               IMG_BORDER_REPLICATE } ImageBorder;
typedef enum { IMG_PAD_VALID, IMG_PAD_SAME } ImagePadding;

/* Source index for position i (may be outside 0..n-1) under a border
 * rule: reflect mirrors without repeating the edge (NumPy 'reflect',
 * OpenCV BORDER_REFLECT_101, TF 'REFLECT'); replicate repeats the edge;
 * zero gives -1 outside. */
int64_t image_border_index(int64_t i, int64_t n, ImageBorder b);

/* ---- PNG ---------------------------------------------------------- */

/* Loading comes in steps so a caller can own every buffer (a Lua
 * binding hangs them on garbage-collected userdata):
 * image_read_file, image_png_begin, allocate, image_png_finish. */
typedef struct ImagePng {
  png_image png;       /* libpng's simplified-API state */
  int64_t h, w;
  int c;               /* channels the file holds: 1, 2, 3 or 4 */
  int wide;            /* 1: a 16-bit file, decoded as 16-bit */
  size_t raw_bytes;    /* size of the decode buffer finish needs */
} ImagePng;

/* Read a whole file into *mem (malloc'd, the caller frees). */
int image_read_file(const char *path, void **mem, size_t *n, char *err);
/* Check the signature and read the header from mem[0..n), which must
 * stay until finish; name is the file name for messages. Values come
 * out as stored (v / 255 or v / 65535): colour-space chunks (gAMA,
 * sRGB, iCCP, cHRM) are renamed in mem so libpng ignores them, as
 * NumPy-side readers do. On failure nothing is left to free. */
int image_png_begin(ImagePng *r, void *mem, size_t n, const char *name,
                    char *err);
/* Decode into raw (r->raw_bytes), then convert to floats in [0,1]:
 * h*w*c values, or h*w luminance values when gray. Releases libpng's
 * state whether it succeeds or not. */
int image_png_finish(ImagePng *r, void *raw, float *dst, int gray,
                     const char *name, char *err);
/* Release libpng's state; safe to call more than once. */
void image_png_end(ImagePng *r);
/* All of the above for C callers: *out is malloc'd h*w*c floats. */
int image_load_png(const char *path, int gray, float **out, int64_t *h,
                   int64_t *w, int *c, char *err);
/* Write an 8-bit PNG (c = 1..4: gray, gray+alpha, RGB, RGBA), values
 * clamped to [0,1]; normalize first maps min..max to 0..1. Writes a
 * temporary file, then renames it over path. */
int image_save_png(const char *path, const Image *img, int normalize,
                   char *err);

/* ---- pixel operations --------------------------------------------- */

/* Luminance 0.2125 R + 0.7154 G + 0.0721 B (scikit-image's rgb2gray,
 * Rec. 709 primaries) into dst (c = 1). Alpha is composited over white
 * first, as skimage.io.imread(as_gray=True) does. src c = 1..4. */
int image_to_gray(const Image *src, const Image *dst, char *err);
/* Bilinear resize to dst's size, half-pixel centres: output pixel x
 * samples source (x + 0.5) * w_in / w_out - 0.5, clamped to the edge.
 * No anti-aliasing (like OpenCV INTER_LINEAR, or skimage resize with
 * order=1, mode='edge', anti_aliasing=False). */
int image_resize(const Image *src, const Image *dst, char *err);
/* dst = src rows top.., cols left.. (0-based), dst's size. */
int image_crop(const Image *src, int64_t top, int64_t left,
               const Image *dst, char *err);
/* dst = src with top/bottom/left/right added rows/columns. */
int image_pad(const Image *src, const int64_t pad[4], ImageBorder b,
              const Image *dst, char *err);

/* ---- filtering ---------------------------------------------------- */

typedef struct ImageFilterOpt {
  ImagePadding padding;
  ImageBorder border;        /* how 'same' fills the margin */
  int64_t sy, sx;            /* strides */
} ImageFilterOpt;

typedef struct ImageGeom {
  int64_t oh, ow;            /* output size */
  int64_t top, left;         /* margin before row/column 0 ('same') */
} ImageGeom;

/* Output size of filtering an h x w image with a kh x kw kernel, as
 * Keras/TensorFlow define it: 'valid' gives floor((n - k) / s) + 1;
 * 'same' gives ceil(n / s) with pad_total = max((out-1)*s + k - n, 0)
 * split pad_total / 2 before and the rest after (so even kernels get
 * the extra row/column after). */
int image_filter_geom(int64_t h, int64_t w, int64_t kh, int64_t kw,
                      const ImageFilterOpt *o, ImageGeom *g, char *err);
/* 2-D cross-correlation of every channel with the same kh x kw kernel
 * (not flipped: what a Conv2D layer computes with this kernel on the
 * diagonal of its (kh, kw, c, c) weights). Flipping would matter only
 * for kernels that are not point-symmetric (Sobel, a shift); box,
 * Gaussian and the Laplacians give the same either way. dst is
 * oh x ow x c. Fails only when out of memory. */
int image_filter(const Image *src, const float *k, int64_t kh, int64_t kw,
                 const ImageFilterOpt *o, const Image *dst, char *err);
/* The same by definition, one output at a time (tests compare). */
void image_filter_naive(const Image *src, const float *k, int64_t kh,
                        int64_t kw, const ImageFilterOpt *o,
                        const Image *dst);

/* Pooling windows of ph x pw moved by sy, sx, 'valid' (Keras's
 * default): output floor((n - p) / s) + 1; the window must fit. */
int image_pool_geom(int64_t h, int64_t w, int64_t ph, int64_t pw,
                    int64_t sy, int64_t sx, ImageGeom *g, char *err);
void image_pool(const Image *src, int64_t ph, int64_t pw, int64_t sy,
                int64_t sx, int max, const Image *dst);

/* ---- montage ------------------------------------------------------ */

typedef struct MontageLayout {
  int n, cols, rows;
  int64_t cell_h, cell_w;    /* the largest image */
  int64_t gap, band;         /* space between cells, caption band */
  int64_t h, w;              /* the whole picture (3 channels) */
  double font_px;
} MontageLayout;

/* Cells as large as the largest image, cols per row (0: up to 4). */
int image_montage_layout(const Image *imgs, int n, int cols,
                         int captions, MontageLayout *m, char *err);
/* Draw onto a white h x w x 3 picture: each image centred in its cell
 * (gray replicated, alpha composited over white, values clamped to
 * [0,1], or each image's min..max mapped to 0..1 when normalize), its
 * caption (UTF-8, may be NULL) centred under it. */
int image_montage(const Image *imgs, int n, const char *const *captions,
                  int normalize, const MontageLayout *m, float *dst,
                  char *err);

#endif
