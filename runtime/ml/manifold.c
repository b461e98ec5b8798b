/* manifold.c - locally linear embedding, Isomap's geodesic distances and
 * metric MDS by SMACOF (manifold.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "core/threads.h"
#include "ml/linear.h"
#include "ml/manifold.h"
#include "ml/neighbors.h"

int mf_self_knn(const float *x, int64_t n, int64_t d, int64_t k,
                int64_t *idx, double *dist) {
  int64_t k1 = k + 1;
  int64_t *ti = malloc((size_t)(n * k1) * sizeof *ti);
  double *td = malloc((size_t)(n * k1) * sizeof *td);
  if (!ti || !td) { free(ti); free(td); return ML_ENOMEM; }
  int rc = knn_search(x, n, x, n, d, k1, ti, td);
  if (rc) { free(ti); free(td); return rc; }
  for (int64_t i = 0; i < n; i++) {
    /* drop the row itself; when a duplicate hides it, the first column */
    int64_t skip = 0;
    for (int64_t c = 0; c < k1; c++)
      if (ti[i * k1 + c] == i) { skip = c; break; }
    int64_t o = 0;
    for (int64_t c = 0; c < k1; c++) {
      if (c == skip) continue;
      idx[i * k + o] = ti[i * k1 + c];
      dist[i * k + o] = td[i * k1 + c];
      o++;
    }
  }
  free(ti); free(td);
  return 0;
}

int lle_fit(const float *x, int64_t n, int64_t d, int64_t k, int64_t p,
            double reg, double *emb, double *err) {
  int64_t *idx = malloc((size_t)(n * k) * sizeof *idx);
  double *dist = malloc((size_t)(n * k) * sizeof *dist);
  double *W = malloc((size_t)(n * k) * sizeof *W);
  double *C = malloc((size_t)(k * d) * sizeof *C);
  double *G = malloc((size_t)(k * k) * sizeof *G);
  double *M = calloc((size_t)(n * n), sizeof *M);
  double *w = malloc((size_t)n * sizeof *w);
  int *sup = malloc((size_t)(2 * n) * sizeof *sup);
  int rc = ML_ENOMEM;
  if (!idx || !dist || !W || !C || !G || !M || !w || !sup) goto out;
  if ((rc = mf_self_knn(x, n, d, k, idx, dist))) goto out;
  rc = ML_ELAPACK;
  for (int64_t i = 0; i < n; i++) {
    for (int64_t a = 0; a < k; a++)
      for (int64_t j = 0; j < d; j++)
        C[a * d + j] = (double)x[idx[i * k + a] * d + j] - x[i * d + j];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)k,
                (int)d, 1.0, C, (int)d, C, (int)d, 0.0, G, (int)k);
    double tr = 0;
    for (int64_t a = 0; a < k; a++) tr += G[a * k + a];
    double R = tr > 0 ? reg * tr : reg;
    for (int64_t a = 0; a < k; a++) G[a * k + a] += R;
    double *wi = W + i * k;
    for (int64_t a = 0; a < k; a++) wi[a] = 1;
    if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, 1, G, (lapack_int)k,
                      wi, 1) != 0)
      goto out;
    double s = 0;
    for (int64_t a = 0; a < k; a++) s += wi[a];
    for (int64_t a = 0; a < k; a++) wi[a] /= s;
  }
  /* M = (I - W)'(I - W) = I - W - W' + W'W */
  for (int64_t i = 0; i < n; i++) {
    M[i * n + i] += 1;
    for (int64_t a = 0; a < k; a++) {
      int64_t ja = idx[i * k + a];
      double wa = W[i * k + a];
      M[i * n + ja] -= wa;
      M[ja * n + i] -= wa;
      for (int64_t b = 0; b < k; b++)
        M[ja * n + idx[i * k + b]] += wa * W[i * k + b];
    }
  }
  lapack_int found;
  if (LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', (lapack_int)n, M,
                     (lapack_int)n, 0, 0, 2, (lapack_int)(p + 1), 0.0, &found, w,
                     emb, (lapack_int)p, sup) != 0 || found != p)
    goto out;
  *err = 0;
  for (int64_t c = 0; c < p; c++) *err += w[c];
  rc = 0;
out:
  free(idx); free(dist); free(W); free(C); free(G); free(M); free(w); free(sup);
  return rc;
}

/* ---- shortest paths -------------------------------------------------- */

typedef struct { double d; int64_t v; } HeapItem;

static void heap_push(HeapItem *h, int64_t *len, double d, int64_t v) {
  int64_t i = (*len)++;
  while (i > 0) {
    int64_t p = (i - 1) / 2;
    if (h[p].d <= d) break;
    h[i] = h[p];
    i = p;
  }
  h[i].d = d;
  h[i].v = v;
}

static HeapItem heap_pop(HeapItem *h, int64_t *len) {
  HeapItem top = h[0], last = h[--(*len)];
  int64_t i = 0;
  for (;;) {
    int64_t c = 2 * i + 1;
    if (c >= *len) break;
    if (c + 1 < *len && h[c + 1].d < h[c].d) c++;
    if (h[c].d >= last.d) break;
    h[i] = h[c];
    i = c;
  }
  if (*len > 0) h[i] = last;
  return top;
}

/* Dijkstra from sources first + [lo, hi) over a CSR graph into D's rows;
 * each pool thread keeps its heap in its scratch slot */
typedef struct {
  const int64_t *start, *adj;
  const double *wt;
  int64_t n, heap_cap;
  double *D;
  int64_t first;
  int oom[THREADS_MAX + 1];
} PathJob;

static void dijkstra_range(void *ctx, int64_t lo, int64_t hi, int slot) {
  PathJob *j = ctx;
  HeapItem *heap = threads_scratch(slot, (size_t)j->heap_cap * sizeof *heap);
  if (!heap) { j->oom[slot] = 1; return; }
  for (int64_t s = j->first + lo; s < j->first + hi; s++) {
    double *row = j->D + s * j->n;
    for (int64_t v = 0; v < j->n; v++) row[v] = INFINITY;
    int64_t len = 0;
    row[s] = 0;
    heap_push(heap, &len, 0, s);
    while (len > 0) {
      HeapItem it = heap_pop(heap, &len);
      if (it.d > row[it.v]) continue;
      for (int64_t e = j->start[it.v]; e < j->start[it.v + 1]; e++) {
        double nd = it.d + j->wt[e];
        if (nd < row[j->adj[e]]) {
          row[j->adj[e]] = nd;
          heap_push(heap, &len, nd, j->adj[e]);
        }
      }
    }
  }
}

int isomap_paths(const float *x, int64_t n, int64_t d, int64_t k, double *D,
                 void (*progress)(void *, int64_t, int64_t), void *arg) {
  int64_t *idx = malloc((size_t)(n * k) * sizeof *idx);
  double *dist = malloc((size_t)(n * k) * sizeof *dist);
  int64_t *start = calloc((size_t)(n + 1), sizeof *start);
  int64_t *adj = malloc((size_t)(2 * n * k) * sizeof *adj);
  double *wt = malloc((size_t)(2 * n * k) * sizeof *wt);
  int rc = ML_ENOMEM;
  if (!idx || !dist || !start || !adj || !wt) goto out;
  if ((rc = mf_self_knn(x, n, d, k, idx, dist))) goto out;
  /* the graph with every edge both ways (CSR) */
  for (int64_t i = 0; i < n; i++)
    for (int64_t a = 0; a < k; a++) {
      start[i + 1]++;
      start[idx[i * k + a] + 1]++;
    }
  for (int64_t i = 0; i < n; i++) start[i + 1] += start[i];
  int64_t *fill = malloc((size_t)n * sizeof *fill);
  if (!fill) { rc = ML_ENOMEM; goto out; }
  memcpy(fill, start, (size_t)n * sizeof *fill);
  for (int64_t i = 0; i < n; i++)
    for (int64_t a = 0; a < k; a++) {
      int64_t j = idx[i * k + a];
      double w = dist[i * k + a];
      adj[fill[i]] = j; wt[fill[i]++] = w;
      adj[fill[j]] = i; wt[fill[j]++] = w;
    }
  free(fill);
  rc = 0;
  PathJob job = {start, adj, wt, n, 2 * n * k + 1, D, 0, {0}};
  /* chunks of 64 sources on the worker pool, progress between chunks */
  for (int64_t s0 = 0; s0 < n; s0 += 64) {
    int64_t len = n - s0 < 64 ? n - s0 : 64;
    job.first = s0;
    threads_for(len, (double)len * (double)(start[n] + n) * 20, dijkstra_range, &job);
    for (int i = 0; i <= THREADS_MAX; i++)
      if (job.oom[i]) { rc = ML_ENOMEM; goto out; }
    for (int64_t i = s0 * n; i < (s0 + len) * n; i++)
      if (isinf(D[i])) { rc = MF_DISCONNECTED; goto out; }
    if (progress) progress(arg, s0 + len, n);
  }
out:
  free(idx); free(dist); free(start); free(adj); free(wt);
  return rc;
}

int isomap_extend(const float *fit, int64_t n, const float *xq, int64_t q,
                  int64_t d, int64_t k, const double *D, double *G) {
  int64_t *idx = malloc((size_t)(q * k) * sizeof *idx);
  double *dist = malloc((size_t)(q * k) * sizeof *dist);
  if (!idx || !dist) { free(idx); free(dist); return ML_ENOMEM; }
  int rc = knn_search(fit, n, xq, q, d, k, idx, dist);
  if (!rc)
    for (int64_t i = 0; i < q; i++)
      for (int64_t j = 0; j < n; j++) {
        double best = INFINITY;
        for (int64_t a = 0; a < k; a++) {
          double v = dist[i * k + a] + D[idx[i * k + a] * n + j];
          if (v < best) best = v;
        }
        G[i * n + j] = best;
      }
  free(idx); free(dist);
  return rc;
}

/* ---- SMACOF ------------------------------------------------------------ */

static void pair_distances(const double *X, int64_t n, int64_t p, double *D) {
  for (int64_t i = 0; i < n; i++) {
    D[i * n + i] = 0;
    for (int64_t j = i + 1; j < n; j++) {
      double s = 0;
      for (int64_t c = 0; c < p; c++) {
        double t = X[i * p + c] - X[j * p + c];
        s += t * t;
      }
      D[i * n + j] = D[j * n + i] = sqrt(s);
    }
  }
}

void mf_distances(const float *x, int64_t n, int64_t d, double *D) {
  for (int64_t i = 0; i < n; i++) {
    D[i * n + i] = 0;
    for (int64_t j = i + 1; j < n; j++) {
      double s = 0;
      for (int64_t c = 0; c < d; c++) {
        double t = (double)x[i * d + c] - x[j * d + c];
        s += t * t;
      }
      D[i * n + j] = D[j * n + i] = sqrt(s);
    }
  }
}

int smacof(const double *diss, int64_t n, int64_t p, double *X, int max_iter,
           double eps, double *stress, int *n_iter,
           int (*progress)(void *, int, double), void *arg) {
  double *dis = malloc((size_t)(n * n) * sizeof *dis);
  double *Xn = malloc((size_t)(n * p) * sizeof *Xn);
  if (!dis || !Xn) { free(dis); free(Xn); return ML_ENOMEM; }
  double old = NAN;
  int it;
  for (it = 0; it < max_iter; it++) {
    pair_distances(X, n, p, dis);
    double st = 0;
    for (int64_t i = 0; i < n * n; i++) {
      double t = dis[i] - diss[i];
      st += t * t;
    }
    *stress = st / 2;
    if (progress && progress(arg, it, *stress)) {
      free(dis); free(Xn);
      return MF_STOPPED;
    }
    /* Guttman transform: X = B X / n, B = -ratio off the diagonal */
    for (int64_t i = 0; i < n * n; i++) {
      double v = dis[i] == 0 ? 1e-5 : dis[i];
      dis[i] = diss[i] / v;                      /* ratio */
    }
    for (int64_t i = 0; i < n; i++) {
      double rs = 0;
      for (int64_t j = 0; j < n; j++) rs += dis[i * n + j];
      for (int64_t c = 0; c < p; c++) {
        double acc = (rs - dis[i * n + i]) * X[i * p + c];
        for (int64_t j = 0; j < n; j++)
          if (j != i) acc -= dis[i * n + j] * X[j * p + c];
        Xn[i * p + c] = acc / (double)n;
      }
    }
    memcpy(X, Xn, (size_t)(n * p) * sizeof *X);
    double size = 0;
    for (int64_t i = 0; i < n; i++) size += cblas_dnrm2((int)p, X + i * p, 1);
    if (!isnan(old) && old - *stress / size < eps) break;
    old = *stress / size;
  }
  *n_iter = it < max_iter ? it + 1 : max_iter;
  free(dis); free(Xn);
  return 0;
}
