/* nn_act.c - activations, forward and backward.
 *
 * Shapes: x, y, dy, dx (rows, cols). relu/tanh/sigmoid/linear act per
 * element; softmax per row. Backward passes take the forward OUTPUT y,
 * which is what every one of these derivatives is cheapest in:
 *   relu' = y > 0, tanh' = 1 - y^2, sigmoid' = y (1 - y),
 *   softmax: dx = y * (dy - sum(dy * y)) per row,
 *   elu' = y > 0 ? 1 : y + 1,  selu' = y > 0 ? s : y + s a,
 *   softplus' = sigmoid(x) = 1 - e^-y,  softsign' = (1 - |y|)^2,
 *   hard_sigmoid' = 0 < y < 1 ? 0.2 : 0.
 * swish (x sigmoid(x)) and gelu (x Phi(x)) are not invertible from y:
 * their backward takes the input x (nn_act_grad_from_x), which also
 * serves every other element-wise activation. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"

static const char *act_names[] = {
  "linear", "relu", "tanh", "sigmoid", "softmax", "elu", "selu",
  "softplus", "softsign", "swish", "gelu", "hard_sigmoid"};

#define SELU_SCALE 1.0507009873554805
#define SELU_ALPHA 1.6732632423543772

int nn_act_from_output(NnAct a) { return a != NN_SWISH && a != NN_GELU; }

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

/* the activations added for chapter 8, one element at a time, in double
 * where float would lose digits (expm1, log1p, erf) */
static float act1(NnAct a, float xf) {
  if (a == NN_SWISH) return xf * sigmoidf(xf);
  return (float)nn_act_scalar(a, xf);
}

double nn_act_scalar(NnAct a, double x) {
  switch (a) {
  case NN_RELU: return x > 0 ? x : 0;
  case NN_TANH: return tanh(x);
  case NN_SIGMOID: return 1 / (1 + exp(-x));
  case NN_ELU: return x > 0 ? x : expm1(x);
  case NN_SELU: return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1(x));
  case NN_SOFTPLUS: return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
  case NN_SOFTSIGN: return x / (1 + fabs(x));
  case NN_SWISH: return x / (1 + exp(-x));
  case NN_GELU: return 0.5 * x * (1 + erf(x / M_SQRT2));
  case NN_HARD_SIGMOID: {
    double v = 0.2 * x + 0.5;
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }
  default: return x;
  }
}

/* f'(x) from the output y, for the from-output activations */
static float dact_y(NnAct a, float y) {
  switch (a) {
  case NN_RELU: return y > 0 ? 1.0f : 0.0f;
  case NN_TANH: return 1.0f - y * y;
  case NN_SIGMOID: return y * (1.0f - y);
  case NN_ELU: return y > 0 ? 1.0f : y + 1.0f;
  case NN_SELU:
    return y > 0 ? (float)SELU_SCALE : y + (float)(SELU_SCALE * SELU_ALPHA);
  case NN_SOFTPLUS: return (float)-expm1(-(double)y);
  case NN_SOFTSIGN: { float t = 1.0f - fabsf(y); return t * t; }
  case NN_HARD_SIGMOID: return y > 0 && y < 1 ? 0.2f : 0.0f;
  default: return 1.0f;
  }
}

/* f'(x) from the input x, any element-wise activation */
static double dact_x(NnAct a, double x) {
  switch (a) {
  case NN_RELU: return x > 0;
  case NN_TANH: { double t = tanh(x); return 1 - t * t; }
  case NN_SIGMOID: { double s = 1 / (1 + exp(-x)); return s * (1 - s); }
  case NN_ELU: return x > 0 ? 1 : exp(x);
  case NN_SELU: return SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * exp(x));
  case NN_SOFTPLUS: return 1 / (1 + exp(-x));
  case NN_SOFTSIGN: { double t = 1 + fabs(x); return 1 / (t * t); }
  case NN_SWISH: { double s = 1 / (1 + exp(-x)); return s + x * s * (1 - s); }
  case NN_GELU:
    return 0.5 * (1 + erf(x / M_SQRT2)) + x * exp(-0.5 * x * x) / sqrt(2 * M_PI);
  case NN_HARD_SIGMOID: { double v = 0.2 * x + 0.5; return v > 0 && v < 1 ? 0.2 : 0; }
  default: return 1;
  }
}

void nn_act_grad_from_x(NnAct a, const float *x, const float *dy, float *g,
                        int64_t n) {
  for (int64_t i = 0; i < n; i++) g[i] = (float)(dy[i] * dact_x(a, x[i]));
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
  default:
    for (int64_t i = 0; i < n; i++) y[i] = act1(a, x[i]);
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
  case NN_LINEAR: case NN_SOFTMAX:  /* softmax: callers route it */
    if (g != dy) memmove(g, dy, (size_t)n * sizeof *g);
    break;
  default:         /* never swish or gelu: see nn_act_from_output */
    for (int64_t i = 0; i < n; i++) g[i] = dy[i] * dact_y(a, y[i]);
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
  case NN_SOFTMAX: {
    double dot = 0;
    for (int k = 0; k < cols; k++) dot += (double)dyrow[k] * yrow[k];
    return y * (dy - dot);
  }
  default: return dy * dact_y(a, (float)y);
  }
}
