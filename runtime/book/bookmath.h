/* bookmath.h - protect TeX math in Markdown from the Markdown parser.
 *
 * CommonMark treats `\` and `_` inside `$...$` as escapes and emphasis,
 * and `|` as a table cell border. So before parsing, every math span
 * outside code and HTML blocks and code spans becomes a token
 * BM_TOKEN<n>Z of letters and digits, which no Markdown rule touches;
 * after parsing the tokens in text nodes turn back into the TeX. */
#ifndef WB_BOOKMATH_H
#define WB_BOOKMATH_H
#include <stddef.h>

#define BM_TOKEN "WbMtH"

typedef struct {
  char *tex;        /* the TeX between the dollars, as written */
  int display;      /* 1 for $$...$$ */
} BmMath;

typedef struct {
  char *text;       /* the source with math replaced by tokens */
  size_t len;
  int *line_map;    /* line_map[i]: source line of text's line i + 1 */
  int nlines;
  BmMath *math;
  int nmath;
} BmProtected;

/* skip[i] != 0: source line i + 1 is inside a code or HTML block and is
 * copied as is. Returns 0, or -1 (out of memory, or the source holds
 * BM_TOKEN itself). */
int bm_protect_math(const char *src, size_t len, const unsigned char *skip,
                    int nskip, BmProtected *out);
void bm_protected_free(BmProtected *p);

/* If s starts with a token, its math index (and *toklen its length);
 * else -1. */
int bm_token_at(const char *s, size_t n, size_t *toklen);
#endif
