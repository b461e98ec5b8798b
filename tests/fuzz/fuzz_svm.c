/* fuzz_svm.c - libsvm and liblinear model files (ml/svm_file.c checks
 * the text before libsvm's and liblinear's own readers see it), as
 * ml.load_model reads them: the kind from the first word, the check,
 * then the library's load and a prediction. */
#include <stdlib.h>
#include "ml/svm_glue.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  char err[SVMG_ERRLEN];
  int kind = svmg_file_kind(text, size), d = 0;
  if (kind == 0) return 0;
  int rc = kind == 1 ? svmg_check_text(text, size, &d, err)
                     : ling_check_text(text, size, &d, err);
  if (rc || d > 4096) return 0;
  const char *p = fuzz_file(data, size, ".model");
  float *x = calloc((size_t)(d > 0 ? d : 1) * 2, sizeof *x);
  int lab[2];
  if (kind == 1) {
    SvmModel *m = svmg_load(p, err);
    if (m) { svmg_predict(m, x, 2, lab, err); svmg_free(m); }
  } else {
    LinModel *m = ling_load(p, err);
    if (m) { ling_predict(m, x, 2, lab, err); ling_free(m); }
  }
  free(x);
  return 0;
}
