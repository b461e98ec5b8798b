/* bookmd.c - render one book page: cmark-gfm parses, then passes over
 * the syntax tree apply the book's rules (see bookmd.h). Math is taken
 * out of the source before parsing (bookmath.c) and put back as
 * <span class="math ..."> holding the TeX, escaped, for KaTeX to render
 * in the browser. */
#define _GNU_SOURCE   /* memmem, strndup */
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "book/bookinc.h"
#include "book/bookmath.h"
#include "book/bookmd.h"
#include "core/names.h"
#include "core/strbuf.h"

#define OPTS (CMARK_OPT_UNSAFE | CMARK_OPT_VALIDATE_UTF8)

/* ---- growing strings and arrays --------------------------------------- */

typedef StrBuf Str;     /* out of memory is sticky: checked by take() */

static void put(Str *b, const char *s, size_t n) { strbuf_put(b, s, n); }

static void puts_(Str *b, const char *s) { put(b, s, strlen(s)); }

/* The finished string (never NULL unless out of memory). */
static char *take(Str *b) { return strbuf_take(b); }

static void escape_html(Str *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&': puts_(b, "&amp;"); break;
    case '<': puts_(b, "&lt;"); break;
    case '>': puts_(b, "&gt;"); break;
    case '"': puts_(b, "&quot;"); break;
    default: put(b, s + i, 1);
    }
  }
}

/* Make room for one more element in *arr (n used, *cap allocated). */
static int grow(void **arr, int n, int *cap, size_t size) {
  if (n < *cap) return 0;
  int c = *cap ? 2 * *cap : 16;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p) return -1;
  *arr = p;
  *cap = c;
  return 0;
}

static char *dup(const char *s) {
  char *d = strdup(s ? s : "");
  return d;
}

/* ---- the render context ------------------------------------------------ */

typedef struct {
  const char *name, *root, *dir;
  BmProtected prot;
  cmark_parser *parser;
  cmark_node *doc;
  BmPage *page;
  int capheads, caprefs, capruns;
  char *err;
  size_t errlen;
} Ctx;

/* Set the error "name:LINE: message"; returns -1 for the caller. */
static int fail(Ctx *c, int line, const char *fmt, const char *arg) {
  char msg[1024];
  snprintf(msg, sizeof msg, fmt, arg ? arg : "");
  snprintf(c->err, c->errlen, "%s:%d: %s", c->name, line, msg);
  return -1;
}

static int oom(Ctx *c) { return fail(c, 0, "out of memory", NULL); }

/* The source line of a node of the protected text. */
static int src_line(Ctx *c, int line) {
  if (line < 1) return 1;
  if (line > c->prot.nlines) return c->prot.line_map[c->prot.nlines - 1];
  return c->prot.line_map[line - 1];
}

static int is_block(cmark_node *n) {
  return (cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK)
         == CMARK_NODE_TYPE_BLOCK;
}

/* The line of a link or image: cmark's inline positions are not
 * reliable, so look for the URL (needle) in the text of the innermost
 * enclosing block that has a position. Links come in document order, so
 * a cursor moves forward through the text: the search starts where the
 * previous URL was found and looks at most URL_WINDOW bytes ahead, which
 * keeps a page of many links or deeply nested ones linear. A URL not
 * found there (an autolink, a reference) takes the cursor's line, at
 * least the block's first. */
#define URL_WINDOW 4096
typedef struct {
  cmark_node *block;     /* the block the cursor is in */
  const char *at;        /* the cursor in the protected text */
  int line;              /* its line */
} UrlScan;

static int inline_line(Ctx *c, UrlScan *sc, cmark_node *block,
                       const char *needle) {
  if (!block || !c->prot.text) return 1;
  const char *end = c->prot.text + c->prot.len;
  int first = cmark_node_get_start_line(block);
  int last = cmark_node_get_end_line(block);
  if (!sc->at || (block != sc->block && sc->line > first)) {
    sc->at = c->prot.text;
    sc->line = 1;
  }
  sc->block = block;
  while (sc->line < first) {
    const char *e = memchr(sc->at, '\n', (size_t)(end - sc->at));
    if (!e) break;
    sc->at = e + 1;
    sc->line++;
  }
  size_t nl = needle ? strlen(needle) : 0, room = (size_t)(end - sc->at);
  const char *hit = nl ? memmem(sc->at, room < URL_WINDOW ? room : URL_WINDOW,
                                needle, nl) : NULL;
  if (!hit) return src_line(c, sc->line);
  int line = sc->line;
  for (const char *p = sc->at; (p = memchr(p, '\n', (size_t)(hit - p))); p++)
    line++;
  if (line > last) return src_line(c, sc->line);
  sc->at = hit + 1;
  sc->line = line;
  return src_line(c, line);
}

/* ---- parsing ------------------------------------------------------------ */

static cmark_parser *new_parser(void) {
  static const char *exts[] = {"table", "autolink", "strikethrough"};
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser *p = cmark_parser_new(OPTS);
  if (!p) return NULL;
  for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
    cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
    if (e) cmark_parser_attach_syntax_extension(p, e);
  }
  return p;
}

/* Lines of src inside code and HTML blocks: math scanning skips them. */
static unsigned char *verbatim_lines(const char *src, size_t len, int *nlines) {
  int n = 1;
  for (size_t i = 0; i < len; i++) n += src[i] == '\n';
  unsigned char *skip = calloc((size_t)n, 1);
  cmark_parser *p = new_parser();
  if (!skip || !p) { free(skip); if (p) cmark_parser_free(p); return NULL; }
  cmark_parser_feed(p, src, len);
  cmark_node *doc = cmark_parser_finish(p);
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    if (ev != CMARK_EVENT_ENTER
        || (t != CMARK_NODE_CODE_BLOCK && t != CMARK_NODE_HTML_BLOCK)) continue;
    int a = cmark_node_get_start_line(node), b = cmark_node_get_end_line(node);
    for (int l = a; l <= b && l <= n; l++) if (l >= 1) skip[l - 1] = 1;
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  cmark_parser_free(p);
  *nlines = n;
  return skip;
}

/* Every node of a type, in document order (NULL-free array). */
static cmark_node **collect(cmark_node *doc, cmark_node_type type, int *n) {
  cmark_node **v = NULL;
  int cap = 0;
  *n = 0;
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(node) != type) continue;
    if (grow((void **)&v, *n, &cap, sizeof *v)) { free(v); v = NULL; *n = -1; break; }
    v[(*n)++] = node;
  }
  cmark_iter_free(it);
  if (!v && *n == 0) v = calloc(1, sizeof *v);
  return v;
}

/* Replace node by a new node of type holding literal html. */
static int replace_by(cmark_node *node, cmark_node_type type, const char *html) {
  cmark_node *r = cmark_node_new(type);
  if (!r || !cmark_node_set_literal(r, html)) { cmark_node_free(r); return -1; }
  cmark_node_insert_before(node, r);
  cmark_node_free(node);
  return 0;
}

/* ---- plain text ---------------------------------------------------------- */

/* Text with each math token replaced by its TeX (or a space). */
static void expand_tokens(Ctx *c, Str *b, const char *s, int tex) {
  size_t n = strlen(s), i = 0;   /* once: linear in the text's length */
  while (i < n) {
    size_t k;
    int m = bm_token_at(s + i, n - i, &k);
    if (m >= 0 && m < c->prot.nmath) {
      puts_(b, tex ? c->prot.math[m].tex : " ");
      i += k;
    } else {
      put(b, s + i++, 1);
    }
  }
}

/* Iterative, not recursive: a page may nest quotes or lists a hundred
 * thousand deep. Down through first children; on the way back up each
 * container block that ends gets its trailing space. */
static void plain_text(Ctx *c, Str *b, cmark_node *root, int tex) {
  cmark_node *n = root;
  for (;;) {
    int container = 0;
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
      expand_tokens(c, b, cmark_node_get_literal(n), tex);
      break;
    case CMARK_NODE_CODE: case CMARK_NODE_CODE_BLOCK:
      puts_(b, cmark_node_get_literal(n));
      break;
    case CMARK_NODE_SOFTBREAK: case CMARK_NODE_LINEBREAK:
      puts_(b, " ");
      break;
    case CMARK_NODE_HTML_INLINE: case CMARK_NODE_HTML_BLOCK:
      break;
    default:
      container = 1;
    }
    if (container && cmark_node_first_child(n)) {
      n = cmark_node_first_child(n);
      continue;
    }
    for (;;) {   /* n is done: close it and every container it ends */
      if (container && is_block(n)) puts_(b, " ");
      if (n == root) return;
      if (cmark_node_next(n)) { n = cmark_node_next(n); break; }
      n = cmark_node_parent(n);
      container = 1;
    }
  }
}

/* ---- headings ------------------------------------------------------------ */

static int utf8_decode(const unsigned char *s, int *len) {
  int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
  int cp = n == 1 ? s[0] : s[0] & (0x3f >> (n - 1));
  for (int i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80) { *len = 1; return -1; }
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  *len = n;
  return n == 1 && s[0] >= 0x80 ? -1 : cp;
}

/* Letters and digits of the scripts a Korean course book meets. */
static int letter_like(int cp) {
  return (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7)
      || (cp >= 0x370 && cp <= 0x3ff) || (cp >= 0x400 && cp <= 0x4ff)
      || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3040 && cp <= 0x30ff)
      || (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0x3400 && cp <= 0x4dbf)
      || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3)
      || (cp >= 0xf900 && cp <= 0xfaff);
}

void bm_slug(const char *text, char *out, size_t n) {
  const unsigned char *s = (const unsigned char *)text;
  size_t w = 0;
  int dash = 0;
  while (*s) {
    int len, cp = utf8_decode(s, &len);
    int keep = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')
            || cp == '_' || (cp >= 'A' && cp <= 'Z') || letter_like(cp);
    if (cp == ' ' || cp == '\t' || cp == '-') dash = w > 0;
    else if (keep && w + (size_t)len + 2 < n) {
      if (dash) out[w++] = '-';
      dash = 0;
      for (int i = 0; i < len; i++)
        out[w++] = (char)(cp >= 'A' && cp <= 'Z' ? s[i] + 32 : s[i]);
    }
    s += len;
  }
  out[w] = '\0';
  if (w == 0) snprintf(out, n, "section");
}

/* A unique id: the slug, or slug-1, slug-2 ... */
static char *unique_id(BmPage *pg, const char *text) {
  char slug[512], id[540];
  bm_slug(text, slug, sizeof slug);
  snprintf(id, sizeof id, "%s", slug);
  for (int k = 1;; k++) {
    int used = 0;
    for (int i = 0; i < pg->nheads && !used; i++)
      used = strcmp(pg->heads[i].id, id) == 0;
    if (!used) return dup(id);
    snprintf(id, sizeof id, "%s-%d", slug, k);
  }
}

/* Pass 1: every heading's level, line, text and id. */
static int read_headings(Ctx *c) {
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_HEADING, &n);
  if (!v) return oom(c);
  BmPage *pg = c->page;
  for (int i = 0; i < n; i++) {
    if (grow((void **)&pg->heads, pg->nheads, &c->capheads, sizeof *pg->heads))
      { free(v); return oom(c); }
    Str t = {0};
    plain_text(c, &t, v[i], 1);
    BmHeading *h = &pg->heads[pg->nheads];
    *h = (BmHeading){cmark_node_get_heading_level(v[i]),
                     src_line(c, cmark_node_get_start_line(v[i])),
                     NULL, take(&t), NULL, NULL};
    if (h->text) {   /* trim the space plain_text adds after blocks */
      size_t k = strlen(h->text);
      while (k && h->text[k - 1] == ' ') h->text[--k] = '\0';
    }
    h->id = h->text ? unique_id(pg, h->text) : NULL;
    pg->nheads++;
    if (!h->text || !h->id) { free(v); return oom(c); }
  }
  free(v);
  return 0;
}

/* How many headings are inside n (a block that is not one). */
static int nested_headings(cmark_node *n) {
  int k = 0;
  cmark_iter *it = cmark_iter_new(n);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
    k += ev == CMARK_EVENT_ENTER
         && cmark_node_get_type(cmark_iter_get_node(it)) == CMARK_NODE_HEADING;
  cmark_iter_free(it);
  return k;
}

/* Pass 2: the text of each top-level section, for the search index.
 * Headings nested in lists or quotes get no text of their own. */
static int read_sections(Ctx *c) {
  BmPage *pg = c->page;
  Str body = {0};
  int cur = -1, next = 0;
  for (cmark_node *n = cmark_node_first_child(c->doc);; n = cmark_node_next(n)) {
    if (n && cmark_node_get_type(n) != CMARK_NODE_HEADING) {
      plain_text(c, &body, n, 0);
      next += nested_headings(n);
      continue;
    }
    char *s = take(&body);
    body = (Str){0};
    if (!s) return oom(c);
    if (cur < 0) pg->intro = s;
    else if (cur < pg->nheads && !pg->heads[cur].body) pg->heads[cur].body = s;
    else free(s);
    if (!n) break;
    cur = next++;
  }
  for (int i = 0; i < pg->nheads; i++)
    if (!pg->heads[i].body && !(pg->heads[i].body = dup(""))) return oom(c);
  return 0;
}

/* Last pass: each heading becomes raw HTML with its id and a link to
 * itself; cmark renders the content. */
static int write_headings(Ctx *c) {
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_HEADING, &n);
  if (!v) return oom(c);
  for (int i = 0; i < n && i < c->page->nheads; i++) {
    BmHeading *h = &c->page->heads[i];
    char *r = cmark_render_html(v[i], OPTS,
                                cmark_parser_get_syntax_extensions(c->parser));
    char *open = r ? strchr(r, '>') : NULL, *close = r ? strrchr(r, '<') : NULL;
    if (!open || !close || close < open) { free(r); free(v); return oom(c); }
    h->html = strndup(open + 1, (size_t)(close - open - 1));
    Str b = {0};
    char tag[64];
    snprintf(tag, sizeof tag, "<h%d id=\"", h->level);
    puts_(&b, tag);
    escape_html(&b, h->id, strlen(h->id));
    puts_(&b, "\">");
    puts_(&b, h->html ? h->html : "");
    puts_(&b, "<a class=\"anchor\" href=\"#");
    escape_html(&b, h->id, strlen(h->id));
    snprintf(tag, sizeof tag, "\" aria-hidden=\"true\">#</a></h%d>\n", h->level);
    puts_(&b, tag);
    char *html = take(&b);
    free(r);
    int bad = !h->html || !html || replace_by(v[i], CMARK_NODE_HTML_BLOCK, html);
    free(html);
    if (bad) { free(v); return oom(c); }
  }
  free(v);
  return 0;
}

/* ---- math ---------------------------------------------------------------- */

static void math_html(Ctx *c, Str *b, int m, const char *tag) {
  const BmMath *x = &c->prot.math[m];
  puts_(b, "<");
  puts_(b, tag);
  puts_(b, x->display ? " class=\"math display\">" : " class=\"math inline\">");
  escape_html(b, x->tex, strlen(x->tex));
  puts_(b, "</");
  puts_(b, tag);
  puts_(b, ">");
  c->page->nmath++;
}

/* A paragraph that is one display formula becomes a <div>. */
static int display_paragraphs(Ctx *c) {
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_PARAGRAPH, &n);
  if (!v) return oom(c);
  for (int i = 0; i < n; i++) {
    cmark_node *t = cmark_node_first_child(v[i]);
    if (!t || t != cmark_node_last_child(v[i])
        || cmark_node_get_type(t) != CMARK_NODE_TEXT) continue;
    const char *s = cmark_node_get_literal(t);
    size_t k;
    int m = bm_token_at(s, strlen(s), &k);
    if (m < 0 || m >= c->prot.nmath || s[k] || !c->prot.math[m].display)
      continue;
    Str b = {0};
    math_html(c, &b, m, "div");
    puts_(&b, "\n");
    char *html = take(&b);
    int bad = !html || replace_by(v[i], CMARK_NODE_HTML_BLOCK, html);
    free(html);
    if (bad) { free(v); return oom(c); }
  }
  free(v);
  return 0;
}

static int insert_piece(cmark_node *before, cmark_node_type type,
                        const char *s, size_t n) {
  char *lit = strndup(s, n);
  cmark_node *p = cmark_node_new(type);
  int ok = lit && p && cmark_node_set_literal(p, lit)
           && cmark_node_insert_before(before, p);
  free(lit);
  if (!ok) cmark_node_free(p);
  return ok ? 0 : -1;
}

/* Split a text node at its math tokens into text and raw HTML nodes. */
static int math_in_text(Ctx *c, cmark_node *t) {
  const char *s = cmark_node_get_literal(t);
  if (!strstr(s, BM_TOKEN)) return 0;
  size_t n = strlen(s), from = 0, i = 0;
  while (i < n) {
    size_t k;
    int m = bm_token_at(s + i, n - i, &k);
    if (m < 0 || m >= c->prot.nmath) { i++; continue; }
    if (i > from && insert_piece(t, CMARK_NODE_TEXT, s + from, i - from))
      return -1;
    Str b = {0};
    math_html(c, &b, m, "span");
    char *html = take(&b);
    int bad = !html || insert_piece(t, CMARK_NODE_HTML_INLINE, html, strlen(html));
    free(html);
    if (bad) return -1;
    i += k;
    from = i;
  }
  if (from < n && insert_piece(t, CMARK_NODE_TEXT, s + from, n - from))
    return -1;
  cmark_node_free(t);
  return 0;
}

static int put_back_math(Ctx *c) {
  if (display_paragraphs(c)) return -1;
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_TEXT, &n);
  if (!v) return oom(c);
  for (int i = 0; i < n; i++)
    if (math_in_text(c, v[i])) { free(v); return oom(c); }
  free(v);
  return 0;
}

/* ---- links and images ---------------------------------------------------- */

static int ref_outside(Ctx *c, const char *url, int image, int line);

static int tokenize_urls(Ctx *c, cmark_node_type type) {
  BmPage *pg = c->page;
  UrlScan sc = {0};
  cmark_node *block = NULL;       /* the innermost block with a position */
  cmark_iter *it = cmark_iter_new(c->doc);
  cmark_event_type ev;
  int rc = it ? 0 : oom(c);
  while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER) continue;
    if (is_block(node) && cmark_node_get_start_line(node) > 0) block = node;
    if (cmark_node_get_type(node) != type) continue;
    if (grow((void **)&pg->refs, pg->nrefs, &c->caprefs, sizeof *pg->refs))
      { rc = oom(c); break; }
    const char *url = cmark_node_get_url(node);
    BmRef *r = &pg->refs[pg->nrefs];
    *r = (BmRef){type == CMARK_NODE_IMAGE, inline_line(c, &sc, block, url), dup(url)};
    if (r->url && ref_outside(c, r->url, r->image, r->line)) {
      free(r->url);
      rc = -1;
      break;
    }
    char tok[32];
    snprintf(tok, sizeof tok, "wb-url:%d", pg->nrefs++);
    if (!r->url || !cmark_node_set_url(node, tok)) rc = oom(c);
  }
  cmark_iter_free(it);
  return rc;
}

/* ---- code blocks ------------------------------------------------------- */

typedef struct {
  char lang[64], file[512], anchor[128];
  int include, run;
} Fence;

/* Parse "lua include=lab1.lua anchor=x run". Returns 0, or -1 with an
 * error set when an include/run block has a word it does not know. */
static int parse_fence(Ctx *c, const char *info, int line, Fence *f) {
  memset(f, 0, sizeof *f);
  char word[600], bad[600] = "";
  int first = 1;
  for (const char *s = info; *s;) {
    s += strspn(s, " \t");
    size_t k = strcspn(s, " \t");
    if (!k) break;
    snprintf(word, sizeof word, "%.*s", (int)k, s);
    s += k;
    if (first && !strchr(word, '=')) snprintf(f->lang, sizeof f->lang, "%s", word);
    else if (strncmp(word, "include=", 8) == 0) {
      f->include = 1;
      snprintf(f->file, sizeof f->file, "%s", word + 8);
    } else if (strncmp(word, "anchor=", 7) == 0)
      snprintf(f->anchor, sizeof f->anchor, "%s", word + 7);
    else if (strcmp(word, "run") == 0) f->run = 1;
    else if (!bad[0]) snprintf(bad, sizeof bad, "%s", word);
    first = 0;
  }
  if (!f->include && !f->run) return 0;
  if (bad[0]) {
    static const char *const known[] = {"include=", "anchor=", "run"};
    char key[600];
    snprintf(key, sizeof key, "%s", bad);
    char *eq = strchr(key, '=');
    if (eq) eq[1] = '\0';          /* "inclde=lab1.lua" -> "inclde=" */
    int near = names_nearest(key, known, 3);
    char msg[800];
    if (near >= 0)
      snprintf(msg, sizeof msg, "unknown code block option '%s' (did you mean '%s'?)",
               bad, known[near]);
    else
      snprintf(msg, sizeof msg, "unknown code block option '%s' "
               "(known: include=FILE, anchor=NAME, run)", bad);
    return fail(c, line, "%s", msg);
  }
  if (!f->include || !f->file[0])
    return fail(c, line, "'run' needs include=FILE", NULL);
  if (f->anchor[0] && !f->include)
    return fail(c, line, "'anchor=' needs include=FILE", NULL);
  return 0;
}

static int add_run(Ctx *c, int line, const char *path) {
  BmPage *pg = c->page;
  if (grow((void **)&pg->runs, pg->nruns, &c->capruns, sizeof *pg->runs))
    return -1;
  pg->runs[pg->nruns] = (BmRun){line, dup(path)};
  return pg->runs[pg->nruns++].path ? 0 : -1;
}

static char *code_html(Ctx *c, const Fence *f, const char *code) {
  Str b = {0};
  puts_(&b, "<figure class=\"code\"><figcaption>");
  escape_html(&b, f->file, strlen(f->file));
  if (f->anchor[0]) {
    puts_(&b, " <span class=\"anchor-name\">(");
    escape_html(&b, f->anchor, strlen(f->anchor));
    puts_(&b, ")</span>");
  }
  puts_(&b, "</figcaption><pre><code class=\"language-");
  escape_html(&b, f->lang[0] ? f->lang : "plaintext",
              strlen(f->lang[0] ? f->lang : "plaintext"));
  puts_(&b, "\">");
  escape_html(&b, code, strlen(code));
  puts_(&b, "\n</code></pre></figure>\n");
  if (f->run) {
    char mark[48];
    snprintf(mark, sizeof mark, "<!--wb-run:%d-->\n", c->page->nruns);
    puts_(&b, mark);
  }
  return take(&b);
}

/* Remove "." parts and fold "dir/.." in a relative path, in place. */
static void tidy_path(char *p) {
  char *parts[256];
  int n = 0, abs = p[0] == '/';
  for (char *s = strtok(p, "/"); s && n < 256; s = strtok(NULL, "/")) {
    if (strcmp(s, ".") == 0) continue;
    if (strcmp(s, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0) n--;
    else parts[n++] = s;
  }
  char buf[2400];
  size_t w = 0;
  buf[0] = '\0';
  for (int i = 0; i < n; i++)
    w += (size_t)snprintf(buf + w, sizeof buf - w, "%s%s",
                          i || abs ? "/" : "", parts[i]);
  if (w >= sizeof buf) w = sizeof buf - 1;
  memcpy(p, buf, w + 1);
}

/* Join folder and file into out; "." and "" folders vanish. */
static void join(char *out, size_t n, const char *dir, const char *file) {
  if (file[0] == '/' || !dir[0] || strcmp(dir, ".") == 0)
    snprintf(out, n, "%s", file);
  else
    snprintf(out, n, "%s/%s", dir, file);
}

/* The book stays inside the book: an included file must be a regular file
 * of at most BM_INCLUDE_MAX bytes inside the source tree, after symlinks
 * are followed. Returns 1 with the reason in why when it is not. */
#define BM_INCLUDE_MAX (4 << 20)
static int include_outside(Ctx *c, const char *shown, const char *path,
                           char *why, size_t n) {
  if (shown[0] == '/' || strcmp(shown, "..") == 0 || strncmp(shown, "../", 3) == 0) {
    snprintf(why, n, "%s is outside the book's source folder", shown);
    return 1;
  }
  char real[PATH_MAX], root[PATH_MAX];
  if (!realpath(path, real)) {
    snprintf(why, n, "cannot read %s: %s", shown, strerror(errno));
    return 1;
  }
  if (!realpath(c->root[0] ? c->root : ".", root)) {
    snprintf(why, n, "cannot resolve the book's source folder: %s", strerror(errno));
    return 1;
  }
  size_t k = strlen(root);
  if (strncmp(real, root, k) != 0 || (real[k] != '/' && real[k] != '\0')) {
    snprintf(why, n, "%s leads outside the book's source folder (to %s)", shown, real);
    return 1;
  }
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(why, n, "%s is not a regular file", shown);
    return 1;
  }
  if (st.st_size > BM_INCLUDE_MAX) {
    snprintf(why, n, "%s is %lld bytes, more than the %d an included file may have",
             shown, (long long)st.st_size, BM_INCLUDE_MAX);
    return 1;
  }
  return 0;
}

/* A local link or image stays inside the book too (the build copies the
 * files they name into its output): the same rules as an include, with
 * BM_ASSET_MAX bytes at most. Missing files and folders are left to the
 * build's broken-link check; URLs with a scheme and anchors pass. */
#define BM_ASSET_MAX (32 << 20)
static int ref_outside(Ctx *c, const char *url, int image, int line) {
  const char *what = image ? "image" : "link";
  size_t k = 0;
  if (isalpha((unsigned char)url[0])) {
    while (isalnum((unsigned char)url[k]) || strchr("+.-", url[k] ? url[k] : 'x')) k++;
    if (url[k] == ':') return 0;                 /* a scheme: the network */
  }
  if (strncmp(url, "//", 2) == 0) return 0;
  char file[1200];
  size_t n = 0;
  for (k = 0; url[k] && url[k] != '#' && url[k] != '?' && n + 1 < sizeof file; k++) {
    unsigned hex;
    if (url[k] == '%' && isxdigit((unsigned char)url[k + 1]) &&
        isxdigit((unsigned char)url[k + 2]) && sscanf(url + k + 1, "%2x", &hex) == 1) {
      file[n++] = (char)hex;
      k += 2;
    } else {
      file[n++] = url[k];
    }
  }
  file[n] = '\0';
  if (!file[0]) return 0;                        /* an anchor on this page */
  char shown[1200], path[2400], why[1024];
  join(shown, sizeof shown, c->dir, file);
  tidy_path(shown);
  join(path, sizeof path, c->root, shown);
  struct stat st;
  int outside = shown[0] == '/' || strcmp(shown, "..") == 0 ||
                strncmp(shown, "../", 3) == 0;
  if (!outside && (stat(path, &st) != 0 || S_ISDIR(st.st_mode))) return 0;
  /* include_outside's size limit is an include's: this one is larger */
  if (!include_outside(c, shown, path, why, sizeof why) ||
      strstr(why, "an included file may have")) {
    if (st.st_size <= BM_ASSET_MAX) return 0;
    snprintf(why, sizeof why, "%s is %lld bytes, more than the %d a linked "
             "file may have", shown, (long long)st.st_size, BM_ASSET_MAX);
  }
  char msg[1100];
  snprintf(msg, sizeof msg, "%s %s", what, why);
  return fail(c, line, "%s", msg);
}

static int include_code(Ctx *c, cmark_node *node) {
  int line = src_line(c, cmark_node_get_start_line(node));
  Fence f;
  if (parse_fence(c, cmark_node_get_fence_info(node), line, &f)) return -1;
  if (!f.include) return 0;
  char shown[1200], path[2400], why[1024];
  join(shown, sizeof shown, c->dir, f.file);     /* relative to the root */
  tidy_path(shown);
  join(path, sizeof path, c->root, shown);
  if (include_outside(c, shown, path, why, sizeof why))
    return fail(c, line, "include: %s", why);
  char *code = bi_include(path, shown, f.anchor[0] ? f.anchor : NULL,
                          why, sizeof why);
  if (!code) return fail(c, line, "include: %s", why);
  char *html = code_html(c, &f, code);
  free(code);
  int bad = !html || replace_by(node, CMARK_NODE_HTML_BLOCK, html)
            || (f.run && add_run(c, line, shown));
  free(html);
  return bad ? oom(c) : 0;
}

static int include_all(Ctx *c) {
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_CODE_BLOCK, &n);
  if (!v) return oom(c);
  for (int i = 0; i < n; i++)
    if (include_code(c, v[i])) { free(v); return -1; }
  free(v);
  return 0;
}

/* ---- the whole page ---------------------------------------------------- */

static int parse_protected(Ctx *c, const char *src, size_t len) {
  int nlines;
  unsigned char *skip = verbatim_lines(src, len, &nlines);
  if (!skip) return oom(c);
  int r = bm_protect_math(src, len, skip, nlines, &c->prot);
  free(skip);
  if (r) return memmem(src, len, BM_TOKEN, strlen(BM_TOKEN))
         ? fail(c, 1, "the text '%s' is reserved for math", BM_TOKEN) : oom(c);
  if (!(c->parser = new_parser())) return oom(c);
  cmark_parser_feed(c->parser, c->prot.text, c->prot.len);
  c->doc = cmark_parser_finish(c->parser);
  return c->doc ? 0 : oom(c);
}

static int transform(Ctx *c) {
  if (read_headings(c) || read_sections(c) || put_back_math(c)
      || tokenize_urls(c, CMARK_NODE_LINK) || tokenize_urls(c, CMARK_NODE_IMAGE)
      || include_all(c) || write_headings(c)) return -1;
  char *html = cmark_render_html(c->doc, OPTS,
                                 cmark_parser_get_syntax_extensions(c->parser));
  if (!html) return oom(c);
  c->page->html = html;
  return 0;
}

int bm_render(const char *src, size_t len, const char *name, const char *root,
              const char *dir, BmPage *page, char *err, size_t errlen) {
  memset(page, 0, sizeof *page);
  Ctx c = {.name = name, .root = root ? root : ".", .dir = dir ? dir : ".",
           .page = page,
           .err = err, .errlen = errlen};
  int r = parse_protected(&c, src, len);
  if (r == 0) r = transform(&c);
  if (c.doc) cmark_node_free(c.doc);
  if (c.parser) cmark_parser_free(c.parser);
  bm_protected_free(&c.prot);
  if (r) bm_page_free(page);
  return r;
}

void bm_page_free(BmPage *pg) {
  free(pg->html);
  free(pg->intro);
  for (int i = 0; i < pg->nheads; i++) {
    free(pg->heads[i].id);
    free(pg->heads[i].text);
    free(pg->heads[i].html);
    free(pg->heads[i].body);
  }
  free(pg->heads);
  for (int i = 0; i < pg->nrefs; i++) free(pg->refs[i].url);
  free(pg->refs);
  for (int i = 0; i < pg->nruns; i++) free(pg->runs[i].path);
  free(pg->runs);
  memset(pg, 0, sizeof *pg);
}
