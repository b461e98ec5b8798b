/* bookhash.c - SHA-256 through nettle: a well-kept library rather than a
 * hand-made hash, since cache keys must not collide. */
#include <errno.h>
#include <stdio.h>

#include <nettle/sha2.h>

#include "book/bookhash.h"

static void to_hex(const uint8_t *d, char hex[BH_HEX]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

void bh_sha256_buf(const void *p, size_t len, char hex[BH_HEX]) {
  struct sha256_ctx c;
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_init(&c);
  sha256_update(&c, len, p);
  sha256_digest(&c, sizeof d, d);
  to_hex(d, hex);
}

int bh_sha256_file(const char *path, char hex[BH_HEX]) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  struct sha256_ctx c;
  uint8_t d[SHA256_DIGEST_SIZE], buf[1 << 16];
  size_t n;
  sha256_init(&c);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha256_update(&c, n, buf);
  int err = ferror(f) ? (errno ? errno : EIO) : 0;
  fclose(f);
  if (err) { errno = err; return -1; }
  sha256_digest(&c, sizeof d, d);
  to_hex(d, hex);
  return 0;
}
