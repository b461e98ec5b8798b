/* test_nn_misc.c - activations (values, stability, backward against
 * central differences), initialisers (Keras fans and scales), dropout,
 * the thread pool, and determinism: a small CNN trained twice from the
 * same seed, with dropout, ends with the same bits. */
#include <stdatomic.h>

#include "nn/nn.h"
#include "core/tensor.h"
#include "core/threads.h"
#include "test_nn_common.h"

/* ---- activations -------------------------------------------------------- */

typedef struct { int act, rows, cols; const double *r; } ActLoss;

static double act_loss(void *ctx, const double *x) {
  ActLoss *a = ctx;
  int64_t n = (int64_t)a->rows * a->cols;
  double *y = dalloc(n), l = 0;
  memcpy(y, x, sizeof *y * (size_t)n);
  act_d(a->act, y, a->rows, a->cols);
  for (int64_t i = 0; i < n; i++) l += a->r[i] * y[i];
  free(y);
  return l;
}

static void activations(void) {
  enum { R = 4, C = 6 };
  for (int a = NN_LINEAR; a <= NN_SOFTMAX; a++) {
    float x[R * C], y[R * C], dy[R * C], dx[R * C], fd[R * C];
    double xd[R * C], rd[R * C];
    fill(x, R * C, -3, 3);
    fill(dy, R * C, -1, 1);
    nn_act_forward((NnAct)a, x, y, R, C);
    nn_act_backward((NnAct)a, y, dy, dx, R, C);
    to_double(x, xd, R * C);
    to_double(dy, rd, R * C);
    double want[R * C];
    memcpy(want, xd, sizeof want);
    act_d(a, want, R, C);
    float wf[R * C];
    for (int i = 0; i < R * C; i++) wf[i] = (float)want[i];
    char nm[80];
    snprintf(nm, sizeof nm, "%s forward", nn_act_name((NnAct)a));
    close_rel(y, wf, R * C, 1e-6, nm);
    ActLoss al = {a, R, C, rd};
    central_diff(act_loss, &al, xd, R * C, a == NN_RELU ? 1e-6 : 1e-5, fd);
    snprintf(nm, sizeof nm, "%s backward = central differences",
             nn_act_name((NnAct)a));
    close_rel(dx, fd, R * C, 1e-4, nm);
  }
  float big[4] = {1000, -1000, 90, -90}, y[4];
  nn_act_forward(NN_SIGMOID, big, y, 1, 4);
  ok(y[0] == 1 && y[1] == 0 && y[2] == 1 && y[3] >= 0 && y[3] < 1e-30,
     "sigmoid saturates without overflow");
  nn_act_forward(NN_SOFTMAX, big, y, 1, 4);
  ok(y[0] == 1 && y[1] == 0 && isfinite(y[2]), "softmax of +-1000 is finite");
  ok(nn_act_parse("relu") == NN_RELU && nn_act_parse("gelu") == NN_GELU &&
     nn_act_parse("geLU") == -1,
     "activation names parse");
  /* NN_ACT_COUNT names, each parsing back to its own value: the list
   * the binding publishes as nn.core.activations */
  int round_trip = NN_ACT_COUNT == NN_HARD_SIGMOID + 1;
  for (int a = 0; a < NN_ACT_COUNT; a++)
    round_trip = round_trip && nn_act_parse(nn_act_name((NnAct)a)) == a;
  ok(round_trip, "NN_ACT_COUNT names round-trip through nn_act_parse");
}

/* ---- initialisers ------------------------------------------------------- */

static void initialisers(void) {
  int64_t k[4] = {3, 3, 1, 32}, d[2] = {1568, 128};
  double fi, fo;
  nn_fans(4, k, &fi, &fo);
  ok(fi == 9 && fo == 288, "conv kernel (3,3,1,32): fan_in 9, fan_out 288");
  nn_fans(2, d, &fi, &fo);
  ok(fi == 1568 && fo == 128, "dense kernel (1568,128): fans 1568, 128");
  int64_t n = 200000;
  float *p = falloc(n);
  tensor_seed(7);
  nn_init_fill(NN_INIT_GLOROT_UNIFORM, p, n, 9, 288);
  double limit = sqrt(6.0 / 297), mx = 0, s2 = 0;
  for (int64_t i = 0; i < n; i++) {
    mx = fabs(p[i]) > mx ? fabs(p[i]) : mx;
    s2 += (double)p[i] * p[i];
  }
  ok(mx <= limit && mx > 0.99 * limit,
     "glorot_uniform within sqrt(6/(in+out))");
  near(s2 / n, limit * limit / 3, 0.01 * limit * limit,
       "glorot_uniform variance limit^2/3");
  nn_init_fill(NN_INIT_HE_NORMAL, p, n, 288, 64);
  double sd = sqrt(2.0 / 288) / 0.87962566103423978;
  mx = s2 = 0;
  for (int64_t i = 0; i < n; i++) {
    mx = fabs(p[i]) > mx ? fabs(p[i]) : mx;
    s2 += (double)p[i] * p[i];
  }
  ok(mx <= 2 * sd,
     "he_normal truncated at 2 stddev (stddev sqrt(2/fan_in)/0.8796)");
  near(s2 / n, 2.0 / 288, 0.02 * 2.0 / 288,
       "he_normal variance after truncation = 2/fan_in");
  float a[8], b[8];
  tensor_seed(42);
  nn_init_fill(NN_INIT_GLOROT_UNIFORM, a, 8, 4, 2);
  tensor_seed(42);
  nn_init_fill(NN_INIT_GLOROT_UNIFORM, b, 8, 4, 2);
  same_bits(a, b, 8, "same seed, same initial weights");
  nn_init_fill(NN_INIT_ZEROS, a, 8, 1, 1);
  nn_init_fill(NN_INIT_ONES, b, 8, 1, 1);
  ok(a[3] == 0 && b[5] == 1, "zeros and ones");
  ok(nn_init_parse("he_normal") == NN_INIT_HE_NORMAL &&
     nn_init_parse("orthogonal") == NN_INIT_ORTHOGONAL &&
     nn_init_parse("orthogonl") == -1, "initializer names parse");
  free(p);
}

/* ---- dropout ------------------------------------------------------------ */

static void dropout(void) {
  int64_t n = 100000;
  float *x = falloc(n), *y = falloc(n), *m = falloc(n), *m2 = falloc(n);
  for (int64_t i = 0; i < n; i++) x[i] = 2;
  tensor_seed(3);
  nn_dropout_forward(x, y, m, n, 0.3f);
  int64_t zeros = 0, scaled = 0;
  for (int64_t i = 0; i < n; i++) {
    zeros += y[i] == 0;
    scaled += fabsf(y[i] - 2 / 0.7f) < 1e-6f;
  }
  ok(zeros + scaled == n, "kept values are scaled by 1/(1 - rate)");
  near((double)zeros / n, 0.3, 3 * sqrt(0.3 * 0.7 / n),
       "about rate of them dropped");
  tensor_seed(3);
  nn_dropout_forward(x, y, m2, n, 0.3f);
  same_bits(m, m2, n, "same seed, same dropout mask");
  nn_dropout_backward(x, m, y, n);
  ok(y[0] == 2 * m[0] && y[n - 1] == 2 * m[n - 1], "backward is dy * mask");
  free(x); free(y); free(m); free(m2);
}

/* ---- the pool ----------------------------------------------------------- */

static atomic_int runs[100];

static void count_task(void *ctx, int task, int ntasks) {
  atomic_fetch_add(&runs[task], 1);
  if (ntasks != *(int *)ctx) atomic_fetch_add(&runs[99], 1);
}

static void pool(void) {
  int saved = threads_count();
  ok(saved >= 1, "pool size %d", saved);
  for (int size = 1; size <= 4; size++) {
    threads_set_count(size);
    int nt = 7;
    for (int i = 0; i < 100; i++) runs[i] = 0;
    for (int rep = 0; rep < 50; rep++) threads_run(count_task, &nt, nt);
    int good = runs[99] == 0;
    for (int t = 0; t < nt; t++) good &= runs[t] == 50;
    ok(good, "pool of %d: 7 tasks x 50 runs, each exactly once per run", size);
  }
  threads_set_count(saved);
  void *a = threads_scratch(0, 100), *b = threads_scratch(THREADS_SHARED, 1000);
  ok(a && b && ((uintptr_t)a % 64) == 0 && ((uintptr_t)b % 64) == 0,
     "scratch is 64-byte aligned");
  ok(threads_scratch(0, 50) == a, "scratch is reused when big enough");
  ok(threads_scratch(-1, 8) == NULL, "a bad scratch slot gives NULL");
}

/* ---- determinism: two seeded training runs ------------------------------ */

/* conv 3x3 same relu -> maxpool 2 -> dropout 0.25 -> dense softmax CE,
 * Adam; returns the final kernel values in out */
static void train(uint64_t seed, float *out) {
  enum { B = 12, H = 8, F = 6, Q = 4 * 4 * F, K = 3 };
  NnConv2D c = {.n = B, .h = H, .w = H, .c = 1, .kh = 3, .kw = 3, .f = F,
                .sh = 1, .sw = 1, .same = 1};
  NnPool2D p = {.n = B, .h = H, .w = H, .c = F, .ph = 2, .pw = 2, .sh = 2,
                .sw = 2};
  nn_conv2d_shape(&c);
  nn_pool2d_shape(&p);
  static float x[B * H * H], y[B * H * H * F], q[B * Q], d[B * Q], mask[B * Q];
  static float w[9 * F], b[F], wd[Q * K], bd[K], z[B * K], dz[B * K];
  static float dd[B * Q], dq[B * Q], dy[B * H * H * F], gw[9 * F], gb[F];
  static float gwd[Q * K], gbd[K], mw[9 * F], vw[9 * F], mwd[Q * K], vwd[Q * K];
  static int32_t arg[B * Q], lab[B];
  memset(mw, 0, sizeof mw); memset(vw, 0, sizeof vw);
  memset(mwd, 0, sizeof mwd); memset(vwd, 0, sizeof vwd);
  memset(b, 0, sizeof b); memset(bd, 0, sizeof bd);
  tensor_seed(seed);
  for (int i = 0; i < B * H * H; i++) x[i] = (float)tensor_rand_uniform();
  for (int i = 0; i < B; i++) lab[i] = i % K;
  nn_init_fill(NN_INIT_GLOROT_UNIFORM, w, 9 * F, 9, 9 * F);
  nn_init_fill(NN_INIT_GLOROT_UNIFORM, wd, Q * K, Q, K);
  NnAdam o = NN_ADAM_DEFAULTS;
  for (int t = 1; t <= 5; t++) {
    double loss;
    nn_conv2d_forward(&c, x, w, b, y, NN_RELU);
    nn_maxpool2d_forward(&p, y, q, arg);
    nn_dropout_forward(q, d, mask, B * Q, 0.25f);
    nn_dense_forward(d, wd, bd, z, B, Q, K, NN_LINEAR);
    nn_softmax_sparse_ce(z, lab, dz, B, K, &loss, NULL);
    nn_dense_backward(d, wd, NULL, dz, dd, gwd, gbd, B, Q, K, NN_LINEAR);
    nn_dropout_backward(dd, mask, dq, B * Q);
    nn_maxpool2d_backward(&p, dq, arg, dy);
    nn_conv2d_backward(&c, x, w, y, dy, NULL, gw, gb, NN_RELU);
    nn_adam_step(&o, w, gw, mw, vw, t, 9 * F);
    nn_adam_step(&o, wd, gwd, mwd, vwd, t, Q * K);
  }
  memcpy(out, w, sizeof w);
  memcpy(out + 9 * F, wd, sizeof wd);
}

static void determinism(void) {
  enum { NW = 9 * 6 + 96 * 3 };
  float a[NW], b[NW], c[NW];
  train(11, a);
  train(11, b);
  same_bits(a, b, NW,
            "two training runs from seed 11 end with the same weights");
  train(12, c);
  ok(memcmp(a, c, sizeof a) != 0, "seed 12 gives other weights");
  int saved = threads_count();
  threads_set_count(saved == 1 ? 2 : 1);
  train(11, c);
  same_bits(a, c, NW, "and the same with another thread count");
  threads_set_count(saved);
}

int main(void) {
  activations();
  initialisers();
  dropout();
  pool();
  determinism();
  return done_testing();
}
