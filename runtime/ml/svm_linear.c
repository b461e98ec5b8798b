/* svm_linear.c - linear SVMs on Debian's liblinear: problems from float
 * rows, training, decision values and coefficients in scikit-learn's
 * conventions, model files.
 *
 * As scikit-learn's LinearSVC does, the intercept is learnt as the
 * weight of one more feature of constant value `bias` (its
 * intercept_scaling), so it is regularized like the other weights.
 * liblinear keeps classes in the order it first met them; `order`
 * gives the position of the i-th smallest class, as in svm_glue.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linear.h>

#include "ml/svm_glue.h"
#include "core/threads.h"

struct LinModel {
  struct model *m;
  int d, k;
  int nr_w;       /* weight columns: 1 for two classes, else k */
  int *order;
};

static void quiet(const char *s) { (void)s; }

#define ERR(...) svmg_errf(err, __VA_ARGS__)

/* Nonzero features, then the bias feature (index d + 1), then -1. */
static struct feature_node *fill_row(struct feature_node *p, const float *r,
                                     int64_t d, double bias) {
  for (int64_t j = 0; j < d; j++)
    if (r[j] != 0) *p++ = (struct feature_node){(int)j + 1, r[j]};
  if (bias >= 0) *p++ = (struct feature_node){(int)d + 1, bias};
  p->index = -1;
  return p + 1;
}

void ling_free(LinModel *m) {
  if (!m) return;
  if (m->m) free_and_destroy_model(&m->m);
  free(m->order);
  free(m);
}

static LinModel *wrap(struct model *lm, char *err) {
  LinModel *m = calloc(1, sizeof *m);
  int k = lm->nr_class;
  if (m) {
    m->m = lm;
    m->order = malloc((size_t)k * sizeof *m->order);
  }
  if (!m || !m->order) {
    if (m) ling_free(m);
    else free_and_destroy_model(&lm);
    ERR("out of memory for a linear SVM model");
    return NULL;
  }
  m->d = lm->nr_feature;
  m->k = k;
  m->nr_w = (k == 2 && lm->param.solver_type != MCSVM_CS) ? 1 : k;
  svmg_sort_order(m->order, lm->label, k);
  return m;
}

typedef struct {
  struct problem prob;
  struct feature_node *space;
} Problem;

static void problem_free(Problem *pr) {
  free(pr->prob.x);
  free(pr->prob.y);
  free(pr->space);
}

static int problem_build(Problem *pr, const float *x, int64_t n, int64_t d,
                         const int *y, double bias, char *err) {
  memset(pr, 0, sizeof *pr);
  int64_t total = 0;
  for (int64_t i = 0; i < n * d; i++) total += x[i] != 0;
  total += 2 * n;
  pr->prob.l = (int)n;
  pr->prob.n = (int)d + (bias >= 0);
  pr->prob.bias = bias;
  pr->prob.x = malloc((size_t)n * sizeof *pr->prob.x);
  pr->prob.y = malloc((size_t)n * sizeof *pr->prob.y);
  pr->space = malloc((size_t)total * sizeof *pr->space);
  if (!pr->prob.x || !pr->prob.y || !pr->space) {
    problem_free(pr);
    return ERR("out of memory for %lld x %lld training values",
               (long long)n, (long long)d);
  }
  struct feature_node *p = pr->space;
  for (int64_t i = 0; i < n; i++) {
    pr->prob.x[i] = p;
    pr->prob.y[i] = y[i];
    p = fill_row(p, x + i * d, d, bias);
  }
  return 0;
}

LinModel *ling_train(const float *x, int64_t n, int64_t d, const int *y,
                     const LinParams *p, char *err) {
  if (n < 2 || n > 0x7fffffff || d < 1 || d > SVMG_MAX_FEATURES) {
    ERR("cannot train on %lld rows of %lld features", (long long)n,
        (long long)d);
    return NULL;
  }
  struct parameter par = {0};
  par.solver_type = p->solver;
  par.eps = p->tol;
  par.C = p->C;
  Problem pr;
  if (problem_build(&pr, x, n, d, y, p->bias, err)) return NULL;
  const char *bad = check_parameter(&pr.prob, &par);
  if (bad) {
    problem_free(&pr);
    ERR("liblinear: %s", bad);
    return NULL;
  }
  set_print_string_function(quiet);
  srand(p->seed);
  struct model *lm = train(&pr.prob, &par);
  problem_free(&pr);      /* the model copies its weights */
  if (!lm) {
    ERR("liblinear failed");
    return NULL;
  }
  return wrap(lm, err);
}

int ling_n_features(const LinModel *m) { return m->d; }
int ling_n_classes(const LinModel *m) { return m->k; }
int ling_n_rows(const LinModel *m) { return m->k == 2 ? 1 : m->k; }

void ling_classes(const LinModel *m, int *labels) {
  for (int i = 0; i < m->k; i++) labels[i] = m->m->label[m->order[i]];
}

/* +1 when liblinear's first weight column favours the larger of two
 * labels (scikit-learn's sign), else -1. */
static double binary_sign(const LinModel *m) {
  return m->m->label[0] > m->m->label[1] ? 1 : -1;
}

void ling_coef(const LinModel *m, float *coef, float *intercept) {
  const double *w = m->m->w;
  int rows = ling_n_rows(m), nw = m->nr_w;
  double bias = m->m->bias;
  for (int r = 0; r < rows; r++) {
    int col = rows == 1 ? 0 : m->order[r];
    double s = rows == 1 ? binary_sign(m) : 1;
    for (int j = 0; j < m->d; j++)
      coef[(int64_t)r * m->d + j] = (float)(s * w[(int64_t)j * nw + col]);
    intercept[r] = bias >= 0
        ? (float)(s * bias * w[(int64_t)m->d * nw + col]) : 0.0f;
  }
}

typedef struct {
  const LinModel *m;
  const float *x;
  int *labels;
  double *dec;
  volatile int nomem;
} PredJob;

static void predict_range(void *ctx, int64_t lo, int64_t hi, int slot) {
  PredJob *J = ctx;
  const LinModel *m = J->m;
  int64_t d = m->d;
  int rows = ling_n_rows(m);
  struct feature_node *row = malloc((size_t)(d + 2) * sizeof *row);
  double *v = malloc((size_t)m->k * sizeof *v);
  if (!row || !v) J->nomem = 1;
  else
    for (int64_t i = lo; i < hi; i++) {
      fill_row(row, J->x + i * d, d, m->m->bias);
      double lab = predict_values(m->m, row, v);
      if (J->labels) J->labels[i] = (int)lab;
      if (!J->dec) continue;
      for (int r = 0; r < rows; r++)
        J->dec[i * rows + r] = rows == 1 ? binary_sign(m) * v[0]
                                         : v[m->order[r]];
    }
  free(row);
  free(v);
}

/* A piece that cannot allocate its row leaves its rows unfilled and
 * marks the job: the whole result is refused. */
static int run(PredJob *J, int64_t n, char *err) {
  double flops = (double)n * (J->m->d + 1) * J->m->nr_w * 2;
  threads_for(n, flops, predict_range, J);
  if (J->nomem)
    return ERR("out of memory predicting %lld rows of %d features",
               (long long)n, J->m->d);
  return 0;
}

int ling_decision(const LinModel *m, const float *x, int64_t n, double *dec,
                  char *err) {
  PredJob J = {m, x, NULL, dec, 0};
  return run(&J, n, err);
}

int ling_predict(const LinModel *m, const float *x, int64_t n, int *labels,
                 char *err) {
  PredJob J = {m, x, labels, NULL, 0};
  return run(&J, n, err);
}

static int save_raw(const char *tmp, const void *m) {
  return save_model(tmp, (const struct model *)m);
}

int ling_save(const LinModel *m, const char *path, char *err) {
  return svmg_atomic_save(path, save_raw, m->m, err);
}

LinModel *ling_load(const char *path, char *err) {
  char *text;
  size_t n;
  int d;
  if (svmg_read_file(path, &text, &n, err)) return NULL;
  int bad = ling_check_text(text, n, &d, err);
  free(text);
  if (bad) return NULL;
  struct model *lm = load_model(path);
  if (!lm) {
    ERR("%s: liblinear could not read the model", path);
    return NULL;
  }
  return wrap(lm, err);
}
