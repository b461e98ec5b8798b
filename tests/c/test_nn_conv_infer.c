/* test_nn_conv_infer.c - the inference forward of Conv2D
 * (nn_conv2d_infer: oneDNN's F(4x4, 3x3) Winograd kernel where it has
 * one, nn_conv_dnnl.c) against the naive double loops, within 1e-5 of
 * the largest output: 'same' and 'valid', odd and rectangular sizes,
 * batch 1, pieces of uneven size, relu and linear, with and without a
 * bias; shapes it has no Winograd kernel for (strides 2-3, 5x5, 1x1, odd
 * channel counts, one input channel) fall back and agree too. Then: the
 * same bits on a second call and for 1, 2 and 3 threads; a sample's
 * bits the same whatever batch it is in (1, 2, 5 or 13 samples: what
 * streamed predict relies on); a kernel changed in place between calls
 * (the transformed kernel is kept while its bytes stay the same) gives
 * the new result, and changing it back the old bits. The fused max
 * pooling (nn_conv2d_maxpool_infer on oneDNN's pieces): the bits of the
 * inference forward followed by the pooling, for 1, 2 and 3 threads,
 * Winograd or not, and a refusal for activations it does not take. The Winograd
 * checks are skipped when oneDNN has no such kernel here (no AVX-512,
 * WORKBOOK_NO_DNNL=1, built without oneDNN). */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_conv_bufs.h"

static int have_wino;

static void name_of(char *buf, size_t n, const NnConv2D *p, NnAct act,
                    int bias) {
  snprintf(buf, n, "n%d %dx%dx%d -> %d k%dx%d s%d,%d %s %s%s", p->n, p->h,
           p->w, p->c, p->f, p->kh, p->kw, p->sh, p->sw,
           p->same ? "same" : "valid", nn_act_name(act), bias ? "" : " no bias");
}

/* infer vs naive; wino: whether the Winograd kernel is expected (1),
 * not (0: strides, kernel sizes, one channel, tiny work), or oneDNN's
 * to decide (-1: channel counts it may or may not block) */
static void vs_naive(NnConv2D p, NnAct act, int bias, int wino) {
  char name[200], nm[300];
  name_of(name, sizeof name, &p, act, bias);
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  const float *b = bias ? u.b : NULL;
  int runs = nn_conv2d_infer_winograd(&p, act, bias);
  if (wino < 0)
    diag("%s: %s", name, runs ? "Winograd" : "no Winograd kernel");
  else if (wino && !have_wino)
    ok(1, "# SKIP %s: no Winograd kernel here", name);
  else
    ok(runs == wino, "%s: %s", name,
       wino ? "runs the Winograd kernel" : "falls back (no Winograd kernel)");
  int rc = nn_conv2d_infer(&p, u.x, u.w, b, u.y, act);
  nn_conv2d_forward_naive(&p, u.x, u.w, b, v.y, act);
  snprintf(nm, sizeof nm, "infer %s: within 1e-5 of the naive loops", name);
  if (rc) ok(0, "%s (rc %d)", nm, rc);
  else close_rel(u.y, v.y, out_n(&p), 1e-5, nm);
  free_bufs(&u);
  free_bufs(&v);
}

/* a second call, 1/2/3 threads, and every sample alone or in other
 * batches: the same bits */
static void bits(NnConv2D p, NnAct act) {
  char name[200], nm[300];
  name_of(name, sizeof name, &p, act, 1);
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  int saved = threads_count();
  threads_set_count(2);
  nn_conv2d_infer(&p, u.x, u.w, u.b, u.y, act);
  nn_conv2d_infer(&p, u.x, u.w, u.b, v.y, act);
  snprintf(nm, sizeof nm, "%s: a second call gives the same bits", name);
  same_bits(u.y, v.y, out_n(&p), nm);
  for (int t = 1; t <= 3; t += 2) {
    threads_set_count(t);
    memset(v.y, 0, sizeof(float) * out_n(&p));
    nn_conv2d_infer(&p, u.x, u.w, u.b, v.y, act);
    snprintf(nm, sizeof nm, "%s: %d thread%s == 2 threads, bit for bit", name,
             t, t > 1 ? "s" : "");
    same_bits(u.y, v.y, out_n(&p), nm);
  }
  threads_set_count(2);
  const int64_t xs = (int64_t)p.h * p.w * p.c, ys = (int64_t)p.oh * p.ow * p.f;
  int subs[3] = {1, 2, 5};
  for (int k = 0; k < 3; k++) {
    memset(v.y, 0, sizeof(float) * out_n(&p));
    for (int lo = 0; lo < p.n; lo += subs[k]) {
      NnConv2D q = p;
      q.n = lo + subs[k] > p.n ? p.n - lo : subs[k];
      nn_conv2d_infer(&q, u.x + lo * xs, u.w, u.b, v.y + lo * ys, act);
    }
    snprintf(nm, sizeof nm, "%s: in batches of %d, each sample's bits are "
             "the same as in one batch", name, subs[k]);
    same_bits(u.y, v.y, out_n(&p), nm);
  }
  threads_set_count(saved);
  free_bufs(&u);
  free_bufs(&v);
}

/* the kernel changed in place between calls */
static void kernel_changes(NnConv2D p) {
  Bufs u = make_bufs(&p), v = make_bufs(&p);
  float *first = falloc(out_n(&p));
  nn_conv2d_infer(&p, u.x, u.w, u.b, first, NN_LINEAR);
  int64_t last = w_n(&p) - 1;
  float keep = u.w[last];
  u.w[last] += 0.75f;                /* one weight of the last filter */
  nn_conv2d_infer(&p, u.x, u.w, u.b, u.y, NN_LINEAR);
  nn_conv2d_forward_naive(&p, u.x, u.w, u.b, v.y, NN_LINEAR);
  close_rel(u.y, v.y, out_n(&p), 1e-5,
            "a kernel changed in place: the next call uses the new kernel");
  ok(memcmp(u.y, first, sizeof(float) * out_n(&p)) != 0,
     "... and its result differs from the old kernel's");
  u.w[last] = keep;
  nn_conv2d_infer(&p, u.x, u.w, u.b, u.y, NN_LINEAR);
  same_bits(u.y, first, out_n(&p),
            "the kernel changed back: the first call's bits again");
  free(first);
  free_bufs(&u);
  free_bufs(&v);
}

/* nn_conv2d_maxpool_infer against nn_conv2d_infer then the pooling */
static void pooled(NnConv2D p, int ph, int sh, int same, NnAct act) {
  NnPool2D q = {.n = p.n, .h = p.oh, .w = p.ow, .c = p.f, .ph = ph, .pw = ph,
                .sh = sh, .sw = sh, .same = same};
  if (nn_pool2d_shape(&q)) { printf("Bail out! bad pool shape\n"); exit(1); }
  char name[200], nm[300];
  name_of(name, sizeof name, &p, act, 1);
  Bufs u = make_bufs(&p);
  int64_t pn = (int64_t)q.n * q.oh * q.ow * q.c;
  float *want = falloc(pn), *got = falloc(pn);
  nn_conv2d_infer(&p, u.x, u.w, u.b, u.y, act);
  nn_maxpool2d_forward(&q, u.y, want, NULL);
  int saved = threads_count();
  for (int t = 1; t <= 3; t++) {
    threads_set_count(t);
    memset(got, 0xff, sizeof(float) * (size_t)pn);
    int rc = nn_conv2d_maxpool_infer(&p, &q, u.x, u.w, u.b, got, act);
    snprintf(nm, sizeof nm, "%s, max pool %d stride %d %s, %d thread%s: "
             "fused = infer then pool%s", name, ph, sh, same ? "same" : "valid",
             t, t > 1 ? "s" : "",
             nn_conv2d_infer_winograd(&p, act, 1) ? " (Winograd)" : "");
    if (!nn_conv2d_dnnl_wanted(&p, act))   /* oneDNN off: no fused kernel */
      ok(rc == 1, "%s: declined without oneDNN (rc %d)", nm, rc);
    else if (rc) ok(0, "%s (rc %d)", nm, rc);
    else same_bits(got, want, pn, nm);
  }
  threads_set_count(saved);
  free(want);
  free(got);
  free_bufs(&u);
}

int main(void) {
  NnConv2D course2 = conv(5, 14, 14, 32, 3, 3, 64, 1, 1, 1);
  have_wino = nn_conv2d_infer_winograd(&course2, NN_LINEAR, 1);
  diag("Winograd kernel %savailable", have_wino ? "" : "not ");
  /* the course CNN's 2nd and 3rd layers; VGG16-like layers on one image */
  vs_naive(course2, NN_LINEAR, 1, 1);
  vs_naive(conv(7, 7, 7, 64, 3, 3, 32, 1, 1, 1), NN_RELU, 1, 1);
  vs_naive(conv(1, 7, 7, 64, 3, 3, 32, 1, 1, 1), NN_LINEAR, 1, 1);
  vs_naive(conv(1, 28, 28, 64, 3, 3, 64, 1, 1, 1), NN_RELU, 1, 1);
  vs_naive(conv(2, 12, 12, 128, 3, 3, 128, 1, 1, 1), NN_RELU, 1, 1);
  /* 'valid', odd and rectangular sizes, no bias, batches cut unevenly */
  vs_naive(conv(3, 9, 11, 16, 3, 3, 16, 1, 1, 0), NN_RELU, 1, 1);
  vs_naive(conv(6, 13, 5, 32, 3, 3, 48, 1, 1, 1), NN_LINEAR, 0, 1);
  vs_naive(conv(9, 6, 10, 48, 3, 3, 16, 1, 1, 0), NN_LINEAR, 1, 1);
  vs_naive(conv(17, 5, 5, 16, 3, 3, 32, 1, 1, 1), NN_RELU, 0, 1);
  /* no Winograd kernel: the ordinary forward */
  vs_naive(conv(4, 14, 14, 32, 3, 3, 64, 2, 2, 1), NN_RELU, 1, 0);
  vs_naive(conv(3, 15, 15, 16, 3, 3, 16, 3, 3, 0), NN_LINEAR, 1, 0);
  vs_naive(conv(3, 12, 12, 16, 5, 5, 32, 1, 1, 1), NN_LINEAR, 1, 0);
  vs_naive(conv(3, 12, 12, 32, 1, 1, 32, 1, 1, 0), NN_RELU, 1, 0);
  vs_naive(conv(3, 12, 12, 3, 3, 3, 16, 1, 1, 1), NN_LINEAR, 1, 0);
  vs_naive(conv(3, 28, 28, 1, 3, 3, 32, 1, 1, 1), NN_RELU, 1, 0);
  vs_naive(conv(3, 12, 12, 20, 3, 3, 24, 1, 1, 1), NN_LINEAR, 1, -1);
  vs_naive(conv(2, 10, 10, 8, 3, 3, 8, 1, 1, 1), NN_RELU, 1, -1);
  if (have_wino) {
    bits(conv(13, 14, 14, 32, 3, 3, 64, 1, 1, 1), NN_RELU);
    bits(conv(13, 9, 7, 64, 3, 3, 32, 1, 1, 0), NN_LINEAR);
    kernel_changes(conv(4, 14, 14, 32, 3, 3, 64, 1, 1, 1));
  } else {
    ok(1, "# SKIP no Winograd kernel here: bits and kernel changes");
  }
  pooled(conv(37, 14, 14, 32, 3, 3, 64, 1, 1, 1), 2, 2, 0, NN_RELU);
  pooled(conv(5, 15, 13, 32, 3, 3, 48, 1, 1, 1), 2, 2, 1, NN_LINEAR);
  pooled(conv(1, 28, 28, 64, 3, 3, 64, 1, 1, 1), 3, 2, 0, NN_RELU);
  pooled(conv(6, 17, 17, 16, 5, 5, 32, 2, 2, 0), 2, 1, 0, NN_LINEAR);
  {
    NnConv2D p = conv(4, 14, 14, 32, 3, 3, 64, 1, 1, 1);
    NnPool2D q = {.n = 4, .h = 14, .w = 14, .c = 64, .ph = 2, .pw = 2, .sh = 2, .sw = 2};
    nn_pool2d_shape(&q);
    Bufs u = make_bufs(&p);
    ok(nn_conv2d_maxpool_infer(&p, &q, u.x, u.w, u.b, u.y, NN_TANH) == 1,
       "fused pooling declines tanh (the caller runs the two)");
    free_bufs(&u);
  }
  /* the kernel cache also serves the ordinary forward */
  kernel_changes(conv(4, 14, 14, 32, 3, 3, 64, 2, 2, 1));
  return done_testing();
}
