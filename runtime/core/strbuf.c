/* strbuf.c - the growing string of strbuf.h. */
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

int strbuf_put(StrBuf *b, const char *s, size_t n) {
  if (b->oom) return -1;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return -1; }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

char *strbuf_take(StrBuf *b) {
  if (!b->p && !b->oom) strbuf_put(b, "", 0);
  if (b->oom) { free(b->p); b->p = NULL; return NULL; }
  return b->p;
}
