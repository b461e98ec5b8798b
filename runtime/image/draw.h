/* draw.h - text onto float images, through cairo's toy text API.
 *
 * No Lua here. Fonts come from fontconfig: NanumGothic when installed
 * (Korean and Latin), else its substitute (e.g. DejaVu Sans). */
#ifndef WB_DRAW_H
#define WB_DRAW_H

#include <stdint.h>

/* Draw UTF-8 text in black onto an h x w x c float image (c >= 1, every
 * channel darkened alike), centred on column cx with its top at row y,
 * px pixels high. Text wider than max_w shrinks to fit (down to 8 px),
 * then is clipped to max_w. */
int draw_text(float *img, int64_t h, int64_t w, int c, const char *text,
              double px, double cx, double y, double max_w, char *err);
#endif
