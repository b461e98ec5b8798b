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
#endif
