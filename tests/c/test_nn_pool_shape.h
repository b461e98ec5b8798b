/* test_nn_pool_shape.h - pooling shapes and their element counts,
 * shared by the pooling tests (test_nn_pool.c, test_nn_pool_fast.c). */
#ifndef WB_TEST_NN_POOL_SHAPE_H
#define WB_TEST_NN_POOL_SHAPE_H

#include "nn/nn.h"
#include "test_nn_common.h"

static int64_t in_n(const NnPool2D *p) {
  return (int64_t)p->n * p->h * p->w * p->c;
}
static int64_t out_n(const NnPool2D *p) {
  return (int64_t)p->n * p->oh * p->ow * p->c;
}

static NnPool2D pool(int n, int h, int w, int c, int ph, int pw, int sh,
                     int sw, int same) {
  NnPool2D p = {.n = n, .h = h, .w = w, .c = c, .ph = ph, .pw = pw,
                .sh = sh, .sw = sw, .same = same};
  if (nn_pool2d_shape(&p)) { printf("Bail out! bad pool shape\n"); exit(1); }
  return p;
}

#endif
