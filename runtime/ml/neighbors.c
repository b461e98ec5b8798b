/* neighbors.c - brute-force k nearest neighbours, k-means (Lloyd) and
 * k-means++ seeding (neighbors.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "core/tensor.h"
#include "core/threads.h"
#include "ml/linear.h"
#include "ml/neighbors.h"

#define QB 256    /* query rows per piece */
#define RC 4096   /* reference rows per sgemm */
#define RB 256    /* rows per piece in k-means */

static float *row_norms(const float *x, int64_t n, int64_t d) {
  float *r = malloc((size_t)(n ? n : 1) * sizeof *r);
  if (!r) return NULL;
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int64_t j = 0; j < d; j++) s += (double)x[i * d + j] * x[i * d + j];
    r[i] = (float)s;
  }
  return r;
}

static double sqdist_d(const float *a, const double *b, int64_t d) {
  double s = 0;
  for (int64_t j = 0; j < d; j++) {
    double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

static double sqdist(const float *a, const float *b, int64_t d) {
  double s = 0;
  for (int64_t j = 0; j < d; j++) {
    double t = (double)a[j] - b[j];
    s += t * t;
  }
  return s;
}

/* ---- k nearest neighbours ----------------------------------------------- */

typedef struct {
  const float *ref, *query, *rn;
  int64_t m, q, d, k;
  int64_t *idx;
  double *dist;
  int failed;
} Knn;

static int by_dist_idx(double da, int64_t ia, double db, int64_t ib) {
  return da < db || (da == db && ia < ib);
}

static void knn_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  Knn *c = ctx;
  int64_t m = c->m, d = c->d, k = c->k;
  size_t need = (size_t)(QB * RC) * sizeof(float) +
                (size_t)(QB * k) * (sizeof(float) + sizeof(int64_t)) +
                (size_t)QB * sizeof(int64_t);
  float *g = threads_scratch(slot, need);
  if (!g) { c->failed = 1; return; }
  float *bd0 = g + QB * RC;
  int64_t *bi0 = (int64_t *)(bd0 + QB * k);
  int64_t *cnt = bi0 + QB * k;
  for (int64_t p = lo; p < hi; p++) {
    int64_t r0 = p * QB, rows = c->q - r0 < QB ? c->q - r0 : QB;
    const float *qa = c->query + r0 * d;
    for (int64_t r = 0; r < rows; r++) cnt[r] = 0;
    for (int64_t j0 = 0; j0 < m; j0 += RC) {
      int64_t cols = m - j0 < RC ? m - j0 : RC;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows,
                  (int)cols, (int)d, -2.0f, qa, (int)d, c->ref + j0 * d,
                  (int)d, 0.0f, g, (int)cols);
      for (int64_t r = 0; r < rows; r++) {
        const float *gr = g + r * cols;
        const float *rn = c->rn + j0;
        float *bd = bd0 + r * k;
        int64_t *bi = bi0 + r * k, n_in = cnt[r];
        for (int64_t j = 0; j < cols; j++) {
          float v = gr[j] + rn[j];
          if (n_in == k && !(v < bd[k - 1])) continue;
          int64_t at = n_in < k ? n_in++ : k - 1;
          while (at > 0 && v < bd[at - 1]) {
            bd[at] = bd[at - 1];
            bi[at] = bi[at - 1];
            at--;
          }
          bd[at] = v;
          bi[at] = j0 + j;
        }
        cnt[r] = n_in;
      }
    }
    /* exact distances, then order by (distance, row) */
    for (int64_t r = 0; r < rows; r++) {
      const int64_t *bi = bi0 + r * k;
      int64_t *oi = c->idx + (r0 + r) * k;
      double *od = c->dist + (r0 + r) * k;
      for (int64_t a = 0; a < k; a++) {
        double v = sqrt(sqdist(qa + r * d, c->ref + bi[a] * d, d));
        int64_t at = a;
        while (at > 0 && by_dist_idx(v, bi[a], od[at - 1], oi[at - 1])) {
          od[at] = od[at - 1];
          oi[at] = oi[at - 1];
          at--;
        }
        od[at] = v;
        oi[at] = bi[a];
      }
    }
  }
}

int knn_search(const float *ref, int64_t m, const float *query, int64_t q,
               int64_t d, int64_t k, int64_t *idx, double *dist) {
  float *rn = row_norms(ref, m, d);
  if (!rn) return ML_ENOMEM;
  Knn c = {ref, query, rn, m, q, d, k, idx, dist, 0};
  threads_for((q + QB - 1) / QB, 2.0 * (double)q * (double)m * (double)d,
              knn_piece, &c);
  free(rn);
  return c.failed ? ML_ENOMEM : 0;
}

/* ---- k-means ---------------------------------------------------------------- */

typedef struct {
  const float *x, *cf, *cn;
  int64_t n, d;
  int k;
  int *labels;
  float *d2;
  double *sums;   /* per piece: k x d row sums, then k counts (or NULL) */
  const double *cd;   /* the centres in double, for ... */
  double *pin;        /* ... each piece's exact inertia (or NULL) */
  int failed;
} Assign;

static void assign_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  Assign *a = ctx;
  int64_t d = a->d;
  int k = a->k;
  size_t need = (size_t)(RB * k) + (a->sums ? (size_t)(k * d) : 0);
  float *g = threads_scratch(slot, need * sizeof *g);
  if (!g) { a->failed = 1; return; }
  float *fs = g + RB * k;
  for (int64_t p = lo; p < hi; p++) {
    int64_t r0 = p * RB, rows = a->n - r0 < RB ? a->n - r0 : RB;
    const float *xa = a->x + r0 * d;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, k, (int)d,
                -2.0f, xa, (int)d, a->cf, (int)d, 0.0f, g, k);
    for (int64_t r = 0; r < rows; r++) {
      float *gr = g + r * k;
      int best = 0;
      float bv = INFINITY;
      for (int c = 0; c < k; c++) {
        float v = gr[c] + a->cn[c];
        if (v < bv) { bv = v; best = c; }
        gr[c] = v;
      }
      a->labels[r0 + r] = best;
      if (a->pin) a->pin[p] += sqdist_d(xa + r * d, a->cd + best * d, d);
      if (a->d2) {
        double xn = 0;
        for (int64_t j = 0; j < d; j++) xn += (double)xa[r * d + j] * xa[r * d + j];
        for (int c = 0; c < k; c++) {
          double v = gr[c] + xn;
          a->d2[(r0 + r) * k + c] = (float)(v > 0 ? v : 0);
        }
      }
    }
    if (a->sums) {   /* the piece's cluster sums (float within a piece) */
      double *sm = a->sums + p * (k * d + k);
      memset(fs, 0, (size_t)(k * d) * sizeof *fs);
      for (int c = 0; c < k; c++) sm[k * d + c] = 0;
      for (int64_t r = 0; r < rows; r++) {
        int l = a->labels[r0 + r];
        cblas_saxpy((int)d, 1.0f, xa + r * d, 1, fs + l * d, 1);
        sm[k * d + l] += 1;
      }
      for (int64_t j = 0; j < k * d; j++) sm[j] = fs[j];
    }
  }
}

static int assign_run(const float *x, int64_t n, int64_t d,
                      const double *centres, int k, int *labels, float *d2,
                      double *sums, double *cnt, double *part,
                      double *inertia);

int kmeans_assign(const float *x, int64_t n, int64_t d, const double *centres,
                  int k, int *labels, float *d2) {
  return assign_run(x, n, d, centres, k, labels, d2, NULL, NULL, NULL, NULL);
}

/* kmeans_assign, and when asked: the row sums (k x d) and counts (k) of
 * each cluster (part: room for every piece's, (n / RB + 1) x (k d + k)
 * doubles), the exact sum of squared distances to the assigned centres;
 * each added up piece by piece in order (the same bits for any number
 * of threads) */
static int assign_run(const float *x, int64_t n, int64_t d,
                      const double *centres, int k, int *labels, float *d2,
                      double *sums, double *cnt, double *part,
                      double *inertia) {
  int64_t np = (n + RB - 1) / RB, w = k * d + k;
  float *cf = malloc((size_t)(k * d + k) * sizeof *cf);
  double *pin = inertia ? calloc((size_t)np, sizeof *pin) : NULL;
  if (!cf || (inertia && !pin)) {
    free(cf); free(pin);
    return ML_ENOMEM;
  }
  float *cn = cf + k * d;
  for (int c = 0; c < k; c++) {
    double q = 0;
    for (int64_t j = 0; j < d; j++) {
      cf[c * d + j] = (float)centres[c * d + j];
      q += centres[c * d + j] * centres[c * d + j];
    }
    cn[c] = (float)q;
  }
  Assign a = {x, cf, cn, n, d, k, labels, d2, part, centres, pin, 0};
  threads_for(np, 2.0 * (double)n * k * (double)d, assign_piece, &a);
  if (sums) {
    memset(sums, 0, (size_t)(k * d) * sizeof *sums);
    memset(cnt, 0, (size_t)k * sizeof *cnt);
    for (int64_t p = 0; p < np; p++) {
      const double *sm = part + p * w;
      for (int64_t j = 0; j < k * d; j++) sums[j] += sm[j];
      for (int c = 0; c < k; c++) cnt[c] += sm[k * d + c];
    }
  }
  if (inertia) {
    *inertia = 0;
    for (int64_t p = 0; p < np; p++) *inertia += pin[p];
  }
  free(cf); free(pin);
  return a.failed ? ML_ENOMEM : 0;
}

typedef struct { double v; int64_t i; } Far;

static int far_first(const void *a, const void *b) {
  const Far *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? 1 : -1;
  return (x->i > y->i) - (x->i < y->i);
}

/* new centres: the means of the rows of each label; an empty cluster
 * takes the row farthest from its (old) centre, which leaves its own
 * cluster */
static int update_centres(const float *x, int64_t n, int64_t d, int k,
                          const int *labels, const double *old, double *nw,
                          double *cnt) {
  int empty = 0;
  for (int c = 0; c < k; c++) empty += cnt[c] == 0;
  if (empty) {
    Far *f = malloc((size_t)n * sizeof *f);
    if (!f) return ML_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
      double s = 0;
      for (int64_t j = 0; j < d; j++) {
        double t = x[i * d + j] - old[labels[i] * d + j];
        s += t * t;
      }
      f[i] = (Far){s, i};
    }
    qsort(f, (size_t)n, sizeof *f, far_first);
    int e = 0;
    for (int c = 0; c < k; c++) {
      if (cnt[c] != 0) continue;
      int64_t i = f[e++].i;
      int from = labels[i];
      for (int64_t j = 0; j < d; j++) {
        nw[from * d + j] -= x[i * d + j];
        nw[c * d + j] = x[i * d + j];
      }
      cnt[from] -= 1;
      cnt[c] = 1;
    }
    free(f);
  }
  for (int c = 0; c < k; c++)
    for (int64_t j = 0; j < d; j++)
      nw[c * d + j] = cnt[c] > 0 ? nw[c * d + j] / cnt[c] : old[c * d + j];
  return 0;
}

int kmeans_lloyd(const float *x, int64_t n, int64_t d, double *centres,
                 int k, int max_iter, double tol, int *labels,
                 double *inertia, int *n_iter) {
  int *old = malloc((size_t)n * sizeof *old);
  double *nw = malloc((size_t)(k * d + k) * sizeof *nw);
  double *part = malloc((size_t)(((n + RB - 1) / RB) * (k * d + k)) * sizeof *part);
  int rc = ML_ENOMEM, it;
  if (!old || !nw || !part) goto done;
  double *cnt = nw + k * d;
  for (int64_t i = 0; i < n; i++) old[i] = -1;
  for (it = 0; it < max_iter; it++) {
    if ((rc = assign_run(x, n, d, centres, k, labels, NULL, nw, cnt, part,
                         NULL)))
      goto done;
    if ((rc = update_centres(x, n, d, k, labels, centres, nw, cnt))) goto done;
    double shift = 0;
    for (int64_t j = 0; j < k * d; j++) {
      double t = nw[j] - centres[j];
      shift += t * t;
    }
    memcpy(centres, nw, (size_t)(k * d) * sizeof *nw);
    if (memcmp(labels, old, (size_t)n * sizeof *old) == 0) break;
    if (shift <= tol) break;
    memcpy(old, labels, (size_t)n * sizeof *old);
  }
  *n_iter = it < max_iter ? it + 1 : max_iter;
  /* the labels of the final centres (unchanged after a strict
   * convergence) and their exact inertia */
  rc = assign_run(x, n, d, centres, k, labels, NULL, NULL, NULL, NULL,
                  inertia);
done:
  free(old);
  free(nw);
  free(part);
  return rc;
}

/* ---- k-means++ ----------------------------------------------------------------- */

int kmeans_plusplus(const float *x, int64_t n, int64_t d, int k,
                    double *centres) {
  int trials = 2 + (int)log((double)k);
  float *xn = row_norms(x, n, d);
  double *closest = malloc((size_t)n * sizeof *closest);
  double *cand = malloc((size_t)(trials * n) * sizeof *cand);
  float *cf = malloc((size_t)(trials * d) * sizeof *cf);
  float *g = malloc((size_t)(trials * n) * sizeof *g);
  int64_t *ids = malloc((size_t)trials * sizeof *ids);
  int rc = ML_ENOMEM;
  if (!xn || !closest || !cand || !cf || !g || !ids) goto done;
  int64_t first = (int64_t)(tensor_rand_u64() % (uint64_t)n);
  double pot = 0;
  for (int64_t i = 0; i < n; i++) {
    closest[i] = sqdist(x + i * d, x + first * d, d);
    pot += closest[i];
  }
  for (int64_t j = 0; j < d; j++) centres[j] = x[first * d + j];
  for (int c = 1; c < k; c++) {
    /* candidates drawn with probability proportional to closest */
    for (int t = 0; t < trials; t++) {
      double r = tensor_rand_uniform() * pot, acc = 0;
      int64_t i = 0;
      for (; i < n - 1; i++) {
        acc += closest[i];
        if (acc > r) break;
      }
      ids[t] = i;
      memcpy(cf + t * d, x + i * d, (size_t)d * sizeof *cf);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, trials, (int)n,
                (int)d, -2.0f, cf, (int)d, x, (int)d, 0.0f, g, (int)n);
    int best = 0;
    double best_pot = INFINITY;
    for (int t = 0; t < trials; t++) {
      double p = 0, cn = xn[ids[t]];
      for (int64_t i = 0; i < n; i++) {
        double v = g[t * n + i] + xn[i] + cn;
        v = v > 0 ? v : 0;
        if (i == ids[t]) v = 0;
        cand[t * n + i] = v < closest[i] ? v : closest[i];
        p += cand[t * n + i];
      }
      if (p < best_pot) { best_pot = p; best = t; }
    }
    pot = best_pot;
    memcpy(closest, cand + best * n, (size_t)n * sizeof *closest);
    for (int64_t j = 0; j < d; j++) centres[c * d + j] = x[ids[best] * d + j];
  }
  rc = 0;
done:
  free(xn); free(closest); free(cand); free(cf); free(g); free(ids);
  return rc;
}
