/* names.c - nearest-name search for "did you mean" messages. */
#include <ctype.h>
#include <string.h>

#include "core/names.h"

/* lower case, underscores and dashes dropped */
static size_t normalize(const char *s, char *out, size_t n) {
  size_t k = 0;
  for (; *s && k + 1 < n; s++)
    if (*s != '_' && *s != '-') out[k++] = (char)tolower((unsigned char)*s);
  out[k] = '\0';
  return k;
}

/* Optimal string alignment distance (a swap of neighbours costs 1). */
static int distance(const char *a, size_t na, const char *b, size_t nb) {
  int d[65][65];
  if (na > 64 || nb > 64) return 99;
  for (size_t i = 0; i <= na; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= nb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= na; i++)
    for (size_t j = 1; j <= nb; j++) {
      int c = a[i - 1] != b[j - 1];
      int v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + c < v) v = d[i - 1][j - 1] + c;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
          && d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[na][nb];
}

int names_nearest(const char *key, const char *const *names, int n) {
  char a[128], b[128];
  size_t na = normalize(key, a, sizeof a);
  int best = -1, bestd = 99;
  for (int i = 0; i < n; i++) {
    size_t nb = normalize(names[i], b, sizeof b);
    int dd = distance(a, na, b, nb);
    if (dd > 0 && na >= 4 && nb > na && strncmp(a, b, na) == 0) dd = 1;
    if (dd < bestd) { bestd = dd; best = i; }
  }
  int limit = na < 5 ? 1 : na < 9 ? 2 : 3;
  return best >= 0 && bestd <= limit ? best : -1;
}
