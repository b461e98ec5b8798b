/* fuzz_png.c - PNG decoding (image/image.c over libpng), as image.load
 * does it: header, decode buffer, floats, in colour and in gray. */
#include <stdlib.h>
#include <string.h>
#include "image/image.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  for (int gray = 0; gray < 2; gray++) {
    void *mem = malloc(size ? size : 1);
    memcpy(mem, data, size);          /* begin may rename chunks in mem */
    ImagePng r;
    if (image_png_begin(&r, mem, size, "fuzz.png", err)) { free(mem); return 0; }
    int64_t vals = r.h * r.w * (gray ? 1 : r.c);
    void *raw = vals <= FUZZ_MAX_VALUES ? malloc(r.raw_bytes ? r.raw_bytes : 1) : NULL;
    float *dst = raw ? malloc((size_t)(vals ? vals : 1) * sizeof *dst) : NULL;
    if (raw && dst) image_png_finish(&r, raw, dst, gray, "fuzz.png", err);
    else image_png_end(&r);
    free(dst);
    free(raw);
    free(mem);
  }
  return 0;
}
