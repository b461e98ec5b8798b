/* fuzz_csv.c - the CSV reader (io/csv.c): the first byte picks the
 * options (separator, quoting, header, skiprows, nrows, an extra NA
 * string), the rest is the file. */
#include <string.h>
#include "io/csv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  CsvOptions o;
  csv_default_options(&o);
  uint8_t k = data[0];
  static const char seps[] = {',', ';', '\t', ' '};
  o.sep = seps[k & 3];
  if (k & 4) o.quote = 0;
  o.header = !(k & 8);
  o.skiprows = (k >> 4) & 1;
  o.nrows = (k & 32) ? 3 : -1;
  if (k & 64) { o.na[0] = "x"; o.nna = 1; }
  o.keep_default_na = !(k & 128);
  CsvTable t;
  char err[CSV_ERRLEN];
  if (csv_parse((const char *)data + 1, size - 1, "fuzz.csv", &o, &t, err) == 0)
    csv_free(&t);
  double v;
  int is_int;
  csv_number((const char *)data + 1, size - 1, &v, &is_int);
  return 0;
}
