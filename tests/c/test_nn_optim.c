/* test_nn_optim.c - optimizer steps against Keras 2.6's formulas worked
 * out by hand in double for three steps (SGD plain/momentum/nesterov,
 * Adam, RMSprop plain/momentum/centered, Adagrad, Adadelta, Adamax,
 * Nadam), and the defaults. */
#include "nn/nn.h"
#include "test_nn_common.h"

#define P 4
static const float grads[3][P] = {{0.5f, -1.0f, 2.0f, 1e-3f},
                                   {-0.25f, -2.0f, 1.0f, 0.0f},
                                   {1.0f, 0.5f, -3.0f, -1e-3f}};
static const float start[P] = {1.0f, -0.5f, 0.25f, 2.0f};

static void compare(const float *got, const double *want, const char *name) {
  float w[P];
  for (int i = 0; i < P; i++) w[i] = (float)want[i];
  close_rel(got, w, P, 2e-6, name);
}

static void sgd(float momentum, int nesterov, const char *name) {
  NnSGD o = {0.1f, momentum, nesterov};
  float p[P], v[P] = {0};
  double pd[P], vd[P] = {0};
  memcpy(p, start, sizeof p);
  to_double(start, pd, P);
  for (int s = 0; s < 3; s++) {
    nn_sgd_step(&o, p, grads[s], v, P);
    for (int i = 0; i < P; i++) {
      double g = grads[s][i];
      if (momentum == 0) { pd[i] -= 0.1 * g; continue; }
      vd[i] = momentum * vd[i] - 0.1 * g;                  /* accum */
      pd[i] += nesterov ? momentum * vd[i] - 0.1 * g : vd[i];
    }
  }
  compare(p, pd, name);
}

static void adam(void) {
  NnAdam o = NN_ADAM_DEFAULTS;
  ok(o.lr == 1e-3f && o.beta1 == 0.9f && o.beta2 == 0.999f && o.eps == 1e-7f,
     "Adam defaults: lr 1e-3, beta 0.9/0.999, epsilon 1e-7");
  float p[P], m[P] = {0}, v[P] = {0};
  double pd[P], md[P] = {0}, vd[P] = {0};
  memcpy(p, start, sizeof p);
  to_double(start, pd, P);
  for (int t = 1; t <= 3; t++) {
    nn_adam_step(&o, p, grads[t - 1], m, v, t, P);
    double lr_t = 1e-3 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
    for (int i = 0; i < P; i++) {
      double g = grads[t - 1][i];
      md[i] = 0.9 * md[i] + 0.1 * g;
      vd[i] = 0.999 * vd[i] + 0.001 * g * g;
      pd[i] -= lr_t * md[i] / (sqrt(vd[i]) + 1e-7);
    }
    if (t == 1)   /* tolerance: p is a float near 1, one ulp is 1.2e-7 */
      near(p[0] - start[0], -1e-3, 2e-7,
           "Adam's first step moves a parameter by lr against its gradient");
  }
  compare(p, pd, "Adam, 3 steps = Keras formula (lr_t bias correction)");
}

static void rmsprop(float momentum, int centered, const char *name) {
  NnRMSprop o = NN_RMSPROP_DEFAULTS;
  o.momentum = momentum;
  o.centered = centered;
  float p[P], ms[P] = {0}, mom[P] = {0}, mg[P] = {0};
  double pd[P], msd[P] = {0}, momd[P] = {0}, mgd[P] = {0};
  memcpy(p, start, sizeof p);
  to_double(start, pd, P);
  for (int s = 0; s < 3; s++) {
    nn_rmsprop_step(&o, p, grads[s], ms, mom, mg, P);
    for (int i = 0; i < P; i++) {
      double g = grads[s][i];
      msd[i] = 0.9 * msd[i] + 0.1 * g * g;
      double denom = msd[i];
      if (centered) {
        mgd[i] = 0.9 * mgd[i] + 0.1 * g;
        denom -= mgd[i] * mgd[i];
      }
      if (momentum == 0) {
        pd[i] -= 1e-3 * g / (sqrt(denom) + 1e-7);
      } else {
        momd[i] = momentum * momd[i] + 1e-3 * g / sqrt(denom + 1e-7);
        pd[i] -= momd[i];
      }
    }
  }
  compare(p, pd, name);
}

/* the chapter 8 optimizers, Keras 2.6's defaults, three steps each */
static void chapter8(void) {
  float p[4][P], a[4][P] = {{0}}, b[4][P] = {{0}};
  double pd[4][P], ad[4][P] = {{0}}, bd[4][P] = {{0}};
  for (int k = 0; k < 4; k++) {
    memcpy(p[k], start, sizeof p[k]);
    to_double(start, pd[k], P);
  }
  for (int i = 0; i < P; i++) a[0][i] = 0.1f, ad[0][i] = 0.1;  /* Adagrad acc */
  NnAdagrad ag = NN_ADAGRAD_DEFAULTS;
  NnAdadelta dd = NN_ADADELTA_DEFAULTS;
  NnAdam am = NN_ADAM_DEFAULTS;
  double sched = 1;
  for (int t = 1; t <= 3; t++) {
    const float *g = grads[t - 1];
    nn_adagrad_step(&ag, p[0], g, a[0], P);
    nn_adadelta_step(&dd, p[1], g, a[1], b[1], P);
    nn_adamax_step(&am, p[2], g, a[2], b[2], t, P);
    sched *= nn_nadam_mu(&am, t);
    nn_nadam_step(&am, p[3], g, a[3], b[3], t, sched, P);
    double mu = 0.9 * (1 - 0.5 * pow(0.96, 0.004 * t));
    double mu1 = 0.9 * (1 - 0.5 * pow(0.96, 0.004 * (t + 1)));
    for (int i = 0; i < P; i++) {
      double gi = g[i];
      ad[0][i] += gi * gi;
      pd[0][i] -= 1e-3 * gi / (sqrt(ad[0][i]) + 1e-7);
      ad[1][i] = 0.95 * ad[1][i] + 0.05 * gi * gi;
      double d = sqrt(bd[1][i] + 1e-7) / sqrt(ad[1][i] + 1e-7) * gi;
      bd[1][i] = 0.95 * bd[1][i] + 0.05 * d * d;
      pd[1][i] -= 1e-3 * d;
      ad[2][i] = 0.9 * ad[2][i] + 0.1 * gi;
      bd[2][i] = fmax(0.999 * bd[2][i], fabs(gi));
      pd[2][i] -= 1e-3 / (1 - pow(0.9, t)) * ad[2][i] / (bd[2][i] + 1e-7);
      ad[3][i] = 0.9 * ad[3][i] + 0.1 * gi;
      bd[3][i] = 0.999 * bd[3][i] + 0.001 * gi * gi;
      double mbar = (1 - mu) * gi / (1 - sched) + mu1 * ad[3][i] / (1 - sched * mu1);
      pd[3][i] -= 1e-3 * mbar / (sqrt(bd[3][i] / (1 - pow(0.999, t))) + 1e-7);
    }
  }
  compare(p[0], pd[0], "Adagrad, 3 steps: acc from 0.1, eps outside the sqrt");
  compare(p[1], pd[1], "Adadelta, 3 steps: rho 0.95, lr 1e-3");
  compare(p[2], pd[2], "Adamax, 3 steps: v = max(b2 v, |g|)");
  compare(p[3], pd[3], "Nadam, 3 steps: Dozat's momentum schedule");
}

int main(void) {
  chapter8();
  NnSGD d = NN_SGD_DEFAULTS;
  ok(d.lr == 0.01f && d.momentum == 0 && !d.nesterov,
     "SGD defaults: lr 0.01, momentum 0, nesterov off");
  NnRMSprop r = NN_RMSPROP_DEFAULTS;
  ok(r.lr == 1e-3f && r.rho == 0.9f && r.momentum == 0 && r.eps == 1e-7f &&
     !r.centered, "RMSprop defaults: lr 1e-3, rho 0.9, momentum 0, eps 1e-7");
  sgd(0, 0, "SGD, 3 steps: p -= lr g");
  sgd(0.9f, 0, "SGD momentum, 3 steps: v = m v - lr g; p += v");
  sgd(0.9f, 1, "SGD nesterov, 3 steps: p += m v - lr g");
  adam();
  rmsprop(0, 0, "RMSprop, 3 steps: p -= lr g / (sqrt(ms) + eps)");
  rmsprop(0.5f, 0, "RMSprop momentum, 3 steps: eps inside the sqrt");
  rmsprop(0, 1, "RMSprop centered, 3 steps: ms - mg^2");
  rmsprop(0.5f, 1, "RMSprop centered + momentum, 3 steps");
  /* the element-wise blocks cover long arrays exactly once */
  int64_t n = 100003;
  float *p = falloc(n), *g = falloc(n), *m = falloc(n), *v = falloc(n);
  for (int64_t i = 0; i < n; i++) g[i] = 1;
  NnAdam a = NN_ADAM_DEFAULTS;
  nn_adam_step(&a, p, g, m, v, 1, n);
  int all = 1;
  for (int64_t i = 0; i < n; i++) all &= fabsf(p[i] + 1e-3f) < 1e-8f;
  ok(all, "Adam over 100003 parameters (threaded blocks) updates each once");
  free(p); free(g); free(m); free(v);
  return done_testing();
}
