/* bookmd.h - one Markdown page of the book, rendered to HTML by
 * cmark-gfm (tables, autolinks, strikethrough) with the book's own
 * rules applied to the syntax tree: TeX math kept intact, an id on every
 * heading, code blocks filled from lab files (`include=`, `anchor=`,
 * `cell=`; a lab's `-- %%` cells shown one by one),
 * labelled figures, tables, equations and sections (Quarto's `{#fig-x}`),
 * references `@fig-x` and values `{{lab.name}}` marked for the builder,
 * GitHub alerts (`> [!NOTE]`) as callouts,
 * `run` blocks marked for the builder, and every link and image URL
 * replaced by a token `wb-url:N` so the builder can check and rewrite it
 * once it knows every page. */
#ifndef WB_BOOKMD_H
#define WB_BOOKMD_H
#include <stddef.h>

typedef struct {
  int level, line;
  char *id;     /* unique within the page */
  char *text;   /* plain text, math as its TeX */
  char *html;   /* the heading's inner HTML */
  char *body;   /* plain text of the section up to the next heading */
} BmHeading;

typedef struct {
  int image;    /* 1 for an image, 0 for a link */
  int line;
  char *url;    /* as written (entities and escapes resolved) */
} BmRef;        /* refs[N] is the URL of token wb-url:N */

typedef struct {
  int line;
  char *path;   /* the lab: dir/FILE of include=FILE, relative to root */
} BmRun;        /* runs[N] is marked <!--wb-run:N--> in the HTML */

typedef struct {
  char kind[4];   /* "fig", "tbl", "eq", "sec" */
  char *id;       /* the label: "fig-pooling" */
  int line;
} BmLabel;      /* labels[N] is marked <!--wb-label:N--> where its number goes */

typedef struct {
  int value;      /* 1 for {{lab.name}}, 0 for @kind-label */
  int line;
  char *key;      /* "fig-pooling", "lab2.test_acc" or "ch8/lab1.test_acc" */
  char *file;     /* NULL in the page's prose; in a lab's Markdown cell the
                   * lab (relative to root), line then counts in the cell */
} BmXref;       /* xrefs[N] is marked <!--wb-xref:N--> in the HTML */

typedef struct {
  char *html;
  char *intro;  /* plain text before the first heading */
  BmHeading *heads;
  int nheads;
  BmRef *refs;
  int nrefs;
  BmRun *runs;
  int nruns;
  int nmath;    /* formulas: elements with class "math" */
  BmLabel *labels;  /* figures, tables, equations, sections with a label */
  int nlabels;
  BmXref *xrefs;    /* references and published values in the prose */
  int nxrefs;
} BmPage;

/* Render src (len bytes). name is the file's name for messages
 * ("chapters/ch9/index.md"), dir the folder, relative to root, that
 * include= paths are relative to. Returns 0, or -1 with
 * "name:LINE: message" in err. */
int bm_render(const char *src, size_t len, const char *name, const char *root,
              const char *dir, BmPage *page, char *err, size_t errlen);
void bm_page_free(BmPage *page);

/* The heading id for text: letters (any script) and digits kept, ASCII
 * lowercased, spaces to '-', punctuation dropped; "section" if nothing
 * is left. Writes at most n bytes (n >= 8) to out. */
void bm_slug(const char *text, char *out, size_t n);
#endif
