/* test_tree.c - the tree core: NumPy's MT19937 draws (values printed by
 * NumPy 1.24: RandomState(0).randint(0, 2**31 - 1) four times, and
 * RandomState(5).randint(0, 10, 5)), a tree on separable data, the
 * per-value counting path against the sorting path (the same trees,
 * node for node), and threads not changing a forest. */
#include <stdlib.h>
#include <string.h>

#include "ml/ensemble.h"
#include "ml/tree.h"
#include "tap.h"

static int same_tree(const DTree *a, const DTree *b) {
  if (a->node_count != b->node_count) return 0;
  for (int64_t k = 0; k < a->node_count; k++) {
    if (a->feature[k] != b->feature[k] || a->left[k] != b->left[k] ||
        a->threshold[k] != b->threshold[k] || a->impurity[k] != b->impurity[k] ||
        a->n_node_samples[k] != b->n_node_samples[k])
      return 0;
  }
  return 1;
}

int main(void) {
  MTState s;
  mt_seed(&s, 0);
  const uint32_t want[4] = {209652396u, 398764591u, 924231285u, 1478610112u};
  int good = 1;
  for (int i = 0; i < 4; i++) good &= mt_randint(&s, 0x7FFFFFFFu) == want[i];
  ok(good, "RandomState(0).randint(0, 2^31 - 1) as NumPy draws it");
  mt_seed(&s, 5);
  const uint32_t want5[5] = {3, 6, 6, 0, 9};
  good = 1;
  for (int i = 0; i < 5; i++) good &= mt_randint(&s, 10) == want5[i];
  ok(good, "RandomState(5).randint(0, 10, 5) as NumPy draws it");

  /* 400 samples, 6 features of 12 distinct values, 3 classes from two
   * of them; noise in the rest */
  int64_t n = 400;
  int d = 6;
  float *X = malloc(sizeof *X * n * d), *Xt = malloc(sizeof *Xt * n * d);
  double *y = malloc(sizeof *y * n), *w = malloc(sizeof *w * n);
  uint32_t r = 12345;
  for (int64_t i = 0; i < n; i++) {
    for (int j = 0; j < d; j++) {
      r = r * 1103515245u + 12345u;
      X[i * d + j] = (float)((r >> 16) % 12) / 4.0f;
    }
    y[i] = X[i * d + 1] > 1.4f ? 2 : X[i * d + 4] > 1.0f ? 1 : 0;
    w[i] = (double)(i % 3);
  }
  tree_transpose(X, n, d, Xt);
  TreeParams tp = {NULL, CRIT_GINI, SPLIT_BEST, -1, 2, 1, 0, 0, d, 7, 0};
  DTree a, b;
  ok(tree_fit(&a, &tp, Xt, n, d, y, 3, NULL) == 0, "a classification tree fits");
  int right = 1;
  for (int64_t i = 0; i < n; i++) {
    double p[3];
    tree_leaf_output(&a, tree_apply1(&a, X + i * d), p);
    right &= p[(int)y[i]] == 1.0;
  }
  ok(right, "separable data: every training sample in a pure leaf of its class");
  double imp[6];
  tree_importances(&a, imp, 1);
  ok(imp[1] + imp[4] > 0.999 && imp[0] == 0, "importances on the two features that decide");
  tree_free(&a);

  TreeRanks rk;
  ok(tree_ranks_make(&rk, Xt, n, d, 0) == 0 && rk.max_nu == 12, "ranks: 12 values a feature");
  for (int crit = CRIT_GINI; crit <= CRIT_ENTROPY; crit++)
    for (int wts = 0; wts < 2; wts++) {
      TreeParams p1 = tp, p2 = tp;
      p1.criterion = p2.criterion = crit;
      p1.max_features = p2.max_features = 3;
      p2.ranks = &rk;
      tree_fit(&a, &p1, Xt, n, d, y, 3, wts ? w : NULL);
      tree_fit(&b, &p2, Xt, n, d, y, 3, wts ? w : NULL);
      ok(same_tree(&a, &b), "counting per value = sorting (%s, %s)",
         crit == CRIT_GINI ? "gini" : "entropy", wts ? "weights 0..2" : "no weights");
      tree_free(&a);
      tree_free(&b);
    }

  ForestParams fp = {tp, 12, 1, SCHEME_FOREST, n, 3, 1};
  fp.tp.max_features = 2;
  DTree f1[12], f2[12];
  char err[ENS_ERRLEN];
  ok(forest_fit(f1, &fp, Xt, n, d, y, 3, err) == 0, "a forest fits on one thread");
  fp.n_jobs = 4;
  ok(forest_fit(f2, &fp, Xt, n, d, y, 3, err) == 0, "and on four");
  good = 1;
  for (int t = 0; t < 12; t++) {
    good &= same_tree(&f1[t], &f2[t]);
    tree_free(&f1[t]);
    tree_free(&f2[t]);
  }
  ok(good, "the trees do not depend on the threads");
  tree_ranks_free(&rk);
  free(X); free(Xt); free(y); free(w);
  return done_testing();
}
