/* gzfile.c - read a whole gzip or plain file through zlib. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "io/gzfile.h"

int gz_read_all(const char *path, size_t limit, char **out, size_t *n,
                char *err) {
  *out = NULL;
  *n = 0;
  errno = 0;
  gzFile gz = gzopen(path, "rb");
  if (!gz) {
    snprintf(err, GZFILE_ERRLEN, "cannot open %s: %s", path,
             errno ? strerror(errno) : "out of memory");
    return -1;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap + 1);
  int rc = -1;
  if (!buf) { snprintf(err, GZFILE_ERRLEN, "%s: not enough memory", path); goto done; }
  for (;;) {
    if (len == cap) {
      if (cap >= limit) {
        snprintf(err, GZFILE_ERRLEN, "%s: larger than %zu bytes", path, limit);
        goto done;
      }
      size_t ncap = cap * 2 > limit ? limit : cap * 2;
      char *nb = realloc(buf, ncap + 1);
      if (!nb) { snprintf(err, GZFILE_ERRLEN, "%s: not enough memory", path); goto done; }
      buf = nb;
      cap = ncap;
    }
    size_t want = cap - len > (1u << 30) ? (1u << 30) : cap - len;
    int got = gzread(gz, buf + len, (unsigned)want);
    if (got < 0) {
      int zerr;
      const char *m = gzerror(gz, &zerr);
      snprintf(err, GZFILE_ERRLEN, "%s: corrupt gzip data (%s)", path, m);
      goto done;
    }
    if (got == 0) break;
    len += (size_t)got;
  }
  {
    /* a gzip stream that just stops reads as a short file: say so */
    int zerr;
    const char *m = gzerror(gz, &zerr);
    if (zerr == Z_BUF_ERROR) {
      snprintf(err, GZFILE_ERRLEN, "%s: truncated (the gzip data ends early)", path);
      goto done;
    }
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
      snprintf(err, GZFILE_ERRLEN, "%s: corrupt gzip data (%s)", path, m);
      goto done;
    }
  }
  buf[len] = '\0';
  *out = buf;
  *n = len;
  buf = NULL;
  rc = 0;
done:
  free(buf);
  gzclose(gz);
  return rc;
}
