/* bookmath.c - find $...$ and $$...$$ in Markdown source and swap them
 * for tokens (see bookmath.h). The rules follow pandoc's tex_math_dollars:
 * an opening $ is followed by a non-space, a closing $ follows a non-space
 * and is not followed by a digit (so "$5 and $10" is no math); math never
 * crosses a blank line; \$ is a literal dollar; code spans are skipped,
 * and inline math stops at a backtick (a dollar amount before a code
 * span must not swallow it). */
#define _GNU_SOURCE   /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/bookmath.h"
#include "core/strbuf.h"

typedef struct {
  const char *s;
  size_t n;
  const unsigned char *skip;
  int nskip;
} Src;

/* line number (1-based) -> is it a code/HTML block line? */
static int skipped(const Src *s, int line) {
  return line >= 1 && line <= s->nskip && s->skip[line - 1];
}

/* Does the line starting at i end a paragraph (blank, or a skipped one)? */
static int para_break(const Src *s, size_t i, int line) {
  if (skipped(s, line)) return 1;
  while (i < s->n && (s->s[i] == ' ' || s->s[i] == '\t')) i++;
  return i >= s->n || s->s[i] == '\n' || s->s[i] == '\r';
}

/* From i, find a run of exactly k backticks before a paragraph break.
 * Returns the index after it, or 0. */
static size_t close_code_span(const Src *s, size_t i, size_t k, int line) {
  while (i < s->n) {
    if (s->s[i] == '\n') {
      if (para_break(s, i + 1, ++line)) return 0;
      i++;
    } else if (s->s[i] == '`') {
      size_t j = i;
      while (j < s->n && s->s[j] == '`') j++;
      if (j - i == k) return j;
      i = j;
    } else {
      i++;
    }
  }
  return 0;
}

/* From i (just after the opening delimiter), find the closing one: "$$"
 * for display math, "$" (after a non-space, not before a digit) for
 * inline. Returns the index of the closing delimiter, or 0. */
static size_t close_math(const Src *s, size_t i, int display, int line) {
  for (; i < s->n; i++) {
    char c = s->s[i];
    if (c == '\\' && i + 1 < s->n && s->s[i + 1] != '\n') { i++; continue; }
    if (c == '\n') {
      if (para_break(s, i + 1, ++line)) return 0;
      continue;
    }
    if (c == '`' && !display) return 0;   /* a code span starts: no math */
    if (c != '$') continue;
    if (display) {
      if (i + 1 < s->n && s->s[i + 1] == '$') return i;
      continue;
    }
    if (isspace((unsigned char)s->s[i - 1])) continue;
    if (i + 1 < s->n && isdigit((unsigned char)s->s[i + 1])) continue;
    return i;
  }
  return 0;
}

static int count_newlines(const char *p, size_t n) {
  int k = 0;
  for (size_t i = 0; i < n; i++) k += p[i] == '\n';
  return k;
}

typedef struct {
  StrBuf out;
  int *map;
  int nmap, capmap;
  BmMath *math;
  int nmath, capmath;
} State;

static int push_line(State *st, int srcline) {
  if (st->nmap == st->capmap) {
    int cap = st->capmap ? 2 * st->capmap : 64;
    int *m = realloc(st->map, (size_t)cap * sizeof *m);
    if (!m) return -1;
    st->map = m;
    st->capmap = cap;
  }
  st->map[st->nmap++] = srcline;
  return 0;
}

static int add_math(State *st, const char *tex, size_t n, int display) {
  if (st->nmath == st->capmath) {
    int cap = st->capmath ? 2 * st->capmath : 16;
    BmMath *m = realloc(st->math, (size_t)cap * sizeof *m);
    if (!m) return -1;
    st->math = m;
    st->capmath = cap;
  }
  char *t = malloc(n + 1);
  if (!t) return -1;
  memcpy(t, tex, n);
  t[n] = '\0';
  st->math[st->nmath] = (BmMath){t, display};
  char tok[32];
  int k = snprintf(tok, sizeof tok, BM_TOKEN "%dZ", st->nmath++);
  return strbuf_put(&st->out, tok, (size_t)k);
}

/* Copy s[i..j) to the output, counting lines. */
static int copy(State *st, const Src *s, size_t i, size_t j, int *line) {
  for (size_t k = i; k < j; k++)
    if (s->s[k] == '\n' && push_line(st, ++*line)) return -1;
  return strbuf_put(&st->out, s->s + i, j - i);
}

/* Try math at s[i] == '$'. Returns the index after it, or 0. */
static size_t try_math(State *st, const Src *s, size_t i, int *line) {
  int display = i + 1 < s->n && s->s[i + 1] == '$';
  size_t open = i + (display ? 2 : 1);
  if (open >= s->n) return 0;
  if (!display && (isspace((unsigned char)s->s[open]) || s->s[open] == '$'))
    return 0;
  size_t close = close_math(s, open, display, *line);
  if (!close || close == open) return 0;
  if (add_math(st, s->s + open, close - open, display)) return (size_t)-1;
  *line += count_newlines(s->s + open, close - open);
  return close + (display ? 2 : 1);
}

static int scan(State *st, const Src *s) {
  int line = 1;
  size_t i = 0;
  if (push_line(st, 1)) return -1;
  while (i < s->n) {
    char c = s->s[i];
    size_t j = i + 1;
    if (skipped(s, line)) {
      while (j <= s->n && s->s[j - 1] != '\n') j++;
      if (j > s->n) j = s->n;
    } else if (c == '\\' && j < s->n && ispunct((unsigned char)s->s[j])) {
      j++;
    } else if (c == '`') {
      while (j < s->n && s->s[j] == '`') j++;
      size_t end = close_code_span(s, j, j - i, line);
      if (end) j = end;
    } else if (c == '$') {
      size_t end = try_math(st, s, i, &line);
      if (end == (size_t)-1) return -1;
      if (end) { i = end; continue; }
      if (j < s->n && s->s[j] == '$') j++;
    }
    if (copy(st, s, i, j, &line)) return -1;
    i = j;
  }
  return 0;
}

int bm_protect_math(const char *src, size_t len, const unsigned char *skip,
                    int nskip, BmProtected *out) {
  memset(out, 0, sizeof *out);
  if (memmem(src, len, BM_TOKEN, strlen(BM_TOKEN))) return -1;
  Src s = {src, len, skip, nskip};
  State st = {0};
  if (strbuf_put(&st.out, "", 0) || scan(&st, &s)) {
    free(st.out.p);
    free(st.map);
    for (int k = 0; k < st.nmath; k++) free(st.math[k].tex);
    free(st.math);
    return -1;
  }
  *out = (BmProtected){st.out.p, st.out.len, st.map, st.nmap,
                       st.math, st.nmath};
  return 0;
}

void bm_protected_free(BmProtected *p) {
  free(p->text);
  free(p->line_map);
  for (int k = 0; k < p->nmath; k++) free(p->math[k].tex);
  free(p->math);
  memset(p, 0, sizeof *p);
}

int bm_token_at(const char *s, size_t n, size_t *toklen) {
  size_t k = strlen(BM_TOKEN), i = k;
  if (n <= k || memcmp(s, BM_TOKEN, k) != 0) return -1;
  int v = 0;
  while (i < n && isdigit((unsigned char)s[i]) && v < 100000000)
    v = v * 10 + (s[i++] - '0');
  if (i == k || i >= n || s[i] != 'Z') return -1;
  *toklen = i + 1;
  return v;
}
