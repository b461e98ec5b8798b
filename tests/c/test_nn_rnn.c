/* test_nn_rnn.c - the recurrent kernels: SimpleRNN, LSTM and GRU (both
 * reset_after forms), with and without bias and a recurrent-dropout
 * mask: the forward against the naive double loops, every gradient
 * (dx, dw, dr, db) against central differences of that reference, and
 * the same bits for 1 and 2 threads. */
#include "nn/nn.h"
#include "core/threads.h"
#include "test_nn_common.h"

typedef struct {
  NnRnn p;
  int which;            /* 0 x, 1 w, 2 r, 3 b */
  const double *x, *w, *r, *b, *mask, *ry, *rh, *rc;
} RnnLoss;

/* L = sum ry y + sum rh h_last + sum rc c_last, in double */
static double rnn_loss(void *ctx, const double *params) {
  RnnLoss *d = ctx;
  const NnRnn *p = &d->p;
  int64_t ny = (int64_t)p->n * p->t * p->u;
  double *y = dalloc(ny), *c = dalloc((int64_t)p->n * p->u);
  nn_rnn_forward_naive(p, d->which == 0 ? params : d->x,
                       d->which == 1 ? params : d->w,
                       d->which == 2 ? params : d->r,
                       d->which == 3 ? params : d->b, d->mask, y, c);
  double l = 0;
  for (int64_t i = 0; i < ny; i++) l += d->ry[i] * y[i];
  for (int n = 0; n < p->n; n++)
    for (int j = 0; j < p->u; j++) {
      l += d->rh[n * p->u + j] * y[((int64_t)n * p->t + p->t - 1) * p->u + j];
      if (p->kind == NN_RNN_LSTM) l += d->rc[n * p->u + j] * c[n * p->u + j];
    }
  free(y);
  free(c);
  return l;
}

static const char *kind_name(const NnRnn *p) {
  if (p->kind == NN_RNN_SIMPLE) return "SimpleRNN";
  if (p->kind == NN_RNN_LSTM) return "LSTM";
  return p->reset_after ? "GRU" : "GRU(reset_after=false)";
}

static void check(NnRnn p, int bias, int masked) {
  int G = nn_rnn_gates(p.kind) * p.u;
  int64_t nx = (int64_t)p.n * p.t * p.f, nw = (int64_t)p.f * G;
  int64_t nr = (int64_t)p.u * G, nb = bias ? (p.kind == NN_RNN_GRU && p.reset_after ? 2 * G : G) : 0;
  int64_t ny = (int64_t)p.n * p.t * p.u, nh = (int64_t)p.n * p.u;
  float *x = falloc(nx), *w = falloc(nw), *r = falloc(nr), *b = falloc(nb);
  float *mask = falloc(nh), *ry = falloc(ny), *rh = falloc(nh), *rc = falloc(nh);
  fill(x, nx, -1, 1);
  fill(w, nw, -0.6, 0.6);
  fill(r, nr, -0.6, 0.6);
  fill(b, nb, -0.3, 0.3);
  fill(ry, ny, -1, 1);
  fill(rh, nh, -1, 1);
  fill(rc, nh, -1, 1);
  for (int64_t i = 0; i < nh; i++) mask[i] = urand() < 0.3 ? 0.0f : 1.0f / 0.7f;
  const float *mk = masked ? mask : NULL;
  float *cache = falloc(nn_rnn_cache_size(&p)), *y = falloc(ny), *cl = falloc(nh);
  char name[160];
  snprintf(name, sizeof name, "%s n%d t%d f%d u%d%s%s", kind_name(&p), p.n,
           p.t, p.f, p.u, bias ? "" : " no bias", masked ? " masked" : "");
  ok(nn_rnn_forward(&p, x, w, r, bias ? b : NULL, mk, cache, y, cl) == NN_OK,
     "forward runs (%s)", name);
  double *xd = dalloc(nx), *wd = dalloc(nw), *rd = dalloc(nr), *bd = dalloc(nb);
  double *md = dalloc(nh), *ryd = dalloc(ny), *rhd = dalloc(nh), *rcd = dalloc(nh);
  to_double(x, xd, nx); to_double(w, wd, nw); to_double(r, rd, nr);
  to_double(b, bd, nb); to_double(mask, md, nh); to_double(ry, ryd, ny);
  to_double(rh, rhd, nh); to_double(rc, rcd, nh);
  double *yd = dalloc(ny), *cd = dalloc(nh);
  nn_rnn_forward_naive(&p, xd, wd, rd, bias ? bd : NULL, masked ? md : NULL, yd, cd);
  float *yf = falloc(ny), *cf = falloc(nh);
  for (int64_t i = 0; i < ny; i++) yf[i] = (float)yd[i];
  for (int64_t i = 0; i < nh; i++) cf[i] = (float)cd[i];
  char nm[200];
  snprintf(nm, sizeof nm, "forward = naive (%s)", name);
  close_rel(y, yf, ny, 1e-5, nm);
  if (p.kind == NN_RNN_LSTM) {
    snprintf(nm, sizeof nm, "c_last = naive (%s)", name);
    close_rel(cl, cf, nh, 1e-5, nm);
  }
  float *dx = falloc(nx), *dw = falloc(nw), *dr = falloc(nr), *db = falloc(nb);
  ok(nn_rnn_backward(&p, x, w, r, bias ? b : NULL, mk, cache, ry, rh,
                     p.kind == NN_RNN_LSTM ? rc : NULL, dx, dw, dr,
                     bias ? db : NULL) == NN_OK, "backward runs (%s)", name);
  RnnLoss L = {p, 0, xd, wd, rd, bias ? bd : NULL, masked ? md : NULL, ryd, rhd, rcd};
  float *fd = falloc(nx + nw + nr + nb);
  const char *what[] = {"dx", "dw", "dr", "db"};
  double *par[] = {xd, wd, rd, bd};
  float *got[] = {dx, dw, dr, db};
  int64_t cnt[] = {nx, nw, nr, nb};
  for (int k = 0; k < (bias ? 4 : 3); k++) {
    L.which = k;
    central_diff(rnn_loss, &L, par[k], cnt[k], 1e-5, fd);
    snprintf(nm, sizeof nm, "%s = central differences (%s)", what[k], name);
    close_rel(got[k], fd, cnt[k], 2e-4, nm);
  }
  /* 1 thread and 2 threads: the same bits */
  int saved = threads_count();
  float *y2 = falloc(ny), *dw2 = falloc(nw), *dr2 = falloc(nr), *dx2 = falloc(nx);
  float *db2 = falloc(nb), *cache2 = falloc(nn_rnn_cache_size(&p));
  threads_set_count(saved == 1 ? 2 : 1);
  nn_rnn_forward(&p, x, w, r, bias ? b : NULL, mk, cache2, y2, NULL);
  nn_rnn_backward(&p, x, w, r, bias ? b : NULL, mk, cache2, ry, rh,
                  p.kind == NN_RNN_LSTM ? rc : NULL, dx2, dw2, dr2,
                  bias ? db2 : NULL);
  threads_set_count(saved);
  snprintf(nm, sizeof nm, "thread count changes no bit (%s)", name);
  ok(!memcmp(y, y2, sizeof *y * ny) && !memcmp(dw, dw2, sizeof *dw * nw) &&
     !memcmp(dr, dr2, sizeof *dr * nr) && !memcmp(dx, dx2, sizeof *dx * nx) &&
     !memcmp(db, db2, sizeof *db * nb), "%s", nm);
  free(y2); free(dw2); free(dr2); free(dx2); free(db2); free(cache2);
  free(fd); free(dx); free(dw); free(dr); free(db); free(yf); free(cf);
  free(yd); free(cd); free(xd); free(wd); free(rd); free(bd); free(md);
  free(ryd); free(rhd); free(rcd); free(x); free(w); free(r); free(b);
  free(mask); free(ry); free(rh); free(rc); free(cache); free(y); free(cl);
}

int main(void) {
  NnRnnKind kinds[] = {NN_RNN_SIMPLE, NN_RNN_LSTM, NN_RNN_GRU, NN_RNN_GRU};
  for (int k = 0; k < 4; k++) {
    NnRnn p = {.kind = kinds[k], .n = 3, .t = 5, .f = 2, .u = 4,
               .act = NN_TANH, .rec_act = NN_SIGMOID, .reset_after = k != 3};
    check(p, 1, 0);
    check(p, 0, 1);
  }
  /* a batch over two pieces (rows 16 + 3) and other activations */
  NnRnn big = {.kind = NN_RNN_LSTM, .n = 19, .t = 3, .f = 3, .u = 5,
               .act = NN_TANH, .rec_act = NN_HARD_SIGMOID};
  check(big, 1, 1);
  NnRnn relu = {.kind = NN_RNN_SIMPLE, .n = 17, .t = 4, .f = 1, .u = 3,
                .act = NN_SOFTSIGN};
  check(relu, 1, 0);
  NnRnn gru = {.kind = NN_RNN_GRU, .n = 18, .t = 4, .f = 2, .u = 3,
               .act = NN_ELU, .rec_act = NN_SIGMOID, .reset_after = 0};
  check(gru, 1, 1);
  return done_testing();
}
