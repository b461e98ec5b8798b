/* ensemble.h - tree ensembles with scikit-learn 1.2's random draws:
 * random forests / extra trees and bagging (forest.c), AdaBoost (SAMME.R
 * and SAMME) and gradient boosting (boost.c).
 *
 * No Lua here. Trees are DTree (tree.h); X comes row-major (n x d) and
 * transposed (d x n). Functions return 0, or -1 with a message in err
 * (ENS_ERRLEN bytes) when out of memory or the data cannot be fitted;
 * the trees already made are freed on failure. */
#ifndef WB_ENSEMBLE_H
#define WB_ENSEMBLE_H

#include <stdint.h>

#include "ml/tree.h"

#define ENS_ERRLEN 256

enum { SCHEME_FOREST, SCHEME_BAGGING };

typedef struct {
  TreeParams tp;                 /* seed and parallel are set per tree */
  int n_estimators, bootstrap, scheme;
  int64_t max_samples;           /* bootstrap draws per tree */
  uint32_t random_state;
  int n_jobs;                    /* threads fitting trees at once */
} ForestParams;

/* Fit fp->n_estimators trees into trees[]. */
int forest_fit(DTree *trees, const ForestParams *fp, const float *Xt,
               int64_t n, int d, const double *y, int n_classes, char *err);
/* Out-of-bag sums: for every sample, the outputs (S = max(K, 1) each) of
 * the trees that did not draw it, added into oob (n x S), and how many
 * such trees in count (n). */
int forest_oob(const DTree *trees, const ForestParams *fp, const float *X,
               int64_t n, int d, double *oob, int64_t *count);

typedef struct {
  TreeParams tp;
  int n_estimators, samme_r;
  double learning_rate;
  uint32_t random_state;
} AdaParams;

/* AdaBoostClassifier.fit: trees (n_estimators slots), *n_fitted of them
 * used; weights and errors get n_estimators values (unused: 0 and 1, as
 * scikit-learn's estimator_weights_ / estimator_errors_). */
int ada_fit(DTree *trees, int *n_fitted, double *weights, double *errors,
            const AdaParams *ap, const float *X, const float *Xt, int64_t n,
            int d, const double *y, int K, char *err);

enum { GB_SQUARED, GB_LOG_LOSS };

typedef struct {
  TreeParams tp;                 /* criterion friedman_mse etc. */
  int n_estimators, loss;
  double learning_rate;
  uint32_t random_state;
} GBParams;

/* Gradient boosting with subsample = 1. R = 1 for regression and binary
 * classification, else K trees per stage; trees gets n_estimators * R
 * (stage-major), init R raw values, train_score n_estimators losses. */
int gb_fit(DTree *trees, double *init, double *train_score,
           const GBParams *gp, const float *X, const float *Xt, int64_t n,
           int d, const double *y, int K, char *err);

#endif
