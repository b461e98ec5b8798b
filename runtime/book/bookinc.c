/* bookinc.c - read included code and cut out anchored parts. A marker is
 * a comment line holding `ANCHOR: NAME` or `ANCHOR_END: NAME` after the
 * comment leader (--, #, //, ;), mdBook's convention, so any language
 * can carry them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/bookinc.h"
#include "core/strbuf.h"

static char *read_all(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  StrBuf b = {0};
  char chunk[8192];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (strbuf_put(&b, chunk, k)) { fclose(f); free(b.p); errno = ENOMEM; return NULL; }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(b.p); errno = EIO; return NULL; }
  if (!b.p && strbuf_put(&b, "", 0)) { errno = ENOMEM; return NULL; }
  *n = b.len;
  return b.p;
}

/* Is line [s, e) a marker? Returns 1 for ANCHOR, 2 for ANCHOR_END, 0
 * otherwise; name and nlen receive the anchor's name. */
static int marker(const char *s, const char *e, const char **name,
                  size_t *nlen) {
  while (s < e && (*s == ' ' || *s == '\t')) s++;
  const char *lead = s;
  while (s < e && strchr("-#/;*", *s)) s++;
  if (s == lead) return 0;
  while (s < e && (*s == ' ' || *s == '\t')) s++;
  int kind;
  if ((size_t)(e - s) > 11 && memcmp(s, "ANCHOR_END:", 11) == 0) {
    kind = 2;
    s += 11;
  } else if ((size_t)(e - s) > 7 && memcmp(s, "ANCHOR:", 7) == 0) {
    kind = 1;
    s += 7;
  } else {
    return 0;
  }
  while (s < e && (*s == ' ' || *s == '\t')) s++;
  const char *t = e;
  while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r')) t--;
  *name = s;
  *nlen = (size_t)(t - s);
  return kind;
}

static int is_name(const char *name, size_t nlen, const char *want) {
  return want && strlen(want) == nlen && memcmp(name, want, nlen) == 0;
}

/* Keep the wanted lines (all, or inside the anchor), dropping markers. */
static int select_lines(const char *src, size_t n, const char *anchor,
                        StrBuf *out, int *found, int *closed) {
  int inside = anchor == NULL;
  for (const char *s = src, *end = src + n; s < end;) {
    const char *e = memchr(s, '\n', (size_t)(end - s));
    const char *next = e ? e + 1 : end;
    if (!e) e = end;
    const char *name;
    size_t nlen;
    int kind = marker(s, e, &name, &nlen);
    if (kind && is_name(name, nlen, anchor)) {
      if (kind == 1) { *found = 1; inside = 1; }
      else if (*found && inside) { *closed = 1; inside = 0; }
    } else if (!kind && inside) {
      if (strbuf_put(out, s, (size_t)(next - s))) return -1;
    }
    s = next;
  }
  return 0;
}

/* Is the line at s blank? */
static int blank_line(const char *s) {
  s += strspn(s, " \t\r");
  return *s == '\n' || *s == '\0';
}

/* Remove the indentation all non-blank lines share, and blank lines at
 * either end. */
static void tidy(char *p) {
  size_t common = (size_t)-1;
  for (char *s = p; *s;) {
    size_t k = strspn(s, " \t");
    if (!blank_line(s) && k < common) common = k;
    char *e = strchr(s, '\n');
    s = e ? e + 1 : s + strlen(s);
  }
  if (common == (size_t)-1) common = 0;
  char *s = p, *w = p;
  while (*s && blank_line(s)) {
    char *e = strchr(s, '\n');
    s = e ? e + 1 : s + strlen(s);
  }
  while (*s) {
    char *e = strchr(s, '\n');
    size_t len = e ? (size_t)(e - s) + 1 : strlen(s);
    size_t ind = strspn(s, " \t");
    size_t cut = ind < common ? ind : common;
    if (cut > len) cut = len;
    memmove(w, s + cut, len - cut);
    w += len - cut;
    s += len;
  }
  while (w > p && strchr(" \t\r\n", w[-1])) w--;
  *w = '\0';
}

char *bi_include(const char *path, const char *shown, const char *anchor,
                 char *why, size_t whylen) {
  size_t n;
  char *src = read_all(path, &n);
  if (!src) {
    snprintf(why, whylen, "cannot read %s: %s", shown, strerror(errno));
    return NULL;
  }
  StrBuf out = {0};
  int found = 0, closed = 0;
  int bad = strbuf_put(&out, "", 0) || select_lines(src, n, anchor, &out, &found,
                                              &closed);
  free(src);
  if (bad) {
    free(out.p);
    snprintf(why, whylen, "out of memory");
    return NULL;
  }
  if (anchor && (!found || !closed)) {
    snprintf(why, whylen, found ? "anchor '%s' in %s has no ANCHOR_END"
             : "anchor '%s' not found in %s", anchor, shown);
    free(out.p);
    return NULL;
  }
  tidy(out.p);
  return out.p;
}
