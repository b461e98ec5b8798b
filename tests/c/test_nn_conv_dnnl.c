/* test_nn_conv_dnnl.c - the oneDNN Conv2D path (nn_conv_dnnl.c), called
 * directly, against the naive double loops: forward, backward-data,
 * backward-weights and bias, over strides 1-3, 'same' and 'valid',
 * odd and rectangular sizes, batch 1 and batches cut into uneven pieces;
 * the same bits on a second call, for 1, 2 and 3 threads, and a few
 * training steps of two stacked convolutions giving the same weights
 * with 1 and 2 threads. Skipped when oneDNN is not usable. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_conv_bufs.h"

static int usable;

/* oneDNN vs naive: y, dx, dw, db each within 1e-5 of max |naive| */
static void vs_naive(NnConv2D p, NnAct act, int bias, int with_dx) {
  char name[200];
  snprintf(name, sizeof name, "n%d %dx%dx%d -> %d k%dx%d s%d,%d %s %s%s%s",
           p.n, p.h, p.w, p.c, p.f, p.kh, p.kw, p.sh, p.sw,
           p.same ? "same" : "valid", nn_act_name(act), bias ? "" : " no bias",
           with_dx ? "" : " no dx");
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  const float *b = bias ? u.b : NULL;
  int rf = nn_conv2d_forward_dnnl(&p, u.x, u.w, b, u.y, act);
  nn_conv2d_forward_naive(&p, u.x, u.w, b, v.y, act);
  int rb = nn_conv2d_backward_dnnl(&p, u.x, u.w, v.y, u.dy,
                                   with_dx ? u.dx : NULL, u.dw,
                                   bias ? u.db : NULL, act);
  nn_conv2d_backward_naive(&p, u.x, u.w, v.y, u.dy, v.dx, v.dw, v.db, act);
  char nm[260];
  snprintf(nm, sizeof nm, "forward %s", name);
  if (rf) ok(0, "%s: not handled (rc %d)", nm, rf);
  else close_rel(u.y, v.y, out_n(&p), 1e-5, nm);
  if (rb) {
    ok(0, "backward %s: not handled (rc %d)", name, rb);
  } else {
    snprintf(nm, sizeof nm, "dw %s", name);
    close_rel(u.dw, v.dw, w_n(&p), 1e-5, nm);
    if (bias) {
      snprintf(nm, sizeof nm, "db %s", name);
      close_rel(u.db, v.db, p.f, 1e-5, nm);
    }
    if (with_dx) {
      snprintf(nm, sizeof nm, "dx %s", name);
      close_rel(u.dx, v.dx, in_n(&p), 1e-5, nm);
    }
  }
  free_bufs(&u);
  free_bufs(&v);
}

/* the same bits on a second call and for 1, 2, 3 threads */
static void bits(NnConv2D p, NnAct act, const char *tag) {
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  int saved = threads_count();
  threads_set_count(2);
  nn_conv2d_forward_dnnl(&p, u.x, u.w, u.b, u.y, act);
  nn_conv2d_backward_dnnl(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, act);
  nn_conv2d_forward_dnnl(&p, u.x, u.w, u.b, v.y, act);
  nn_conv2d_backward_dnnl(&p, u.x, u.w, u.y, u.dy, v.dx, v.dw, v.db, act);
  int same = !memcmp(u.y, v.y, sizeof(float) * out_n(&p)) &&
             !memcmp(u.dx, v.dx, sizeof(float) * in_n(&p)) &&
             !memcmp(u.dw, v.dw, sizeof(float) * w_n(&p)) &&
             !memcmp(u.db, v.db, sizeof(float) * p.f);
  ok(same, "%s: a second call gives the same bits (y, dx, dw, db)", tag);
  for (int t = 1; t <= 3; t += 2) {
    threads_set_count(t);
    nn_conv2d_forward_dnnl(&p, u.x, u.w, u.b, v.y, act);
    nn_conv2d_backward_dnnl(&p, u.x, u.w, u.y, u.dy, v.dx, v.dw, v.db, act);
    same = !memcmp(u.y, v.y, sizeof(float) * out_n(&p)) &&
           !memcmp(u.dx, v.dx, sizeof(float) * in_n(&p)) &&
           !memcmp(u.dw, v.dw, sizeof(float) * w_n(&p)) &&
           !memcmp(u.db, v.db, sizeof(float) * p.f);
    ok(same, "%s: %d thread%s == 2 threads, bit for bit", tag, t,
       t > 1 ? "s" : "");
  }
  threads_set_count(saved);
  free_bufs(&u);
  free_bufs(&v);
}

/* conv(32, relu) -> conv(16, stride 2) -> loss sum(r * y), 4 SGD steps through the
 * public entry points; returns the weights of both layers */
static void train(int threads, float *w1, float *b1, float *w2, float *b2) {
  NnConv2D p1 = conv(24, 12, 12, 3, 3, 3, 32, 1, 1, 1);
  NnConv2D p2 = conv(24, 12, 12, 32, 3, 3, 16, 2, 2, 1);
  int saved = threads_count();
  threads_set_count(threads);
  test_rng = 12345;
  float *x = falloc(in_n(&p1)), *r = falloc(out_n(&p2));
  fill(x, in_n(&p1), -1, 1);
  fill(r, out_n(&p2), -1, 1);
  fill(w1, w_n(&p1), -0.3, 0.3);
  fill(b1, p1.f, -0.1, 0.1);
  fill(w2, w_n(&p2), -0.3, 0.3);
  fill(b2, p2.f, -0.1, 0.1);
  float *y1 = falloc(out_n(&p1)), *y2 = falloc(out_n(&p2));
  float *dy1 = falloc(out_n(&p1));
  float *dw1 = falloc(w_n(&p1)), *db1 = falloc(p1.f);
  float *dw2 = falloc(w_n(&p2)), *db2 = falloc(p2.f);
  for (int step = 0; step < 4; step++) {
    nn_conv2d_forward(&p1, x, w1, b1, y1, NN_RELU);
    nn_conv2d_forward(&p2, y1, w2, b2, y2, NN_LINEAR);
    nn_conv2d_backward(&p2, y1, w2, y2, r, dy1, dw2, db2, NN_LINEAR);
    nn_conv2d_backward(&p1, x, w1, y1, dy1, NULL, dw1, db1, NN_RELU);
    for (int64_t i = 0; i < w_n(&p1); i++) w1[i] -= 1e-3f * dw1[i];
    for (int64_t i = 0; i < p1.f; i++) b1[i] -= 1e-3f * db1[i];
    for (int64_t i = 0; i < w_n(&p2); i++) w2[i] -= 1e-3f * dw2[i];
    for (int64_t i = 0; i < p2.f; i++) b2[i] -= 1e-3f * db2[i];
  }
  threads_set_count(saved);
  free(x); free(r); free(y1); free(y2); free(dy1);
  free(dw1); free(db1); free(dw2); free(db2);
}

static void training_threads(void) {
  const int64_t n1 = 3 * 3 * 3 * 32, n2 = 3 * 3 * 32 * 16;
  float *a[4] = {falloc(n1), falloc(32), falloc(n2), falloc(16)};
  float *b[4] = {falloc(n1), falloc(32), falloc(n2), falloc(16)};
  train(1, a[0], a[1], a[2], a[3]);
  train(2, b[0], b[1], b[2], b[3]);
  int same = !memcmp(a[0], b[0], sizeof(float) * n1) &&
             !memcmp(a[1], b[1], sizeof(float) * 32) &&
             !memcmp(a[2], b[2], sizeof(float) * n2) &&
             !memcmp(a[3], b[3], sizeof(float) * 16);
  ok(same, "4 training steps of two convolutions: identical weights with 1 "
     "and 2 threads");
  NnConv2D p1 = conv(24, 12, 12, 3, 3, 3, 32, 1, 1, 1);
  NnConv2D p2 = conv(24, 12, 12, 32, 3, 3, 16, 2, 2, 1);
  ok(nn_conv2d_dnnl_wanted(&p1, NN_RELU) &&
     nn_conv2d_dnnl_backward_wanted(&p1, NN_RELU) &&
     nn_conv2d_dnnl_backward_wanted(&p2, NN_LINEAR),
     "... and those convolutions took the oneDNN path");
  for (int i = 0; i < 4; i++) { free(a[i]); free(b[i]); }
}

int main(void) {
  NnConv2D probe = conv(1, 8, 8, 4, 3, 3, 8, 1, 1, 1);
  Bufs u = make_bufs(&probe);
  usable = getenv("WORKBOOK_NO_DNNL") == NULL &&
           nn_conv2d_forward_dnnl(&probe, u.x, u.w, u.b, u.y, NN_LINEAR) == NN_OK;
  free_bufs(&u);
  if (!usable) {
    ok(1, "# SKIP oneDNN not built in or not usable");
    return done_testing();
  }
  /* strides 1-3 x both paddings x kernel 2/3 x odd sizes, batch 1 and 7
   * (7 samples: pieces of 2, the last one of 1) */
  for (int s = 1; s <= 3; s++)
    for (int same = 0; same <= 1; same++)
      for (int k = 2; k <= 3; k++) {
        int n = (s + same + k) % 2 ? 1 : 7;
        vs_naive(conv(n, 9, 11, 3, k, k, 5, s, s, same),
                 (s + k) % 2 ? NN_RELU : NN_LINEAR, 1, 1);
      }
  /* rectangular kernels and strides, one channel, no bias, no dx */
  vs_naive(conv(5, 13, 10, 1, 3, 2, 8, 2, 1, 1), NN_LINEAR, 1, 0);
  vs_naive(conv(3, 10, 13, 2, 2, 3, 7, 1, 3, 0), NN_RELU, 0, 1);
  vs_naive(conv(2, 7, 7, 4, 5, 5, 3, 1, 1, 1), NN_TANH, 1, 1);
  vs_naive(conv(1, 6, 6, 3, 1, 1, 4, 2, 2, 0), NN_SIGMOID, 1, 1);
  /* the course CNN's layers on small batches, and a batch over 64 (pieces
   * of PIECE_MAX samples) */
  vs_naive(conv(3, 28, 28, 1, 3, 3, 32, 1, 1, 1), NN_LINEAR, 1, 0);
  vs_naive(conv(5, 14, 14, 32, 3, 3, 64, 1, 1, 1), NN_LINEAR, 1, 1);
  vs_naive(conv(1, 7, 7, 64, 3, 3, 32, 1, 1, 1), NN_RELU, 1, 1);
  vs_naive(conv(70, 5, 5, 2, 3, 3, 4, 1, 1, 1), NN_RELU, 1, 1);
  bits(conv(13, 14, 14, 8, 3, 3, 16, 1, 1, 1), NN_RELU, "batch 13");
  bits(conv(1, 20, 17, 16, 3, 3, 32, 2, 2, 1), NN_LINEAR, "batch 1");
  training_threads();
  return done_testing();
}
