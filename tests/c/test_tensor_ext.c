/* test_tensor_ext.c - the NumPy-style kernels of core/tensor_ext.c on
 * small hand-checked cases: ranges, half-to-even rounding, stable sorts
 * with NaN last, medians, moments, scans, strided copies (tile, flip,
 * concat of a transposed view), masks, unique, bincount and the seeded
 * samplers; the float64 paths. */
#include <math.h>
#include <string.h>

#include "tap.h"
#include "core/tensor_ext.h"

static char err[TENSOR_ERRLEN];

static int equal(const float *a, const float *b, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (!(a[i] == b[i] || (isnan(a[i]) && isnan(b[i])))) {
      diag("element %lld: got %g, want %g", (long long)i, a[i], b[i]);
      return 0;
    }
  return 1;
}

static Tensor make(float *data, int ndim, const int64_t *shape) {
  Tensor t;
  tensor_init(&t, data, ndim, shape, err);
  return t;
}

static void test_ranges(void) {
  float out[5];
  tx_linspace(out, 5, 0, 1, 1);
  ok(equal(out, (float[]){0, 0.25f, 0.5f, 0.75f, 1}, 5), "linspace(0, 1, 5)");
  tx_linspace(out, 4, 2, 3, 0);
  ok(equal(out, (float[]){2, 2.25f, 2.5f, 2.75f}, 4), "linspace without endpoint");
  tx_linspace(out, 1, -1, 1, 1);
  ok(out[0] == -1, "linspace of one value is start");
  tx_logspace(out, 3, 0, 2, 1, 10);
  ok(equal(out, (float[]){1, 10, 100}, 3), "logspace(0, 2, 3)");
}

static void test_round(void) {
  float v[] = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 2.675f, 1.25f};
  Tensor a = make(v, 1, (int64_t[]){8});
  float out[8];
  tx_round(&a, 0, out);
  ok(equal(out, (float[]){-2, -2, -0.0f, 0, 2, 2, 3, 1}, 8), "round half to even");
  tx_round(&a, 1, out);
  ok(out[7] == 1.2f && out[6] == 2.7f, "round to 1 decimal: 1.25 -> 1.2");
  float s[] = {-3, 0, 2, NAN};
  Tensor b = make(s, 1, (int64_t[]){4});
  tx_unop(TX_SIGN, &b, out);
  ok(equal(out, (float[]){-1, 0, 1, NAN}, 4), "sign keeps NaN");
}

static void test_sort(void) {
  /* a (2, 3) matrix sorted along axis 0 (n=2, inner=3) and axis 1 */
  float v[] = {3, NAN, 1, 1, 2, 1};
  float vals[6], pos[6];
  ok(tx_sort(v, 1, 6, 1, vals, pos, err) == 0, "sort 6 values");
  ok(equal(vals, (float[]){1, 1, 1, 2, 3, NAN}, 6), "sorted, NaN last");
  ok(equal(pos, (float[]){2, 3, 5, 4, 0, 1}, 6), "stable: equal keys keep their order");
  ok(tx_sort(v, 1, 2, 3, vals, NULL, err) == 0, "sort along axis 0 of (2, 3)");
  ok(equal(vals, (float[]){1, 2, 1, 3, NAN, 1}, 6), "columns sorted");
  float med[3];
  ok(tx_median(v, 1, 2, 3, med, err) == 0, "median along axis 0");
  ok(equal(med, (float[]){2, NAN, 1}, 3), "medians: mean of two, NaN propagates");
  float var[2];
  float w[] = {1, 2, 3, 4, 2, 2, 2, 2};
  tx_var(w, 2, 4, 1, 1, 0, var);
  near(var[0], 5.0 / 3, 1e-6, "var with ddof 1");
  ok(var[1] == 0, "var of equal values is 0");
}

static void test_scans(void) {
  float v[] = {1, 2, 3, 4, 5, 6};
  float out[6];
  tx_cumulate(v, 1, 2, 3, 0, out);
  ok(equal(out, (float[]){1, 2, 3, 5, 7, 9}, 6), "cumsum along axis 0 of (2, 3)");
  tx_cumulate(v, 2, 3, 1, 1, out);
  ok(equal(out, (float[]){1, 2, 6, 4, 20, 120}, 6), "cumprod along axis 1");
}

static void test_copies(void) {
  float v[] = {1, 2, 3, 4, 5, 6};
  Tensor a = make(v, 2, (int64_t[]){2, 3});
  float buf[36];
  Tensor out = make(buf, 2, (int64_t[]){4, 3});
  tx_tile(&a, 2, (int64_t[]){2, 1}, &out);
  ok(equal(buf, (float[]){1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}, 12), "tile (2, 1)");
  Tensor o2 = make(buf, 2, (int64_t[]){2, 6});
  tx_tile(&a, 2, (int64_t[]){1, 2}, &o2);
  ok(equal(buf, (float[]){1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}, 12), "tile (1, 2)");
  Tensor o3 = make(buf, 2, (int64_t[]){2, 3});
  tx_flip(&a, (int[]){1, 1}, &o3);
  ok(equal(buf, (float[]){6, 5, 4, 3, 2, 1}, 6), "flip both axes");
  /* concat a with a strided view holding the same values: a^T's
   * transpose (strides (1, 2) over the column-major copy) */
  float cm[] = {1, 4, 2, 5, 3, 6};
  Tensor tt = make(cm, 2, (int64_t[]){2, 3});
  tt.stride[0] = 1;
  tt.stride[1] = 2;
  const Tensor *parts[2] = {&a, &tt};
  Tensor o4 = make(buf, 2, (int64_t[]){4, 3});
  tx_concat(parts, 2, 0, &o4);
  ok(equal(buf, (float[]){1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}, 12), "concat along axis 0");
  Tensor o7 = make(buf, 2, (int64_t[]){2, 6});
  tx_concat(parts, 2, 1, &o7);
  ok(equal(buf, (float[]){1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}, 12), "concat along axis 1");
  Tensor o5 = make(buf, 2, (int64_t[]){2, 4});
  tx_repeat(&a, 1, (int64_t[]){0, 3, 1}, &o5);
  ok(equal(buf, (float[]){2, 2, 2, 3, 5, 5, 5, 6}, 8), "repeat with counts 0, 3, 1");
  Tensor o6 = make(buf, 2, (int64_t[]){3, 2});
  tx_grid(&(Tensor){.data = (float[]){7, 8}, .ndim = 1, .size = 2, .shape = {2}, .stride = {1}},
          1, &o6);
  ok(equal(buf, (float[]){7, 8, 7, 8, 7, 8}, 6), "grid along dimension 2");
}

static void test_masks(void) {
  float v[] = {1, 2, 3, 4, 5, 6};
  Tensor a = make(v, 2, (int64_t[]){3, 2});
  float m[] = {1, 0, 1};
  Tensor rows = make(m, 1, (int64_t[]){3});
  is(tx_mask_count(&rows), 2, "two rows selected");
  float out[6];
  tx_mask_select(&a, &rows, out);
  ok(equal(out, (float[]){1, 2, 5, 6}, 4), "rows 1 and 3");
  tx_mask_assign(&a, &rows, (float[]){0}, 1);
  ok(equal(v, (float[]){0, 0, 3, 4, 0, 0}, 6), "assign a number to the rows");
  float e[] = {0, 1, 1, 0, 0, 1};
  Tensor em = make(e, 2, (int64_t[]){3, 2});
  tx_mask_assign(&a, &em, (float[]){7, 8, 9}, 3);
  ok(equal(v, (float[]){0, 7, 8, 4, 0, 9}, 6), "assign values elementwise");
}

static void test_counting(void) {
  float v[] = {3, 1, 3, NAN, 2, 1, NAN};
  Tensor a = make(v, 1, (int64_t[]){7});
  float vals[7], first[7], inv[7], cnt[7];
  int64_t k;
  ok(tx_unique(&a, vals, first, inv, cnt, &k, err) == 0, "unique");
  is(k, 4, "four distinct values (NaNs collapsed)");
  ok(equal(vals, (float[]){1, 2, 3, NAN}, 4), "sorted, NaN last");
  ok(equal(first, (float[]){1, 4, 0, 3}, 4), "first positions");
  ok(equal(inv, (float[]){2, 0, 2, 3, 1, 0, 3}, 7), "inverse");
  ok(equal(cnt, (float[]){2, 1, 2, 2}, 4), "counts");
  float x[] = {0, 2, 2, 5};
  Tensor xt = make(x, 1, (int64_t[]){4});
  float bins[7] = {0};
  tx_bincount(&xt, NULL, bins, 7);
  ok(equal(bins, (float[]){1, 0, 2, 0, 0, 1, 0}, 7), "bincount with minlength 7");
  Tensor wt = make((float[]){0.5f, 1, 2, 4}, 1, (int64_t[]){4});
  memset(bins, 0, sizeof bins);
  tx_bincount(&xt, &wt, bins, 6);
  ok(equal(bins, (float[]){0.5f, 0, 3, 0, 0, 4}, 6), "bincount with weights");
}

static void test_sampling(void) {
  float a[1000], b[1000];
  tensor_seed(3);
  tx_randint(a, 1000, -2, 3);
  tensor_seed(3);
  tx_randint(b, 1000, -2, 3);
  ok(equal(a, b, 1000), "randint: same seed, same numbers");
  int seen[5] = {0}, inside = 1;
  for (int i = 0; i < 1000; i++) {
    if (a[i] < -2 || a[i] > 2 || a[i] != floorf(a[i])) inside = 0;
    else seen[(int)a[i] + 2]++;
  }
  ok(inside, "randint in [-2, 3)");
  ok(seen[0] > 150 && seen[4] > 150, "both ends drawn (%d, %d of 1000)", seen[0], seen[4]);
  int64_t pos[10];
  ok(tx_choice(pos, 10, 10, NULL, 0, err) == 0, "choice without replacement");
  int hit[10] = {0}, distinct = 1;
  for (int i = 0; i < 10; i++) if (hit[pos[i]]++) distinct = 0;
  ok(distinct, "all ten positions once: a permutation");
  float p[] = {0, 0.25f, 0, 0.75f};
  ok(tx_choice(pos, 2, 4, p, 0, err) == 0, "weighted choice without replacement");
  ok((pos[0] == 1 && pos[1] == 3) || (pos[0] == 3 && pos[1] == 1), "only the positive weights");
  int64_t many[4000];
  tx_choice(many, 4000, 4, p, 1, err);
  int c3 = 0, zero = 0;
  for (int i = 0; i < 4000; i++) { c3 += many[i] == 3; zero += many[i] == 0 || many[i] == 2; }
  ok(zero == 0, "never a zero weight");
  near(c3 / 4000.0, 0.75, 0.03, "weights followed");
  for (int i = 0; i < 1000; i++) if (tx_rand_below(7) >= 7) { ok(0, "rand_below out of range"); return; }
  ok(1, "rand_below(7) < 7");
}

static void test_products(void) {
  float c[] = {1, 0, 1};                   /* (3, 1) condition column */
  Tensor cond = make(c, 2, (int64_t[]){3, 1});
  Tensor a = make((float[]){1, 2}, 1, (int64_t[]){2});
  Tensor b = make((float[]){-1}, 0, NULL);
  float buf[16];
  Tensor out = make(buf, 2, (int64_t[]){3, 2});
  tx_where(&cond, &a, &b, &out);
  ok(equal(buf, (float[]){1, 2, -1, -1, 1, 2}, 6), "where broadcasts (3,1), (2) and ()");
  Tensor v = make((float[]){1, 2}, 1, (int64_t[]){2});
  float m[9] = {0};
  Tensor mt = make(m, 2, (int64_t[]){3, 3});
  tx_diag_from(&v, -1, &mt);
  ok(equal(m, (float[]){0, 0, 0, 1, 0, 0, 0, 2, 0}, 9), "diag below the main one");
  float d[2];
  tx_diag_of(&mt, -1, 2, d);
  ok(equal(d, (float[]){1, 2}, 2), "diagonal -1 read back");
  tx_outer(&v, &a, buf);
  ok(equal(buf, (float[]){1, 2, 2, 4}, 4), "outer");
  near(tx_dot(&v, &a), 5, 0, "dot");
  float r[4] = {9, 9, 9, 9};
  tx_linspace(r, 0, 0, 1, 1);
  ok(r[0] == 9, "linspace of 0 values writes nothing");
}

static Tensor make64(double *data, int ndim, const int64_t *shape) {
  Tensor t = make((float *)data, ndim, shape);
  t.dtype = TENSOR_F64;
  return t;
}

/* the float64 paths: values float32 could not hold */
static void test_f64(void) {
  double r[3];
  tx_range64(r, 3, 0, 0.3, 1, 0, 0);
  ok(r[0] == 0 && r[1] == 0.15 && r[2] == 0.3, "linspace in float64 ends exactly at 0.3");
  tx_range64(r, 3, 0, 2, 1, 1, 10);
  ok(r[0] == 1 && r[1] == 10 && r[2] == 100, "logspace in float64");
  double v[4] = {1e8 + 1, 1e8 + 2, 1e8 + 3, 1e8 + 4}, o[4];
  Tensor t = make64(v, 1, (int64_t[]){4});
  tx_var64(v, 1, 4, 1, 0, 0, o);
  ok(o[0] == 1.25, "var of 1e8+1..1e8+4 is 1.25 (float32 would see 0 or more)");
  tx_cumulate64(v, 1, 4, 1, 0, o);
  ok(o[3] == 4e8 + 10, "cumsum in float64");
  tx_unop(TX_FLOOR, &t, o);
  ok(o[0] == 1e8 + 1, "floor of a float64 keeps its integer");
  double w[4] = {0.1, 0.2, 0.3, 0.4};
  Tensor tw = make64(w, 1, (int64_t[]){4});
  double want = 0;
  for (int i = 0; i < 4; i++) want += v[i] * w[i];
  double got = tx_dot(&t, &tw);
  ok(fabs(got - want) <= 1e-15 * fabs(want), "ddot of float64 vectors (%.17g vs %.17g)", got, want);
  /* concat of a float64 vector with a reversed view of itself */
  double c[8];
  Tensor tc = make64(c, 1, (int64_t[]){8});
  Tensor rev = t;
  rev.data = (float *)(v + 3);
  rev.stride[0] = -1;
  const Tensor *parts[2] = {&t, &rev};
  tx_concat(parts, 2, 0, &tc);
  ok(c[0] == v[0] && c[3] == v[3] && c[4] == v[3] && c[7] == v[0], "concat in float64");
  int flip[1] = {1};
  Tensor tc4 = make64(c, 1, (int64_t[]){4});
  tx_flip(&t, flip, &tc4);
  ok(c[0] == v[3] && c[3] == v[0], "flip in float64");
  double rr[2] = {0.125, 2.675};
  Tensor trr = make64(rr, 1, (int64_t[]){2});
  tx_round(&trr, 2, o);
  ok(o[0] == 0.12 && o[1] == 2.68, "round(2) in float64 as NumPy: 0.12, 2.68 (2.675*100 is 267.5)");
}

int main(void) {
  test_ranges();
  test_round();
  test_sort();
  test_scans();
  test_copies();
  test_masks();
  test_counting();
  test_sampling();
  test_products();
  test_f64();
  return done_testing();
}
