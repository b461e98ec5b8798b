/* test_nn_dense_dnnl.c - the oneDNN Dense path (nn_dense_dnnl.c), called
 * directly, against the naive double loops: forward, dx, dw and db for
 * every activation over batches 1, 7, 32 and 256 and odd, small and
 * course-sized layers; the same bits on a second call and for 1, 2 and
 * 3 threads (batches cut into several row pieces, dw into several IN
 * blocks, ragged last ones), and a few training steps of two stacked
 * layers through the public entry points giving the same weights with
 * 1 and 2 threads. Skipped when oneDNN is not usable. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"
#include "test_nn_dense_bufs.h"

/* oneDNN vs naive: y, dx, dw, db each within 1e-5 of max |naive| */
static void vs_naive(int n, int in, int out, NnAct act, int bias,
                     int with_dx) {
  char name[160], nm[200];
  snprintf(name, sizeof name, "n%d %d -> %d %s%s%s", n, in, out,
           nn_act_name(act), bias ? "" : " no bias", with_dx ? "" : " no dx");
  Bufs u = make(n, in, out), v = make(n, in, out);
  const float *b = bias ? u.b : NULL;
  int rf = nn_dense_forward_dnnl(u.x, u.w, b, u.y, n, in, out, act);
  nn_dense_forward_naive(u.x, u.w, b, v.y, n, in, out, act);
  /* both backwards read the naive y, so only the gradients differ */
  int rb = nn_dense_backward_dnnl(u.x, u.w, v.y, u.dy, with_dx ? u.dx : NULL,
                                  u.dw, u.db, n, in, out, act);
  nn_dense_backward_naive(u.x, u.w, v.y, u.dy, v.dx, v.dw, v.db, n, in, out,
                          act);
  snprintf(nm, sizeof nm, "forward %s", name);
  if (rf) ok(0, "%s: not handled (rc %d)", nm, rf);
  else close_rel(u.y, v.y, (int64_t)n * out, 1e-5, nm);
  if (rb) {
    ok(0, "backward %s: not handled (rc %d)", name, rb);
  } else {
    snprintf(nm, sizeof nm, "dw %s", name);
    close_rel(u.dw, v.dw, (int64_t)in * out, 1e-5, nm);
    snprintf(nm, sizeof nm, "db %s", name);
    close_rel(u.db, v.db, out, 1e-5, nm);
    if (with_dx) {
      snprintf(nm, sizeof nm, "dx %s", name);
      close_rel(u.dx, v.dx, (int64_t)n * in, 1e-5, nm);
    }
  }
  release(&u);
  release(&v);
}

static int same_all(const Bufs *u, const Bufs *v, int n, int in, int out) {
  return !memcmp(u->y, v->y, sizeof(float) * n * out) &&
         !memcmp(u->dx, v->dx, sizeof(float) * n * in) &&
         !memcmp(u->dw, v->dw, sizeof(float) * in * out) &&
         !memcmp(u->db, v->db, sizeof(float) * out);
}

static void both(Bufs *u, Bufs *out_to, int n, int in, int out, NnAct act) {
  nn_dense_forward_dnnl(u->x, u->w, u->b, out_to->y, n, in, out, act);
  nn_dense_backward_dnnl(u->x, u->w, out_to->y, u->dy, out_to->dx,
                         out_to->dw, out_to->db, n, in, out, act);
}

/* the same bits on a second call and for 1, 2, 3 threads */
static void bits(int n, int in, int out, NnAct act) {
  Bufs u = make(n, in, out), v = make(n, in, out);
  int saved = threads_count();
  threads_set_count(2);
  both(&u, &u, n, in, out, act);
  both(&u, &v, n, in, out, act);
  ok(same_all(&u, &v, n, in, out),
     "n%d %d -> %d %s: a second call gives the same bits (y, dx, dw, db)",
     n, in, out, nn_act_name(act));
  for (int t = 1; t <= 3; t += 2) {
    threads_set_count(t);
    memset(v.dw, 0, sizeof(float) * in * out);
    both(&u, &v, n, in, out, act);
    ok(same_all(&u, &v, n, in, out),
       "n%d %d -> %d %s: %d thread%s == 2 threads, bit for bit", n, in, out,
       nn_act_name(act), t, t > 1 ? "s" : "");
  }
  threads_set_count(saved);
  release(&u);
  release(&v);
}

/* the first layer's jobs are large enough for the pool */
enum { N = 256, IN = 300, HID = 200, OUT = 70 };

/* dense(300 -> 200, relu) -> dense(200 -> 70) -> loss sum(r * y), 4 SGD
 * steps through nn_dense_forward/backward; w1_start: the initial w1 */
static void train(int threads, float *w1, float *b1, float *w2, float *b2,
                  float *w1_start) {
  int saved = threads_count();
  threads_set_count(threads);
  test_rng = 4242;
  float *x = falloc(N * IN), *r = falloc(N * OUT);
  fill(x, N * IN, -1, 1);
  fill(r, N * OUT, -1, 1);
  fill(w1, IN * HID, -0.2, 0.2);
  memcpy(w1_start, w1, sizeof(float) * IN * HID);
  fill(b1, HID, -0.1, 0.1);
  fill(w2, HID * OUT, -0.2, 0.2);
  fill(b2, OUT, -0.1, 0.1);
  float *y1 = falloc(N * HID), *y2 = falloc(N * OUT), *dy1 = falloc(N * HID);
  float *dw1 = falloc(IN * HID), *db1 = falloc(HID);
  float *dw2 = falloc(HID * OUT), *db2 = falloc(OUT);
  for (int step = 0; step < 4; step++) {
    nn_dense_forward(x, w1, b1, y1, N, IN, HID, NN_RELU);
    nn_dense_forward(y1, w2, b2, y2, N, HID, OUT, NN_LINEAR);
    nn_dense_backward(y1, w2, y2, r, dy1, dw2, db2, N, HID, OUT, NN_LINEAR);
    nn_dense_backward(x, w1, y1, dy1, NULL, dw1, db1, N, IN, HID, NN_RELU);
    for (int i = 0; i < IN * HID; i++) w1[i] -= 1e-3f * dw1[i];
    for (int i = 0; i < HID; i++) b1[i] -= 1e-3f * db1[i];
    for (int i = 0; i < HID * OUT; i++) w2[i] -= 1e-3f * dw2[i];
    for (int i = 0; i < OUT; i++) b2[i] -= 1e-3f * db2[i];
  }
  threads_set_count(saved);
  free(x); free(r); free(y1); free(y2); free(dy1);
  free(dw1); free(db1); free(dw2); free(db2);
}

static void training_threads(void) {
  float *a[4] = {falloc(IN * HID), falloc(HID), falloc(HID * OUT), falloc(OUT)};
  float *b[4] = {falloc(IN * HID), falloc(HID), falloc(HID * OUT), falloc(OUT)};
  float *w0 = falloc(IN * HID);
  train(1, a[0], a[1], a[2], a[3], w0);
  train(2, b[0], b[1], b[2], b[3], w0);
  int same = !memcmp(a[0], b[0], sizeof(float) * IN * HID) &&
             !memcmp(a[1], b[1], sizeof(float) * HID) &&
             !memcmp(a[2], b[2], sizeof(float) * HID * OUT) &&
             !memcmp(a[3], b[3], sizeof(float) * OUT);
  ok(same, "4 training steps of two Dense layers: identical weights with 1 "
     "and 2 threads");
  double moved = 0;
  for (int i = 0; i < IN * HID; i++) moved += fabs(a[0][i] - w0[i]);
  ok(moved > 1e-3 && isfinite(moved),
     "... and the training moved the weights (sum |dw| %g)",
     moved);
  ok(nn_dense_dnnl_wanted(N, IN, HID, NN_RELU) &&
     nn_dense_dnnl_wanted(N, HID, OUT, NN_LINEAR),
     "... and both layers took the oneDNN path");
  for (int i = 0; i < 4; i++) { free(a[i]); free(b[i]); }
  free(w0);
}

int main(void) {
  Bufs p = make(2, 64, 64);
  int usable = getenv("WORKBOOK_NO_DNNL") == NULL &&
               nn_dense_forward_dnnl(p.x, p.w, p.b, p.y, 2, 64, 64,
                                     NN_LINEAR) == NN_OK;
  release(&p);
  if (!usable) {
    ok(1, "# SKIP oneDNN not built in or not usable");
    return done_testing();
  }
  /* every activation, each on a different batch and layer */
  static const int shapes[][3] = {{1, 784, 128}, {7, 128, 32}, {32, 32, 10},
                                  {256, 17, 33}, {7, 5, 3}, {32, 100, 30},
                                  {1, 1, 1}, {256, 300, 50}};
  const int ns = sizeof shapes / sizeof shapes[0];
  for (int a = 0; a < NN_ACT_COUNT; a++)
    for (int k = 0; k < 2; k++) {
      const int *s = shapes[(a + 3 * k) % ns];
      vs_naive(s[0], s[1], s[2], (NnAct)a, (a + k) % 3 != 2, (a + k) % 4 != 3);
    }
  /* the course MLP and CNN layers on a training batch */
  vs_naive(32, 784, 128, NN_RELU, 1, 1);
  vs_naive(32, 128, 32, NN_RELU, 1, 1);
  vs_naive(32, 1568, 128, NN_RELU, 1, 0);
  vs_naive(256, 784, 128, NN_LINEAR, 1, 1);
  /* several row pieces and IN blocks, ragged last ones; the first two
   * are large enough for the pool */
  bits(256, 784, 128, NN_RELU);
  bits(300, 700, 90, NN_TANH);
  bits(37, 300, 50, NN_SIGMOID);
  bits(1, 784, 128, NN_LINEAR);
  training_threads();
  return done_testing();
}
