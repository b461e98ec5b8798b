/* test_tensor.c - the tensor core: shapes, strided copies, broadcasting
 * (fast vs naive), matmul (OpenBLAS vs naive, transposed views),
 * reductions, RNG determinism, and .npy round trips and bad headers;
 * the same kernels on float64. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "core/tensor.h"

static char err[TENSOR_ERRLEN];

static void fill_random(float *p, int64_t n) {
  for (int64_t i = 0; i < n; i++) p[i] = (float)tensor_rand_normal();
}

static double max_diff(const float *a, const float *b, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = fabs((double)a[i] - b[i]);
    if (d > m) m = d;
  }
  return m;
}

static void test_init(void) {
  Tensor t;
  int64_t shape[3] = {2, 3, 4};
  ok(tensor_init(&t, NULL, 3, shape, err) == 0, "init (2,3,4)");
  is(t.size, 24, "size");
  is(t.stride[0], 12, "stride 0");
  is(t.stride[2], 1, "stride 2");
  ok(tensor_is_contiguous(&t), "contiguous");
  int64_t neg[2] = {2, -1};
  ok(tensor_init(&t, NULL, 2, neg, err) != 0 && strstr(err, "negative"),
     "negative size rejected: %s", err);
  ok(tensor_init(&t, NULL, 9, shape, err) != 0, "too many dims rejected");
  int64_t huge[3] = {1 << 20, 1 << 20, 1 << 20};
  ok(tensor_init(&t, NULL, 3, huge, err) != 0 && strstr(err, "large"),
     "overflowing size rejected");
  char buf[64];
  int64_t one[1] = {5};
  tensor_init(&t, NULL, 1, one, err);
  ok(strcmp(tensor_shape_str(&t, buf, sizeof buf), "(5,)") == 0, "1-d shape string %s", buf);
}

static void test_gather_transpose(void) {
  float a[6] = {1, 2, 3, 4, 5, 6}, out[6];
  Tensor t;
  int64_t shape[2] = {2, 3};
  tensor_init(&t, a, 2, shape, err);
  Tensor tr = t;               /* transpose view (3,2) */
  tr.shape[0] = 3; tr.shape[1] = 2;
  tr.stride[0] = 1; tr.stride[1] = 3;
  ok(!tensor_is_contiguous(&tr), "transposed view not contiguous");
  tensor_gather(&tr, out);
  float want[6] = {1, 4, 2, 5, 3, 6};
  ok(memcmp(out, want, sizeof want) == 0, "gather of a transpose");
  float src[6] = {10, 40, 20, 50, 30, 60};
  tensor_scatter(&tr, src);
  float want2[6] = {10, 20, 30, 40, 50, 60};
  ok(memcmp(a, want2, sizeof want2) == 0, "scatter into a transpose");
}

static void test_broadcast(void) {
  int64_t sa[3] = {4, 1, 5}, sb[2] = {3, 1}, so[3];
  float *a = malloc(20 * sizeof(float)), *b = malloc(3 * sizeof(float));
  fill_random(a, 20);
  fill_random(b, 3);
  Tensor ta, tb, o1, o2;
  tensor_init(&ta, a, 3, sa, err);
  tensor_init(&tb, b, 2, sb, err);
  int nd;
  ok(tensor_broadcast_shape(&ta, &tb, &nd, so, err) == 0, "broadcast (4,1,5)+(3,1)");
  ok(nd == 3 && so[0] == 4 && so[1] == 3 && so[2] == 5, "broadcast shape (4,3,5)");
  float *r1 = malloc(60 * sizeof(float)), *r2 = malloc(60 * sizeof(float));
  tensor_init(&o1, r1, nd, so, err);
  tensor_init(&o2, r2, nd, so, err);
  static const char *names[] = {"add", "sub", "mul", "div", "pow", "max", "min",
                                "eq", "ne", "lt", "le", "gt", "ge"};
  for (int op = TOP_ADD; op <= TOP_GE; op++) {
    if (op == TOP_POW) {         /* keep pow real: positive bases */
      for (int i = 0; i < 20; i++) a[i] = fabsf(a[i]) + 0.1f;
    }
    tensor_binop((TensorBinop)op, &ta, &tb, &o1);
    tensor_binop_naive((TensorBinop)op, &ta, &tb, &o2);
    ok(max_diff(r1, r2, 60) == 0, "binop %s: fast == naive", names[op]);
  }
  /* hand check: a[i,0,k] + b[j,0] */
  tensor_binop(TOP_ADD, &ta, &tb, &o1);
  near(r1[(2 * 3 + 1) * 5 + 4], a[2 * 5 + 4] + b[1], 0, "element (3,2,5) of a+b");
  int64_t sc[1] = {4};
  Tensor tc;
  tensor_init(&tc, a, 1, sc, err);
  ok(tensor_broadcast_shape(&ta, &tc, &nd, so, err) != 0 && strstr(err, "broadcast"),
     "(4,1,5) and (4,) do not broadcast: %s", err);
  /* strided operand: a transposed 2-d view */
  int64_t s2[2] = {3, 4};
  float m[12], n1[12], n2[12];
  fill_random(m, 12);
  Tensor tm, tt, on1, on2;
  tensor_init(&tm, m, 2, s2, err);
  tt = tm;
  tt.shape[0] = 4; tt.shape[1] = 3; tt.stride[0] = 1; tt.stride[1] = 4;
  int64_t s3[2] = {4, 3};
  tensor_init(&on1, n1, 2, s3, err);
  tensor_init(&on2, n2, 2, s3, err);
  tensor_binop(TOP_MUL, &tt, &tt, &on1);
  tensor_binop_naive(TOP_MUL, &tt, &tt, &on2);
  ok(max_diff(n1, n2, 12) == 0, "binop on a transposed view: fast == naive");
  free(a); free(b); free(r1); free(r2);
}

static void test_matmul(void) {
  int M = 37, K = 19, N = 23;
  float *a = malloc(sizeof(float) * M * K), *b = malloc(sizeof(float) * K * N);
  float *c1 = malloc(sizeof(float) * M * N), *c2 = malloc(sizeof(float) * M * N);
  fill_random(a, M * K);
  fill_random(b, K * N);
  Tensor ta, tb, o1, o2;
  int64_t sa[2] = {M, K}, sb[2] = {K, N}, so[2] = {M, N};
  tensor_init(&ta, a, 2, sa, err);
  tensor_init(&tb, b, 2, sb, err);
  tensor_init(&o1, c1, 2, so, err);
  tensor_init(&o2, c2, 2, so, err);
  ok(tensor_matmul(&ta, &tb, &o1, err) == 0, "matmul (37,19)x(19,23)");
  tensor_matmul_naive(&ta, &tb, &o2);
  ok(max_diff(c1, c2, M * N) < 1e-4, "sgemm == naive (max diff %.2g)", max_diff(c1, c2, M * N));
  /* a^T as a view of a (K,M) buffer */
  float *at = malloc(sizeof(float) * M * K);
  for (int i = 0; i < M; i++)
    for (int k = 0; k < K; k++) at[k * M + i] = a[i * K + k];
  Tensor tat = {.data = at, .ndim = 2, .size = M * K, .shape = {M, K}, .stride = {1, M}};
  ok(tensor_matmul(&tat, &tb, &o1, err) == 0, "matmul with a transposed view");
  ok(max_diff(c1, c2, M * N) < 1e-4, "transposed view result == naive");
  /* batched (2,M,K)x(2,K,N) */
  int64_t ba[3] = {2, 3, 4}, bb[3] = {2, 4, 5}, bo[3] = {2, 3, 5};
  float x[24], y[40], z1[30], z2[30];
  fill_random(x, 24);
  fill_random(y, 40);
  Tensor tx, ty, tz1, tz2;
  tensor_init(&tx, x, 3, ba, err);
  tensor_init(&ty, y, 3, bb, err);
  tensor_init(&tz1, z1, 3, bo, err);
  tensor_init(&tz2, z2, 3, bo, err);
  ok(tensor_matmul(&tx, &ty, &tz1, err) == 0, "batched matmul");
  tensor_matmul_naive(&tx, &ty, &tz2);
  ok(max_diff(z1, z2, 30) < 1e-5, "batched sgemm == naive");
  /* mismatch */
  ok(tensor_matmul(&ta, &ta, &o1, err) != 0 && strstr(err, "inner sizes 19 and 37"),
     "inner size mismatch: %s", err);
  free(a); free(b); free(c1); free(c2); free(at);
}

static void test_reduce(void) {
  float a[6] = {3, -1, 7, 2, 9, 0};
  Tensor t;
  int64_t s[2] = {2, 3};
  tensor_init(&t, a, 2, s, err);
  near(tensor_reduce_all(TRED_SUM, &t), 20, 0, "sum");
  near(tensor_reduce_all(TRED_MEAN, &t), 20.0 / 6, 1e-12, "mean");
  near(tensor_reduce_all(TRED_MAX, &t), 9, 0, "max");
  near(tensor_reduce_all(TRED_MIN, &t), -1, 0, "min");
  near(tensor_reduce_all(TRED_ARGMAX, &t), 4, 0, "argmax (0-based flat)");
  float o[3];
  Tensor to;
  int64_t s3[1] = {3};
  tensor_init(&to, o, 1, s3, err);
  tensor_reduce_axis(TRED_SUM, &t, 0, &to);
  ok(o[0] == 5 && o[1] == 8 && o[2] == 7, "sum over axis 0");
  int64_t s2[1] = {2};
  tensor_init(&to, o, 1, s2, err);
  tensor_reduce_axis(TRED_ARGMAX, &t, 1, &to);
  ok(o[0] == 2 && o[1] == 1, "argmax over axis 1");
  /* strided: reduce a transposed view */
  Tensor tr = t;
  tr.shape[0] = 3; tr.shape[1] = 2; tr.stride[0] = 1; tr.stride[1] = 3;
  near(tensor_reduce_all(TRED_MIN, &tr), -1, 0, "min of a transposed view");
  near(tensor_reduce_all(TRED_ARGMIN, &tr), 2, 0, "argmin of a transposed view (row-major order)");
  a[1] = NAN;
  ok(isnan(tensor_reduce_all(TRED_MAX, &t)), "NaN propagates through max");
}

/* Empty views: their data pointer may sit at (or past) the end of the
 * buffer, so a reduction must not read it. The sentinel stands for
 * whatever lies past the buffer. */
static void test_reduce_empty(void) {
  float sentinel[4] = {1e30f, 1e30f, 1e30f, 1e30f};
  Tensor t;
  int64_t s[2] = {0, 3};
  tensor_init(&t, sentinel, 2, s, err);
  Tensor tr = t;                            /* transpose: (3, 0) */
  tr.shape[0] = 3; tr.shape[1] = 0; tr.stride[0] = 1; tr.stride[1] = 3;
  ok(!tensor_is_contiguous(&tr), "an empty transposed view is strided");
  const Tensor *views[2] = {&t, &tr};
  for (int v = 0; v < 2; v++) {
    const char *what = v ? "empty transposed view" : "empty tensor";
    near(tensor_reduce_all(TRED_SUM, views[v]), 0, 0, "sum of an %s is 0", what);
    ok(isnan(tensor_reduce_all(TRED_MEAN, views[v])), "mean of an %s is NaN", what);
    ok(isnan(tensor_reduce_all(TRED_MAX, views[v])), "max of an %s is NaN", what);
    ok(isnan(tensor_reduce_all(TRED_MIN, views[v])), "min of an %s is NaN", what);
    near(tensor_reduce_all(TRED_ARGMAX, views[v]), -1, 0, "argmax of an %s is -1", what);
    near(tensor_reduce_all(TRED_ARGMIN, views[v]), -1, 0, "argmin of an %s is -1", what);
  }
  /* (3, 0) reduced over its empty axis 1: three sums of nothing */
  float o[3] = {7, 7, 7};
  Tensor to;
  int64_t s3[1] = {3};
  tensor_init(&to, o, 1, s3, err);
  tensor_reduce_axis(TRED_SUM, &tr, 1, &to);
  ok(o[0] == 0 && o[1] == 0 && o[2] == 0, "sum over an empty axis gives zeros");
  tensor_reduce_axis(TRED_MAX, &tr, 1, &to);
  ok(isnan(o[0]) && isnan(o[2]), "max over an empty axis gives NaN");
  tensor_reduce_axis(TRED_ARGMAX, &tr, 1, &to);
  ok(o[0] == -1 && o[2] == -1, "argmax over an empty axis gives -1");
  /* reducing (3, 0) over axis 0 gives an empty result: nothing written */
  Tensor te;
  int64_t s0[1] = {0};
  tensor_init(&te, o, 1, s0, err);
  o[0] = 7;
  tensor_reduce_axis(TRED_SUM, &tr, 0, &te);
  ok(o[0] == 7, "an empty result is not written");
}

/* Every reduction of a strided view equals the same reduction of its
 * contiguous copy: transposed, stepped and broadcast (stride 0) views. */
static void test_reduce_strided(void) {
  float a[24];
  for (int i = 0; i < 24; i++) a[i] = (float)((i * 7) % 11) - 4.5f;
  Tensor base;
  int64_t s[3] = {2, 3, 4};
  tensor_init(&base, a, 3, s, err);
  Tensor views[3];
  const char *names[3] = {"permuted (4, 3, 2)", "stepped (2, 3, 2)",
                          "broadcast (3, 2, 4)"};
  views[0] = base;                          /* axes reversed */
  for (int d = 0; d < 3; d++) {
    views[0].shape[d] = base.shape[2 - d];
    views[0].stride[d] = base.stride[2 - d];
  }
  views[1] = base;                          /* every second column */
  views[1].shape[2] = 2; views[1].stride[2] = 2; views[1].size = 12;
  views[2] = base;                          /* row 0 of (3, 4), repeated */
  views[2].shape[0] = 3; views[2].shape[1] = 2; views[2].shape[2] = 4;
  views[2].stride[0] = 4; views[2].stride[1] = 0; views[2].stride[2] = 1;
  views[2].size = 24;
  TensorReduce ops[6] = {TRED_SUM, TRED_MEAN, TRED_MAX, TRED_MIN,
                         TRED_ARGMAX, TRED_ARGMIN};
  const char *opn[6] = {"sum", "mean", "max", "min", "argmax", "argmin"};
  for (int v = 0; v < 3; v++) {
    float c[24];
    tensor_gather(&views[v], c);
    Tensor ct;
    tensor_init(&ct, c, 3, views[v].shape, err);
    for (int o = 0; o < 6; o++) {
      near(tensor_reduce_all(ops[o], &views[v]), tensor_reduce_all(ops[o], &ct),
           1e-9, "%s of a %s view equals its copy's", opn[o], names[v]);
      int ok_axis = 1;
      for (int ax = 0; ax < 3; ax++) {
        float r1[24], r2[24];
        int64_t rs[2];
        for (int d = 0, k = 0; d < 3; d++) if (d != ax) rs[k++] = views[v].shape[d];
        Tensor o1, o2;
        tensor_init(&o1, r1, 2, rs, err);
        tensor_init(&o2, r2, 2, rs, err);
        tensor_reduce_axis(ops[o], &views[v], ax, &o1);
        tensor_reduce_axis(ops[o], &ct, ax, &o2);
        for (int64_t i = 0; i < o1.size; i++)
          if (fabsf(r1[i] - r2[i]) > 1e-6f) ok_axis = 0;
      }
      ok(ok_axis, "%s along each axis of a %s view equals its copy's",
         opn[o], names[v]);
    }
  }
}

static void test_rng(void) {
  tensor_seed(42);
  double a = tensor_rand_uniform(), b = tensor_rand_normal();
  tensor_seed(42);
  ok(tensor_rand_uniform() == a && tensor_rand_normal() == b, "same seed, same numbers");
  double s = 0, s2 = 0;
  int n = 100000;
  for (int i = 0; i < n; i++) { double v = tensor_rand_normal(); s += v; s2 += v * v; }
  near(s / n, 0, 0.02, "normal mean ~ 0");
  near(s2 / n, 1, 0.02, "normal variance ~ 1");
  double mn = 1, mx = 0;
  for (int i = 0; i < n; i++) {
    double v = tensor_rand_uniform();
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  ok(mn >= 0 && mx < 1, "uniform in [0,1)");
}

static void test_npy(void) {
  char path[] = "/tmp/wb_test_npyXXXXXX";
  int fd = mkstemp(path);
  close(fd);
  float a[6] = {1.5f, -2, 3, 4, 5, 6.25f};
  Tensor t;
  int64_t s[2] = {2, 3};
  tensor_init(&t, a, 2, s, err);
  ok(npy_write_file(path, &t, err) == 0, "write .npy");
  NpyHeader h;
  ok(npy_read_header_file(path, &h, err) == 0, "read header");
  ok(strcmp(h.dtype, "<f4") == 0 && h.ndim == 2 && h.shape[0] == 2 && h.shape[1] == 3,
     "header dtype/shape");
  is((long long)h.data_offset % 64, 0, "data aligned to 64 bytes");
  float back[6];
  ok(npy_read_data_file(path, &h, back, TENSOR_F32, 6, err) == 0 && memcmp(a, back, sizeof a) == 0,
     "round trip values");
  /* truncated payload */
  ok(truncate(path, (off_t)h.data_offset + 8) == 0, "truncate file");
  ok(npy_read_data_file(path, &h, back, TENSOR_F32, 6, err) != 0 && strstr(err, "truncated"),
     "truncated data: %s", err);
  /* the header alone says the file is short: nothing gets allocated */
  NpyHeader h2;
  ok(npy_read_header_file(path, &h2, err) != 0 && strstr(err, "truncated")
     && strstr(err, "promises 6 values (24 bytes of data) but the file has 8 bytes"),
     "header checked against the file size: %s", err);
  /* bad headers: magic, version 1, 2-byte length, then the dict */
  const char *dicts[] = {
    "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }\n",
    "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }\n",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (3, x), }\n",
    "{'descr': '<f4', 'fortran_order': False, }\n",
  };
  const char *want[] = {"unsupported dtype '<i8'", "Fortran", "bad 'shape'",
                        "no 'shape'"};
  unsigned char buf[256];
  for (int i = 0; i < 4; i++) {
    size_t n = strlen(dicts[i]);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)n;
    buf[9] = 0;
    memcpy(buf + 10, dicts[i], n);
    int rc = npy_parse_header(buf, 10 + n, &h, err);
    ok(rc != 0 && strstr(err, want[i]), "bad header %d: %s", i + 1, err);
  }
  ok(npy_parse_header((const unsigned char *)"NOTNUMPYxx", 10, &h, err) != 0 &&
     strstr(err, "not a .npy"), "wrong magic: %s", err);
  buf[8] = 200;     /* header longer than the buffer */
  ok(npy_parse_header(buf, 40, &h, err) != 0 && strstr(err, "truncated"),
     "truncated header: %s", err);
  remove(path);
}

/* float64: a (2, 3) tensor of values float32 cannot hold, seen through
 * a transposed view (3, 2) for the strided paths */
static Tensor f64_tensor(double *v, int ndim, const int64_t *shape) {
  Tensor t;
  tensor_init(&t, (float *)v, ndim, shape, err);
  t.dtype = TENSOR_F64;
  return t;
}

static void test_f64(void) {
  double a[6] = {1e8 + 1, 0.1, -0.3, 1.0 / 3, 2.5, 1e-9};
  double b[6] = {0.2, 0.7, 1e8 + 3, -4, 0.125, 3};
  Tensor ta = f64_tensor(a, 2, (int64_t[]){2, 3});
  Tensor tb = f64_tensor(b, 2, (int64_t[]){2, 3});
  is((long long)tensor_esize(&ta), 8, "float64 elements are 8 bytes");
  ok(tensor_load(&ta, 0) == 1e8 + 1, "tensor_load reads the double 1e8+1");
  /* elementwise ops against C's doubles, bit for bit */
  double o[6], c[6];
  Tensor to = f64_tensor(o, 2, (int64_t[]){2, 3});
  const TensorBinop ops[] = {TOP_ADD, TOP_SUB, TOP_MUL, TOP_DIV, TOP_POW, TOP_MAX};
  for (int k = 0; k < 6; k++) {
    tensor_binop(ops[k], &ta, &tb, &to);
    int same = 1;
    for (int i = 0; i < 6; i++) {
      double x = a[i], y = b[i];
      double want = k == 0 ? x + y : k == 1 ? x - y : k == 2 ? x * y
                  : k == 3 ? x / y : k == 4 ? pow(x, y) : (x > y ? x : y);
      same &= memcmp(&want, &o[i], sizeof want) == 0 || (isnan(want) && isnan(o[i]));
    }
    ok(same, "float64 binop %d equals C's double arithmetic bit for bit", k);
  }
  ok(o[0] == 1e8 + 1 && (float)o[0] != o[0], "1e8+1 survives (float32 would round it)");
  /* broadcasting a transposed view and a 0-d scalar */
  Tensor tt = ta;                              /* (3, 2) view */
  tt.shape[0] = 3; tt.shape[1] = 2; tt.stride[0] = 1; tt.stride[1] = 3;
  double s = 0.1;
  Tensor ts = f64_tensor(&s, 0, NULL);
  Tensor tc = f64_tensor(c, 2, (int64_t[]){3, 2});
  tensor_binop(TOP_ADD, &tt, &ts, &tc);
  ok(c[0] == a[0] + 0.1 && c[1] == a[3] + 0.1 && c[5] == a[5] + 0.1,
     "strided float64 + 0-d scalar");
  /* comparisons of float64 inputs into a float32 mask */
  float m[6];
  Tensor tm;
  tensor_init(&tm, m, 2, (int64_t[]){2, 3}, err);
  tensor_binop(TOP_GT, &ta, &tb, &tm);
  ok(m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 1 && m[4] == 1 && m[5] == 0,
     "float64 comparison gives a float32 0/1 mask");
  /* gather of the transposed view, scatter back, fill */
  double g[6];
  tensor_gather(&tt, g);
  ok(g[0] == a[0] && g[1] == a[3] && g[2] == a[1] && g[5] == a[5], "float64 gather of a view");
  double z[6] = {0};
  Tensor tz = f64_tensor(z, 2, (int64_t[]){2, 3}), tzt = tz;
  tzt.shape[0] = 3; tzt.shape[1] = 2; tzt.stride[0] = 1; tzt.stride[1] = 3;
  tensor_scatter(&tzt, g);
  ok(memcmp(z, a, sizeof a) == 0, "float64 scatter through a view restores the values");
  tensor_fill(&tzt, 0.1);
  ok(z[0] == 0.1 && z[5] == 0.1, "float64 fill keeps 0.1 a double");
  /* conversion both ways */
  float f[6];
  Tensor tf;
  tensor_init(&tf, f, 2, (int64_t[]){2, 3}, err);
  tensor_convert(&ta, &tf);
  ok(f[1] == 0.1f && f[0] == (float)(1e8 + 1), "convert float64 -> float32 rounds");
  tensor_convert(&tf, &tz);
  ok(z[1] == (double)0.1f, "convert float32 -> float64 is exact");
  /* unary ops */
  tensor_unop(TUN_SQRT, &tb, &to);
  ok(o[0] == sqrt(0.2) && isnan(o[3]), "float64 sqrt");
  tensor_unop(TUN_NEG, &tt, &tc);
  ok(c[1] == -a[3], "float64 negation of a view");
  /* reductions */
  double tenth[10];
  for (int i = 0; i < 10; i++) tenth[i] = 0.1;
  Tensor t10 = f64_tensor(tenth, 1, (int64_t[]){10});
  double sum = 0;
  for (int i = 0; i < 10; i++) sum += 0.1;
  ok(tensor_reduce_all(TRED_SUM, &t10) == sum, "float64 sum of ten 0.1s in double");
  ok(tensor_reduce_all(TRED_MAX, &tt) == 1e8 + 1, "float64 max of a view");
  is((long long)tensor_reduce_all(TRED_ARGMIN, &tt), 4, "float64 argmin of a view");
  double r[3];
  Tensor tr = f64_tensor(r, 1, (int64_t[]){3});
  tensor_reduce_axis(TRED_SUM, &ta, 0, &tr);
  ok(r[0] == a[0] + a[3] && r[2] == a[2] + a[5], "float64 sum along an axis");
  float rf[2];
  Tensor trf;
  tensor_init(&trf, rf, 1, (int64_t[]){2}, err);
  tensor_reduce_axis(TRED_ARGMAX, &ta, 1, &trf);
  ok(rf[0] == 0 && rf[1] == 1, "float64 argmax along an axis into float32 positions");
}

static void test_f64_matmul(void) {
  enum { M = 17, K = 9, N = 11 };
  double a[M * K], b[K * N], o1[M * N], o2[M * N];
  tensor_seed(5);
  for (int i = 0; i < M * K; i++) a[i] = tensor_rand_normal() + 1e8;
  for (int i = 0; i < K * N; i++) b[i] = tensor_rand_normal();
  Tensor ta = f64_tensor(a, 2, (int64_t[]){M, K}), tb = f64_tensor(b, 2, (int64_t[]){K, N});
  Tensor t1 = f64_tensor(o1, 2, (int64_t[]){M, N}), t2 = f64_tensor(o2, 2, (int64_t[]){M, N});
  ok(tensor_matmul(&ta, &tb, &t1, err) == 0, "float64 matmul (dgemm)");
  tensor_matmul_naive(&ta, &tb, &t2);
  double md = 0, mx = 0;
  for (int i = 0; i < M * N; i++) {
    if (fabs(o1[i] - o2[i]) > md) md = fabs(o1[i] - o2[i]);
    if (fabs(o2[i]) > mx) mx = fabs(o2[i]);
  }
  ok(md <= 1e-13 * mx, "dgemm equals the naive double loop (rel %g)", md / mx);
  /* a transposed view of a goes to BLAS as CblasTrans */
  double at[K * M];
  for (int i = 0; i < M; i++) for (int k = 0; k < K; k++) at[k * M + i] = a[i * K + k];
  Tensor tat = {.data = (float *)at, .ndim = 2, .size = M * K, .shape = {M, K},
                .stride = {1, M}, .dtype = TENSOR_F64};
  ok(tensor_matmul(&tat, &tb, &t2, err) == 0 && memcmp(o1, o2, sizeof o1) == 0,
     "float64 matmul of a transposed view equals the contiguous one");
}

static void test_npy_f64(void) {
  char path[] = "/tmp/wb_test_npy64XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  double a[6] = {1e8 + 1, 0.1, -0.3, 1.0 / 3, 2.5, 1e-300};
  Tensor t = f64_tensor(a, 2, (int64_t[]){2, 3}), tt = t;
  ok(npy_write_file(path, &t, err) == 0, "write float64 .npy");
  NpyHeader h;
  ok(npy_read_header_file(path, &h, err) == 0 && strcmp(h.dtype, "<f8") == 0 &&
     npy_dtype(&h) == TENSOR_F64, "header says <f8");
  double back[6];
  ok(npy_read_data_file(path, &h, back, TENSOR_F64, 6, err) == 0 &&
     memcmp(a, back, sizeof a) == 0, "float64 round trip is bit-exact");
  float f[6];
  ok(npy_read_data_file(path, &h, f, TENSOR_F32, 6, err) == 0 && f[1] == 0.1f,
     "a <f8 file read into float32 rounds each value");
  tt.shape[0] = 3; tt.shape[1] = 2; tt.stride[0] = 1; tt.stride[1] = 3;
  ok(npy_write_file(path, &tt, err) == 0, "write a strided float64 view");
  ok(npy_read_header_file(path, &h, err) == 0 &&
     npy_read_data_file(path, &h, back, TENSOR_F64, 6, err) == 0 &&
     back[0] == a[0] && back[1] == a[3] && back[2] == a[1],
     "the view is written in its row-major order");
  remove(path);
}

int main(void) {
  test_init();
  test_gather_transpose();
  test_broadcast();
  test_matmul();
  test_reduce();
  test_reduce_empty();
  test_reduce_strided();
  test_rng();
  test_npy();
  test_f64();
  test_f64_matmul();
  test_npy_f64();
  return done_testing();
}
