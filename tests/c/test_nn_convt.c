/* test_nn_convt.c - Conv2DTranspose and UpSampling2D: the fast paths
 * (sgemm + col2im forward, the backward through nn_conv2d_forward and
 * nn_conv2d_backward) against the direct naive loops for strides 1-3,
 * both paddings, output_padding, odd sizes, even kernels and fused
 * activations; Keras's output sizes; the same bits for 1, 2 and 3
 * threads; upsampling's backward as the transpose of its forward. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"

static NnConvT2D convt(int n, int h, int w, int c, int kh, int kw, int f,
                       int sh, int sw, int same, int oph, int opw) {
  NnConvT2D p = {.n = n, .h = h, .w = w, .c = c, .kh = kh, .kw = kw, .f = f,
                 .sh = sh, .sw = sw, .same = same, .oph = oph, .opw = opw};
  return p;
}
static int64_t in_n(const NnConvT2D *p) { return (int64_t)p->n * p->h * p->w * p->c; }
static int64_t out_n(const NnConvT2D *p) { return (int64_t)p->n * p->oh * p->ow * p->f; }
static int64_t w_n(const NnConvT2D *p) { return (int64_t)p->kh * p->kw * p->c * p->f; }

typedef struct { float *x, *w, *b, *y, *dy, *dx, *dw, *db; } Bufs;
static Bufs make_bufs(const NnConvT2D *p) {
  Bufs u = {falloc(in_n(p)), falloc(w_n(p)), falloc(p->f), falloc(out_n(p)),
            falloc(out_n(p)), falloc(in_n(p)), falloc(w_n(p)), falloc(p->f)};
  fill(u.x, in_n(p), -1, 1);
  fill(u.w, w_n(p), -0.5, 0.5);
  fill(u.b, p->f, -0.5, 0.5);
  fill(u.dy, out_n(p), -1, 1);
  return u;
}
static void free_bufs(Bufs *u) {
  free(u->x); free(u->w); free(u->b); free(u->y); free(u->dy); free(u->dx);
  free(u->dw); free(u->db);
}

static void against_naive(NnConvT2D p, NnAct act) {
  char nm[160];
  snprintf(nm, sizeof nm, "n%d %dx%dx%d k%dx%d f%d s%d,%d %s op%d,%d %s",
           p.n, p.h, p.w, p.c, p.kh, p.kw, p.f, p.sh, p.sw,
           p.same ? "same" : "valid", p.oph, p.opw, nn_act_name(act));
  if (!ok(nn_convt2d_shape(&p) == 0, "shape ok: %s", nm)) return;
  Bufs u = make_bufs(&p);
  float *y2 = falloc(out_n(&p)), *dx2 = falloc(in_n(&p));
  float *dw2 = falloc(w_n(&p)), *db2 = falloc(p.f);
  ok(nn_convt2d_forward(&p, u.x, u.w, u.b, u.y, act) == NN_OK, "forward runs");
  nn_convt2d_forward_naive(&p, u.x, u.w, u.b, y2, act);
  char what[200];
  snprintf(what, sizeof what, "forward = naive: %s", nm);
  close_rel(u.y, y2, out_n(&p), 1e-5, what);
  ok(nn_convt2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, act) ==
     NN_OK, "backward runs");
  nn_convt2d_backward_naive(&p, u.x, u.w, y2, u.dy, dx2, dw2, db2, act);
  snprintf(what, sizeof what, "dx = naive: %s", nm);
  close_rel(u.dx, dx2, in_n(&p), 1e-5, what);
  snprintf(what, sizeof what, "dw = naive: %s", nm);
  close_rel(u.dw, dw2, w_n(&p), 1e-5, what);
  snprintf(what, sizeof what, "db = naive: %s", nm);
  close_rel(u.db, db2, p.f, 1e-5, what);
  free(y2); free(dx2); free(dw2); free(db2);
  free_bufs(&u);
}

static void grid(void) {
  for (int s = 1; s <= 3; s++)
    for (int same = 0; same <= 1; same++)
      for (int k = 2; k <= 3; k++) {
        against_naive(convt(2, 5, 4, 3, k, k, 2, s, s, same, -1, -1), NN_LINEAR);
        against_naive(convt(1, 3, 6, 2, k, k + 1, 3, s, 1, same, -1, -1), NN_ELU);
        if (s > 1)
          against_naive(convt(2, 4, 3, 2, k, 3, 2, s, s, same, s - 1, 0), NN_RELU);
      }
  /* many channels (sgemm with a long K), one output filter (the last
   * decoder layer), a tall chunked image */
  against_naive(convt(2, 8, 8, 16, 3, 3, 16, 1, 1, 0, -1, -1), NN_ELU);
  against_naive(convt(3, 9, 9, 16, 3, 3, 1, 1, 1, 0, -1, -1), NN_SIGMOID);
  against_naive(convt(1, 40, 7, 32, 5, 5, 24, 2, 2, 1, -1, -1), NN_TANH);
  /* stride 1 and large enough for oneDNN: the padded-conv forward */
  against_naive(convt(2, 24, 24, 16, 3, 3, 16, 1, 1, 0, -1, -1), NN_ELU);
  against_naive(convt(1, 15, 16, 4, 4, 2, 16, 1, 1, 1, -1, -1), NN_LINEAR);
  against_naive(convt(2, 14, 15, 3, 5, 5, 17, 1, 1, 1, 0, 0), NN_RELU);
}

static void sizes(void) {
  /* Keras's deconv_output_length */
  NnConvT2D p = convt(1, 24, 24, 16, 3, 3, 16, 1, 1, 0, -1, -1);
  ok(nn_convt2d_shape(&p) == 0 && p.oh == 26 && p.ow == 26, "valid s1: 24 -> 26");
  p = convt(1, 19, 19, 16, 3, 3, 3, 3, 3, 0, -1, -1);
  ok(nn_convt2d_shape(&p) == 0 && p.oh == 57, "valid s3 k3: 19 -> 57");
  p = convt(1, 5, 5, 1, 2, 2, 1, 3, 3, 0, -1, -1);
  ok(nn_convt2d_shape(&p) == 0 && p.oh == 15, "valid s3 k2: 5 -> 15 (in*s)");
  p = convt(1, 7, 7, 1, 3, 3, 1, 2, 2, 1, -1, -1);
  ok(nn_convt2d_shape(&p) == 0 && p.oh == 14 && p.pt == 0, "same s2: 7 -> 14, pad 0 above");
  p = convt(1, 7, 7, 1, 3, 3, 1, 2, 2, 1, 0, 0);
  ok(nn_convt2d_shape(&p) == 0 && p.oh == 13 && p.pt == 1, "same s2 op0: 7 -> 13, pad 1");
  p = convt(1, 7, 7, 1, 3, 3, 1, 2, 2, 0, 2, 0);
  ok(nn_convt2d_shape(&p) == -2, "output_padding >= strides refused");
  p = convt(1, 3, 3, 1, 2, 2, 1, 2, 2, 1, 0, 0);
  ok(nn_convt2d_shape(&p) == -2, "same k2 s2 op0: 3 -> 4 does not map back to 3 (TF refuses)");
  p = convt(1, 0, 7, 1, 3, 3, 1, 2, 2, 0, -1, -1);
  ok(nn_convt2d_shape(&p) == -1, "empty input refused");
}

static void thread_independence(void) {
  NnConvT2D p = convt(9, 12, 12, 16, 3, 3, 16, 2, 2, 1, -1, -1);
  nn_convt2d_shape(&p);
  Bufs u = make_bufs(&p);
  float *y1 = falloc(out_n(&p)), *dx1 = falloc(in_n(&p));
  float *dw1 = falloc(w_n(&p)), *db1 = falloc(p.f);
  int saved = threads_count();
  threads_set_count(1);
  nn_convt2d_forward(&p, u.x, u.w, u.b, y1, NN_ELU);
  nn_convt2d_backward(&p, u.x, u.w, y1, u.dy, dx1, dw1, db1, NN_ELU);
  for (int t = 2; t <= 3; t++) {
    threads_set_count(t);
    nn_convt2d_forward(&p, u.x, u.w, u.b, u.y, NN_ELU);
    nn_convt2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, NN_ELU);
    same_bits(u.y, y1, out_n(&p), t == 2 ? "forward: 2 threads == 1" : "forward: 3 threads == 1");
    same_bits(u.dx, dx1, in_n(&p), "dx: same bits for any thread count");
    same_bits(u.dw, dw1, w_n(&p), "dw: same bits for any thread count");
    same_bits(u.db, db1, p.f, "db: same bits for any thread count");
  }
  threads_set_count(saved);
  free(y1); free(dx1); free(dw1); free(db1);
  free_bufs(&u);
}

/* <dy, up(x)> == <down(dy), x>: the backward is the forward's transpose */
static void upsample(int bilinear) {
  const int n = 2, h = 3, w = 5, c = 3, sh = 2, sw = 3;
  int64_t nx = (int64_t)n * h * w * c, ny = nx * sh * sw;
  float *x = falloc(nx), *y = falloc(ny), *dy = falloc(ny), *dx = falloc(nx);
  fill(x, nx, -1, 1);
  fill(dy, ny, -1, 1);
  nn_upsample2d_forward(x, y, n, h, w, c, sh, sw, bilinear);
  nn_upsample2d_backward(dy, dx, n, h, w, c, sh, sw, bilinear);
  double a = 0, b = 0;
  for (int64_t i = 0; i < ny; i++) a += (double)dy[i] * y[i];
  for (int64_t i = 0; i < nx; i++) b += (double)dx[i] * x[i];
  ok(fabs(a - b) < 1e-4 * (1 + fabs(a)), "%s: backward is the forward's transpose",
     bilinear ? "bilinear" : "nearest");
  /* interior values: nearest repeats, bilinear stays inside the range */
  if (!bilinear)
    ok(y[((1 * 3 * sh + 1) * w * sw + 4) * c] == x[((1 * h + 0) * w + 1) * c],
       "nearest: y[1, 1, 4] = x[1, 0, 1]");
  else {
    int inside = 1;
    for (int64_t i = 0; i < ny; i++) inside &= y[i] >= -1 && y[i] <= 1;
    ok(inside, "bilinear: values stay within the input's range");
  }
  free(x); free(y); free(dy); free(dx);
}

int main(void) {
  sizes();
  grid();
  thread_independence();
  upsample(0);
  upsample(1);
  return done_testing();
}
