/* test_h5keras.c - the Keras HDF5 weight reader on files this test
 * writes through libhdf5 in Keras 2's layout (root layer_names, backend,
 * keras_version; a group per layer with weight_names; nested dataset
 * paths): fixed-length (NULLPAD as h5py 2 wrote numpy 'S' arrays,
 * NULLTERM, SPACEPAD) and variable-length names, model.save's
 * model_weights layout, chunked lists, float64/scalar/8-d weights; then
 * broken files, each giving a message, never a crash, a print or a
 * leaked HDF5 id; h5k_write is atomic (nothing half-written, no
 * temporary file left). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/h5keras.h"
#include "tap.h"

static char tmpdir[] = "/tmp/wb-test-h5-XXXXXX";
static char err[H5K_ERRLEN];

static const char *tmp(const char *name) {
  static char buf[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
  return buf[k];
}

/* ---- writing Keras's layout ------------------------------------------ */

enum { FIXED, NULLTERM, SPACEPAD, VLEN, VLEN_UTF8 };

/* A fixed-length string type: h5py maps numpy 'S<n>' to NULLPAD. */
static hid_t str_type(int kind, size_t size) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (kind >= VLEN) {
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, kind == VLEN_UTF8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
    return t;
  }
  H5Tset_size(t, size);
  H5Tset_strpad(t, kind == FIXED ? H5T_STR_NULLPAD
                   : kind == NULLTERM ? H5T_STR_NULLTERM : H5T_STR_SPACEPAD);
  return t;
}

/* save_attributes_to_hdf5_group's list: 'S' array or vlen strings; an
 * empty list is np.asarray([]), an empty float64 array. */
static void put_names(hid_t obj, const char *attr, const char *const *s,
                      int n, int kind) {
  hsize_t dim = (hsize_t)n;
  hid_t sp = H5Screate_simple(1, &dim, NULL);
  if (n == 0) {
    hid_t a = H5Acreate2(obj, attr, H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                         H5P_DEFAULT);
    H5Aclose(a);
    H5Sclose(sp);
    return;
  }
  size_t size = 1;
  for (int i = 0; i < n; i++)
    if (strlen(s[i]) + (kind == NULLTERM) > size)
      size = strlen(s[i]) + (kind == NULLTERM);
  hid_t t = str_type(kind, size);
  hid_t a = H5Acreate2(obj, attr, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (kind >= VLEN) {
    H5Awrite(a, t, s);
  } else {
    char *buf = calloc((size_t)n, size);
    for (int i = 0; i < n; i++) {
      if (kind == SPACEPAD) memset(buf + i * size, ' ', size);
      memcpy(buf + i * size, s[i], strlen(s[i]));
    }
    H5Awrite(a, t, buf);
    free(buf);
  }
  H5Aclose(a);
  H5Tclose(t);
  H5Sclose(sp);
}

/* a scalar bytes attribute (backend, keras_version) as h5py 2 wrote it */
static void put_string(hid_t obj, const char *attr, const char *v) {
  hid_t sp = H5Screate(H5S_SCALAR), t = str_type(FIXED, strlen(v));
  hid_t a = H5Acreate2(obj, attr, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, v);
  H5Aclose(a);
  H5Tclose(t);
  H5Sclose(sp);
}

typedef struct WSpec { const char *name; int ndim; hsize_t dims[9]; } WSpec;
typedef struct LSpec { const char *name; int nw; WSpec w[4]; } LSpec;

/* every value ((i * 7 + k) % 23) / 8 - 1: eighths, exact in float32 */
static double value(int64_t i, int k) { return ((i * 7 + k) % 23) / 8.0 - 1; }

static int64_t count(const WSpec *w) {
  int64_t n = 1;
  for (int d = 0; d < w->ndim; d++) n *= (int64_t)w->dims[d];
  return n;
}

/* A dataset at a path relative to g, intermediate groups made as h5py
 * makes them for "conv2d/kernel:0". */
static void put_weight(hid_t g, const WSpec *w, hid_t type, int k) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t sp = w->ndim ? H5Screate_simple(w->ndim, w->dims, NULL)
                     : H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(g, w->name, type, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  int64_t n = count(w);
  double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
  for (int64_t i = 0; i < n; i++) v[i] = value(i, k);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  free(v);
  H5Dclose(d);
  H5Sclose(sp);
  H5Pclose(lcpl);
}

/* save_weights_to_hdf5_group into root. Groups are made last to first,
 * so a reader that followed group order instead of layer_names shows. */
static void put_layers(hid_t root, const LSpec *ls, int n, int kind,
                       hid_t type) {
  const char *names[16] = {0};
  int first[16], k = 0;
  for (int i = 0; i < n; i++) {
    names[i] = ls[i].name;
    first[i] = k;
    k += ls[i].nw;
  }
  put_names(root, "layer_names", names, n, kind);
  put_string(root, "backend", "tensorflow");
  put_string(root, "keras_version", "2.6.0");
  for (int i = n - 1; i >= 0; i--) {
    hid_t g = H5Gcreate2(root, ls[i].name, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    const char *wn[4];
    for (int j = 0; j < ls[i].nw; j++) wn[j] = ls[i].w[j].name;
    put_names(g, "weight_names", wn, ls[i].nw, kind);
    for (int j = 0; j < ls[i].nw; j++)
      put_weight(g, &ls[i].w[j], type, first[i] + j);
    H5Gclose(g);
  }
}

static hid_t create(const char *path) {
  return H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
}

/* The TF 2 Sequential CNN: weight datasets nested under the layer
 * group (/conv2d/conv2d/kernel:0); pooling and flatten have none. */
static const LSpec CNN[] = {
  {"conv2d", 2, {{"conv2d/kernel:0", 4, {3, 3, 1, 4}},
                 {"conv2d/bias:0", 1, {4}}}},
  {"max_pooling2d", 0, {{0}}},
  {"flatten", 0, {{0}}},
  {"dense", 2, {{"dense/kernel:0", 2, {64, 5}}, {"dense/bias:0", 1, {5}}}},
  {"dense_1", 2, {{"dense_1/kernel:0", 2, {5, 3}},
                  {"dense_1/bias:0", 1, {3}}}},
};
#define NCNN 5

static void write_cnn(const char *path, int kind) {
  hid_t f = create(path);
  put_layers(f, CNN, NCNN, kind, H5T_IEEE_F32LE);
  H5Fclose(f);
}

/* ---- checking what comes back ---------------------------------------- */

static int open_ids(void) {
  return (int)H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

/* every layer, weight name, shape and value as written */
static int same_layers(H5kFile *f, const LSpec *ls, int n) {
  if (f->nlayers != n) return 0;
  int k = 0;
  for (int i = 0; i < n; i++) {
    const H5kLayer *l = &f->layers[i];
    if (strcmp(l->name, ls[i].name) || l->nweights != ls[i].nw) return 0;
    for (int j = 0; j < l->nweights; j++, k++) {
      const H5kWeight *w = &l->weights[j];
      const WSpec *s = &ls[i].w[j];
      if (strcmp(w->name, s->name) || w->ndim != s->ndim) return 0;
      for (int d = 0; d < s->ndim; d++)
        if (w->shape[d] != (int64_t)s->dims[d]) return 0;
      float *v = malloc((size_t)(w->size ? w->size : 1) * sizeof *v);
      int good = h5k_read(f, i, j, v, w->size, err) == 0;
      for (int64_t e = 0; good && e < w->size; e++)
        good = v[e] == (float)value(e, k);
      free(v);
      if (!good) return 0;
    }
  }
  return 1;
}

static void check_cnn(const char *path, const char *what) {
  H5kFile f;
  int rc = h5k_open(&f, path, err);
  if (!ok(rc == 0, "%s: opens", what)) diag("%s", err);
  ok(rc == 0 && same_layers(&f, CNN, NCNN),
     "%s: 5 layers, names, shapes and values as written", what);
  ok(rc == 0 && f.backend && !strcmp(f.backend, "tensorflow") &&
     f.keras_version && !strcmp(f.keras_version, "2.6.0") && !f.full_model,
     "%s: backend and keras_version read", what);
  h5k_close(&f);
  is(open_ids(), 0, "%s: every HDF5 id closed", what);
}

/* h5k_open must fail with a message containing want */
static void check_error(const char *path, const char *want,
                        const char *what) {
  H5kFile f;
  int rc = h5k_open(&f, path, err);
  if (!ok(rc == -1 && strstr(err, want), "%s: error '%s'", what, want))
    diag("got rc %d: %s", rc, rc ? err : "(no error)");
  ok(f.nlayers == 0 && f.layers == NULL && f.file == 0,
     "%s: nothing left open", what);
  h5k_close(&f);               /* closing twice is harmless */
  is(open_ids(), 0, "%s: every HDF5 id closed", what);
}

/* ---- good files -------------------------------------------------------- */

static void test_string_kinds(void) {
  static const char *names[] = {"fixed NULLPAD ('S' arrays, h5py 2)",
                                "fixed NULLTERM", "fixed SPACEPAD",
                                "variable-length ASCII (h5py 3)",
                                "variable-length UTF-8"};
  for (int kind = FIXED; kind <= VLEN_UTF8; kind++) {
    const char *p = tmp("cnn.h5");
    write_cnn(p, kind);
    check_cnn(p, names[kind]);
  }
  ok(h5k_is_hdf5(tmp("cnn.h5")), "h5k_is_hdf5 on a weights file");
}

/* model.save: config at the root, weights under model_weights */
static void test_full_model(void) {
  const char *p = tmp("full.h5");
  hid_t f = create(p);
  put_string(f, "keras_version", "2.6.0");
  put_string(f, "backend", "tensorflow");
  put_string(f, "model_config", "{\"class_name\": \"Sequential\"}");
  hid_t g = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT);
  put_layers(g, CNN, NCNN, VLEN, H5T_IEEE_F32LE);
  H5Gclose(g);
  g = H5Gcreate2(f, "optimizer_weights", H5P_DEFAULT, H5P_DEFAULT,
                 H5P_DEFAULT);
  const char *opt[] = {"Adam/iter:0"};
  put_names(g, "weight_names", opt, 1, VLEN);
  H5Gclose(g);
  H5Fclose(f);
  H5kFile k;
  int rc = h5k_open(&k, p, err);
  if (!ok(rc == 0 && k.full_model, "model.save layout: model_weights found"))
    diag("%s", err);
  ok(rc == 0 && same_layers(&k, CNN, NCNN), "model.save layout: layers");
  ok(rc == 0 && k.model_config &&
     !strcmp(k.model_config, "{\"class_name\": \"Sequential\"}"),
     "model.save layout: model_config read");
  ok(rc == 0 && !k.has_optimizer && k.optimizer_error &&
     strstr(k.optimizer_error, "'Adam/iter:0' not found"),
     "a broken optimizer_weights group is left out, its error kept");
  h5k_close(&k);
  is(open_ids(), 0, "model.save layout: every HDF5 id closed");
}

/* h5k_write_model: the layout above, read back through the isolated
 * reader with its optimizer weights */
static void test_write_model(void) {
  float k1[6] = {1, 2, 3, 4, 5, 6}, it = 7, m[6] = {6, 5, 4, 3, 2, 1};
  H5kOutWeight w1 = {"dense/kernel:0", 2, {2, 3}, k1};
  H5kOutLayer layers[2] = {{"dense", 1, &w1}, {"flatten", 0, NULL}};
  H5kOutWeight ow[2] = {{"Adam/iter:0", 0, {0}, &it},
                        {"Adam/dense/kernel/m:0", 2, {2, 3}, m}};
  H5kOutLayer opt = {"optimizer_weights", 2, ow};
  H5kOutModel model = {"{\"class_name\": \"Sequential\"}", "{\"loss\": \"mse\"}",
                       &opt};
  const char *path = tmp("whole.h5");
  is(h5k_write_model(path, layers, 2, &model, "tensorflow", "2.6.0", err), 0,
     "h5k_write_model writes a file");
  H5kFile f;
  float got[6] = {0}, git = 0;
  int rc = h5k_open_isolated(&f, path, err);
  if (!ok(rc == 0 && f.full_model && f.has_optimizer && f.nlayers == 3,
          "read back: a full model, two layers and the optimizer's"))
    diag("%s", err);
  ok(rc == 0 && f.training_config && !strcmp(f.training_config, "{\"loss\": \"mse\"}")
     && f.keras_version && !strcmp(f.keras_version, "2.6.0"),
     "read back: training_config and keras_version");
  ok(rc == 0 && h5k_read(&f, 0, 0, got, 6, err) == 0 && got[5] == 6,
     "read back: the layer's weight");
  ok(rc == 0 && !strcmp(f.layers[2].weights[1].name, "Adam/dense/kernel/m:0") &&
     h5k_read(&f, 2, 0, &git, 1, err) == 0 && git == 7 &&
     h5k_read(&f, 2, 1, got, 6, err) == 0 && got[0] == 6,
     "read back: the optimizer's weights");
  h5k_close(&f);
}

/* Lists past 64 KB are NAME0, NAME1, ...: write them split by hand */
static void test_chunked(void) {
  const char *p = tmp("chunked.h5");
  hid_t f = create(p);
  const char *a[] = {"conv2d", "max_pooling2d"}, *b[] = {"flatten", "dense"},
             *c[] = {"dense_1"};
  put_names(f, "layer_names0", a, 2, FIXED);
  put_names(f, "layer_names1", b, 2, FIXED);
  put_names(f, "layer_names2", c, 1, FIXED);
  int k = 0;
  for (int i = 0; i < NCNN; i++) {
    hid_t g = H5Gcreate2(f, CNN[i].name, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    const char *w0[] = {CNN[i].w[0].name}, *w1[] = {CNN[i].w[1].name};
    if (CNN[i].nw == 0) put_names(g, "weight_names", NULL, 0, FIXED);
    else {
      put_names(g, "weight_names0", w0, 1, VLEN);
      put_names(g, "weight_names1", w1, 1, VLEN);
    }
    for (int j = 0; j < CNN[i].nw; j++)
      put_weight(g, &CNN[i].w[j], H5T_IEEE_F32LE, k++);
    H5Gclose(g);
  }
  H5Fclose(f);
  H5kFile h;
  int rc = h5k_open(&h, p, err);
  if (!ok(rc == 0, "chunked layer_names0..2 and weight_names0..1 open"))
    diag("%s", err);
  ok(rc == 0 && same_layers(&h, CNN, NCNN), "chunked lists joined in order");
  ok(rc == 0 && h.backend == NULL && h.keras_version == NULL,
     "absent backend / keras_version are NULL");
  h5k_close(&h);
  is(open_ids(), 0, "chunked: every HDF5 id closed");
}

/* float64 (converted), a scalar and an 8-d weight */
static void test_types_and_ranks(void) {
  static const LSpec ls[] = {
    {"odd", 3, {{"odd/f64:0", 2, {4, 3}}, {"odd/scalar:0", 0, {0}},
                {"odd/eight:0", 8, {1, 2, 1, 1, 1, 1, 3, 1}}}},
  };
  const char *p = tmp("odd.h5");
  hid_t f = create(p);
  put_layers(f, ls, 1, FIXED, H5T_IEEE_F64LE);
  H5Fclose(f);
  H5kFile h;
  int rc = h5k_open(&h, p, err);
  if (!ok(rc == 0, "float64, scalar and 8-d weights open")) diag("%s", err);
  ok(rc == 0 && same_layers(&h, ls, 1), "float64 values converted, shapes "
     "() and (1, 2, 1, 1, 1, 1, 3, 1)");
  float v[12];
  ok(rc == 0 && h5k_read(&h, 0, 0, v, 11, err) == -1 &&
     strstr(err, "has 12 values, the buffer 11"), "wrong buffer size refused");
  ok(rc == 0 && h5k_read(&h, 1, 0, v, 12, err) == -1 &&
     strstr(err, "no weight 0 in layer 1"), "bad layer index refused");
  h5k_close(&h);
  is(open_ids(), 0, "types and ranks: every HDF5 id closed");
}

/* Keras layer names are the user's: a Korean one, stored as UTF-8 */
static void test_utf8_name(void) {
  static const LSpec ls[] = {
    {"\xec\xb8\xb5_1", 1, {{"\xec\xb8\xb5_1/kernel:0", 2, {2, 2}}}},
  };
  const char *p = tmp("utf8.h5");
  hid_t f = create(p);
  put_layers(f, ls, 1, VLEN_UTF8, H5T_IEEE_F32LE);
  H5Fclose(f);
  H5kFile h;
  int rc = h5k_open(&h, p, err);
  ok(rc == 0 && same_layers(&h, ls, 1), "a UTF-8 (Korean) layer name");
  h5k_close(&h);
}

/* ---- broken files ------------------------------------------------------ */

static void write_bytes(const char *path, const void *b, size_t n) {
  FILE *fp = fopen(path, "wb");
  fwrite(b, 1, n, fp);
  fclose(fp);
}

static void test_not_hdf5(void) {
  const char *txt = "layer_names: conv2d, dense\n";
  write_bytes(tmp("notes.h5"), txt, strlen(txt));
  check_error(tmp("notes.h5"), "notes.h5: not an HDF5 file", "a text file");
  static const unsigned char png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D',
    'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55};
  write_bytes(tmp("photo.h5"), png, sizeof png);
  check_error(tmp("photo.h5"), "photo.h5: not an HDF5 file", "a PNG");
  write_bytes(tmp("empty.h5"), "", 0);
  check_error(tmp("empty.h5"), "empty.h5: not an HDF5 file", "an empty file");
  check_error(tmp("nothere.h5"), "No such file or directory",
              "a missing file");
  check_error(tmpdir, "is a directory", "a directory");
  ok(!h5k_is_hdf5(tmp("notes.h5")) && !h5k_is_hdf5(tmp("nothere.h5")) &&
     !h5k_is_hdf5(tmpdir), "h5k_is_hdf5: text, missing, directory are not");
}

/* an HDF5 file with groups but not Keras's attributes */
static void test_not_keras(void) {
  hid_t f = create(tmp("plain.h5"));
  H5Gclose(H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose(f);
  check_error(tmp("plain.h5"), "not a Keras weights file (no 'layer_names'",
              "no layer_names");
  f = create(tmp("mw.h5"));
  H5Gclose(H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT,
                      H5P_DEFAULT));
  H5Fclose(f);
  check_error(tmp("mw.h5"), "'model_weights' group has no 'layer_names'",
              "model_weights without layer_names");
  f = create(tmp("intnames.h5"));
  hsize_t two = 2;
  hid_t sp = H5Screate_simple(1, &two, NULL);
  H5Aclose(H5Acreate2(f, "layer_names", H5T_STD_I64LE, sp, H5P_DEFAULT,
                      H5P_DEFAULT));
  H5Sclose(sp);
  H5Fclose(f);
  check_error(tmp("intnames.h5"),
              "attribute 'layer_names' holds int64 values, not strings",
              "layer_names of integers");
}

/* the CNN written, then one thing in it broken by edit(f) */
static void broken_cnn(const char *name, void (*edit)(hid_t)) {
  write_cnn(tmp(name), FIXED);
  hid_t f = H5Fopen(tmp(name), H5F_ACC_RDWR, H5P_DEFAULT);
  edit(f);
  H5Fclose(f);
}

static void drop_group(hid_t f) { H5Ldelete(f, "dense_1", H5P_DEFAULT); }
static void drop_names(hid_t f) {
  H5Adelete_by_name(f, "dense", "weight_names", H5P_DEFAULT);
}
static void drop_bias(hid_t f) {
  H5Ldelete(f, "dense_1/dense_1/bias:0", H5P_DEFAULT);
}
static void bias_is_group(hid_t f) {
  drop_bias(f);
  H5Gclose(H5Gcreate2(f, "dense_1/dense_1/bias:0", H5P_DEFAULT, H5P_DEFAULT,
                      H5P_DEFAULT));
}
static void int_kernel(hid_t f) {
  H5Ldelete(f, "dense/dense/kernel:0", H5P_DEFAULT);
  WSpec w = {"dense/kernel:0", 2, {64, 5}};
  hid_t g = H5Gopen2(f, "dense", H5P_DEFAULT);
  put_weight(g, &w, H5T_STD_I32LE, 0);
  H5Gclose(g);
}
static void nine_d_kernel(hid_t f) {
  H5Ldelete(f, "conv2d/conv2d/kernel:0", H5P_DEFAULT);
  WSpec w = {"conv2d/kernel:0", 9, {1, 1, 1, 1, 1, 1, 1, 1, 2}};
  hid_t g = H5Gopen2(f, "conv2d", H5P_DEFAULT);
  put_weight(g, &w, H5T_IEEE_F32LE, 0);
  H5Gclose(g);
}
static void string_bias(hid_t f) {
  H5Ldelete(f, "conv2d/conv2d/bias:0", H5P_DEFAULT);
  hid_t g = H5Gopen2(f, "conv2d", H5P_DEFAULT);
  hid_t t = str_type(FIXED, 1);
  hsize_t one = 1;
  hid_t sp = H5Screate_simple(1, &one, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(g, "conv2d/bias:0", t, sp, lcpl, H5P_DEFAULT,
                       H5P_DEFAULT);
  H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, "x");
  H5Dclose(d);
  H5Pclose(lcpl);
  H5Sclose(sp);
  H5Tclose(t);
  H5Gclose(g);
}

static void test_broken_layers(void) {
  broken_cnn("nogroup.h5", drop_group);
  check_error(tmp("nogroup.h5"),
              "nogroup.h5: layer 'dense_1' is in layer_names but has no group",
              "a layer without its group");
  broken_cnn("nonames.h5", drop_names);
  check_error(tmp("nonames.h5"),
              "nonames.h5: layer 'dense': no 'weight_names' attribute",
              "a layer without weight_names");
  broken_cnn("nobias.h5", drop_bias);
  check_error(tmp("nobias.h5"),
              "nobias.h5: layer 'dense_1': weight 'dense_1/bias:0' not found",
              "a weight name pointing nowhere");
  broken_cnn("biasgroup.h5", bias_is_group);
  check_error(tmp("biasgroup.h5"),
              "layer 'dense_1': weight 'dense_1/bias:0' is not a dataset",
              "a weight name pointing at a group");
  broken_cnn("intkernel.h5", int_kernel);
  check_error(tmp("intkernel.h5"),
              "layer 'dense': weight 'dense/kernel:0' holds int32 values, "
              "not floats", "an integer dataset");
  broken_cnn("strbias.h5", string_bias);
  check_error(tmp("strbias.h5"),
              "layer 'conv2d': weight 'conv2d/bias:0' holds string values",
              "a string dataset");
  broken_cnn("ninedim.h5", nine_d_kernel);
  check_error(tmp("ninedim.h5"),
              "weight 'conv2d/kernel:0' has 9 dimensions, at most 8",
              "a 9-d dataset");
}

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *fp = fopen(path, "rb");
  fseek(fp, 0, SEEK_END);
  *n = (size_t)ftell(fp);
  rewind(fp);
  unsigned char *b = malloc(*n);
  *n = fread(b, 1, *n, fp);
  fclose(fp);
  return b;
}

typedef int (*OpenFn)(H5kFile *, const char *, char *);

/* open (h5k_open or h5k_open_isolated) and read everything; 0 if all
 * of it worked */
static int load_with(OpenFn opener, const char *path) {
  H5kFile f;
  if (opener(&f, path, err)) return -1;
  int rc = 0;
  for (int i = 0; rc == 0 && i < f.nlayers; i++)
    for (int j = 0; rc == 0 && j < f.layers[i].nweights; j++) {
      int64_t n = f.layers[i].weights[j].size;
      float *v = malloc((size_t)(n ? n : 1) * sizeof *v);
      rc = h5k_read(&f, i, j, v, n, err);
      free(v);
    }
  h5k_close(&f);
  return rc;
}

/* Bytes overwritten all through a good file, 97 ways; counts[] gets
 * how many gave an error, how many were tried, how many left ids. */
static void damage_all(const unsigned char *b, size_t n, int counts[3]) {
  for (size_t at = 0; at + 8 <= n; at += n / 97 + 1, counts[1]++) {
    unsigned char *c = malloc(n);
    memcpy(c, b, n);
    memset(c + at, counts[1] % 2 ? 0xff : 0x00, 8);
    write_bytes(tmp("damaged.h5"), c, n);
    free(c);
    counts[0] += load_with(h5k_open, tmp("damaged.h5")) != 0;
    counts[2] += open_ids() != 0;
  }
}

/* A file cut short, then damaged copies. libhdf5 1.10 itself loses a
 * few bytes on some damaged headers, so those run in a child that
 * leaves by _exit, out of LeakSanitizer's reach; a crash there shows
 * as a signal. */
static void test_damaged(void) {
  write_cnn(tmp("good.h5"), FIXED);
  size_t n;
  unsigned char *b = slurp(tmp("good.h5"), &n);
  write_bytes(tmp("cut.h5"), b, n / 2);
  check_error(tmp("cut.h5"), "cut.h5: truncated: the HDF5 superblock says "
              "the file ends at byte", "a file cut in half");
  int fds[2], counts[3] = {0, 0, 0}, status = 0;
  fflush(stdout);
  if (pipe(fds) != 0) { free(b); ok(0, "damaged copies: pipe"); return; }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    damage_all(b, n, counts);
    _exit(write(fds[1], counts, sizeof counts) == sizeof counts ? 0 : 1);
  }
  close(fds[1]);
  ssize_t got = pid > 0 ? read(fds[0], counts, sizeof counts) : -1;
  close(fds[0]);
  if (pid > 0) waitpid(pid, &status, 0);
  free(b);
  if (!ok(got == sizeof counts && WIFEXITED(status) && !WEXITSTATUS(status),
          "damaged copies: no crash"))
    diag("child status %d%s", status,
         WIFSIGNALED(status) ? " (killed by a signal)" : "");
  diag("%d of %d damaged copies gave an error", counts[0], counts[1]);
  ok(counts[0] > 0, "damaged copies: errors reported");
  is(counts[2], 0, "damaged copies: no HDF5 id left open");
}

/* ---- quietness --------------------------------------------------------- */

/* Installed as HDF5's error handler for the whole run: HDF5 prints
 * through this handler, so a call that reaches it would have printed. */
static int printed;
static herr_t counting_handler(hid_t stack, void *data) {
  printed++;
  return 0;
}

static void test_quiet(void) {
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  ok(fn == counting_handler && data == tmpdir,
     "the caller's HDF5 error handler is put back after each call");
  is(printed, 0, "HDF5 never got to print an error");
}

/* libhdf5 asks malloc for absurd sizes read from damaged headers and
 * copes with NULL, as glibc's malloc gives; ASan would abort instead. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
  return "allocator_may_return_null=1";
}

/* files in tmpdir whose name holds ".tmp" */
static int tmp_files(void) {
  DIR *d = opendir(tmpdir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".tmp")) n++;
  if (d) closedir(d);
  return n;
}

/* h5k_write goes through a temporary file: a good write leaves the file
 * and nothing else; a failed one leaves the previous file as it was. */
static void test_atomic_write(void) {
  float k1[6] = {1, 2, 3, 4, 5, 6}, k2[6] = {9, 9, 9, 9, 9, 9};
  H5kOutWeight w1 = {"dense/kernel:0", 2, {2, 3}, k1};
  H5kOutWeight w2 = {"dense/kernel:0", 2, {2, 3}, k2};
  H5kOutLayer good = {"dense", 1, &w1};
  H5kOutLayer twice[2] = {{"dense", 1, &w2}, {"dense", 1, &w2}};
  const char *path = tmp("atomic.h5");
  is(h5k_write(path, &good, 1, "tensorflow", "2.6.0", err), 0,
     "h5k_write writes a file");
  is(tmp_files(), 0, "and leaves no temporary file");
  ok(h5k_write(path, twice, 2, "tensorflow", "2.6.0", err) == -1
     && strstr(err, "atomic.h5") != NULL,
     "a write that fails (a layer name twice) says so (%s)", err);
  is(tmp_files(), 0, "and leaves no temporary file");
  H5kFile f;
  memset(&f, 0, sizeof f);
  float got[6] = {0};
  ok(h5k_open(&f, path, err) == 0 && f.nlayers == 1
     && h5k_read(&f, 0, 0, got, 6, err) == 0 && got[5] == 6,
     "the previous file is intact");
  h5k_close(&f);
  ok(h5k_write(tmp("missing/x.h5"), &good, 1, NULL, NULL, err) == -1
     && strstr(err, "missing/x.h5") != NULL,
     "a folder that does not exist: an error naming the path (%s)", err);
  is(tmp_files(), 0, "nothing left there either");
}

/* ---- the isolated reader ----------------------------------------------- */

/* The same files through h5k_open_isolated: the same layers and values,
 * nothing left open in this process, and the order rule. */
static void test_isolated(void) {
  const char *p = tmp("iso.h5");
  write_cnn(p, VLEN);
  H5kFile f;
  int rc = h5k_open_isolated(&f, p, err);
  if (!ok(rc == 0 && f.isolated && f.file == 0, "isolated: opens, no HDF5 "
          "file open here"))
    diag("%s", err);
  ok(rc == 0 && same_layers(&f, CNN, NCNN),
     "isolated: 5 layers, names, shapes and values as written");
  ok(rc == 0 && f.backend && !strcmp(f.backend, "tensorflow"),
     "isolated: backend read");
  float v[64 * 5];
  ok(rc == 0 && h5k_read(&f, 0, 0, v, 36, err) == -1 &&
     strstr(err, "was read already"), "isolated: reading backwards refused");
  h5k_close(&f);
  is(open_ids(), 0, "isolated: no HDF5 id open in this process");

  /* skipping ahead: the weights between are read and dropped */
  rc = h5k_open_isolated(&f, p, err);
  ok(rc == 0 && h5k_read(&f, 4, 0, v, 5 * 3, err) == 0 &&
     v[0] == (float)value(0, 4), "isolated: a later weight read first");
  h5k_close(&f);

  /* an error the child finds is passed on as it is */
  write_bytes(tmp("notes2.h5"), "plain text\n", 11);
  check_error(tmp("notes2.h5"), "notes2.h5: not an HDF5 file",
              "isolated text file (checked before any child)");
  hid_t g = create(tmp("plain2.h5"));
  H5Fclose(g);
  rc = h5k_open_isolated(&f, tmp("plain2.h5"), err);
  ok(rc == -1 && strstr(err, "plain2.h5: not a Keras weights file (no "
     "'layer_names'") && f.nlayers == 0 && f.worker.pid == 0,
     "isolated: the child's message, nothing left running");
  h5k_close(&f);
}

/* IEEE half floats: HDF5 would convert them, but wrongly in 1.10, and
 * Keras never writes them: an error naming the type */
static void test_float16(void) {
  static const LSpec ls[] = {{"half", 1, {{"half/kernel:0", 2, {2, 3}}}}};
  hid_t f16 = H5Tcopy(H5T_IEEE_F32LE);
  H5Tset_fields(f16, 15, 10, 5, 0, 10);
  H5Tset_precision(f16, 16);
  H5Tset_size(f16, 2);
  H5Tset_ebias(f16, 15);
  hid_t f = create(tmp("half.h5"));
  put_layers(f, ls, 1, FIXED, f16);
  H5Fclose(f);
  H5Tclose(f16);
  check_error(tmp("half.h5"), "weight 'half/kernel:0' holds float16 values; "
              "only float32 and float64 are supported", "a float16 weight");
}

/* A dataset whose shape promises more than the file holds (HDF5
 * allocates contiguous storage late: the file stays small) is refused
 * before anything is allocated for it */
static void test_promise(void) {
  hid_t f = create(tmp("promise.h5"));
  const char *ln[] = {"big"}, *wn[] = {"big/kernel:0"};
  put_names(f, "layer_names", ln, 1, FIXED);
  hid_t g = H5Gcreate2(f, "big", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  put_names(g, "weight_names", wn, 1, FIXED);
  hsize_t dims[2] = {100000, 1000};
  hid_t sp = H5Screate_simple(2, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(g, "big/kernel:0", H5T_IEEE_F32LE, sp, lcpl,
                       H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(d);
  H5Pclose(lcpl);
  H5Sclose(sp);
  H5Gclose(g);
  H5Fclose(f);
  check_error(tmp("promise.h5"), "weight 'big/kernel:0' claims 100000000 "
              "values (400000000 bytes), more than the ", "a shape larger "
              "than the file");
}

/* Every damaged copy, isolated, in this process: errors, no crash. */
static void test_isolated_damaged(void) {
  write_cnn(tmp("good2.h5"), VLEN);
  size_t n;
  unsigned char *b = slurp(tmp("good2.h5"), &n);
  int errors = 0, tried = 0;
  for (size_t at = 0; at + 8 <= n; at += n / 61 + 1, tried++) {
    unsigned char *c = malloc(n);
    memcpy(c, b, n);
    memset(c + at, tried % 2 ? 0xff : 0x00, 8);
    write_bytes(tmp("damaged2.h5"), c, n);
    free(c);
    errors += load_with(h5k_open_isolated, tmp("damaged2.h5")) != 0;
  }
  free(b);
  diag("isolated: %d of %d damaged copies gave an error", errors, tried);
  ok(errors > 0, "isolated damaged copies: errors, and this process is alive");
  is(open_ids(), 0, "isolated damaged copies: no HDF5 id open here");
}

int main(void) {
  /* as h5keras.c does before its first HDF5 call, for the damaged files:
   * no "infinite loop closing library" from libhdf5 1.10 at exit */
  H5dont_atexit();
  if (!mkdtemp(tmpdir)) { printf("Bail out! mkdtemp failed\n"); return 1; }
  H5Eset_auto2(H5E_DEFAULT, counting_handler, tmpdir);
  test_string_kinds();
  test_full_model();
  test_write_model();
  test_chunked();
  test_types_and_ranks();
  test_utf8_name();
  test_not_hdf5();
  test_not_keras();
  test_broken_layers();
  test_damaged();
  test_isolated();
  test_isolated_damaged();
  test_float16();
  test_promise();
  test_quiet();
  test_atomic_write();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
  if (system(cmd) != 0) diag("could not remove %s", tmpdir);
  return done_testing();
}
