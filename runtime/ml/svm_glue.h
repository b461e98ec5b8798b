/* svm_glue.h - classic ML on Debian's libsvm and liblinear: their
 * problems built from float buffers, training, prediction in
 * scikit-learn's conventions, model files written atomically and
 * validated before the libraries' loaders see them.
 *
 * No Lua here. X is n x d floats, row-major; labels are any ints. Every
 * function that can fail returns 0 / a model on success and -1 / NULL
 * with a message in err (SVMG_ERRLEN bytes); none prints, exits or
 * aborts (the libraries' own printing is silenced). Results come in
 * scikit-learn's order: classes sorted ascending, whatever order the
 * libraries met them in the training labels. */
#ifndef WB_SVM_GLUE_H
#define WB_SVM_GLUE_H

#include <stddef.h>
#include <stdint.h>

#define SVMG_ERRLEN 256
/* Classes and features a model may have; far beyond any lab, small
 * enough that a model file cannot make us allocate absurd amounts. */
#define SVMG_MAX_CLASSES 1000
#define SVMG_MAX_FEATURES (1 << 24)
/* Model files larger than this are refused unread. */
#define SVMG_MAX_FILE ((size_t)1 << 30)

/* ---- libsvm: C-SVC ------------------------------------------------ */

/* libsvm's kernel numbering */
enum { SVMG_LINEAR, SVMG_POLY, SVMG_RBF, SVMG_SIGMOID };

typedef struct SvmParams {
  int kernel;          /* SVMG_* */
  int degree;          /* poly */
  double gamma;        /* poly, rbf, sigmoid; > 0 */
  double coef0;        /* poly, sigmoid */
  double C;            /* > 0 */
  double tol;          /* libsvm's eps: stopping tolerance, > 0 */
  double cache_mb;     /* kernel cache, > 0 */
  int shrinking;       /* 0/1 */
  int probability;     /* 1: fit Platt scaling (libsvm's internal CV) */
  unsigned seed;       /* srand() first: libsvm shuffles with rand() */
} SvmParams;

typedef struct SvmModel SvmModel;

/* Train on n rows of d features; y holds n labels with at least two
 * distinct values. x must be finite (see ml_find_nonfinite). */
SvmModel *svmg_train(const float *x, int64_t n, int64_t d, const int *y,
                     const SvmParams *p, char *err);
void svmg_free(SvmModel *m);

int svmg_n_features(const SvmModel *m);
int svmg_n_classes(const SvmModel *m);
int svmg_has_proba(const SvmModel *m);
/* the kernel's settings: SVMG_* kernel, degree, gamma, coef0 */
void svmg_kernel(const SvmModel *m, int *kernel, int *degree, double *gamma,
                 double *coef0);
/* classes ascending (n_classes ints) */
void svmg_classes(const SvmModel *m, int *labels);
/* support vectors per class, in ascending class order */
void svmg_n_support(const SvmModel *m, int *nsv);
int svmg_total_sv(const SvmModel *m);
/* The support vectors (total_sv x d floats) grouped by ascending
 * class, as scikit-learn's support_vectors_; idx (may be NULL) gets
 * their 1-based training-row numbers, or 0s for a loaded model (the
 * file does not keep them). */
void svmg_support(const SvmModel *m, float *sv, int *idx);

/* Predictions for n rows of svmg_n_features(m) floats each. Returns -1
 * (out of memory; labels then hold nothing usable) or 0. */
int svmg_predict(const SvmModel *m, const float *x, int64_t n, int *labels,
                 char *err);
/* One-vs-one decision values, n x k(k-1)/2, pairs (i, j) with i < j in
 * ascending class order, each positive when it favours class i (the
 * raw libsvm convention scikit-learn keeps for 'ovo'). Returns -1 (out
 * of memory; dec then holds nothing usable) or 0. */
int svmg_decision_ovo(const SvmModel *m, const float *x, int64_t n,
                      double *dec, char *err);
/* Class probabilities (n x k, ascending classes). Needs a model fitted
 * with probability = 1. Returns -1 if it was not. */
int svmg_predict_proba(const SvmModel *m, const float *x, int64_t n,
                       double *prob, char *err);
/* scikit-learn's decision_function_shape='ovr' from the ovo values:
 * votes plus confidences squashed into (-1/3, 1/3); out is n x k. */
void svmg_ovr_from_ovo(const double *ovo, int64_t n, int k, double *out);

/* libsvm's svm_save_model into path.tmpPID, then renamed over path. */
int svmg_save(const SvmModel *m, const char *path, char *err);
/* Validate the file's text (svmg_check_text), then svm_load_model. */
SvmModel *svmg_load(const char *path, char *err);

/* ---- liblinear: linear SVM ----------------------------------------- */

/* liblinear's solver numbering (the classification solvers) */
enum { LING_L2R_LR = 0, LING_L2R_L2LOSS_SVC_DUAL = 1, LING_L2R_L2LOSS_SVC = 2,
       LING_L2R_L1LOSS_SVC_DUAL = 3, LING_MCSVM_CS = 4,
       LING_L1R_L2LOSS_SVC = 5 };

typedef struct LinParams {
  int solver;          /* LING_* */
  double C;            /* > 0 */
  double tol;          /* liblinear's eps, > 0 */
  double bias;         /* intercept feature value (sklearn's
                          intercept_scaling); < 0: no intercept */
  unsigned seed;       /* srand() first: the dual solvers use rand() */
} LinParams;

typedef struct LinModel LinModel;

LinModel *ling_train(const float *x, int64_t n, int64_t d, const int *y,
                     const LinParams *p, char *err);
void ling_free(LinModel *m);
int ling_n_features(const LinModel *m);
int ling_n_classes(const LinModel *m);
void ling_classes(const LinModel *m, int *labels);
/* Rows of coef (r x d) and intercept (r) as scikit-learn's coef_ and
 * intercept_: r = 1 for two classes (positive for the larger label),
 * else one row per class in ascending order (one-vs-rest). */
int ling_n_rows(const LinModel *m);
void ling_coef(const LinModel *m, float *coef, float *intercept);
/* Decision values n x ling_n_rows(m), as the coef rows, and predicted
 * labels. Both return -1 (out of memory; the output then holds nothing
 * usable) or 0. */
int ling_decision(const LinModel *m, const float *x, int64_t n, double *dec,
                  char *err);
int ling_predict(const LinModel *m, const float *x, int64_t n, int *labels,
                 char *err);
int ling_save(const LinModel *m, const char *path, char *err);
LinModel *ling_load(const char *path, char *err);

/* ---- model files ----------------------------------------------------- */

/* What a model file's text holds: 1 a libsvm model ("svm_type ..."),
 * 2 a liblinear one ("solver_type ..."), 0 neither. */
int svmg_file_kind(const char *text, size_t n);
/* Check that text (n bytes) is a complete, consistent model file that
 * the library's loader reads safely; *d gets the feature count. */
int svmg_check_text(const char *text, size_t n, int *d, char *err);
int ling_check_text(const char *text, size_t n, int *d, char *err);
/* Format a message into err (SVMG_ERRLEN bytes); returns -1. */
int svmg_errf(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* order[0..k) = 0..k-1 sorted so labels[order[i]] ascend (k small). */
void svmg_sort_order(int *order, const int *labels, int k);
/* Call save(tmp, model) on path.tmpPID, then rename it over path. */
int svmg_atomic_save(const char *path,
                     int (*save)(const char *tmp, const void *model),
                     const void *model, char *err);
/* Read a whole file (at most SVMG_MAX_FILE bytes) into a malloc'd,
 * NUL-terminated buffer. */
int svmg_read_file(const char *path, char **text, size_t *n, char *err);

#endif
