/* names.h - the nearest of a list of names to a misspelt one, for "did
 * you mean" in every error about an unknown option, code block option or
 * command-line flag (the options checker in bind/lutil.c, the book). */
#ifndef WB_NAMES_H
#define WB_NAMES_H

/* Index of the name in names[0..n) nearest to key, or -1 when none is
 * near. Near: an edit distance (a swap of neighbours costs one) of at
 * most 1 for keys under 5 letters, 2 under 9, else 3, comparing without
 * case, underscores and dashes; a key of 4 or more letters that starts a
 * longer name counts as distance 1 ("validation" -> "validation_split"). */
int names_nearest(const char *key, const char *const *names, int n);

#endif
