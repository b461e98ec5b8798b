/* npy.c - NumPy .npy files: read float32/uint8 (C order) into float32
 * and float64 into float64, write float32 or float64. Format: the magic "\x93NUMPY", a version byte
 * pair, a little-endian header length (2 bytes in v1, 4 in v2/v3) and a
 * Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}
 * padded so the data starts on a 64-byte boundary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/tensor.h"

#define ERR(...) (snprintf(err, TENSOR_ERRLEN, __VA_ARGS__), -1)

/* Find 'key': in the dict text and return the value's start, or NULL. */
static const char *dict_value(const char *dict, const char *key) {
  char pat[32];
  snprintf(pat, sizeof pat, "'%s'", key);
  const char *p = strstr(dict, pat);
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != ':') return NULL;
  p++;
  while (*p == ' ') p++;
  return p;
}

static int parse_dict(const char *dict, NpyHeader *h, char *err) {
  const char *v = dict_value(dict, "descr");
  if (!v || *v != '\'') return ERR("no 'descr' in the header");
  const char *end = strchr(v + 1, '\'');
  if (!end || end - v - 1 >= (long)sizeof h->dtype) return ERR("bad 'descr'");
  memcpy(h->dtype, v + 1, (size_t)(end - v - 1));
  h->dtype[end - v - 1] = '\0';
  if (strcmp(h->dtype, "<f4") && strcmp(h->dtype, "<f8") &&
      strcmp(h->dtype, "|u1") && strcmp(h->dtype, "<u1"))
    return ERR("unsupported dtype '%s' (workbook reads float32 <f4, "
               "float64 <f8 and uint8 |u1)", h->dtype);
  v = dict_value(dict, "fortran_order");
  if (!v) return ERR("no 'fortran_order' in the header");
  if (strncmp(v, "True", 4) == 0) h->fortran = 1;
  else if (strncmp(v, "False", 5) == 0) h->fortran = 0;
  else return ERR("bad 'fortran_order'");
  if (h->fortran)
    return ERR("Fortran-order arrays are not supported; save with "
               "np.ascontiguousarray(a) first");
  v = dict_value(dict, "shape");
  if (!v || *v != '(') return ERR("no 'shape' tuple in the header");
  v++;
  h->ndim = 0;
  for (;;) {
    while (*v == ' ' || *v == ',') v++;
    if (*v == ')') break;
    if (*v < '0' || *v > '9') return ERR("bad 'shape' in the header");
    if (h->ndim == TENSOR_MAXDIM)
      return ERR("more than %d dimensions", TENSOR_MAXDIM);
    char *e;
    errno = 0;
    long long n = strtoll(v, &e, 10);
    if (errno || n < 0) return ERR("bad 'shape' in the header");
    h->shape[h->ndim++] = n;
    v = e;
  }
  return 0;
}

int npy_parse_header(const unsigned char *buf, size_t n, NpyHeader *h,
                     char *err) {
  memset(h, 0, sizeof *h);
  if (n < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
    return ERR("not a .npy file (no \\x93NUMPY magic)");
  int major = buf[6];
  size_t hlen, start;
  if (major == 1) {
    hlen = buf[8] | (size_t)buf[9] << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (n < 12) return ERR("truncated .npy header");
    hlen = buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
           (size_t)buf[11] << 24;
    start = 12;
  } else {
    return ERR("unsupported .npy version %d", major);
  }
  if (hlen > 1 << 20 || start + hlen > n) return ERR("truncated .npy header");
  char *dict = malloc(hlen + 1);
  if (!dict) return ERR("out of memory");
  memcpy(dict, buf + start, hlen);
  dict[hlen] = '\0';
  int rc = parse_dict(dict, h, err);
  free(dict);
  h->data_offset = start + hlen;
  return rc;
}

static size_t dtype_size(const char *dt) {
  return dt[1] == 'f' ? (size_t)(dt[2] - '0') : 1;
}

int npy_read_header_file(const char *path, NpyHeader *h, char *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return ERR("cannot open %s: %s", path, strerror(errno));
  unsigned char head[12];
  size_t got = fread(head, 1, sizeof head, f);
  if (got < 10 || memcmp(head, "\x93NUMPY", 6) != 0) {
    fclose(f);
    return ERR("%s: not a .npy file (no \\x93NUMPY magic)", path);
  }
  size_t hlen = head[6] == 1 ? (head[8] | (size_t)head[9] << 8)
                             : (head[8] | (size_t)head[9] << 8 |
                                (size_t)head[10] << 16 | (size_t)head[11] << 24);
  size_t total = (head[6] == 1 ? 10 : 12) + (hlen < (1 << 20) ? hlen : 0);
  unsigned char *buf = malloc(total ? total : 1);
  if (!buf) { fclose(f); return ERR("out of memory"); }
  rewind(f);
  got = fread(buf, 1, total, f);
  fclose(f);
  char e2[TENSOR_ERRLEN];
  int rc = npy_parse_header(buf, got, h, e2);
  free(buf);
  if (rc) return ERR("%s: %s", path, e2);
  /* the data the header promises must be in the file: never allocate
   * for a shape the file cannot fill */
  struct stat st;
  if (stat(path, &st) != 0) return ERR("cannot open %s: %s", path, strerror(errno));
  uint64_t count = 1;
  for (int d = 0; d < h->ndim; d++) {
    uint64_t s = (uint64_t)h->shape[d];
    if (s && count > UINT64_MAX / s) return ERR("%s: the shape in the header overflows", path);
    count *= s;
  }
  uint64_t isz = dtype_size(h->dtype);
  if (count > (UINT64_MAX - h->data_offset) / isz)
    return ERR("%s: the shape in the header overflows", path);
  uint64_t need = h->data_offset + count * isz;
  if ((uint64_t)st.st_size < need)
    return ERR("%s: truncated: the header promises %llu values (%llu bytes of data) "
               "but the file has %lld bytes of data", path, (unsigned long long)count,
               (unsigned long long)(count * isz),
               (long long)st.st_size - (long long)h->data_offset);
  return 0;
}

int npy_dtype(const NpyHeader *h) {
  return strcmp(h->dtype, "<f8") == 0 ? TENSOR_F64 : TENSOR_F32;
}

int npy_read_data_file(const char *path, const NpyHeader *h, void *dst,
                       int dtype, int64_t count, char *err) {
  float *d32 = dst;
  double *d64 = dst;
  FILE *f = fopen(path, "rb");
  if (!f) return ERR("cannot open %s: %s", path, strerror(errno));
  size_t es = dtype_size(h->dtype);
  if (fseek(f, (long)h->data_offset, SEEK_SET) != 0) {
    fclose(f);
    return ERR("%s: truncated file", path);
  }
  /* read in chunks and convert */
  unsigned char buf[1 << 16];
  int64_t done = 0;
  while (done < count) {
    size_t want = (size_t)(count - done) * es;
    if (want > sizeof buf) want = sizeof buf - sizeof buf % es;
    size_t got = fread(buf, 1, want, f);
    size_t k = got / es;
    for (size_t i = 0; i < k; i++) {
      const unsigned char *p = buf + i * es;
      double v;
      if (es == 4) { float f; memcpy(&f, p, 4); v = f; }
      else if (es == 8) memcpy(&v, p, 8);
      else v = p[0];
      if (dtype == TENSOR_F64) d64[done + i] = v;
      else d32[done + i] = (float)v;
    }
    done += (int64_t)k;
    if (got < want) {
      fclose(f);
      return ERR("%s: truncated data (%lld of %lld values)", path,
                 (long long)done, (long long)count);
    }
  }
  fclose(f);
  return 0;
}

int npy_write_file(const char *path, const Tensor *t, char *err) {
  char dict[512];
  int k = snprintf(dict, sizeof dict,
                   "{'descr': '%s', 'fortran_order': False, 'shape': (",
                   t->dtype == TENSOR_F64 ? "<f8" : "<f4");
  for (int d = 0; d < t->ndim; d++)
    k += snprintf(dict + k, sizeof dict - (size_t)k, "%lld,%s",
                  (long long)t->shape[d], d + 1 < t->ndim ? " " : "");
  k += snprintf(dict + k, sizeof dict - (size_t)k, "), }");
  /* pad with spaces so 10 + len is a multiple of 64, end with '\n' */
  int total = 10 + k + 1;
  int pad = (64 - total % 64) % 64;
  int hlen = k + pad + 1;
  unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                            (unsigned char)(hlen & 0xff),
                            (unsigned char)(hlen >> 8)};
  char tmp[4200];
  FILE *f = fs_open_tmp(path, tmp, sizeof tmp);
  if (!f) return ERR("cannot write %s: %s", path, strerror(errno));
  int ok = fwrite(head, 1, 10, f) == 10 &&
           fwrite(dict, 1, (size_t)k, f) == (size_t)k;
  for (int i = 0; ok && i < pad; i++) ok = fputc(' ', f) != EOF;
  ok = ok && fputc('\n', f) != EOF;
  size_t es = tensor_esize(t);
  if (ok && t->size) {
    if (tensor_is_contiguous(t)) {
      ok = fwrite(t->data, es, (size_t)t->size, f) == (size_t)t->size;
    } else {
      void *buf = malloc((size_t)t->size * es);
      ok = buf != NULL;
      if (ok) {
        tensor_gather(t, buf);
        ok = fwrite(buf, es, (size_t)t->size, f) == (size_t)t->size;
        free(buf);
      }
    }
  }
  if (ok && fflush(f) != 0) ok = 0;
  if (!ok && !errno) errno = EIO;
  if (fs_commit_tmp(f, tmp, path, ok) != 0)
    return ERR("cannot write %s: %s", path, strerror(errno));
  return 0;
}
