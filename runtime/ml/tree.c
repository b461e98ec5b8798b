/* tree.c - CART trees grown as scikit-learn 1.2's DepthFirstTreeBuilder
 * with its BestSplitter / RandomSplitter and criteria, and the random
 * draws they make (see tree.h).
 *
 * The per-node work: draw the features to try in scikit-learn's order
 * (Fisher-Yates with its xorshift rand_r, skipping constant features and
 * remembering them for the subtree), then evaluate each drawn feature --
 * on the thread pool when the node is large and the caller allows it --
 * and keep the first best in drawing order. X is read column by column
 * (transposed once). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"
#include "ml/tree.h"

#define FEATURE_THRESHOLD 1e-7
#define RAND_R_MAX 0x7FFFFFFFu

/* ---- NumPy's MT19937 ------------------------------------------------- */

void mt_seed(MTState *s, uint32_t seed) {
  s->key[0] = seed;
  for (int i = 1; i < 624; i++)
    s->key[i] = 1812433253u * (s->key[i - 1] ^ (s->key[i - 1] >> 30)) +
                (uint32_t)i;
  s->pos = 624;
}

uint32_t mt_next(MTState *s) {
  uint32_t *mt = s->key, y;
  if (s->pos >= 624) {
    int k;
    for (k = 0; k < 624 - 397; k++) {
      y = (mt[k] & 0x80000000u) | (mt[k + 1] & 0x7fffffffu);
      mt[k] = mt[k + 397] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
    }
    for (; k < 623; k++) {
      y = (mt[k] & 0x80000000u) | (mt[k + 1] & 0x7fffffffu);
      mt[k] = mt[k + 397 - 624] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
    }
    y = (mt[623] & 0x80000000u) | (mt[0] & 0x7fffffffu);
    mt[623] = mt[396] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
    s->pos = 0;
  }
  y = mt[s->pos++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint32_t mt_randint(MTState *s, uint64_t high) {
  uint64_t rng = high - 1;
  if (rng == 0) return 0;
  if (rng >= 0xFFFFFFFFu) return mt_next(s);
  uint32_t mask = (uint32_t)rng;
  mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
  mask |= mask >> 8; mask |= mask >> 16;
  uint32_t v;
  while ((v = mt_next(s) & mask) > rng) {}
  return v;
}

/* ---- the trees' own rand_r -------------------------------------------- */

static uint32_t rand_r32(uint32_t *seed) {
  if (*seed == 0) *seed = 1;
  *seed ^= *seed << 13;
  *seed ^= *seed >> 17;
  *seed ^= *seed << 5;
  return *seed % (RAND_R_MAX + 1u);
}

static int64_t rand_int(int64_t lo, int64_t hi, uint32_t *seed) {
  return lo + (int64_t)(rand_r32(seed) % (uint64_t)(hi - lo));
}

static double rand_uniform(double lo, double hi, uint32_t *seed) {
  return (hi - lo) * (double)rand_r32(seed) / (double)RAND_R_MAX + lo;
}

/* ---- the builder ------------------------------------------------------- */

typedef struct { float v; int32_t i; } Pair;

typedef struct {
  double proxy, thr;
  int64_t pos;          /* samples going left */
} Cand;

typedef struct {
  const TreeParams *p;
  const float *Xt;
  int64_t n;
  int d, K, S;          /* K classes (0: regression), S = max(K, 1) */
  const double *y, *w;
  int32_t *samples;
  int *features, *constant;
  uint32_t seed;
  int nslots;
  Pair **pairs;         /* per pool slot: n */
  int32_t **order;      /* per pool slot: n */
  int hist_ok;          /* class sums are whole numbers: count per value */
  int32_t *yi, *wi;     /* hist_ok: class ids and whole weights (or NULL) */
  int32_t **hn;         /* per pool slot: max_nu counts */
  int last_drawn;       /* the last feature scikit-learn sorted / partitioned */
  double **left;        /* per pool slot: S + 2 */
  /* the node being split */
  int64_t start, end;
  double *ntot, nw, nsq; /* class weights / target sum, weight, sq sum */
  int *visit;
  char *done;           /* visited feature already evaluated */
  double *rthr;         /* random splitter: each visited feature's threshold */
  Cand *cand;
} Builder;

static inline double wt(const Builder *b, int32_t i) {
  return b->w ? b->w[i] : 1.0;
}

/* stats of samples[lo, hi): sums (S), weight, weighted square sum */
static void stats(const Builder *b, int64_t lo, int64_t hi, double *sum,
                  double *wsum, double *sq) {
  for (int k = 0; k < b->S; k++) sum[k] = 0;
  double W = 0, Q = 0;
  for (int64_t p = lo; p < hi; p++) {
    int32_t i = b->samples[p];
    double w = wt(b, i);
    W += w;
    if (b->K) {
      sum[(int)b->y[i]] += w;
    } else {
      double wy = w * b->y[i];
      sum[0] += wy;
      Q += wy * b->y[i];
    }
  }
  *wsum = W;
  *sq = Q;
}

static double log2_(double x) { return log(x) / log(2.0); }

static double impurity_of(const Builder *b, const double *sum, double w,
                          double sq) {
  switch (b->p->criterion) {
  case CRIT_GINI: {
    double s = 0;
    for (int k = 0; k < b->K; k++) s += sum[k] * sum[k];
    return 1.0 - s / (w * w);
  }
  case CRIT_ENTROPY: {
    double e = 0;
    for (int k = 0; k < b->K; k++)
      if (sum[k] > 0) {
        double c = sum[k] / w;
        e -= c * log2_(c);
      }
    return e;
  }
  default: {
    double m = sum[0] / w;
    return sq / w - m * m;
  }
  }
}

/* the criterion's proxy for a split with left sums sl (weight wl) */
static double proxy_of(const Builder *b, const double *sl, double wl,
                       double *sr) {
  double wr = b->nw - wl;
  int c = b->p->criterion;
  if (c == CRIT_MSE) {
    double r = b->ntot[0] - sl[0];
    return sl[0] * sl[0] / wl + r * r / wr;
  }
  if (c == CRIT_FRIEDMAN) {
    double r = b->ntot[0] - sl[0];
    double diff = wr * sl[0] - wl * r;
    return diff * diff / (wl * wr);
  }
  for (int k = 0; k < b->K; k++) sr[k] = b->ntot[k] - sl[k];
  return -wr * impurity_of(b, sr, wr, 0) - wl * impurity_of(b, sl, wl, 0);
}

static inline void add_left(const Builder *b, double *sl, double *wl,
                            int32_t i) {
  double w = wt(b, i);
  *wl += w;
  if (b->K) sl[(int)b->y[i]] += w;
  else sl[0] += w * b->y[i];
}

/* scikit-learn's sort of a node's feature values (introsort: median of
 * three, three-way partition, heapsort past depth 2 ln n), so that equal
 * values end up in the same order as there and sums run in its order */
static inline void swap_pairs(Pair *a, int64_t i, int64_t j) {
  Pair t = a[i]; a[i] = a[j]; a[j] = t;
}

static float median3(const Pair *a, int64_t n) {
  float x = a[0].v, y = a[n / 2].v, z = a[n - 1].v;
  if (x < y) return y < z ? y : x < z ? z : x;
  if (y < z) return x < z ? x : z;
  return y;
}

static void sift_down(Pair *a, int64_t start, int64_t end) {
  int64_t root = start;
  for (;;) {
    int64_t child = root * 2 + 1, mx = root;
    if (child < end && a[mx].v < a[child].v) mx = child;
    if (child + 1 < end && a[mx].v < a[child + 1].v) mx = child + 1;
    if (mx == root) break;
    swap_pairs(a, root, mx);
    root = mx;
  }
}

static void heapsort_pairs(Pair *a, int64_t n) {
  int64_t start = (n - 2) / 2, end = n;
  for (;;) {
    sift_down(a, start, end);
    if (start == 0) break;
    start--;
  }
  for (end = n - 1; end > 0; end--) {
    swap_pairs(a, 0, end);
    sift_down(a, 0, end);
  }
}

static void introsort(Pair *a, int64_t n, int maxd) {
  while (n > 1) {
    if (maxd <= 0) { heapsort_pairs(a, n); return; }
    maxd--;
    float piv = median3(a, n);
    int64_t i = 0, l = 0, r = n;
    while (i < r) {
      if (a[i].v < piv) swap_pairs(a, i++, l++);
      else if (a[i].v > piv) swap_pairs(a, i, --r);
      else i++;
    }
    introsort(a, l, maxd);
    a += r;
    n -= r;
  }
}

static void sort_pairs(Pair *a, int64_t n) {
  if (n > 0) introsort(a, n, 2 * (int)log((double)n));
}

/* scikit-learn's Criterion.update from pos to new_pos over the node's
 * ordered samples a[0..m): forward from pos, or back from the end when
 * that is shorter (sl, wl: the left sums so far) */
static void move_left(const Builder *b, const int32_t *a, int64_t m,
                      int64_t *pos, int64_t new_pos, double *sl, double *wl) {
  if (new_pos - *pos <= m - new_pos) {
    for (int64_t q = *pos; q < new_pos; q++) add_left(b, sl, wl, a[q]);
  } else {
    memcpy(sl, b->ntot, (size_t)b->S * sizeof *sl);
    *wl = b->nw;
    for (int64_t q = m - 1; q >= new_pos; q--) {
      double w = wt(b, a[q]);
      *wl -= w;
      if (b->K) sl[(int)b->y[a[q]]] -= w;
      else sl[0] -= w * b->y[a[q]];
    }
  }
  *pos = new_pos;
}

/* scikit-learn's in-place partition: x <= thr first (swapping from the
 * end); returns the count on the left */
static int64_t partition(const Builder *b, int32_t *s, int64_t m, int f,
                         double thr) {
  const float *col = b->Xt + (int64_t)f * b->n;
  int64_t p = 0, e = m;
  while (p < e) {
    if ((double)col[s[p]] <= thr) p++;
    else { e--; int32_t t = s[p]; s[p] = s[e]; s[e] = t; }
  }
  return e;
}

/* sort of n ranks below nu (radix, 8 bits a pass) with a scratch array */
static void sort_ranks(uint16_t *r, uint16_t *tmp, int64_t n, int nu) {
  if (n <= 48) {
    for (int64_t i = 1; i < n; i++) {
      uint16_t v = r[i];
      int64_t j = i;
      while (j > 0 && r[j - 1] > v) { r[j] = r[j - 1]; j--; }
      r[j] = v;
    }
    return;
  }
  int64_t cnt[256];
  for (int shift = 0; shift < (nu > 256 ? 16 : 8); shift += 8) {
    memset(cnt, 0, sizeof cnt);
    for (int64_t i = 0; i < n; i++) cnt[(r[i] >> shift) & 255]++;
    int64_t at = 0;
    for (int k = 0; k < 256; k++) { int64_t c = cnt[k]; cnt[k] = at; at += c; }
    for (int64_t i = 0; i < n; i++) tmp[cnt[(r[i] >> shift) & 255]++] = r[i];
    memcpy(r, tmp, (size_t)n * sizeof *r);
  }
}

/* The best split of feature f by a counting sort of the node's samples
 * on their value ranks (whole-number class weights, so any order of
 * adding gives the same bits as scikit-learn's sorted order) */
static Cand eval_hist(Builder *b, int f, int slot, double *sl, int *rlo,
                      int *rhi) {
  const TreeParams *p = b->p;
  const TreeRanks *rk = p->ranks;
  int64_t m = b->end - b->start;
  int K = b->K;
  double wl = 0, *sr = sl + b->S;
  int32_t *hn = b->hn[slot];
  int32_t *grouped = (int32_t *)b->pairs[slot];
  uint16_t *present = (uint16_t *)b->order[slot];
  uint16_t *tmp = present + m;
  int64_t np = 0;
  const uint16_t *rank = rk->rank + (int64_t)f * b->n;
  const int32_t *smp = b->samples + b->start, *yi = b->yi, *wi = b->wi;
  for (int64_t q = 0; q < m; q++) {
    int r = rank[smp[q]];
    if (!hn[r]++) present[np++] = (uint16_t)r;
  }
  int nu = rk->nu[f];
  if (nu <= 8 * np) {        /* few values: walk them all in order */
    np = 0;
    for (int r = 0; r < nu; r++)
      if (hn[r]) present[np++] = (uint16_t)r;
  } else {
    sort_ranks(present, tmp, np, nu);
  }
  *rlo = present[0];
  *rhi = present[np - 1];
  int32_t at = 0;
  for (int64_t j = 0; j < np; j++) {
    int32_t c = hn[present[j]];
    hn[present[j]] = at;
    at += c;
  }
  for (int64_t q = 0; q < m; q++) {
    int32_t i = smp[q];
    grouped[hn[rank[i]]++] = i;
  }
  const float *u = rk->uniq + rk->uoff[f];
  Cand best = {-INFINITY, 0, -1};
  int64_t pos = 0;
  int prev = -1;
  for (int k = 0; k < K; k++) sl[k] = 0;
  /* gini: the sums of squared class weights, whole numbers kept exactly
   * while samples move left (the same bits as summing them afresh) */
  int gini = p->criterion == CRIT_GINI;
  double sql = 0, sqr = 0;
  for (int k = 0; gini && k < K; k++) sqr += b->ntot[k] * b->ntot[k];
  for (int64_t j = 0; j < np; j++) {
    int r = present[j];
    if (prev >= 0 && (double)u[r] > (double)u[prev] + FEATURE_THRESHOLD &&
        pos >= p->min_samples_leaf && m - pos >= p->min_samples_leaf &&
        wl >= p->min_weight_leaf && b->nw - wl >= p->min_weight_leaf) {
      double wr = b->nw - wl;
      double pr = gini ? -wr * (1.0 - sqr / (wr * wr)) - wl * (1.0 - sql / (wl * wl))
                       : proxy_of(b, sl, wl, sr);
      if (pr > best.proxy) {
        double thr = (double)u[prev] / 2.0 + (double)u[r] / 2.0;
        if (thr == (double)u[r] || isinf(thr)) thr = u[prev];
        best = (Cand){pr, thr, pos};
      }
    }
    int64_t end = hn[r];
    for (; pos < end; pos++) {
      int32_t i = grouped[pos];
      int k = yi[i];
      double c = wi ? wi[i] : 1;
      if (gini) {
        sql += (2 * sl[k] + c) * c;
        sqr += (c - 2 * (b->ntot[k] - sl[k])) * c;
      }
      sl[k] += c;
      wl += c;
    }
    hn[r] = 0;
    prev = r;
  }
  return best;
}

/* evaluate visited feature number v on the current node */
static void eval_feature(Builder *b, int v, int slot) {
  const TreeParams *p = b->p;
  int64_t m = b->end - b->start;
  const float *col = b->Xt + (int64_t)b->visit[v] * b->n;
  const int32_t *smp = b->samples + b->start;
  double *sl = b->left[slot], *sr = sl + b->S, wl = 0;
  Cand best = {-INFINITY, 0, -1};
  for (int k = 0; k < b->S; k++) sl[k] = 0;
  if (p->splitter == SPLIT_RANDOM) {
    /* partitions the node's samples in place: run in drawing order */
    int32_t *s = b->samples + b->start;
    int64_t pos = partition(b, s, m, b->visit[v], b->rthr[v]), at = 0;
    (void)col;
    (void)smp;
    if (pos >= p->min_samples_leaf && m - pos >= p->min_samples_leaf) {
      move_left(b, s, m, &at, pos, sl, &wl);
      if (wl >= p->min_weight_leaf && b->nw - wl >= p->min_weight_leaf)
        best = (Cand){proxy_of(b, sl, wl, sr), b->rthr[v], pos};
    }
    b->cand[v] = best;
    return;
  }
  int f = b->visit[v];
  if (b->hist_ok && p->ranks->nu[f] > 0) {
    int rlo, rhi;
    b->cand[v] = eval_hist(b, f, slot, sl, &rlo, &rhi);
    return;
  }
  Pair *a = b->pairs[slot];
  int32_t *order = b->order[slot];
  for (int64_t q = 0; q < m; q++) a[q] = (Pair){col[smp[q]], smp[q]};
  sort_pairs(a, m);
  for (int64_t q = 0; q < m; q++) order[q] = a[q].i;
  int64_t i = 0, q = 0;
  while (q < m) {
    while (q + 1 < m && (double)a[q + 1].v <= (double)a[q].v + FEATURE_THRESHOLD)
      q++;
    q++;
    if (q >= m) break;
    if (q < p->min_samples_leaf || m - q < p->min_samples_leaf) continue;
    move_left(b, order, m, &i, q, sl, &wl);
    if (wl < p->min_weight_leaf || b->nw - wl < p->min_weight_leaf) continue;
    double pr = proxy_of(b, sl, wl, sr);
    if (pr > best.proxy) {
      double thr = (double)a[q - 1].v / 2.0 + (double)a[q].v / 2.0;
      if (thr == (double)a[q].v || isinf(thr)) thr = a[q - 1].v;
      best = (Cand){pr, thr, q};
    }
  }
  b->cand[v] = best;
}

static void eval_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  for (int64_t v = lo; v < hi; v++) eval_feature(ctx, (int)v, slot);
}

/* Draw the features of one node as scikit-learn does; fills visit (and
 * rthr for the random splitter); returns how many were visited and
 * updates *n_const (the known constant features for the children). */
static int draw_features(Builder *b, int *n_const) {
  const TreeParams *p = b->p;
  int *f = b->features;
  int n_known = *n_const, n_total = n_known, n_found = 0, n_drawn = 0;
  int f_i = b->d, n_visited = 0, nv = 0;
  const int32_t *smp = b->samples + b->start;
  int64_t m = b->end - b->start;
  while (f_i > n_total && (n_visited < p->max_features ||
                           n_visited <= n_found + n_drawn)) {
    n_visited++;
    int f_j = (int)rand_int(n_drawn, f_i - n_found, &b->seed);
    if (f_j < n_known) {
      int t = f[n_drawn]; f[n_drawn] = f[f_j]; f[f_j] = t;
      n_drawn++;
      continue;
    }
    f_j += n_found;
    b->last_drawn = f[f_j];
    float lo, hi;
    const TreeRanks *rk = p->ranks;
    int now = b->hist_ok && !p->parallel && p->splitter == SPLIT_BEST &&
              rk->nu[f[f_j]] > 0;
    Cand c = {0, 0, 0};
    if (now) {
      /* one thread: evaluate it now; its value range says if constant */
      int rl, rh;
      c = eval_hist(b, f[f_j], 0, b->left[0], &rl, &rh);
      lo = rk->uniq[rk->uoff[f[f_j]] + rl];
      hi = rk->uniq[rk->uoff[f[f_j]] + rh];
    } else if (rk && rk->nu[f[f_j]] > 0) {
      const uint16_t *rank = rk->rank + (int64_t)f[f_j] * b->n;
      int rl = rank[smp[0]], rh = rl;
      for (int64_t q = 1; q < m; q++) {
        int x = rank[smp[q]];
        rl = x < rl ? x : rl;
        rh = x > rh ? x : rh;
      }
      lo = rk->uniq[rk->uoff[f[f_j]] + rl];
      hi = rk->uniq[rk->uoff[f[f_j]] + rh];
    } else {
      const float *col = b->Xt + (int64_t)f[f_j] * b->n;
      lo = hi = col[smp[0]];
      for (int64_t q = 1; q < m; q++) {
        float x = col[smp[q]];
        if (x < lo) lo = x;
        else if (x > hi) hi = x;
      }
    }
    if ((double)hi <= (double)lo + FEATURE_THRESHOLD) {
      int t = f[f_j]; f[f_j] = f[n_total]; f[n_total] = t;
      n_found++;
      n_total++;
      continue;
    }
    f_i--;
    int t = f[f_i]; f[f_i] = f[f_j]; f[f_j] = t;
    if (p->splitter == SPLIT_RANDOM) {
      double thr = rand_uniform(lo, hi, &b->seed);
      if (thr == (double)hi) thr = lo;
      b->rthr[nv] = thr;
    }
    b->done[nv] = now;
    if (now) b->cand[nv] = c;
    b->visit[nv++] = f[f_i];
  }
  memcpy(f, b->constant, (size_t)n_known * sizeof *f);
  memcpy(b->constant + n_known, f + n_known, (size_t)n_found * sizeof *f);
  *n_const = n_total;
  return nv;
}

static int add_node(DTree *t, int S) {
  if (t->node_count < t->cap) return 0;
  int64_t cap = t->cap ? t->cap * 2 : 64;
  void *q;
#define GROW(field)                                                     \
  if (!(q = realloc(t->field, (size_t)cap * sizeof *t->field))) return -1; \
  t->field = q;
  GROW(left) GROW(right) GROW(n_node_samples) GROW(feature)
  GROW(threshold) GROW(impurity) GROW(weighted_n)
#undef GROW
  if (!(q = realloc(t->value, (size_t)cap * (size_t)S * sizeof *t->value)))
    return -1;
  t->value = q;
  t->cap = cap;
  return 0;
}

typedef struct {
  int64_t start, end, parent;
  int depth, is_left, n_const;
  double impurity;
} Rec;

void tree_transpose(const float *X, int64_t n, int d, float *out) {
  for (int64_t i0 = 0; i0 < n; i0 += 64)
    for (int j = 0; j < d; j++)
      for (int64_t i = i0; i < n && i < i0 + 64; i++)
        out[(int64_t)j * n + i] = X[i * d + j];
}

static int build(Builder *b, DTree *t) {
  const TreeParams *p = b->p;
  int S = b->S;
  int64_t n_s = 0;
  for (int64_t i = 0; i < b->n; i++)
    if (!b->w || b->w[i] != 0.0) b->samples[n_s++] = (int32_t)i;
  for (int j = 0; j < b->d; j++) b->features[j] = j;
  int64_t max_depth = p->max_depth < 0 ? 0x7fffffff : p->max_depth;
  int64_t mss = p->min_samples_split, msl = p->min_samples_leaf;
  Rec *stack = malloc((size_t)(b->n + 2) * 2 * sizeof *stack);
  double *sumL = malloc((size_t)S * 2 * sizeof *sumL);
  if (!stack || !sumL) { free(stack); free(sumL); return -1; }
  double *sumR = sumL + S;
  int top = 0, first = 1, rc = 0;
  stack[top++] = (Rec){0, n_s, -1, 0, 0, 0, INFINITY};
  t->max_depth = 0;
  while (top > 0) {
    Rec r = stack[--top];
    int64_t m = r.end - r.start;
    b->start = r.start;
    b->end = r.end;
    stats(b, r.start, r.end, b->ntot, &b->nw, &b->nsq);
    int leaf = r.depth >= max_depth || m < mss || m < 2 * msl ||
               b->nw < 2 * p->min_weight_leaf;
    double imp = r.impurity;
    if (first) { imp = impurity_of(b, b->ntot, b->nw, b->nsq); first = 0; }
    leaf = leaf || imp <= 2.220446049250313e-16;
    int n_const = r.n_const, bf = -1;
    Cand best = {-INFINITY, 0, m};
    double impL = 0, impR = 0, wl = 0;
    if (!leaf) {
      int nv = draw_features(b, &n_const);
      double flops = (double)m * nv * 8.0;
      if (p->splitter == SPLIT_RANDOM)
        for (int v = 0; v < nv; v++) eval_feature(b, v, 0);
      else if (p->parallel && nv > 1 && flops >= THREADS_MIN_FLOPS)
        threads_for(nv, flops, eval_piece, b);
      else
        for (int v = 0; v < nv; v++)
          if (!b->done[v]) eval_feature(b, v, 0);
      for (int v = 0; v < nv; v++)
        if (b->cand[v].pos >= 0 && b->cand[v].proxy > best.proxy) {
          best = b->cand[v];
          bf = b->visit[v];
        }
      if (bf >= 0) {
        int32_t *smp = b->samples + r.start;
        if (p->splitter == SPLIT_BEST && b->hist_ok) {
          best.pos = partition(b, smp, m, bf, best.thr);   /* exact sums */
        } else if (p->splitter == SPLIT_BEST) {
          /* the samples as scikit-learn leaves them: sorted by the last
           * feature drawn, then partitioned */
          Pair *a = b->pairs[0];
          const float *col = b->Xt + (int64_t)b->last_drawn * b->n;
          for (int64_t q = 0; q < m; q++) a[q] = (Pair){col[smp[q]], smp[q]};
          sort_pairs(a, m);
          for (int64_t q = 0; q < m; q++) smp[q] = a[q].i;
          best.pos = partition(b, smp, m, bf, best.thr);
        } else if (b->last_drawn != bf) {
          best.pos = partition(b, smp, m, bf, best.thr);
        }
        int64_t at = 0;
        double sql = 0, sqr;
        for (int k = 0; k < S; k++) sumL[k] = 0;
        move_left(b, smp, m, &at, best.pos, sumL, &wl);
        for (int64_t q = 0; q < best.pos && !b->K; q++) {
          double w = wt(b, smp[q]), yq = b->y[smp[q]];
          sql += w * yq * yq;
        }
        for (int k = 0; k < S; k++) sumR[k] = b->ntot[k] - sumL[k];
        sqr = b->nsq - sql;
        impL = impurity_of(b, sumL, wl, sql);
        impR = impurity_of(b, sumR, b->nw - wl, sqr);
      }
      double root_w = t->node_count ? t->weighted_n[0] : b->nw;
      double wr = b->nw - wl;
      double improvement = bf < 0 ? -INFINITY :
        (b->nw / root_w) * (imp - wr / b->nw * impR - wl / b->nw * impL);
      leaf = bf < 0 || best.pos >= m ||
             improvement + 2.220446049250313e-16 < p->min_impurity_decrease;
    }
    if (add_node(t, S) < 0) { rc = -1; break; }
    int64_t id = t->node_count++;
    if (r.parent >= 0) {
      if (r.is_left) t->left[r.parent] = id;
      else t->right[r.parent] = id;
    }
    t->left[id] = t->right[id] = -1;
    t->feature[id] = leaf ? -2 : bf;
    t->threshold[id] = leaf ? -2.0 : best.thr;
    t->impurity[id] = imp;
    t->n_node_samples[id] = m;
    t->weighted_n[id] = b->nw;
    double *val = t->value + id * S;
    if (b->K) memcpy(val, b->ntot, (size_t)S * sizeof *val);
    else val[0] = b->ntot[0] / b->nw;
    if (!leaf) {
      int64_t mid = r.start + best.pos;
      stack[top++] = (Rec){mid, r.end, id, r.depth + 1, 0, n_const, impR};
      stack[top++] = (Rec){r.start, mid, id, r.depth + 1, 1, n_const, impL};
    }
    if (r.depth > t->max_depth) t->max_depth = r.depth;
  }
  free(stack);
  free(sumL);
  return rc;
}

int tree_fit(DTree *t, const TreeParams *p, const float *Xt, int64_t n,
             int d, const double *y, int n_classes, const double *w) {
  memset(t, 0, sizeof *t);
  t->n_features = d;
  t->n_classes = n_classes;
  Builder b = {0};
  b.p = p;
  b.n = n;
  b.d = d;
  b.K = n_classes;
  b.S = n_classes > 0 ? n_classes : 1;
  b.y = y;
  b.w = w;
  b.seed = p->seed;
  b.nslots = p->parallel ? threads_count() : 1;
  int rc = -1;
  b.Xt = Xt;
  b.samples = malloc((size_t)n * sizeof *b.samples);
  b.features = malloc((size_t)d * 4 * sizeof *b.features);
  b.rthr = malloc((size_t)d * sizeof *b.rthr);
  b.cand = malloc((size_t)d * sizeof *b.cand);
  b.done = calloc((size_t)d, 1);
  b.ntot = malloc((size_t)b.S * sizeof *b.ntot);
  b.pairs = calloc((size_t)b.nslots, sizeof *b.pairs);
  b.left = calloc((size_t)b.nslots, sizeof *b.left);
  b.order = calloc((size_t)b.nslots, sizeof *b.order);
  b.hn = calloc((size_t)b.nslots, sizeof *b.hn);
  b.hist_ok = n_classes > 0 && p->ranks && p->ranks->max_nu > 0;
  double wsum = 0;
  for (int64_t i = 0; b.hist_ok && w && i < n; i++) {
    b.hist_ok = w[i] == floor(w[i]);
    wsum += w[i];
  }
  b.hist_ok = b.hist_ok && wsum < 2e9 && (double)n < 2e9;
  if (b.hist_ok) {
    b.yi = malloc((size_t)n * sizeof *b.yi);
    b.wi = w ? malloc((size_t)n * sizeof *b.wi) : NULL;
    if (!b.yi || (w && !b.wi)) b.hist_ok = 0;
    for (int64_t i = 0; b.hist_ok && i < n; i++) {
      b.yi[i] = (int32_t)y[i];
      if (w) b.wi[i] = (int32_t)w[i];
    }
  }
  if (b.samples && b.features && b.rthr && b.cand && b.ntot && b.done &&
      b.pairs && b.left && b.order && b.hn) {
    b.constant = b.features + d;
    b.visit = b.features + 2 * d;
    int ok = 1;
    for (int s = 0; s < b.nslots && ok; s++) {
      b.pairs[s] = malloc((size_t)n * sizeof **b.pairs);
      b.left[s] = malloc((size_t)(2 * b.S + 2) * sizeof **b.left);
      b.order[s] = malloc((size_t)n * sizeof **b.order);
      ok = b.pairs[s] && b.left[s] && b.order[s];
      if (ok && b.hist_ok) {
        b.hn[s] = calloc((size_t)p->ranks->max_nu, sizeof **b.hn);
        ok = b.hn[s] != NULL;
      }
    }
    if (ok) rc = build(&b, t);
  }
  for (int s = 0; s < b.nslots && b.pairs && b.left && b.order && b.hn; s++) {
    free(b.pairs[s]);
    free(b.left[s]);
    free(b.order[s]);
    free(b.hn[s]);
  }
  free(b.pairs); free(b.left); free(b.order); free(b.hn);
  free(b.yi); free(b.wi);
  free(b.samples); free(b.features); free(b.rthr);
  free(b.cand); free(b.ntot); free(b.done);
  if (rc < 0) tree_free(t);
  return rc;
}

void tree_free(DTree *t) {
  free(t->left); free(t->right); free(t->n_node_samples); free(t->feature);
  free(t->threshold); free(t->impurity); free(t->weighted_n); free(t->value);
  t->left = t->right = t->n_node_samples = NULL;
  t->feature = NULL;
  t->threshold = t->impurity = t->weighted_n = t->value = NULL;
  t->node_count = t->cap = 0;
}

int64_t tree_apply1(const DTree *t, const float *x) {
  int64_t k = 0;
  while (t->left[k] >= 0)
    k = (double)x[t->feature[k]] <= t->threshold[k] ? t->left[k] : t->right[k];
  return k;
}

void tree_importances(const DTree *t, double *imp, int normalize) {
  for (int j = 0; j < t->n_features; j++) imp[j] = 0;
  for (int64_t k = 0; k < t->node_count; k++) {
    if (t->left[k] < 0) continue;
    int64_t l = t->left[k], r = t->right[k];
    imp[t->feature[k]] += t->weighted_n[k] * t->impurity[k] -
                          t->weighted_n[l] * t->impurity[l] -
                          t->weighted_n[r] * t->impurity[r];
  }
  double s = 0;
  for (int j = 0; j < t->n_features; j++) {
    imp[j] /= t->weighted_n[0];
    s += imp[j];
  }
  if (normalize && s > 0)
    for (int j = 0; j < t->n_features; j++) imp[j] /= s;
}

void tree_leaf_output(const DTree *t, int64_t leaf, double *out) {
  const double *v = t->value + leaf * (t->n_classes > 0 ? t->n_classes : 1);
  if (t->n_classes == 0) { out[0] = v[0]; return; }
  double s = 0;
  for (int k = 0; k < t->n_classes; k++) s += v[k];
  if (s == 0) s = 1;
  for (int k = 0; k < t->n_classes; k++) out[k] = v[k] / s;
}

uint32_t tree_seed_from(uint32_t random_state) {
  MTState s;
  mt_seed(&s, random_state);
  return mt_randint(&s, RAND_R_MAX);
}

/* ---- per-feature ranks -------------------------------------------------- */

typedef struct { TreeRanks *r; const float *Xt; int64_t n; Pair **buf; int fail; } RankJob;

static void rank_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  RankJob *j = ctx;
  Pair *a = j->buf[slot];
  for (int64_t f = lo; f < hi; f++) {
    const float *col = j->Xt + f * j->n;
    for (int64_t i = 0; i < j->n; i++) a[i] = (Pair){col[i], (int32_t)i};
    sort_pairs(a, j->n);
    int64_t nu = 0;
    for (int64_t i = 0; i < j->n; i++)
      if (i == 0 || a[i].v != a[i - 1].v) nu++;
    j->r->nu[f] = nu <= 65535 ? (int32_t)nu : 0;
    if (!j->r->nu[f]) continue;
    float *u = j->r->uniq + j->r->uoff[f];
    uint16_t *rank = j->r->rank + f * j->n;
    int64_t k = -1;
    for (int64_t i = 0; i < j->n; i++) {
      if (i == 0 || a[i].v != a[i - 1].v) u[++k] = a[i].v;
      rank[a[i].i] = (uint16_t)k;
    }
  }
}

int tree_ranks_make(TreeRanks *r, const float *Xt, int64_t n, int d,
                    int parallel) {
  memset(r, 0, sizeof *r);
  int64_t per = n < 65535 ? n : 65535;
  int nslots = parallel ? threads_count() : 1;
  r->rank = malloc((size_t)n * d * sizeof *r->rank);
  r->uniq = malloc((size_t)per * d * sizeof *r->uniq);
  r->uoff = malloc((size_t)d * sizeof *r->uoff);
  r->nu = malloc((size_t)d * sizeof *r->nu);
  Pair **buf = calloc((size_t)nslots, sizeof *buf);
  int ok = r->rank && r->uniq && r->uoff && r->nu && buf;
  for (int s = 0; ok && s < nslots; s++) ok = (buf[s] = malloc((size_t)n * sizeof **buf)) != NULL;
  if (ok) {
    for (int f = 0; f < d; f++) r->uoff[f] = (int64_t)f * per;
    RankJob j = {r, Xt, n, buf, 0};
    if (parallel) threads_for(d, (double)n * d * 20, rank_piece, &j);
    else rank_piece(&j, 0, d, 0);
    for (int f = 0; f < d; f++) if (r->nu[f] > r->max_nu) r->max_nu = r->nu[f];
  }
  for (int s = 0; buf && s < nslots; s++) free(buf[s]);
  free(buf);
  if (!ok) { tree_ranks_free(r); return -1; }
  return 0;
}

void tree_ranks_free(TreeRanks *r) {
  free(r->rank); free(r->uniq); free(r->uoff); free(r->nu);
  memset(r, 0, sizeof *r);
}
