/* test_nn_dense_bufs.h - the buffers of one Dense call (x, w, b, y, dy,
 * dx, dw, db) for tests/c/test_nn_dense*.c, inputs filled from the
 * tests' private RNG. Include after test_nn_common.h. */
#ifndef WB_TEST_NN_DENSE_BUFS_H
#define WB_TEST_NN_DENSE_BUFS_H

typedef struct { float *x, *w, *b, *y, *dy, *dx, *dw, *db; } Bufs;

static Bufs make(int n, int in, int out) {
  Bufs u = {falloc((int64_t)n * in), falloc((int64_t)in * out), falloc(out),
            falloc((int64_t)n * out), falloc((int64_t)n * out),
            falloc((int64_t)n * in), falloc((int64_t)in * out), falloc(out)};
  fill(u.x, (int64_t)n * in, -1, 1);
  fill(u.w, (int64_t)in * out, -0.5, 0.5);
  fill(u.b, out, -0.3, 0.3);
  fill(u.dy, (int64_t)n * out, -1, 1);
  return u;
}

static void release(Bufs *u) {
  free(u->x); free(u->w); free(u->b); free(u->y); free(u->dy); free(u->dx);
  free(u->dw); free(u->db);
}

#endif
