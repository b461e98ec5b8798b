/* fuzz_h5.c - Keras weight files (io/h5keras.c) as h5.read_keras_weights
 * reads them: the superblock check here, libhdf5 in a forked child
 * under limits (h5k_open_isolated), the structure and every weight
 * through the pipe. libhdf5 1.10 crashes or loops on many inputs; that
 * must stay in the child and come back as an error. A fork per input:
 * slow (hundreds of inputs a second), which the fuzzer's time budget
 * absorbs. */
#include <stdlib.h>
#include "io/h5keras.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = fuzz_file(data, size, ".h5");
  H5kFile f;
  char err[H5K_ERRLEN];
  int rc = h5k_open_isolated(&f, p, err);
  for (int i = 0; rc == 0 && i < f.nlayers; i++)
    for (int j = 0; rc == 0 && j < f.layers[i].nweights; j++) {
      int64_t n = f.layers[i].weights[j].size;
      float *v = malloc((size_t)(n ? n : 1) * sizeof *v);
      if (!v) abort();
      rc = h5k_read(&f, i, j, v, n, err);
      free(v);
    }
  h5k_close(&f);
  return 0;
}
