/* test_nn_loss.c - losses: values against double formulas, gradients
 * against central differences of those formulas, softmax-CE stability
 * with huge logits, Keras's clipping, and bad labels reported. */
#include "nn/nn.h"
#include "test_nn_common.h"

#define N 6
#define K 5

/* the double-precision losses the differences see */
typedef struct { int kind; const int32_t *lab; const double *t; } LossCtx;
enum { SPARSE_SM, SM_CE, CAT_CE, SPARSE_CE, BIN_CE, SIG_BCE, MSE };

static double clipd(double p) {
  const double e = 1e-7;
  return p < e ? e : p > 1 - e ? 1 - e : p;
}

static double loss_d(void *ctx, const double *z) {
  LossCtx *c = ctx;
  double l = 0;
  for (int i = 0; i < N; i++) {
    const double *zi = z + i * K;
    double m = zi[0], s = 0, sp = 0;
    for (int j = 1; j < K; j++) m = zi[j] > m ? zi[j] : m;
    for (int j = 0; j < K; j++) { s += exp(zi[j] - m); sp += zi[j]; }
    for (int j = 0; j < K; j++) {
      double t = c->t ? c->t[i * K + j] : (j == c->lab[i]);
      double ls = zi[j] - m - log(s);                 /* log softmax */
      switch (c->kind) {
      case SPARSE_SM: case SM_CE: l -= t * ls; break;
      case CAT_CE: case SPARSE_CE: l -= t * log(clipd(zi[j] / sp)); break;
      case BIN_CE: {
        double p = clipd(zi[j]);
        l -= (t * log(p + 1e-7) + (1 - t) * log(1 - p + 1e-7)) / K;
        break;
      }
      case SIG_BCE: {
        double p = 1 / (1 + exp(-zi[j]));
        l -= (t * log(p) + (1 - t) * log(1 - p)) / K;
        break;
      }
      default: l += (zi[j] - t) * (zi[j] - t) / K; break;
      }
    }
  }
  return l / N;
}

static void run(int kind, const char *name, const float *z, const float *t,
                const int32_t *lab) {
  float g[N * K], fd[N * K];
  double loss = 0, zd[N * K], td[N * K];
  to_double(z, zd, N * K);
  if (t) to_double(t, td, N * K);
  switch (kind) {
  case SPARSE_SM: nn_softmax_sparse_ce(z, lab, g, N, K, &loss, NULL); break;
  case SM_CE: nn_softmax_ce(z, t, g, N, K, &loss); break;
  case CAT_CE: nn_categorical_ce(z, t, g, N, K, &loss); break;
  case SPARSE_CE: nn_sparse_ce(z, lab, g, N, K, &loss, NULL); break;
  case BIN_CE: nn_binary_ce(z, t, g, N, K, &loss); break;
  case SIG_BCE: nn_sigmoid_bce(z, t, g, N, K, &loss); break;
  default: nn_mse(z, t, g, N, K, &loss); break;
  }
  LossCtx c = {kind, lab, t ? td : NULL};
  double want = loss_d(&c, zd);
  near(loss, want, 1e-6 * (1 + fabs(want)), "%s: loss = double formula", name);
  central_diff(loss_d, &c, zd, N * K, 1e-5, fd);
  char nm[120];
  snprintf(nm, sizeof nm, "%s: gradient = central differences", name);
  close_rel(g, fd, N * K, 1e-5, nm);
}

static void stability(void) {
  /* logits of 1e4 overflow exp in float; max subtraction keeps them */
  float z[3] = {10000.0f, 9990.0f, -10000.0f}, g[3];
  float zs[3] = {0.0f, -10.0f, -20000.0f}, gs[3];
  int32_t lab = 1;
  double l, ls;
  nn_softmax_sparse_ce(z, &lab, g, 1, 3, &l, NULL);
  nn_softmax_sparse_ce(zs, &lab, gs, 1, 3, &ls, NULL);
  ok(isfinite(l) && isfinite(g[0]) && isfinite(g[1]) && isfinite(g[2]),
     "logits near 1e4: loss and gradient finite");
  near(l, 10.0000453989, 1e-6, "loss of a 10-logit gap = 10 + log(1 + e^-10)");
  near(l, ls, 1e-9, "shifting every logit leaves the loss unchanged");
  near(g[0] + g[1] + g[2], 0, 1e-7, "gradient row sums to 0");
  float far[3] = {1000.0f, 0.0f, -1000.0f};
  int32_t worst = 2;
  nn_softmax_sparse_ce(far, &worst, g, 1, 3, &l, NULL);
  near(l, 2000, 1e-6, "a 2000-logit gap costs 2000, not inf");
  near(g[2], -1, 1e-7, "its gradient is -1 on the label");
  near(nn_softmax_sparse_ce_naive(z, &lab, 1, 3), 10.0000453989, 1e-6,
       "naive reference agrees");
}

static void clipping(void) {
  float p[2] = {0.0f, 1.0f}, t[2] = {1.0f, 0.0f}, g[2];
  double l;
  nn_categorical_ce(p, t, g, 1, 2, &l);
  near(l, -log(1e-7), 1e-4, "categorical CE clips p = 0 to 1e-7");
  float pb = 1.0f, tb = 0.0f, gb;
  nn_binary_ce(&pb, &tb, &gb, 1, 1, &l);
  near(l, -log(2e-7), 1e-3, "binary CE: p = 1, t = 0 gives -log(eps + eps)");
  ok(gb == 0, "clipped probability passes no gradient");
}

static void bad_labels(void) {
  float z[3 * 4] = {0};
  int32_t lab[3] = {1, 4, 0};
  double l;
  int64_t bad = -1;
  int rc = nn_softmax_sparse_ce(z, lab, NULL, 3, 4, &l, &bad);
  ok(rc == NN_EBADLABEL && bad == 1,
     "label 4 of 4 classes is reported at sample 1");
  lab[1] = -1;
  rc = nn_sparse_ce(z, lab, NULL, 3, 4, &l, &bad);
  ok(rc == NN_EBADLABEL && bad == 1,
     "negative label reported (probability path)");
}

int main(void) {
  float z[N * K], p[N * K], t[N * K], oh[N * K] = {0}, b[N * K];
  int32_t lab[N];
  fill(z, N * K, -3, 3);
  fill(p, N * K, 0.05, 1);
  fill(b, N * K, 0.05, 0.95);
  fill(t, N * K, 0, 1);
  for (int i = 0; i < N; i++) {
    lab[i] = (int32_t)(urand() * K);
    oh[i * K + lab[i]] = 1;
  }
  run(SPARSE_SM, "sparse softmax CE", z, NULL, lab);
  run(SM_CE, "softmax CE (one-hot)", z, oh, lab);
  run(SM_CE, "softmax CE (soft targets)", z, t, lab);
  run(CAT_CE, "categorical CE on probabilities", p, t, lab);
  run(SPARSE_CE, "sparse CE on probabilities", p, NULL, lab);
  run(BIN_CE, "binary CE", b, t, lab);
  run(SIG_BCE, "sigmoid binary CE", z, t, lab);
  run(MSE, "mse", z, t, lab);
  stability();
  clipping();
  bad_labels();
  return done_testing();
}
