/* fuzz_npy.c - the .npy reader (core/npy.c): header parse, then the
 * whole file, as tensor.load reads it. */
#include <stdlib.h>
#include "core/tensor.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  NpyHeader h;
  char err[TENSOR_ERRLEN];
  npy_parse_header(data, size, &h, err);
  const char *p = fuzz_file(data, size, ".npy");
  if (npy_read_header_file(p, &h, err)) return 0;
  int64_t n = 1;
  for (int d = 0; d < h.ndim; d++) {
    if (h.shape[d] < 0 || (h.shape[d] && n > FUZZ_MAX_VALUES / h.shape[d]))
      return 0;
    n *= h.shape[d];
  }
  /* the dtype tensor.load would give this file: float32 or float64 */
  int dtype = npy_dtype(&h);
  size_t esize = tensor_dtype_size(dtype);
  void *v = malloc((size_t)(n ? n : 1) * esize);
  if (!v) return 0;
  npy_read_data_file(p, &h, v, dtype, n, err);
  free(v);
  return 0;
}
