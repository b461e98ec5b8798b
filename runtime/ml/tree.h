/* tree.h - CART decision trees as scikit-learn 1.2 grows them, and the
 * random draws it makes on the way (NumPy's legacy MT19937 RandomState
 * and the trees' own xorshift), so that a tree fitted with the same
 * random_state picks the same features in the same order.
 *
 * A tree is grown depth first (left child first) by the "best" splitter
 * (every distinct value of a feature tried, thresholds at midpoints) or
 * the "random" splitter (one uniform threshold per feature, as extra
 * trees). Criteria: gini, entropy (= log_loss), squared_error and
 * friedman_mse. One output; class ids 0..K-1 for a classifier.
 *
 * No Lua here. Functions that allocate report running out of memory by
 * returning -1; the tree's arrays are malloc'd and freed by tree_free. */
#ifndef WB_TREE_H
#define WB_TREE_H

#include <stdint.h>

/* ---- NumPy's RandomState (MT19937), legacy draws ---------------------- */
typedef struct { uint32_t key[624]; int pos; } MTState;
void mt_seed(MTState *s, uint32_t seed);
uint32_t mt_next(MTState *s);
/* RandomState.randint(0, high) for 1 <= high <= 2^32, masked rejection
 * as NumPy's legacy generator does it. */
uint32_t mt_randint(MTState *s, uint64_t high);

/* ---- trees ------------------------------------------------------------ */
enum { CRIT_GINI, CRIT_ENTROPY, CRIT_MSE, CRIT_FRIEDMAN };
enum { SPLIT_BEST, SPLIT_RANDOM };

/* Each feature's distinct values ascending and every sample's rank among
 * them (features with more than 65535 distinct values have none): lets a
 * classifier with whole-number weights count classes per value instead
 * of sorting a node's samples -- the same splits, found faster. */
typedef struct {
  uint16_t *rank;                /* d x n, feature-major */
  float *uniq;                   /* feature f's values at uniq + uoff[f] */
  int64_t *uoff;
  int32_t *nu;                   /* distinct values of f; 0: no ranks */
  int32_t max_nu;
} TreeRanks;

/* Returns 0, or -1 when out of memory. parallel: use the thread pool. */
int tree_ranks_make(TreeRanks *r, const float *Xt, int64_t n, int d,
                    int parallel);
void tree_ranks_free(TreeRanks *r);

typedef struct {
  const TreeRanks *ranks;        /* NULL: always sort */
  int criterion, splitter;
  int max_depth;                 /* < 0: no limit */
  int64_t min_samples_split, min_samples_leaf;
  double min_weight_leaf, min_impurity_decrease;
  int max_features;              /* 1..n_features */
  uint32_t seed;                 /* the splitter's rand_r state */
  int parallel;                  /* may use the thread pool per node */
} TreeParams;

typedef struct {
  int n_features, n_classes;     /* n_classes 0: a regression tree */
  int64_t node_count, cap;
  int64_t *left, *right, *n_node_samples;   /* leaf: left = right = -1 */
  int *feature;                  /* leaf: -2 */
  double *threshold;             /* leaf: -2 */
  double *impurity, *weighted_n;
  double *value;                 /* node_count x max(n_classes, 1):
                                    class weights, or the mean */
  int max_depth;                 /* depth reached (root 0) */
} DTree;

/* Xt: X (n samples x d features, finite) transposed, d x n floats.
 * y: class ids (as doubles) for n_classes > 0, else targets. w: sample
 * weights (>= 0) or NULL for ones; samples of weight 0 take no part.
 * t must be empty (tree_free'd). Returns 0, or -1 when out of memory. */
int tree_fit(DTree *t, const TreeParams *p, const float *Xt, int64_t n,
             int d, const double *y, int n_classes, const double *w);
void tree_free(DTree *t);
/* The leaf reached by one row of d features. */
int64_t tree_apply1(const DTree *t, const float *x);
/* Importances (d): weighted impurity decrease per feature, over the
 * root's weight, normalised to sum 1 when normalize and the sum > 0. */
void tree_importances(const DTree *t, double *imp, int normalize);
/* The leaf's output: class probabilities (its weights over their sum)
 * or the regression value. */
void tree_leaf_output(const DTree *t, int64_t leaf, double *out);
/* The splitter seed scikit-learn draws for a tree given random_state =
 * an integer: RandomState(random_state).randint(0, 2^31 - 1). */
uint32_t tree_seed_from(uint32_t random_state);
/* Transpose n x d into d x n (out: n*d floats). */
void tree_transpose(const float *X, int64_t n, int d, float *out);

#endif
