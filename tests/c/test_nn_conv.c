/* test_nn_conv.c - Conv2D: the im2col+sgemm path against the direct
 * naive loops for every stride x padding x kernel parity x channels,
 * both against central differences of a double-precision convolution,
 * TensorFlow's output sizes, and thread-count independence. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_conv_bufs.h"


/* ---- the double-precision loss L = sum r * act(conv(x, w) + b) ---------- */

typedef struct {
  NnConv2D p;
  const double *x, *w, *b, *r;
  int which;                 /* 0: params are x, 1: w, 2: b */
  int act;
} ConvLoss;

static double conv_loss(void *ctx, const double *params) {
  ConvLoss *c = ctx;
  const NnConv2D *p = &c->p;
  const double *x = c->which == 0 ? params : c->x;
  const double *w = c->which == 1 ? params : c->w;
  const double *b = c->which == 2 ? params : c->b;
  double *y = dalloc(out_n(p));
  int64_t o = 0;
  for (int n = 0; n < p->n; n++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++)
        for (int f = 0; f < p->f; f++, o++) {
          double s = b[f];
          for (int ky = 0; ky < p->kh; ky++)
            for (int kx = 0; kx < p->kw; kx++) {
              int iy = oy * p->sh - p->pt + ky, ix = ox * p->sw - p->pl + kx;
              if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w) continue;
              for (int ci = 0; ci < p->c; ci++)
                s += x[(((int64_t)n * p->h + iy) * p->w + ix) * p->c + ci] *
                     w[(((int64_t)ky * p->kw + kx) * p->c + ci) * p->f + f];
            }
          y[o] = s;
        }
  act_d(c->act, y, out_n(p) / p->f, p->f);
  double l = 0;
  for (int64_t i = 0; i < out_n(p); i++) l += c->r[i] * y[i];
  free(y);
  return l;
}


/* ---- fast vs naive ------------------------------------------------------ */

static void fast_vs_naive(NnConv2D p, NnAct act, const char *tag) {
  Bufs u = make_bufs(&p);
  float *y2 = falloc(out_n(&p)), *dx2 = falloc(in_n(&p));
  float *dw2 = falloc(w_n(&p)), *db2 = falloc(p.f);
  char name[200];
  snprintf(name, sizeof name, "%s: n%d %dx%dx%d k%dx%d s%d,%d %s %s", tag,
           p.n, p.h, p.w, p.c, p.kh, p.kw, p.sh, p.sw,
           p.same ? "same" : "valid", nn_act_name(act));
  int rc = nn_conv2d_forward(&p, u.x, u.w, u.b, u.y, act);
  nn_conv2d_forward_naive(&p, u.x, u.w, u.b, y2, act);
  char nm[240];
  snprintf(nm, sizeof nm, "forward %s", name);
  if (rc) ok(0, "%s (rc %d)", nm, rc);
  else close_rel(u.y, y2, out_n(&p), 1e-5, nm);
  rc = nn_conv2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, act);
  nn_conv2d_backward_naive(&p, u.x, u.w, y2, u.dy, dx2, dw2, db2, act);
  snprintf(nm, sizeof nm, "backward dx dw db %s", name);
  float *all1 = falloc(in_n(&p) + w_n(&p) + p.f);
  float *all2 = falloc(in_n(&p) + w_n(&p) + p.f);
  memcpy(all1, u.dx, sizeof(float) * in_n(&p));
  memcpy(all1 + in_n(&p), u.dw, sizeof(float) * w_n(&p));
  memcpy(all1 + in_n(&p) + w_n(&p), u.db, sizeof(float) * p.f);
  memcpy(all2, dx2, sizeof(float) * in_n(&p));
  memcpy(all2 + in_n(&p), dw2, sizeof(float) * w_n(&p));
  memcpy(all2 + in_n(&p) + w_n(&p), db2, sizeof(float) * p.f);
  if (rc) ok(0, "%s (rc %d)", nm, rc);
  else close_rel(all1, all2, in_n(&p) + w_n(&p) + p.f, 1e-5, nm);
  free(all1); free(all2); free(y2); free(dx2); free(dw2); free(db2);
  free_bufs(&u);
}

static void grid(void) {
  static const int batches[] = {3, 5};
  for (int s = 1; s <= 3; s++)
    for (int same = 0; same <= 1; same++)
      for (int k = 2; k <= 3; k++)
        for (int c = 1; c <= 3; c += 2) {
          int n = batches[(s + k + c) % 2];
          fast_vs_naive(conv(n, 7, 8, c, k, k, 4, s, s, same),
                        (s + same) % 2 ? NN_RELU : NN_LINEAR, "grid");
        }
}

static void special_shapes(void) {
  /* 1x1 kernels skip im2col; rectangular kernels and strides */
  fast_vs_naive(conv(3, 5, 6, 3, 1, 1, 4, 1, 1, 1), NN_LINEAR, "pointwise");
  fast_vs_naive(conv(3, 5, 6, 3, 1, 1, 4, 2, 2, 0), NN_TANH, "1x1 stride 2");
  fast_vs_naive(conv(2, 9, 7, 2, 3, 2, 3, 2, 1, 1), NN_SIGMOID, "rect");
  fast_vs_naive(conv(2, 9, 7, 2, 2, 3, 3, 1, 3, 0), NN_LINEAR, "rect");
  /* kernel larger than a 'same' input, more samples than groups */
  fast_vs_naive(conv(9, 2, 3, 1, 5, 5, 2, 1, 1, 1), NN_LINEAR, "big kernel");
  fast_vs_naive(conv(11, 6, 6, 3, 3, 3, 5, 2, 2, 1), NN_RELU, "11 samples");
  /* chunks that cut through a sample (40 wide: 25 rows per chunk) */
  fast_vs_naive(conv(3, 40, 40, 4, 3, 3, 8, 1, 1, 1), NN_RELU, "chunked");
  fast_vs_naive(conv(3, 40, 40, 4, 3, 3, 8, 2, 2, 0), NN_LINEAR, "chunked");
  /* the course CNN's second conv, on a small batch */
  fast_vs_naive(conv(3, 14, 14, 32, 3, 3, 64, 1, 1, 1), NN_RELU, "course");
  fast_vs_naive(conv(2, 4, 4, 3, 3, 3, 4, 1, 1, 1), NN_SOFTMAX, "softmax");
}

/* ---- central differences ------------------------------------------------ */

static void grad_check(NnConv2D p, NnAct act) {
  Bufs u = make_bufs(&p);
  double *xd = dalloc(in_n(&p)), *wd = dalloc(w_n(&p)), *bd = dalloc(p.f);
  double *rd = dalloc(out_n(&p));
  to_double(u.x, xd, in_n(&p));
  to_double(u.w, wd, w_n(&p));
  to_double(u.b, bd, p.f);
  to_double(u.dy, rd, out_n(&p));      /* dL/dy = r */
  nn_conv2d_forward(&p, u.x, u.w, u.b, u.y, act);
  nn_conv2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, act);
  ConvLoss cl = {p, xd, wd, bd, rd, 0, act};
  float *fd = falloc(in_n(&p) + w_n(&p));
  /* relu: a step of 1e-6 only crosses a kink closer than ~1e-5, which
   * random data of this size does not produce; smooth acts use 1e-4 */
  double h = act == NN_RELU ? 1e-6 : 1e-4;
  char name[160];
  snprintf(name, sizeof name, "k%dx%d s%d %s c%d %s", p.kh, p.kw, p.sh,
           p.same ? "same" : "valid", p.c, nn_act_name(act));
  central_diff(conv_loss, &cl, xd, in_n(&p), h, fd);
  char nm[200];
  snprintf(nm, sizeof nm, "dx = central differences (%s)", name);
  close_rel(u.dx, fd, in_n(&p), 1e-4, nm);
  cl.which = 1;
  central_diff(conv_loss, &cl, wd, w_n(&p), h, fd);
  snprintf(nm, sizeof nm, "dw = central differences (%s)", name);
  close_rel(u.dw, fd, w_n(&p), 1e-4, nm);
  cl.which = 2;
  central_diff(conv_loss, &cl, bd, p.f, h, fd);
  snprintf(nm, sizeof nm, "db = central differences (%s)", name);
  close_rel(u.db, fd, p.f, 1e-4, nm);
  free(fd); free(xd); free(wd); free(bd); free(rd);
  free_bufs(&u);
}

/* ---- sizes, threads ----------------------------------------------------- */

static void sizes(void) {
  NnConv2D p = conv(1, 28, 28, 1, 3, 3, 32, 1, 1, 1);
  ok(p.oh == 28 && p.ow == 28 && p.pt == 1 && p.pl == 1,
     "same 3x3 s1: 28 -> 28, pad 1");
  p = conv(1, 28, 28, 1, 3, 3, 1, 2, 2, 1);
  ok(p.oh == 14 && p.pt == 0, "same 3x3 s2: 28 -> 14, pad_total 1 so 0 before");
  p = conv(1, 7, 7, 1, 2, 2, 1, 3, 3, 1);
  ok(p.oh == 3 && p.pt == 0, "same 2x2 s3: 7 -> 3, pad_total 1 -> 0 before");
  p = conv(1, 8, 8, 1, 4, 4, 1, 1, 1, 1);
  ok(p.oh == 8 && p.pt == 1, "same 4x4 s1: pad_total 3 -> 1 before, 2 after");
  p = conv(1, 7, 7, 1, 3, 3, 1, 2, 2, 0);
  ok(p.oh == 3, "valid 3x3 s2: 7 -> 3");
  NnConv2D q = {.n = 1, .h = 2, .w = 2, .c = 1, .kh = 3, .kw = 3, .f = 1,
                .sh = 1, .sw = 1, .same = 0};
  ok(nn_conv2d_shape(&q) == -1, "valid kernel larger than input is refused");
}

static void thread_independence(void) {
  NnConv2D p = conv(13, 14, 14, 8, 3, 3, 16, 1, 1, 1);
  Bufs u = make_bufs(&p);
  float *y1 = falloc(out_n(&p)), *dx1 = falloc(in_n(&p));
  float *dw1 = falloc(w_n(&p)), *db1 = falloc(p.f);
  int saved = threads_count();
  threads_set_count(1);
  nn_conv2d_forward(&p, u.x, u.w, u.b, y1, NN_RELU);
  nn_conv2d_backward(&p, u.x, u.w, y1, u.dy, dx1, dw1, db1, NN_RELU);
  threads_set_count(2);
  nn_conv2d_forward(&p, u.x, u.w, u.b, u.y, NN_RELU);
  nn_conv2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, NN_RELU);
  same_bits(u.y, y1, out_n(&p), "forward: 2 threads == 1 thread, bit for bit");
  same_bits(u.dx, dx1, in_n(&p), "dx: 2 threads == 1 thread");
  same_bits(u.dw, dw1, w_n(&p), "dw: 2 threads == 1 thread (fixed groups)");
  same_bits(u.db, db1, p.f, "db: 2 threads == 1 thread");
  threads_set_count(3);
  nn_conv2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, NN_RELU);
  same_bits(u.dw, dw1, w_n(&p), "dw: 3 threads == 1 thread");
  /* and again: the same call twice gives the same bits */
  nn_conv2d_backward(&p, u.x, u.w, u.y, u.dy, dx1, dw1, db1, NN_RELU);
  same_bits(u.dw, dw1, w_n(&p), "dw: repeated call, same bits");
  threads_set_count(saved);
  free(y1); free(dx1); free(dw1); free(db1);
  free_bufs(&u);
}

/* ---- the oneDNN forward (nn_conv_dnnl.c) -------------------------------- */

/* VGG-like shapes, called on the oneDNN path explicitly, against the
 * naive double loops with the same 1e-5 (of max |y|) tolerance as the
 * im2col path: K = 576 or 4608 float products summed in float lie well
 * inside it (measured worst: 9e-7 at K = 576, 1.7e-6 at K = 4608, about
 * sqrt(K) float roundings). Then the same bits for 1, 2 and 3
 * threads, and through nn_conv2d_forward. */
static void dnnl_path(NnConv2D p, NnAct act, int bias, const char *tag) {
  Bufs u = make_bufs(&p);
  float *y2 = falloc(out_n(&p)), *y3 = falloc(out_n(&p));
  const float *b = bias ? u.b : NULL;
  char nm[200];
  snprintf(nm, sizeof nm, "dnnl %s: n%d %dx%dx%d -> %d k%dx%d s%d %s %s%s",
           tag, p.n, p.h, p.w, p.c, p.f, p.kh, p.kw, p.sh,
           p.same ? "same" : "valid", nn_act_name(act), bias ? "" : " no bias");
  int saved = threads_count();
  threads_set_count(2);
  if (!nn_conv2d_dnnl_wanted(&p, act) ||
      nn_conv2d_forward_dnnl(&p, u.x, u.w, b, u.y, act) != NN_OK) {
    ok(1, "# SKIP %s: oneDNN not built in or not usable", nm);
    goto out;
  }
  nn_conv2d_forward_naive(&p, u.x, u.w, b, y2, act);
  close_rel(u.y, y2, out_n(&p), 1e-5, nm);
  threads_set_count(1);
  nn_conv2d_forward_dnnl(&p, u.x, u.w, b, y2, act);
  same_bits(u.y, y2, out_n(&p), "dnnl: 1 thread == 2 threads, bit for bit");
  threads_set_count(3);
  nn_conv2d_forward_dnnl(&p, u.x, u.w, b, y2, act);
  same_bits(u.y, y2, out_n(&p), "dnnl: 3 threads == 2 threads");
  threads_set_count(2);
  nn_conv2d_forward(&p, u.x, u.w, b, y3, act);
  same_bits(u.y, y3, out_n(&p), "nn_conv2d_forward takes the dnnl path");
out:
  threads_set_count(saved);
  free(y2); free(y3);
  free_bufs(&u);
}

static void no_dx(void) {
  NnConv2D p = conv(4, 9, 9, 1, 3, 3, 6, 1, 1, 1);
  Bufs u = make_bufs(&p);
  float *dw2 = falloc(w_n(&p)), *db2 = falloc(p.f);
  nn_conv2d_backward(&p, u.x, u.w, NULL, u.dy, u.dx, u.dw, u.db, NN_LINEAR);
  int rc = nn_conv2d_backward(&p, u.x, u.w, NULL, u.dy, NULL, dw2, db2,
                              NN_LINEAR);
  ok(rc == 0, "backward without dx (first layer)");
  same_bits(dw2, u.dw, w_n(&p), "dw is the same with or without dx");
  free(dw2); free(db2);
  free_bufs(&u);
}

int main(void) {
  sizes();
  grid();
  special_shapes();
  grad_check(conv(2, 5, 5, 3, 3, 3, 2, 2, 2, 1), NN_LINEAR);
  grad_check(conv(3, 6, 5, 1, 2, 2, 3, 1, 1, 0), NN_LINEAR);
  grad_check(conv(2, 7, 7, 2, 3, 3, 2, 3, 3, 1), NN_RELU);
  grad_check(conv(2, 5, 6, 2, 2, 3, 3, 2, 1, 1), NN_TANH);
  thread_independence();
  no_dx();
  dnnl_path(conv(1, 56, 56, 64, 3, 3, 128, 1, 1, 1), NN_RELU, 1, "VGG block 3");
  dnnl_path(conv(1, 14, 14, 512, 3, 3, 512, 1, 1, 1), NN_RELU, 1, "VGG block 5");
  dnnl_path(conv(2, 30, 29, 3, 3, 3, 16, 1, 1, 0), NN_LINEAR, 0, "valid");
  dnnl_path(conv(2, 31, 30, 8, 3, 3, 32, 2, 2, 1), NN_TANH, 1, "strided");
  return done_testing();
}
