/* nn_conv_direct.c - a direct 3x3 stride-1 convolution for one input
 * channel (the first layer of a grey-image CNN: 28x28x1 -> 28x28x32).
 *
 * With C = 1 a convolution has 9 multiply-adds per output value and no
 * reduction over channels: im2col builds a 9-column matrix and oneDNN's
 * kernels, built for many channels, reach about half the core's speed.
 * Here each sample is copied into a zero-padded (H+2)x(W+2) plane, the 9
 * taps of 16 filters live in 9 vector registers, and every output pixel
 * is 9 broadcast multiply-adds into one accumulator (measured 1.6x
 * oneDNN's forward on the course CNN's first layer).
 *
 *   forward   y[n,oy,ox,f] = act(b[f] + sum_t xpad[n, oy+ky, ox+kx] w[t,f])
 *   backward  (dx not needed: a first layer; others take the other paths)
 *             g = dy * act'(y);  dw[t,f] = sum_n sum_pix xpad * g;
 *             db[f] = sum_n sum_pix g
 * The backward sums each sample into its own partial and adds the
 * partials in sample order: the same bits for any number of threads. The
 * forward splits the batch by samples (each output is one thread's).
 * The vector type is GCC's generic one, lowered per clone (AVX-512,
 * AVX2, or SSE by default). */
#include <stdint.h>
#include <string.h>

#include "nn/nn.h"
#include "core/threads.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define DIRECT_HOT __attribute__((optimize("no-math-errno"),            \
                                  target_clones("avx512f", "avx2", "default")))
#else
#define DIRECT_HOT
#endif

#define VL 16                    /* filters per vector */
#define PLANE_MAX 4096           /* padded plane floats (64x64), at most */

typedef float vec __attribute__((vector_size(VL * sizeof(float))));

typedef struct {
  const NnConv2D *p;
  const NnPool2D *q;             /* fused max pooling of the output */
  const float *x, *w, *b, *y, *dy;
  float *yout;
  float *part;                   /* backward: n x 10 x F partials */
  NnAct act;
  int failed;
} Direct;

int nn_conv2d_direct_wanted(const NnConv2D *p, NnAct act) {
  return p->c == 1 && p->kh == 3 && p->kw == 3 && p->sh == 1 &&
         p->sw == 1 && p->f % VL == 0 && p->f <= 1024 &&
         (int64_t)(p->oh + 2) * (p->ow + 2) <= PLANE_MAX &&
         (act == NN_LINEAR || act == NN_RELU);
}

/* sample n of x into a zero-padded plane: output (oy, ox) reads rows
 * oy..oy+2 and columns ox..ox+2 of it */
static void pad_plane(const NnConv2D *p, const float *x, float *plane) {
  const int pw = p->ow + 2, ph = p->oh + 2;
  memset(plane, 0, sizeof(float) * (size_t)(pw * ph));
  for (int r = 0; r < ph; r++) {
    int iy = r - p->pt;
    if (iy < 0 || iy >= p->h) continue;
    int c0 = p->pl, cn = p->w;          /* plane column c <-> ix = c - pl */
    if (c0 + cn > pw) cn = pw - c0;
    memcpy(plane + (int64_t)r * pw + c0, x + (int64_t)iy * p->w,
           sizeof(float) * (size_t)cn);
  }
}

typedef int32_t ivec __attribute__((vector_size(VL * sizeof(int32_t))));

/* an unaligned vector load (a macro: a function returning a vector
 * would have a different ABI in each clone) */
#define LOAD(v, ptr) memcpy(&(v), (ptr), sizeof(v))

/* Taps 3ky..3ky+2 of four neighbouring pixels (input row r[0..5]) into
 * their accumulators A0..A3, weights W0..W2: every pixel still adds its
 * taps in order 0..8, so the bits are those of one pixel at a time;
 * four pixels share each broadcast input and the kernel's registers. */
#define ROW4(r, A0, A1, A2, A3, W0, W1, W2)                                \
  do {                                                                     \
    const float s0 = (r)[0], s1 = (r)[1], s2 = (r)[2], s3 = (r)[3],        \
                s4 = (r)[4], s5 = (r)[5];                                  \
    A0 += s0 * W0; A1 += s1 * W0; A2 += s2 * W0; A3 += s3 * W0;            \
    A0 += s1 * W1; A1 += s2 * W1; A2 += s3 * W1; A3 += s4 * W1;            \
    A0 += s2 * W2; A1 += s3 * W2; A2 += s4 * W2; A3 += s5 * W2;            \
  } while (0)

/* one pixel's nine taps, in order */
#define PIXEL(A, r0, r1, r2, W)                                            \
  do {                                                                     \
    A += (r0)[0] * W##0; A += (r0)[1] * W##1; A += (r0)[2] * W##2;          \
    A += (r1)[0] * W##3; A += (r1)[1] * W##4; A += (r1)[2] * W##5;          \
    A += (r2)[0] * W##6; A += (r2)[1] * W##7; A += (r2)[2] * W##8;          \
  } while (0)

#define STORE(dst, A)                                                      \
  do {                                                                     \
    vec t_ = (A);                                                          \
    if (relu) t_ = (vec)((ivec)t_ & (t_ > zero));                          \
    memcpy((dst), &t_, sizeof t_);                                         \
  } while (0)

#define LOAD9(W, src)                                                      \
  LOAD(W##0, (src)); LOAD(W##1, (src) + F); LOAD(W##2, (src) + 2 * F);     \
  LOAD(W##3, (src) + 3 * F); LOAD(W##4, (src) + 4 * F);                    \
  LOAD(W##5, (src) + 5 * F); LOAD(W##6, (src) + 6 * F);                    \
  LOAD(W##7, (src) + 7 * F); LOAD(W##8, (src) + 8 * F)

/* one sample: y (OH, OW, F) from its padded plane; 32 filters (two
 * vectors) at a time where F allows, four pixels at a time along a row */
DIRECT_HOT static void fwd_sample(const Direct *d, const float *plane,
                                  float *y) {
  const NnConv2D *p = d->p;
  const int F = p->f, pw = p->ow + 2, ow = p->ow;
  const int relu = d->act == NN_RELU;
  const vec zero = {0};
  for (int f0 = 0; f0 < F;) {
    const int two = f0 + 2 * VL <= F;
    vec wa0, wa1, wa2, wa3, wa4, wa5, wa6, wa7, wa8, ba = {0};
    vec wb0 = zero, wb1 = zero, wb2 = zero, wb3 = zero, wb4 = zero;
    vec wb5 = zero, wb6 = zero, wb7 = zero, wb8 = zero, bb = {0};
    LOAD9(wa, d->w + f0);
    if (d->b) LOAD(ba, d->b + f0);
    if (two) {
      LOAD9(wb, d->w + f0 + VL);
      if (d->b) LOAD(bb, d->b + f0 + VL);
    }
    for (int oy = 0; oy < p->oh; oy++) {
      const float *r0 = plane + oy * pw, *r1 = r0 + pw, *r2 = r1 + pw;
      float *yo = y + (int64_t)oy * ow * F + f0;
      int ox = 0;
      if (two) {
        for (; ox + 4 <= ow; ox += 4) {
          vec a0 = ba, a1 = ba, a2 = ba, a3 = ba;
          vec b0 = bb, b1 = bb, b2 = bb, b3 = bb;
          ROW4(r0 + ox, a0, a1, a2, a3, wa0, wa1, wa2);
          ROW4(r0 + ox, b0, b1, b2, b3, wb0, wb1, wb2);
          ROW4(r1 + ox, a0, a1, a2, a3, wa3, wa4, wa5);
          ROW4(r1 + ox, b0, b1, b2, b3, wb3, wb4, wb5);
          ROW4(r2 + ox, a0, a1, a2, a3, wa6, wa7, wa8);
          ROW4(r2 + ox, b0, b1, b2, b3, wb6, wb7, wb8);
          float *o = yo + (int64_t)ox * F;
          STORE(o, a0); STORE(o + VL, b0);
          STORE(o + F, a1); STORE(o + F + VL, b1);
          STORE(o + 2 * F, a2); STORE(o + 2 * F + VL, b2);
          STORE(o + 3 * F, a3); STORE(o + 3 * F + VL, b3);
        }
      } else {
        for (; ox + 4 <= ow; ox += 4) {
          vec a0 = ba, a1 = ba, a2 = ba, a3 = ba;
          ROW4(r0 + ox, a0, a1, a2, a3, wa0, wa1, wa2);
          ROW4(r1 + ox, a0, a1, a2, a3, wa3, wa4, wa5);
          ROW4(r2 + ox, a0, a1, a2, a3, wa6, wa7, wa8);
          float *o = yo + (int64_t)ox * F;
          STORE(o, a0); STORE(o + F, a1); STORE(o + 2 * F, a2);
          STORE(o + 3 * F, a3);
        }
      }
      for (; ox < ow; ox++) {    /* the row's last pixels, one at a time */
        float *o = yo + (int64_t)ox * F;
        vec a = ba;
        PIXEL(a, r0 + ox, r1 + ox, r2 + ox, wa);
        STORE(o, a);
        if (two) {
          vec b = bb;
          PIXEL(b, r0 + ox, r1 + ox, r2 + ox, wb);
          STORE(o + VL, b);
        }
      }
    }
    f0 += two ? 2 * VL : VL;
  }
}

static void fwd_samples(void *ctx, int64_t lo, int64_t hi, int slot) {
  Direct *d = ctx;
  const NnConv2D *p = d->p;
  const int64_t out = (int64_t)p->oh * p->ow * p->f;
  float plane[PLANE_MAX];
  float *tmp = NULL;
  if (d->q && !(tmp = threads_scratch(slot, sizeof(float) * (size_t)out))) {
    d->failed = 1;
    return;
  }
  for (int64_t n = lo; n < hi; n++) {
    pad_plane(p, d->x + n * p->h * p->w, plane);
    if (!d->q) {
      fwd_sample(d, plane, d->yout + n * out);
      continue;
    }
    /* the sample's feature map stays in cache, pooled right away */
    fwd_sample(d, plane, tmp);
    nn_maxpool2d_forward_one(d->q, tmp,
                             d->yout + n * (int64_t)d->q->oh * d->q->ow * p->f);
  }
}

int nn_conv2d_forward_direct(const NnConv2D *p, const float *x,
                             const float *w, const float *b, float *y,
                             NnAct act) {
  Direct d = {.p = p, .x = x, .w = w, .b = b, .yout = y, .act = act};
  double flops = 2.0 * p->n * p->oh * p->ow * 9 * p->f;
  threads_for(p->n, flops, fwd_samples, &d);
  return NN_OK;
}

int nn_conv2d_maxpool_direct(const NnConv2D *p, const NnPool2D *q,
                             const float *x, const float *w, const float *b,
                             float *y, NnAct act) {
  Direct d = {.p = p, .q = q, .x = x, .w = w, .b = b, .yout = y, .act = act};
  double flops = 2.0 * p->n * p->oh * p->ow * 9 * p->f;
  threads_for(p->n, flops, fwd_samples, &d);
  return d.failed ? NN_ENOMEM : NN_OK;
}

/* one sample's dw (9 x F) and db (F) partial, from g (OH*OW, F) */
DIRECT_HOT static void bwd_samples(void *ctx, int64_t lo, int64_t hi,
                                   int slot) {
  Direct *d = ctx;
  const NnConv2D *p = d->p;
  const int F = p->f, pw = p->ow + 2;
  const int64_t opix = (int64_t)p->oh * p->ow;
  float plane[PLANE_MAX];
  float *gbuf = NULL;
  if (d->act != NN_LINEAR) {
    gbuf = threads_scratch(slot, sizeof(float) * (size_t)(opix * F));
    if (!gbuf) { d->failed = 1; return; }
  }
  for (int64_t n = lo; n < hi; n++) {
    pad_plane(p, d->x + n * p->h * p->w, plane);
    const float *g = d->dy + n * opix * F;
    if (gbuf) {
      nn_act_backward(d->act, d->y + n * opix * F, g, gbuf, opix, F);
      g = gbuf;
    }
    float *part = d->part + n * 10 * F;
    for (int f0 = 0; f0 < F; f0 += VL) {
      vec s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0}, s5 = {0};
      vec s6 = {0}, s7 = {0}, s8 = {0}, sb = {0};
      for (int oy = 0; oy < p->oh; oy++) {
        const float *r0 = plane + oy * pw, *r1 = r0 + pw, *r2 = r1 + pw;
        const float *go = g + (int64_t)oy * p->ow * F + f0;
        for (int ox = 0; ox < p->ow; ox++, go += F) {
          vec v;
          LOAD(v, go);
          s0 += r0[ox] * v; s1 += r0[ox + 1] * v; s2 += r0[ox + 2] * v;
          s3 += r1[ox] * v; s4 += r1[ox + 1] * v; s5 += r1[ox + 2] * v;
          s6 += r2[ox] * v; s7 += r2[ox + 1] * v; s8 += r2[ox + 2] * v;
          sb += v;
        }
      }
      vec s[10] = {s0, s1, s2, s3, s4, s5, s6, s7, s8, sb};
      for (int t = 0; t < 10; t++)
        memcpy(part + t * F + f0, &s[t], sizeof s[t]);
    }
  }
}

int nn_conv2d_backward_direct(const NnConv2D *p, const float *x,
                              const float *y, const float *dy, float *dw,
                              float *db, NnAct act) {
  const int F = p->f;
  float *part = threads_scratch(THREADS_SHARED,
                                sizeof(float) * (size_t)(p->n * 10 * F));
  if (!part) return NN_ENOMEM;
  Direct d = {.p = p, .x = x, .y = y, .dy = dy, .part = part, .act = act};
  double flops = 2.0 * p->n * p->oh * p->ow * 9 * F;
  threads_for(p->n, flops, bwd_samples, &d);
  if (d.failed) return NN_ENOMEM;
  memcpy(dw, part, sizeof(float) * (size_t)(9 * F));
  if (db) memcpy(db, part + 9 * F, sizeof(float) * (size_t)F);
  for (int64_t n = 1; n < p->n; n++) {
    nn_vec_add(dw, part + n * 10 * F, 9 * F);
    if (db) nn_vec_add(db, part + n * 10 * F + 9 * F, F);
  }
  return NN_OK;
}
