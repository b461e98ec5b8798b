/* test_csv.c - the CSV reader (io/csv.c): quoting, missing values, types,
 * BOM and line ends, ragged rows and empty input as errors, numbers
 * against strtod, and garbage that must not crash. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/csv.h"
#include "tap.h"

static int parse(const char *s, CsvTable *t, char *err) {
  CsvOptions o;
  csv_default_options(&o);
  return csv_parse(s, strlen(s), "t.csv", &o, t, err);
}

static void test_quoting(void) {
  CsvTable t;
  char err[CSV_ERRLEN];
  const char *s = "name,text,n\n"
                  "a,\"x, y\",1\n"
                  "b,\"say \"\"hi\"\"\",2\n"
                  "c,\"two\nlines\",3\n";
  ok(parse(s, &t, err) == 0, "quoted fields parse");
  is(t.ncols, 3, "three columns");
  is(t.nrows, 3, "three rows (a quoted newline is inside a field)");
  ok(t.cols[1].type == CSV_STRING, "text column is strings");
  ok(!strcmp(t.cols[1].str[0], "x, y"), "separator inside quotes");
  ok(!strcmp(t.cols[1].str[1], "say \"hi\""), "doubled quote is one quote");
  ok(!strcmp(t.cols[1].str[2], "two\nlines"), "newline inside quotes");
  ok(t.cols[2].type == CSV_INT, "whole numbers are integers");
  near(t.cols[2].num[2], 3, 0, "last value");
  csv_free(&t);

  ok(parse("a\n\"unterminated\n", &t, err) == -1, "open quote at EOF fails");
  ok(strstr(err, "t.csv:2:") != NULL, "error names the line: %s", err);
}

static void test_missing_and_types(void) {
  CsvTable t;
  char err[CSV_ERRLEN];
  const char *s = "x,s,b,f\n"
                  "1.5,NA,True,1\n"
                  ",foo,false,2\n"
                  "NaN,,NA,3.0\n"
                  "-2e3,bar,TRUE,-4\n";
  ok(parse(s, &t, err) == 0, "missing values parse");
  ok(t.cols[0].type == CSV_FLOAT, "x is float");
  ok(isnan(t.cols[0].num[1]) && isnan(t.cols[0].num[2]), "empty, NaN missing");
  near(t.cols[0].num[3], -2000, 0, "exponent");
  is(t.cols[0].nmissing, 2, "two missing in x");
  ok(t.cols[1].type == CSV_STRING, "s is strings");
  ok(t.cols[1].str[0] == NULL && t.cols[1].str[2] == NULL, "NA and empty");
  ok(t.cols[2].type == CSV_BOOL, "b is booleans");
  is(t.cols[2].flag[0], 1, "True");
  is(t.cols[2].flag[1], 0, "false");
  is(t.cols[2].flag[2], -1, "NA boolean is missing");
  ok(t.cols[3].type == CSV_FLOAT, "3.0 makes a float column");
  csv_free(&t);

  CsvOptions o;
  csv_default_options(&o);
  o.na[o.nna++] = "?";
  o.sep = ';';
  const char *s2 = "a;b\n?;1\n2;?\n";
  ok(csv_parse(s2, strlen(s2), "t.csv", &o, &t, err) == 0, "custom sep, na");
  ok(isnan(t.cols[0].num[0]) && t.cols[0].num[1] == 2, "'?' is missing");
  ok(t.cols[1].type == CSV_FLOAT, "b numeric with a missing value");
  csv_free(&t);
}

static void test_bom_crlf_blank(void) {
  CsvTable t;
  char err[CSV_ERRLEN];
  const char *s = "\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\n3,4\r\n";
  ok(parse(s, &t, err) == 0, "BOM and CRLF");
  ok(!strcmp(t.cols[0].name, "a"), "BOM is not part of the first name");
  is(t.nrows, 2, "blank line skipped");
  near(t.cols[1].num[1], 4, 0, "no CR in the last field");
  csv_free(&t);

  ok(parse("a,b\r1,2\r3,4", &t, err) == 0, "old Mac CR line ends");
  is(t.nrows, 2, "two rows, last without a line end");
  csv_free(&t);

  ok(parse("a,a,\n1,2,3\n", &t, err) == 0, "repeated and empty names");
  ok(!strcmp(t.cols[1].name, "a.1"), "repeat gets .1 (%s)", t.cols[1].name);
  ok(!strcmp(t.cols[2].name, "Unnamed: 2"), "empty gets Unnamed: 2");
  csv_free(&t);

  ok(parse("a,b\n", &t, err) == 0, "header only");
  is(t.nrows, 0, "no rows");
  csv_free(&t);
}

static void test_skip_and_limit(void) {
  CsvTable t;
  char err[CSV_ERRLEN];
  CsvOptions o;
  csv_default_options(&o);
  o.skiprows = 2;
  o.nrows = 2;
  /* the skipped records may be ragged; rows past nrows are not read */
  const char *s = "junk,1,2,3\n\"x\ny\"\na,b\n1,2\n3,4\n5,6,7\n";
  ok(csv_parse(s, strlen(s), "t.csv", &o, &t, err) == 0, "skiprows, nrows: %s",
     err);
  ok(t.ncols == 2 && !strcmp(t.cols[0].name, "a"), "header after 2 records");
  is(t.nrows, 2, "nrows = 2 stops before the ragged row");
  near(t.cols[1].num[1], 4, 0, "last value read");
  csv_free(&t);
  o.nrows = 3;
  ok(csv_parse(s, strlen(s), "t.csv", &o, &t, err) == -1, "nrows = 3 reads it");
  ok(strstr(err, "t.csv:7:") != NULL, "line counts skipped records: %s", err);
}

static void test_errors(void) {
  CsvTable t;
  char err[CSV_ERRLEN];
  ok(parse("a,b\n1,2\n3,4,5\n", &t, err) == -1, "ragged row (more) fails");
  ok(strstr(err, "t.csv:3:") && strstr(err, "expected 2 fields, saw 3"),
     "message: %s", err);
  ok(parse("a,b\n1,2\n\n3\n", &t, err) == -1, "ragged row (fewer) fails");
  ok(strstr(err, "t.csv:4:") != NULL, "line counts blank lines: %s", err);
  CsvOptions on;
  csv_default_options(&on);
  ok(csv_parse("a,b\n1,x\0y\n", 10, "t.csv", &on, &t, err) == -1,
     "a NUL byte fails");
  ok(strstr(err, "t.csv:2: a NUL byte") != NULL, "names the line: %s", err);
  ok(csv_parse("\xFF\xFE" "a\0,\0", 6, "t.csv", &on, &t, err) == -1,
     "UTF-16 fails");
  ok(csv_parse("a\n\"x\0\"\n", 7, "t.csv", &on, &t, err) == -1,
     "a NUL byte in quotes fails");
  ok(parse("", &t, err) == -1, "empty file fails");
  ok(strstr(err, "empty") != NULL, "message says empty: %s", err);
  ok(parse("\xEF\xBB\xBF\n\n", &t, err) == -1, "BOM and blank lines only");
  CsvOptions o;
  csv_default_options(&o);
  ok(csv_read_file("/nonexistent/x.csv", &o, &t, err) == -1, "missing file");
  ok(strstr(err, "/nonexistent/x.csv") != NULL, "names the file: %s", err);
}

static void test_numbers(void) {
  const char *cases[] = {"0", "-0.5", "3.14159", "1e-300", "123456789012345678901",
                         "0.1", "2.5E+10", " 7 ", "1.7976931348623157e308",
                         "4.9e-324", ".5", "5.", "+12"};
  int n = (int)(sizeof cases / sizeof cases[0]), good = 1;
  for (int i = 0; i < n; i++) {
    double v;
    int isint;
    if (!csv_number(cases[i], strlen(cases[i]), &v, &isint) ||
        v != strtod(cases[i], NULL)) {
      good = 0;
      printf("# %s -> %.17g\n", cases[i], v);
    }
  }
  ok(good, "numbers equal strtod's");
  /* random decimals: the fast path must round as strtod does */
  srand(7);
  int same = 1;
  for (int i = 0; i < 20000; i++) {
    char b[64];
    snprintf(b, sizeof b, "%d.%0*d", rand() % 100000, 1 + rand() % 8,
             rand() % 100000000);
    double v;
    int isint;
    if (!csv_number(b, strlen(b), &v, &isint) || v != strtod(b, NULL)) {
      same = 0;
      printf("# %s\n", b);
      break;
    }
  }
  ok(same, "20000 random decimals equal strtod's");
  const char *bad[] = {"", "-", "1e", "1.2.3", "0x10", "nan", "1 2", "e5", "."};
  int rejected = 1;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    double v;
    int isint;
    if (csv_number(bad[i], strlen(bad[i]), &v, &isint)) {
      rejected = 0;
      printf("# accepted '%s'\n", bad[i]);
    }
  }
  ok(rejected, "non-numbers rejected");
  double v;
  int isint;
  ok(csv_number("-inf", 4, &v, &isint) && isinf(v) && v < 0, "-inf");
}

static void test_garbage(void) {
  /* random bytes from a small alphabet: never a crash, either a table
   * whose rows all have the header's width or an error */
  const char alpha[] = "a1,\"\n\r;. \xEF\xBB\xBF";
  char path[] = "/tmp/test_csv_XXXXXX";
  int fd = mkstemp(path);
  if (fd >= 0) close(fd);
  srand(11);
  int fine = 1;
  for (int k = 0; k < 3000; k++) {
    char buf[200];
    int n = rand() % (int)sizeof buf;
    for (int i = 0; i < n; i++) buf[i] = alpha[rand() % (sizeof alpha - 1)];
    CsvTable t;
    char err[CSV_ERRLEN];
    CsvOptions o;
    csv_default_options(&o);
    o.header = rand() % 2;
    int rc = csv_parse(buf, (size_t)n, "g", &o, &t, err);
    if (rc == 0) {
      if (t.ncols < 1 || t.nrows < 0) fine = 0;
    } else if (strncmp(err, "g", 1) != 0) {
      fine = 0;
    }
    /* every 6th through a file too: csv_read_file parses in place and
     * must agree with csv_parse */
    if (k % 6 == 0) {
      FILE *f = fopen(path, "wb");
      fwrite(buf, 1, (size_t)n, f);
      fclose(f);
      CsvTable u;
      int rc2 = csv_read_file(path, &o, &u, err);
      if (rc2 != rc) fine = 0;
      if (rc == 0 && rc2 == 0) {
        if (u.ncols != t.ncols || u.nrows != t.nrows) fine = 0;
        for (int j = 0; fine && j < t.ncols; j++) {
          if (u.cols[j].type != t.cols[j].type || strcmp(u.cols[j].name, t.cols[j].name)) fine = 0;
          for (int64_t r = 0; fine && r < t.nrows; r++)
            if (t.cols[j].type == CSV_STRING &&
                (!t.cols[j].str[r] != !u.cols[j].str[r] ||
                 (t.cols[j].str[r] && strcmp(t.cols[j].str[r], u.cols[j].str[r]))))
              fine = 0;
        }
      }
      if (rc2 == 0) csv_free(&u);
    }
    if (rc == 0) csv_free(&t);
  }
  unlink(path);
  ok(fine, "3000 garbage inputs: tables or errors, no crash; files parsed "
           "in place agree");
}

int main(void) {
  test_quoting();
  test_missing_and_types();
  test_bom_crlf_blank();
  test_errors();
  test_skip_and_limit();
  test_numbers();
  test_garbage();
  done_testing();
  return 0;
}
