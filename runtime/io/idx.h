/* idx.h - IDX files (the MNIST / Fashion-MNIST format), plain or gzip:
 * two zero bytes, a type byte (0x08 = unsigned byte), the number of
 * dimensions, each size as a big-endian uint32, then the values. */
#ifndef WB_IDX_H
#define WB_IDX_H
#include <stdint.h>
#include "core/tensor.h"

typedef struct IdxFile {
  void *gz;                      /* gzFile */
  int ndim;
  int64_t shape[TENSOR_MAXDIM];
  int64_t count;                 /* product of shape */
} IdxFile;

/* Open and read the header; only unsigned-byte data is accepted. */
int idx_open(IdxFile *f, const char *path, char *err);
/* Read all count values as dst[i] = lut[byte]. Reports truncated or
 * corrupt files and trailing bytes. */
int idx_read_lut(IdxFile *f, const char *path, float *dst, const float lut[256],
                 char *err);
/* The same with dst[i] = byte * scale. */
int idx_read(IdxFile *f, const char *path, float *dst, float scale,
             char *err);
void idx_close(IdxFile *f);
#endif
