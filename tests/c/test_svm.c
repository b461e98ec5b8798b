/* test_svm.c - the libsvm / liblinear glue on its own: class order,
 * the one-vs-rest transform, train / predict / save / load round trips
 * with nothing leaked, and the model-file check against every cut and
 * thousands of damaged copies of real model files (whatever passes the
 * check must load and predict without a crash; run under ASan too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ml/mlutil.h"
#include "ml/svm_glue.h"
#include "tap.h"

static char dir[] = "/tmp/wb_test_svm_XXXXXX";

/* Out-of-memory injection: malloc refuses requests of exactly fail_size
 * bytes. The prediction pieces' row buffers have a size nothing else
 * asks for while they run (see test_predict_oom). ASan brings its own
 * malloc, so the injection is compiled only without it. */
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_FAIL_MALLOC 0
#else
#define HAVE_FAIL_MALLOC 1
extern void *__libc_malloc(size_t n);
static volatile size_t fail_size;
void *malloc(size_t n) {
  if (n != 0 && n == fail_size) return NULL;
  return __libc_malloc(n);
}
#endif

/* two clusters: label A left, label B right (B met first) */
static void toy(float *x, int *y, int a, int b) {
  for (int i = 0; i < 20; i++) {
    int right = i % 2 == 0;
    x[2 * i] = (right ? 2.0f : 0.0f) + (float)(i % 5) * 0.2f;
    x[2 * i + 1] = (float)(i / 5) * 0.5f;
    y[i] = right ? b : a;
  }
}

static void test_helpers(void) {
  int labels[] = {7, -2, 5, 0}, order[4];
  svmg_sort_order(order, labels, 4);
  ok(order[0] == 1 && order[1] == 3 && order[2] == 2 && order[3] == 0,
     "sort_order puts -2 0 5 7 in place");
  /* pairs (0,1) (0,2) (1,2): one vote each; confidences 0.5, 1, -1.5 */
  double ovo[] = {1.0, -0.5, 2.0}, ovr[3];
  svmg_ovr_from_ovo(ovo, 1, 3, ovr);
  near(ovr[0], 1 + 0.5 / 4.5, 1e-12, "ovr class 0: 1 vote + 0.5/(3*1.5)");
  near(ovr[1], 1 + 1.0 / 6, 1e-12, "ovr class 1: 1 vote + 1/(3*2)");
  near(ovr[2], 1 - 1.5 / 7.5, 1e-12, "ovr class 2: 1 vote - 1.5/(3*2.5)");
  float v[] = {1, 2, 3, 4, 5, 6};
  double m[2], var[2], mean, all;
  ml_col_stats(v, 3, 2, m, var);
  ok(m[0] == 3 && m[1] == 4 && var[0] == 8.0 / 3 && var[1] == 8.0 / 3,
     "col_stats: means 3 4, population variances 8/3");
  ml_stats(v, 6, &mean, &all);
  near(all, 35.0 / 12, 1e-12, "stats: variance of 1..6 is 35/12");
  v[4] = 0.0f / 0.0f;
  is(ml_find_nonfinite(v, 6), 4, "find_nonfinite finds the NaN");
  float boxes[] = {0, 0, 10, 10, 0, 5, 10, 10, 30, 30, 5, 5};
  float scores[] = {0.5f, 0.9f, 0.1f};
  int64_t keep[3];
  int64_t k = ml_nms(boxes, scores, 3, 0.3, keep);
  ok(k == 2 && keep[0] == 1 && keep[1] == 2,
     "nms keeps 1 then 2 (IoU 1/3 > 0.3)");
}

static void test_svc(void) {
  float x[40];
  int y[20], pred[20];
  toy(x, y, 3, 7);
  char err[SVMG_ERRLEN], path[256];
  SvmParams p = {SVMG_RBF, 3, 0.5, 0, 10, 1e-3, 50, 1, 1, 42};
  SvmModel *m = svmg_train(x, 20, 2, y, &p, err);
  ok(m != NULL, "svmg_train (rbf, probabilities)");
  if (!m) { diag("%s", err); return; }
  int cls[2];
  svmg_classes(m, cls);
  ok(cls[0] == 3 && cls[1] == 7, "classes ascending although 7 came first");
  ok(svmg_predict(m, x, 20, pred, err) == 0, "svmg_predict");
  int right = 0;
  for (int i = 0; i < 20; i++) right += pred[i] == y[i];
  is(right, 20, "training points predicted right");
  double dec[20], prob[40];
  ok(svmg_decision_ovo(m, x, 20, dec, err) == 0, "svmg_decision_ovo");
  ok(dec[0] < 0 && dec[1] > 0, "ovo value positive for the first class (3)");
  ok(svmg_predict_proba(m, x, 20, prob, err) == 0 &&
     prob[0] + prob[1] > 0.999 && prob[0] < prob[1],
     "probabilities sum to 1, favour 7 for a 7");
  snprintf(path, sizeof path, "%s/svc.model", dir);
  ok(svmg_save(m, path, err) == 0, "svmg_save");
  SvmModel *b = svmg_load(path, err);
  ok(b && svmg_n_features(b) == 2 && svmg_total_sv(b) == svmg_total_sv(m),
     "svmg_load: same features and support vectors");
  if (b) {
    double dec2[20];
    svmg_decision_ovo(b, x, 20, dec2, err);
    ok(memcmp(dec, dec2, sizeof dec) == 0,
       "identical decision values after the round trip");
    svmg_free(b);
  }
  float sv[40 * 2];
  int idx[40];
  svmg_support(m, sv, idx);
  ok(idx[0] >= 1 && idx[0] <= 20 && sv[0] == x[2 * (idx[0] - 1)],
     "support vectors come with their training rows");
  svmg_free(m);
  ok(svmg_load("/nonexistent/x", err) == NULL && strstr(err, "cannot open"),
     "loading a missing file fails with a message");
  ok(svmg_load(dir, err) == NULL && strstr(err, "not a regular file"),
     "loading a folder fails with a message");
}

static void test_linear(void) {
  float x[40];
  int y[20], pred[20];
  toy(x, y, 0, 1);
  char err[SVMG_ERRLEN], path[256];
  LinParams p = {LING_L2R_L2LOSS_SVC_DUAL, 1, 1e-4, 1, 7};
  LinModel *m = ling_train(x, 20, 2, y, &p, err);
  ok(m != NULL, "ling_train");
  if (!m) { diag("%s", err); return; }
  ok(ling_predict(m, x, 20, pred, err) == 0, "ling_predict");
  int right = 0;
  for (int i = 0; i < 20; i++) right += pred[i] == y[i];
  is(right, 20, "linear: training points predicted right");
  float coef[2], b;
  double dec[20];
  ling_coef(m, coef, &b);
  ok(ling_decision(m, x, 20, dec, err) == 0, "ling_decision");
  near(dec[0], coef[0] * x[0] + coef[1] * x[1] + b, 1e-5,
       "decision = coef . x + intercept (sklearn's sign)");
  ok(dec[0] > 0 && y[0] == 1, "positive for the larger label");
  snprintf(path, sizeof path, "%s/linear.model", dir);
  ok(ling_save(m, path, err) == 0, "ling_save");
  LinModel *l = ling_load(path, err);
  ok(l != NULL, "ling_load");
  if (l) {
    double dec2[20];
    ling_decision(l, x, 20, dec2, err);
    ok(memcmp(dec, dec2, sizeof dec) == 0,
       "linear: identical decision values after loading");
    ling_free(l);
  }
  ling_free(m);
}

/* A prediction that cannot allocate its row buffer must say so, not
 * return labels or decision values it never computed. */
static void test_predict_oom(void) {
  enum { N = 20, D = 37 };
  float x[N * D];
  int y[N], lab[N];
  double dec[N];
  char err[SVMG_ERRLEN];
  for (int i = 0; i < N; i++) {
    y[i] = i % 2;
    for (int j = 0; j < D; j++)
      x[i * D + j] = (float)(y[i] * 2 + (i * 7 + j * 3) % 5 * 0.1);
  }
  SvmParams sp = {SVMG_LINEAR, 3, 0.5, 0, 1, 1e-3, 50, 1, 0, 1};
  LinParams lp = {LING_L2R_L2LOSS_SVC_DUAL, 1, 1e-4, 1, 7};
  SvmModel *sm = svmg_train(x, N, D, y, &sp, err);
  LinModel *lm = ling_train(x, N, D, y, &lp, err);
  if (!sm || !lm || !HAVE_FAIL_MALLOC) {
    for (int i = 0; i < 4; i++)
      ok(1, "# SKIP %s", HAVE_FAIL_MALLOC ? "training failed" : "ASan build");
    svmg_free(sm);
    ling_free(lm);
    return;
  }
#if HAVE_FAIL_MALLOC
  fail_size = (D + 1) * sizeof(struct { int i; double v; });  /* svm_node */
  int rc = svmg_predict(sm, x, N, lab, err);
  fail_size = 0;
  ok(rc == -1 && strstr(err, "out of memory"), "svmg_predict reports out of "
     "memory: %s", rc ? err : "(returned 0)");
  fail_size = (D + 1) * sizeof(struct { int i; double v; });
  rc = svmg_decision_ovo(sm, x, N, dec, err);
  fail_size = 0;
  ok(rc == -1 && strstr(err, "out of memory"), "svmg_decision_ovo reports "
     "out of memory: %s", rc ? err : "(returned 0)");
  fail_size = (D + 2) * sizeof(struct { int i; double v; });  /* feature_node */
  rc = ling_predict(lm, x, N, lab, err);
  fail_size = 0;
  ok(rc == -1 && strstr(err, "out of memory"), "ling_predict reports out of "
     "memory: %s", rc ? err : "(returned 0)");
  fail_size = (D + 2) * sizeof(struct { int i; double v; });
  rc = ling_decision(lm, x, N, dec, err);
  fail_size = 0;
  ok(rc == -1 && strstr(err, "out of memory"), "ling_decision reports out "
     "of memory: %s", rc ? err : "(returned 0)");
#endif
  svmg_free(sm);
  ling_free(lm);
}

static char *slurp(const char *path, size_t *n) {
  char *text, err[SVMG_ERRLEN];
  if (svmg_read_file(path, &text, n, err)) return NULL;
  return text;
}

static void spit(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(text, 1, n, f);
    fclose(f);
  }
}

/* Run the check on text[0..n); whatever passes must load and predict. */
static int check_and_load(const char *text, size_t n, int linear, int *passed) {
  char err[SVMG_ERRLEN], path[256];
  int d;
  int rc = linear ? ling_check_text(text, n, &d, err)
                  : svmg_check_text(text, n, &d, err);
  if (rc) return 1;
  (*passed)++;
  snprintf(path, sizeof path, "%s/fuzz.model", dir);
  spit(path, text, n);
  float x[64] = {0};
  int lab[2];
  if (d > 32) return 1;   /* a damaged index may claim many features */
  if (linear) {
    LinModel *m = ling_load(path, err);
    if (!m) return 0;
    ling_predict(m, x, 2, lab, err);
    ling_free(m);
  } else {
    SvmModel *m = svmg_load(path, err);
    if (!m) return 0;
    svmg_predict(m, x, 2, lab, err);
    svmg_free(m);
  }
  return 1;
}

static void fuzz(const char *name, int linear) {
  char path[256];
  size_t n;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *good = slurp(path, &n);
  if (!good) { ok(0, "read %s", name); return; }
  int passed = 0, fine = 1;
  for (size_t k = 0; k <= n; k++)
    fine &= check_and_load(good, k, linear, &passed);
  ok(fine && passed == 1, "%s: every cut is refused, only the whole file loads "
     "(%d of %zu passed)", name, passed, n + 1);
  static const char subst[] = "9 \n:-x.e0";
  char *bad = malloc(n + 1);
  passed = 0;
  for (size_t k = 0; k < n; k++)
    for (const char *c = subst; *c; c++) {
      memcpy(bad, good, n + 1);
      bad[k] = *c;
      fine &= check_and_load(bad, n, linear, &passed);
    }
  ok(fine, "%s: every one-byte change is refused or loads (%d passed)",
     name, passed);
  free(bad);
  free(good);
}

/* A model saved with Windows line ends (CR LF) loads and predicts as
 * the original does. */
static void crlf(const char *name, int linear) {
  char path[256], err[SVMG_ERRLEN];
  size_t n;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *good = slurp(path, &n);
  if (!good) { ok(0, "read %s", name); return; }
  char *dos = malloc(2 * n + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (good[i] == '\n') dos[k++] = '\r';
    dos[k++] = good[i];
  }
  snprintf(path, sizeof path, "%s/crlf_%s", dir, name);
  spit(path, dos, k);
  float x[4] = {0.5f, -1, 2, 0.25f};
  int a[2] = {-9, -9}, b[2] = {-7, -7}, d;
  int checked = linear ? ling_check_text(dos, k, &d, err) == 0
                       : svmg_check_text(dos, k, &d, err) == 0;
  if (!ok(checked, "%s with CR LF line ends passes the check", name))
    diag("%s", err);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char crlf_path[300];
  snprintf(crlf_path, sizeof crlf_path, "%s/crlf_%s", dir, name);
  if (linear) {
    LinModel *m = ling_load(path, err), *c = ling_load(crlf_path, err);
    if (m && c && d <= 2) { ling_predict(m, x, 2, a, err); ling_predict(c, x, 2, b, err); }
    ok(m && c && d <= 2 && a[0] == b[0] && a[1] == b[1],
       "%s with CR LF loads and predicts the same", name);
    if (m) ling_free(m);
    if (c) ling_free(c);
  } else {
    SvmModel *m = svmg_load(path, err), *c = svmg_load(crlf_path, err);
    if (m && c && d <= 2) { svmg_predict(m, x, 2, a, err); svmg_predict(c, x, 2, b, err); }
    ok(m && c && d <= 2 && a[0] == b[0] && a[1] == b[1],
       "%s with CR LF loads and predicts the same", name);
    if (m) svmg_free(m);
    if (c) svmg_free(c);
  }
  free(dos);
  free(good);
}

int main(void) {
  if (!mkdtemp(dir)) { printf("Bail out! mkdtemp\n"); return 1; }
  test_helpers();
  test_svc();
  test_linear();
  test_predict_oom();
  fuzz("svc.model", 0);
  fuzz("linear.model", 1);
  crlf("svc.model", 0);
  crlf("linear.model", 1);
  char err[SVMG_ERRLEN];
  ok(svmg_check_text("", 0, &(int){0}, err) && strstr(err, "empty"),
     "empty text refused");
  ok(svmg_file_kind("svm_type c_svc\n", 15) == 1 &&
     svmg_file_kind("solver_type L2R_LR\n", 19) == 2 &&
     svmg_file_kind("hello", 5) == 0, "file kinds by the first word");
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) diag("could not remove %s", dir);
  return done_testing();
}
