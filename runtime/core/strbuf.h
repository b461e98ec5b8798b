/* strbuf.h - a growing NUL-terminated string for the builders that
 * assemble text (the book's includes, math protection, HTML). */
#ifndef WB_STRBUF_H
#define WB_STRBUF_H
#include <stddef.h>

/* Zero-initialise ({0}). Once an allocation fails, oom stays set and
 * every later put is ignored, so callers may check once at the end. */
typedef struct { char *p; size_t len, cap; int oom; } StrBuf;

/* Append n bytes of s; 0, or -1 when out of memory. */
int strbuf_put(StrBuf *b, const char *s, size_t n);
/* The finished string ("" when nothing was put), or NULL (and the
 * buffer freed) when out of memory. */
char *strbuf_take(StrBuf *b);
#endif
