/* idx.c - read IDX files through zlib (gzread reads plain files too). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "io/idx.h"

#define ERR(...) (snprintf(err, TENSOR_ERRLEN, __VA_ARGS__), -1)

/* a short read: corrupt gzip stream, or the file simply ends */
static int read_error(gzFile gz, const char *path, const char *what,
                      char *err) {
  int zerr;
  const char *msg = gzerror(gz, &zerr);
  /* zlib says Z_BUF_ERROR when a gzip stream simply stops */
  if (zerr != Z_OK && zerr != Z_STREAM_END && zerr != Z_BUF_ERROR)
    return ERR("%s: corrupt file while reading %s (%s)", path, what, msg);
  return ERR("%s: truncated file while reading %s", path, what);
}

int idx_open(IdxFile *f, const char *path, char *err) {
  memset(f, 0, sizeof *f);
  gzFile gz = gzopen(path, "rb");
  if (!gz) return ERR("cannot open %s: %s", path, errno ? strerror(errno) : "out of memory");
  unsigned char head[4];
  if (gzread(gz, head, 4) != 4) {
    read_error(gz, path, "the header", err);
    gzclose(gz);
    return -1;
  }
  if (head[0] != 0 || head[1] != 0 || head[3] < 1 || head[3] > TENSOR_MAXDIM) {
    gzclose(gz);
    return ERR("%s: not an IDX file (bad magic %02x %02x %02x %02x)", path,
               head[0], head[1], head[2], head[3]);
  }
  if (head[2] != 0x08) {
    gzclose(gz);
    return ERR("%s: IDX type 0x%02x not supported (only unsigned bytes, 0x08)",
               path, head[2]);
  }
  f->ndim = head[3];
  f->count = 1;
  for (int d = 0; d < f->ndim; d++) {
    unsigned char b[4];
    if (gzread(gz, b, 4) != 4) {
      read_error(gz, path, "the header", err);
      gzclose(gz);
      return -1;
    }
    f->shape[d] = (int64_t)b[0] << 24 | (int64_t)b[1] << 16 | (int64_t)b[2] << 8 | b[3];
    /* checked before multiplying: no signed overflow */
    if (f->shape[d] > 0 && f->count > (INT64_C(1) << 34) / f->shape[d]) {
      gzclose(gz);
      return ERR("%s: sizes in the header are too large", path);
    }
    f->count *= f->shape[d];
  }
  /* never allocate more than the file can hold: its bytes after the
   * header, or for gzip data deflate's largest ratio (about 1032:1) */
  struct stat st;
  if (stat(path, &st) == 0) {
    int64_t head_bytes = 4 + 4 * (int64_t)f->ndim;
    int64_t cap = gzdirect(gz) ? (int64_t)st.st_size - head_bytes
                               : (int64_t)st.st_size * 1032;
    if (f->count > cap) {
      gzclose(gz);
      return ERR("%s: truncated: the header promises %lld values, the file can hold "
                 "at most %lld", path, (long long)f->count, (long long)(cap < 0 ? 0 : cap));
    }
  }
  f->gz = gz;
  return 0;
}

int idx_read(IdxFile *f, const char *path, float *dst, float scale,
             char *err) {
  float lut[256];
  for (int i = 0; i < 256; i++) lut[i] = (float)i * scale;
  return idx_read_lut(f, path, dst, lut, err);
}

int idx_read_lut(IdxFile *f, const char *path, float *dst, const float lut[256],
                 char *err) {
  gzFile gz = f->gz;
  unsigned char buf[1 << 16];
  int64_t done = 0;
  while (done < f->count) {
    int64_t want = f->count - done;
    if (want > (int64_t)sizeof buf) want = sizeof buf;
    int got = gzread(gz, buf, (unsigned)want);
    if (got <= 0) {
      char what[64];
      snprintf(what, sizeof what, "value %lld of %lld", (long long)done + 1,
               (long long)f->count);
      return read_error(gz, path, what, err);
    }
    for (int i = 0; i < got; i++) dst[done + i] = lut[buf[i]];
    done += got;
  }
  if (gzread(gz, buf, 1) != 0)
    return ERR("%s: unexpected data after the %lld values the header promises",
               path, (long long)f->count);
  int zerr;
  gzerror(gz, &zerr);
  if (zerr != Z_OK && zerr != Z_STREAM_END)
    return read_error(gz, path, "the end", err);
  return 0;
}

void idx_close(IdxFile *f) {
  if (f->gz) gzclose((gzFile)f->gz);
  f->gz = NULL;
}
