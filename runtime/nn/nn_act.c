/* nn_act.c - activations, forward and backward.
 *
 * Shapes: x, y, dy, dx (rows, cols). relu/tanh/sigmoid/linear act per
 * element; softmax per row. Backward passes take the forward OUTPUT y,
 * which is what every one of these derivatives is cheapest in:
 *   relu' = y > 0, tanh' = 1 - y^2, sigmoid' = y (1 - y),
 *   softmax: dx = y * (dy - sum(dy * y)) per row. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"

static const char *act_names[] = {"linear", "relu", "tanh", "sigmoid",
                                  "softmax"};

int nn_act_parse(const char *name) {
  for (int i = 0; i < (int)(sizeof act_names / sizeof *act_names); i++)
    if (strcmp(name, act_names[i]) == 0) return i;
  return -1;
}

const char *nn_act_name(NnAct a) { return act_names[a]; }

/* 1 / (1 + e^-x) without overflow for large |x| */
static inline float sigmoidf(float x) {
  if (x >= 0) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

static void softmax_rows(const float *x, float *y, int64_t rows,
                         int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float mx = -INFINITY;
    for (int64_t j = 0; j < cols; j++) mx = xr[j] > mx ? xr[j] : mx;
    double sum = 0;
    for (int64_t j = 0; j < cols; j++) {
      yr[j] = expf(xr[j] - mx);
      sum += yr[j];
    }
    float inv = (float)(1.0 / sum);
    for (int64_t j = 0; j < cols; j++) yr[j] *= inv;
  }
}

void nn_act_forward(NnAct a, const float *x, float *y, int64_t rows,
                    int64_t cols) {
  int64_t n = rows * cols;
  switch (a) {
  case NN_LINEAR:
    if (y != x) memmove(y, x, (size_t)n * sizeof *y);
    break;
  case NN_RELU:
    nn_vec_relu(x, y, n);
    break;
  case NN_TANH:
    for (int64_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
    break;
  case NN_SIGMOID:
    for (int64_t i = 0; i < n; i++) y[i] = sigmoidf(x[i]);
    break;
  case NN_SOFTMAX:
    softmax_rows(x, y, rows, cols);
    break;
  }
}

void nn_act_inplace(NnAct a, float *y, int64_t rows, int64_t cols) {
  if (a != NN_LINEAR) nn_act_forward(a, y, y, rows, cols);
}

void nn_act_grad_elementwise(NnAct a, const float *y, const float *dy,
                             float *g, int64_t n) {
  switch (a) {
  case NN_RELU:
    nn_vec_relu_grad(y, dy, g, n);
    break;
  case NN_TANH:
    for (int64_t i = 0; i < n; i++) g[i] = dy[i] * (1.0f - y[i] * y[i]);
    break;
  case NN_SIGMOID:
    for (int64_t i = 0; i < n; i++) g[i] = dy[i] * y[i] * (1.0f - y[i]);
    break;
  default:     /* linear (softmax is not element-wise: callers route it) */
    if (g != dy) memmove(g, dy, (size_t)n * sizeof *g);
    break;
  }
}

void nn_act_backward(NnAct a, const float *y, const float *dy, float *dx,
                     int64_t rows, int64_t cols) {
  if (a != NN_SOFTMAX) {
    nn_act_grad_elementwise(a, y, dy, dx, rows * cols);
    return;
  }
  for (int64_t r = 0; r < rows; r++) {
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    double dot = 0;
    for (int64_t j = 0; j < cols; j++) dot += (double)dyr[j] * yr[j];
    for (int64_t j = 0; j < cols; j++)
      dxr[j] = yr[j] * (dyr[j] - (float)dot);
  }
}

double nn_act_grad_naive(NnAct a, const float *yrow, const float *dyrow,
                         int j, int cols) {
  if (a == NN_LINEAR || !yrow) return dyrow[j];
  double y = yrow[j], dy = dyrow[j];
  switch (a) {
  case NN_RELU: return y > 0 ? dy : 0;
  case NN_TANH: return dy * (1.0 - y * y);
  case NN_SIGMOID: return dy * y * (1.0 - y);
  default: {                                   /* softmax */
    double dot = 0;
    for (int k = 0; k < cols; k++) dot += (double)dyrow[k] * yrow[k];
    return y * (dy - dot);
  }
  }
}
