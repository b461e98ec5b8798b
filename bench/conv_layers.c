/* conv_layers.c - time each Conv2D of the course CNN (LAB 9-2, batch 32)
 * and two VGG16 layers, forward and backward, on the path the runtime
 * takes (oneDNN by default; run with WORKBOOK_NO_DNNL=1 for im2col), and
 * the inference forward (nn_conv2d_infer: Winograd where oneDNN has it,
 * "wino" beside the time). Best of several repetitions, GFLOP/s beside
 * each (direct-convolution FLOPs, also for Winograd). Asserts nothing.
 *
 *   make build/obj/bench/conv_layers && ./build/obj/bench/conv_layers [reps]
 *   (WORKBOOK_THREADS sets the pool size) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn/nn.h"
#include "core/threads.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *rnd(int64_t n) {
  float *p = malloc(sizeof *p * (size_t)n);
  if (!p) { fprintf(stderr, "conv_layers: out of memory\n"); exit(1); }
  for (int64_t i = 0; i < n; i++) p[i] = rand() / (float)RAND_MAX - 0.5f;
  return p;
}

static void layer(const char *name, int n, int h, int c, int f, int dx,
                  int reps) {
  NnConv2D p = {.n = n, .h = h, .w = h, .c = c, .kh = 3, .kw = 3, .f = f,
                .sh = 1, .sw = 1, .same = 1};
  nn_conv2d_shape(&p);
  int64_t xn = (int64_t)n * h * h * c, yn = (int64_t)n * p.oh * p.ow * f;
  int64_t wn = 9LL * c * f;
  float *x = rnd(xn), *w = rnd(wn), *b = rnd(f), *y = rnd(yn), *dy = rnd(yn);
  float *gx = rnd(xn), *dw = rnd(wn), *db = rnd(f);
  double fl = 2.0 * n * p.oh * p.ow * 9.0 * c * f;
  double tf = 1e9, tb = 1e9, ti = 1e9;
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    nn_conv2d_forward(&p, x, w, b, y, NN_LINEAR);
    double t1 = now();
    nn_conv2d_backward(&p, x, w, y, dy, dx ? gx : NULL, dw, db, NN_LINEAR);
    double t2 = now();
    nn_conv2d_infer(&p, x, w, b, y, NN_LINEAR);
    double t3 = now();
    if (t1 - t0 < tf) tf = t1 - t0;
    if (t2 - t1 < tb) tb = t2 - t1;
    if (t3 - t2 < ti) ti = t3 - t2;
  }
  double fb = fl * (dx ? 2 : 1);
  printf("  %-22s fwd %7.3f ms %6.1f GFLOP/s   bwd%s %7.3f ms %6.1f GFLOP/s"
         "   infer%s %7.3f ms %6.1f GFLOP/s\n",
         name, tf * 1e3, fl / tf / 1e9, dx ? "" : "(no dx)", tb * 1e3,
         fb / tb / 1e9, nn_conv2d_infer_winograd(&p, NN_LINEAR, 1) ? "(wino)" : "",
         ti * 1e3, fl / ti / 1e9);
  free(x); free(w); free(b); free(y); free(dy); free(gx); free(dw); free(db);
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 50;
  if (reps < 1) reps = 1;
  printf("conv_layers: %s, %d threads, best of %d\n",
         getenv("WORKBOOK_NO_DNNL") ? "im2col + OpenBLAS" : "default path",
         threads_count(), reps);
  layer("cnn conv1 28x28x1->32", 32, 28, 1, 32, 0, reps);
  layer("cnn conv2 14x14x32->64", 32, 14, 32, 64, 1, reps);
  layer("cnn conv3 7x7x64->32", 32, 7, 64, 32, 1, reps);
  layer("vgg 56x56x128->256 n1", 1, 56, 128, 256, 1, reps / 5 + 1);
  layer("vgg 14x14x512->512 n1", 1, 14, 512, 512, 1, reps / 5 + 1);
  return 0;
}
