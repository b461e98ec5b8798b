/* nn_norm.c - batch normalization over the last (channel) axis.
 *
 *   x, y, dy, dx (M, C) with M = N*H*W (or N for 2-D input)
 *   train:  mean_c, var_c = batch mean and biased variance over M
 *           xhat = (x - mean) * invstd, invstd = 1 / sqrt(var + eps)
 *           y = gamma xhat + beta
 *           moving = moving * momentum + batch * (1 - momentum)
 *   backward (batch statistics):
 *           dbeta = sum dy, dgamma = sum dy xhat
 *           dx = gamma invstd / M * (M dy - dbeta - xhat dgamma)
 *   backward (fixed statistics): dx = gamma invstd dy
 *
 * Per-channel sums run row by row (channels innermost, contiguous) into
 * double accumulators kept in threads_scratch; the variance is a second
 * pass around the mean, not E[x^2] - E[x]^2, so it cannot go negative. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

static double *accumulators(int c, int count) {
  return threads_scratch(THREADS_SHARED, sizeof(double) * (size_t)c * count);
}

static void channel_stats(const float *x, int64_t m, int c, double *mean,
                          double *var) {
  memset(mean, 0, sizeof *mean * (size_t)c);
  memset(var, 0, sizeof *var * (size_t)c);
  for (int64_t i = 0; i < m; i++)
    for (int k = 0; k < c; k++) mean[k] += x[i * c + k];
  for (int k = 0; k < c; k++) mean[k] = m ? mean[k] / (double)m : 0;
  for (int64_t i = 0; i < m; i++)
    for (int k = 0; k < c; k++) {
      double d = x[i * c + k] - mean[k];
      var[k] += d * d;
    }
  for (int k = 0; k < c; k++) var[k] = m ? var[k] / (double)m : 0;
}

static void normalize(const float *x, const float *gamma, const float *beta,
                      const float *mean, const float *invstd, float *y,
                      int64_t m, int c) {
  for (int64_t i = 0; i < m; i++)
    for (int k = 0; k < c; k++) {
      float v = (x[i * c + k] - mean[k]) * invstd[k];
      y[i * c + k] = v * (gamma ? gamma[k] : 1.0f) + (beta ? beta[k] : 0.0f);
    }
}

int nn_batchnorm_train(const float *x, const float *gamma, const float *beta,
                       float *y, float *moving_mean, float *moving_var,
                       float *mean, float *invstd, int64_t m, int c,
                       float momentum, float eps, int unbiased_moving) {
  double *acc = accumulators(c, 2);
  if (!acc) return NN_ENOMEM;
  double *dmean = acc, *dvar = acc + c;
  channel_stats(x, m, c, dmean, dvar);
  for (int k = 0; k < c; k++) {
    mean[k] = (float)dmean[k];
    invstd[k] = (float)(1.0 / sqrt(dvar[k] + eps));
    double mv = unbiased_moving && m > 1 ? dvar[k] * m / (m - 1.0) : dvar[k];
    moving_mean[k] = moving_mean[k] * momentum + mean[k] * (1 - momentum);
    moving_var[k] = moving_var[k] * momentum + (float)mv * (1 - momentum);
  }
  normalize(x, gamma, beta, mean, invstd, y, m, c);
  return NN_OK;
}

int nn_batchnorm_infer(const float *x, const float *gamma, const float *beta,
                       const float *moving_mean, const float *moving_var,
                       float *y, int64_t m, int c, float eps) {
  float *invstd = threads_scratch(THREADS_SHARED, sizeof(float) * (size_t)c);
  if (!invstd) return NN_ENOMEM;
  for (int k = 0; k < c; k++)
    invstd[k] = (float)(1.0 / sqrt((double)moving_var[k] + eps));
  normalize(x, gamma, beta, moving_mean, invstd, y, m, c);
  return NN_OK;
}

/* dbeta = sum dy, dgamma = sum dy xhat, into double accumulators */
static void param_grads(const float *x, const float *mean,
                        const float *invstd, const float *dy, int64_t m,
                        int c, double *sdy, double *sdyx) {
  memset(sdy, 0, sizeof *sdy * (size_t)c);
  memset(sdyx, 0, sizeof *sdyx * (size_t)c);
  for (int64_t i = 0; i < m; i++)
    for (int k = 0; k < c; k++) {
      double xhat = (x[i * c + k] - mean[k]) * invstd[k];
      sdy[k] += dy[i * c + k];
      sdyx[k] += dy[i * c + k] * xhat;
    }
}

int nn_batchnorm_backward(const float *x, const float *gamma,
                          const float *mean, const float *invstd,
                          const float *dy, float *dx, float *dgamma,
                          float *dbeta, int64_t m, int c) {
  double *acc = accumulators(c, 2);
  if (!acc) return NN_ENOMEM;
  double *sdy = acc, *sdyx = acc + c;
  param_grads(x, mean, invstd, dy, m, c, sdy, sdyx);
  for (int64_t i = 0; i < m; i++)
    for (int k = 0; k < c; k++) {
      double xhat = (x[i * c + k] - mean[k]) * invstd[k];
      double gk = gamma ? gamma[k] : 1.0;
      double inner = (double)m * dy[i * c + k] - sdy[k] - xhat * sdyx[k];
      dx[i * c + k] = (float)(gk * invstd[k] / (double)m * inner);
    }
  for (int k = 0; k < c; k++) {
    if (dgamma) dgamma[k] = (float)sdyx[k];
    if (dbeta) dbeta[k] = (float)sdy[k];
  }
  return NN_OK;
}

int nn_batchnorm_backward_fixed(const float *x, const float *gamma,
                                const float *mean, const float *invstd,
                                const float *dy, float *dx, float *dgamma,
                                float *dbeta, int64_t m, int c) {
  double *acc = accumulators(c, 2);
  if (!acc) return NN_ENOMEM;
  double *sdy = acc, *sdyx = acc + c;
  param_grads(x, mean, invstd, dy, m, c, sdy, sdyx);
  for (int64_t i = 0; i < m; i++)
    for (int k = 0; k < c; k++)
      dx[i * c + k] = dy[i * c + k] * (gamma ? gamma[k] : 1.0f) * invstd[k];
  for (int k = 0; k < c; k++) {
    if (dgamma) dgamma[k] = (float)sdyx[k];
    if (dbeta) dbeta[k] = (float)sdy[k];
  }
  return NN_OK;
}
