/* svm_glue.c - C-SVC on Debian's libsvm: problems from float rows,
 * training, predictions in scikit-learn's class order, model files.
 *
 * libsvm stores every vector as a sparse list of svm_node (index from
 * 1, value) ended by index -1, and keeps classes in the order it first
 * met them in the labels; scikit-learn sorts them. Each model therefore
 * carries `order`, the libsvm position of the i-th smallest class, and
 * every result is permuted through it here, so no caller sees libsvm's
 * order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "ml/svm_glue.h"
#include "core/threads.h"

struct SvmModel {
  struct svm_model *m;
  int d;          /* features */
  int k;          /* classes */
  int *order;     /* order[i]: libsvm's position of the i-th class */
  int *start;     /* libsvm position -> first SV of that class */
};

static void quiet(const char *s) { (void)s; }

#define ERR(...) svmg_errf(err, __VA_ARGS__)

/* ---- sparse rows --------------------------------------------------- */

/* Zeros are left out, as sparse libsvm data has them, except the last
 * feature, which is always written: the model file then shows how many
 * features the model takes (libsvm keeps no count of its own). */
static int64_t row_nodes(const float *r, int64_t d) {
  int64_t c = 1;                              /* feature d */
  for (int64_t j = 0; j < d - 1; j++) c += r[j] != 0;
  return c + 1;                               /* the -1 end */
}

static struct svm_node *fill_row(struct svm_node *p, const float *r,
                                 int64_t d) {
  for (int64_t j = 0; j < d; j++)
    if (r[j] != 0 || j == d - 1) *p++ = (struct svm_node){(int)j + 1, r[j]};
  p->index = -1;
  return p + 1;
}

typedef struct { struct svm_problem prob; struct svm_node *space; } Problem;

static void problem_free(Problem *pr) {
  free(pr->prob.x);
  free(pr->prob.y);
  free(pr->space);
}

static int problem_build(Problem *pr, const float *x, int64_t n, int64_t d,
                         const int *y, char *err) {
  memset(pr, 0, sizeof *pr);
  int64_t total = 0;
  for (int64_t i = 0; i < n; i++) total += row_nodes(x + i * d, d);
  pr->prob.l = (int)n;
  pr->prob.x = malloc((size_t)n * sizeof *pr->prob.x);
  pr->prob.y = malloc((size_t)n * sizeof *pr->prob.y);
  pr->space = malloc((size_t)total * sizeof *pr->space);
  if (!pr->prob.x || !pr->prob.y || !pr->space) {
    problem_free(pr);
    return ERR("out of memory for %lld x %lld training values",
               (long long)n, (long long)d);
  }
  struct svm_node *p = pr->space;
  for (int64_t i = 0; i < n; i++) {
    pr->prob.x[i] = p;
    pr->prob.y[i] = y[i];
    p = fill_row(p, x + i * d, d);
  }
  return 0;
}

/* ---- models --------------------------------------------------------- */

void svmg_free(SvmModel *m) {
  if (!m) return;
  if (m->m) svm_free_and_destroy_model(&m->m);
  free(m->order);
  free(m->start);
  free(m);
}

void svmg_sort_order(int *order, const int *labels, int k) {
  for (int i = 0; i < k; i++) order[i] = i;
  for (int i = 1; i < k; i++)
    for (int j = i; j > 0 && labels[order[j - 1]] > labels[order[j]]; j--) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
}

/* Wrap a libsvm model (taking it over, freeing it on failure). */
static SvmModel *wrap(struct svm_model *sm, int d, char *err) {
  SvmModel *m = calloc(1, sizeof *m);
  int k = sm->nr_class;
  if (m) {
    m->m = sm;
    m->order = malloc((size_t)k * sizeof *m->order);
    m->start = malloc((size_t)k * sizeof *m->start);
  }
  if (!m || !m->order || !m->start) {
    if (m) svmg_free(m);
    else svm_free_and_destroy_model(&sm);
    ERR("out of memory for an SVM model");
    return NULL;
  }
  m->d = d;
  m->k = k;
  svmg_sort_order(m->order, sm->label, k);
  m->start[0] = 0;
  for (int i = 1; i < k; i++) m->start[i] = m->start[i - 1] + sm->nSV[i - 1];
  return m;
}

/* libsvm writes support vector values with 8 significant digits; keep
 * the model in memory at exactly that precision so a saved and loaded
 * model gives the same decision values bit for bit. */
static double as_saved(double v) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.8g", v);
  return strtod(buf, NULL);
}

/* After svm_train the SVs point into the training problem; copy them
 * into one block the model owns (libsvm's free_sv = 1 layout, the one
 * svm_load_model makes), so the problem can be freed right away. */
static int own_support_vectors(struct svm_model *sm, char *err) {
  int64_t total = 0;
  for (int i = 0; i < sm->l; i++) {
    const struct svm_node *p = sm->SV[i];
    while (p->index != -1) p++, total++;
    total++;
  }
  if (sm->l == 0) return 0;
  struct svm_node *block = malloc((size_t)total * sizeof *block);
  if (!block) return ERR("out of memory for the support vectors");
  struct svm_node *q = block;
  for (int i = 0; i < sm->l; i++) {
    const struct svm_node *p = sm->SV[i];
    sm->SV[i] = q;
    for (; p->index != -1; p++, q++)
      *q = (struct svm_node){p->index, as_saved(p->value)};
    (q++)->index = -1;
  }
  sm->free_sv = 1;
  return 0;
}

static void to_param(const SvmParams *p, struct svm_parameter *par) {
  memset(par, 0, sizeof *par);
  par->svm_type = C_SVC;
  par->kernel_type = p->kernel;
  par->degree = p->degree;
  par->gamma = p->gamma;
  par->coef0 = p->coef0;
  par->C = p->C;
  par->eps = p->tol;
  par->cache_size = p->cache_mb;
  par->shrinking = p->shrinking;
  par->probability = p->probability;
}

SvmModel *svmg_train(const float *x, int64_t n, int64_t d, const int *y,
                     const SvmParams *p, char *err) {
  if (n < 2 || n > 0x7fffffff || d < 1 || d > SVMG_MAX_FEATURES) {
    ERR("cannot train on %lld rows of %lld features", (long long)n,
        (long long)d);
    return NULL;
  }
  if (p->kernel < SVMG_LINEAR || p->kernel > SVMG_SIGMOID) {
    ERR("unknown kernel %d", p->kernel);
    return NULL;
  }
  struct svm_parameter par;
  to_param(p, &par);
  Problem pr;
  if (problem_build(&pr, x, n, d, y, err)) return NULL;
  const char *bad = svm_check_parameter(&pr.prob, &par);
  if (bad) {
    problem_free(&pr);
    ERR("libsvm: %s", bad);
    return NULL;
  }
  svm_set_print_string_function(quiet);
  srand(p->seed);
  struct svm_model *sm = svm_train(&pr.prob, &par);
  int bad_sv = sm ? own_support_vectors(sm, err) : ERR("libsvm failed");
  problem_free(&pr);
  if (bad_sv) {
    if (sm) svm_free_and_destroy_model(&sm);
    return NULL;
  }
  return wrap(sm, (int)d, err);
}

int svmg_n_features(const SvmModel *m) { return m->d; }
int svmg_n_classes(const SvmModel *m) { return m->k; }
int svmg_has_proba(const SvmModel *m) {
  return svm_check_probability_model(m->m);
}
void svmg_kernel(const SvmModel *m, int *kernel, int *degree, double *gamma,
                 double *coef0) {
  const struct svm_parameter *p = &m->m->param;
  *kernel = p->kernel_type;
  *degree = p->degree;
  *gamma = p->gamma;
  *coef0 = p->coef0;
}
int svmg_total_sv(const SvmModel *m) { return m->m->l; }

void svmg_classes(const SvmModel *m, int *labels) {
  for (int i = 0; i < m->k; i++) labels[i] = m->m->label[m->order[i]];
}

void svmg_n_support(const SvmModel *m, int *nsv) {
  for (int i = 0; i < m->k; i++) nsv[i] = m->m->nSV[m->order[i]];
}

void svmg_support(const SvmModel *m, float *sv, int *idx) {
  int row = 0;
  for (int c = 0; c < m->k; c++) {
    int p = m->order[c];
    for (int s = m->start[p]; s < m->start[p] + m->m->nSV[p]; s++, row++) {
      float *r = sv + (int64_t)row * m->d;
      memset(r, 0, (size_t)m->d * sizeof *r);
      for (const struct svm_node *q = m->m->SV[s]; q->index != -1; q++)
        if (q->index >= 1 && q->index <= m->d)
          r[q->index - 1] = (float)q->value;
      if (idx) idx[row] = m->m->sv_indices ? m->m->sv_indices[s] : 0;
    }
  }
}

/* ---- prediction ------------------------------------------------------ */

enum { PRED_LABEL, PRED_OVO, PRED_PROBA };

typedef struct {
  const SvmModel *m;
  const float *x;
  int what;
  int *labels;
  double *out;
  volatile int nomem;
} PredJob;

/* Position of the pair (a, b), a < b, in libsvm's decision values. */
static int pair_pos(int a, int b, int k) {
  return a * k - a * (a + 1) / 2 + (b - a - 1);
}

static void ovo_sorted(const SvmModel *m, const double *raw, double *dec) {
  int k = m->k, q = 0;
  for (int i = 0; i < k; i++)
    for (int j = i + 1; j < k; j++, q++) {
      int a = m->order[i], b = m->order[j];
      dec[q] = a < b ? raw[pair_pos(a, b, k)] : -raw[pair_pos(b, a, k)];
    }
}

static void predict_one(const PredJob *J, const struct svm_node *row,
                        int64_t i, double *tmp) {
  const SvmModel *m = J->m;
  int k = m->k, npair = k * (k - 1) / 2;
  if (J->what == PRED_LABEL) {
    J->labels[i] = (int)svm_predict(m->m, row);
  } else if (J->what == PRED_OVO) {
    svm_predict_values(m->m, row, tmp);
    ovo_sorted(m, tmp, J->out + i * npair);
  } else {
    svm_predict_probability(m->m, row, tmp);
    for (int c = 0; c < k; c++) J->out[i * k + c] = tmp[m->order[c]];
  }
}

static void predict_range(void *ctx, int64_t lo, int64_t hi, int slot) {
  PredJob *J = ctx;
  int64_t d = J->m->d, k = J->m->k;
  struct svm_node *row = malloc((size_t)(d + 1) * sizeof *row);
  double *tmp = malloc((size_t)(k * k + 1) * sizeof *tmp);
  if (!row || !tmp) J->nomem = 1;
  else
    for (int64_t i = lo; i < hi; i++) {
      fill_row(row, J->x + i * d, d);
      predict_one(J, row, i, tmp);
    }
  free(row);
  free(tmp);
}

/* Every piece allocates its own row; a piece that cannot marks the job
 * and leaves its rows unfilled, so the whole result is refused. */
static int run_predict(PredJob *J, int64_t n, char *err) {
  double flops = (double)n * (J->m->m->l + 1) * (J->m->d + 1) * 3;
  threads_for(n, flops, predict_range, J);
  if (J->nomem)
    return ERR("out of memory predicting %lld rows of %d features",
               (long long)n, J->m->d);
  return 0;
}

int svmg_predict(const SvmModel *m, const float *x, int64_t n, int *labels,
                 char *err) {
  PredJob J = {m, x, PRED_LABEL, labels, NULL, 0};
  return run_predict(&J, n, err);
}

int svmg_decision_ovo(const SvmModel *m, const float *x, int64_t n,
                      double *dec, char *err) {
  PredJob J = {m, x, PRED_OVO, NULL, dec, 0};
  return run_predict(&J, n, err);
}

int svmg_predict_proba(const SvmModel *m, const float *x, int64_t n,
                       double *prob, char *err) {
  if (!svmg_has_proba(m))
    return ERR("the model was fitted without probability estimates");
  PredJob J = {m, x, PRED_PROBA, NULL, prob, 0};
  return run_predict(&J, n, err);
}

/* scikit-learn's _ovr_decision_function(dec < 0, -dec, k) for the
 * ovo values dec (positive for the first class of a pair). */
void svmg_ovr_from_ovo(const double *ovo, int64_t n, int k, double *out) {
  int npair = k * (k - 1) / 2;
  for (int64_t s = 0; s < n; s++) {
    const double *dec = ovo + s * npair;
    double *o = out + s * k;
    double conf[SVMG_MAX_CLASSES];
    for (int c = 0; c < k; c++) o[c] = 0, conf[c] = 0;
    int q = 0;
    for (int i = 0; i < k; i++)
      for (int j = i + 1; j < k; j++, q++) {
        conf[i] += dec[q];
        conf[j] -= dec[q];
        o[dec[q] < 0 ? j : i] += 1;
      }
    for (int c = 0; c < k; c++) o[c] += conf[c] / (3 * (fabs(conf[c]) + 1));
  }
}

/* ---- files ------------------------------------------------------------- */

static int save_raw(const char *tmp, const void *m) {
  return svm_save_model(tmp, (const struct svm_model *)m);
}

int svmg_save(const SvmModel *m, const char *path, char *err) {
  return svmg_atomic_save(path, save_raw, m->m, err);
}

SvmModel *svmg_load(const char *path, char *err) {
  char *text;
  size_t n;
  int d;
  if (svmg_read_file(path, &text, &n, err)) return NULL;
  int bad = svmg_check_text(text, n, &d, err);
  free(text);
  if (bad) return NULL;
  struct svm_model *sm = svm_load_model(path);
  if (!sm) {
    ERR("%s: libsvm could not read the model", path);
    return NULL;
  }
  return wrap(sm, d, err);
}
