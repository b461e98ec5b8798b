/* csv.c - the CSV reader behind frame.read_csv: one pass splits the
 * bytes into NUL-terminated fields (unquoted into one text buffer), a
 * second infers each column's type and converts it. See csv.h. */
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"

/* pandas 1.5's default missing-value strings (STR_NA_VALUES) */
static const char *const default_na[] = {
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
    "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
    "nan", "null", NULL};

void csv_default_options(CsvOptions *o) {
  memset(o, 0, sizeof *o);
  o->sep = ',';
  o->quote = '"';
  o->header = 1;
  o->keep_default_na = 1;
  o->nrows = -1;
}

/* ---- numbers ------------------------------------------------------------ */

static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int lower_eq(const char *s, size_t n, const char *w) {
  size_t k = strlen(w);
  if (n != k) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != w[i]) return 0;
  }
  return 1;
}

int csv_number(const char *s, size_t n, double *out, int *is_int) {
  while (n > 0 && (*s == ' ' || *s == '\t')) s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (n == 0) return 0;
  const char *p = s, *end = s + n;
  int neg = 0;
  if (*p == '-' || *p == '+') neg = (*p++ == '-');
  if (p < end && (*p == 'i' || *p == 'I')) {
    if (lower_eq(p, (size_t)(end - p), "inf") ||
        lower_eq(p, (size_t)(end - p), "infinity")) {
      *out = neg ? -INFINITY : INFINITY;
      *is_int = 0;
      return 1;
    }
    return 0;
  }
  uint64_t mant = 0;
  int ndig = 0, sig = 0, exp10 = 0, dot = 0, expo = 0;
  for (; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
    if (sig < 19) {
      mant = mant * 10 + (uint64_t)(*p - '0');
      if (mant) sig++;
    } else {
      exp10++;
      sig++;
    }
  }
  if (p < end && *p == '.') {
    dot = 1;
    for (p++; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
      if (sig < 19) {
        mant = mant * 10 + (uint64_t)(*p - '0');
        if (mant) sig++;
        exp10--;
      } else {
        sig++;
      }
    }
  }
  if (ndig == 0) return 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    expo = 1;
    p++;
    int eneg = 0, e = 0, edig = 0;
    if (p < end && (*p == '-' || *p == '+')) eneg = (*p++ == '-');
    for (; p < end && *p >= '0' && *p <= '9'; p++, edig++)
      if (e < 100000) e = e * 10 + (*p - '0');
    if (edig == 0) return 0;
    exp10 += eneg ? -e : e;
  }
  if (p != end) return 0;
  *is_int = !dot && !expo && sig <= 18;
  /* Clinger's fast path: exact mantissa and an exact power of ten give a
   * correctly rounded quotient or product. Otherwise strtod. */
  if (sig <= 19 && mant <= ((uint64_t)1 << 53) && exp10 >= -22 &&
      exp10 <= 22) {
    double v = (double)mant;
    v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
    *out = neg ? -v : v;
    return 1;
  }
  char tmp[128];
  if (n >= sizeof tmp) return 0;
  memcpy(tmp, s, n);
  tmp[n] = 0;
  *out = strtod(tmp, NULL);
  return 1;
}

/* ---- growing buffers ---------------------------------------------------- */

typedef struct {
  uint32_t *v;
  size_t n, cap;
} Offsets;

static int offsets_push(Offsets *o, uint32_t x) {
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 1024;
    uint32_t *v = realloc(o->v, cap * sizeof *v);
    if (!v) return -1;
    o->v = v;
    o->cap = cap;
  }
  o->v[o->n++] = x;
  return 0;
}

static int fail(char *err, const char *name, long line, const char *fmt,
                const char *a) {
  char what[160];
  snprintf(what, sizeof what, fmt, a ? a : "");
  if (line > 0)
    snprintf(err, CSV_ERRLEN, "%s:%ld: %s", name, line, what);
  else
    snprintf(err, CSV_ERRLEN, "%s: %s", name, what);
  return -1;
}

/* ---- pass 1: fields ----------------------------------------------------- */

/* Split buf into fields: text receives each field unquoted and
 * NUL-terminated, cells the offset of each in row-major order. The first
 * record fixes the number of fields; *ncols receives it. */
static int tokenize(const char *buf, size_t len, const char *name,
                    const CsvOptions *o, char *text, Offsets *cells,
                    int *ncols, size_t *text_len, char *err) {
  const char sep = o->sep, q = o->quote;
  size_t i = 0, tn = 0;
  long line = 1;
  int want = -1;
  int64_t skipped = 0, records = 0;
  /* records wanted: the header (when there is one) and nrows rows */
  int64_t limit = o->nrows < 0 ? -1 : o->nrows + (o->header ? 1 : 0);
  unsigned char stop[256] = {0};
  stop[(unsigned char)sep] = stop['\n'] = stop['\r'] = 1;
  stop[0] = 1;                         /* a NUL byte: not a text file */
  if (len >= 3 && (unsigned char)buf[0] == 0xEF &&
      (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF)
    i = 3;
  while (i < len) {
    /* blank lines are skipped, as pandas's skip_blank_lines */
    if (buf[i] == '\n' || buf[i] == '\r') {
      if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n') i++;
      i++;
      line++;
      continue;
    }
    if (limit >= 0 && records >= limit) break;
    long rec_line = line;
    int nf = 0;
    size_t rec_tn = tn, rec_cells = cells->n;
    for (;;) {
      if (offsets_push(cells, (uint32_t)tn))
        return fail(err, name, 0, "out of memory%s", NULL);
      if (q && i < len && buf[i] == q) {
        i++;
        for (;;) {
          if (i >= len)
            return fail(err, name, rec_line,
                        "a quoted field is not closed before the end of "
                        "the file%s", NULL);
          char c = buf[i++];
          if (c == 0)
            return fail(err, name, line,
                        "a NUL byte (not a text file, or UTF-16?)%s", NULL);
          if (c == q) {
            if (i < len && buf[i] == q) {
              text[tn++] = q;
              i++;
              continue;
            }
            break;
          }
          if (c == '\n' || (c == '\r' && !(i < len && buf[i] == '\n')))
            line++;
          text[tn++] = c;
        }
      }
      /* unquoted text, or what follows a closing quote (kept, as pandas
       * keeps it) up to the separator or the end of the line */
      size_t start = i;
      while (i < len && !stop[(unsigned char)buf[i]]) i++;
      /* in place and not shifted (no quote or BOM before): nothing to copy */
      if (text + tn != buf + start) memmove(text + tn, buf + start, i - start);
      tn += i - start;
      if (i < len && buf[i] == 0)
        return fail(err, name, line,
                    "a NUL byte (not a text file, or UTF-16?)%s", NULL);
      /* read the terminator before writing the NUL: parsing in place,
       * the NUL may land on it */
      char term = i < len ? buf[i] : 0;
      text[tn++] = 0;
      nf++;
      if (nf > CSV_MAX_COLS)
        return fail(err, name, rec_line, "more than 100000 fields%s", NULL);
      if (i < len && term == sep) {
        i++;
        continue;
      }
      if (i < len) {                   /* the line end */
        if (term == '\r' && i + 1 < len && buf[i + 1] == '\n') i++;
        i++;
        line++;
      }
      break;
    }
    if (skipped < o->skiprows) {       /* skiprows: dropped unchecked */
      skipped++;
      tn = rec_tn;
      cells->n = rec_cells;
      continue;
    }
    records++;
    if (want < 0) {
      want = nf;
    } else if (nf != want) {
      char msg[96];
      snprintf(msg, sizeof msg, "expected %d fields, saw %d", want, nf);
      return fail(err, name, rec_line, "%s", msg);
    }
  }
  if (want < 0) return fail(err, name, 0, "empty file (no columns)%s", NULL);
  *ncols = want;
  *text_len = tn;
  return 0;
}

/* ---- pass 2: column types ----------------------------------------------- */

/* The caller's missing-value strings; checked before numbers, since they
 * may be numbers ("-999"). */
static int is_extra_missing(const char *s, const CsvOptions *o) {
  for (int k = 0; k < o->nna; k++)
    if (o->na[k] && strcmp(s, o->na[k]) == 0) return 1;
  return 0;
}

/* pandas's default missing strings (none of them reads as a number) */
static int is_default_missing(const char *s, size_t n, const CsvOptions *o) {
  if (n == 0) return 1;
  if (!o->keep_default_na || n > 8) return 0;
  for (int k = 1; default_na[k]; k++)
    if (strcmp(s, default_na[k]) == 0) return 1;
  return 0;
}

static int is_missing(const char *s, size_t n, const CsvOptions *o) {
  return is_default_missing(s, n, o) || is_extra_missing(s, o);
}

static int bool_value(const char *s) {
  if (!strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "true"))
    return 1;
  if (!strcmp(s, "False") || !strcmp(s, "FALSE") || !strcmp(s, "false"))
    return 0;
  return -1;
}

/* the length of cell k: cells are consecutive NUL-terminated strings */
static size_t cell_len(const CsvTable *t, const Offsets *cells, size_t k,
                       size_t text_len) {
  size_t end = k + 1 < cells->n ? cells->v[k + 1] : text_len;
  return end - cells->v[k] - 1;
}

static int convert_column(CsvTable *t, const Offsets *cells, int j,
                          int64_t first, const CsvOptions *o,
                          size_t text_len) {
  CsvColumn *c = &t->cols[j];
  int64_t n = t->nrows;
  size_t stride = (size_t)t->ncols;
  c->num = malloc((size_t)(n ? n : 1) * sizeof *c->num);
  if (!c->num) return -1;
  int all_int = 1, numeric = 1;
  int64_t miss = 0;
  for (int64_t r = 0; r < n; r++) {
    size_t k = (size_t)(first + r) * stride + (size_t)j;
    const char *s = t->text + cells->v[k];
    size_t len = cell_len(t, cells, k, text_len);
    double v;
    int isint;
    if (o->nna && is_extra_missing(s, o)) {
      c->num[r] = NAN;
      miss++;
    } else if (csv_number(s, len, &v, &isint)) {
      c->num[r] = v;
      all_int &= isint;
    } else if (is_default_missing(s, len, o)) {
      c->num[r] = NAN;
      miss++;
    } else {
      numeric = 0;
      break;
    }
  }
  if (numeric) {
    c->type = (all_int && miss == 0 && n > 0) ? CSV_INT : CSV_FLOAT;
    c->nmissing = miss;
    return 0;
  }
  free(c->num);
  c->num = NULL;
  c->flag = malloc((size_t)(n ? n : 1));
  if (!c->flag) return -1;
  int boolean = 1;
  miss = 0;
  for (int64_t r = 0; r < n && boolean; r++) {
    size_t k = (size_t)(first + r) * stride + (size_t)j;
    const char *s = t->text + cells->v[k];
    if (is_missing(s, cell_len(t, cells, k, text_len), o)) {
      c->flag[r] = -1;
      miss++;
    } else if ((c->flag[r] = (signed char)bool_value(s)) < 0) {
      boolean = 0;
    }
  }
  if (boolean) {
    c->type = CSV_BOOL;
    c->nmissing = miss;
    return 0;
  }
  free(c->flag);
  c->flag = NULL;
  c->str = malloc((size_t)(n ? n : 1) * sizeof *c->str);
  if (!c->str) return -1;
  miss = 0;
  for (int64_t r = 0; r < n; r++) {
    size_t k = (size_t)(first + r) * stride + (size_t)j;
    const char *s = t->text + cells->v[k];
    if (is_missing(s, cell_len(t, cells, k, text_len), o)) {
      c->str[r] = NULL;
      miss++;
    } else {
      c->str[r] = s;
    }
  }
  c->type = CSV_STRING;
  c->nmissing = miss;
  return 0;
}

/* Column names: the header's text, "Unnamed: j" for an empty one, and
 * pandas's ".1", ".2" suffixes for repeats. */
static int name_columns(CsvTable *t, const Offsets *cells, int header) {
  for (int j = 0; j < t->ncols; j++) {
    const char *h = header ? t->text + cells->v[j] : "";
    char buf[64];
    if (!header) {
      snprintf(buf, sizeof buf, "%d", j);
      h = buf;
    } else if (!*h) {
      snprintf(buf, sizeof buf, "Unnamed: %d", j);
      h = buf;
    }
    int dup = 0;
    for (int k = 0; k < j; k++) {
      const char *hk = header ? t->text + cells->v[k] : "";
      if (header && *h && strcmp(hk, h) == 0) dup++;
    }
    size_t len = strlen(h) + 16;
    t->cols[j].name = malloc(len);
    if (!t->cols[j].name) return -1;
    if (dup)
      snprintf(t->cols[j].name, len, "%s.%d", h, dup);
    else
      snprintf(t->cols[j].name, len, "%s", h);
  }
  return 0;
}

/* Parse buf[0..len) into t, writing the unquoted fields to text, which
 * must hold len + 16 bytes and may be buf itself (fields never grow, so
 * writing trails reading). The table takes text over, also on failure. */
static int parse_into(const char *buf, size_t len, char *text,
                      const char *name, const CsvOptions *o, CsvTable *t,
                      char *err) {
  Offsets cells = {0};
  int ncols = 0;
  size_t text_len = 0;
  /* a first guess from the bytes at hand: a field takes 8 bytes or more
   * in most files; grows by doubling beyond */
  cells.cap = len / 8 + 1024;
  cells.v = malloc(cells.cap * sizeof *cells.v);
  if (!cells.v) {
    free(text);
    return fail(err, name, 0, "out of memory%s", NULL);
  }
  if (tokenize(buf, len, name, o, text, &cells, &ncols, &text_len, err)) {
    free(text);
    free(cells.v);
    return -1;
  }
  t->text = text;
  t->ncols = ncols;
  int64_t first = o->header ? 1 : 0;
  t->nrows = (int64_t)(cells.n / (size_t)ncols) - first;
  t->cols = calloc((size_t)ncols, sizeof *t->cols);
  int bad = !t->cols || name_columns(t, &cells, o->header);
  for (int j = 0; j < ncols && !bad; j++)
    bad = convert_column(t, &cells, j, first, o, text_len);
  free(cells.v);
  if (bad) {
    csv_free(t);
    return fail(err, name, 0, "out of memory%s", NULL);
  }
  return 0;
}

int csv_parse(const char *buf, size_t len, const char *name,
              const CsvOptions *o, CsvTable *t, char *err) {
  memset(t, 0, sizeof *t);
  if (len > CSV_MAX_BYTES)
    return fail(err, name, 0, "file larger than 2 GiB%s", NULL);
  char *text = malloc(len + 16);
  if (!text) return fail(err, name, 0, "out of memory%s", NULL);
  return parse_into(buf, len, text, name, o, t, err);
}

int csv_read_file(const char *path, const CsvOptions *o, CsvTable *t,
                  char *err) {
  memset(t, 0, sizeof *t);
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, path, 0, "%s", strerror(errno));
  char *buf = NULL;
  size_t n = 0, cap = 0;
  /* the size the file has now, as a first guess (it may change while
   * read: reading goes on to the real end) */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
      (size_t)st.st_size <= CSV_MAX_BYTES) {
    cap = (size_t)st.st_size + 65536 + 16;
    buf = malloc(cap);
    if (!buf) cap = 0;
  }
  for (;;) {
    if (cap - n < 16 + 1) {
      size_t ncap = cap ? cap * 2 : 1 << 20;
      if (ncap > CSV_MAX_BYTES + 65536) {
        free(buf);
        fclose(f);
        return fail(err, path, 0, "file larger than 2 GiB%s", NULL);
      }
      char *b = realloc(buf, ncap);
      if (!b) {
        free(buf);
        fclose(f);
        return fail(err, path, 0, "out of memory%s", NULL);
      }
      buf = b;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n - 16, f);
    n += got;
    if (got == 0) break;
  }
  int rd_err = ferror(f);
  fclose(f);
  if (rd_err) {
    free(buf);
    return fail(err, path, 0, "read error%s", NULL);
  }
  if (n > CSV_MAX_BYTES) {
    free(buf);
    return fail(err, path, 0, "file larger than 2 GiB%s", NULL);
  }
  return parse_into(buf, n, buf, path, o, t, err);
}

void csv_free(CsvTable *t) {
  if (t->cols)
    for (int j = 0; j < t->ncols; j++) {
      free(t->cols[j].name);
      free(t->cols[j].num);
      free(t->cols[j].flag);
      free(t->cols[j].str);
    }
  free(t->cols);
  free(t->text);
  memset(t, 0, sizeof *t);
}
