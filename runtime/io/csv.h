/* csv.h - a CSV reader into typed columns, for the frame module.
 *
 * RFC 4180 quoting (a quote doubled inside a quoted field is one quote,
 * quoted fields may hold separators and newlines), a UTF-8 BOM, LF, CRLF
 * or CR line ends, blank lines skipped. A row with a different number of
 * fields than the header is an error naming the line. Missing values are
 * pandas's defaults ("", "NA", "NaN", "null", "N/A" ...) plus the
 * caller's. Each column becomes numbers (integers when every value is a
 * whole number written without '.' or exponent and none is missing),
 * booleans (True/False/true/false/TRUE/FALSE) or strings, as pandas's
 * read_csv infers them.
 *
 * Ownership: csv_parse reads buf (not kept); the CsvTable owns everything
 * it points to until csv_free. Nothing is allocated from a size the input
 * declares: memory grows with the bytes actually read, under CSV_MAX_*. */
#ifndef WB_CSV_H
#define WB_CSV_H
#include <stddef.h>
#include <stdint.h>

#define CSV_ERRLEN 256
#define CSV_MAX_BYTES  ((size_t)1 << 31)   /* largest file read */
#define CSV_MAX_COLS   100000
#define CSV_MAX_NA     64

typedef enum { CSV_FLOAT, CSV_INT, CSV_BOOL, CSV_STRING } CsvType;

typedef struct {
  char *name;            /* header text ("0", "1" ... without a header) */
  CsvType type;
  double *num;           /* CSV_FLOAT/CSV_INT: nrows values, NaN missing */
  signed char *flag;     /* CSV_BOOL: 0/1, -1 missing */
  const char **str;      /* CSV_STRING: into the table's text, NULL missing */
  int64_t nmissing;
} CsvColumn;

typedef struct {
  int ncols;
  int64_t nrows;
  CsvColumn *cols;
  char *text;            /* unquoted field text, NUL-terminated fields */
} CsvTable;

typedef struct {
  char sep;              /* ',' by default */
  char quote;            /* '"' by default; 0 turns quoting off */
  int header;            /* 1: the first row names the columns */
  const char *na[CSV_MAX_NA];  /* extra missing-value strings */
  int nna;
  int keep_default_na;   /* 1: pandas's default missing strings too */
  int64_t skiprows;      /* records skipped before the header (0) */
  int64_t nrows;         /* data rows read at most (-1: all) */
} CsvOptions;

void csv_default_options(CsvOptions *o);

/* Parse len bytes of buf; name is used in error messages ("name:LINE: ").
 * 0 on success, -1 with err filled (the table is then empty). */
int csv_parse(const char *buf, size_t len, const char *name,
              const CsvOptions *o, CsvTable *t, char *err);
/* Read the file at path and parse it. */
int csv_read_file(const char *path, const CsvOptions *o, CsvTable *t,
                  char *err);
void csv_free(CsvTable *t);

/* Parse a decimal number (optional sign, digits, '.', exponent; "inf",
 * "-inf" too), surrounding spaces allowed. 1 and *out set when the whole
 * of s[0..n) is a number; *is_int set when written as a whole number. */
int csv_number(const char *s, size_t n, double *out, int *is_int);

#endif
