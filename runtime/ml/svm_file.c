/* svm_file.c - model files of libsvm and liblinear: atomic writes, and
 * a strict check of a file's text before the libraries' loaders see it.
 *
 * Those loaders trust their input: a missing "nr_class" line leaves it
 * uninitialized, a huge "total_sv" is allocated as asked, a short file
 * leaves values unread, and the libraries then index with them. So a
 * file is only handed over when it is complete and consistent in the
 * line layout svm_save_model / save_model write: header lines of a key
 * and its values, then "SV" (or "w") and exactly the rows announced,
 * the last line ended by its newline (so a file cut anywhere, even
 * inside the last number, is refused rather than read as a different
 * model). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "ml/svm_glue.h"

#define ERR(...) svmg_errf(err, __VA_ARGS__)

int svmg_errf(char *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, SVMG_ERRLEN, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- reading and writing --------------------------------------------- */

int svmg_read_file(const char *path, char **text, size_t *n, char *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return ERR("cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return ERR("%s is not a regular file", path);
  }
  if ((unsigned long long)st.st_size > SVMG_MAX_FILE) {
    fclose(f);
    return ERR("%s is too large for a model file (%lld bytes)", path,
               (long long)st.st_size);
  }
  size_t size = (size_t)st.st_size;
  char *buf = malloc(size + 1);
  if (!buf) {
    fclose(f);
    return ERR("out of memory reading %s", path);
  }
  size_t got = fread(buf, 1, size, f);
  fclose(f);
  buf[got] = '\0';
  *text = buf;
  *n = got;
  return 0;
}

int svmg_atomic_save(const char *path,
                     int (*save)(const char *tmp, const void *model),
                     const void *model, char *err) {
  char tmp[4200];
  if (fs_tmp_name(path, tmp, sizeof tmp) != 0)
    return ERR("cannot write %s: %s", path, strerror(errno));
  errno = 0;
  int ok = save(tmp, model) == 0;
  if (!ok && !errno) errno = EIO;
  if (fs_tmp_finish(tmp, path, ok) != 0)
    return ERR("cannot write %s: %s", path, strerror(errno));
  return 0;
}

/* ---- lines and tokens -------------------------------------------------- */

typedef struct {
  const char *p, *end;    /* next unread byte, end of text */
  int line;               /* number of the current line, from 1 */
  const char *ls, *le;    /* the current line */
} Cur;

static int next_line(Cur *c) {
  if (c->p >= c->end) return 0;
  c->ls = c->p;
  const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  c->le = nl ? nl : c->end;
  if (nl && c->le > c->ls && c->le[-1] == '\r') c->le--;   /* CR LF */
  c->p = nl ? nl + 1 : c->end;
  c->line++;
  return 1;
}

/* The next space- or tab-separated token of the current line, copied
 * into tok (64 bytes; a longer one is cut and marked "...", which no
 * key or number parse accepts); *at walks the line. */
static int next_tok(const Cur *c, const char **at, char *tok) {
  const char *s = *at;
  while (s < c->le && (*s == ' ' || *s == '\t')) s++;
  const char *e = s;
  while (e < c->le && *e != ' ' && *e != '\t') e++;
  *at = e;
  size_t n = (size_t)(e - s);
  if (n == 0) return 0;
  if (n > 63) {
    memcpy(tok, s, 60);
    memcpy(tok + 60, "...", 4);
    return 1;
  }
  memcpy(tok, s, n);
  tok[n] = '\0';
  return 1;
}

static int parse_num(const char *tok, double *v) {
  char *end;
  errno = 0;
  *v = strtod(tok, &end);
  return end != tok && *end == '\0' && isfinite(*v);
}

static int parse_int(const char *tok, long lo, long hi, int *v) {
  char *end;
  errno = 0;
  long x = strtol(tok, &end, 10);
  if (end == tok || *end != '\0' || errno || x < lo || x > hi) return 0;
  *v = (int)x;
  return 1;
}

/* Only printable ASCII, spaces, tabs and newlines: binary garbage and
 * NUL bytes stop here. */
/* Printable ASCII, tabs and line ends: LF, or CR LF (a file saved on
 * Windows; libsvm's and liblinear's own readers take both). */
static int plain_text(const char *t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)t[i];
    if (ch == '\r' && i + 1 < n && t[i + 1] == '\n') continue;
    if (!(ch == '\n' || ch == '\t' || (ch >= 32 && ch < 127))) return 0;
  }
  return 1;
}

static int first_word_is(const char *t, size_t n, const char *w) {
  size_t k = strlen(w);
  return n > k && memcmp(t, w, k) == 0 && (t[k] == ' ' || t[k] == '\t');
}

int svmg_file_kind(const char *text, size_t n) {
  if (first_word_is(text, n, "svm_type")) return 1;
  if (first_word_is(text, n, "solver_type")) return 2;
  return 0;
}

/* The rest of the current line holds exactly `count` numbers (ints
 * when out_i is given); the values go to out (may be NULL). */
static int read_values(Cur *c, const char **at, const char *key, int count,
                       int *out_i, double *out_d, char *err) {
  char tok[64];
  for (int i = 0; i < count; i++) {
    double v;
    int iv;
    if (!next_tok(c, at, tok))
      return ERR("line %d: %s has %d values, expected %d", c->line, key, i,
                 count);
    if (out_i ? !parse_int(tok, INT_MIN, INT_MAX, &iv) : !parse_num(tok, &v))
      return ERR("line %d: %s value '%s' is not a%s number", c->line, key,
                 tok, out_i ? "n integer" : " finite");
    if (out_i) out_i[i] = iv;
    else if (out_d) out_d[i] = v;
  }
  if (next_tok(c, at, tok))
    return ERR("line %d: %s has more than %d values", c->line, key, count);
  return 0;
}

static int index_of(const char *const *names, const char *s) {
  for (int i = 0; names[i]; i++)
    if (names[i][0] && strcmp(names[i], s) == 0) return i;
  return -1;
}

static int distinct(const int *v, int n) {
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (v[i] == v[j]) return 0;
  return 1;
}

static int trailing_blank(Cur *c, char *err) {
  while (next_line(c)) {
    const char *at = c->ls;
    char tok[64];
    if (next_tok(c, &at, tok))
      return ERR("line %d: unexpected text after the model", c->line);
  }
  return 0;
}

/* ---- libsvm ----------------------------------------------------------- */

enum { K_TYPE, K_KERNEL, K_DEGREE, K_GAMMA, K_COEF0, K_NCLASS, K_TOTAL,
       K_RHO, K_LABEL, K_PROBA, K_PROBB, K_NSV, K_SV, K_COUNT };
static const char *const svm_keys[] = {
  "svm_type", "kernel_type", "degree", "gamma", "coef0", "nr_class",
  "total_sv", "rho", "label", "probA", "probB", "nr_sv", "SV", NULL};
static const char *const kernel_names[] = {"linear", "polynomial", "rbf",
                                           "sigmoid", NULL};

typedef struct {
  int seen[K_COUNT];
  int kernel, k, total;
  int label[SVMG_MAX_CLASSES], nsv[SVMG_MAX_CLASSES];
} SvmHead;

/* One header line whose key is tok (index key); at walks its values. */
static int svm_head_line(Cur *c, const char **at, int key, SvmHead *h,
                         char *err) {
  char tok[64];
  const char *name = svm_keys[key];
  int npair = h->k * (h->k - 1) / 2, v;
  if (key >= K_RHO && key <= K_NSV && !h->seen[K_NCLASS])
    return ERR("line %d: %s comes before nr_class", c->line, name);
  switch (key) {
  case K_TYPE:
    if (!next_tok(c, at, tok) || strcmp(tok, "c_svc") != 0)
      return ERR("line %d: svm_type must be c_svc", c->line);
    return read_values(c, at, name, 0, NULL, NULL, err);
  case K_KERNEL:
    if (!next_tok(c, at, tok) || (h->kernel = index_of(kernel_names, tok)) < 0)
      return ERR("line %d: unknown kernel_type", c->line);
    return read_values(c, at, name, 0, NULL, NULL, err);
  case K_DEGREE: return read_values(c, at, name, 1, &v, NULL, err);
  case K_GAMMA: case K_COEF0:
    return read_values(c, at, name, 1, NULL, NULL, err);
  case K_NCLASS:
    if (read_values(c, at, name, 1, &h->k, NULL, err)) return -1;
    if (h->k < 2 || h->k > SVMG_MAX_CLASSES)
      return ERR("line %d: nr_class %d is not in 2..%d", c->line, h->k,
                 SVMG_MAX_CLASSES);
    return 0;
  case K_TOTAL:
    if (read_values(c, at, name, 1, &h->total, NULL, err)) return -1;
    if (h->total < 1) return ERR("line %d: total_sv %d", c->line, h->total);
    return 0;
  case K_RHO: case K_PROBA: case K_PROBB:
    return read_values(c, at, name, npair, NULL, NULL, err);
  case K_LABEL:
    if (read_values(c, at, name, h->k, h->label, NULL, err)) return -1;
    if (!distinct(h->label, h->k))
      return ERR("line %d: a label appears twice", c->line);
    return 0;
  case K_NSV:
    return read_values(c, at, name, h->k, h->nsv, NULL, err);
  }
  return read_values(c, at, name, 0, NULL, NULL, err);   /* SV */
}

static int svm_head_done(const SvmHead *h, char *err) {
  static const int need[] = {K_TYPE, K_KERNEL, K_NCLASS, K_TOTAL, K_RHO,
                             K_LABEL, K_NSV, K_SV};
  for (size_t i = 0; i < sizeof need / sizeof *need; i++)
    if (!h->seen[need[i]])
      return ERR("no %s line before the support vectors", svm_keys[need[i]]);
  if (h->kernel != 0 && !h->seen[K_GAMMA]) return ERR("no gamma line");
  if (h->kernel == 1 && !h->seen[K_DEGREE]) return ERR("no degree line");
  if ((h->kernel == 1 || h->kernel == 3) && !h->seen[K_COEF0])
    return ERR("no coef0 line");
  if (h->seen[K_PROBA] != h->seen[K_PROBB])
    return ERR("probA and probB must come together");
  long sum = 0;
  for (int i = 0; i < h->k; i++) {
    if (h->nsv[i] < 0) return ERR("nr_sv has a negative count");
    sum += h->nsv[i];
  }
  if (sum != h->total)
    return ERR("nr_sv adds up to %ld, total_sv says %d", sum, h->total);
  return 0;
}

static int svm_header(Cur *c, SvmHead *h, char *err) {
  memset(h, 0, sizeof *h);
  char tok[64];
  while (!h->seen[K_SV]) {
    if (!next_line(c)) return ERR("the file ends before the SV line");
    const char *at = c->ls;
    if (!next_tok(c, &at, tok))
      return ERR("line %d: empty line in the header", c->line);
    int key = index_of(svm_keys, tok);
    if (key < 0) return ERR("line %d: unknown header '%s'", c->line, tok);
    if (h->seen[key]) return ERR("line %d: %s given twice", c->line, tok);
    h->seen[key] = 1;
    if (svm_head_line(c, &at, key, h, err)) return -1;
  }
  return svm_head_done(h, err);
}

/* One support vector line: k-1 coefficients, then index:value pairs
 * with rising indices. *maxi gets the largest index seen. */
static int svm_sv_line(Cur *c, int k, int *maxi, char *err) {
  const char *at = c->ls;
  char tok[64];
  double v;
  for (int i = 0; i < k - 1; i++)
    if (!next_tok(c, &at, tok) || strchr(tok, ':') || !parse_num(tok, &v))
      return ERR("line %d: expected %d coefficients first", c->line, k - 1);
  int last = 0;
  while (next_tok(c, &at, tok)) {
    char *colon = strchr(tok, ':');
    int idx;
    if (!colon || strchr(colon + 1, ':'))
      return ERR("line %d: '%s' is not index:value", c->line, tok);
    *colon = '\0';
    if (!parse_int(tok, 1, SVMG_MAX_FEATURES, &idx) || idx <= last)
      return ERR("line %d: feature index %s out of order or range",
                 c->line, tok);
    if (!parse_num(colon + 1, &v))
      return ERR("line %d: feature %d value is not a finite number",
                 c->line, idx);
    last = idx;
  }
  if (last > *maxi) *maxi = last;
  return 0;
}

int svmg_check_text(const char *text, size_t n, int *d, char *err) {
  if (n == 0) return ERR("empty file");
  if (!plain_text(text, n)) return ERR("not a text file");
  if (svmg_file_kind(text, n) != 1) return ERR("not a libsvm model");
  if (text[n - 1] != '\n') return ERR("truncated: no newline at the end");
  Cur c = {text, text + n, 0, NULL, NULL};
  SvmHead h;
  if (svm_header(&c, &h, err)) return -1;
  int maxi = 0;
  for (int i = 0; i < h.total; i++) {
    if (!next_line(&c))
      return ERR("truncated: %d of %d support vectors", i, h.total);
    if (svm_sv_line(&c, h.k, &maxi, err)) return -1;
  }
  if (trailing_blank(&c, err)) return -1;
  if (maxi == 0) return ERR("the support vectors have no features");
  *d = maxi;
  return 0;
}

/* ---- liblinear ---------------------------------------------------------- */

enum { L_SOLVER, L_NCLASS, L_LABEL, L_NFEAT, L_BIAS, L_W, L_COUNT };
static const char *const lin_keys[] = {"solver_type", "nr_class", "label",
                                       "nr_feature", "bias", "w", NULL};
/* liblinear 2.3's solver names for classification; MCSVM_CS (4) is
 * left out: workbook never trains it and it lays weights out apart. */
static const char *const solver_names[] = {
  "L2R_LR", "L2R_L2LOSS_SVC_DUAL", "L2R_L2LOSS_SVC", "L2R_L1LOSS_SVC_DUAL",
  "", "L1R_L2LOSS_SVC", "L1R_LR", "L2R_LR_DUAL", NULL};

typedef struct {
  int seen[L_COUNT];
  int k, nfeat;
  double bias;
  int label[SVMG_MAX_CLASSES];
} LinHead;

static int lin_head_line(Cur *c, const char **at, int key, LinHead *h,
                         char *err) {
  char tok[64];
  const char *name = lin_keys[key];
  switch (key) {
  case L_SOLVER:
    if (!next_tok(c, at, tok) || index_of(solver_names, tok) < 0)
      return ERR("line %d: unknown solver_type", c->line);
    return read_values(c, at, name, 0, NULL, NULL, err);
  case L_NCLASS:
    if (read_values(c, at, name, 1, &h->k, NULL, err)) return -1;
    if (h->k < 2 || h->k > SVMG_MAX_CLASSES)
      return ERR("line %d: nr_class %d is not in 2..%d", c->line, h->k,
                 SVMG_MAX_CLASSES);
    return 0;
  case L_LABEL:
    if (!h->seen[L_NCLASS])
      return ERR("line %d: label comes before nr_class", c->line);
    if (read_values(c, at, name, h->k, h->label, NULL, err)) return -1;
    if (!distinct(h->label, h->k))
      return ERR("line %d: a label appears twice", c->line);
    return 0;
  case L_NFEAT:
    if (read_values(c, at, name, 1, &h->nfeat, NULL, err)) return -1;
    if (h->nfeat < 1 || h->nfeat > SVMG_MAX_FEATURES)
      return ERR("line %d: nr_feature %d out of range", c->line, h->nfeat);
    return 0;
  case L_BIAS:
    return read_values(c, at, name, 1, NULL, &h->bias, err);
  }
  return read_values(c, at, name, 0, NULL, NULL, err);   /* w */
}

static int lin_header(Cur *c, LinHead *h, char *err) {
  memset(h, 0, sizeof *h);
  char tok[64];
  while (!h->seen[L_W]) {
    if (!next_line(c)) return ERR("the file ends before the w line");
    const char *at = c->ls;
    if (!next_tok(c, &at, tok))
      return ERR("line %d: empty line in the header", c->line);
    int key = index_of(lin_keys, tok);
    if (key < 0) return ERR("line %d: unknown header '%s'", c->line, tok);
    if (h->seen[key]) return ERR("line %d: %s given twice", c->line, tok);
    h->seen[key] = 1;
    if (lin_head_line(c, &at, key, h, err)) return -1;
  }
  for (int i = 0; i < L_COUNT; i++)
    if (!h->seen[i]) return ERR("no %s line before the weights", lin_keys[i]);
  return 0;
}

int ling_check_text(const char *text, size_t n, int *d, char *err) {
  if (n == 0) return ERR("empty file");
  if (!plain_text(text, n)) return ERR("not a text file");
  if (svmg_file_kind(text, n) != 2) return ERR("not a liblinear model");
  if (text[n - 1] != '\n') return ERR("truncated: no newline at the end");
  Cur c = {text, text + n, 0, NULL, NULL};
  LinHead h;
  if (lin_header(&c, &h, err)) return -1;
  int rows = h.nfeat + (h.bias >= 0), cols = h.k == 2 ? 1 : h.k;
  for (int i = 0; i < rows; i++) {
    if (!next_line(&c))
      return ERR("truncated: %d of %d weight rows", i, rows);
    const char *at = c.ls;
    if (read_values(&c, &at, "a weight row", cols, NULL, NULL, err))
      return -1;
  }
  if (trailing_blank(&c, err)) return -1;
  *d = h.nfeat;
  return 0;
}
