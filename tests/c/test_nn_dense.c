/* test_nn_dense.c - Dense: sgemm path against the naive loops for every
 * activation and batch shapes that do not split evenly, gradients
 * against central differences in double, thread-count independence. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_dense_bufs.h"

typedef struct {
  int n, in, out, act, which;     /* which: 0 x, 1 w, 2 b */
  const double *x, *w, *b, *r;
} DenseLoss;

/* L = sum r * act(x w + b), all in double */
static double dense_loss(void *ctx, const double *params) {
  DenseLoss *d = ctx;
  const double *x = d->which == 0 ? params : d->x;
  const double *w = d->which == 1 ? params : d->w;
  const double *b = d->which == 2 ? params : d->b;
  double *y = dalloc((int64_t)d->n * d->out);
  for (int i = 0; i < d->n; i++)
    for (int j = 0; j < d->out; j++) {
      double s = b[j];
      for (int k = 0; k < d->in; k++)
        s += x[(int64_t)i * d->in + k] * w[(int64_t)k * d->out + j];
      y[(int64_t)i * d->out + j] = s;
    }
  act_d(d->act, y, d->n, d->out);
  double l = 0;
  for (int64_t i = 0; i < (int64_t)d->n * d->out; i++) l += d->r[i] * y[i];
  free(y);
  return l;
}

static void fast_vs_naive(int n, int in, int out, NnAct act) {
  Bufs u = make(n, in, out), v = make(n, in, out);
  char name[120];
  snprintf(name, sizeof name, "n%d in%d out%d %s", n, in, out,
           nn_act_name(act));
  nn_dense_forward(u.x, u.w, u.b, u.y, n, in, out, act);
  nn_dense_forward_naive(u.x, u.w, u.b, v.y, n, in, out, act);
  char nm[160];
  snprintf(nm, sizeof nm, "forward %s", name);
  close_rel(u.y, v.y, (int64_t)n * out, 1e-5, nm);
  nn_dense_backward(u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, n, in, out, act);
  nn_dense_backward_naive(u.x, u.w, v.y, u.dy, v.dx, v.dw, v.db, n, in, out,
                          act);
  snprintf(nm, sizeof nm, "dx %s", name);
  close_rel(u.dx, v.dx, (int64_t)n * in, 1e-5, nm);
  snprintf(nm, sizeof nm, "dw %s", name);
  close_rel(u.dw, v.dw, (int64_t)in * out, 1e-5, nm);
  snprintf(nm, sizeof nm, "db %s", name);
  close_rel(u.db, v.db, out, 1e-5, nm);
  release(&u);
  release(&v);
}

static void grad_check(int n, int in, int out, NnAct act) {
  Bufs u = make(n, in, out);
  double *xd = dalloc((int64_t)n * in), *wd = dalloc((int64_t)in * out);
  double *bd = dalloc(out), *rd = dalloc((int64_t)n * out);
  to_double(u.x, xd, (int64_t)n * in);
  to_double(u.w, wd, (int64_t)in * out);
  to_double(u.b, bd, out);
  to_double(u.dy, rd, (int64_t)n * out);
  nn_dense_forward(u.x, u.w, u.b, u.y, n, in, out, act);
  nn_dense_backward(u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, n, in, out, act);
  DenseLoss dl = {n, in, out, act, 0, xd, wd, bd, rd};
  float *fd = falloc((int64_t)(n > out ? n : out) * in + out);
  double h = act == NN_RELU ? 1e-6 : 1e-4;
  char nm[120];
  central_diff(dense_loss, &dl, xd, (int64_t)n * in, h, fd);
  snprintf(nm, sizeof nm, "dx = central differences (%s)", nn_act_name(act));
  close_rel(u.dx, fd, (int64_t)n * in, 1e-4, nm);
  dl.which = 1;
  central_diff(dense_loss, &dl, wd, (int64_t)in * out, h, fd);
  snprintf(nm, sizeof nm, "dw = central differences (%s)", nn_act_name(act));
  close_rel(u.dw, fd, (int64_t)in * out, 1e-4, nm);
  dl.which = 2;
  central_diff(dense_loss, &dl, bd, out, h, fd);
  snprintf(nm, sizeof nm, "db = central differences (%s)", nn_act_name(act));
  close_rel(u.db, fd, out, 1e-4, nm);
  free(fd); free(xd); free(wd); free(bd); free(rd);
  release(&u);
}

static void threads_and_options(void) {
  int n = 301, in = 200, out = 70;
  Bufs u = make(n, in, out), v = make(n, in, out);
  int saved = threads_count();
  threads_set_count(1);
  nn_dense_forward(u.x, u.w, u.b, v.y, n, in, out, NN_TANH);
  nn_dense_backward(u.x, u.w, v.y, u.dy, v.dx, v.dw, v.db, n, in, out, NN_TANH);
  threads_set_count(2);
  nn_dense_forward(u.x, u.w, u.b, u.y, n, in, out, NN_TANH);
  nn_dense_backward(u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, n, in, out, NN_TANH);
  same_bits(u.y, v.y, (int64_t)n * out, "forward: 2 threads == 1 thread");
  same_bits(u.dx, v.dx, (int64_t)n * in, "dx: 2 threads == 1 thread");
  same_bits(u.dw, v.dw, (int64_t)in * out, "dw: 2 threads == 1 thread");
  same_bits(u.db, v.db, out, "db: 2 threads == 1 thread");
  threads_set_count(saved);
  /* no dx, no db, no bias */
  nn_dense_backward(u.x, u.w, u.y, u.dy, NULL, v.dw, NULL, n, in, out,
                    NN_TANH);
  same_bits(v.dw, u.dw, (int64_t)in * out, "dw without dx and db");
  nn_dense_forward(u.x, u.w, NULL, v.y, n, in, out, NN_LINEAR);
  nn_dense_forward_naive(u.x, u.w, NULL, u.y, n, in, out, NN_LINEAR);
  close_rel(v.y, u.y, (int64_t)n * out, 1e-5, "forward without bias");
  release(&u);
  release(&v);
}

int main(void) {
  static const int shapes[][3] = {{1, 5, 3}, {7, 13, 10}, {33, 40, 17},
                                  {300, 64, 20}};
  for (int s = 0; s < 4; s++)
    for (int a = NN_LINEAR; a <= NN_SOFTMAX; a++)
      fast_vs_naive(shapes[s][0], shapes[s][1], shapes[s][2], (NnAct)a);
  for (int a = NN_LINEAR; a <= NN_SOFTMAX; a++) grad_check(5, 7, 4, (NnAct)a);
  threads_and_options();
  return done_testing();
}
