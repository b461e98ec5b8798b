/* test_nn_pool_fast.c - the pooling paths the layers run: maxima
 * without offsets (arg = NULL) and the max backward that finds the
 * winners again in x (nn_maxpool2d_backward_x), plus the vectorized
 * average pooling, each against its naive twin over pool sizes 2 and 3,
 * strides 1-3, both paddings, odd sizes, batch 1 and channel counts
 * around the vector widths and the kernels' channel chunk (64). Ties:
 * inputs drawn from a few values (and signed zeros) so that windows hold
 * equal maxima; the first maximum in window order must win, exactly as
 * the naive twin and the offset path decide. Every result must have the
 * same bits on 1, 2 and 3 threads. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_pool_shape.h"

static int bits_equal(const float *a, const float *b, int64_t n) {
  return !memcmp(a, b, sizeof(float) * (size_t)n);
}

/* ties: values from {-1, -0, 0, 0.5, 1} (many equal maxima per window) */
static void fill_ties(float *x, int64_t n) {
  static const float v[5] = {-1.0f, -0.0f, 0.0f, 0.5f, 1.0f};
  for (int64_t i = 0; i < n; i++) x[i] = v[(int)(urand() * 5) % 5];
}

/* dx of max pooling routed through the naive twin's winners, written
 * exactly: the offsets of the naive forward, added in output order */
static void max_dx_from_args(const NnPool2D *p, const int32_t *arg,
                             const float *dy, float *dx) {
  memset(dx, 0, sizeof(float) * (size_t)in_n(p));
  int64_t per_in = (int64_t)p->h * p->w * p->c;
  int64_t per_out = (int64_t)p->oh * p->ow * p->c;
  for (int n = 0; n < p->n; n++)
    for (int64_t i = 0; i < per_out; i++)
      dx[n * per_in + arg[n * per_out + i]] += dy[n * per_out + i];
}

static void check(NnPool2D p, int ties) {
  int64_t ni = in_n(&p), no = out_n(&p);
  float *x = falloc(ni), *dy = falloc(no);
  float *y[4], *dx[4];
  for (int i = 0; i < 4; i++) { y[i] = falloc(no); dx[i] = falloc(ni); }
  int32_t *arg = malloc(sizeof(int32_t) * (size_t)(no ? no : 1));
  int32_t *arg2 = malloc(sizeof(int32_t) * (size_t)(no ? no : 1));
  if (ties) fill_ties(x, ni);
  else fill(x, ni, -1, 1);
  fill(dy, no, -1, 1);
  char name[128];
  snprintf(name, sizeof name, "n%d %dx%dx%d pool %dx%d s%d,%d %s%s", p.n,
           p.h, p.w, p.c, p.ph, p.pw, p.sh, p.sw,
           p.same ? "same" : "valid", ties ? " ties" : "");

  /* max forward: maxima alone = the naive twin, bit for bit; the
   * offset path picks the same winners */
  nn_maxpool2d_forward_naive(&p, x, y[0], arg);
  nn_maxpool2d_forward(&p, x, y[1], NULL);
  nn_maxpool2d_forward(&p, x, y[2], arg2);
  int same_arg = 1;
  for (int64_t i = 0; i < no; i++) same_arg &= arg[i] == arg2[i];
  ok(bits_equal(y[0], y[1], no) && bits_equal(y[0], y[2], no) && same_arg,
     "max forward (maxima only, offsets) = naive: %s", name);

  /* max backward from x = dy routed to the naive twin's first maxima */
  max_dx_from_args(&p, arg, dy, dx[0]);
  nn_maxpool2d_backward_x(&p, x, dy, dx[1]);
  nn_maxpool2d_backward_naive(&p, x, dy, dx[2]);
  nn_maxpool2d_backward(&p, dy, arg, dx[3]);
  ok(bits_equal(dx[0], dx[1], ni) && bits_equal(dx[2], dx[1], ni) &&
     bits_equal(dx[3], dx[1], ni),
     "max backward from x = naive = offsets (same winners, same bits): %s",
     name);

  /* average: the vectorized kernels = the naive twin (double sums) */
  char nm[200];
  nn_avgpool2d_forward(&p, x, y[1]);
  nn_avgpool2d_forward_naive(&p, x, y[0]);
  snprintf(nm, sizeof nm, "avg forward = naive: %s", name);
  close_rel(y[1], y[0], no, 1e-6, nm);
  nn_avgpool2d_backward(&p, dy, dx[1]);
  nn_avgpool2d_backward_naive(&p, dy, dx[0]);
  snprintf(nm, sizeof nm, "avg backward = naive: %s", name);
  close_rel(dx[1], dx[0], ni, 1e-6, nm);

  /* the same bits on 1, 2 and 3 threads */
  int saved = threads_count(), same = 1;
  float *ya = falloc(no), *yb = falloc(no), *da = falloc(ni), *db = falloc(ni);
  threads_set_count(1);
  nn_maxpool2d_forward(&p, x, y[0], NULL);
  nn_maxpool2d_backward_x(&p, x, dy, dx[0]);
  nn_avgpool2d_forward(&p, x, ya);
  nn_avgpool2d_backward(&p, dy, da);
  for (int t = 2; t <= 3; t++) {
    threads_set_count(t);
    nn_maxpool2d_forward(&p, x, y[1], NULL);
    nn_maxpool2d_backward_x(&p, x, dy, dx[1]);
    nn_avgpool2d_forward(&p, x, yb);
    nn_avgpool2d_backward(&p, dy, db);
    same &= bits_equal(y[0], y[1], no) && bits_equal(dx[0], dx[1], ni) &&
            bits_equal(ya, yb, no) && bits_equal(da, db, ni);
  }
  threads_set_count(saved);
  ok(same, "max and avg, forward and backward: same bits on 1, 2, 3 threads: %s",
     name);

  for (int i = 0; i < 4; i++) { free(y[i]); free(dx[i]); }
  free(x); free(dy); free(arg); free(arg2); free(ya); free(yb); free(da);
  free(db);
}

/* a NaN first in its window stays the maximum and wins the gradient; a
 * later NaN never wins (strictly greater, as the naive twin) */
static void nan_rule(void) {
  NnPool2D p = pool(1, 2, 2, 3, 2, 2, 2, 2, 0);
  float x[12] = {NAN, 1, 2,   5, NAN, 3,   7, 0, NAN,   6, 4, NAN};
  float dy[3] = {10, 20, 30}, y[3], yn[3], dx[12], dxn[12];
  int32_t a[3];
  nn_maxpool2d_forward(&p, x, y, NULL);
  nn_maxpool2d_forward_naive(&p, x, yn, a);
  ok(isnan(y[0]) && y[1] == 4 && y[2] == 3 && isnan(yn[0]) && y[1] == yn[1] &&
     y[2] == yn[2], "NaN first in the window stays; a later NaN never wins");
  nn_maxpool2d_backward_x(&p, x, dy, dx);
  nn_maxpool2d_backward_naive(&p, x, dy, dxn);
  ok(bits_equal(dx, dxn, 12) && dx[0] == 10 && dx[10] == 20 && dx[5] == 30,
     "NaN: the backward from x routes dy as the naive twin");
}

int main(void) {
  for (int ps = 2; ps <= 3; ps++)
    for (int s = 1; s <= 3; s++)
      for (int same = 0; same <= 1; same++)
        for (int ties = 0; ties <= 1; ties++) {
          check(pool(3, 7, 9, s == 2 ? 5 : 1, ps, ps, s, s, same), ties);
          check(pool(1, 11, 6, 17, ps, ps, s, s, same), ties);
        }
  check(pool(2, 6, 5, 70, 2, 3, 1, 2, 1), 1);     /* rectangular, 2 chunks */
  check(pool(2, 5, 7, 130, 3, 3, 3, 3, 1), 1);    /* chunk tail, clipped */
  check(pool(1, 9, 9, 16, 9, 9, 9, 9, 0), 1);     /* one window (global) */
  check(pool(7, 28, 28, 32, 2, 2, 2, 2, 0), 1);   /* the course's pools */
  check(pool(5, 14, 14, 64, 2, 2, 2, 2, 0), 0);
  check(pool(4, 27, 13, 32, 2, 2, 2, 2, 0), 1);   /* odd: cells uncovered */
  check(pool(4, 27, 13, 33, 2, 2, 2, 2, 1), 1);   /* odd, clipped windows */
  nan_rule();
  return done_testing();
}
