/* nn.h - the neural-network kernels: forward/backward pairs over raw
 * float32 buffers plus shapes (llm.c style), with a naive reference
 * beside every fast path for the tests.
 *
 * Layouts are Keras's: activations NHWC (or (N, features)), conv kernels
 * (KH, KW, C, F), dense kernels (IN, OUT). Buffers are contiguous and
 * row-major; the caller owns them all. Gradients named dw/db/dgamma are
 * OVERWRITTEN, not accumulated; dx is overwritten too.
 *
 * These functions trust their sizes: the Lua binding (lnn.c) checks a
 * script's input. Functions that need scratch memory (threads_scratch)
 * or can meet bad data return NN_OK or a negative NN_E* code; they never
 * print, exit or abort. Results are deterministic for any thread count:
 * work is cut into pieces that depend only on the shapes, and partial
 * sums are added in piece order. */
#ifndef WB_NN_H
#define WB_NN_H

#include <stddef.h>
#include <stdint.h>

enum { NN_OK = 0, NN_ENOMEM = -1, NN_EBADLABEL = -2 };

/* ---- activations (nn_act.c) --------------------------------------------- */

typedef enum {
  NN_LINEAR, NN_RELU, NN_TANH, NN_SIGMOID, NN_SOFTMAX,
  NN_ELU, NN_SELU, NN_SOFTPLUS, NN_SOFTSIGN, NN_SWISH, NN_GELU,
  NN_HARD_SIGMOID
} NnAct;
enum { NN_ACT_COUNT = NN_HARD_SIGMOID + 1 };  /* names: nn_act_name(0..) */

/* Name <-> enum ("linear", "relu", "tanh", "sigmoid", "softmax", "elu",
 * "selu", "softplus", "softsign", "swish", "gelu", "hard_sigmoid"), as
 * Keras 2.6 defines them: elu alpha 1; selu scale 1.0507009873554805,
 * alpha 1.6732632423543772; gelu the exact erf form (approximate=False);
 * hard_sigmoid clip(0.2 x + 0.5, 0, 1). nn_act_parse returns -1 for an
 * unknown name. */
int nn_act_parse(const char *name);
const char *nn_act_name(NnAct a);

/* x, y: (rows, cols). Softmax is row-wise (over cols), max-subtracted;
 * the others are element-wise. y may alias x. */
void nn_act_forward(NnAct a, const float *x, float *y, int64_t rows,
                    int64_t cols);
/* dx = dL/dx from the forward OUTPUT y and dy = dL/dy; dx may alias dy. */
void nn_act_backward(NnAct a, const float *y, const float *dy, float *dx,
                     int64_t rows, int64_t cols);
/* In place on a (rows, cols) block: the epilogue of dense and conv. */
void nn_act_inplace(NnAct a, float *y, int64_t rows, int64_t cols);
/* g = dy * f'(y) for the element-wise activations (not softmax). */
void nn_act_grad_elementwise(NnAct a, const float *y, const float *dy,
                             float *g, int64_t n);

/* 1 when f' can be formed from the output y alone (every activation but
 * swish and gelu, which are not monotonic or not invertible cheaply);
 * those two need the input: nn_act_grad_from_x. Kernels with a fused
 * activation (dense, conv, the recurrent cells) take only the others. */
int nn_act_from_output(NnAct a);
/* One element in double, any element-wise activation (softplus without
 * overflow: x + log1p(e^-x) for x > 0). */
double nn_act_scalar(NnAct a, double x);
/* g = dy * f'(x) from the forward INPUT x, any element-wise activation. */
void nn_act_grad_from_x(NnAct a, const float *x, const float *dy, float *g,
                        int64_t n);

/* Reference for the naive kernels: dL/d(pre-activation) at column j of
 * one row, in double, straight from the definitions. yrow may be NULL
 * for NN_LINEAR. */
double nn_act_grad_naive(NnAct a, const float *yrow, const float *dyrow,
                         int j, int cols);

/* ---- dense (nn_dense.c) ------------------------------------------------- */

/* y (n, out) = act(x (n, in) . w (in, out) + b (out)); b may be NULL. */
int nn_dense_forward(const float *x, const float *w, const float *b,
                     float *y, int n, int in, int out, NnAct act);
/* From dy = dL/dy (the activation's output gradient) and, unless act is
 * NN_LINEAR, the forward output y: dx (n, in), dw (in, out), db (out).
 * dx and db may be NULL (not wanted). */
int nn_dense_backward(const float *x, const float *w, const float *y,
                      const float *dy, float *dx, float *dw, float *db,
                      int n, int in, int out, NnAct act);
void nn_dense_forward_naive(const float *x, const float *w, const float *b,
                            float *y, int n, int in, int out, NnAct act);
void nn_dense_backward_naive(const float *x, const float *w, const float *y,
                             const float *dy, float *dx, float *dw,
                             float *db, int n, int in, int out, NnAct act);
/* The oneDNN matmul path (nn_dense_dnnl.c), which nn_dense_forward/
 * backward take when wanted says the shape is worth it: NN_OK, 1 when
 * not handled (oneDNN unusable or WORKBOOK_NO_DNNL set; the caller then
 * uses sgemm), or NN_ENOMEM. Same arguments as above; n, in, out > 0. */
int nn_dense_dnnl_wanted(int n, int in, int out, NnAct act);
int nn_dense_forward_dnnl(const float *x, const float *w, const float *b,
                          float *y, int n, int in, int out, NnAct act);
int nn_dense_backward_dnnl(const float *x, const float *w, const float *y,
                           const float *dy, float *dx, float *dw, float *db,
                           int n, int in, int out, NnAct act);

/* ---- conv2d (nn_conv.c) ------------------------------------------------- */

typedef struct NnConv2D {
  int n, h, w, c;       /* input (N, H, W, C) */
  int kh, kw, f;        /* kernel (KH, KW, C, F) */
  int sh, sw;           /* strides */
  int same;             /* padding: 1 'same', 0 'valid' */
  int oh, ow;           /* output (N, OH, OW, F), set by nn_conv2d_shape */
  int pt, pl;           /* zero rows above / columns left of the input */
} NnConv2D;

/* Output size and padding, TensorFlow's rule: 'valid' out = floor((in -
 * k) / s) + 1; 'same' out = ceil(in / s), pad_total = max((out - 1) * s +
 * k - in, 0), pad_before = pad_total / 2. Returns -1 if the output would
 * be empty (a 'valid' kernel larger than the input) or sizes are bad. */
int nn_conv2d_shape(NnConv2D *p);

/* y = act(conv(x, w) + b): cross-correlation, no kernel flip. b may be
 * NULL. A softmax act is taken over the channels of each pixel. */
int nn_conv2d_forward(const NnConv2D *p, const float *x, const float *w,
                      const float *b, float *y, NnAct act);
/* The forward for inference (predict, evaluate): as nn_conv2d_forward,
 * but a 3x3 stride-1 layer may run a Winograd kernel, whose outputs
 * differ from the forward's by rounding (about 1e-6 of the largest). */
int nn_conv2d_infer(const NnConv2D *p, const float *x, const float *w,
                    const float *b, float *y, NnAct act);
/* 1 when nn_conv2d_infer runs a Winograd kernel for this shape (tests,
 * benches) */
int nn_conv2d_infer_winograd(const NnConv2D *p, NnAct act, int bias);
/* dy is dL/d(output of act); y is the forward output (unused when act
 * is NN_LINEAR). dx and db may be NULL. */
int nn_conv2d_backward(const NnConv2D *p, const float *x, const float *w,
                       const float *y, const float *dy, float *dx,
                       float *dw, float *db, NnAct act);
/* The oneDNN forward (nn_conv_dnnl.c): wanted says whether the shape is
 * large enough for it and oneDNN is usable; forward returns NN_OK, or 1
 * when it did not handle the call (then nothing useful is in y: run the
 * im2col path). Used by nn_conv2d_forward. */
int nn_conv2d_dnnl_wanted(const NnConv2D *p, NnAct act);
int nn_conv2d_forward_dnnl(const NnConv2D *p, const float *x, const float *w,
                           const float *b, float *y, NnAct act);
/* The same on oneDNN's F(4x4, 3x3) Winograd kernel where it has one (3x3
 * stride 1, channels it can block, AVX-512; else as
 * nn_conv2d_forward_dnnl): for inference only. Within about 1e-6 of the
 * largest output, not the forward's bits; a sample's bits do not depend
 * on the batch around it nor on the number of threads. */
int nn_conv2d_infer_dnnl(const NnConv2D *p, const float *x, const float *w,
                         const float *b, float *y, NnAct act);
/* 1 when nn_conv2d_infer_dnnl has a Winograd kernel for this shape */
int nn_conv2d_dnnl_winograd(const NnConv2D *p, NnAct act, int bias);
/* The oneDNN backward (same contract: NN_OK, or 1 when not handled and
 * nothing useful was written); used by nn_conv2d_backward. */
int nn_conv2d_dnnl_backward_wanted(const NnConv2D *p, NnAct act);
int nn_conv2d_backward_dnnl(const NnConv2D *p, const float *x,
                            const float *w, const float *y, const float *dy,
                            float *dx, float *dw, float *db, NnAct act);
/* Direct seven-loop references, accumulated in double. */
void nn_conv2d_forward_naive(const NnConv2D *p, const float *x,
                             const float *w, const float *b, float *y,
                             NnAct act);
void nn_conv2d_backward_naive(const NnConv2D *p, const float *x,
                              const float *w, const float *y,
                              const float *dy, float *dx, float *dw,
                              float *db, NnAct act);

/* ---- direct 3x3 conv for one input channel (nn_conv_direct.c) ---------- */
/* C = 1, 3x3, stride 1, F a multiple of 16, act linear or relu: what
 * nn_conv2d_forward/backward run for such a layer (the backward only
 * when no dx is wanted: a first layer). */
int nn_conv2d_direct_wanted(const NnConv2D *p, NnAct act);
int nn_conv2d_forward_direct(const NnConv2D *p, const float *x,
                             const float *w, const float *b, float *y,
                             NnAct act);
int nn_conv2d_backward_direct(const NnConv2D *p, const float *x,
                              const float *y, const float *dy, float *dw,
                              float *db, NnAct act);

/* ---- pooling (nn_pool.c) ------------------------------------------------ */

typedef struct NnPool2D {
  int n, h, w, c;       /* input (N, H, W, C) */
  int ph, pw;           /* pool size */
  int sh, sw;           /* strides */
  int same;             /* padding: 1 'same', 0 'valid' */
  int oh, ow, pt, pl;   /* set by nn_pool2d_shape, same rule as conv */
} NnPool2D;
int nn_pool2d_shape(NnPool2D *p);

/* arg (N, OH, OW, C): where each maximum came from, as an offset inside
 * its sample, (iy * W + ix) * C + c; the first maximum wins. Padding
 * never wins ('same' pads with -infinity). arg may be NULL: maxima only
 * (the faster kernel; the backward then finds the winners again). */
void nn_maxpool2d_forward(const NnPool2D *p, const float *x, float *y,
                          int32_t *arg);
/* The maxima of one sample (p->n is not used), on the calling thread:
 * for kernels that pool what they just computed. */
void nn_maxpool2d_forward_one(const NnPool2D *p, const float *x, float *y);
/* Conv2D's direct kernel (nn_conv_direct.c: one input channel, 3x3,
 * stride 1) with a max pooling q of its output fused in, for inference:
 * q's input is p's output (q->n = p->n, h/w = oh/ow, c = f) and y is q's
 * output; each sample's feature map is pooled while it is in cache.
 * NN_OK or NN_ENOMEM. */
int nn_conv2d_maxpool_direct(const NnConv2D *p, const NnPool2D *q,
                             const float *x, const float *w, const float *b,
                             float *y, NnAct act);
/* nn_conv2d_infer_dnnl followed by the max pooling q of its output
 * (act linear or relu), each piece's output pooled while it is in cache:
 * y is q's output. NN_OK, or 1 when not handled (nn_conv_dnnl.c). */
int nn_conv2d_maxpool_dnnl(const NnConv2D *p, const NnPool2D *q,
                           const float *x, const float *w, const float *b,
                           float *y, NnAct act);
/* Inference of a convolution (act linear or relu) and the max pooling q
 * of its output in one pass: the direct kernel above, or oneDNN's
 * pieces (nn_conv2d_maxpool_dnnl); the bits of nn_conv2d_infer followed
 * by nn_maxpool2d_forward. NN_OK, NN_ENOMEM, or 1: no fused kernel for
 * this pair (nothing written; run the two). */
int nn_conv2d_maxpool_infer(const NnConv2D *p, const NnPool2D *q,
                            const float *x, const float *w, const float *b,
                            float *y, NnAct act);
void nn_maxpool2d_backward(const NnPool2D *p, const float *dy,
                           const int32_t *arg, float *dx);
/* The backward from x instead of arg: each window's first maximum found
 * again (x must be the forward's input, unchanged). Twin of
 * nn_maxpool2d_backward_naive. */
void nn_maxpool2d_backward_x(const NnPool2D *p, const float *x,
                             const float *dy, float *dx);
/* Average over the window's cells inside the input (TensorFlow: padding
 * is not counted). */
void nn_avgpool2d_forward(const NnPool2D *p, const float *x, float *y);
void nn_avgpool2d_backward(const NnPool2D *p, const float *dy, float *dx);
void nn_maxpool2d_forward_naive(const NnPool2D *p, const float *x,
                                float *y, int32_t *arg);
void nn_maxpool2d_backward_naive(const NnPool2D *p, const float *x,
                                 const float *dy, float *dx);
void nn_avgpool2d_forward_naive(const NnPool2D *p, const float *x,
                                float *y);
void nn_avgpool2d_backward_naive(const NnPool2D *p, const float *dy,
                                 float *dx);
/* x (n, hw, c) -> y (n, c), and back. */
void nn_global_avgpool2d_forward(const float *x, float *y, int n,
                                 int64_t hw, int c);
void nn_global_avgpool2d_backward(const float *dy, float *dx, int n,
                                  int64_t hw, int c);

/* ---- losses (nn_loss.c) ------------------------------------------------- */
/* Each returns the mean loss over the batch (Keras: mean over the last
 * axis for mse/binary, then over samples) in *loss, and when grad is not
 * NULL the gradient of that mean with respect to its first argument. */

#define NN_EPSILON 1e-7f   /* Keras backend.epsilon() */

/* Fused softmax + sparse categorical cross-entropy on logits (n, k);
 * labels are 0-based. grad = (softmax - onehot) / n. A label outside
 * 0..k-1 returns NN_EBADLABEL with *bad set to its sample (0-based). */
int nn_softmax_sparse_ce(const float *logits, const int32_t *labels,
                         float *grad, int n, int k, double *loss,
                         int64_t *bad);
/* Fused softmax + categorical cross-entropy, targets (n, k) one-hot or
 * probabilities: grad = (softmax * sum(t) - t) / n. */
void nn_softmax_ce(const float *logits, const float *targets, float *grad,
                   int n, int k, double *loss);
/* Cross-entropy on probabilities p (n, k), Keras's from_logits=False
 * path: p / sum(p), clipped to [eps, 1 - eps]. */
void nn_categorical_ce(const float *p, const float *targets, float *grad,
                       int n, int k, double *loss);
int nn_sparse_ce(const float *p, const int32_t *labels, float *grad, int n,
                 int k, double *loss, int64_t *bad);
/* Binary cross-entropy on probabilities p (n, d), Keras's form: p
 * clipped to [eps, 1 - eps], -(t log(p + eps) + (1 - t) log(1 - p + eps)). */
void nn_binary_ce(const float *p, const float *t, float *grad, int n, int d,
                  double *loss);
/* The same fused with a sigmoid, stable for any logit z:
 * max(z, 0) - z t + log(1 + exp(-|z|)); grad (sigmoid(z) - t) / (n d). */
void nn_sigmoid_bce(const float *z, const float *t, float *grad, int n,
                    int d, double *loss);
/* Mean squared error over (n, d). */
void nn_mse(const float *y, const float *t, float *grad, int n, int d,
            double *loss);
/* Reference: per-sample loss of the fused sparse CE in double. */
double nn_softmax_sparse_ce_naive(const float *logits, const int32_t *labels,
                                  int n, int k);

/* ---- batch normalization (nn_norm.c) ------------------------------------ */
/* x (m, c): every axis but the last is normalized over (m = N*H*W).
 * gamma/beta may be NULL (scale=False / center=False). Each returns
 * NN_OK or NN_ENOMEM (double accumulators live in threads_scratch). */

#define NN_BN_MOMENTUM 0.99f
#define NN_BN_EPSILON 1e-3f

/* Training: batch mean and biased variance normalize x; the moving
 * statistics move by moving = moving * momentum + batch * (1 - momentum).
 * unbiased_moving = 1 feeds the moving variance with var * m / (m - 1),
 * as Keras's fused kernel does for 4-D inputs (2-D inputs use the biased
 * one). mean and invstd (c each) are saved for the backward. */
int nn_batchnorm_train(const float *x, const float *gamma,
                       const float *beta, float *y, float *moving_mean,
                       float *moving_var, float *mean, float *invstd,
                       int64_t m, int c, float momentum, float eps,
                       int unbiased_moving);
/* Inference: y = gamma (x - moving_mean) / sqrt(moving_var + eps) + beta. */
int nn_batchnorm_infer(const float *x, const float *gamma,
                       const float *beta, const float *moving_mean,
                       const float *moving_var, float *y, int64_t m,
                       int c, float eps);
/* Backward of the training form, given the saved mean and invstd:
 * dx, dgamma, dbeta (dgamma/dbeta may be NULL). */
int nn_batchnorm_backward(const float *x, const float *gamma,
                          const float *mean, const float *invstd,
                          const float *dy, float *dx, float *dgamma,
                          float *dbeta, int64_t m, int c);
/* Backward when the statistics are constants (inference form): mean is
 * the moving mean, invstd = 1 / sqrt(moving_var + eps). */
int nn_batchnorm_backward_fixed(const float *x, const float *gamma,
                                const float *mean, const float *invstd,
                                const float *dy, float *dx, float *dgamma,
                                float *dbeta, int64_t m, int c);

/* ---- recurrent layers (nn_rnn.c) ---------------------------------------- */
/* Keras 2.6's SimpleRNN, LSTM and GRU cells over whole sequences, with
 * Keras's weight layouts (so Keras files load without transposes):
 *   x (N, T, F), kernel w (F, G u), recurrent kernel r (u, G u),
 *   bias b (G u), GRU with reset_after: b (2, 3u) = input bias, then
 *   recurrent bias. G and the gate order: SimpleRNN 1; LSTM 4 (i, f, c,
 *   o); GRU 3 (z, r, h).
 * The initial state is zero. go_backwards is the caller's: it reverses
 * x before the forward (and dx after the backward). */

typedef enum { NN_RNN_SIMPLE, NN_RNN_LSTM, NN_RNN_GRU } NnRnnKind;

typedef struct NnRnn {
  NnRnnKind kind;
  int n, t, f, u;       /* batch, time steps, features, units */
  NnAct act;            /* activation (Keras: tanh) */
  NnAct rec_act;        /* recurrent_activation (sigmoid); LSTM, GRU */
  int reset_after;      /* GRU: 1 (Keras 2.6's default) or 0 */
} NnRnn;

int nn_rnn_gates(NnRnnKind k);              /* G: 1, 4 or 3 */
/* Floats of the cache the forward fills and the backward reads. */
int64_t nn_rnn_cache_size(const NnRnn *p);

/* y (N, T, u): the hidden state after every step (return_sequences
 * takes it all, otherwise its last step); c_last (N, u), LSTM only, may
 * be NULL. mask (N, u) or NULL: recurrent dropout, multiplied into the
 * previous state where it enters the recurrent kernel (the carried state
 * is not masked), the same mask at every step. b may be NULL (use_bias
 * false). Returns NN_OK or NN_ENOMEM. */
int nn_rnn_forward(const NnRnn *p, const float *x, const float *w,
                   const float *r, const float *b, const float *mask,
                   float *cache, float *y, float *c_last);
/* dy (N, T, u) = dL/dy or NULL, dh_last (N, u) = dL/d(last state) or
 * NULL (added to dy's last step), dc_last (N, u) likewise for the LSTM
 * cell state. dx (N, T, F) may be NULL; dw, dr, db (shaped as w, r, b;
 * db NULL when b is) are overwritten. */
int nn_rnn_backward(const NnRnn *p, const float *x, const float *w,
                    const float *r, const float *b, const float *mask,
                    const float *cache, const float *dy,
                    const float *dh_last, const float *dc_last, float *dx,
                    float *dw, float *dr, float *db);
/* The reference: the same forward one element at a time in double. */
void nn_rnn_forward_naive(const NnRnn *p, const double *x, const double *w,
                          const double *r, const double *b,
                          const double *mask, double *y, double *c_last);

/* ---- embedding (nn_embed.c) -------------------------------------------- */
/* ids (n) as floats, table (vocab, d). check returns -1 when every id is
 * an integer in 0..vocab-1, else the first bad position; forward and
 * backward trust checked ids. backward overwrites dtable. */
int64_t nn_embedding_check(const float *ids, int64_t n, int vocab);
void nn_embedding_forward(const float *ids, const float *table, float *y,
                          int64_t n, int d);
void nn_embedding_backward(const float *ids, const float *dy, float *dtable,
                           int64_t n, int vocab, int d);

/* ---- dropout (nn_dropout.c) --------------------------------------------- */

/* Inverted dropout, Keras semantics: an element is kept when a uniform
 * draw u >= rate and then scaled by 1 / (1 - rate). mask holds that
 * factor (0 or 1 / (1 - rate)); y = x * mask. Draws come from the
 * runtime's one seeded RNG (24 bits each), one per element in
 * order, so a seed fixes the masks. rate must be in [0, 1). */
void nn_dropout_forward(const float *x, float *y, float *mask, int64_t n,
                        float rate);
void nn_dropout_backward(const float *dy, const float *mask, float *dx,
                         int64_t n);
/* The same with the decisions as bytes (keep[i] = 1 kept, 0 dropped;
 * the same draws, so the same y as nn_dropout_forward); backward
 * dx = dy * (keep ? 1 / (1 - rate) : 0) with the forward's rate. */
void nn_dropout_forward_keep(const float *x, float *y, uint8_t *keep,
                             int64_t n, float rate);
void nn_dropout_backward_keep(const float *dy, const uint8_t *keep,
                              float *dx, int64_t n, float rate);

/* ---- optimizers (nn_optim.c) -------------------------------------------- */
/* One update of a flat parameter array p from its gradient g, Keras 2.6's
 * formulas (TensorFlow's training ops); state arrays start at zero. */

typedef struct NnSGD { float lr, momentum; int nesterov; } NnSGD;
/* lr 0.01, momentum 0, nesterov off */
#define NN_SGD_DEFAULTS ((NnSGD){0.01f, 0.0f, 0})
/* momentum 0: p -= lr g. Otherwise v = momentum v - lr g; p += v, or
 * with nesterov p += momentum v - lr g. v may be NULL when momentum 0. */
void nn_sgd_step(const NnSGD *o, float *p, const float *g, float *v,
                 int64_t n);

typedef struct NnAdam { float lr, beta1, beta2, eps; } NnAdam;
#define NN_ADAM_DEFAULTS ((NnAdam){1e-3f, 0.9f, 0.999f, 1e-7f})
/* step t >= 1 (Keras: iterations + 1). m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g^2; lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
 * p -= lr_t m / (sqrt(v) + eps). */
void nn_adam_step(const NnAdam *o, float *p, const float *g, float *m,
                  float *v, int64_t t, int64_t n);

typedef struct NnRMSprop {
  float lr, rho, momentum, eps;
  int centered;
} NnRMSprop;
#define NN_RMSPROP_DEFAULTS ((NnRMSprop){1e-3f, 0.9f, 0.0f, 1e-7f, 0})
/* ms = rho ms + (1 - rho) g^2 (centered: mg = rho mg + (1 - rho) g,
 * denom = ms - mg^2, else denom = ms). momentum 0:
 * p -= lr g / (sqrt(denom) + eps); else mom = momentum mom +
 * lr g / sqrt(denom + eps), p -= mom. mom/mg may be NULL when unused. */
void nn_rmsprop_step(const NnRMSprop *o, float *p, const float *g,
                     float *ms, float *mom, float *mg, int64_t n);

typedef struct NnAdagrad { float lr, eps; } NnAdagrad;
/* acc starts at initial_accumulator_value (Keras: 0.1) */
#define NN_ADAGRAD_DEFAULTS ((NnAdagrad){1e-3f, 1e-7f})
void nn_adagrad_step(const NnAdagrad *o, float *p, const float *g,
                     float *acc, int64_t n);
typedef struct NnAdadelta { float lr, rho, eps; } NnAdadelta;
#define NN_ADADELTA_DEFAULTS ((NnAdadelta){1e-3f, 0.95f, 1e-7f})
void nn_adadelta_step(const NnAdadelta *o, float *p, const float *g,
                      float *acc, float *acc_up, int64_t n);
/* Adamax and Nadam take Adam's parameters (Keras: the same defaults) */
void nn_adamax_step(const NnAdam *o, float *p, const float *g, float *m,
                    float *v, int64_t t, int64_t n);
/* mu_t, the momentum schedule; sched = mu_1 ... mu_t, which the caller
 * keeps from step to step as Keras's m_schedule variable */
double nn_nadam_mu(const NnAdam *o, int64_t t);
void nn_nadam_step(const NnAdam *o, float *p, const float *g, float *m,
                   float *v, int64_t t, double sched, int64_t n);

/* ---- initialisers (nn_init.c) ------------------------------------------- */

typedef enum {
  NN_INIT_ZEROS, NN_INIT_ONES, NN_INIT_GLOROT_UNIFORM, NN_INIT_GLOROT_NORMAL,
  NN_INIT_HE_UNIFORM, NN_INIT_HE_NORMAL, NN_INIT_LECUN_UNIFORM,
  NN_INIT_LECUN_NORMAL, NN_INIT_ORTHOGONAL, NN_INIT_RANDOM_NORMAL,
  NN_INIT_RANDOM_UNIFORM, NN_INIT_TRUNCATED_NORMAL
} NnInit;
/* Keras's Orthogonal (gain 1) for p seen as (rows, cols), the rows
 * being every axis but the last: orthonormal columns when rows >= cols,
 * orthonormal rows otherwise. NN_OK or NN_ENOMEM. */
int nn_init_orthogonal(float *p, int64_t rows, int64_t cols);
int nn_init_parse(const char *name);    /* -1 when unknown */
/* Keras's fans: 2-D (in, out); N-D kernel (..., in, out): receptive
 * field size (product of the leading dims) times in / out; 1-D: both the
 * size; 0-D: 1. */
void nn_fans(int ndim, const int64_t *shape, double *fan_in,
             double *fan_out);
/* Fill p (n) from the runtime's RNG. The variance-scaling kinds use
 * scale 1 (glorot: fan_avg, lecun: fan_in) or 2 (he: fan_in); uniform
 * ones draw from [-sqrt(3 s), sqrt(3 s)], normal ones from a normal
 * truncated at two standard deviations with stddev sqrt(s) / 0.8796...
 * (so the truncated variance is s), as Keras's VarianceScaling does. */
void nn_init_fill(NnInit kind, float *p, int64_t n, double fan_in,
                  double fan_out);

/* ---- shared inner loops (nn_vec.c) -------------------------------------- */
/* Branch-free, vectorized element loops the kernels above run over whole
 * activations; exported for the kernels and the tests only. */
void nn_vec_relu(const float *x, float *y, int64_t n);
void nn_vec_relu_grad(const float *y, const float *dy, float *g, int64_t n);
void nn_vec_add(float *d, const float *s, int64_t n);
/* y (rows, cols) = act(y + b); b may be NULL */
void nn_vec_bias_act(float *y, const float *b, int64_t rows, int cols,
                     NnAct act);
/* acc (cols) += column sums of g (rows, cols) */
void nn_vec_colsum(const float *g, int64_t rows, int cols, double *acc);
void nn_vec_max_init(float *y, int32_t *arg, const float *v, int32_t base,
                     int c);
void nn_vec_max_update(float *y, int32_t *arg, const float *v, int32_t base,
                       int c);
void nn_vec_adam(float *p, const float *g, float *m, float *v, int64_t n,
                 float lr_t, float c1, float c2, float eps);
/* int32 indices <-> exact floats (pool indices as tensors); the float to
 * int direction checks every value is an integer in [0, limit) and
 * returns -1, or the first bad position (then a is unspecified). */
void nn_vec_index_to_float(const int32_t *a, float *f, int64_t n);
int64_t nn_vec_float_to_index(const float *f, int32_t *a, int64_t n,
                              int32_t limit);

/* ---- transposed conv2d (nn_convt.c) ------------------------------------- */

/* Keras's Conv2DTranspose: x (N, H, W, C) and kernel (KH, KW, F, C) ->
 * y (N, OH, OW, F), the input-gradient of the matching Conv2D whose
 * input is (N, OH, OW, F) and kernel the same array. */
typedef struct NnConvT2D {
  int n, h, w, c;       /* input (N, H, W, C) */
  int kh, kw, f;        /* kernel (KH, KW, F, C) */
  int sh, sw;           /* strides */
  int same;             /* padding: 1 'same', 0 'valid' */
  int oph, opw;         /* output_padding, -1 = none (Keras's None) */
  int oh, ow;           /* output (N, OH, OW, F), set by nn_convt2d_shape */
  int pt, pl;           /* the matching conv's padding above / left */
} NnConvT2D;

/* Output size as Keras's deconv_output_length: without output_padding
 * 'valid' out = in * s + max(k - s, 0), 'same' out = in * s; with it,
 * out = (in - 1) * s + k - 2 * pad + output_padding, pad = k / 2 for
 * 'same' and 0 for 'valid'. The padding is the matching conv's, found
 * from OH with nn_conv2d_shape's rule (as TensorFlow does). Returns -1
 * for bad sizes, -2 when output_padding >= strides or the matching conv
 * does not map OH back to H, -3 when too large. */
int nn_convt2d_shape(NnConvT2D *p);
/* The matching Conv2D: input (N, OH, OW, F), kernel (KH, KW, F, C),
 * output (N, H, W, C). */
NnConv2D nn_convt2d_conv(const NnConvT2D *p);
/* y = act(convT(x, w) + b); b may be NULL; act as for conv2d. */
int nn_convt2d_forward(const NnConvT2D *p, const float *x, const float *w,
                       const float *b, float *y, NnAct act);
/* dy = dL/d(output of act), y the forward output (unused for NN_LINEAR);
 * dx and db may be NULL. */
int nn_convt2d_backward(const NnConvT2D *p, const float *x, const float *w,
                        const float *y, const float *dy, float *dx,
                        float *dw, float *db, NnAct act);
/* Direct scatter loops, accumulated in double. */
void nn_convt2d_forward_naive(const NnConvT2D *p, const float *x,
                              const float *w, const float *b, float *y,
                              NnAct act);
void nn_convt2d_backward_naive(const NnConvT2D *p, const float *x,
                               const float *w, const float *y,
                               const float *dy, float *dx, float *dw,
                               float *db, NnAct act);

/* ---- upsampling (nn_upsample.c) ----------------------------------------- */

/* Keras's UpSampling2D: x (N, H, W, C) -> y (N, H*sh, W*sw, C).
 * bilinear = 0: nearest (each pixel repeated); 1: bilinear with half-
 * pixel centres (tf.image.resize, torch's align_corners=False), edges
 * clamped. Backward: dx (N, H, W, C) from dy, overwritten. */
void nn_upsample2d_forward(const float *x, float *y, int n, int h, int w,
                           int c, int sh, int sw, int bilinear);
void nn_upsample2d_backward(const float *dy, float *dx, int n, int h, int w,
                            int c, int sh, int sw, int bilinear);

#endif
