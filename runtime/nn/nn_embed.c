/* nn_embed.c - the Embedding layer: a table lookup and its gradient.
 *
 *   ids (n) token ids held as floats (exact integers), table (vocab, d)
 *   forward   y (n, d): y[i] = table[ids[i]]
 *   backward  dtable (vocab, d) = sum over i with ids[i] = v of dy[i]
 *             (overwritten; rows no id names stay zero)
 *
 * The backward adds rows in order of i on one thread, so the sums are
 * the same bits every run. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"

int64_t nn_embedding_check(const float *ids, int64_t n, int vocab) {
  for (int64_t i = 0; i < n; i++) {
    float v = ids[i];
    if (!(v >= 0 && v < (float)vocab) || v != floorf(v)) return i;
  }
  return -1;
}

void nn_embedding_forward(const float *ids, const float *table, float *y,
                          int64_t n, int d) {
  for (int64_t i = 0; i < n; i++)
    memcpy(y + i * d, table + (int64_t)ids[i] * d, sizeof *y * (size_t)d);
}

void nn_embedding_backward(const float *ids, const float *dy, float *dtable,
                           int64_t n, int vocab, int d) {
  memset(dtable, 0, sizeof *dtable * (size_t)vocab * d);
  for (int64_t i = 0; i < n; i++) {
    float *row = dtable + (int64_t)ids[i] * d;
    const float *g = dy + i * d;
    for (int j = 0; j < d; j++) row[j] += g[j];
  }
}
