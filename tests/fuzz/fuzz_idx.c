/* fuzz_idx.c - the IDX reader (io/idx.c), plain and gzip (zlib), as
 * idx.load reads it: the header, then every value. */
#include <stdlib.h>
#include "io/idx.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = fuzz_file(data, size, ".idx");
  IdxFile f;
  char err[512];
  if (idx_open(&f, p, err)) return 0;
  if (f.count <= FUZZ_MAX_VALUES) {
    float *v = malloc((size_t)(f.count ? f.count : 1) * sizeof *v);
    if (v) idx_read(&f, p, v, 1.0f / 255, err);
    free(v);
  }
  idx_close(&f);
  return 0;
}
