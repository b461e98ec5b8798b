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

#define URL_WINDOW 4096
typedef struct {
  cmark_node *block;     /* the block the cursor is in */
  const char *at;        /* the cursor in the protected text */
  int line;              /* its line */
} UrlScan;

typedef struct Ctx {
  const char *name, *root, *dir;
  BmProtected prot;
  cmark_parser *parser;
  cmark_node *doc;
  BmPage *page;
  int capheads, caprefs, capruns, caplabels, capxrefs;
  char *err;
  size_t errlen;
  UrlScan xref_scan, fig_scan; /* cursors for node_line (see inline_line) */
  struct Ctx *xctx;      /* a lab's Markdown cell: the page's context, */
  const char *xfile;     /* which gets its references, and the lab */
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

/* The line of an inline node n (a reference, a figure's image): the
 * innermost enclosing block with a position, scanned with cursor sc. */
static int node_line(Ctx *c, UrlScan *sc, cmark_node *n, const char *needle) {
  while (n && !(is_block(n) && cmark_node_get_start_line(n) > 0))
    n = cmark_node_parent(n);
  return inline_line(c, sc, n, needle);
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

static char *heading_label(Ctx *c, cmark_node *h, int line, int *bad);

/* Pass 1: every heading's level, line, text and id. */
static int read_headings(Ctx *c) {
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_HEADING, &n);
  if (!v) return oom(c);
  BmPage *pg = c->page;
  for (int i = 0; i < n; i++) {
    if (grow((void **)&pg->heads, pg->nheads, &c->capheads, sizeof *pg->heads))
      { free(v); return oom(c); }
    int line = src_line(c, cmark_node_get_start_line(v[i])), bad = 0;
    char *label = heading_label(c, v[i], line, &bad);
    if (bad) { free(v); return -1; }
    Str t = {0};
    plain_text(c, &t, v[i], 1);
    BmHeading *h = &pg->heads[pg->nheads];
    *h = (BmHeading){cmark_node_get_heading_level(v[i]), line,
                     NULL, take(&t), NULL, NULL};
    if (h->text) {   /* trim the space plain_text adds after blocks */
      size_t k = strlen(h->text);
      while (k && h->text[k - 1] == ' ') h->text[--k] = '\0';
    }
    h->id = label ? label : h->text ? unique_id(pg, h->text) : NULL;
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

static int equation_label(Ctx *c, const char *rest, int line, char *id, size_t n);

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
    if (m < 0 || m >= c->prot.nmath || !c->prot.math[m].display) continue;
    char id[256];
    int label = -2, line = src_line(c, cmark_node_get_start_line(v[i]));
    if (s[k] && (label = equation_label(c, s + k, line, id, sizeof id)) == -2) continue;
    if (label == -1) { free(v); return -1; }
    Str b = {0};
    if (label >= 0) {
      char tok[96];
      puts_(&b, "<div class=\"equation\" id=\"");
      escape_html(&b, id, strlen(id));
      puts_(&b, "\">");
      math_html(c, &b, m, "div");
      snprintf(tok, sizeof tok, "<span class=\"eqno\"><!--wb-label:%d--></span></div>", label);
      puts_(&b, tok);
    } else {
      math_html(c, &b, m, "div");
    }
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
  char lang[64], file[512], anchor[128], cell[256];
  int include, run, has_cell;
} Fence;

/* The next word of a fence's info string: up to a blank outside double
 * quotes; a quoted value ("cell="a b"") loses its quotes. */
static size_t fence_word(const char *s, char *out, size_t n) {
  size_t i = 0, w = 0;
  int quoted = 0;
  for (; s[i] && (quoted || (s[i] != ' ' && s[i] != '\t')); i++) {
    if (s[i] == '"') { quoted = !quoted; continue; }
    if (w + 1 < n) out[w++] = s[i];
  }
  out[w] = '\0';
  return i;
}

/* Parse "lua include=lab1.lua anchor=x run". Returns 0, or -1 with an
 * error set when an include/run block has a word it does not know. */
static int parse_fence(Ctx *c, const char *info, int line, Fence *f) {
  memset(f, 0, sizeof *f);
  char word[600], bad[600] = "";
  int first = 1;
  for (const char *s = info; *s;) {
    s += strspn(s, " \t");
    size_t k = fence_word(s, word, sizeof word);
    if (!k) break;
    s += k;
    if (first && !strchr(word, '=')) snprintf(f->lang, sizeof f->lang, "%s", word);
    else if (strncmp(word, "include=", 8) == 0) {
      f->include = 1;
      snprintf(f->file, sizeof f->file, "%s", word + 8);
    } else if (strncmp(word, "anchor=", 7) == 0)
      snprintf(f->anchor, sizeof f->anchor, "%s", word + 7);
    else if (strncmp(word, "cell=", 5) == 0) {
      f->has_cell = 1;
      snprintf(f->cell, sizeof f->cell, "%s", word + 5);
    }
    else if (strcmp(word, "run") == 0) f->run = 1;
    else if (!bad[0]) snprintf(bad, sizeof bad, "%s", word);
    first = 0;
  }
  if (!f->include && !f->run) return 0;
  if (bad[0]) {
    static const char *const known[] = {"include=", "anchor=", "run", "cell="};
    char key[600];
    snprintf(key, sizeof key, "%s", bad);
    char *eq = strchr(key, '=');
    if (eq) eq[1] = '\0';          /* "inclde=lab1.lua" -> "inclde=" */
    int near = names_nearest(key, known, 4);
    char msg[800];
    if (near >= 0)
      snprintf(msg, sizeof msg, "unknown code block option '%s' (did you mean '%s'?)",
               bad, known[near]);
    else
      snprintf(msg, sizeof msg, "unknown code block option '%s' "
               "(known: include=FILE, anchor=NAME, cell=\"TITLE\", run)", bad);
    return fail(c, line, "%s", msg);
  }
  if (!f->include || !f->file[0])
    return fail(c, line, "'run' needs include=FILE", NULL);
  if (f->anchor[0] && !f->include)
    return fail(c, line, "'anchor=' needs include=FILE", NULL);
  if (f->has_cell && f->anchor[0])
    return fail(c, line, "use either anchor= or cell=, not both", NULL);
  return 0;
}

static int add_run(Ctx *c, int line, const char *path) {
  BmPage *pg = c->page;
  if (grow((void **)&pg->runs, pg->nruns, &c->capruns, sizeof *pg->runs))
    return -1;
  pg->runs[pg->nruns] = (BmRun){line, dup(path)};
  return pg->runs[pg->nruns++].path ? 0 : -1;
}

/* One code block: the file's name (and the part shown) above the code.
 * part is the cell's title or the anchor's name, or NULL. */
static void code_piece(Str *b, const Fence *f, const char *part, const char *code) {
  puts_(b, "<figure class=\"code\"><figcaption>");
  escape_html(b, f->file, strlen(f->file));
  if (part && part[0]) {
    puts_(b, " <span class=\"anchor-name\">(");
    escape_html(b, part, strlen(part));
    puts_(b, ")</span>");
  }
  puts_(b, "</figcaption><pre><code class=\"language-");
  escape_html(b, f->lang[0] ? f->lang : "plaintext",
              strlen(f->lang[0] ? f->lang : "plaintext"));
  puts_(b, "\">");
  escape_html(b, code, strlen(code));
  puts_(b, "\n</code></pre></figure>\n");
}

/* Where the builder puts a run's output: cell k's (-1: all of it). */
static void cell_mark(Ctx *c, Str *b, int k) {
  char mark[64];
  snprintf(mark, sizeof mark, "<!--wb-cell:%d:%d-->\n", c->page->nruns, k);
  puts_(b, mark);
}

static void run_mark(Ctx *c, Str *b, const char *what) {
  char mark[64];
  snprintf(mark, sizeof mark, "<!--wb-%s:%d-->\n", what, c->page->nruns);
  puts_(b, mark);
}

static char *code_html(Ctx *c, const Fence *f, const char *code) {
  Str b = {0};
  code_piece(&b, f, f->anchor, code);
  if (f->run) { cell_mark(c, &b, -1); run_mark(c, &b, "end"); }
  return take(&b);
}

static char *markdown_cell_html(Ctx *c, const char *text, const char *lab);

/* A lab divided into cells (bookinc.c): every cell, or the one named by
 * cell=, each code cell followed by its output when the lab runs;
 * Markdown cells as prose. */
static char *cells_html(Ctx *c, const Fence *f, const char *shown, const char *code,
                        int line) {
  BiCell *cells;
  int n;
  if (bi_cells(code, &cells, &n)) { oom(c); return NULL; }
  int want = -1;
  if (f->has_cell) {
    for (int i = 0; i < n && want < 0; i++)
      if (i > 0 && strcmp(cells[i].title, f->cell) == 0) want = i;
    if (want < 0) {
      Str names = {0};
      for (int i = 1; i < n; i++) {
        if (!cells[i].title[0] || cells[i].markdown) continue;
        puts_(&names, names.len ? ", '" : "'");
        puts_(&names, cells[i].title);
        puts_(&names, "'");
      }
      char *list = take(&names);
      char msg[1200];
      snprintf(msg, sizeof msg, "include: no cell '%s' in %s (%s%s)", f->cell, f->file,
               list && list[0] ? "named cells: " : "it has no named cells", list ? list : "");
      free(list);
      bi_cells_free(cells, n);
      fail(c, line, "%s", msg);
      return NULL;
    }
  }
  Str b = {0};
  if (f->run && want < 0) run_mark(c, &b, "run");
  for (int i = 0; i < n; i++) {
    if (want >= 0 && i != want) continue;
    if (cells[i].markdown) {
      char *md = markdown_cell_html(c, cells[i].text, shown);
      if (!md) { bi_cells_free(cells, n); free(b.p); return NULL; }
      puts_(&b, "<div class=\"markdown-cell\">\n");
      puts_(&b, md);
      puts_(&b, "</div>\n");
      free(md);
      continue;
    }
    if (i == 0 && !cells[i].text[0] && n > 1) continue;   /* nothing before the first cell */
    code_piece(&b, f, cells[i].title, cells[i].text);
    if (f->run) cell_mark(c, &b, cells[i].index);
  }
  if (f->run) run_mark(c, &b, "end");
  bi_cells_free(cells, n);
  char *html = take(&b);
  if (!html) oom(c);
  return html;
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
  char *html = f.anchor[0] ? code_html(c, &f, code) : cells_html(c, &f, shown, code, line);
  free(code);
  if (!html && !f.anchor[0]) return -1;      /* cells_html set the error */
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

/* ---- notebook features: labels, references, values, callouts ---------- *
 * Quarto's syntax: `{#fig-x}` after an image alone in its paragraph, a
 * caption paragraph `: text {#tbl-x}` after a table, `$$...$$ {#eq-x}`,
 * `## Title {#sec-x}`; references `@fig-x` and published values
 * `{{lab.name}}` in the text. The builder numbers labels and resolves
 * references once it has every page (book_build.lua); here each gets a
 * token and its source line. */

static int is_label_char(int ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
      || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* A label kind at s ("fig-" ...): its length without the '-', or 0. */
static int label_kind(const char *s) {
  static const char *const kinds[] = {"fig", "tbl", "eq", "sec"};
  for (int i = 0; i < 4; i++) {
    size_t k = strlen(kinds[i]);
    if (strncmp(s, kinds[i], k) == 0 && s[k] == '-' && is_label_char((unsigned char)s[k + 1]))
      return (int)k;
  }
  return 0;
}

static int add_label(Ctx *c, const char *kind, const char *id, int line) {
  BmPage *pg = c->page;
  for (int i = 0; i < pg->nlabels; i++)
    if (strcmp(pg->labels[i].id, id) == 0)
      return fail(c, line, "label '%s' is used twice on this page", id);
  if (grow((void **)&pg->labels, pg->nlabels, &c->caplabels, sizeof *pg->labels))
    return oom(c);
  BmLabel *l = &pg->labels[pg->nlabels];
  memset(l, 0, sizeof *l);
  snprintf(l->kind, sizeof l->kind, "%s", kind);
  l->line = line;
  if (!(l->id = dup(id))) return oom(c);
  return pg->nlabels++;
}

/* A trailing attribute "{#id}" at the end of s (blanks around allowed):
 * copies id into out and returns the offset where the attribute (and
 * the blanks before it) starts, or -1. */
static long trailing_attr(const char *s, char *out, size_t n) {
  size_t len = strlen(s);
  while (len && strchr(" \t\r\n", s[len - 1])) len--;
  if (len < 4 || s[len - 1] != '}') return -1;
  size_t open = len - 1;
  while (open > 0 && s[open] != '{') open--;
  if (s[open] != '{' || s[open + 1] != '#') return -1;
  size_t a = open + 2, b = len - 1;
  if (b <= a || b - a >= n) return -1;
  for (size_t i = a; i < b; i++) if (!is_label_char((unsigned char)s[i])) return -1;
  memcpy(out, s + a, b - a);
  out[b - a] = '\0';
  while (open > 0 && strchr(" \t", s[open - 1])) open--;
  return (long)open;
}

/* The label at the end of a block's last text child, taken off the
 * text. Returns 1 with id set, 0 when there is none, -1 out of memory. */
static int take_trailing_label(cmark_node *block, char *id, size_t n) {
  cmark_node *t = cmark_node_last_child(block);
  if (!t || cmark_node_get_type(t) != CMARK_NODE_TEXT) return 0;
  const char *s = cmark_node_get_literal(t);
  long at = trailing_attr(s, id, n);
  if (at < 0) return 0;
  char *rest = strndup(s, (size_t)at);
  if (!rest) return -1;
  int ok = cmark_node_set_literal(t, rest);
  free(rest);
  return ok ? 1 : -1;
}

/* `## Title {#sec-x}`: the heading's id is x's label (any {#id} sets the
 * id; only sec- ones are referable). Called by read_headings; returns
 * the id (malloc'd), NULL when none, or sets *bad. */
static char *heading_label(Ctx *c, cmark_node *h, int line, int *bad) {
  char id[256];
  int r = take_trailing_label(h, id, sizeof id);
  if (r < 0) { *bad = oom(c); return NULL; }
  if (r == 0) return NULL;
  if (label_kind(id) && strncmp(id, "sec-", 4) != 0) {
    *bad = fail(c, line, "a heading's label must start with sec- (got '%s')", id);
    return NULL;
  }
  if (strncmp(id, "sec-", 4) == 0 && add_label(c, "sec", id, line) < 0) {
    *bad = -1;
    return NULL;
  }
  char *d = dup(id);
  if (!d) *bad = oom(c);
  return d;
}

static int add_xref(Ctx *c, cmark_node *at, int value, const char *key) {
  Ctx *o = c->xctx ? c->xctx : c;     /* a lab's Markdown cell: the page's */
  BmPage *pg = o->page;
  if (grow((void **)&pg->xrefs, pg->nxrefs, &o->capxrefs, sizeof *pg->xrefs))
    return -1;
  char needle[300];
  snprintf(needle, sizeof needle, value ? "{{%s" : "@%s", key);
  BmXref *x = &pg->xrefs[pg->nxrefs];
  *x = (BmXref){value, node_line(c, &c->xref_scan, at, needle), dup(key),
                c->xfile ? dup(c->xfile) : NULL};
  if (!x->key || (c->xfile && !x->file)) { free(x->key); free(x->file); return -1; }
  return pg->nxrefs++;
}

/* A published value "{{ lab.name }}" or "{{ ch8/lab.name }}" (a lab of
 * another chapter) at s: its length, key in out. */
static size_t value_at(const char *s, char *out, size_t n) {
  if (s[0] != '{' || s[1] != '{') return 0;
  const char *p = s + 2;
  while (*p == ' ') p++;
  const char *k = p;
  int dots = 0, slashes = 0;
  while (is_label_char((unsigned char)*p) || *p == '.' || (*p == '/' && !dots)) {
    dots += *p == '.';
    slashes += *p++ == '/';
  }
  const char *ke = p;
  while (*p == ' ') p++;
  if (p[0] != '}' || p[1] != '}' || dots != 1 || slashes > 1 || ke == k
      || k[0] == '/' || (size_t)(ke - k) >= n)
    return 0;
  memcpy(out, k, (size_t)(ke - k));
  out[ke - k] = '\0';
  return (size_t)(p + 2 - s);
}

/* A reference "@fig-x" at s (s > start: the char before is not part of
 * a word or an e-mail address): its length, the label in out. */
static size_t xref_at(const char *start, const char *s, char *out, size_t n) {
  if (*s != '@' || !label_kind(s + 1)) return 0;
  if (s > start && (is_label_char((unsigned char)s[-1]) || s[-1] == '.')) return 0;
  size_t k = 1;
  while (is_label_char((unsigned char)s[k])) k++;
  while (k > 1 && (s[k - 1] == '-' || s[k - 1] == '_')) k--;   /* "@fig-x-" */
  if (k - 1 >= n) return 0;
  memcpy(out, s + 1, k - 1);
  out[k - 1] = '\0';
  return k;
}

/* Split a text node at its references and values into text and tokens. */
static int xrefs_in_text(Ctx *c, cmark_node *t) {
  const char *s = cmark_node_get_literal(t);
  if (!strchr(s, '@') && !strstr(s, "{{")) return 0;
  size_t n = strlen(s), from = 0, i = 0;
  int any = 0;
  while (i < n) {
    char key[256];
    size_t k = value_at(s + i, key, sizeof key);
    int value = k > 0;
    if (!k) k = xref_at(s, s + i, key, sizeof key);
    if (!k) { i++; continue; }
    if (i > from && insert_piece(t, CMARK_NODE_TEXT, s + from, i - from)) return -1;
    int x = add_xref(c, t, value, key);
    char tok[40];
    snprintf(tok, sizeof tok, "<!--wb-xref:%d-->", x);
    if (x < 0 || insert_piece(t, CMARK_NODE_HTML_INLINE, tok, strlen(tok))) return -1;
    i += k;
    from = i;
    any = 1;
  }
  if (!any) return 0;
  if (from < n && insert_piece(t, CMARK_NODE_TEXT, s + from, n - from)) return -1;
  cmark_node_free(t);
  return 0;
}

/* fn on every node of a type, in document order; stops at the first
 * that fails (fn sets the error, or leaves it for out of memory). */
static int each_node(Ctx *c, cmark_node_type type, int (*fn)(Ctx *, cmark_node *)) {
  int n;
  cmark_node **v = collect(c->doc, type, &n);
  if (!v) return oom(c);
  for (int i = 0; i < n; i++)
    if (fn(c, v[i])) {
      free(v);
      return c->err[0] ? -1 : oom(c);
    }
  free(v);
  return 0;
}

static int mark_xrefs(Ctx *c) { return each_node(c, CMARK_NODE_TEXT, xrefs_in_text); }

/* The inline HTML of a node's children (a caption), without <p>: they
 * move into a paragraph put in the document before block (cmark renders
 * nodes inside a document) and rendered, or block itself when it is the
 * paragraph holding them. */
static char *children_html(Ctx *c, cmark_node *from, cmark_node *block) {
  cmark_node *p = from;
  if (from != block) {
    p = cmark_node_new(CMARK_NODE_PARAGRAPH);
    if (!p || !cmark_node_insert_before(block, p)) { cmark_node_free(p); return NULL; }
    cmark_node *k;
    while ((k = cmark_node_first_child(from))) cmark_node_append_child(p, k);
  }
  char *r = cmark_render_html(p, OPTS, cmark_parser_get_syntax_extensions(c->parser));
  if (p != block) cmark_node_free(p);
  if (!r) return NULL;
  size_t len = strlen(r);
  while (len && r[len - 1] == '\n') len--;
  if (len >= 7 && strncmp(r, "<p>", 3) == 0 && strncmp(r + len - 4, "</p>", 4) == 0) {
    memmove(r, r + 3, len - 7);
    r[len - 7] = '\0';
  }
  return r;
}

static void figure_open(Str *b, const char *cls, const char *id) {
  puts_(b, "<figure class=\"");
  puts_(b, cls);
  puts_(b, "\"");
  if (id[0]) { puts_(b, " id=\""); escape_html(b, id, strlen(id)); puts_(b, "\""); }
  puts_(b, ">");
}

/* A caption, with the token for its number when it has label l >= 0. */
static void caption(Str *b, int l, const char *html) {
  puts_(b, "<figcaption>");
  if (l >= 0) {
    char tok[40];
    snprintf(tok, sizeof tok, "<!--wb-label:%d-->", l);
    puts_(b, tok);
  }
  puts_(b, html ? html : "");
  puts_(b, "</figcaption>");
}

/* An image alone in its paragraph becomes a <figure> with its text as
 * the caption; with {#fig-x} after it, a numbered one. */
static int figure_paragraph(Ctx *c, cmark_node *para) {
  cmark_node *img = cmark_node_first_child(para);
  if (!img || cmark_node_get_type(img) != CMARK_NODE_IMAGE) return 0;
  cmark_node *rest = cmark_node_next(img);
  char id[256] = "";
  int line = node_line(c, &c->fig_scan, img, NULL);
  if (rest) {
    if (cmark_node_next(rest) || cmark_node_get_type(rest) != CMARK_NODE_TEXT) return 0;
    const char *s = cmark_node_get_literal(rest);
    long at = trailing_attr(s, id, sizeof id);
    if (at != 0) return 0;   /* other text: an inline image */
    if (strncmp(id, "fig-", 4) != 0)
      return fail(c, line, "an image's label must start with fig- (got '%s')", id);
  }
  int l = id[0] ? add_label(c, "fig", id, line) : -2;
  if (l == -1) return -1;
  Str alt = {0};
  plain_text(c, &alt, img, 0);
  char *alts = take(&alt), *cap = children_html(c, img, para);
  Str b = {0};
  figure_open(&b, "figure", id);
  puts_(&b, "<img src=\"");
  const char *url = cmark_node_get_url(img);
  puts_(&b, url ? url : "");
  puts_(&b, "\" alt=\"");
  if (alts) {
    size_t k = strlen(alts);
    while (k && alts[k - 1] == ' ') k--;
    escape_html(&b, alts, k);
  }
  puts_(&b, "\">");
  caption(&b, l, cap);
  puts_(&b, "</figure>\n");
  char *html = take(&b);
  int bad = !alts || !cap || !html || replace_by(para, CMARK_NODE_HTML_BLOCK, html);
  free(alts); free(cap); free(html);
  return bad ? oom(c) : 0;
}

/* A table followed by a paragraph ": caption {#tbl-x}". */
static int table_caption(Ctx *c, cmark_node *table) {
  cmark_node *para = cmark_node_next(table);
  if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH) return 0;
  cmark_node *first = cmark_node_first_child(para);
  if (!first || cmark_node_get_type(first) != CMARK_NODE_TEXT) return 0;
  const char *s = cmark_node_get_literal(first);
  if (s[0] != ':' || (s[1] != ' ' && s[1] != '\0')) return 0;
  int line = src_line(c, cmark_node_get_start_line(para));
  char *rest = dup(s + 1 + (s[1] == ' '));
  int ok = rest && cmark_node_set_literal(first, rest);
  free(rest);
  if (!ok) return oom(c);
  char id[256] = "";
  int r = take_trailing_label(para, id, sizeof id);
  if (r < 0) return oom(c);
  if (r && strncmp(id, "tbl-", 4) != 0)
    return fail(c, line, "a table's label must start with tbl- (got '%s')", id);
  int l = id[0] ? add_label(c, "tbl", id, line) : -2;
  if (l == -1) return -1;
  char *cap = children_html(c, para, para);
  char *tbl = cmark_render_html(table, OPTS, cmark_parser_get_syntax_extensions(c->parser));
  Str b = {0};
  figure_open(&b, "table-figure", id);
  caption(&b, l, cap);
  puts_(&b, "\n");
  puts_(&b, tbl ? tbl : "");
  puts_(&b, "</figure>\n");
  char *html = take(&b);
  int bad = !cap || !tbl || !html;
  if (!bad) { cmark_node_free(para); bad = replace_by(table, CMARK_NODE_HTML_BLOCK, html); }
  free(cap); free(tbl); free(html);
  return bad ? oom(c) : 0;
}

static int figures_and_tables(Ctx *c) {
  if (each_node(c, CMARK_NODE_PARAGRAPH, figure_paragraph)) return -1;
  /* tables: the extension's node type, found by name */
  cmark_iter *it = cmark_iter_new(c->doc);
  cmark_node **t = NULL;
  int nt = 0, cap = 0;
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    const char *ty = cmark_node_get_type_string(node);
    if (ev == CMARK_EVENT_ENTER && ty && strcmp(ty, "table") == 0) {
      if (grow((void **)&t, nt, &cap, sizeof *t)) { cmark_iter_free(it); free(t); return oom(c); }
      t[nt++] = node;
    }
  }
  cmark_iter_free(it);
  for (int i = 0; i < nt; i++)
    if (table_caption(c, t[i])) { free(t); return -1; }
  free(t);
  return 0;
}

/* `$$ ... $$ {#eq-x}`: rest is what follows the formula in its
 * paragraph. Returns the label's index, -2 when rest is not a label, -1
 * on error. */
static int equation_label(Ctx *c, const char *rest, int line, char *id, size_t n) {
  long at = trailing_attr(rest, id, n);
  if (at != 0) return -2;
  if (strncmp(id, "eq-", 3) != 0)
    return fail(c, line, "an equation's label must start with eq- (got '%s')", id);
  return add_label(c, "eq", id, line);
}

/* GitHub's alerts: a block quote whose first line is [!NOTE], [!TIP],
 * [!IMPORTANT], [!WARNING] or [!CAUTION] becomes a callout box. */
static int callout(Ctx *c, cmark_node *q) {
  static const char *const kinds[][2] = {
    {"NOTE", "참고"}, {"TIP", "팁"}, {"IMPORTANT", "중요"},
    {"WARNING", "주의"}, {"CAUTION", "경고"}};
  cmark_node *p = cmark_node_first_child(q);
  cmark_node *t = p ? cmark_node_first_child(p) : NULL;
  if (!t || cmark_node_get_type(p) != CMARK_NODE_PARAGRAPH
      || cmark_node_get_type(t) != CMARK_NODE_TEXT) return 0;
  const char *s = cmark_node_get_literal(t);
  int kind = -1;
  size_t k = 0;
  for (int i = 0; i < 5 && kind < 0; i++) {
    char tag[16];
    snprintf(tag, sizeof tag, "[!%s]", kinds[i][0]);
    k = strlen(tag);
    if (strncasecmp(s, tag, k) == 0) kind = i;
  }
  if (kind < 0) return 0;
  const char *after = s + k;
  after += strspn(after, " \t");
  cmark_node *next = cmark_node_next(t);
  if (*after) {      /* "[!NOTE] text": the text stays */
    char *r = dup(after);
    int ok = r && cmark_node_set_literal(t, r);
    free(r);
    if (!ok) return -1;
  } else {
    cmark_node_free(t);
    if (next && (cmark_node_get_type(next) == CMARK_NODE_SOFTBREAK
                 || cmark_node_get_type(next) == CMARK_NODE_LINEBREAK))
      cmark_node_free(next);
    if (!cmark_node_first_child(p)) cmark_node_free(p);
  }
  char open[200], lower[16];
  size_t i = 0;
  for (; kinds[kind][0][i] && i < sizeof lower - 1; i++)
    lower[i] = (char)(kinds[kind][0][i] + 32);
  lower[i] = '\0';
  snprintf(open, sizeof open, "<div class=\"callout callout-%s\">\n"
           "<p class=\"callout-title\">%s</p>\n", lower, kinds[kind][1]);
  if (insert_piece(q, CMARK_NODE_HTML_BLOCK, open, strlen(open))) return -1;
  cmark_node *child;
  while ((child = cmark_node_first_child(q))) cmark_node_insert_before(q, child);
  if (insert_piece(q, CMARK_NODE_HTML_BLOCK, "</div>\n", 7)) return -1;
  cmark_node_free(q);
  return 0;
}

static int callouts(Ctx *c) {
  int n;
  cmark_node **v = collect(c->doc, CMARK_NODE_BLOCK_QUOTE, &n);
  if (!v) return oom(c);
  for (int i = n - 1; i >= 0; i--)     /* inner quotes first */
    if (callout(c, v[i])) { free(v); return oom(c); }
  free(v);
  return 0;
}

static int parse_protected(Ctx *c, const char *src, size_t len);

/* A Markdown cell of lab (relative to root): math, callouts, references
 * and values as on a page; the references go to the page's list, marked
 * with the lab. */
static char *markdown_cell_html(Ctx *c, const char *text, const char *lab) {
  BmPage sub;
  memset(&sub, 0, sizeof sub);
  Ctx s = {.name = c->name, .root = c->root, .dir = c->dir, .page = &sub,
           .err = c->err, .errlen = c->errlen, .xctx = c, .xfile = lab};
  char *html = NULL;
  if (parse_protected(&s, text, strlen(text)) == 0) {
    cmark_consolidate_text_nodes(s.doc);
    if (put_back_math(&s) == 0 && mark_xrefs(&s) == 0 && callouts(&s) == 0)
      html = cmark_render_html(s.doc, OPTS, cmark_parser_get_syntax_extensions(s.parser));
    if (!html && !c->err[0]) oom(c);
  }
  c->page->nmath += sub.nmath;
  if (s.doc) cmark_node_free(s.doc);
  if (s.parser) cmark_parser_free(s.parser);
  bm_protected_free(&s.prot);
  bm_page_free(&sub);
  return html;
}

static int notebook_pass(Ctx *c) {
  return mark_xrefs(c) || figures_and_tables(c) || callouts(c) ? -1 : 0;
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
  cmark_consolidate_text_nodes(c->doc);   /* "[!NOTE]", "{#sec-a_b}" in one piece */
  if (read_headings(c) || read_sections(c) || put_back_math(c)
      || tokenize_urls(c, CMARK_NODE_LINK) || tokenize_urls(c, CMARK_NODE_IMAGE)
      || notebook_pass(c) || include_all(c) || write_headings(c)) return -1;
  char *html = cmark_render_html(c->doc, OPTS,
                                 cmark_parser_get_syntax_extensions(c->parser));
  if (!html) return oom(c);
  c->page->html = html;
  return 0;
}

int bm_render(const char *src, size_t len, const char *name, const char *root,
              const char *dir, BmPage *page, char *err, size_t errlen) {
  memset(page, 0, sizeof *page);
  if (errlen) err[0] = '\0';
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
  for (int i = 0; i < pg->nlabels; i++) free(pg->labels[i].id);
  free(pg->labels);
  for (int i = 0; i < pg->nxrefs; i++) { free(pg->xrefs[i].key); free(pg->xrefs[i].file); }
  free(pg->xrefs);
  memset(pg, 0, sizeof *pg);
}
