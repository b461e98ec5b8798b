/* test_nn_conv_direct.c - the direct 3x3 convolution for one input
 * channel (nn_conv_direct.c) against the naive double loops: forward
 * (linear and fused relu, with and without bias), dw and db, 'same' and
 * 'valid', odd and rectangular sizes, batch 1, 16 to 64 filters; that
 * nn_conv2d_forward/backward route such a layer to it (and a layer that
 * wants dx elsewhere); which shapes it takes; the same bits for 1, 2 and
 * 3 threads. Then the fused inference kernel (nn_conv2d_maxpool_direct):
 * the same bits as the forward followed by nn_maxpool2d_forward, for
 * pools 2x2 and 3x3, strides 1-3, both paddings, odd sizes, batch 1, and
 * 1, 2, 3 threads. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_conv_bufs.h"

static void vs_naive(NnConv2D p, NnAct act, int bias) {
  char name[160], nm[220];
  snprintf(name, sizeof name, "n%d %dx%d -> %d %s %s%s", p.n, p.h, p.w, p.f,
           p.same ? "same" : "valid", nn_act_name(act), bias ? "" : " no bias");
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  const float *b = bias ? u.b : NULL;
  ok(nn_conv2d_direct_wanted(&p, act), "direct path takes %s", name);
  nn_conv2d_forward_direct(&p, u.x, u.w, b, u.y, act);
  nn_conv2d_forward_naive(&p, u.x, u.w, b, v.y, act);
  snprintf(nm, sizeof nm, "forward %s", name);
  close_rel(u.y, v.y, out_n(&p), 1e-5, nm);
  int rb = nn_conv2d_backward_direct(&p, u.x, v.y, u.dy, u.dw,
                                     bias ? u.db : NULL, act);
  nn_conv2d_backward_naive(&p, u.x, u.w, v.y, u.dy, NULL, v.dw, v.db, act);
  ok(rb == NN_OK, "backward %s: handled", name);
  snprintf(nm, sizeof nm, "dw %s", name);
  close_rel(u.dw, v.dw, w_n(&p), 1e-5, nm);
  if (bias) {
    snprintf(nm, sizeof nm, "db %s", name);
    close_rel(u.db, v.db, p.f, 1e-5, nm);
  }
  /* the public entry points: the same bits as the direct calls */
  Bufs t = make_bufs(&p);
  nn_conv2d_forward(&p, u.x, u.w, b, t.y, act);
  nn_conv2d_backward(&p, u.x, u.w, v.y, u.dy, NULL, t.dw, bias ? t.db : NULL,
                     act);
  ok(!memcmp(t.y, u.y, sizeof(float) * (size_t)out_n(&p)) &&
     !memcmp(t.dw, u.dw, sizeof(float) * (size_t)w_n(&p)),
     "nn_conv2d_forward/backward run the direct path: %s", name);
  free_bufs(&t);
  free_bufs(&u);
  free_bufs(&v);
}

static void bits(NnConv2D p, NnAct act) {
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  int saved = threads_count(), same = 1;
  threads_set_count(1);
  nn_conv2d_forward_direct(&p, u.x, u.w, u.b, u.y, act);
  nn_conv2d_backward_direct(&p, u.x, u.y, u.dy, u.dw, u.db, act);
  for (int t = 2; t <= 3; t++) {
    threads_set_count(t);
    nn_conv2d_forward_direct(&p, u.x, u.w, u.b, v.y, act);
    nn_conv2d_backward_direct(&p, u.x, u.y, u.dy, v.dw, v.db, act);
    same &= !memcmp(u.y, v.y, sizeof(float) * (size_t)out_n(&p)) &&
            !memcmp(u.dw, v.dw, sizeof(float) * (size_t)w_n(&p)) &&
            !memcmp(u.db, v.db, sizeof(float) * (size_t)p.f);
  }
  threads_set_count(saved);
  ok(same, "direct conv n%d %dx%d -> %d %s: same bits on 1, 2, 3 threads",
     p.n, p.h, p.w, p.f, nn_act_name(act));
  free_bufs(&u);
  free_bufs(&v);
}

/* a layer that wants dx (not a first layer) goes to the other paths,
 * whose result must still match the naive loops */
static void with_dx(void) {
  NnConv2D p = conv(3, 9, 7, 1, 3, 3, 16, 1, 1, 1);
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  nn_conv2d_forward(&p, u.x, u.w, u.b, u.y, NN_LINEAR);
  nn_conv2d_backward(&p, u.x, u.w, u.y, u.dy, u.dx, u.dw, u.db, NN_LINEAR);
  nn_conv2d_backward_naive(&p, u.x, u.w, u.y, u.dy, v.dx, v.dw, v.db,
                           NN_LINEAR);
  close_rel(u.dx, v.dx, in_n(&p), 1e-5, "C = 1 layer wanting dx: dx = naive");
  close_rel(u.dw, v.dw, w_n(&p), 1e-5, "C = 1 layer wanting dx: dw = naive");
  free_bufs(&u);
  free_bufs(&v);
}

/* conv then pool, against the fused kernel: bit for bit */
static void fused(NnConv2D p, int ph, int sh, int same, NnAct act, int bias) {
  NnPool2D q = {.n = p.n, .h = p.oh, .w = p.ow, .c = p.f, .ph = ph, .pw = ph,
                .sh = sh, .sw = sh, .same = same};
  if (nn_pool2d_shape(&q)) { printf("Bail out! bad pool shape\n"); exit(1); }
  char name[200];
  snprintf(name, sizeof name, "conv n%d %dx%d -> %d %s %s%s, max pool %dx%d "
           "stride %d %s", p.n, p.h, p.w, p.f, p.same ? "same" : "valid",
           nn_act_name(act), bias ? "" : " no bias", ph, ph, sh,
           same ? "same" : "valid");
  Bufs u = make_bufs(&p);
  const float *b = bias ? u.b : NULL;
  int64_t pn = (int64_t)q.n * q.oh * q.ow * q.c;
  float *want = falloc(pn), *got = falloc(pn);
  int saved = threads_count();
  nn_conv2d_forward_direct(&p, u.x, u.w, b, u.y, act);
  nn_maxpool2d_forward(&q, u.y, want, NULL);
  for (int t = 1; t <= 3; t++) {
    threads_set_count(t);
    memset(got, 0xff, sizeof(float) * (size_t)pn);
    int rc = nn_conv2d_maxpool_direct(&p, &q, u.x, u.w, b, got, act);
    char nm[260];
    snprintf(nm, sizeof nm, "fused %s, %d thread%s: the bits of conv then "
             "pool", name, t, t > 1 ? "s" : "");
    if (rc) ok(0, "%s (rc %d)", nm, rc);
    else same_bits(got, want, pn, nm);
  }
  threads_set_count(saved);
  free(want);
  free(got);
  free_bufs(&u);
}

int main(void) {
  for (int same = 0; same <= 1; same++) {
    vs_naive(conv(3, 7, 9, 1, 3, 3, 16, 1, 1, same), NN_LINEAR, 1);
    vs_naive(conv(1, 5, 5, 1, 3, 3, 48, 1, 1, same), NN_RELU, 1);
    vs_naive(conv(2, 11, 4, 1, 3, 3, 32, 1, 1, same), NN_LINEAR, 0);
    vs_naive(conv(32, 28, 28, 1, 3, 3, 32, 1, 1, same), NN_LINEAR, 1);
    vs_naive(conv(4, 28, 28, 1, 3, 3, 64, 1, 1, same), NN_RELU, 0);
  }
  NnConv2D s2 = conv(1, 8, 8, 1, 3, 3, 16, 2, 2, 1);
  NnConv2D c3 = conv(1, 8, 8, 3, 3, 3, 16, 1, 1, 1);
  NnConv2D f8 = conv(1, 8, 8, 1, 3, 3, 8, 1, 1, 1);
  NnConv2D k5 = conv(1, 8, 8, 1, 5, 5, 16, 1, 1, 1);
  ok(!nn_conv2d_direct_wanted(&s2, NN_LINEAR) &&
     !nn_conv2d_direct_wanted(&c3, NN_LINEAR) &&
     !nn_conv2d_direct_wanted(&f8, NN_LINEAR) &&
     !nn_conv2d_direct_wanted(&k5, NN_LINEAR) &&
     !nn_conv2d_direct_wanted(&f8, NN_TANH),
     "direct path declines stride 2, C = 3, F = 8, 5x5, tanh");
  with_dx();
  bits(conv(9, 28, 28, 1, 3, 3, 32, 1, 1, 1), NN_LINEAR);
  bits(conv(5, 13, 10, 1, 3, 3, 16, 1, 1, 0), NN_RELU);
  fused(conv(37, 28, 28, 1, 3, 3, 32, 1, 1, 1), 2, 2, 0, NN_LINEAR, 1);
  fused(conv(1, 28, 28, 1, 3, 3, 32, 1, 1, 1), 2, 2, 1, NN_RELU, 1);
  fused(conv(5, 13, 11, 1, 3, 3, 16, 1, 1, 0), 2, 2, 1, NN_LINEAR, 0);
  fused(conv(3, 15, 15, 1, 3, 3, 48, 1, 1, 1), 3, 2, 1, NN_RELU, 1);
  fused(conv(4, 9, 12, 1, 3, 3, 16, 1, 1, 1), 3, 3, 0, NN_LINEAR, 1);
  fused(conv(2, 10, 10, 1, 3, 3, 32, 1, 1, 0), 2, 1, 0, NN_RELU, 0);
  return done_testing();
}
