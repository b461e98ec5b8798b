/* test_nn_pool.c - max/average pooling against their naive twins for
 * pool sizes, strides and paddings, gradients against central
 * differences in double, 'same' padding that must never win a max,
 * global average pooling. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_pool_shape.h"

/* L = sum r * pool(x) in double; max: 1, avg: 0 */
typedef struct { NnPool2D p; const double *r; int max; } PoolLoss;

static double pool_loss(void *ctx, const double *x) {
  PoolLoss *q = ctx;
  const NnPool2D *p = &q->p;
  double l = 0;
  int64_t o = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int k = 0; k < p->c; k++, o++) {
          double best = -INFINITY, sum = 0;
          int cnt = 0;
          for (int ky = 0; ky < p->ph; ky++)
            for (int kx = 0; kx < p->pw; kx++) {
              int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              double v = x[(((int64_t)n * p->h + iy) * p->w + ix) * p->c + k];
              best = v > best ? v : best;
              sum += v;
              cnt++;
            }
          l += q->r[o] * (q->max ? best : sum / cnt);
        }
  return l;
}

static void check(NnPool2D p) {
  float *x = falloc(in_n(&p)), *dx1 = falloc(in_n(&p));
  float *dx2 = falloc(in_n(&p)), *dy = falloc(out_n(&p));
  float *y1 = falloc(out_n(&p)), *y2 = falloc(out_n(&p));
  int32_t *a1 = malloc(sizeof(int32_t) * (size_t)out_n(&p));
  int32_t *a2 = malloc(sizeof(int32_t) * (size_t)out_n(&p));
  fill(x, in_n(&p), -1, 1);
  fill(dy, out_n(&p), -1, 1);
  char name[120], nm[160];
  snprintf(name, sizeof name, "n%d %dx%dx%d pool %dx%d s%d,%d %s", p.n, p.h,
           p.w, p.c, p.ph, p.pw, p.sh, p.sw, p.same ? "same" : "valid");

  nn_maxpool2d_forward(&p, x, y1, a1);
  nn_maxpool2d_forward_naive(&p, x, y2, a2);
  int same_arg = 1;
  for (int64_t i = 0; i < out_n(&p); i++) same_arg &= a1[i] == a2[i];
  snprintf(nm, sizeof nm, "max forward %s", name);
  ok(same_arg && !memcmp(y1, y2, sizeof(float) * (size_t)out_n(&p)), "%s",
     nm);
  nn_maxpool2d_backward(&p, dy, a1, dx1);
  nn_maxpool2d_backward_naive(&p, x, dy, dx2);
  snprintf(nm, sizeof nm, "max backward %s", name);
  close_rel(dx1, dx2, in_n(&p), 1e-6, nm);

  nn_avgpool2d_forward(&p, x, y1);
  nn_avgpool2d_forward_naive(&p, x, y2);
  snprintf(nm, sizeof nm, "avg forward %s", name);
  close_rel(y1, y2, out_n(&p), 1e-6, nm);
  nn_avgpool2d_backward(&p, dy, dx1);
  nn_avgpool2d_backward_naive(&p, dy, dx2);
  snprintf(nm, sizeof nm, "avg backward %s", name);
  close_rel(dx1, dx2, in_n(&p), 1e-6, nm);

  /* central differences (random data: no ties for the max to flip) */
  double *xd = dalloc(in_n(&p)), *rd = dalloc(out_n(&p));
  to_double(x, xd, in_n(&p));
  to_double(dy, rd, out_n(&p));
  PoolLoss pl = {p, rd, 1};
  float *fd = falloc(in_n(&p));
  central_diff(pool_loss, &pl, xd, in_n(&p), 1e-6, fd);
  nn_maxpool2d_backward(&p, dy, a1, dx1);
  snprintf(nm, sizeof nm, "max dx = central differences %s", name);
  close_rel(dx1, fd, in_n(&p), 1e-5, nm);
  pl.max = 0;
  central_diff(pool_loss, &pl, xd, in_n(&p), 1e-4, fd);
  nn_avgpool2d_backward(&p, dy, dx1);
  snprintf(nm, sizeof nm, "avg dx = central differences %s", name);
  close_rel(dx1, fd, in_n(&p), 1e-5, nm);

  free(x); free(y1); free(y2); free(dy); free(dx1); free(dx2); free(a1);
  free(a2); free(xd); free(rd); free(fd);
}

static void padding_never_wins(void) {
  NnPool2D p = pool(1, 3, 3, 2, 2, 2, 2, 2, 1);
  float x[18], y[8];
  int32_t a[8];
  for (int i = 0; i < 18; i++) x[i] = -1.0f - i;
  nn_maxpool2d_forward(&p, x, y, a);
  ok(p.oh == 2 && p.ow == 2, "same 2x2 s2 on 3x3 gives 2x2");
  int neg = 1;
  for (int i = 0; i < 8; i++) neg &= y[i] < 0 && a[i] >= 0 && a[i] < 18;
  ok(neg, "'same' max pool of negative input: padding never wins");
  ok(y[6] == x[16] && y[7] == x[17], "corner window is the lone input cell");
  float avg[8];
  nn_avgpool2d_forward(&p, x, avg);
  ok(avg[6] == x[16], "'same' avg pool divides by cells inside (corner: 1)");
}

static void global_avg(void) {
  int n = 3, hw = 10, c = 4;
  float *x = falloc(n * hw * c), *y = falloc(n * c), *dy = falloc(n * c);
  float *dx = falloc(n * hw * c), *want = falloc(n * hw * c);
  fill(x, n * hw * c, -1, 1);
  fill(dy, n * c, -1, 1);
  nn_global_avgpool2d_forward(x, y, n, hw, c);
  double s = 0;
  for (int j = 0; j < hw; j++) s += x[(1 * hw + j) * c + 2];
  near(y[1 * c + 2], s / hw, 1e-6, "global avg pool = mean over H*W");
  nn_global_avgpool2d_backward(dy, dx, n, hw, c);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < hw; j++)
      for (int k = 0; k < c; k++)
        want[(i * hw + j) * c + k] = dy[i * c + k] / hw;
  close_rel(dx, want, n * hw * c, 1e-6, "global avg pool backward = dy / HW");
  free(x); free(y); free(dy); free(dx); free(want);
}

static void threads_same(void) {
  NnPool2D p = pool(9, 28, 28, 32, 2, 2, 2, 2, 0);
  float *x = falloc(in_n(&p));
  float *y1 = falloc(out_n(&p)), *y2 = falloc(out_n(&p));
  int32_t *a = malloc(sizeof(int32_t) * (size_t)out_n(&p));
  fill(x, in_n(&p), -1, 1);
  int saved = threads_count();
  threads_set_count(1);
  nn_maxpool2d_forward(&p, x, y1, a);
  threads_set_count(2);
  nn_maxpool2d_forward(&p, x, y2, a);
  same_bits(y1, y2, out_n(&p), "max pool: 2 threads == 1 thread");
  threads_set_count(saved);
  free(x); free(y1); free(y2); free(a);
}

int main(void) {
  for (int ps = 2; ps <= 3; ps++)
    for (int s = 1; s <= 3; s++)
      for (int same = 0; same <= 1; same++)
        check(pool(3, 7, 8, s == 2 ? 3 : 1, ps, ps, s, s, same));
  check(pool(2, 6, 5, 2, 2, 3, 1, 2, 1));     /* rectangular */
  check(pool(5, 28, 28, 4, 2, 2, 2, 2, 0));   /* the course's pooling */
  padding_never_wins();
  global_avg();
  threads_same();
  return done_testing();
}
