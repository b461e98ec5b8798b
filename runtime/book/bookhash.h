/* bookhash.h - SHA-256 (nettle) of buffers and files, as hex strings:
 * the book builder's cache keys. */
#ifndef WB_BOOKHASH_H
#define WB_BOOKHASH_H
#include <stddef.h>

#define BH_HEX 65   /* 64 hex digits and a NUL */

/* hex digest of len bytes at p */
void bh_sha256_buf(const void *p, size_t len, char hex[BH_HEX]);
/* hex digest of a file's content; 0, or -1 with errno set */
int bh_sha256_file(const char *path, char hex[BH_HEX]);
#endif
