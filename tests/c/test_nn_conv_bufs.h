/* test_nn_conv_bufs.h - shapes and random buffers shared by the Conv2D
 * tests (test_nn_conv.c, test_nn_conv_dnnl.c). */
#ifndef WB_TEST_NN_CONV_BUFS_H
#define WB_TEST_NN_CONV_BUFS_H

#include "nn/nn.h"
#include "test_nn_common.h"

static int64_t in_n(const NnConv2D *p) {
  return (int64_t)p->n * p->h * p->w * p->c;
}
static int64_t out_n(const NnConv2D *p) {
  return (int64_t)p->n * p->oh * p->ow * p->f;
}
static int64_t w_n(const NnConv2D *p) {
  return (int64_t)p->kh * p->kw * p->c * p->f;
}

typedef struct {
  float *x, *w, *b, *y, *dy, *dx, *dw, *db;
} Bufs;

static Bufs make_bufs(const NnConv2D *p) {
  Bufs u = {falloc(in_n(p)), falloc(w_n(p)), falloc(p->f), falloc(out_n(p)),
            falloc(out_n(p)), falloc(in_n(p)), falloc(w_n(p)), falloc(p->f)};
  fill(u.x, in_n(p), -1, 1);
  fill(u.w, w_n(p), -0.5, 0.5);
  fill(u.b, p->f, -0.2, 0.2);
  fill(u.dy, out_n(p), -1, 1);
  return u;
}

static void free_bufs(Bufs *u) {
  free(u->x); free(u->w); free(u->b); free(u->y); free(u->dy);
  free(u->dx); free(u->dw); free(u->db);
}

static NnConv2D conv(int n, int h, int w, int c, int kh, int kw, int f,
                     int sh, int sw, int same) {
  NnConv2D p = {.n = n, .h = h, .w = w, .c = c, .kh = kh, .kw = kw, .f = f,
                .sh = sh, .sw = sw, .same = same};
  if (nn_conv2d_shape(&p)) { printf("Bail out! bad test shape\n"); exit(1); }
  return p;
}

#endif
