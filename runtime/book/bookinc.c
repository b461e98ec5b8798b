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

/* ---- cells ---------------------------------------------------------------
 * A line "-- %%" (alone or followed by blanks and a title) starts a cell,
 * "-- %% [markdown]" a Markdown cell whose lines are comments. The same
 * rule as book.is_marker in runtime/lua/book.lua, which the running lab
 * uses to say when it reaches each marker. */

static int cell_marker(const char *s, const char *e) {
  if (e - s < 5 || memcmp(s, "-- %%", 5) != 0) return 0;
  return e - s == 5 || s[5] == ' ' || s[5] == '\t' || s[5] == '\r';
}

static char *trimmed(const char *s, const char *e) {
  while (s < e && strchr(" \t\r", *s)) s++;
  while (e > s && strchr(" \t\r", e[-1])) e--;
  char *t = malloc((size_t)(e - s) + 1);
  if (t) { memcpy(t, s, (size_t)(e - s)); t[e - s] = '\0'; }
  return t;
}

/* Finish cell v: its text with blank lines at either end removed, and a
 * Markdown cell's comment leaders ("-- " or "--") taken off. */
static int close_cell(BiCell *v, const char *s, const char *e) {
  StrBuf b = {0};
  if (strbuf_put(&b, "", 0)) return -1;
  while (s < e) {
    const char *nl = memchr(s, '\n', (size_t)(e - s));
    const char *le = nl ? nl : e;
    const char *ls = s;
    if (v->markdown) {
      if (le - ls >= 2 && memcmp(ls, "--", 2) == 0) ls += 2;
      if (ls < le && *ls == ' ') ls++;
    }
    if (strbuf_put(&b, ls, (size_t)(le - ls)) || strbuf_put(&b, "\n", 1)) {
      free(b.p);
      return -1;
    }
    s = nl ? nl + 1 : e;
  }
  v->text = b.p;
  tidy(v->text);
  return 0;
}

int bi_cells(const char *code, BiCell **cells, int *ncells) {
  BiCell *v = NULL;
  int n = 0, cap = 0;
  const char *start = code, *end = code + strlen(code);
  BiCell cur = {0, 0, NULL, NULL};
  for (const char *s = code;; ) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *le = nl ? nl : end;
    int mark = s < end && cell_marker(s, le);
    if (mark || s >= end) {
      if (n == cap) {
        cap = cap ? 2 * cap : 8;
        BiCell *p = realloc(v, (size_t)cap * sizeof *v);
        if (!p) goto oom;
        v = p;
      }
      v[n] = cur;
      cur.title = NULL;
      if (!v[n].title && !(v[n].title = trimmed("", ""))) goto oom;
      n++;
      if (close_cell(&v[n - 1], start, s)) goto oom;
      if (s >= end) break;
      const char *t = s + 5;
      while (t < le && strchr(" \t", *t)) t++;
      cur = (BiCell){v[n - 1].index + 1, 0, NULL, NULL};
      if (le - t >= 10 && memcmp(t, "[markdown]", 10) == 0) {
        cur.markdown = 1;
        t += 10;
      }
      if (!(cur.title = trimmed(t, le))) goto oom;
      start = nl ? nl + 1 : end;
    }
    if (!nl) { s = end; continue; }
    s = nl + 1;
  }
  *cells = v;
  *ncells = n;
  return 0;
oom:
  free(cur.title);
  bi_cells_free(v, n);
  return -1;
}

void bi_cells_free(BiCell *cells, int n) {
  for (int i = 0; i < n; i++) { free(cells[i].title); free(cells[i].text); }
  free(cells);
}
