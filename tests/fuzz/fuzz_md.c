/* fuzz_md.c - one book page through the renderer (book/bookmd.c: math
 * protection, cmark-gfm, the passes over the tree, include= fences), as
 * `workbook book` renders a chapter, with the renderer tests' book
 * (tests/fixtures/book/) as the source tree: run from the repository's
 * top folder. */
#include "book/bookmd.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  BmPage pg;
  char err[1400];
  if (bm_render((const char *)data, size, "chapters/cha/index.md",
                "tests/fixtures/book", "chapters/cha", &pg, err, sizeof err) == 0)
    bm_page_free(&pg);
  return 0;
}
