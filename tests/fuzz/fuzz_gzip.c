/* fuzz_gzip.c - whole files through zlib (io/gzfile.c), gzip or plain,
 * with the limit the data sets use scaled down. */
#include <stdlib.h>
#include "io/gzfile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = fuzz_file(data, size, ".gz");
  char *out = NULL, err[GZFILE_ERRLEN];
  size_t n = 0;
  if (gz_read_all(p, (size_t)64 << 20, &out, &n, err) == 0) free(out);
  return 0;
}
