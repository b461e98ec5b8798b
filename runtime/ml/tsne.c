/* tsne.c - t-SNE's probabilities, gradients and descent, the PCA start
 * and trustworthiness (tsne.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "core/threads.h"
#include "ml/linear.h"
#include "ml/tsne.h"

#define ROWS 64      /* rows per piece of pool work */
#define DIST_RB 128  /* rows per dgemm block of distances */

static int64_t pieces(int64_t n, int64_t per) { return (n + per - 1) / per; }

/* ---- squared distances --------------------------------------------------- */

typedef struct {
  const double *x, *nrm;
  int64_t n, d;
  float *out;
  int failed;
} Dist;

static void dist_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  Dist *c = ctx;
  int64_t n = c->n, d = c->d;
  double *g = threads_scratch(slot, (size_t)(DIST_RB * n) * sizeof *g);
  if (!g) { c->failed = 1; return; }
  for (int64_t p = lo; p < hi; p++) {
    int64_t r0 = p * DIST_RB, rows = n - r0 < DIST_RB ? n - r0 : DIST_RB;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)n,
                (int)d, 1.0, c->x + r0 * d, (int)d, c->x, (int)d, 0.0, g,
                (int)n);
    for (int64_t r = 0; r < rows; r++) {
      int64_t i = r0 + r;
      for (int64_t j = 0; j < n; j++) {
        double v = c->nrm[i] - 2.0 * g[r * n + j] + c->nrm[j];
        c->out[i * n + j] = i == j ? 0.0f : (float)(v > 0 ? v : 0);
      }
    }
  }
}

static double *row_norms(const double *x, int64_t n, int64_t d) {
  double *r = malloc((size_t)(n ? n : 1) * sizeof *r);
  if (!r) return NULL;
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int64_t j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    r[i] = s;
  }
  return r;
}

int tsne_sqdist(const double *x, int64_t n, int64_t d, float *out) {
  double *nrm = row_norms(x, n, d);
  if (!nrm) return ML_ENOMEM;
  Dist c = {x, nrm, n, d, out, 0};
  threads_for(pieces(n, DIST_RB), 2.0 * (double)n * (double)n * (double)d,
              dist_piece, &c);
  free(nrm);
  return c.failed ? ML_ENOMEM : 0;
}

/* ---- conditional probabilities -------------------------------------------- */

typedef struct {
  const float *sqd;
  int64_t n, k;
  double log_perp;
  double *p, *beta_part;
} Cond;

static void cond_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  (void)slot;
  Cond *c = ctx;
  int64_t n = c->n, k = c->k;
  int full = k >= n;
  /* scikit-learn keeps these two as single-precision constants */
  const double tol = (double)1e-5f, tiny = (double)1e-8f;
  for (int64_t pc = lo; pc < hi; pc++) {
    double bs = 0;
    int64_t r1 = (pc + 1) * ROWS < n ? (pc + 1) * ROWS : n;
    for (int64_t i = pc * ROWS; i < r1; i++) {
      const float *d = c->sqd + i * k;
      double *p = c->p + i * k;
      double beta = 1.0, lo_b = -INFINITY, hi_b = INFINITY;
      if (full) p[i] = 0;
      for (int step = 0; step < 100; step++) {
        double sum = 0;
        for (int64_t j = 0; j < k; j++) {
          if (full && j == i) continue;
          p[j] = exp(-(double)d[j] * beta);
          sum += p[j];
        }
        if (sum == 0.0) sum = tiny;
        double sdp = 0;
        for (int64_t j = 0; j < k; j++) {
          p[j] /= sum;
          sdp += (double)d[j] * p[j];
        }
        double diff = log(sum) + beta * sdp - c->log_perp;
        if (fabs(diff) <= tol) break;
        if (diff > 0) {
          lo_b = beta;
          beta = hi_b == INFINITY ? beta * 2.0 : (beta + hi_b) / 2.0;
        } else {
          hi_b = beta;
          beta = lo_b == -INFINITY ? beta / 2.0 : (beta + lo_b) / 2.0;
        }
      }
      bs += beta;
    }
    c->beta_part[pc] = bs;
  }
}

int tsne_conditional(const float *sqd, int64_t n, int64_t k,
                     double perplexity, double *p, double *beta_sum) {
  int64_t np = pieces(n, ROWS);
  double *part = calloc((size_t)(np ? np : 1), sizeof *part);
  if (!part) return ML_ENOMEM;
  Cond c = {sqd, n, k, log((double)(float)perplexity), p, part};
  threads_for(np, 30.0 * (double)n * (double)k, cond_piece, &c);
  double s = 0;
  for (int64_t i = 0; i < np; i++) s += part[i];
  free(part);
  if (beta_sum) *beta_sum = s;
  return 0;
}

void tsne_joint_dense(const double *cond, int64_t n, double *P) {
  double sum = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) {
      double v = cond[i * n + j] + cond[j * n + i];
      P[i * n + j] = v;
      sum += v;
    }
  if (sum < DBL_EPSILON) sum = DBL_EPSILON;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) {
      double v = P[i * n + j] / sum;
      P[i * n + j] = i == j ? 0.0 : (v > DBL_EPSILON ? v : DBL_EPSILON);
    }
}

typedef struct { int32_t col; double v; } Entry;

static int by_col(const void *a, const void *b) {
  int32_t x = ((const Entry *)a)->col, y = ((const Entry *)b)->col;
  return (x > y) - (x < y);
}

int tsne_joint_sparse(const int64_t *nbr, const double *cond, int64_t n,
                      int64_t k, int64_t **indptr_out, int32_t **cols_out,
                      double **vals_out) {
  int64_t *cnt = calloc((size_t)n + 1, sizeof *cnt);
  int64_t *fill = malloc((size_t)(n + 1) * sizeof *fill);
  Entry *e = malloc((size_t)(2 * n * k + 1) * sizeof *e);
  if (!cnt || !fill || !e) {
    free(cnt); free(fill); free(e);
    return ML_ENOMEM;
  }
  for (int64_t i = 0; i < n; i++) {
    cnt[i + 1] += k;
    for (int64_t a = 0; a < k; a++) cnt[nbr[i * k + a] + 1]++;
  }
  for (int64_t i = 0; i < n; i++) cnt[i + 1] += cnt[i];
  memcpy(fill, cnt, (size_t)n * sizeof *fill);
  for (int64_t i = 0; i < n; i++)
    for (int64_t a = 0; a < k; a++) {
      int64_t j = nbr[i * k + a];
      double v = cond[i * k + a];
      e[fill[i]++] = (Entry){(int32_t)j, v};
      e[fill[j]++] = (Entry){(int32_t)i, v};
    }
  /* sort each row by column and add up the entries of one column */
  int64_t at = 0;
  double sum = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t b = cnt[i], end = cnt[i + 1];
    qsort(e + b, (size_t)(end - b), sizeof *e, by_col);
    fill[i] = at;
    for (int64_t q = b; q < end; q++) {
      if (at > fill[i] && e[at - 1].col == e[q].col) e[at - 1].v += e[q].v;
      else e[at++] = e[q];
      sum += e[q].v;
    }
  }
  fill[n] = at;
  if (sum < DBL_EPSILON) sum = DBL_EPSILON;
  int32_t *cols = malloc((size_t)(at ? at : 1) * sizeof *cols);
  double *vals = malloc((size_t)(at ? at : 1) * sizeof *vals);
  if (!cols || !vals) {
    free(cnt); free(fill); free(e); free(cols); free(vals);
    return ML_ENOMEM;
  }
  for (int64_t q = 0; q < at; q++) {
    cols[q] = e[q].col;
    vals[q] = e[q].v / sum;
  }
  free(cnt);
  free(e);
  *indptr_out = fill;
  *cols_out = cols;
  *vals_out = vals;
  return 0;
}

/* ---- the space-partitioning tree (Barnes-Hut) ----------------------------- */

/* Points closer than this in every coordinate are one point of the tree
 * (scikit-learn's quad tree rounds so, in single precision). */
#define DUP_EPS 1e-6

/* the traversal's data, kept small for the cache; the bounds apart */
typedef struct {
  double bary[3];
  double w2;         /* squared largest width */
  double size;       /* points below (duplicates counted) */
  int32_t child;     /* first of 2^dim children, -1 for a leaf */
} Cell;

typedef struct { double lo[3], hi[3]; } Box;

typedef struct {
  Cell *c;
  Box *b;
  int64_t count, cap;
  int dim;
} Tree;

static int tree_grow(Tree *t, int64_t need) {
  if (need <= t->cap) return 0;
  int64_t cap = t->cap ? t->cap : 64;
  while (cap < need) cap *= 2;
  Cell *c = realloc(t->c, (size_t)cap * sizeof *c);
  if (c) t->c = c;
  Box *b = realloc(t->b, (size_t)cap * sizeof *b);
  if (b) t->b = b;
  if (!c || !b) return ML_ENOMEM;
  t->cap = cap;
  return 0;
}

static void cell_init(Tree *t, int64_t ci, const double *lo, const double *hi) {
  Cell *c = &t->c[ci];
  Box *b = &t->b[ci];
  c->w2 = 0;
  for (int a = 0; a < t->dim; a++) {
    b->lo[a] = lo[a];
    b->hi[a] = hi[a];
    double w = hi[a] - lo[a];
    if (w * w > c->w2) c->w2 = w * w;
  }
  c->size = 0;
  c->child = -1;
}

static int which_child(const Box *b, const double *p, int dim) {
  int q = 0;
  for (int a = 0; a < dim; a++) q = 2 * q + (p[a] >= (b->lo[a] + b->hi[a]) / 2);
  return q;
}

/* 2^dim empty children of cell ci */
static int split(Tree *t, int64_t ci) {
  int dim = t->dim, nc = 1 << dim;
  if (tree_grow(t, t->count + nc)) return ML_ENOMEM;
  t->c[ci].child = (int32_t)t->count;
  const Box *b = &t->b[ci];
  for (int q = 0; q < nc; q++) {
    double lo[3], hi[3];
    for (int a = 0; a < dim; a++) {
      int up = (q >> (dim - 1 - a)) & 1;
      double mid = (b->lo[a] + b->hi[a]) / 2;
      lo[a] = up ? mid : b->lo[a];
      hi[a] = up ? b->hi[a] : mid;
    }
    cell_init(t, t->count + q, lo, hi);
    b = &t->b[ci];
  }
  t->count += nc;
  return 0;
}

static int is_dup(const double *a, const double *b, int dim) {
  for (int k = 0; k < dim; k++)
    if (!(fabs(a[k] - b[k]) <= DUP_EPS)) return 0;
  return 1;
}

static int tree_insert(Tree *t, const double *p) {
  int dim = t->dim;
  int64_t ci = 0;
  for (;;) {
    Cell *c = &t->c[ci];
    if (c->size == 0) {          /* an empty leaf */
      c->size = 1;
      memcpy(c->bary, p, (size_t)dim * sizeof *p);
      return 0;
    }
    if (c->child >= 0) {         /* inside: update, go down */
      for (int a = 0; a < dim; a++)
        c->bary[a] = (c->size * c->bary[a] + p[a]) / (c->size + 1);
      c->size += 1;
      ci = c->child + which_child(&t->b[ci], p, dim);
      continue;
    }
    if (is_dup(p, c->bary, dim)) {
      c->size += 1;
      return 0;
    }
    /* a leaf with a point: move that point one level down, retry here */
    double old[3];
    double os = c->size;
    memcpy(old, c->bary, sizeof old);
    if (split(t, ci)) return ML_ENOMEM;
    c = &t->c[ci];
    Cell *ch = &t->c[c->child + which_child(&t->b[ci], old, dim)];
    ch->size = os;
    memcpy(ch->bary, old, sizeof old);
  }
}

static int tree_build(Tree *t, const double *y, int64_t n, int dim) {
  t->count = 0;
  t->dim = dim;
  if (tree_grow(t, 2 * n + 64)) return ML_ENOMEM;
  double lo[3], hi[3];
  for (int a = 0; a < dim; a++) {
    double m = INFINITY, M = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
      double v = y[i * dim + a];
      if (v < m) m = v;
      if (v > M) M = v;
    }
    /* scikit-learn's margin: every point strictly inside */
    double s = M > 0 ? 1 : M < 0 ? -1 : 0;
    double M1 = M * (1 + 1e-3 * s), M2 = M + 1e-3;
    lo[a] = m;
    hi[a] = M1 > M2 ? M1 : M2;
  }
  cell_init(t, 0, lo, hi);
  t->count = 1;
  for (int64_t i = 0; i < n; i++)
    if (tree_insert(t, y + i * dim)) return ML_ENOMEM;
  return 0;
}

/* The tree's non-empty cells in depth-first order (children in the
 * order 0 .. 2^dim - 1, the order the traversal visits them): per cell
 * dim + 2 doubles (barycentre, squared width, size) in fl and in skip
 * the index just past its subtree, so that a leaf is the cell whose
 * skip is its own index + 1 (an inner cell always has a non-empty
 * child). The traversal becomes a forward scan without a stack. */
static int64_t flatten(const Tree *t, int64_t ci, double *fl, int32_t *skip,
                       int32_t *fidx, int64_t at) {
  int dim = t->dim, nc = 1 << dim, st = dim + 2;
  const Cell *c = &t->c[ci];
  int64_t me = at++;
  fidx[ci] = (int32_t)me;
  double *o = fl + me * st;
  for (int k = 0; k < dim; k++) o[k] = c->bary[k];
  o[dim] = c->w2;
  o[dim + 1] = c->size;
  if (c->child >= 0)
    for (int q = 0; q < nc; q++)
      if (t->c[c->child + q].size > 0)
        at = flatten(t, c->child + q, fl, skip, fidx, at);
  skip[me] = (int32_t)at;
  return at;
}

/* ---- the optimiser ----------------------------------------------------------- */

struct Tsne {
  int64_t n;
  int dim, exact;
  double dof, angle;
  double *P;                     /* exact: n x n */
  int64_t *indptr;               /* Barnes-Hut: CSR */
  int32_t *cols;
  double *vals;
  double *y, *update, *gains, *grad, *neg, *part;
  Tree tree;
  double *flat;                  /* flatten()'s cells */
  int32_t *skip, *fidx;          /* fidx: tree cell -> flat index */
  int64_t flat_cap, flat_n;
  int32_t *order, *gstart, *gcnt; /* points by group, groups' starts */
  int64_t ngroups;
  double *zp;                    /* each point's share of Z */
};

static Tsne *tsne_alloc(int64_t n, int dim, const double *y0) {
  Tsne *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  size_t m = (size_t)(n * dim) * sizeof(double);
  t->n = n;
  t->dim = dim;
  t->dof = dim - 1 > 1 ? dim - 1 : 1;
  t->y = malloc(m);
  t->update = malloc(m);
  t->gains = malloc(m);
  t->grad = malloc(m);
  t->neg = malloc(m);
  t->part = malloc((size_t)(2 * pieces(n, ROWS) + 2) * sizeof(double));
  t->order = malloc((size_t)n * sizeof *t->order);
  t->gstart = malloc((size_t)(n + 1) * sizeof *t->gstart);
  t->zp = malloc((size_t)n * sizeof *t->zp);
  if (!t->y || !t->update || !t->gains || !t->grad || !t->neg || !t->part ||
      !t->order || !t->gstart || !t->zp) {
    tsne_free(t);
    return NULL;
  }
  memcpy(t->y, y0, m);
  tsne_reset(t);
  return t;
}

Tsne *tsne_new_exact(int64_t n, int dim, double *P, const double *y0) {
  Tsne *t = tsne_alloc(n, dim, y0);
  if (!t) { free(P); return NULL; }
  t->exact = 1;
  t->P = P;
  return t;
}

Tsne *tsne_new_bh(int64_t n, int dim, int64_t *indptr, int32_t *cols,
                  double *vals, double angle, const double *y0) {
  Tsne *t = tsne_alloc(n, dim, y0);
  if (!t) { free(indptr); free(cols); free(vals); return NULL; }
  t->indptr = indptr;
  t->cols = cols;
  t->vals = vals;
  t->angle = angle;
  return t;
}

void tsne_free(Tsne *t) {
  if (!t) return;
  free(t->P); free(t->indptr); free(t->cols); free(t->vals);
  free(t->y); free(t->update); free(t->gains); free(t->grad); free(t->neg);
  free(t->part); free(t->tree.c); free(t->tree.b);
  free(t->flat); free(t->skip); free(t->fidx);
  free(t->order); free(t->gstart); free(t->gcnt); free(t->zp);
  free(t);
}

void tsne_reset(Tsne *t) {
  int64_t m = t->n * t->dim;
  for (int64_t i = 0; i < m; i++) {
    t->update[i] = 0;
    t->gains[i] = 1;
  }
}

const double *tsne_embedding(const Tsne *t) { return t->y; }

/* Student-t kernel (1 + d2 / dof)^(-(dof + 1) / 2) */
static inline double kern(double d2, double dof) {
  double q = dof / (dof + d2);
  return dof == 1 ? q : pow(q, (dof + 1) / 2);
}

typedef struct {
  Tsne *t;
  double ex;          /* exaggeration */
  double Z;           /* the normaliser, for the error pass */
  int want_error;
  int failed;
} Step;

/* exact, first pass (s->Z == 0): per row i the attractive sum
 * A_i = sum_j p_ij w_ij (y_i - y_j) in grad, the repulsive
 * B_i = sum_j w_ij^2 (y_i - y_j) in neg, and the piece's sum of w in
 * part. Error pass (s->Z the normaliser): the piece's share of
 * KL(P || Q) over ordered pairs in part. */
static void exact_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  (void)slot;
  Step *s = ctx;
  Tsne *t = s->t;
  int64_t n = t->n;
  int dim = t->dim, err_pass = s->Z > 0;
  for (int64_t pc = lo; pc < hi; pc++) {
    double acc = 0;
    int64_t r1 = (pc + 1) * ROWS < n ? (pc + 1) * ROWS : n;
    for (int64_t i = pc * ROWS; i < r1; i++) {
      const double *yi = t->y + i * dim, *Pi = t->P + i * n;
      double a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
      for (int64_t j = 0; j < n; j++) {
        if (j == i) continue;
        const double *yj = t->y + j * dim;
        double df[3], d2 = 0;
        for (int k = 0; k < dim; k++) {
          df[k] = yi[k] - yj[k];
          d2 += df[k] * df[k];
        }
        double w = kern(d2, t->dof), p = s->ex * Pi[j];
        if (err_pass) {
          double q = w / s->Z;
          if (q < DBL_EPSILON) q = DBL_EPSILON;
          acc += p * log((p > DBL_EPSILON ? p : DBL_EPSILON) / q);
          continue;
        }
        double pw = p * w, ww = w * w;
        acc += w;
        for (int k = 0; k < dim; k++) {
          a[k] += pw * df[k];
          b[k] += ww * df[k];
        }
      }
      for (int k = 0; k < dim && !err_pass; k++) {
        t->grad[i * dim + k] = a[k];
        t->neg[i * dim + k] = b[k];
      }
    }
    t->part[pc] = acc;
  }
}

/* Barnes-Hut, the repulsive part. Per point i, scikit-learn's
 * traversal visits the tree depth first and sums, in that order, each
 * cell that is a leaf (not i itself) or far enough (squared width <
 * angle^2 * squared distance to its barycentre), skipping far cells'
 * subtrees:  z_i = sum size * w,  f_i = sum size * w^2 (y_i - bary).
 *
 * Here the points are taken in groups of nearby points (a cell of at
 * most GROUP points, from the tree) and the tree is traversed once per
 * group with the group's bounding box: a cell far for every point of
 * the box goes into the group's list as "far", a cell near for every
 * point is entered, any other cell goes in as "mixed" (each point
 * scans that subtree itself). Each point then runs down the list in
 * order, so it sums the same cells in the same order as its own
 * traversal would: the same bits, with the far cells' sums done for
 * LANES points at once without the branches. The bounds tests keep a
 * margin of 1e-9 so rounding in the per-point distance cannot disagree
 * with them. */
#define GROUP 32
#define LANES 4

/* the per-point traversal over cells [i, end) into the running sums */
static inline __attribute__((always_inline)) void
scan_range(const double *fl, const int32_t *skip, int64_t i, int64_t end,
           const double *yi, const int dim, double th2, double dof,
           double *acc, double *zs) {
  const int st = dim + 2;
  double z = *zs, a[3];
  for (int k = 0; k < dim; k++) a[k] = acc[k];
  while (i < end) {
    const double *c = fl + i * st;
    double df[3], d2 = 0;
    int dup = 1;
    for (int k = 0; k < dim; k++) {
      df[k] = yi[k] - c[k];
      d2 += df[k] * df[k];
      dup &= fabs(df[k]) <= DUP_EPS;
    }
    int64_t next = skip[i];
    if (next == i + 1) {
      if (dup) { i = next; continue; }   /* the point itself */
    } else if (!(c[dim] < th2 * d2)) {
      i++;
      continue;
    }
    double w = kern(d2, dof), sw = c[dim + 1] * w;
    z += sw;
    sw *= w;
    for (int k = 0; k < dim; k++) a[k] += sw * df[k];
    i = next;
  }
  *zs = z;
  for (int k = 0; k < dim; k++) acc[k] = a[k];
}

static inline __attribute__((always_inline)) void
bh_group(Tsne *t, int64_t g, int32_t *list, const int dim, double dof) {
  const int st = dim + 2;
  const double *fl = t->flat, *y = t->y;
  const int32_t *skip = t->skip, *mem = t->order + t->gstart[g];
  int64_t cnt = t->gstart[g + 1] - t->gstart[g], m = t->flat_n;
  double th2 = t->angle * t->angle;
  double lo[3], hi[3];
  for (int k = 0; k < dim; k++) lo[k] = hi[k] = y[(int64_t)mem[0] * dim + k];
  for (int64_t p = 1; p < cnt; p++)
    for (int k = 0; k < dim; k++) {
      double v = y[(int64_t)mem[p] * dim + k];
      if (v < lo[k]) lo[k] = v;
      if (v > hi[k]) hi[k] = v;
    }
  /* the group's list: i far for all, ~i mixed */
  int64_t L = 0, i = 0;
  while (i < m) {
    const double *c = fl + i * st;
    int64_t next = skip[i];
    double dmin2 = 0, dmax2 = 0;
    int inside = 1;
    for (int k = 0; k < dim; k++) {
      double b = c[k], a = b < lo[k] ? lo[k] - b : b > hi[k] ? b - hi[k] : 0;
      double e = fabs(b - lo[k]) > fabs(b - hi[k]) ? fabs(b - lo[k]) : fabs(b - hi[k]);
      double mg = 2 * DUP_EPS + 1e-12 * fabs(b);
      dmin2 += a * a;
      dmax2 += e * e;
      if (b < lo[k] - mg || b > hi[k] + mg) inside = 0;
    }
    if (next == i + 1) {                       /* a leaf: i itself? */
      list[L++] = inside ? (int32_t)~i : (int32_t)i;
      i = next;
    } else if (c[dim] < th2 * dmin2 * (1 - 1e-9)) {
      list[L++] = (int32_t)i;
      i = next;
    } else if (c[dim] >= th2 * dmax2 * (1 + 1e-9)) {
      i++;
    } else {
      list[L++] = (int32_t)~i;
      i = next;
    }
  }
  for (int64_t p0 = 0; p0 < cnt; p0 += LANES) {
    int nl = cnt - p0 < LANES ? (int)(cnt - p0) : LANES;
    double yl[3][LANES], al[3][LANES], zl[LANES];
    for (int l = 0; l < LANES; l++) {
      int64_t idx = mem[p0 + (l < nl ? l : nl - 1)];
      for (int k = 0; k < dim; k++) {
        yl[k][l] = y[idx * dim + k];
        al[k][l] = 0;
      }
      zl[l] = 0;
    }
    for (int64_t e = 0; e < L; e++) {
      int32_t v = list[e];
      if (v >= 0) {
        const double *c = fl + (int64_t)v * st;
        double size = c[dim + 1];
        for (int l = 0; l < LANES; l++) {
          double df[3], d2 = 0;
          for (int k = 0; k < dim; k++) {
            df[k] = yl[k][l] - c[k];
            d2 += df[k] * df[k];
          }
          double w = kern(d2, dof), sw = size * w;
          zl[l] += sw;
          sw *= w;
          for (int k = 0; k < dim; k++) al[k][l] += sw * df[k];
        }
      } else {
        int64_t a = ~v;
        for (int l = 0; l < nl; l++) {
          double yi[3], acc[3];
          for (int k = 0; k < dim; k++) {
            yi[k] = yl[k][l];
            acc[k] = al[k][l];
          }
          scan_range(fl, skip, a, skip[a], yi, dim, th2, dof, acc, &zl[l]);
          for (int k = 0; k < dim; k++) al[k][l] = acc[k];
        }
      }
    }
    for (int l = 0; l < nl; l++) {
      int64_t idx = mem[p0 + l];
      for (int k = 0; k < dim; k++) t->neg[idx * dim + k] = al[k][l];
      t->zp[idx] = zl[l];
    }
  }
}

static void bh_neg_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  Step *s = ctx;
  Tsne *t = s->t;
  int32_t *list = threads_scratch(slot, (size_t)t->flat_n * sizeof *list);
  if (!list) { s->failed = 1; return; }
  for (int64_t g = lo; g < hi; g++) {
    if (t->dim == 2) bh_group(t, g, list, 2, 1.0);
    else if (t->dim == 3) bh_group(t, g, list, 3, t->dof);
    else bh_group(t, g, list, 1, t->dof);          /* dim 1..3 here */
  }
}

/* the points in groups: each point goes to the first cell on its way
 * down the tree with at most GROUP points (or where the way ends);
 * groups in the flattened order, points by index within a group. Only
 * the speed depends on this: any grouping gives the same sums. */
static int make_groups(Tsne *t) {
  int64_t n = t->n, m = t->flat_n;
  int dim = t->dim;
  const Cell *cells = t->tree.c;
  int32_t *cnt = realloc(t->gcnt, (size_t)(m + 1) * sizeof *cnt);
  if (!cnt) return ML_ENOMEM;
  t->gcnt = cnt;
  memset(cnt, 0, (size_t)(m + 1) * sizeof *cnt);
  int32_t *pg = (int32_t *)t->zp;   /* zp is free until the traversal */
  for (int64_t p = 0; p < n; p++) {
    const double *yp = t->y + p * dim;
    int64_t ci = 0;
    for (;;) {
      const Cell *c = &cells[ci];
      if (c->child < 0 || c->size <= GROUP) break;
      int64_t nx = c->child + which_child(&t->tree.b[ci], yp, dim);
      if (cells[nx].size == 0) break;
      ci = nx;
    }
    pg[p] = t->fidx[ci];
    cnt[pg[p] + 1]++;
  }
  int64_t ng = 0;
  for (int64_t g = 0; g < m; g++) {
    if (cnt[g + 1]) t->gstart[ng++] = cnt[g];
    cnt[g + 1] += cnt[g];
  }
  t->gstart[ng] = (int32_t)n;
  t->ngroups = ng;
  for (int64_t p = 0; p < n; p++) t->order[cnt[pg[p]]++] = (int32_t)p;
  return 0;
}

/* Barnes-Hut: the attractive sum over P's entries of each row, and the
 * piece's share of the error */
static inline __attribute__((always_inline)) double
bh_pos_rows(const Step *s, int64_t r0, int64_t r1, const int dim, double dof,
            const int want_error) {
  const Tsne *t = s->t;
  const double tiny = FLT_MIN, ex = s->ex, Z = s->Z;
  const int64_t *indptr = t->indptr;
  const int32_t *cols = t->cols;
  const double *vals = t->vals, *y = t->y;
  double e = 0;
  for (int64_t i = r0; i < r1; i++) {
    const double *yi = y + i * dim;
    double a[3] = {0, 0, 0};
    for (int64_t q = indptr[i]; q < indptr[i + 1]; q++) {
      const double *yj = y + (int64_t)cols[q] * dim;
      double df[3], d2 = 0;
      for (int k = 0; k < dim; k++) {
        df[k] = yi[k] - yj[k];
        d2 += df[k] * df[k];
      }
      double w = kern(d2, dof), p = ex * vals[q], pw = p * w;
      if (want_error) {
        double qq = w / Z;
        e += p * log((p > tiny ? p : tiny) / (qq > tiny ? qq : tiny));
      }
      for (int k = 0; k < dim; k++) a[k] += pw * df[k];
    }
    for (int k = 0; k < dim; k++) t->grad[i * dim + k] = a[k];
  }
  return e;
}

static void bh_pos_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  (void)slot;
  Step *s = ctx;
  Tsne *t = s->t;
  int dim = t->dim;
  int64_t np = pieces(t->n, ROWS);
  for (int64_t pc = lo; pc < hi; pc++) {
    int64_t r0 = pc * ROWS, r1 = r0 + ROWS < t->n ? r0 + ROWS : t->n;
    double e;
    if (s->want_error) e = bh_pos_rows(s, r0, r1, dim, t->dof, 1);   /* once per 50 steps */
    else if (dim == 2) e = bh_pos_rows(s, r0, r1, 2, 1.0, 0);
    else if (dim == 3) e = bh_pos_rows(s, r0, r1, 3, t->dof, 0);
    else e = bh_pos_rows(s, r0, r1, 1, t->dof, 0);
    t->part[np + pc] = e;
  }
}

/* one pool job for both parts when the error is not wanted (the
 * attractive part needs Z only for the error): pieces 0 .. ngroups - 1
 * the groups, then the attractive part's pieces */
static void bh_both_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  Step *s = ctx;
  int64_t ng = s->t->ngroups;
  if (lo < ng) bh_neg_piece(ctx, lo, hi < ng ? hi : ng, slot);
  if (hi > ng) bh_pos_piece(ctx, (lo > ng ? lo : ng) - ng, hi - ng, slot);
}

/* the gradient (in t->grad) and, when asked, the error */
static int gradient(Tsne *t, double ex, int want_error, double *error) {
  int64_t n = t->n, np = pieces(n, ROWS);
  int dim = t->dim;
  Step s = {t, ex, 0, want_error, 0};
  double c = 2.0 * (t->dof + 1.0) / t->dof, Z = 0, e = 0;
  if (t->exact) {
    threads_for(np, 10.0 * (double)n * (double)n, exact_piece, &s);
    for (int64_t p = 0; p < np; p++) Z += t->part[p];
    if (want_error) {
      s.Z = Z;
      threads_for(np, 20.0 * (double)n * (double)n, exact_piece, &s);
      for (int64_t p = 0; p < np; p++) e += t->part[p];
    }
    for (int64_t i = 0; i < n * dim; i++)
      t->grad[i] = c * (t->grad[i] - t->neg[i] / Z);
  } else {
    if (tree_build(&t->tree, t->y, n, dim)) return ML_ENOMEM;
    if (t->flat_cap < t->tree.count) {
      double *fl = realloc(t->flat, (size_t)t->tree.count * (size_t)(dim + 2) * sizeof *fl);
      if (fl) t->flat = fl;
      int32_t *sk = realloc(t->skip, (size_t)t->tree.count * sizeof *sk);
      if (sk) t->skip = sk;
      int32_t *fi = realloc(t->fidx, (size_t)t->tree.count * sizeof *fi);
      if (fi) t->fidx = fi;
      if (!fl || !sk || !fi) return ML_ENOMEM;
      t->flat_cap = t->tree.count;
    }
    t->flat_n = flatten(&t->tree, 0, t->flat, t->skip, t->fidx, 0);
    if (make_groups(t)) return ML_ENOMEM;
    double flops = 2e3 * (double)n + 100.0 * (double)t->indptr[n];
    if (want_error) threads_for(t->ngroups, flops, bh_neg_piece, &s);
    else threads_for(t->ngroups + np, flops, bh_both_piece, &s);
    if (s.failed) return ML_ENOMEM;
    /* Z as the sum, in row order, of each piece of ROWS rows' sum */
    for (int64_t p = 0; p < np; p++) {
      double z = 0;
      int64_t r1 = (p + 1) * ROWS < n ? (p + 1) * ROWS : n;
      for (int64_t i = p * ROWS; i < r1; i++) z += t->zp[i];
      Z += z;
    }
    if (Z < DBL_EPSILON) Z = DBL_EPSILON;
    if (want_error) {
      s.Z = Z;
      threads_for(np, 100.0 * (double)t->indptr[n], bh_pos_piece, &s);
      for (int64_t p = 0; p < np; p++) e += t->part[np + p];
    }
    for (int64_t i = 0; i < n * dim; i++)
      t->grad[i] = c * (t->grad[i] - t->neg[i] / Z);
  }
  *error = want_error ? e : NAN;
  return 0;
}

int tsne_run(Tsne *t, int iters, double momentum, double learning_rate,
             double exaggeration, int want_error, double *error,
             double *grad_norm) {
  int64_t m = t->n * t->dim;
  *error = NAN;
  *grad_norm = NAN;
  for (int it = 0; it < iters; it++) {
    int last = it == iters - 1;
    int rc = gradient(t, exaggeration, last && want_error, error);
    if (rc) return rc;
    double g2 = 0;
    for (int64_t i = 0; i < m; i++) {
      double g = t->grad[i], u = t->update[i], gain = t->gains[i];
      gain = u * g < 0.0 ? gain + 0.2 : gain * 0.8;
      if (gain < 0.01) gain = 0.01;
      g *= gain;
      u = momentum * u - learning_rate * g;
      t->gains[i] = gain;
      t->update[i] = u;
      t->y[i] += u;
      g2 += g * g;
    }
    if (last) *grad_norm = sqrt(g2);
  }
  return 0;
}

/* ---- PCA start ---------------------------------------------------------------- */

int tsne_pca_init(const double *x, int64_t n, int64_t d, int dim,
                  double *out) {
  int64_t m = n < d ? n : d;
  int gram = n < d;         /* eigenvectors of X X^T instead of X^T X */
  int64_t s = gram ? n : d;
  double *xc = malloc((size_t)(n * d) * sizeof *xc);
  double *C = malloc((size_t)(s * s) * sizeof *C);
  double *w = malloc((size_t)s * sizeof *w);
  double *v = malloc((size_t)(s * dim) * sizeof *v);
  lapack_int *sup = malloc((size_t)(2 * s) * sizeof *sup);
  int rc = ML_ENOMEM;
  if (!xc || !C || !w || !v || !sup || dim > m) goto done;
  for (int64_t j = 0; j < d; j++) {
    double mu = 0;
    for (int64_t i = 0; i < n; i++) mu += x[i * d + j];
    mu /= (double)n;
    for (int64_t i = 0; i < n; i++) xc[i * d + j] = x[i * d + j] - mu;
  }
  if (gram)
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0,
                xc, (int)d, 0.0, C, (int)n);
  else
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0,
                xc, (int)d, 0.0, C, (int)d);
  lapack_int found;
  lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U',
                                   (lapack_int)s, C, (lapack_int)s, 0, 0,
                                   (lapack_int)(s - dim + 1), (lapack_int)s,
                                   0.0, &found, w, v, dim, sup);
  if (info != 0 || found != dim) { rc = ML_ELAPACK; goto done; }
  for (int k = 0; k < dim; k++) {
    int col = dim - 1 - k;           /* dsyevr: ascending eigenvalues */
    double *sc = malloc((size_t)(gram ? d : 1) * sizeof *sc);
    if (!sc) goto done;
    double sv = sqrt(w[col] > 0 ? w[col] : 0);
    for (int64_t i = 0; i < n; i++) {
      double t = 0;
      if (gram) t = v[i * dim + col] * sv;
      else for (int64_t j = 0; j < d; j++) t += xc[i * d + j] * v[j * dim + col];
      out[i * dim + k] = t;
    }
    /* svd_flip: the largest absolute entry of u (or of v when the
     * solver transposed, n < d) is made positive */
    double best = -1, sign = 1;
    if (gram) {
      for (int64_t j = 0; j < d; j++) {
        double t = 0;
        for (int64_t i = 0; i < n; i++) t += xc[i * d + j] * v[i * dim + col];
        sc[j] = t;
      }
      for (int64_t j = 0; j < d; j++)
        if (fabs(sc[j]) > best) { best = fabs(sc[j]); sign = sc[j] < 0 ? -1 : 1; }
    } else {
      for (int64_t i = 0; i < n; i++) {
        double t = out[i * dim + k];
        if (fabs(t) > best) { best = fabs(t); sign = t < 0 ? -1 : 1; }
      }
    }
    free(sc);
    for (int64_t i = 0; i < n; i++) out[i * dim + k] *= sign;
  }
  {
    double mu = 0, var = 0;
    for (int64_t i = 0; i < n; i++) mu += out[i * dim];
    mu /= (double)n;
    for (int64_t i = 0; i < n; i++) var += (out[i * dim] - mu) * (out[i * dim] - mu);
    double sd = sqrt(var / (double)n);
    double f = sd > 0 ? 1e-4 / sd : 1.0;
    for (int64_t i = 0; i < n * dim; i++) out[i] *= f;
  }
  rc = 0;
done:
  free(xc); free(C); free(w); free(v); free(sup);
  return rc;
}

/* ---- trustworthiness ------------------------------------------------------------ */

typedef struct {
  const double *x, *y, *nrm;
  int64_t n, d, dy;
  int k;
  double *part;
  int failed;
} Trust;

static void trust_piece(void *ctx, int64_t lo, int64_t hi, int slot) {
  Trust *c = ctx;
  int64_t n = c->n, d = c->d, dy = c->dy;
  int k = c->k;
  double *g = threads_scratch(slot, (size_t)(DIST_RB * n + 2 * k) * sizeof *g);
  if (!g) { c->failed = 1; return; }
  double *bd = g + DIST_RB * n;
  int64_t *bi = (int64_t *)(bd + k);
  for (int64_t p = lo; p < hi; p++) {
    int64_t r0 = p * DIST_RB, rows = n - r0 < DIST_RB ? n - r0 : DIST_RB;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)n,
                (int)d, 1.0, c->x + r0 * d, (int)d, c->x, (int)d, 0.0, g,
                (int)n);
    double t = 0;
    for (int64_t r = 0; r < rows; r++) {
      int64_t i = r0 + r;
      double *gi = g + r * n;
      for (int64_t j = 0; j < n; j++) {
        double v = c->nrm[i] - 2.0 * gi[j] + c->nrm[j];
        gi[j] = j == i ? INFINITY : (v > 0 ? sqrt(v) : 0);
      }
      /* the k nearest in the embedding, nearest first, lower index on ties */
      int cnt = 0;
      for (int64_t j = 0; j < n; j++) {
        if (j == i) continue;
        double s2 = 0;
        for (int64_t a = 0; a < dy; a++) {
          double e = c->y[i * dy + a] - c->y[j * dy + a];
          s2 += e * e;
        }
        if (cnt == k && !(s2 < bd[k - 1])) continue;
        int at = cnt < k ? cnt++ : k - 1;
        while (at > 0 && s2 < bd[at - 1]) {
          bd[at] = bd[at - 1];
          bi[at] = bi[at - 1];
          at--;
        }
        bd[at] = s2;
        bi[at] = j;
      }
      /* rank of each in the input space: 1 + the points before it
       * (closer, or as close with a lower index) */
      for (int a = 0; a < cnt; a++) {
        int64_t j = bi[a];
        double dj = gi[j];
        int64_t rank = 1;
        for (int64_t l = 0; l < n; l++)
          if (gi[l] < dj || (gi[l] == dj && l < j)) rank++;
        if (rank > k) t += (double)(rank - k);
      }
    }
    c->part[p] = t;
  }
}

int tsne_trustworthiness(const double *x, int64_t n, int64_t d,
                         const double *y, int64_t dy, int k, double *out) {
  int64_t np = pieces(n, DIST_RB);
  double *nrm = row_norms(x, n, d);
  double *part = calloc((size_t)(np ? np : 1), sizeof *part);
  if (!nrm || !part) { free(nrm); free(part); return ML_ENOMEM; }
  Trust c = {x, y, nrm, n, d, dy, k, part, 0};
  threads_for(np, 2.0 * (double)n * (double)n * (double)(d + dy + k), trust_piece, &c);
  double t = 0;
  for (int64_t p = 0; p < np; p++) t += part[p];
  free(nrm);
  free(part);
  if (c.failed) return ML_ENOMEM;
  *out = 1.0 - t * (2.0 / ((double)n * k * (2.0 * (double)n - 3.0 * k - 1.0)));
  return 0;
}
