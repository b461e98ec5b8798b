/* test_idx.c - IDX reading: plain and gzip files, and each kind of
 * broken file (bad magic, unsupported type, truncated, trailing bytes,
 * corrupt gzip stream) gives an error naming the file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/idx.h"
#include "tap.h"

static char err[TENSOR_ERRLEN];
static char path[64];

/* header for a (2,3) ubyte array, then n data bytes */
static size_t make_idx(unsigned char *buf, int n) {
  unsigned char head[12] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3};
  memcpy(buf, head, 12);
  for (int i = 0; i < n; i++) buf[12 + i] = (unsigned char)(i * 50);
  return 12 + (size_t)n;
}

static void write_plain(const unsigned char *b, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(b, 1, n, f);
  fclose(f);
}

static void write_gz(const unsigned char *b, size_t n) {
  gzFile g = gzopen(path, "wb");
  gzwrite(g, b, (unsigned)n);
  gzclose(g);
}

static int load(float *dst) {
  IdxFile f;
  if (idx_open(&f, path, err)) return -1;
  int rc = idx_read(&f, path, dst, 1.0f / 250, err);
  idx_close(&f);
  return rc;
}

int main(void) {
  strcpy(path, "/tmp/wb_idxXXXXXX");
  close(mkstemp(path));
  unsigned char buf[64];
  float dst[6];
  size_t n = make_idx(buf, 6);

  write_plain(buf, n);
  ok(load(dst) == 0, "plain IDX file loads");
  near(dst[5], 250 / 250.0, 1e-7, "values scaled");
  write_gz(buf, n);
  IdxFile f;
  ok(idx_open(&f, path, err) == 0 && f.ndim == 2 && f.shape[0] == 2 &&
     f.shape[1] == 3, "gzip IDX header (2,3)");
  idx_close(&f);
  ok(load(dst) == 0 && dst[1] == 50 / 250.0f, "gzip IDX file loads");

  write_gz(buf, n - 2);
  ok(load(dst) != 0 && strstr(err, "truncated") && strstr(err, path),
     "truncated data: %s", err);
  write_gz(buf, 9);
  ok(load(dst) != 0 && strstr(err, "truncated file while reading the header"),
     "truncated header: %s", err);
  unsigned char more[64];
  memcpy(more, buf, n);
  more[n] = 7;
  write_gz(more, n + 1);
  ok(load(dst) != 0 && strstr(err, "unexpected data"), "trailing bytes: %s", err);
  memcpy(more, buf, n);
  more[0] = 0x1f;
  write_plain(more, n);
  ok(load(dst) != 0 && strstr(err, "not an IDX file"), "bad magic: %s", err);
  memcpy(more, buf, n);
  more[2] = 0x0d;
  write_plain(more, n);
  ok(load(dst) != 0 && strstr(err, "type 0x0d not supported"), "float IDX: %s", err);

  /* a gzip stream with its middle damaged */
  unsigned char big[4096 + 12];
  unsigned char head[12] = {0, 0, 8, 1, 0, 0, 0x10, 0};
  memcpy(big, head, 8);
  for (int i = 8; i < (int)sizeof big; i++) big[i] = (unsigned char)(rand() & 0xff);
  write_gz(big, 8 + 4096);
  FILE *fp = fopen(path, "r+b");
  fseek(fp, 0, SEEK_END);
  long len = ftell(fp);
  fseek(fp, len / 2, SEEK_SET);
  for (int i = 0; i < 16; i++) fputc(0xff, fp);
  fclose(fp);
  float *bd = malloc(4096 * sizeof(float));
  ok(load(bd) != 0 && (strstr(err, "corrupt") || strstr(err, "truncated")),
     "damaged gzip stream: %s", err);
  free(bd);

  unlink(path);
  ok(load(dst) != 0 && strstr(err, "cannot open"), "missing file: %s", err);
  return done_testing();
}
