/* lnn.c - the `nn` kernel module: thin Lua bindings of runtime/nn/nn.h.
 *
 * Registered as "nn", or as "nn.core" once runtime/lua/nn.lua (the
 * Keras-like model API) wraps it. Tensors are float32; activations are
 * NHWC or (N, features); kernels use Keras layouts: dense (IN, OUT),
 * conv (KH, KW, C, F). Every function checks its arguments and shapes
 * before it allocates and raises an error naming the problem and the
 * script line; options tables go through the one options checker
 * (bind/lutil.h), so a misspelt key is an error. Results are new tensors unless said otherwise; gradients
 * are fresh values (never accumulated). opts tables are optional and
 * missing fields take Keras's defaults. Class ids are 0-based; sample
 * numbers in messages are 1-based positions, like every Lua index.
 *
 * Layers
 *   y = dense_forward(x, w [, b [, opts]])
 *       x (N, IN) (or (..., IN): rows are the leading axes), w (IN, OUT),
 *       b (OUT) or nil; opts.activation = "linear" | "relu" | "tanh" |
 *       "sigmoid" | "softmax" (default "linear")
 *   dx, dw, db = dense_backward(x, w, dy [, opts])
 *       dy = dL/dy of the activation's output; opts.activation and, when
 *       it is not linear, opts.y = the forward output; opts.need_dx =
 *       false skips dx (returns nil)
 *   y = conv2d_forward(x, w [, b [, opts]])
 *       x (N, H, W, C), w (KH, KW, C, F), b (F) or nil;
 *       opts.strides = n | {sh, sw} (1), opts.padding = "valid" | "same"
 *       ("valid"), opts.activation; opts.inference = true: may run a
 *       Winograd kernel (3x3 stride 1; rounding differs by about 1e-6
 *       of the largest output), what the layer does outside training
 *   dx, dw, db = conv2d_backward(x, w, dy [, opts])
 *       the forward's opts plus y and need_dx, as for dense
 *   conv2d_forward_naive, conv2d_backward_naive: the same on the direct
 *       reference loops (slow; for tests)
 *   y = conv2d_transpose_forward(x, w [, b [, opts]])
 *       x (N, H, W, C), w (KH, KW, F, C) (Keras's Conv2DTranspose), b (F);
 *       opts as conv2d's plus output_padding = n | {a, b} (none)
 *   dx, dw, db = conv2d_transpose_backward(x, w, dy [, opts])
 *       (and the _naive pair, as for conv2d)
 *   y = upsample2d_forward(x [, {size = 2 | {sh, sw}, interpolation =
 *       "nearest" | "bilinear"}]);  dx = upsample2d_backward(x, dy [, opts])
 *   y = conv2d_maxpool_forward(x, w, b, conv_opts, pool_opts)
 *       inference: maxpool2d_forward(conv2d_forward(x, w, b, conv_opts),
 *       pool_opts) with the feature map pooled while in cache; nil when
 *       the pair has no fused kernel (activation linear or relu, and the
 *       convolution on the direct kernel or oneDNN)
 *   y, idx = maxpool2d_forward(x [, opts])
 *       opts.pool_size = n | {ph, pw} (2), opts.strides (= pool_size),
 *       opts.padding; idx (N, OH, OW, C) holds where each maximum came
 *       from (exact integers: offsets inside the sample); opts.idx =
 *       false: y alone (faster; the backward then takes idx = nil)
 *   dx = maxpool2d_backward(x, idx, dy [, opts])     x: for its shape;
 *       idx = nil: each window's first maximum is found again in x
 *       (x must be the forward's input; what the layer does)
 *   y = avgpool2d_forward(x [, opts]);  dx = avgpool2d_backward(x, dy [, opts])
 *   y = global_avgpool2d_forward(x);  dx = global_avgpool2d_backward(x, dy)
 *       x (N, H, W, C) -> y (N, C)
 *   y = activation_forward(name, x);  dx = activation_backward(name, y, dy)
 *       softmax over the last axis; backward takes the forward output y
 *   y, mask = dropout_forward(x, rate);  dx = dropout_backward(dy, mask)
 *       training only (at inference Dropout is the identity); draws
 *       from tensor.seed's RNG
 *   y, keep = dropout_train(x, rate [, y0, keep0])
 *       the same draws and y, the decisions kept as bytes in an opaque
 *       keep object (dropout_backward(dy, keep) takes it); y0 / keep0
 *       from the previous step are reused when their size fits (the
 *       Dropout layer: no allocation per step)
 *   y, mean, invstd = batchnorm_forward(x, gamma, beta, moving_mean,
 *                                       moving_var [, opts])
 *       over the last axis; gamma/beta may be nil; opts.training (false),
 *       momentum (0.99), epsilon (1e-3). Training normalizes with the
 *       batch statistics and updates moving_mean/moving_var IN PLACE
 *       (for rank-4 input the moving variance takes the unbiased batch
 *       variance, as Keras's fused kernel does; opts.unbiased overrides);
 *       inference uses the moving statistics. mean/invstd (C) are what
 *       the backward needs.
 *   dx, dgamma, dbeta = batchnorm_backward(x, gamma, mean, invstd, dy
 *                                          [, opts])
 *       opts.training must match the forward (false: statistics fixed)
 * Losses: loss (mean over the batch, a number), grad (same shape as the
 *   first argument, dL/d(that); nil when want_grad is false)
 *   loss, g = sparse_softmax_crossentropy(logits, labels [, want_grad])
 *       logits (N, K), labels (N) or (N, 1) of 0-based class ids;
 *       softmax fused in: the gradient is wrt the logits
 *   loss, g = softmax_crossentropy(logits, targets [, want_grad])
 *   loss, g = sparse_categorical_crossentropy(p, labels [, want_grad])
 *   loss, g = categorical_crossentropy(p, targets [, want_grad])
 *       on probabilities (Keras's from_logits=False path, clipped)
 *   loss, g = binary_crossentropy(p, t [, want_grad])
 *   loss, g = sigmoid_binary_crossentropy(logits, t [, want_grad])
 *   loss, g = mse(y, t [, want_grad])
 * Optimizers: update p and the state tensors IN PLACE (states start as
 *   zeros of p's size; all must be contiguous); return nothing
 *   sgd_step(p, g, velocity_or_nil [, opts])
 *       learning_rate (0.01), momentum (0), nesterov (false)
 *   adam_step(p, g, m, v, t [, opts])
 *       t = 1-based step count; learning_rate (1e-3), beta_1 (0.9),
 *       beta_2 (0.999), epsilon (1e-7)
 *   rmsprop_step(p, g, ms, mom_or_nil, mg_or_nil [, opts])
 *       learning_rate (1e-3), rho (0.9), momentum (0), epsilon (1e-7),
 *       centered (false); mom needed when momentum > 0, mg when centered
 * Initialisers
 *   t = init(kind, t [, fan_in, fan_out])   fill in place, return t;
 *       kind: zeros ones glorot_uniform glorot_normal he_uniform
 *       he_normal lecun_uniform lecun_normal; fans default to Keras's
 *       from t's shape
 *   fan_in, fan_out = fans(t_or_shape)
 * Shapes, names and threads
 *   out = output_size(in, k, stride, padding)   TensorFlow's rule (0 when
 *       a 'valid' window does not fit); the nn layers' only copy of it
 *   activations   the list of activation names, {"linear", "relu", ...}
 *   n = threads([n])    the worker pool size; sets it when n is given
 *
 * Reusing buffers: the layer functions also take their outputs in opts -
 * out (forward result; maxpool also idx), dx, dw, db (backward) - as
 * contiguous tensors of exactly the result's shape that share no memory
 * with the inputs. They are overwritten and returned, so a training loop
 * that keeps them between steps allocates and zero-fills nothing.
 * Loading this module also raises glibc's mmap and trim thresholds (see
 * tune_malloc) so per-step tensors stop costing page faults.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "nn/nn.h"
#include "core/threads.h"

/* ---- argument helpers --------------------------------------------------- */


static const char *shape_of(const Tensor *t, char *buf, size_t n) {
  return tensor_shape_str(t, buf, n);
}

/* A contiguous view of argument i (a copy is pushed when needed and
 * stays on the stack until the function returns). */
static Tensor *arg_tensor(lua_State *L, int i) {
  int pushed;
  return contiguous_tensor(L, i, &pushed);
}

static Tensor *opt_tensor(lua_State *L, int i) {
  return lua_isnoneornil(L, i) ? NULL : arg_tensor(L, i);
}

/* A tensor the function writes into: must be contiguous. */
static Tensor *inout_tensor(lua_State *L, int i, const char *fn,
                            const char *what) {
  Tensor *t = check_tensor(L, i);
  if (!tensor_is_contiguous(t))
    lerror(L, "%s: %s must be a contiguous tensor (use :contiguous())",
         fn, what);
  return t;
}

/* The options each function reads, for the one options checker (an
 * unknown key is an error naming the nearest valid one). */
#define NUM OPT_NUMBER
#define TEN OPT_USERDATA
#define PAIR (OPT_INTEGER | OPT_TABLE)
static const OptSpec dense_fwd_opts[] = {
  {"activation", OPT_STRING}, {"out", TEN}, {NULL, 0}};
static const OptSpec dense_bwd_opts[] = {
  {"activation", OPT_STRING}, {"y", TEN}, {"need_dx", OPT_BOOLEAN},
  {"dx", TEN}, {"dw", TEN}, {"db", TEN}, {NULL, 0}};
static const OptSpec conv_fwd_opts[] = {
  {"activation", OPT_STRING}, {"strides", PAIR}, {"padding", OPT_STRING},
  {"out", TEN}, {"inference", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec conv_bwd_opts[] = {
  {"activation", OPT_STRING}, {"strides", PAIR}, {"padding", OPT_STRING},
  {"y", TEN}, {"need_dx", OPT_BOOLEAN}, {"dx", TEN}, {"dw", TEN},
  {"db", TEN}, {NULL, 0}};
static const OptSpec fused_pool_opts[] = {       /* conv2d_maxpool_forward */
  {"pool_size", PAIR}, {"strides", PAIR}, {"padding", OPT_STRING},
  {"out", TEN}, {NULL, 0}};
static const OptSpec maxpool_fwd_opts[] = {
  {"pool_size", PAIR}, {"strides", PAIR}, {"padding", OPT_STRING},
  {"out", TEN}, {"idx", TEN | OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec avgpool_fwd_opts[] = {
  {"pool_size", PAIR}, {"strides", PAIR}, {"padding", OPT_STRING},
  {"out", TEN}, {NULL, 0}};
static const OptSpec pool_bwd_opts[] = {
  {"pool_size", PAIR}, {"strides", PAIR}, {"padding", OPT_STRING},
  {"dx", TEN}, {NULL, 0}};
static const OptSpec bn_fwd_opts[] = {
  {"training", OPT_BOOLEAN}, {"momentum", NUM}, {"epsilon", NUM},
  {"unbiased", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec bn_bwd_opts[] = {{"training", OPT_BOOLEAN}, {NULL, 0}};
static const OptSpec sgd_opts[] = {
  {"learning_rate", NUM}, {"momentum", NUM}, {"nesterov", OPT_BOOLEAN},
  {NULL, 0}};
static const OptSpec adam_opts[] = {
  {"learning_rate", NUM}, {"beta_1", NUM}, {"beta_2", NUM},
  {"epsilon", NUM}, {NULL, 0}};
static const OptSpec rmsprop_opts[] = {
  {"learning_rate", NUM}, {"rho", NUM}, {"momentum", NUM},
  {"epsilon", NUM}, {"centered", OPT_BOOLEAN}, {NULL, 0}};
#undef NUM
#undef TEN
#undef PAIR

/* opts at index i, checked against spec: returns i, or 0 for nil/none */
static int get_opts(lua_State *L, int i, const char *fn,
                    const OptSpec *spec) {
  check_options(L, i, fn, spec, 0);
  return lua_isnoneornil(L, i) ? 0 : lua_absindex(L, i);
}

/* push opts[key] (nil when there are no opts) and return its type */
static int get_opt(lua_State *L, int opts, const char *key) {
  if (!opts) { lua_pushnil(L); return LUA_TNIL; }
  return lua_getfield(L, opts, key);
}

static double opt_num(lua_State *L, int opts, const char *key, double def,
                      const char *fn) {
  int t = get_opt(L, opts, key);
  double v = def;
  if (t != LUA_TNIL) {
    int isnum;
    v = lua_tonumberx(L, -1, &isnum);
    if (!isnum)
      lerror(L, "%s: option %s must be a number, got %s", fn, key,
           luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  return v;
}

static int opt_bool(lua_State *L, int opts, const char *key, int def) {
  int t = get_opt(L, opts, key);
  int v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* The activation named at stack index i; an unknown name is an error
 * listing (or suggesting) the names nn_act.c knows. */
static NnAct act_at(lua_State *L, int i, const char *fn) {
  const char *s = lua_tostring(L, i);
  int k = s ? nn_act_parse(s) : -1;
  if (k >= 0) return (NnAct)k;
  const char *names[NN_ACT_COUNT];
  for (int a = 0; a < NN_ACT_COUNT; a++) names[a] = nn_act_name((NnAct)a);
  if (s && nearest_name(L, s, names, NN_ACT_COUNT))
    lerror(L, "%s: unknown activation '%s' (did you mean '%s'?)", fn, s,
           lua_tostring(L, -1));
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int a = 0; a < NN_ACT_COUNT; a++) {
    if (a) luaL_addstring(&b, ", ");
    luaL_addstring(&b, names[a]);
  }
  luaL_pushresult(&b);
  lerror(L, "%s: unknown activation '%s' (expected %s)", fn,
         s ? s : luaL_typename(L, i), lua_tostring(L, -1));
  return NN_LINEAR;
}

static NnAct opt_act(lua_State *L, int opts, const char *fn) {
  int t = get_opt(L, opts, "activation");
  NnAct a = NN_LINEAR;
  if (t != LUA_TNIL) a = act_at(L, -1, fn);
  lua_pop(L, 1);
  if (!nn_act_from_output(a))
    lerror(L, "%s: activation '%s' cannot be fused (its derivative needs "
           "the input): use 'linear' and activation_forward", fn,
           nn_act_name(a));
  return a;
}

/* the padding at stack index i: nil or "valid" -> 0, "same" -> 1 */
static int check_padding(lua_State *L, int i, const char *fn) {
  if (lua_isnoneornil(L, i)) return 0;
  const char *s = lua_type(L, i) == LUA_TSTRING ? lua_tostring(L, i) : NULL;
  if (s && strcmp(s, "same") == 0) return 1;
  if (!s || strcmp(s, "valid") != 0)
    lerror(L, "%s: padding must be 'valid' or 'same', got '%s'", fn,
         s ? s : luaL_typename(L, i));
  return 0;
}

static int opt_padding(lua_State *L, int opts, const char *fn) {
  get_opt(L, opts, "padding");
  int same = check_padding(L, -1, fn);
  lua_pop(L, 1);
  return same;
}

static int positive_int(lua_State *L, int idx, const char *fn,
                        const char *key) {
  int isnum;
  lua_Integer v = lua_tointegerx(L, idx, &isnum);
  if (!isnum || v < 1 || v > INT_MAX)
    lerror(L, "%s: %s must be positive integers, got %s", fn, key,
         luaL_tolstring(L, idx, NULL));
  return (int)v;
}

/* opts[key] as n or {a, b} -> out[2]; def when absent */
static void opt_pair(lua_State *L, int opts, const char *key,
                     const int *def, int *out, const char *fn) {
  int t = get_opt(L, opts, key);
  if (t == LUA_TNIL) {
    out[0] = def[0];
    out[1] = def[1];
  } else if (t == LUA_TTABLE) {
    if (luaL_len(L, -1) != 2)
      lerror(L, "%s: %s must be a number or a pair {rows, cols}", fn, key);
    for (int k = 0; k < 2; k++) {
      lua_geti(L, -1, k + 1);
      out[k] = positive_int(L, -1, fn, key);
      lua_pop(L, 1);
    }
  } else {
    out[0] = out[1] = positive_int(L, -1, fn, key);
  }
  lua_pop(L, 1);
}

static int overlaps(const Tensor *a, const Tensor *b) {
  if (!a || !b || !a->size || !b->size) return 0;
  return a->data < b->data + b->size && b->data < a->data + a->size;
}

/* Push the output tensor `key`: opts[key] when given - a contiguous
 * tensor of exactly this shape sharing no memory with the inputs, which
 * is then overwritten (a training loop can reuse its buffers and skip
 * allocating and zeroing) - else a new tensor. */
static Tensor *push_out(lua_State *L, int opts, const char *key, int ndim,
                        const int64_t *shape, const char *fn,
                        Tensor *const *inputs, int ninputs) {
  if (get_opt(L, opts, key) == LUA_TNIL) {
    lua_pop(L, 1);
    /* no zeroing: every kernel behind push_out overwrites all of its
     * output (a reused opts buffer holds stale values); the sanitizer
     * build poisons these tensors to prove it (WB_POISON_UNINIT) */
    return push_tensor_uninit(L, ndim, shape, TENSOR_F32);
  }
  Tensor *t = test_tensor(L, -1), want;
  char err[TENSOR_ERRLEN], s1[128], s2[128];
  if (!t) lerror(L, "%s: opts.%s must be a tensor", fn, key);
  tensor_init(&want, NULL, ndim, shape, err);
  if (!tensor_same_shape(t, &want))
    lerror(L, "%s: opts.%s has shape %s, expected %s", fn, key,
         tensor_shape_str(t, s1, sizeof s1),
         tensor_shape_str(&want, s2, sizeof s2));
  if (!tensor_is_contiguous(t))
    lerror(L, "%s: opts.%s must be a contiguous tensor", fn, key);
  for (int i = 0; i < ninputs; i++)
    if (overlaps(t, inputs[i]))
      lerror(L, "%s: opts.%s must not share memory with the inputs", fn, key);
  return t;
}

static void raise_nomem(lua_State *L, const char *fn) {
  lerror(L, "%s: out of memory", fn);
}

static int dim_int(lua_State *L, int64_t v, const char *fn) {
  if (v > INT_MAX) lerror(L, "%s: dimension %lld is too large", fn, (long long)v);
  return (int)v;
}

static void same_shape(lua_State *L, const Tensor *got, const Tensor *want,
                       const char *fn, const char *what, const char *ref) {
  if (tensor_same_shape(got, want)) return;
  char a[128], b[128];
  lerror(L, "%s: %s has shape %s, expected %s like %s", fn, what,
       shape_of(got, a, sizeof a), shape_of(want, b, sizeof b), ref);
}

/* ---- dense -------------------------------------------------------------- */

typedef struct { int n, in, out; } DenseDims;

/* x (..., IN), w (IN, OUT), b (OUT) or NULL */
static DenseDims dense_dims(lua_State *L, const Tensor *x, const Tensor *w,
                            const Tensor *b, const char *fn) {
  char s1[128], s2[128];
  if (w->ndim != 2)
    lerror(L, "%s: kernel must be (IN, OUT), got %s", fn,
         shape_of(w, s1, sizeof s1));
  if (x->ndim < 1)
    lerror(L, "%s: input must have a batch axis, got a scalar", fn);
  int64_t in = x->shape[x->ndim - 1];
  if (in != w->shape[0]) {
    if (x->ndim > 2)
      lerror(L, "%s: input has %lld features (last axis of %s), kernel "
           "expects %lld; flatten the input to (%lld, %lld)", fn,
           (long long)in, shape_of(x, s1, sizeof s1),
           (long long)w->shape[0], (long long)x->shape[0],
           (long long)(x->shape[0] ? x->size / x->shape[0] : 0));
    lerror(L, "%s: input has %lld features, kernel expects %lld (input "
         "%s, kernel %s)", fn, (long long)in, (long long)w->shape[0],
         shape_of(x, s1, sizeof s1), shape_of(w, s2, sizeof s2));
  }
  if (b && (b->ndim != 1 || b->shape[0] != w->shape[1]))
    lerror(L, "%s: bias must be (%lld), got %s", fn,
         (long long)w->shape[1], shape_of(b, s1, sizeof s1));
  int64_t rows = 1;                 /* the product of the leading axes */
  for (int k = 0; k < x->ndim - 1; k++) rows *= x->shape[k];
  DenseDims d = {dim_int(L, rows, fn), dim_int(L, in, fn),
                 dim_int(L, w->shape[1], fn)};
  return d;
}

static Tensor *push_dense_out(lua_State *L, int opts, Tensor *x, Tensor *w,
                              Tensor *b, int out, const char *fn) {
  int64_t shape[TENSOR_MAXDIM];
  memcpy(shape, x->shape, sizeof shape);
  shape[x->ndim - 1] = out;
  Tensor *in[3] = {x, w, b};
  return push_out(L, opts, "out", x->ndim, shape, fn, in, 3);
}

static int l_dense_forward(lua_State *L) {
  const char *fn = "dense_forward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *b = opt_tensor(L, 3);
  int opts = get_opts(L, 4, fn, dense_fwd_opts);
  NnAct act = opt_act(L, opts, fn);
  DenseDims d = dense_dims(L, x, w, b, fn);
  Tensor *y = push_dense_out(L, opts, x, w, b, d.out, fn);
  if (nn_dense_forward(x->data, w->data, b ? b->data : NULL, y->data, d.n,
                       d.in, d.out, act))
    raise_nomem(L, fn);
  return 1;
}

/* opts.y, checked against dy's shape, when act needs it */
static Tensor *act_output(lua_State *L, int opts, NnAct act,
                          const Tensor *dy, const char *fn) {
  if (act == NN_LINEAR) return NULL;
  if (get_opt(L, opts, "y") == LUA_TNIL)
    lerror(L, "%s: activation '%s' needs opts.y, the forward output",
         fn, nn_act_name(act));
  Tensor *y = arg_tensor(L, lua_gettop(L));
  same_shape(L, y, dy, fn, "opts.y", "dy");
  return y;
}

static int l_dense_backward(lua_State *L) {
  const char *fn = "dense_backward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *dy = arg_tensor(L, 3);
  int opts = get_opts(L, 4, fn, dense_bwd_opts);
  NnAct act = opt_act(L, opts, fn);
  int need_dx = opt_bool(L, opts, "need_dx", 1);
  DenseDims d = dense_dims(L, x, w, NULL, fn);
  int64_t n_dy = (int64_t)d.n * d.out;
  if (dy->ndim != x->ndim || dy->size != n_dy ||
      dy->shape[dy->ndim - 1] != d.out) {
    char s1[128], s2[128];
    lerror(L, "%s: dy has shape %s, expected the output shape of input "
         "%s with %d units", fn, shape_of(dy, s1, sizeof s1),
         shape_of(x, s2, sizeof s2), d.out);
  }
  Tensor *y = act_output(L, opts, act, dy, fn);
  Tensor *in[4] = {x, w, dy, y};
  Tensor *dx = need_dx ? push_out(L, opts, "dx", x->ndim, x->shape, fn, in, 4)
                       : NULL;
  if (!dx) lua_pushnil(L);
  int64_t wshape[2] = {d.in, d.out};
  Tensor *dw = push_out(L, opts, "dw", 2, wshape, fn, in, 4);
  Tensor *db = push_out(L, opts, "db", 1, wshape + 1, fn, in, 4);
  if (nn_dense_backward(x->data, w->data, y ? y->data : NULL, dy->data,
                        dx ? dx->data : NULL, dw->data, db->data, d.n, d.in,
                        d.out, act))
    raise_nomem(L, fn);
  return 3;
}

/* ---- conv2d ------------------------------------------------------------- */

/* "(32, 28, 28) -> reshape to (32, 28, 28, 1)"-style advice for an input
 * that is not 4-D */
static void bad_image_rank(lua_State *L, const Tensor *x, const char *fn) {
  char s[128];
  shape_of(x, s, sizeof s);
  if (x->ndim == 3)
    lerror(L, "%s: expected NHWC input (N, H, W, C), got %s; reshape to "
         "(%lld, %lld, %lld, 1)", fn, s, (long long)x->shape[0],
         (long long)x->shape[1], (long long)x->shape[2]);
  if (x->ndim == 2) {
    int64_t side = (int64_t)llround(sqrt((double)x->shape[1]));
    if (side * side == x->shape[1] && side > 0)
      lerror(L, "%s: expected NHWC input (N, H, W, C), got %s; reshape "
           "to (%lld, %lld, %lld, 1)", fn, s, (long long)x->shape[0],
           (long long)side, (long long)side);
  }
  lerror(L, "%s: expected NHWC input (N, H, W, C), got %s", fn, s);
}

static void check_image(lua_State *L, const Tensor *x, const char *fn) {
  if (x->ndim != 4) bad_image_rank(L, x, fn);
  for (int d = 0; d < 4; d++) dim_int(L, x->shape[d], fn);
}

/* Fill p from x, w, b and opts; raise on any mismatch. */
static NnConv2D conv_params(lua_State *L, const Tensor *x, const Tensor *w,
                            const Tensor *b, int opts, const char *fn) {
  char s1[128];
  check_image(L, x, fn);
  if (w->ndim != 4)
    lerror(L, "%s: kernel must be (KH, KW, C, F), got %s", fn,
         shape_of(w, s1, sizeof s1));
  if (w->shape[2] != x->shape[3])
    lerror(L, "%s: input has %lld channels, kernel expects %lld", fn,
         (long long)x->shape[3], (long long)w->shape[2]);
  if (b && (b->ndim != 1 || b->shape[0] != w->shape[3]))
    lerror(L, "%s: bias must be (%lld), one per filter, got %s", fn,
         (long long)w->shape[3], shape_of(b, s1, sizeof s1));
  int one[2] = {1, 1}, st[2];
  opt_pair(L, opts, "strides", one, st, fn);
  NnConv2D p = {.n = dim_int(L, x->shape[0], fn), .h = (int)x->shape[1],
                .w = (int)x->shape[2], .c = (int)x->shape[3],
                .kh = dim_int(L, w->shape[0], fn),
                .kw = dim_int(L, w->shape[1], fn),
                .f = dim_int(L, w->shape[3], fn), .sh = st[0], .sw = st[1],
                .same = opt_padding(L, opts, fn)};
  if (p.h < 1 || p.w < 1 || p.c < 1 || p.kh < 1 || p.kw < 1 || p.f < 1)
    lerror(L, "%s: empty input or kernel (input %s)", fn,
         shape_of(x, s1, sizeof s1));
  int r = nn_conv2d_shape(&p);
  if (r == -1)
    lerror(L, "%s: kernel %dx%d is larger than the %dx%d input with "
         "padding 'valid'", fn, p.kh, p.kw, p.h, p.w);
  if (r)
    lerror(L, "%s: input or kernel too large", fn);
  return p;
}

static Tensor *push_conv_out(lua_State *L, int opts, const NnConv2D *p,
                             Tensor *const *in, const char *fn) {
  int64_t shape[4] = {p->n, p->oh, p->ow, p->f};
  return push_out(L, opts, "out", 4, shape, fn, in, 3);
}

static int conv_forward(lua_State *L, int naive) {
  const char *fn = naive ? "conv2d_forward_naive" : "conv2d_forward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *b = opt_tensor(L, 3);
  int opts = get_opts(L, 4, fn, conv_fwd_opts);
  NnAct act = opt_act(L, opts, fn);
  NnConv2D p = conv_params(L, x, w, b, opts, fn);
  Tensor *in[3] = {x, w, b};
  Tensor *y = push_conv_out(L, opts, &p, in, fn);
  const float *bd = b ? b->data : NULL;
  int infer = !naive && opt_bool(L, opts, "inference", 0);
  if (naive) nn_conv2d_forward_naive(&p, x->data, w->data, bd, y->data, act);
  else if ((infer ? nn_conv2d_infer : nn_conv2d_forward)(&p, x->data, w->data,
                                                          bd, y->data, act))
    raise_nomem(L, fn);
  return 1;
}

static int l_conv2d_forward(lua_State *L) { return conv_forward(L, 0); }
static int l_conv2d_forward_naive(lua_State *L) { return conv_forward(L, 1); }

/* The outputs of a conv-like backward whose forward output has shape
 * yshape: dy is checked against it, then dx (nil when opts.need_dx is
 * false), dw (w's shape) and db (w's axis faxis: one per filter) are
 * pushed, and the forward output y (for the activation) is found. */
typedef struct { const float *y; float *dx, *dw, *db; } ConvGrads;
static ConvGrads push_conv_grads(lua_State *L, int opts, NnAct act,
                                 Tensor *x, Tensor *w, Tensor *dy,
                                 const int64_t *yshape, int faxis,
                                 const char *fn) {
  int need_dx = opt_bool(L, opts, "need_dx", 1);
  Tensor want;
  char err[TENSOR_ERRLEN];
  tensor_init(&want, NULL, 4, yshape, err);
  same_shape(L, dy, &want, fn, "dy", "the forward output");
  Tensor *y = act_output(L, opts, act, dy, fn);
  Tensor *in[4] = {x, w, dy, y};
  Tensor *dx = need_dx ? push_out(L, opts, "dx", 4, x->shape, fn, in, 4)
                       : NULL;
  if (!dx) lua_pushnil(L);
  Tensor *dw = push_out(L, opts, "dw", 4, w->shape, fn, in, 4);
  Tensor *db = push_out(L, opts, "db", 1, w->shape + faxis, fn, in, 4);
  ConvGrads g = {y ? y->data : NULL, dx ? dx->data : NULL, dw->data,
                 db->data};
  return g;
}

static int conv_backward(lua_State *L, int naive) {
  const char *fn = naive ? "conv2d_backward_naive" : "conv2d_backward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *dy = arg_tensor(L, 3);
  int opts = get_opts(L, 4, fn, conv_bwd_opts);
  NnAct act = opt_act(L, opts, fn);
  NnConv2D p = conv_params(L, x, w, NULL, opts, fn);
  int64_t yshape[4] = {p.n, p.oh, p.ow, p.f};
  ConvGrads g = push_conv_grads(L, opts, act, x, w, dy, yshape, 3, fn);
  if (naive)
    nn_conv2d_backward_naive(&p, x->data, w->data, g.y, dy->data, g.dx,
                             g.dw, g.db, act);
  else if (nn_conv2d_backward(&p, x->data, w->data, g.y, dy->data, g.dx,
                              g.dw, g.db, act))
    raise_nomem(L, fn);
  return 3;
}

static int l_conv2d_backward(lua_State *L) { return conv_backward(L, 0); }
static int l_conv2d_backward_naive(lua_State *L) { return conv_backward(L, 1); }

/* ---- pooling ------------------------------------------------------------ */

/* a pooling of an (n, h, w, c) input, from opts */
static NnPool2D pool_dims(lua_State *L, int64_t n, int64_t h, int64_t w,
                          int64_t c, int opts, const char *fn) {
  int two[2] = {2, 2}, ps[2], st[2];
  opt_pair(L, opts, "pool_size", two, ps, fn);
  opt_pair(L, opts, "strides", ps, st, fn);
  NnPool2D p = {.n = (int)n, .h = (int)h, .w = (int)w, .c = (int)c,
                .ph = ps[0], .pw = ps[1], .sh = st[0], .sw = st[1],
                .same = opt_padding(L, opts, fn)};
  if (p.h < 1 || p.w < 1 || p.c < 1)
    lerror(L, "%s: empty input (%lld, %lld, %lld, %lld)", fn, (long long)n,
           (long long)h, (long long)w, (long long)c);
  /* argmax offsets are stored as exact floats: < 2^24 per sample */
  if ((int64_t)p.h * p.w * p.c >= (1 << 24))
    lerror(L, "%s: input samples of (%d, %d, %d) are too large to pool", fn,
           p.h, p.w, p.c);
  int r = nn_pool2d_shape(&p);
  if (r)
    lerror(L, "%s: pool %dx%d is larger than the %dx%d input with "
         "padding 'valid'", fn, p.ph, p.pw, p.h, p.w);
  return p;
}

static NnPool2D pool_params(lua_State *L, const Tensor *x, int opts,
                            const char *fn) {
  check_image(L, x, fn);
  return pool_dims(L, x->shape[0], x->shape[1], x->shape[2], x->shape[3],
                   opts, fn);
}

static Tensor *push_pool_out(lua_State *L, int opts, const char *key,
                             const NnPool2D *p, Tensor *x, const char *fn) {
  int64_t shape[4] = {p->n, p->oh, p->ow, p->c};
  return push_out(L, opts, key, 4, shape, fn, &x, 1);
}

/* scratch int32 indices, owned by the Lua GC (a plain userdata) */
static int32_t *push_indices(lua_State *L, int64_t n) {
  return lua_newuserdatauv(L, sizeof(int32_t) * (size_t)(n ? n : 1), 0);
}

static int l_maxpool2d_forward(lua_State *L) {
  const char *fn = "maxpool2d_forward";
  Tensor *x = arg_tensor(L, 1);
  int opts = get_opts(L, 2, fn, maxpool_fwd_opts);
  NnPool2D p = pool_params(L, x, opts, fn);
  Tensor *y = push_pool_out(L, opts, "out", &p, x, fn);
  int flag = get_opt(L, opts, "idx") == LUA_TBOOLEAN;   /* idx = true/false */
  int want_idx = !flag || lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (!want_idx) {
    nn_maxpool2d_forward(&p, x->data, y->data, NULL);
    return 1;
  }
  Tensor *idx = push_pool_out(L, flag ? 0 : opts, "idx", &p, x, fn);
  if (overlaps(y, idx)) lerror(L, "%s: opts.out and opts.idx overlap", fn);
  int32_t *arg = push_indices(L, y->size);
  nn_maxpool2d_forward(&p, x->data, y->data, arg);
  nn_vec_index_to_float(arg, idx->data, y->size);
  lua_pop(L, 1);
  return 2;
}

/* y = conv2d_maxpool_forward(x, w, b, conv_opts, pool_opts): for
 * inference, the max pooling of a convolution's output without the
 * feature map ever leaving the cache; nil when the pair has no fused
 * kernel (then run conv2d_forward and maxpool2d_forward) */
static int l_conv2d_maxpool_forward(lua_State *L) {
  const char *fn = "conv2d_maxpool_forward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *b = opt_tensor(L, 3);
  int copts = get_opts(L, 4, fn, conv_fwd_opts);
  int popts = get_opts(L, 5, fn, fused_pool_opts);
  NnAct act = opt_act(L, copts, fn);
  NnConv2D p = conv_params(L, x, w, b, copts, fn);
  NnPool2D q = pool_dims(L, p.n, p.oh, p.ow, p.f, popts, fn);
  Tensor *in[3] = {x, w, b};
  int64_t shape[4] = {q.n, q.oh, q.ow, q.c};
  Tensor *y = push_out(L, popts, "out", 4, shape, fn, in, 3);
  int rc = nn_conv2d_maxpool_infer(&p, &q, x->data, w->data,
                                   b ? b->data : NULL, y->data, act);
  if (rc == NN_ENOMEM) raise_nomem(L, fn);
  if (rc) lua_pushnil(L);       /* no fused kernel: run the two */
  return 1;
}

static int l_maxpool2d_backward(lua_State *L) {
  const char *fn = "maxpool2d_backward";
  int recompute = lua_isnil(L, 2);
  Tensor *x = recompute ? arg_tensor(L, 1) : check_tensor(L, 1);
  Tensor *idx = recompute ? NULL : arg_tensor(L, 2), *dy = arg_tensor(L, 3);
  int opts = get_opts(L, 4, fn, pool_bwd_opts);
  NnPool2D p = pool_params(L, x, opts, fn);
  int64_t yshape[4] = {p.n, p.oh, p.ow, p.c};
  Tensor want;
  char err[TENSOR_ERRLEN];
  tensor_init(&want, NULL, 4, yshape, err);
  same_shape(L, dy, &want, fn, "dy", "the pooled output");
  if (recompute) {
    Tensor *in[2] = {x, dy};
    Tensor *dx = push_out(L, opts, "dx", 4, x->shape, fn, in, 2);
    nn_maxpool2d_backward_x(&p, x->data, dy->data, dx->data);
    return 1;
  }
  same_shape(L, idx, &want, fn, "idx", "the pooled output");
  int32_t *arg = push_indices(L, idx->size);
  int64_t bad = nn_vec_float_to_index(idx->data, arg, idx->size,
                                      (int32_t)((int64_t)p.h * p.w * p.c));
  if (bad >= 0)
    lerror(L, "%s: idx is not the index tensor of maxpool2d_forward for "
         "this input (entry %lld is %g)", fn, (long long)bad + 1,
         idx->data[bad]);
  Tensor *in[3] = {x, idx, dy};
  Tensor *dx = push_out(L, opts, "dx", 4, x->shape, fn, in, 3);
  nn_maxpool2d_backward(&p, dy->data, arg, dx->data);
  return 1;
}

static int l_avgpool2d_forward(lua_State *L) {
  const char *fn = "avgpool2d_forward";
  Tensor *x = arg_tensor(L, 1);
  int opts = get_opts(L, 2, fn, avgpool_fwd_opts);
  NnPool2D p = pool_params(L, x, opts, fn);
  Tensor *y = push_pool_out(L, opts, "out", &p, x, fn);
  nn_avgpool2d_forward(&p, x->data, y->data);
  return 1;
}

static int l_avgpool2d_backward(lua_State *L) {
  const char *fn = "avgpool2d_backward";
  Tensor *x = check_tensor(L, 1), *dy = arg_tensor(L, 2);
  int opts = get_opts(L, 3, fn, pool_bwd_opts);
  NnPool2D p = pool_params(L, x, opts, fn);
  int64_t yshape[4] = {p.n, p.oh, p.ow, p.c};
  Tensor want;
  char err[TENSOR_ERRLEN];
  tensor_init(&want, NULL, 4, yshape, err);
  same_shape(L, dy, &want, fn, "dy", "the pooled output");
  Tensor *in[2] = {x, dy};
  Tensor *dx = push_out(L, opts, "dx", 4, x->shape, fn, in, 2);
  nn_avgpool2d_backward(&p, dy->data, dx->data);
  return 1;
}

static int l_global_avgpool2d_forward(lua_State *L) {
  const char *fn = "global_avgpool2d_forward";
  Tensor *x = arg_tensor(L, 1);
  check_image(L, x, fn);
  int64_t shape[2] = {x->shape[0], x->shape[3]};
  Tensor *y = push_tensor(L, 2, shape);
  nn_global_avgpool2d_forward(x->data, y->data, (int)x->shape[0],
                              x->shape[1] * x->shape[2], (int)x->shape[3]);
  return 1;
}

static int l_global_avgpool2d_backward(lua_State *L) {
  const char *fn = "global_avgpool2d_backward";
  Tensor *x = check_tensor(L, 1), *dy = arg_tensor(L, 2);
  check_image(L, x, fn);
  int64_t shape[2] = {x->shape[0], x->shape[3]};
  Tensor want;
  char err[TENSOR_ERRLEN];
  tensor_init(&want, NULL, 2, shape, err);
  same_shape(L, dy, &want, fn, "dy", "the pooled output");
  Tensor *dx = push_tensor(L, 4, x->shape);
  nn_global_avgpool2d_backward(dy->data, dx->data, (int)x->shape[0],
                               x->shape[1] * x->shape[2], (int)x->shape[3]);
  return 1;
}

/* ---- activations, dropout ----------------------------------------------- */

static NnAct check_act(lua_State *L, int i, const char *fn) {
  luaL_checkstring(L, i);
  return act_at(L, i, fn);
}

/* rows x cols with cols the last axis (1 for a scalar) */
static int64_t last_axis(const Tensor *t) {
  return t->ndim ? t->shape[t->ndim - 1] : 1;
}

static int l_activation_forward(lua_State *L) {
  const char *fn = "activation_forward";
  NnAct a = check_act(L, 1, fn);
  Tensor *x = arg_tensor(L, 2);
  /* nn_act_forward writes all rows * cols = x->size elements */
  Tensor *y = push_tensor_uninit(L, x->ndim, x->shape, TENSOR_F32);
  int64_t cols = last_axis(x);
  nn_act_forward(a, x->data, y->data, cols ? x->size / cols : 0, cols);
  return 1;
}

static int l_activation_backward(lua_State *L) {
  const char *fn = "activation_backward";
  NnAct a = check_act(L, 1, fn);
  if (!nn_act_from_output(a))
    lerror(L, "%s: the derivative of '%s' needs the input: use "
           "activation_backward_x(name, x, dy)", fn, nn_act_name(a));
  Tensor *y = arg_tensor(L, 2), *dy = arg_tensor(L, 3);
  same_shape(L, dy, y, fn, "dy", "y");
  /* nn_act_backward writes all rows * cols = y->size elements */
  Tensor *dx = push_tensor_uninit(L, y->ndim, y->shape, TENSOR_F32);
  int64_t cols = last_axis(y);
  nn_act_backward(a, y->data, dy->data, dx->data, cols ? y->size / cols : 0,
                  cols);
  return 1;
}

/* dx = dy f'(x) from the forward input x (element-wise activations) */
static int l_activation_backward_x(lua_State *L) {
  const char *fn = "activation_backward_x";
  NnAct a = check_act(L, 1, fn);
  if (a == NN_SOFTMAX)
    lerror(L, "%s: softmax is not element-wise: use activation_backward "
           "with the output", fn);
  Tensor *x = arg_tensor(L, 2), *dy = arg_tensor(L, 3);
  same_shape(L, dy, x, fn, "dy", "x");
  Tensor *dx = push_tensor_uninit(L, x->ndim, x->shape, TENSOR_F32);  /* all n */
  nn_act_grad_from_x(a, x->data, dy->data, dx->data, x->size);
  return 1;
}

/* the rate at index i, checked to lie in [0, 1) */
static double dropout_rate(lua_State *L, int i, const char *fn) {
  double rate = luaL_checknumber(L, i);
  if (!(rate >= 0 && rate < 1))
    lerror(L, "%s: rate must be in [0, 1), got %g", fn, rate);
  return rate;
}

static int l_dropout_forward(lua_State *L) {
  Tensor *x = arg_tensor(L, 1);
  double rate = dropout_rate(L, 2, "dropout_forward");
  /* nn_dropout_forward writes every element of y and mask */
  Tensor *y = push_tensor_uninit(L, x->ndim, x->shape, TENSOR_F32);
  Tensor *mask = push_tensor_uninit(L, x->ndim, x->shape, TENSOR_F32);
  nn_dropout_forward(x->data, y->data, mask->data, x->size, (float)rate);
  return 2;
}

/* dropout_train's decisions: one byte per element and the rate they were
 * drawn with (backward scales by the same 1 / (1 - rate)) */
#define DROPKEEP_MT "workbook.dropout_keep"
typedef struct {
  int64_t n;
  float rate;
  uint8_t keep[];
} DropKeep;

static int l_dropout_train(lua_State *L) {
  Tensor *x = arg_tensor(L, 1);
  double rate = dropout_rate(L, 2, "dropout_train");
  /* the previous y is reused when it is a separate contiguous tensor of
   * x's shape; else a new one (nn_dropout_forward_keep writes every
   * element of it) */
  Tensor *y = lua_isnoneornil(L, 3) ? NULL : check_tensor(L, 3);
  int yi = 3;
  if (!y || !tensor_is_contiguous(y) || !tensor_same_shape(y, x) ||
      y->data == x->data) {
    y = push_tensor_uninit(L, x->ndim, x->shape, TENSOR_F32);
    yi = lua_gettop(L);
  }
  DropKeep *k = luaL_testudata(L, 4, DROPKEEP_MT);
  int ki = 4;
  if (!k || k->n != x->size) {
    k = lua_newuserdatauv(L, sizeof(DropKeep) + (size_t)x->size, 0);
    k->n = x->size;
    luaL_setmetatable(L, DROPKEEP_MT);
    ki = lua_gettop(L);
  }
  k->rate = (float)rate;
  nn_dropout_forward_keep(x->data, y->data, k->keep, x->size, k->rate);
  lua_pushvalue(L, yi);
  lua_pushvalue(L, ki);
  return 2;
}

static int l_dropout_backward(lua_State *L) {
  Tensor *dy = arg_tensor(L, 1);
  DropKeep *k = luaL_testudata(L, 2, DROPKEEP_MT);
  if (k) {
    if (dy->size != k->n)
      lerror(L, "dropout_backward: dy has %lld values, the keep mask %lld",
             (long long)dy->size, (long long)k->n);
    /* nn_dropout_backward_keep writes every element of dx */
    Tensor *dx = push_tensor_uninit(L, dy->ndim, dy->shape, TENSOR_F32);
    nn_dropout_backward_keep(dy->data, k->keep, dx->data, dy->size, k->rate);
    return 1;
  }
  Tensor *mask = arg_tensor(L, 2);
  same_shape(L, dy, mask, "dropout_backward", "dy", "the mask");
  /* nn_dropout_backward writes every element of dx */
  Tensor *dx = push_tensor_uninit(L, dy->ndim, dy->shape, TENSOR_F32);
  nn_dropout_backward(dy->data, mask->data, dx->data, dy->size);
  return 1;
}

/* ---- batch normalization ------------------------------------------------ */

/* a per-channel vector argument of c values, or NULL for nil */
static Tensor *channel_vec(lua_State *L, int i, int64_t c, const char *fn,
                           const char *what, int inout) {
  if (lua_isnoneornil(L, i)) return NULL;
  Tensor *t = inout ? inout_tensor(L, i, fn, what) : arg_tensor(L, i);
  if (t->size != c) {
    char s[128];
    lerror(L, "%s: %s must have %lld values (one per channel), got %s",
         fn, what, (long long)c, shape_of(t, s, sizeof s));
  }
  return t;
}

static int64_t bn_channels(lua_State *L, const Tensor *x, const char *fn) {
  if (x->ndim < 2) {
    char s[128];
    lerror(L, "%s: input must be (N, ..., C), got %s", fn,
         shape_of(x, s, sizeof s));
  }
  if (last_axis(x) < 1)
    lerror(L, "%s: input has no channels", fn);
  dim_int(L, last_axis(x), fn);
  return last_axis(x);
}

static const float *data_or_null(const Tensor *t) { return t ? t->data : NULL; }

static int l_batchnorm_forward(lua_State *L) {
  const char *fn = "batchnorm_forward";
  Tensor *x = arg_tensor(L, 1);
  int64_t c = bn_channels(L, x, fn);
  Tensor *gamma = channel_vec(L, 2, c, fn, "gamma", 0);
  Tensor *beta = channel_vec(L, 3, c, fn, "beta", 0);
  if (lua_isnoneornil(L, 4) || lua_isnoneornil(L, 5))
    lerror(L, "%s: moving_mean and moving_var are required", fn);
  Tensor *mm = channel_vec(L, 4, c, fn, "moving_mean", 1);
  Tensor *mv = channel_vec(L, 5, c, fn, "moving_var", 1);
  int opts = get_opts(L, 6, fn, bn_fwd_opts);
  int training = opt_bool(L, opts, "training", 0);
  double momentum = opt_num(L, opts, "momentum", NN_BN_MOMENTUM, fn);
  double eps = opt_num(L, opts, "epsilon", NN_BN_EPSILON, fn);
  int unbiased = opt_bool(L, opts, "unbiased", x->ndim >= 4);
  if (!(eps > 0)) lerror(L, "%s: epsilon must be positive", fn);
  if (!(momentum >= 0 && momentum <= 1))
    lerror(L, "%s: momentum must be in [0, 1], got %g", fn, momentum);
  int64_t m = c ? x->size / c : 0;
  Tensor *y = push_tensor(L, x->ndim, x->shape);
  Tensor *mean = push_tensor(L, 1, &c), *invstd = push_tensor(L, 1, &c);
  int rc;
  if (training) {
    rc = nn_batchnorm_train(x->data, data_or_null(gamma), data_or_null(beta),
                            y->data, mm->data, mv->data, mean->data,
                            invstd->data, m, (int)c, (float)momentum,
                            (float)eps, unbiased);
  } else {
    memcpy(mean->data, mm->data, sizeof(float) * (size_t)c);
    for (int64_t k = 0; k < c; k++)
      invstd->data[k] = (float)(1.0 / sqrt((double)mv->data[k] + eps));
    rc = nn_batchnorm_infer(x->data, data_or_null(gamma), data_or_null(beta),
                            mm->data, mv->data, y->data, m, (int)c,
                            (float)eps);
  }
  if (rc) raise_nomem(L, fn);
  return 3;
}

static int l_batchnorm_backward(lua_State *L) {
  const char *fn = "batchnorm_backward";
  Tensor *x = arg_tensor(L, 1);
  int64_t c = bn_channels(L, x, fn);
  Tensor *gamma = channel_vec(L, 2, c, fn, "gamma", 0);
  Tensor *mean = channel_vec(L, 3, c, fn, "mean", 0);
  Tensor *invstd = channel_vec(L, 4, c, fn, "invstd", 0);
  if (!mean || !invstd)
    lerror(L, "%s: mean and invstd (from batchnorm_forward) are required", fn);
  Tensor *dy = arg_tensor(L, 5);
  same_shape(L, dy, x, fn, "dy", "x");
  int opts = get_opts(L, 6, fn, bn_bwd_opts);
  int training = opt_bool(L, opts, "training", 1);
  int64_t m = x->size / c;
  Tensor *dx = push_tensor(L, x->ndim, x->shape);
  Tensor *dg = push_tensor(L, 1, &c), *dbeta = push_tensor(L, 1, &c);
  int rc = (training ? nn_batchnorm_backward : nn_batchnorm_backward_fixed)(
      x->data, data_or_null(gamma), mean->data, invstd->data, dy->data,
      dx->data, dg->data, dbeta->data, m, (int)c);
  if (rc) raise_nomem(L, fn);
  return 3;
}

/* ---- losses ------------------------------------------------------------- */

/* logits/probabilities (N, K) */
static void check_matrix(lua_State *L, const Tensor *t, const char *fn,
                         const char *what) {
  char s[128];
  if (t->ndim != 2)
    lerror(L, "%s: %s must be (N, classes), got %s", fn, what,
         shape_of(t, s, sizeof s));
  dim_int(L, t->shape[0], fn);
  dim_int(L, t->shape[1], fn);
}

/* 0-based integer labels, one per row of a (N, K) tensor; pushes the
 * int32 copy (a userdata) */
static int32_t *check_labels(lua_State *L, int i, int64_t n, int64_t k,
                             const char *fn) {
  /* a table or number is converted into a new (contiguous) tensor */
  Tensor *lab = test_tensor(L, i) ? arg_tensor(L, i) : to_tensor(L, i);
  char s[128];
  if (!(lab->ndim == 1 || (lab->ndim == 2 && lab->shape[1] == 1)))
    lerror(L, "%s: labels must be (N) or (N, 1) class ids, got %s", fn,
         shape_of(lab, s, sizeof s));
  if (lab->shape[0] != n)
    lerror(L, "%s: %lld labels for %lld samples", fn,
         (long long)lab->shape[0], (long long)n);
  int32_t *out = push_indices(L, n);
  for (int64_t j = 0; j < n; j++) {
    float v = lab->data[j];
    if (v != floorf(v))
      lerror(L, "%s: label %g is not an integer class id (sample %lld)",
           fn, v, (long long)j + 1);
    if (v < 0 || v >= (float)k)
      lerror(L, "%s: label %g out of range 0..%lld (sample %lld)", fn, v,
           (long long)k - 1, (long long)j + 1);
    out[j] = (int32_t)v;
  }
  return out;
}

static int want_grad(lua_State *L, int i) {
  return lua_isnoneornil(L, i) ? 1 : lua_toboolean(L, i);
}

/* return loss, grad: grad (if any) is on the top of the stack */
static int push_loss(lua_State *L, double loss, const Tensor *grad) {
  lua_pushnumber(L, loss);
  if (grad) lua_insert(L, -2);
  else lua_pushnil(L);
  return 2;
}

static int sparse_loss(lua_State *L, int fused) {
  const char *fn = fused ? "sparse_softmax_crossentropy"
                         : "sparse_categorical_crossentropy";
  Tensor *z = arg_tensor(L, 1);
  check_matrix(L, z, fn, fused ? "logits" : "probabilities");
  int g = want_grad(L, 3);
  int32_t *lab = check_labels(L, 2, z->shape[0], z->shape[1], fn);
  Tensor *grad = g ? push_tensor(L, 2, z->shape) : NULL;
  float *gd = grad ? grad->data : NULL;
  double loss;
  int64_t bad = -1;
  int rc = fused
      ? nn_softmax_sparse_ce(z->data, lab, gd, (int)z->shape[0],
                             (int)z->shape[1], &loss, &bad)
      : nn_sparse_ce(z->data, lab, gd, (int)z->shape[0], (int)z->shape[1],
                     &loss, &bad);
  if (rc)   /* checked above already; kept for the core's own check */
    lerror(L, "%s: label %d out of range 0..%d (sample %lld)", fn,
         lab[bad], (int)z->shape[1] - 1, (long long)bad + 1);
  return push_loss(L, loss, grad);
}

static int l_sparse_softmax_ce(lua_State *L) { return sparse_loss(L, 1); }
static int l_sparse_categorical_ce(lua_State *L) { return sparse_loss(L, 0); }

typedef void (*DenseLoss)(const float *, const float *, float *, int, int,
                          double *);

/* losses over (N, D) pairs; matrix: the first must be 2-D */
static int pair_loss(lua_State *L, const char *fn, DenseLoss f, int matrix) {
  Tensor *a = arg_tensor(L, 1), *t = arg_tensor(L, 2);
  char s1[128], s2[128];
  if (matrix) check_matrix(L, a, fn, "predictions");
  if (!tensor_same_shape(a, t))
    lerror(L, "%s: targets %s do not match predictions %s", fn,
         shape_of(t, s1, sizeof s1), shape_of(a, s2, sizeof s2));
  if (a->ndim < 1)
    lerror(L, "%s: predictions must have a batch axis", fn);
  int g = want_grad(L, 3);
  int64_t n = a->shape[0], d = n ? a->size / n : 0;
  dim_int(L, n, fn);
  dim_int(L, d, fn);
  Tensor *grad = g ? push_tensor(L, a->ndim, a->shape) : NULL;
  double loss;
  f(a->data, t->data, grad ? grad->data : NULL, (int)n, (int)d, &loss);
  return push_loss(L, loss, grad);
}

static int l_softmax_ce(lua_State *L) {
  return pair_loss(L, "softmax_crossentropy", nn_softmax_ce, 1);
}
static int l_categorical_ce(lua_State *L) {
  return pair_loss(L, "categorical_crossentropy", nn_categorical_ce, 1);
}
static int l_binary_ce(lua_State *L) {
  return pair_loss(L, "binary_crossentropy", nn_binary_ce, 0);
}
static int l_sigmoid_bce(lua_State *L) {
  return pair_loss(L, "sigmoid_binary_crossentropy", nn_sigmoid_bce, 0);
}
static int l_mse(lua_State *L) { return pair_loss(L, "mse", nn_mse, 0); }

/* ---- optimizers --------------------------------------------------------- */

/* g and each state must have p's element count */
static Tensor *like_param(lua_State *L, int i, const Tensor *p,
                          const char *fn, const char *what, int inout) {
  Tensor *t = inout ? inout_tensor(L, i, fn, what) : arg_tensor(L, i);
  if (t->size != p->size)
    lerror(L, "%s: %s has %lld elements, the parameter has %lld", fn,
         what, (long long)t->size, (long long)p->size);
  return t;
}

static float opt_rate(lua_State *L, int opts, const char *key, double def,
                      const char *fn) {
  double v = opt_num(L, opts, key, def, fn);
  if (!(v >= 0) || !isfinite(v))
    lerror(L, "%s: %s must be a non-negative number, got %g", fn, key, v);
  return (float)v;
}

static int l_sgd_step(lua_State *L) {
  const char *fn = "sgd_step";
  Tensor *p = inout_tensor(L, 1, fn, "the parameter");
  Tensor *g = like_param(L, 2, p, fn, "the gradient", 0);
  int opts = get_opts(L, 4, fn, sgd_opts);
  NnSGD o = NN_SGD_DEFAULTS;
  o.lr = opt_rate(L, opts, "learning_rate", o.lr, fn);
  o.momentum = opt_rate(L, opts, "momentum", o.momentum, fn);
  o.nesterov = opt_bool(L, opts, "nesterov", 0);
  Tensor *v = NULL;
  if (o.momentum != 0) {
    if (lua_isnoneornil(L, 3))
      lerror(L, "%s: momentum %g needs a velocity tensor", fn, o.momentum);
    v = like_param(L, 3, p, fn, "the velocity", 1);
  }
  nn_sgd_step(&o, p->data, g->data, v ? v->data : NULL, p->size);
  return 0;
}

/* Adam's options (Adamax and Nadam take the same), checked */
static NnAdam adam_params(lua_State *L, int opts, const char *fn) {
  NnAdam o = NN_ADAM_DEFAULTS;
  o.lr = opt_rate(L, opts, "learning_rate", o.lr, fn);
  o.beta1 = opt_rate(L, opts, "beta_1", o.beta1, fn);
  o.beta2 = opt_rate(L, opts, "beta_2", o.beta2, fn);
  o.eps = opt_rate(L, opts, "epsilon", o.eps, fn);
  if (o.beta1 >= 1 || o.beta2 >= 1)
    lerror(L, "%s: beta_1 and beta_2 must be below 1", fn);
  return o;
}

static int l_adam_step(lua_State *L) {
  const char *fn = "adam_step";
  Tensor *p = inout_tensor(L, 1, fn, "the parameter");
  Tensor *g = like_param(L, 2, p, fn, "the gradient", 0);
  Tensor *m = like_param(L, 3, p, fn, "m", 1);
  Tensor *v = like_param(L, 4, p, fn, "v", 1);
  lua_Integer t = luaL_checkinteger(L, 5);
  if (t < 1)
    lerror(L, "%s: step t must be 1 or more, got %lld", fn, (long long)t);
  int opts = get_opts(L, 6, fn, adam_opts);
  NnAdam o = adam_params(L, opts, fn);
  nn_adam_step(&o, p->data, g->data, m->data, v->data, t, p->size);
  return 0;
}

static int l_rmsprop_step(lua_State *L) {
  const char *fn = "rmsprop_step";
  Tensor *p = inout_tensor(L, 1, fn, "the parameter");
  Tensor *g = like_param(L, 2, p, fn, "the gradient", 0);
  Tensor *ms = like_param(L, 3, p, fn, "ms", 1);
  int opts = get_opts(L, 6, fn, rmsprop_opts);
  NnRMSprop o = NN_RMSPROP_DEFAULTS;
  o.lr = opt_rate(L, opts, "learning_rate", o.lr, fn);
  o.rho = opt_rate(L, opts, "rho", o.rho, fn);
  o.momentum = opt_rate(L, opts, "momentum", o.momentum, fn);
  o.eps = opt_rate(L, opts, "epsilon", o.eps, fn);
  o.centered = opt_bool(L, opts, "centered", 0);
  Tensor *mom = NULL, *mg = NULL;
  if (o.momentum != 0) {
    if (lua_isnoneornil(L, 4))
      lerror(L, "%s: momentum %g needs a mom tensor", fn, o.momentum);
    mom = like_param(L, 4, p, fn, "mom", 1);
  }
  if (o.centered) {
    if (lua_isnoneornil(L, 5))
      lerror(L, "%s: centered needs an mg tensor", fn);
    mg = like_param(L, 5, p, fn, "mg", 1);
  }
  nn_rmsprop_step(&o, p->data, g->data, ms->data, mom ? mom->data : NULL,
                  mg ? mg->data : NULL, p->size);
  return 0;
}

/* ---- initialisers, shapes, threads -------------------------------------- */

static int l_init(lua_State *L) {
  const char *fn = "init";
  const char *kind = luaL_checkstring(L, 1);
  int k = nn_init_parse(kind);
  if (k < 0)
    lerror(L, "%s: unknown initializer '%s' (expected zeros, ones, "
         "glorot_uniform, glorot_normal, he_uniform, he_normal, "
         "lecun_uniform, lecun_normal, orthogonal, random_normal, "
         "random_uniform or truncated_normal)", fn, kind);
  Tensor *t = inout_tensor(L, 2, fn, "the tensor to fill");
  double fin, fout;
  nn_fans(t->ndim, t->shape, &fin, &fout);
  fin = luaL_optnumber(L, 3, fin);
  fout = luaL_optnumber(L, 4, fout);
  if (!(fin > 0 && fout > 0))
    lerror(L, "%s: fans must be positive, got %g and %g", fn, fin, fout);
  if (k == NN_INIT_ORTHOGONAL) {
    int64_t cols = t->ndim ? t->shape[t->ndim - 1] : 1;
    if (nn_init_orthogonal(t->data, cols ? t->size / cols : 0, cols))
      raise_nomem(L, fn);
  } else {
    nn_init_fill((NnInit)k, t->data, t->size, fin, fout);
  }
  lua_settop(L, 2);
  return 1;
}

static int l_fans(lua_State *L) {
  int64_t shape[TENSOR_MAXDIM];
  int n;
  Tensor *t = test_tensor(L, 1);
  if (t) {
    n = t->ndim;
    memcpy(shape, t->shape, sizeof shape);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    n = check_shape(L, 1, shape, 0);
  }
  double fin, fout;
  nn_fans(n, shape, &fin, &fout);
  lua_pushinteger(L, (lua_Integer)fin);   /* products of sizes: integral */
  lua_pushinteger(L, (lua_Integer)fout);
  return 2;
}

static int l_output_size(lua_State *L) {
  const char *fn = "output_size";
  int in = positive_int(L, 1, fn, "sizes");
  int k = positive_int(L, 2, fn, "sizes");
  int s = positive_int(L, 3, fn, "sizes");
  int same = check_padding(L, 4, fn);
  NnConv2D p = {.n = 1, .h = in, .w = 1, .c = 1, .kh = k, .kw = 1, .f = 1,
                .sh = s, .sw = 1, .same = same};
  lua_pushinteger(L, nn_conv2d_shape(&p) ? 0 : p.oh);
  return 1;
}

static int l_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    lua_Integer n = luaL_checkinteger(L, 1);
    if (n < 1 || n > THREADS_MAX)
      lerror(L, "threads: count must be in 1..%d, got %lld", THREADS_MAX,
           (long long)n);
    threads_set_count((int)n);
  }
  lua_pushinteger(L, threads_count());
  return 1;
}

/* ---- the chapter 8 optimizers ------------------------------------------- */

static const OptSpec adagrad_opts[] = {
  {"learning_rate", OPT_NUMBER}, {"epsilon", OPT_NUMBER}, {NULL, 0}};
static const OptSpec adadelta_opts[] = {
  {"learning_rate", OPT_NUMBER}, {"rho", OPT_NUMBER},
  {"epsilon", OPT_NUMBER}, {NULL, 0}};
static const OptSpec nadam_opts[] = {
  {"learning_rate", OPT_NUMBER}, {"beta_1", OPT_NUMBER},
  {"beta_2", OPT_NUMBER}, {"epsilon", OPT_NUMBER},
  {"m_schedule", OPT_NUMBER}, {NULL, 0}};

/* adagrad_step(p, g, acc [, opts]) */
static int l_adagrad_step(lua_State *L) {
  const char *fn = "adagrad_step";
  Tensor *p = inout_tensor(L, 1, fn, "the parameter");
  Tensor *g = like_param(L, 2, p, fn, "the gradient", 0);
  Tensor *acc = like_param(L, 3, p, fn, "acc", 1);
  int opts = get_opts(L, 4, fn, adagrad_opts);
  NnAdagrad o = NN_ADAGRAD_DEFAULTS;
  o.lr = opt_rate(L, opts, "learning_rate", o.lr, fn);
  o.eps = opt_rate(L, opts, "epsilon", o.eps, fn);
  nn_adagrad_step(&o, p->data, g->data, acc->data, p->size);
  return 0;
}

/* adadelta_step(p, g, acc, acc_up [, opts]) */
static int l_adadelta_step(lua_State *L) {
  const char *fn = "adadelta_step";
  Tensor *p = inout_tensor(L, 1, fn, "the parameter");
  Tensor *g = like_param(L, 2, p, fn, "the gradient", 0);
  Tensor *acc = like_param(L, 3, p, fn, "acc", 1);
  Tensor *up = like_param(L, 4, p, fn, "acc_up", 1);
  int opts = get_opts(L, 5, fn, adadelta_opts);
  NnAdadelta o = NN_ADADELTA_DEFAULTS;
  o.lr = opt_rate(L, opts, "learning_rate", o.lr, fn);
  o.rho = opt_rate(L, opts, "rho", o.rho, fn);
  o.eps = opt_rate(L, opts, "epsilon", o.eps, fn);
  if (o.rho >= 1) lerror(L, "%s: rho must be below 1", fn);
  nn_adadelta_step(&o, p->data, g->data, acc->data, up->data, p->size);
  return 0;
}

/* adamax_step / nadam_step(p, g, m, v, t [, opts]); nadam's opts.m_schedule
 * is mu_1 ... mu_t (nadam_mu gives mu_t) */
static int adam_like(lua_State *L, int nadam) {
  const char *fn = nadam ? "nadam_step" : "adamax_step";
  Tensor *p = inout_tensor(L, 1, fn, "the parameter");
  Tensor *g = like_param(L, 2, p, fn, "the gradient", 0);
  Tensor *m = like_param(L, 3, p, fn, "m", 1);
  Tensor *v = like_param(L, 4, p, fn, "v", 1);
  lua_Integer t = luaL_checkinteger(L, 5);
  if (t < 1)
    lerror(L, "%s: step t must be 1 or more, got %lld", fn, (long long)t);
  int opts = get_opts(L, 6, fn, nadam ? nadam_opts : adam_opts);
  NnAdam o = adam_params(L, opts, fn);
  if (!nadam) {
    nn_adamax_step(&o, p->data, g->data, m->data, v->data, t, p->size);
    return 0;
  }
  double sched = opt_num(L, opts, "m_schedule", -1, fn);
  if (sched < 0) {                  /* not kept by the caller: the product */
    sched = 1;
    for (lua_Integer k = 1; k <= t; k++) sched *= nn_nadam_mu(&o, k);
  }
  nn_nadam_step(&o, p->data, g->data, m->data, v->data, t, sched, p->size);
  return 0;
}
static int l_adamax_step(lua_State *L) { return adam_like(L, 0); }
static int l_nadam_step(lua_State *L) { return adam_like(L, 1); }

/* mu = nadam_mu(t [, beta_1]) */
static int l_nadam_mu(lua_State *L) {
  NnAdam o = NN_ADAM_DEFAULTS;
  lua_Integer t = luaL_checkinteger(L, 1);
  o.beta1 = (float)luaL_optnumber(L, 2, o.beta1);
  lua_pushnumber(L, nn_nadam_mu(&o, t));
  return 1;
}

/* ---- embedding ---------------------------------------------------------- */

/* the ids at i (any shape) against a (vocab, d) table at j */
static void embed_args(lua_State *L, Tensor *ids, Tensor *tab, int *vocab,
                       int *d, const char *fn) {
  char s[128];
  if (tab->ndim != 2)
    lerror(L, "%s: the table must be (input_dim, output_dim), got %s", fn,
           shape_of(tab, s, sizeof s));
  *vocab = dim_int(L, tab->shape[0], fn);
  *d = dim_int(L, tab->shape[1], fn);
  if (ids->ndim + 1 > TENSOR_MAXDIM)
    lerror(L, "%s: ids have too many axes", fn);
  int64_t bad = nn_embedding_check(ids->data, ids->size, *vocab);
  if (bad >= 0) {
    int64_t per = ids->ndim > 1 ? ids->size / ids->shape[0] : 1;
    if (ids->ndim > 1)
      lerror(L, "%s: id %g is not an integer in 0..%d (sample %lld, "
             "position %lld)", fn, ids->data[bad], *vocab - 1,
             (long long)(bad / per + 1), (long long)(bad % per + 1));
    lerror(L, "%s: id %g is not an integer in 0..%d (position %lld)", fn,
           ids->data[bad], *vocab - 1, (long long)bad + 1);
  }
}

/* y = embedding_forward(ids, table): y has ids' shape plus d */
static int l_embedding_forward(lua_State *L) {
  const char *fn = "embedding_forward";
  Tensor *ids = arg_tensor(L, 1), *tab = arg_tensor(L, 2);
  int vocab, d;
  embed_args(L, ids, tab, &vocab, &d, fn);
  int64_t shape[TENSOR_MAXDIM];
  memcpy(shape, ids->shape, sizeof(int64_t) * (size_t)ids->ndim);
  shape[ids->ndim] = d;
  Tensor *y = push_tensor(L, ids->ndim + 1, shape);
  nn_embedding_forward(ids->data, tab->data, y->data, ids->size, d);
  return 1;
}

/* dtable = embedding_backward(ids, dy, table) */
static int l_embedding_backward(lua_State *L) {
  const char *fn = "embedding_backward";
  Tensor *ids = arg_tensor(L, 1), *dy = arg_tensor(L, 2);
  Tensor *tab = arg_tensor(L, 3);
  int vocab, d;
  embed_args(L, ids, tab, &vocab, &d, fn);
  if (dy->size != ids->size * d)
    lerror(L, "%s: dy has %lld values, ids times output_dim is %lld", fn,
           (long long)dy->size, (long long)(ids->size * d));
  Tensor *dt = push_tensor(L, 2, tab->shape);
  nn_embedding_backward(ids->data, dy->data, dt->data, ids->size, vocab, d);
  return 1;
}

/* ---- recurrent layers --------------------------------------------------- */

static const OptSpec rnn_fwd_opts[] = {
  {"activation", OPT_STRING}, {"recurrent_activation", OPT_STRING},
  {"reset_after", OPT_BOOLEAN}, {"mask", OPT_USERDATA}, {NULL, 0}};
static const OptSpec rnn_bwd_opts[] = {
  {"activation", OPT_STRING}, {"recurrent_activation", OPT_STRING},
  {"reset_after", OPT_BOOLEAN}, {"mask", OPT_USERDATA},
  {"dy", OPT_USERDATA}, {"dh_last", OPT_USERDATA},
  {"dc_last", OPT_USERDATA}, {"need_dx", OPT_BOOLEAN}, {NULL, 0}};

/* an activation option for a recurrent cell: element-wise, and one whose
 * derivative the output gives */
static NnAct rnn_act(lua_State *L, int opts, const char *key, NnAct def,
                     const char *fn) {
  NnAct a = def;
  if (get_opt(L, opts, key) != LUA_TNIL) a = act_at(L, -1, fn);
  lua_pop(L, 1);
  if (a == NN_SOFTMAX || !nn_act_from_output(a))
    lerror(L, "%s: %s '%s' is not supported in a recurrent cell", fn, key,
           nn_act_name(a));
  return a;
}

/* an optional (N, u) tensor option */
static Tensor *rnn_state_opt(lua_State *L, int opts, const char *key,
                             const NnRnn *p, const char *fn) {
  if (get_opt(L, opts, key) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  Tensor *t = arg_tensor(L, lua_gettop(L));
  char s[128];
  if (t->ndim != 2 || t->shape[0] != p->n || t->shape[1] != p->u)
    lerror(L, "%s: opts.%s must be (%d, %d), got %s", fn, key, p->n, p->u,
           shape_of(t, s, sizeof s));
  return t;
}

/* kind name at i, the shapes of x, w, r, b and the options -> p */
static void rnn_setup(lua_State *L, NnRnn *p, const Tensor *x,
                      const Tensor *w, const Tensor *r, const Tensor *b,
                      int opts, const char *fn) {
  static const char *const kinds[] = {"simple_rnn", "lstm", "gru", NULL};
  p->kind = (NnRnnKind)luaL_checkoption(L, 1, NULL, kinds);
  char s1[128], s2[128];
  if (x->ndim == 2)
    lerror(L, "%s: expects sequences (N, T, features), got %s; for one "
           "feature per step reshape it with x:reshape(%lld, %lld, 1)", fn,
           shape_of(x, s1, sizeof s1), (long long)x->shape[0],
           (long long)x->shape[1]);
  if (x->ndim != 3)
    lerror(L, "%s: expects sequences (N, T, features), got %s", fn,
           shape_of(x, s1, sizeof s1));
  if (x->shape[1] == 0)
    lerror(L, "%s: the sequences have length 0 (input %s); every sample "
           "needs at least one time step", fn, shape_of(x, s1, sizeof s1));
  int g = nn_rnn_gates(p->kind);
  if (r->ndim != 2 || r->shape[0] < 1 || r->shape[1] != g * r->shape[0])
    lerror(L, "%s: recurrent kernel must be (units, %d units), got %s", fn,
           g, shape_of(r, s1, sizeof s1));
  int64_t u = r->shape[0];
  if (w->ndim != 2 || w->shape[1] != g * u)
    lerror(L, "%s: kernel must be (features, %lld), got %s", fn,
           (long long)(g * u), shape_of(w, s1, sizeof s1));
  if (w->shape[0] != x->shape[2])
    lerror(L, "%s: input has %lld features per step, the kernel %s "
           "expects %lld", fn, (long long)x->shape[2],
           shape_of(w, s1, sizeof s1), (long long)w->shape[0]);
  p->n = dim_int(L, x->shape[0], fn);
  p->t = dim_int(L, x->shape[1], fn);
  p->f = dim_int(L, x->shape[2], fn);
  p->u = dim_int(L, u, fn);
  if ((int64_t)p->n * p->t > INT_MAX / (g * p->u + p->f + 1))
    lerror(L, "%s: input %s is too large", fn, shape_of(x, s1, sizeof s1));
  p->act = rnn_act(L, opts, "activation", NN_TANH, fn);
  p->rec_act = rnn_act(L, opts, "recurrent_activation", NN_SIGMOID, fn);
  p->reset_after = p->kind == NN_RNN_GRU && opt_bool(L, opts, "reset_after", 1);
  if (b) {
    int two = p->kind == NN_RNN_GRU && p->reset_after;
    int okb = two ? b->ndim == 2 && b->shape[0] == 2 && b->shape[1] == g * u
                  : b->ndim == 1 && b->shape[0] == g * u;
    if (!okb) {
      if (two) snprintf(s2, sizeof s2, "(2, %lld)", (long long)(g * u));
      else snprintf(s2, sizeof s2, "(%lld,)", (long long)(g * u));
      lerror(L, "%s: bias must be %s, got %s", fn, s2,
             shape_of(b, s1, sizeof s1));
    }
  }
}

/* y, cache, c_last = rnn_forward(kind, x, w, r [, b [, opts]]) */
static int l_rnn_forward(lua_State *L) {
  const char *fn = "rnn_forward";
  Tensor *x = arg_tensor(L, 2), *w = arg_tensor(L, 3), *r = arg_tensor(L, 4);
  Tensor *b = opt_tensor(L, 5);
  int opts = get_opts(L, 6, fn, rnn_fwd_opts);
  NnRnn p;
  rnn_setup(L, &p, x, w, r, b, opts, fn);
  Tensor *mask = rnn_state_opt(L, opts, "mask", &p, fn);
  int64_t ys[3] = {p.n, p.t, p.u}, cs = nn_rnn_cache_size(&p);
  int64_t hs[2] = {p.n, p.u};
  Tensor *y = push_tensor(L, 3, ys);
  Tensor *cache = push_tensor(L, 1, &cs);
  Tensor *cl = p.kind == NN_RNN_LSTM ? push_tensor(L, 2, hs) : NULL;
  if (!cl) lua_pushnil(L);
  if (nn_rnn_forward(&p, x->data, w->data, r->data, data_or_null(b),
                     data_or_null(mask), cache->data, y->data,
                     cl ? cl->data : NULL))
    raise_nomem(L, fn);
  return 3;
}

/* dx, dw, dr, db = rnn_backward(kind, x, w, r, b, cache [, opts]) */
static int l_rnn_backward(lua_State *L) {
  const char *fn = "rnn_backward";
  Tensor *x = arg_tensor(L, 2), *w = arg_tensor(L, 3), *r = arg_tensor(L, 4);
  Tensor *b = opt_tensor(L, 5);
  Tensor *cache = arg_tensor(L, 6);
  int opts = get_opts(L, 7, fn, rnn_bwd_opts);
  NnRnn p;
  rnn_setup(L, &p, x, w, r, b, opts, fn);
  if (cache->size != nn_rnn_cache_size(&p))
    lerror(L, "%s: the cache has %lld values, this layer's forward makes "
           "%lld (pass the cache rnn_forward returned)", fn,
           (long long)cache->size, (long long)nn_rnn_cache_size(&p));
  Tensor *mask = rnn_state_opt(L, opts, "mask", &p, fn);
  Tensor *dhl = rnn_state_opt(L, opts, "dh_last", &p, fn);
  Tensor *dcl = rnn_state_opt(L, opts, "dc_last", &p, fn);
  Tensor *dy = NULL;
  if (get_opt(L, opts, "dy") != LUA_TNIL) {
    dy = arg_tensor(L, lua_gettop(L));
    char s1[128];
    if (dy->ndim != 3 || dy->shape[0] != p.n || dy->shape[1] != p.t ||
        dy->shape[2] != p.u)
      lerror(L, "%s: opts.dy must be (%d, %d, %d), got %s", fn, p.n, p.t,
             p.u, shape_of(dy, s1, sizeof s1));
  } else {
    lua_pop(L, 1);
  }
  int need_dx = opt_bool(L, opts, "need_dx", 1);
  Tensor *dx = need_dx ? push_tensor(L, 3, x->shape) : NULL;
  if (!dx) lua_pushnil(L);
  Tensor *dw = push_tensor(L, 2, w->shape), *dr = push_tensor(L, 2, r->shape);
  Tensor *db = b ? push_tensor(L, b->ndim, b->shape) : NULL;
  if (!db) lua_pushnil(L);
  if (nn_rnn_backward(&p, x->data, w->data, r->data, data_or_null(b),
                      data_or_null(mask), cache->data, data_or_null(dy),
                      data_or_null(dhl), data_or_null(dcl),
                      dx ? dx->data : NULL, dw->data, dr->data,
                      db ? db->data : NULL))
    raise_nomem(L, fn);
  return 4;
}

/* ---- transposed conv2d, upsampling --------------------------------------- */

static const OptSpec convt_fwd_opts[] = {
  {"activation", OPT_STRING}, {"strides", OPT_INTEGER | OPT_TABLE},
  {"padding", OPT_STRING}, {"output_padding", OPT_INTEGER | OPT_TABLE},
  {"out", OPT_USERDATA}, {NULL, 0}};
static const OptSpec convt_bwd_opts[] = {
  {"activation", OPT_STRING}, {"strides", OPT_INTEGER | OPT_TABLE},
  {"padding", OPT_STRING}, {"output_padding", OPT_INTEGER | OPT_TABLE},
  {"y", OPT_USERDATA}, {"need_dx", OPT_BOOLEAN}, {"dx", OPT_USERDATA},
  {"dw", OPT_USERDATA}, {"db", OPT_USERDATA}, {NULL, 0}};

/* opts.output_padding: absent/nil -> -1 (none), else n or {a, b} >= 0 */
static void opt_output_padding(lua_State *L, int opts, int *op,
                               const char *fn) {
  int t = get_opt(L, opts, "output_padding");
  op[0] = op[1] = -1;
  if (t != LUA_TNIL) {
    int n = t == LUA_TTABLE ? 2 : 1;
    if (t == LUA_TTABLE && luaL_len(L, -1) != 2)
      lerror(L, "%s: output_padding must be a number or a pair {rows, cols}", fn);
    for (int k = 0; k < n; k++) {
      if (t == LUA_TTABLE) lua_geti(L, -1, k + 1);
      else lua_pushvalue(L, -1);
      int isnum;
      lua_Integer v = lua_tointegerx(L, -1, &isnum);
      if (!isnum || v < 0 || v > INT_MAX)
        lerror(L, "%s: output_padding must be non-negative integers, got %s",
               fn, luaL_tolstring(L, -1, NULL));
      op[k] = (int)v;
      lua_pop(L, 1);
    }
    if (n == 1) op[1] = op[0];
  }
  lua_pop(L, 1);
}

static NnConvT2D convt_params(lua_State *L, const Tensor *x, const Tensor *w,
                              const Tensor *b, int opts, const char *fn) {
  char s1[128];
  check_image(L, x, fn);
  if (w->ndim != 4)
    lerror(L, "%s: kernel must be (KH, KW, F, C), got %s", fn,
           shape_of(w, s1, sizeof s1));
  if (w->shape[3] != x->shape[3])
    lerror(L, "%s: input has %lld channels, kernel (KH, KW, F, C) expects "
           "%lld", fn, (long long)x->shape[3], (long long)w->shape[3]);
  if (b && (b->ndim != 1 || b->shape[0] != w->shape[2]))
    lerror(L, "%s: bias must be (%lld), one per filter, got %s", fn,
           (long long)w->shape[2], shape_of(b, s1, sizeof s1));
  int one[2] = {1, 1}, st[2], op[2];
  opt_pair(L, opts, "strides", one, st, fn);
  opt_output_padding(L, opts, op, fn);
  NnConvT2D p = {.n = dim_int(L, x->shape[0], fn), .h = (int)x->shape[1],
                 .w = (int)x->shape[2], .c = (int)x->shape[3],
                 .kh = dim_int(L, w->shape[0], fn),
                 .kw = dim_int(L, w->shape[1], fn),
                 .f = dim_int(L, w->shape[2], fn), .sh = st[0], .sw = st[1],
                 .same = opt_padding(L, opts, fn), .oph = op[0], .opw = op[1]};
  if (p.h < 1 || p.w < 1 || p.c < 1 || p.kh < 1 || p.kw < 1 || p.f < 1)
    lerror(L, "%s: empty input or kernel (input %s)", fn,
           shape_of(x, s1, sizeof s1));
  int r = nn_convt2d_shape(&p);
  if (r == -2 && (op[0] >= p.sh || op[1] >= p.sw))
    lerror(L, "%s: output_padding {%d, %d} must be smaller than the strides "
           "{%d, %d}", fn, op[0], op[1], p.sh, p.sw);
  if (r == -2)
    lerror(L, "%s: output %dx%d does not map back to the %dx%d input with "
           "padding '%s' (change output_padding)", fn, p.oh, p.ow, p.h, p.w,
           p.same ? "same" : "valid");
  if (r)
    lerror(L, "%s: input or kernel too large", fn);
  return p;
}

static int convt_forward(lua_State *L, int naive) {
  const char *fn = naive ? "conv2d_transpose_forward_naive"
                         : "conv2d_transpose_forward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *b = opt_tensor(L, 3);
  int opts = get_opts(L, 4, fn, convt_fwd_opts);
  NnAct act = opt_act(L, opts, fn);
  NnConvT2D p = convt_params(L, x, w, b, opts, fn);
  Tensor *in[3] = {x, w, b};
  int64_t shape[4] = {p.n, p.oh, p.ow, p.f};
  Tensor *y = push_out(L, opts, "out", 4, shape, fn, in, 3);
  const float *bd = b ? b->data : NULL;
  if (naive) nn_convt2d_forward_naive(&p, x->data, w->data, bd, y->data, act);
  else if (nn_convt2d_forward(&p, x->data, w->data, bd, y->data, act))
    raise_nomem(L, fn);
  return 1;
}

static int l_convt2d_forward(lua_State *L) { return convt_forward(L, 0); }
static int l_convt2d_forward_naive(lua_State *L) { return convt_forward(L, 1); }

static int convt_backward(lua_State *L, int naive) {
  const char *fn = naive ? "conv2d_transpose_backward_naive"
                         : "conv2d_transpose_backward";
  Tensor *x = arg_tensor(L, 1), *w = arg_tensor(L, 2), *dy = arg_tensor(L, 3);
  int opts = get_opts(L, 4, fn, convt_bwd_opts);
  NnAct act = opt_act(L, opts, fn);
  NnConvT2D p = convt_params(L, x, w, NULL, opts, fn);
  int64_t yshape[4] = {p.n, p.oh, p.ow, p.f};
  ConvGrads g = push_conv_grads(L, opts, act, x, w, dy, yshape, 2, fn);
  if (naive)
    nn_convt2d_backward_naive(&p, x->data, w->data, g.y, dy->data, g.dx,
                              g.dw, g.db, act);
  else if (nn_convt2d_backward(&p, x->data, w->data, g.y, dy->data, g.dx,
                               g.dw, g.db, act))
    raise_nomem(L, fn);
  return 3;
}

static int l_convt2d_backward(lua_State *L) { return convt_backward(L, 0); }
static int l_convt2d_backward_naive(lua_State *L) { return convt_backward(L, 1); }

static const OptSpec upsample_opts[] = {
  {"size", OPT_INTEGER | OPT_TABLE}, {"interpolation", OPT_STRING},
  {"out", OPT_USERDATA}, {NULL, 0}};

/* size and interpolation from opts; 1 for bilinear */
static int upsample_params(lua_State *L, int opts, int *size, const char *fn) {
  int two[2] = {2, 2};
  opt_pair(L, opts, "size", two, size, fn);
  get_opt(L, opts, "interpolation");
  const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  int bilinear = s && strcmp(s, "bilinear") == 0;
  if (!lua_isnil(L, -1) && !bilinear && !(s && strcmp(s, "nearest") == 0))
    lerror(L, "%s: interpolation must be 'nearest' or 'bilinear', got '%s'",
           fn, s ? s : luaL_typename(L, -1));
  lua_pop(L, 1);
  return bilinear;
}

/* y = upsample2d_forward(x [, {size, interpolation, out}]) */
static int l_upsample2d_forward(lua_State *L) {
  const char *fn = "upsample2d_forward";
  Tensor *x = arg_tensor(L, 1);
  int opts = get_opts(L, 2, fn, upsample_opts), size[2];
  check_image(L, x, fn);
  int bil = upsample_params(L, opts, size, fn);
  int64_t oh = x->shape[1] * size[0], ow = x->shape[2] * size[1];
  dim_int(L, oh, fn);
  dim_int(L, ow, fn);
  int64_t shape[4] = {x->shape[0], oh, ow, x->shape[3]};
  Tensor *y = push_out(L, opts, "out", 4, shape, fn, &x, 1);
  nn_upsample2d_forward(x->data, y->data, (int)x->shape[0], (int)x->shape[1],
                        (int)x->shape[2], (int)x->shape[3], size[0], size[1],
                        bil);
  return 1;
}

/* dx = upsample2d_backward(x, dy [, {size, interpolation, out}]): x for
 * its shape; out is dx's buffer */
static int l_upsample2d_backward(lua_State *L) {
  const char *fn = "upsample2d_backward";
  Tensor *x = arg_tensor(L, 1), *dy = arg_tensor(L, 2);
  int opts = get_opts(L, 3, fn, upsample_opts), size[2];
  check_image(L, x, fn);
  int bil = upsample_params(L, opts, size, fn);
  int64_t shape[4] = {x->shape[0], x->shape[1] * size[0],
                      x->shape[2] * size[1], x->shape[3]};
  Tensor want;
  char err[TENSOR_ERRLEN];
  tensor_init(&want, NULL, 4, shape, err);
  same_shape(L, dy, &want, fn, "dy", "the forward output");
  Tensor *in[2] = {x, dy};
  Tensor *dx = push_out(L, opts, "out", 4, x->shape, fn, in, 2);
  nn_upsample2d_backward(dy->data, dx->data, (int)x->shape[0],
                         (int)x->shape[1], (int)x->shape[2], (int)x->shape[3],
                         size[0], size[1], bil);
  return 1;
}

static const luaL_Reg functions[] = {
  {"dense_forward", l_dense_forward},
  {"dense_backward", l_dense_backward},
  {"conv2d_forward", l_conv2d_forward},
  {"conv2d_backward", l_conv2d_backward},
  {"conv2d_forward_naive", l_conv2d_forward_naive},
  {"conv2d_backward_naive", l_conv2d_backward_naive},
  {"maxpool2d_forward", l_maxpool2d_forward},
  {"conv2d_maxpool_forward", l_conv2d_maxpool_forward},
  {"maxpool2d_backward", l_maxpool2d_backward},
  {"avgpool2d_forward", l_avgpool2d_forward},
  {"avgpool2d_backward", l_avgpool2d_backward},
  {"global_avgpool2d_forward", l_global_avgpool2d_forward},
  {"global_avgpool2d_backward", l_global_avgpool2d_backward},
  {"activation_forward", l_activation_forward},
  {"activation_backward", l_activation_backward},
  {"activation_backward_x", l_activation_backward_x},
  {"dropout_forward", l_dropout_forward},
  {"dropout_backward", l_dropout_backward},
  {"dropout_train", l_dropout_train},
  {"batchnorm_forward", l_batchnorm_forward},
  {"batchnorm_backward", l_batchnorm_backward},
  {"sparse_softmax_crossentropy", l_sparse_softmax_ce},
  {"softmax_crossentropy", l_softmax_ce},
  {"sparse_categorical_crossentropy", l_sparse_categorical_ce},
  {"categorical_crossentropy", l_categorical_ce},
  {"binary_crossentropy", l_binary_ce},
  {"sigmoid_binary_crossentropy", l_sigmoid_bce},
  {"mse", l_mse},
  {"sgd_step", l_sgd_step},
  {"adam_step", l_adam_step},
  {"rmsprop_step", l_rmsprop_step},
  {"init", l_init},
  {"fans", l_fans},
  {"output_size", l_output_size},
  {"threads", l_threads},
  {"rnn_forward", l_rnn_forward},
  {"embedding_forward", l_embedding_forward},
  {"embedding_backward", l_embedding_backward},
  {"adagrad_step", l_adagrad_step},
  {"adadelta_step", l_adadelta_step},
  {"adamax_step", l_adamax_step},
  {"nadam_step", l_nadam_step},
  {"nadam_mu", l_nadam_mu},
  {"rnn_backward", l_rnn_backward},
  {"conv2d_transpose_forward", l_convt2d_forward},
  {"conv2d_transpose_backward", l_convt2d_backward},
  {"conv2d_transpose_forward_naive", l_convt2d_forward_naive},
  {"conv2d_transpose_backward_naive", l_convt2d_backward_naive},
  {"upsample2d_forward", l_upsample2d_forward},
  {"upsample2d_backward", l_upsample2d_backward},
  {NULL, NULL}
};

/* Training allocates and frees the same few-megabyte tensors every step.
 * With glibc's defaults each is mmap'd and unmapped, or trimmed off the
 * heap top after a collection, so every step pays a page fault per 4 KB
 * it touches: about 2 ms of a 9 ms step of the course CNN (measured).
 * Loading the kernels keeps such blocks in the heap instead. */
static void tune_malloc(void) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

int luaopen_nn(lua_State *L) {
  tune_malloc();
  luaL_newmetatable(L, DROPKEEP_MT);     /* dropout_train's keep objects */
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  /* the activation names, the one list the Lua layers check against */
  lua_createtable(L, NN_ACT_COUNT, 0);
  for (int a = 0; a < NN_ACT_COUNT; a++) {
    lua_pushstring(L, nn_act_name((NnAct)a));
    lua_rawseti(L, -2, a + 1);
  }
  lua_setfield(L, -2, "activations");
  /* those whose derivative needs the input (not fused into dense/conv) */
  lua_newtable(L);
  for (int a = 0; a < NN_ACT_COUNT; a++)
    if (!nn_act_from_output((NnAct)a)) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, nn_act_name((NnAct)a));
    }
  lua_setfield(L, -2, "activations_need_input");
  return 1;
}
