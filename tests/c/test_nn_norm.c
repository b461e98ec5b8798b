/* test_nn_norm.c - batch normalization: training statistics and Keras's
 * moving-average updates, inference, and both backward forms against
 * central differences in double. */
#include "nn/nn.h"
#include "test_nn_common.h"

#define M 12
#define C 3
#define EPS 1e-3

typedef struct { const double *x, *g, *b, *r; int which, train; } BnLoss;

/* L = sum r * y; training normalizes with the batch statistics of x,
 * inference with fixed ones (mean 0.1 k, var 0.5 + 0.2 k) */
static double bn_loss(void *ctx, const double *prm) {
  BnLoss *c = ctx;
  const double *x = c->which == 0 ? prm : c->x;
  const double *g = c->which == 1 ? prm : c->g;
  const double *b = c->which == 2 ? prm : c->b;
  double l = 0;
  for (int k = 0; k < C; k++) {
    double mean = 0.1 * k, var = 0.5 + 0.2 * k;
    if (c->train) {
      mean = var = 0;
      for (int i = 0; i < M; i++) mean += x[i * C + k] / M;
      for (int i = 0; i < M; i++) var += pow(x[i * C + k] - mean, 2) / M;
    }
    for (int i = 0; i < M; i++)
      l += c->r[i * C + k] *
           (g[k] * (x[i * C + k] - mean) / sqrt(var + EPS) + b[k]);
  }
  return l;
}

static void gradients(int train) {
  float x[M * C], g[C], b[C], dy[M * C], y[M * C], mean[C], inv[C];
  float mm[C] = {0}, mv[C] = {1, 1, 1}, dx[M * C], dg[C], db[C];
  fill(x, M * C, -2, 3);
  fill(g, C, 0.5, 1.5);
  fill(b, C, -0.5, 0.5);
  fill(dy, M * C, -1, 1);
  if (train) {
    nn_batchnorm_train(x, g, b, y, mm, mv, mean, inv, M, C, 0.99f, EPS, 0);
    nn_batchnorm_backward(x, g, mean, inv, dy, dx, dg, db, M, C);
  } else {
    for (int k = 0; k < C; k++) {
      mean[k] = 0.1f * k;
      inv[k] = (float)(1 / sqrt(0.5 + 0.2 * k + EPS));
    }
    nn_batchnorm_backward_fixed(x, g, mean, inv, dy, dx, dg, db, M, C);
  }
  double xd[M * C], gd[C], bd[C], rd[M * C];
  to_double(x, xd, M * C);
  to_double(g, gd, C);
  to_double(b, bd, C);
  to_double(dy, rd, M * C);
  BnLoss c = {xd, gd, bd, rd, 0, train};
  float fd[M * C];
  const char *mode = train ? "training" : "fixed statistics";
  char nm[100];
  central_diff(bn_loss, &c, xd, M * C, 1e-5, fd);
  snprintf(nm, sizeof nm, "dx = central differences (%s)", mode);
  close_rel(dx, fd, M * C, 1e-4, nm);
  c.which = 1;
  central_diff(bn_loss, &c, gd, C, 1e-5, fd);
  snprintf(nm, sizeof nm, "dgamma = central differences (%s)", mode);
  close_rel(dg, fd, C, 1e-4, nm);
  c.which = 2;
  central_diff(bn_loss, &c, bd, C, 1e-5, fd);
  snprintf(nm, sizeof nm, "dbeta = central differences (%s)", mode);
  close_rel(db, fd, C, 1e-4, nm);
}

static void statistics(void) {
  float x[M * C], y[M * C], mean[C], inv[C];
  float mm[C] = {0.5f, 0, 0}, mv[C] = {2, 1, 1};
  float mm2[C] = {0.5f, 0, 0}, mv2[C] = {2, 1, 1};
  fill(x, M * C, -2, 3);
  nn_batchnorm_train(x, NULL, NULL, y, mm, mv, mean, inv, M, C, 0.99f, EPS,
                     0);
  nn_batchnorm_train(x, NULL, NULL, y, mm2, mv2, mean, inv, M, C, 0.99f, EPS,
                     1);
  double bm = 0, bv = 0, ym = 0, yv = 0;
  for (int i = 0; i < M; i++) bm += x[i * C] / (double)M;
  for (int i = 0; i < M; i++) bv += pow(x[i * C] - bm, 2) / M;
  for (int i = 0; i < M; i++) ym += y[i * C] / (double)M;
  for (int i = 0; i < M; i++) yv += pow(y[i * C] - ym, 2) / M;
  near(mean[0], bm, 1e-6, "batch mean");
  near(inv[0], 1 / sqrt(bv + EPS), 1e-5,
       "invstd = 1/sqrt(biased var + eps)");
  near(ym, 0, 1e-6, "normalized output has mean 0");
  near(yv, bv / (bv + EPS), 1e-5, "and variance var/(var + eps)");
  near(mm[0], 0.5 * 0.99 + bm * 0.01, 1e-6,
       "moving mean = 0.99 old + 0.01 batch");
  near(mv[0], 2 * 0.99 + bv * 0.01, 1e-6,
       "moving var (2-D rule): biased batch var");
  near(mv2[0], 2 * 0.99 + bv * M / (M - 1) * 0.01, 1e-6,
       "moving var (4-D, Keras fused): unbiased batch var");
  float g[C] = {2, 1, 1}, b[C] = {0.5f, 0, 0}, yi[M * C];
  nn_batchnorm_infer(x, g, b, mm, mv, yi, M, C, EPS);
  near(yi[3], 2 * (x[3] - mm[0]) / sqrt(mv[0] + EPS) + 0.5, 1e-5,
       "inference uses the moving statistics");
}

int main(void) {
  statistics();
  gradients(1);
  gradients(0);
  return done_testing();
}
