/* linear.h - linear models for the classic-ML module, computed in double
 * precision as scikit-learn does them: least squares (LAPACK's gelsd, as
 * scipy.linalg.lstsq), ridge (Cholesky), the elastic net / lasso by
 * coordinate descent with the duality-gap test, plain stochastic
 * gradient descent (scikit-learn's losses, schedules and stopping rule),
 * logistic regression by L-BFGS (liblbfgs), polynomial features.
 *
 * X is always n x d row-major floats; targets, weights and outputs are
 * doubles. No Lua here. Functions return 0, or ML_ENOMEM when memory
 * ran out, ML_ELAPACK when LAPACK failed (err says more, when given). */
#ifndef WB_ML_LINEAR_H
#define WB_ML_LINEAR_H

#include <stdint.h>

enum { ML_ENOMEM = -1, ML_ELAPACK = -2 };

/* Least squares for t targets: y is n x t, coef t x d, intercept t.
 * With fit_intercept X and y are centred first (as scikit-learn's
 * LinearRegression). Singular values below eps * the largest count as
 * zero. sv (min(n, d) values, may be NULL) gets the singular values of
 * the (centred) X, *rank its effective rank. */
int lin_lstsq(const float *x, int64_t n, int64_t d, const double *y,
              int64_t t, int fit_intercept, double *coef, double *intercept,
              double *sv, int *rank);

/* Ridge: minimise ||y - Xw - b||^2 + alpha ||w||^2 for each of t
 * targets (alpha > 0), by Cholesky on X'X + alpha I (or, when d > n, on
 * XX' + alpha I). */
int lin_ridge(const float *x, int64_t n, int64_t d, const double *y,
              int64_t t, double alpha, int fit_intercept, double *coef,
              double *intercept);

/* Elastic net for one target, scikit-learn's objective
 *   1/(2n) ||y - Xw - b||^2 + alpha l1_ratio ||w||_1
 *     + alpha (1 - l1_ratio) / 2 ||w||^2
 * by cyclic coordinate descent from w = 0. Stops when the largest
 * weight change over a sweep is below tol times the largest weight and
 * the duality gap is below tol ||y - mean||^2, or after max_iter sweeps.
 * *n_iter gets the sweeps run, *gap the last duality gap / n. */
int lin_enet(const float *x, int64_t n, int64_t d, const double *y,
             double alpha, double l1_ratio, int fit_intercept, int max_iter,
             double tol, double *coef, double *intercept, int *n_iter,
             double *gap);

/* ---- stochastic gradient descent ------------------------------------ */

enum { SGD_SQUARED, SGD_HUBER, SGD_EPS_INSENSITIVE, SGD_HINGE,
       SGD_SQUARED_HINGE, SGD_PERCEPTRON, SGD_LOG, SGD_MODIFIED_HUBER };
enum { SGD_CONSTANT, SGD_OPTIMAL, SGD_INVSCALING, SGD_ADAPTIVE };

typedef struct SgdParams {
  int loss;            /* SGD_* */
  double epsilon;      /* huber / epsilon_insensitive */
  int l2;              /* 1: penalty 'l2', 0: none */
  double alpha;
  int learning_rate;   /* SGD_CONSTANT .. */
  double eta0, power_t;
  int fit_intercept;
  int max_iter;
  double tol;          /* < 0: no stopping on the loss */
  int n_iter_no_change;
  int shuffle;         /* shuffle the rows every epoch (runtime RNG) */
} SgdParams;

/* One weight vector: y holds the targets (regression) or +1 / -1
 * (classification). w (d) and *b start at zero. *n_iter gets the epochs
 * run, *t the update counter afterwards (scikit-learn's t_). */
int sgd_fit(const float *x, int64_t n, int64_t d, const double *y,
            const SgdParams *p, double *w, double *b, int *n_iter,
            double *t);

/* ---- logistic regression by L-BFGS ------------------------------------ */

/* Minimise sum_i loss_i + ||W||^2 / (2C) (the intercepts are not
 * penalised). k == 1: the binary logistic loss, cls[i] in {0, 1}; k >= 2:
 * the multinomial (softmax) loss over k classes, cls[i] in 0..k-1. coef
 * is k x d, intercept k. Stops when the largest gradient component is at
 * most tol, when the objective changes by less than 2.2e-9 relatively,
 * or after max_iter iterations; *n_iter gets the iterations. */
int logreg_lbfgs(const float *x, int64_t n, int64_t d, const int *cls, int k,
                 double C, int fit_intercept, int max_iter, double tol,
                 double *coef, double *intercept, int *n_iter);

/* ---- polynomial features ------------------------------------------------ */

/* out (n x p) = prod_j x[i, j]^powers[c, j] for each output column c
 * (powers p x d, small non-negative integers). */
void poly_features(const float *x, int64_t n, int64_t d, const int *powers,
                   int64_t p, float *out);

#endif
