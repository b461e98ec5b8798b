/* cnn_step.c - time one batch-32 training step of the course CNN with
 * the nn kernels, next to the OpenBLAS GEMM floor of the same step.
 *
 * The CNN (LAB 9-2): 28x28x1 -> Conv2D 32 3x3 same relu -> MaxPool 2 ->
 * Conv2D 64 3x3 same relu -> MaxPool 2 -> Conv2D 32 3x3 same relu ->
 * Flatten 1568 -> Dense 128 relu -> Dense 32 relu -> Dense 10 softmax,
 * sparse CE, Adam; 242,570 parameters.
 *
 * A step = forward, loss, backward (no dx for the first conv) and an
 * Adam update of every parameter. The floor is the GEMMs alone as
 * /work/shared/bench/cnn_gemm_floor.c issues them (one stream,
 * single-threaded OpenBLAS), so "x floor" reads as how close the kernels
 * come to pure matrix work. Prints figures, asserts nothing.
 *
 *   make build/obj/bench/cnn_step && ./build/obj/bench/cnn_step [steps]
 *   (WORKBOOK_THREADS sets the pool size for the threaded line) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/nn.h"
#include "core/threads.h"

#define B 32

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *buf(int64_t n) {
  float *p = calloc((size_t)n, sizeof *p);
  if (!p) { fprintf(stderr, "cnn_step: out of memory\n"); exit(1); }
  return p;
}

typedef struct {
  float *w, *b, *dw, *db, *mw, *vw, *mb, *vb;   /* weights, grads, Adam */
  int64_t nw, nb;
} Param;

static Param param(int64_t nw, int64_t nb) {
  Param p = {buf(nw), buf(nb), buf(nw), buf(nb), buf(nw), buf(nw), buf(nb),
             buf(nb), nw, nb};
  for (int64_t i = 0; i < nw; i++)
    p.w[i] = (float)(rand() / (double)RAND_MAX - 0.5) * 0.1f;
  return p;
}

static void adam(Param *p, int64_t t) {
  NnAdam o = NN_ADAM_DEFAULTS;
  nn_adam_step(&o, p->w, p->dw, p->mw, p->vw, t, p->nw);
  nn_adam_step(&o, p->b, p->db, p->mb, p->vb, t, p->nb);
}

typedef struct {
  NnConv2D c1, c2, c3;
  NnPool2D p1, p2;
  Param k1, k2, k3, d1, d2, d3;
  float *x, *y1, *q1, *y2, *q2, *y3, *h1, *h2, *z, *dz;
  float *dh2, *dh1, *dy3, *dq2, *dy2, *dq1, *dy1;
  int32_t *a1, *a2, *labels;
} Net;

static NnConv2D conv(int h, int c, int f) {
  NnConv2D p = {.n = B, .h = h, .w = h, .c = c, .kh = 3, .kw = 3, .f = f,
                .sh = 1, .sw = 1, .same = 1};
  nn_conv2d_shape(&p);
  return p;
}

static NnPool2D pool(int h, int c) {
  NnPool2D p = {.n = B, .h = h, .w = h, .c = c, .ph = 2, .pw = 2, .sh = 2,
                .sw = 2, .same = 0};
  nn_pool2d_shape(&p);
  return p;
}

static void build(Net *n) {
  n->c1 = conv(28, 1, 32); n->p1 = pool(28, 32);
  n->c2 = conv(14, 32, 64); n->p2 = pool(14, 64);
  n->c3 = conv(7, 64, 32);
  n->k1 = param(9 * 32, 32); n->k2 = param(9 * 32 * 64, 64);
  n->k3 = param(9 * 64 * 32, 32);
  n->d1 = param(1568 * 128, 128); n->d2 = param(128 * 32, 32);
  n->d3 = param(32 * 10, 10);
  n->x = buf(B * 784); n->y1 = buf(B * 784 * 32); n->q1 = buf(B * 196 * 32);
  n->y2 = buf(B * 196 * 64); n->q2 = buf(B * 49 * 64); n->y3 = buf(B * 1568);
  n->h1 = buf(B * 128); n->h2 = buf(B * 32); n->z = buf(B * 10);
  n->dz = buf(B * 10); n->dh2 = buf(B * 32); n->dh1 = buf(B * 128);
  n->dy3 = buf(B * 1568); n->dq2 = buf(B * 49 * 64); n->dy2 = buf(B * 196 * 64);
  n->dq1 = buf(B * 196 * 32); n->dy1 = buf(B * 784 * 32);
  n->a1 = malloc(sizeof(int32_t) * B * 196 * 32);
  n->a2 = malloc(sizeof(int32_t) * B * 49 * 64);
  n->labels = malloc(sizeof(int32_t) * B);
  if (!n->a1 || !n->a2 || !n->labels) exit(1);
  for (int i = 0; i < B * 784; i++) n->x[i] = rand() / (float)RAND_MAX;
  for (int i = 0; i < B; i++) n->labels[i] = i % 10;
}

static double step(Net *n, int64_t t) {
  double loss;
  nn_conv2d_forward(&n->c1, n->x, n->k1.w, n->k1.b, n->y1, NN_RELU);
  nn_maxpool2d_forward(&n->p1, n->y1, n->q1, n->a1);
  nn_conv2d_forward(&n->c2, n->q1, n->k2.w, n->k2.b, n->y2, NN_RELU);
  nn_maxpool2d_forward(&n->p2, n->y2, n->q2, n->a2);
  nn_conv2d_forward(&n->c3, n->q2, n->k3.w, n->k3.b, n->y3, NN_RELU);
  nn_dense_forward(n->y3, n->d1.w, n->d1.b, n->h1, B, 1568, 128, NN_RELU);
  nn_dense_forward(n->h1, n->d2.w, n->d2.b, n->h2, B, 128, 32, NN_RELU);
  nn_dense_forward(n->h2, n->d3.w, n->d3.b, n->z, B, 32, 10, NN_LINEAR);
  nn_softmax_sparse_ce(n->z, n->labels, n->dz, B, 10, &loss, NULL);
  nn_dense_backward(n->h2, n->d3.w, n->z, n->dz, n->dh2, n->d3.dw, n->d3.db,
                    B, 32, 10, NN_LINEAR);
  nn_dense_backward(n->h1, n->d2.w, n->h2, n->dh2, n->dh1, n->d2.dw,
                    n->d2.db, B, 128, 32, NN_RELU);
  nn_dense_backward(n->y3, n->d1.w, n->h1, n->dh1, n->dy3, n->d1.dw,
                    n->d1.db, B, 1568, 128, NN_RELU);
  nn_conv2d_backward(&n->c3, n->q2, n->k3.w, n->y3, n->dy3, n->dq2,
                     n->k3.dw, n->k3.db, NN_RELU);
  nn_maxpool2d_backward(&n->p2, n->dq2, n->a2, n->dy2);
  nn_conv2d_backward(&n->c2, n->q1, n->k2.w, n->y2, n->dy2, n->dq1,
                     n->k2.dw, n->k2.db, NN_RELU);
  nn_maxpool2d_backward(&n->p1, n->dq1, n->a1, n->dy1);
  nn_conv2d_backward(&n->c1, n->x, n->k1.w, n->y1, n->dy1, NULL, n->k1.dw,
                     n->k1.db, NN_RELU);
  Param *all[] = {&n->k1, &n->k2, &n->k3, &n->d1, &n->d2, &n->d3};
  for (int i = 0; i < 6; i++) adam(all[i], t);
  return loss;
}

static double time_steps(Net *n, int steps) {
  for (int i = 0; i < 5; i++) step(n, i + 1);
  double t0 = now();
  for (int i = 0; i < steps; i++) step(n, i + 6);
  return (now() - t0) / steps;
}

/* the floor: cnn_gemm_floor.c's GEMM list, one single-threaded stream */
typedef struct { int m, n, k, ta, tb; } Gemm;
static const Gemm gemms[] = {
  {25088, 32, 9, 0, 0}, {9, 32, 25088, 1, 0},
  {6272, 64, 288, 0, 0}, {288, 64, 6272, 1, 0}, {6272, 288, 64, 0, 1},
  {1568, 32, 576, 0, 0}, {576, 32, 1568, 1, 0}, {1568, 576, 32, 0, 1},
  {32, 128, 1568, 0, 0}, {1568, 128, 32, 1, 0}, {32, 1568, 128, 0, 1},
};
#define NG (int)(sizeof gemms / sizeof *gemms)

static double gemm_flops(void) {
  double f = 0;
  for (int i = 0; i < NG; i++) f += 2.0 * gemms[i].m * gemms[i].n * gemms[i].k;
  return f;
}

static double gemm_floor(int steps) {
  float *a = buf(1 << 23), *b = buf(1 << 23), *c = buf(1 << 23);
  for (int i = 0; i < 1 << 23; i++) a[i] = b[i] = rand() / (float)RAND_MAX;
  int saved = openblas_get_num_threads();
  openblas_set_num_threads(1);
  double t0 = 0;
  for (int s = -5; s < steps; s++) {
    if (s == 0) t0 = now();
    for (int i = 0; i < NG; i++) {
      Gemm g = gemms[i];
      cblas_sgemm(CblasRowMajor, g.ta ? CblasTrans : CblasNoTrans,
                  g.tb ? CblasTrans : CblasNoTrans, g.m, g.n, g.k, 1, a,
                  g.ta ? g.m : g.k, b, g.tb ? g.k : g.n, 0, c, g.n);
    }
  }
  double t = (now() - t0) / steps;
  openblas_set_num_threads(saved);
  free(a); free(b); free(c);
  return t;
}

int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 200;
  if (steps < 1) steps = 1;
  Net net;
  build(&net);
  double flops = gemm_flops();   /* the step's GEMM work, 0.93 GFLOP */
  double floor1 = gemm_floor(steps);
  int pool = threads_count();
  threads_set_count(1);
  double t1 = time_steps(&net, steps);
  threads_set_count(pool);
  double tn = time_steps(&net, steps);
  printf("cnn_step: batch %d training step of the course CNN "
         "(%d steps, %.2f GFLOP of GEMM each)\n", B, steps, flops / 1e9);
  printf("  GEMM floor, 1 stream   %7.2f ms  %6.1f GFLOP/s  epoch %5.1f s\n",
         floor1 * 1e3, flops / floor1 / 1e9, floor1 * 1875);
  printf("  kernels, 1 thread      %7.2f ms  %6.1f GFLOP/s  epoch %5.1f s"
         "  (%.2fx floor)\n", t1 * 1e3, flops / t1 / 1e9, t1 * 1875,
         t1 / floor1);
  printf("  kernels, %d threads     %7.2f ms  %6.1f GFLOP/s  epoch %5.1f s"
         "  (%.2fx floor)\n", pool, tn * 1e3, flops / tn / 1e9, tn * 1875,
         tn / floor1);
  return 0;
}
