/* bookinc.h - code included into the book from the real lab files:
 * the whole file or the part between ANCHOR markers, markers removed. */
#ifndef WB_BOOKINC_H
#define WB_BOOKINC_H
#include <stddef.h>

/* Read path (called shown in messages) and return its code (malloc'd):
 * all of it, or with anchor
 * != NULL the lines between `-- ANCHOR: name` and `-- ANCHOR_END: name`,
 * dedented. Marker lines never show. On failure returns NULL with the
 * reason in why. */
char *bi_include(const char *path, const char *shown, const char *anchor,
                 char *why, size_t whylen);

/* A lab's cells: cells[0] holds the lines before the first "-- %%" line
 * (index 0, empty title; empty text when there are none), cells[k] the
 * k-th marker's cell (index k). title is the marker's text after "-- %%"
 * ("" when none; "[markdown]" taken off and markdown set). text is the
 * cell's lines without the marker, blank lines at either end removed;
 * a Markdown cell's lines lose their "-- " leader. Returns 0, or -1 when
 * out of memory. Free with bi_cells_free. */
typedef struct {
  int index, markdown;
  char *title, *text;
} BiCell;
int bi_cells(const char *code, BiCell **cells, int *ncells);
void bi_cells_free(BiCell *cells, int n);
#endif
