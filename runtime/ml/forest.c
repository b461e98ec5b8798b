/* forest.c - random forests, extra trees and bagged trees with
 * scikit-learn 1.2's random draws: the ensemble's RandomState gives each
 * tree a seed; a bootstrap sample becomes integer sample weights. Trees
 * are fitted n_jobs at a time on the thread pool; each tree's result
 * depends only on its seed, never on the thread that grew it. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"
#include "ml/ensemble.h"

#define MAX_INT 0x7FFFFFFFu

/* the ensemble's per-tree seeds (what RandomState.randint(MAX_INT) gives
 * in turn), and from one of them the bootstrap seed and the tree's own
 * random_state */
static void tree_seeds(const ForestParams *fp, uint32_t s, uint32_t *boot,
                       uint32_t *tree_rs) {
  *boot = s;
  if (fp->scheme == SCHEME_BAGGING) {
    MTState m;
    mt_seed(&m, s);
    *tree_rs = mt_randint(&m, MAX_INT);
  } else {
    *tree_rs = s;
  }
}

/* bootstrap counts (n) from a fresh RandomState(boot) */
static void boot_counts(const ForestParams *fp, uint32_t boot, int64_t n,
                        double *w) {
  for (int64_t i = 0; i < n; i++) w[i] = fp->bootstrap ? 0.0 : 1.0;
  if (!fp->bootstrap) return;
  MTState m;
  mt_seed(&m, boot);
  for (int64_t k = 0; k < fp->max_samples; k++) w[mt_randint(&m, (uint64_t)n)] += 1.0;
}

typedef struct {
  DTree *trees;
  const ForestParams *fp;
  const uint32_t *seeds;
  const float *Xt;
  int64_t n;
  int d, K;
  const double *y;
  atomic_int next, failed;
} Job;

static void fit_worker(void *ctx, int task, int ntasks) {
  Job *j = ctx;
  double *w = malloc((size_t)j->n * sizeof *w);
  if (!w) { atomic_store(&j->failed, 1); return; }
  for (;;) {
    int t = atomic_fetch_add(&j->next, 1);
    if (t >= j->fp->n_estimators || atomic_load(&j->failed)) break;
    uint32_t boot, rs;
    tree_seeds(j->fp, j->seeds[t], &boot, &rs);
    boot_counts(j->fp, boot, j->n, w);
    TreeParams tp = j->fp->tp;
    tp.seed = tree_seed_from(rs);
    tp.parallel = 0;
    if (tree_fit(&j->trees[t], &tp, j->Xt, j->n, j->d, j->y, j->K,
                 w) < 0)
      atomic_store(&j->failed, 1);
  }
  free(w);
}

static void draw_seeds(const ForestParams *fp, uint32_t *seeds) {
  MTState m;
  mt_seed(&m, fp->random_state);
  for (int t = 0; t < fp->n_estimators; t++) seeds[t] = mt_randint(&m, MAX_INT);
}

int forest_fit(DTree *trees, const ForestParams *fp, const float *Xt,
               int64_t n, int d, const double *y, int n_classes, char *err) {
  memset(trees, 0, (size_t)fp->n_estimators * sizeof *trees);
  uint32_t *seeds = malloc((size_t)fp->n_estimators * sizeof *seeds);
  if (!seeds) { snprintf(err, ENS_ERRLEN, "out of memory"); return -1; }
  draw_seeds(fp, seeds);
  Job j = {trees, fp, seeds, Xt, n, d, n_classes, y, 0, 0};
  int nj = fp->n_jobs < 1 ? 1 : fp->n_jobs;
  if (nj > fp->n_estimators) nj = fp->n_estimators;
  if (nj > 1) threads_run(fit_worker, &j, nj);
  else fit_worker(&j, 0, 1);
  free(seeds);
  if (atomic_load(&j.failed)) {
    for (int t = 0; t < fp->n_estimators; t++) tree_free(&trees[t]);
    snprintf(err, ENS_ERRLEN, "out of memory growing the trees");
    return -1;
  }
  return 0;
}

int forest_oob(const DTree *trees, const ForestParams *fp, const float *X,
               int64_t n, int d, double *oob, int64_t *count) {
  int S = trees[0].n_classes > 0 ? trees[0].n_classes : 1;
  uint32_t *seeds = malloc((size_t)fp->n_estimators * sizeof *seeds);
  double *w = malloc((size_t)n * sizeof *w), out[1024];
  if (!seeds || !w || S > 1024) { free(seeds); free(w); return -1; }
  draw_seeds(fp, seeds);
  memset(oob, 0, (size_t)(n * S) * sizeof *oob);
  memset(count, 0, (size_t)n * sizeof *count);
  for (int t = 0; t < fp->n_estimators; t++) {
    uint32_t boot, rs;
    tree_seeds(fp, seeds[t], &boot, &rs);
    boot_counts(fp, boot, n, w);
    for (int64_t i = 0; i < n; i++) {
      if (w[i] != 0) continue;
      tree_leaf_output(&trees[t], tree_apply1(&trees[t], X + i * d), out);
      for (int k = 0; k < S; k++) oob[i * S + k] += out[k];
      count[i]++;
    }
  }
  free(seeds);
  free(w);
  return 0;
}
