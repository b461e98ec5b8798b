/* gzfile.h - a whole file into memory, gzip-compressed or plain (zlib's
 * gzread passes plain files through), for the small data sets (.csv.gz). */
#ifndef WB_GZFILE_H
#define WB_GZFILE_H
#include <stddef.h>

#define GZFILE_ERRLEN 512

/* Read all of path (decompressing gzip) into a malloc'ed buffer *out of
 * *n bytes plus a terminating NUL; the caller frees it. More than limit
 * bytes after decompression is an error (a gzip bomb never fills the
 * memory). Returns 0, or -1 with a message in err naming the file. */
int gz_read_all(const char *path, size_t limit, char **out, size_t *n,
                char *err);
#endif
