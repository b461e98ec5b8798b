/* h5keras.c - Keras 2 HDF5 weight files through libhdf5: find the group
 * holding layer_names, read the name lists (fixed- or variable-length
 * strings, possibly chunked), open and check every weight dataset, read
 * one into a float buffer; and write a file in the same layout. See
 * h5keras.h for the layout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "core/fsutil.h"
#include "io/h5keras.h"

_Static_assert(sizeof(hid_t) == sizeof(int64_t),
               "hid_t is 64-bit since HDF5 1.10");

/* Limits against crafted files: far above any real model, low enough
 * that a bogus size cannot ask for gigabytes before anything is read. */
#define MAX_NAMES (1 << 20)
#define MAX_LIST_BYTES ((size_t)64 << 20)
#define MAX_ELEMS (INT64_C(1) << 31)

static int fail(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(char *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, H5K_ERRLEN, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- HDF5's error stack ------------------------------------------------ */

/* HDF5 prints its error stack to stderr by default. Switch that off for
 * the length of one call and put the caller's setting back after, so a
 * program that wants HDF5's printing keeps it. */
typedef struct Quiet {
  H5E_auto2_t func;
  void *data;
} Quiet;

/* libhdf5 shuts itself down at exit, and 1.10 prints "infinite loop
 * closing library" there if a damaged file left an entry behind in its
 * metadata cache (h5dump does the same). h5k_write closes its file
 * before it returns, so there is nothing to flush at exit: skip that step. Effective only before
 * the library's first use, harmless after. */
static void skip_atexit(void) {
  static int done;
  if (!done) H5dont_atexit();
  done = 1;
}

static void quiet_on(Quiet *q) {
  skip_atexit();
  if (H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data) < 0) q->func = NULL;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_off(const Quiet *q) {
  H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

/* The walk goes upward: entry 0 is the innermost, most specific error
 * ("truncated file: eof = ..."), the one worth showing a user. */
static herr_t first_desc(unsigned n, const H5E_error2_t *e, void *buf) {
  if (n == 0 && e->desc) snprintf(buf, 160, "%s", e->desc);
  return 0;
}

/* The most specific message of the last failed HDF5 call. */
static const char *detail(char buf[160]) {
  buf[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, buf);
  if (!buf[0]) snprintf(buf, 160, "HDF5 gave no reason");
  return buf;
}

/* ---- string lists ------------------------------------------------------ */

typedef struct Names {
  char **v;
  int n, cap;
} Names;

static int names_push(Names *s, const char *p, size_t len) {
  if (s->n == s->cap) {
    int cap = s->cap ? 2 * s->cap : 16;
    char **v = realloc(s->v, (size_t)cap * sizeof *v);
    if (!v) return -1;
    s->v = v;
    s->cap = cap;
  }
  char *c = malloc(len + 1);
  if (!c) return -1;
  memcpy(c, p, len);
  c[len] = '\0';
  s->v[s->n++] = c;
  return 0;
}

static void names_free(Names *s) {
  for (int i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  memset(s, 0, sizeof *s);
}

/* Fixed-length strings (numpy 'S'): each element is size bytes, padded
 * with NULs (NULLPAD, NULLTERM) or spaces (SPACEPAD). */
static int read_fixed(hid_t a, hid_t ty, hssize_t np, Names *out,
                      const char *what, char *err) {
  size_t size = H5Tget_size(ty);
  if (size == 0 || size > MAX_LIST_BYTES / (size_t)np)
    return fail(err, "%s is too large (%lld strings of %zu bytes)", what,
                (long long)np, size);
  char *buf = malloc((size_t)np * size);
  if (!buf) return fail(err, "%s: out of memory", what);
  char why[160];
  int rc = 0;
  if (H5Aread(a, ty, buf) < 0)
    rc = fail(err, "%s cannot be read (%s)", what, detail(why));
  int spaces = H5Tget_strpad(ty) == H5T_STR_SPACEPAD;
  for (hssize_t i = 0; rc == 0 && i < np; i++) {
    const char *p = buf + (size_t)i * size;
    size_t len = strnlen(p, size);
    while (spaces && len > 0 && p[len - 1] == ' ') len--;
    if (names_push(out, p, len)) rc = fail(err, "%s: out of memory", what);
  }
  free(buf);
  return rc;
}

/* 1.10's headers declare H5Treclaim but its library lacks it (1.12+) */
static void reclaim(hid_t mt, hid_t sp, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(mt, sp, H5P_DEFAULT, buf);
#else
  H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf);
#endif
}

/* Variable-length strings (h5py 3 writes lists of bytes this way). HDF5
 * will not convert between ASCII and UTF-8, so read in the file's own
 * character set; it allocates each string, H5Treclaim frees them. */
static int read_vlen(hid_t a, hid_t sp, hid_t ty, hssize_t np, Names *out,
                     const char *what, char *err) {
  char **buf = calloc((size_t)np, sizeof *buf);
  if (!buf) return fail(err, "%s: out of memory", what);
  hid_t mt = H5Tcopy(H5T_C_S1);
  char why[160];
  int rc = 0;
  if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
      H5Tset_cset(mt, H5Tget_cset(ty)) < 0 || H5Aread(a, mt, buf) < 0)
    rc = fail(err, "%s cannot be read (%s)", what, detail(why));
  for (hssize_t i = 0; rc == 0 && i < np; i++) {
    const char *p = buf[i] ? buf[i] : "";
    if (names_push(out, p, strlen(p)))
      rc = fail(err, "%s: out of memory", what);
  }
  if (mt >= 0) {
    reclaim(mt, sp, buf);
    H5Tclose(mt);
  }
  free(buf);
  return rc;
}

/* A short word for a datatype in messages: "int32", "string", ... */
static const char *type_word(hid_t ty, char buf[32]) {
  H5T_class_t c = H5Tget_class(ty);
  size_t bits = 8 * H5Tget_size(ty);
  switch (c) {
  case H5T_INTEGER:
    snprintf(buf, 32, "%sint%zu", H5Tget_sign(ty) == H5T_SGN_NONE ? "u" : "",
             bits);
    return buf;
  case H5T_FLOAT: snprintf(buf, 32, "float%zu", bits); return buf;
  case H5T_STRING: return "string";
  case H5T_COMPOUND: return "compound";
  case H5T_ENUM: return "enum";
  case H5T_ARRAY: return "array";
  case H5T_VLEN: return "variable-length";
  case H5T_REFERENCE: return "reference";
  default: return "unknown";
  }
}

/* Append the strings of one attribute. An attribute with no elements
 * is an empty list whatever its type: Keras stores [] as np.asarray([]),
 * an empty float64 array. */
static int read_attr(hid_t obj, const char *name, Names *out,
                     const char *where, char *err) {
  char what[H5K_ERRLEN], why[160], tw[32];
  snprintf(what, sizeof what, "%s: attribute '%s'", where, name);
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) return fail(err, "%s cannot be opened (%s)", what, detail(why));
  hid_t sp = H5Aget_space(a), ty = H5Aget_type(a);
  hssize_t np = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
  int rc = 0;
  if (ty < 0 || np < 0)
    rc = fail(err, "%s cannot be read (%s)", what, detail(why));
  else if (np > MAX_NAMES)
    rc = fail(err, "%s holds too many names (%lld)", what, (long long)np);
  else if (np > 0 && H5Tget_class(ty) != H5T_STRING)
    rc = fail(err, "%s holds %s values, not strings", what,
              type_word(ty, tw));
  else if (np > 0 && H5Tis_variable_str(ty) > 0)
    rc = read_vlen(a, sp, ty, np, out, what, err);
  else if (np > 0)
    rc = read_fixed(a, ty, np, out, what, err);
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  H5Aclose(a);
  return rc;
}

/* 1 if obj has the attribute, 0 if not, -1 if HDF5 cannot tell. */
static int has_attr(hid_t obj, const char *name) {
  htri_t r = H5Aexists(obj, name);
  return r < 0 ? -1 : r > 0;
}

/* A list as Keras's load_attributes_from_hdf5_group reads it: NAME, or
 * the chunks NAME0, NAME1, ... that save_attributes_to_hdf5_group makes
 * when the list passes HDF5's 64 KB limit on an attribute. */
static int read_list(hid_t obj, const char *name, Names *out,
                     const char *where, char *err) {
  int r = has_attr(obj, name);
  if (r > 0) return read_attr(obj, name, out, where, err);
  for (int k = 0; r == 0; k++) {
    char chunk[64];
    snprintf(chunk, sizeof chunk, "%s%d", name, k);
    r = has_attr(obj, chunk);
    if (r == 0)
      return k > 0 ? 0 : fail(err, "%s: no '%s' attribute", where, name);
    if (r > 0) r = read_attr(obj, chunk, out, where, err) ? -2 : 0;
  }
  if (r == -2) return -1;             /* read_attr said why */
  return fail(err, "%s: cannot look up attribute '%s'", where, name);
}

static int has_list(hid_t obj, const char *name) {
  char chunk[64];
  snprintf(chunk, sizeof chunk, "%s0", name);
  return has_attr(obj, name) > 0 || has_attr(obj, chunk) > 0;
}

/* A string attribute worth knowing but not required (backend,
 * keras_version): NULL when absent or unreadable. */
static char *read_optional(hid_t obj, const char *name) {
  Names s = {0};
  char err[H5K_ERRLEN];
  char *v = NULL;
  if (has_attr(obj, name) > 0 && read_attr(obj, name, &s, "", err) == 0 &&
      s.n == 1) {
    v = s.v[0];
    s.v[0] = NULL;
  }
  names_free(&s);
  return v;
}

/* ---- the structure ----------------------------------------------------- */

/* The object at a path below loc if it is of kind want; -1 if there is
 * nothing there, -2 if it is something else. */
static hid_t open_kind(hid_t loc, const char *name, H5I_type_t want) {
  if (!name[0]) return -1;
  hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
  if (o < 0) return -1;
  if (H5Iget_type(o) == want) return o;
  H5Oclose(o);
  return -2;
}

/* The group holding layer_names: the root of a save_weights file, or
 * model_weights of a model.save file (as Keras's load_weights looks). */
static hid_t weights_group(H5kFile *f, char *err) {
  if (has_list(f->file, "layer_names"))
    return H5Gopen2(f->file, "/", H5P_DEFAULT);
  hid_t g = open_kind(f->file, "model_weights", H5I_GROUP);
  if (g < 0)
    return fail(err, "%s: not a Keras weights file (no 'layer_names' "
                "attribute and no 'model_weights' group)", f->path);
  if (!has_list(g, "layer_names")) {
    H5Gclose(g);
    return fail(err, "%s: the 'model_weights' group has no 'layer_names' "
                "attribute", f->path);
  }
  f->full_model = 1;
  return g;
}

/* float class, at most TENSOR_MAXDIM dimensions, a sane element count */
static int check_dataset(H5kWeight *w, const char *where, char *err) {
  char tw[32];
  hid_t ty = H5Dget_type(w->dset);
  int isfloat = ty >= 0 && H5Tget_class(ty) == H5T_FLOAT;
  int rc = isfloat ? 0 : fail(err, "%s: weight '%s' holds %s values, not "
                              "floats", where, w->name,
                              ty < 0 ? "unreadable" : type_word(ty, tw));
  if (ty >= 0) H5Tclose(ty);
  if (rc) return rc;
  hid_t sp = H5Dget_space(w->dset);
  int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
  hsize_t dims[H5S_MAX_RANK];
  if (nd < 0 || H5Sget_simple_extent_type(sp) == H5S_NULL)
    rc = fail(err, "%s: weight '%s' has no data", where, w->name);
  else if (nd > TENSOR_MAXDIM)
    rc = fail(err, "%s: weight '%s' has %d dimensions, at most %d are "
              "supported", where, w->name, nd, TENSOR_MAXDIM);
  else if (H5Sget_simple_extent_dims(sp, dims, NULL) < 0)
    rc = fail(err, "%s: weight '%s' has an unreadable shape", where,
              w->name);
  w->ndim = nd;
  w->size = 1;
  for (int d = 0; rc == 0 && d < nd; d++) {
    w->shape[d] = (int64_t)dims[d];
    if (dims[d] > (hsize_t)MAX_ELEMS ||
        (dims[d] && w->size > MAX_ELEMS / (int64_t)dims[d]))
      rc = fail(err, "%s: weight '%s' is too large", where, w->name);
    w->size *= (int64_t)dims[d];
  }
  if (sp >= 0) H5Sclose(sp);
  return rc;
}

static int open_weight(H5kWeight *w, hid_t g, const char *where,
                       char *err) {
  hid_t d = open_kind(g, w->name, H5I_DATASET);
  if (d == -1)
    return fail(err, "%s: weight '%s' not found", where, w->name);
  if (d == -2)
    return fail(err, "%s: weight '%s' is not a dataset", where, w->name);
  w->dset = d;
  return check_dataset(w, where, err);
}

/* The layer's group, its weight_names, each weight's dataset. The
 * names move from the list into the layer, so h5k_close frees them. */
static int open_layer(H5kFile *f, hid_t root, H5kLayer *l, char *err) {
  char where[H5K_ERRLEN];
  snprintf(where, sizeof where, "%s: layer '%s'", f->path, l->name);
  hid_t g = open_kind(root, l->name, H5I_GROUP);
  if (g < 0)
    return fail(err, "%s is in layer_names but has no group", where);
  Names wn = {0};
  int rc = read_list(g, "weight_names", &wn, where, err);
  if (rc == 0 && wn.n > 0) {
    l->weights = calloc((size_t)wn.n, sizeof *l->weights);
    if (!l->weights) rc = fail(err, "%s: out of memory", where);
  }
  for (int j = 0; rc == 0 && j < wn.n; j++) {
    l->weights[j].name = wn.v[j];
    wn.v[j] = NULL;
    l->nweights = j + 1;
    rc = open_weight(&l->weights[j], g, where, err);
  }
  names_free(&wn);
  H5Gclose(g);
  return rc;
}

static int open_layers(H5kFile *f, hid_t root, Names *ln, char *err) {
  if (ln->n == 0) return 0;
  f->layers = calloc((size_t)ln->n, sizeof *f->layers);
  if (!f->layers) return fail(err, "%s: out of memory", f->path);
  for (int i = 0; i < ln->n; i++) {
    f->layers[i].name = ln->v[i];
    ln->v[i] = NULL;
    f->nlayers = i + 1;
    if (open_layer(f, root, &f->layers[i], err)) return -1;
  }
  return 0;
}

static hid_t open_file(const char *path) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
#if H5_VERSION_GE(1, 10, 7)
  /* keep HDF5's file locking, but read on file systems without locks
   * rather than fail with "unable to lock file" */
  if (fapl >= 0) H5Pset_file_locking(fapl, 1, 1);
#endif
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
  if (fapl >= 0) H5Pclose(fapl);
  return file;
}

static int open_quiet(H5kFile *f, const char *path, char *err) {
  char why[160];
  f->path = strdup(path);
  if (!f->path) return fail(err, "%s: out of memory", path);
  f->file = open_file(path);
  if (f->file < 0)
    return fail(err, "%s: cannot open as HDF5 (%s)", path, detail(why));
  hid_t root = weights_group(f, err);
  if (root < 0) return -1;
  /* Keras reads these from the same group as layer_names */
  f->backend = read_optional(root, "backend");
  f->keras_version = read_optional(root, "keras_version");
  Names ln = {0};
  int rc = read_list(root, "layer_names", &ln, f->path, err);
  if (rc == 0) rc = open_layers(f, root, &ln, err);
  names_free(&ln);
  H5Gclose(root);
  return rc;
}

static int is_hdf5_quiet(const char *path) {
#if H5_VERSION_GE(1, 12, 0)
  return H5Fis_accessible(path, H5P_DEFAULT) > 0;
#else
  return H5Fis_hdf5(path) > 0;
#endif
}

/* Plain-file checks first, for messages that say what is wrong. */
static int check_file(const char *path, char *err) {
  struct stat st;
  if (stat(path, &st) != 0)
    return fail(err, "cannot open %s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail(err, "%s: is a directory", path);
  FILE *fp = fopen(path, "rb");
  if (!fp) return fail(err, "cannot open %s: %s", path, strerror(errno));
  fclose(fp);
  Quiet q;
  quiet_on(&q);
  int yes = is_hdf5_quiet(path);
  quiet_off(&q);
  return yes ? 0 : fail(err, "%s: not an HDF5 file", path);
}

/* ---- the API ----------------------------------------------------------- */

int h5k_is_hdf5(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  Quiet q;
  quiet_on(&q);
  int yes = is_hdf5_quiet(path);
  quiet_off(&q);
  return yes;
}

int h5k_open(H5kFile *f, const char *path, char *err) {
  memset(f, 0, sizeof *f);
  if (check_file(path, err)) return -1;
  Quiet q;
  quiet_on(&q);
  int rc = open_quiet(f, path, err);
  quiet_off(&q);
  if (rc) h5k_close(f);
  return rc;
}

int h5k_read(H5kFile *f, int l, int w, float *dst, int64_t count,
             char *err) {
  if (l < 0 || l >= f->nlayers || w < 0 || w >= f->layers[l].nweights)
    return fail(err, "%s: no weight %d in layer %d", f->path ? f->path : "",
                w, l);
  const H5kLayer *ly = &f->layers[l];
  const H5kWeight *wt = &ly->weights[w];
  if (count != wt->size)
    return fail(err, "%s: layer '%s': weight '%s' has %lld values, the "
                "buffer %lld", f->path, ly->name, wt->name,
                (long long)wt->size, (long long)count);
  if (count == 0) return 0;
  char why[160];
  Quiet q;
  quiet_on(&q);
  herr_t r = H5Dread((hid_t)wt->dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                     H5P_DEFAULT, dst);
  int rc = r < 0 ? fail(err, "%s: layer '%s': weight '%s' cannot be read "
                        "(%s)", f->path, ly->name, wt->name, detail(why))
                 : 0;
  quiet_off(&q);
  return rc;
}

void h5k_close(H5kFile *f) {
  Quiet q;
  quiet_on(&q);
  for (int i = 0; i < f->nlayers; i++) {
    H5kLayer *l = &f->layers[i];
    for (int j = 0; j < l->nweights; j++) {
      if (l->weights[j].dset > 0) H5Dclose((hid_t)l->weights[j].dset);
      free(l->weights[j].name);
    }
    free(l->weights);
    free(l->name);
  }
  free(f->layers);
  if (f->file > 0) H5Fclose((hid_t)f->file);
  free(f->backend);
  free(f->keras_version);
  free(f->path);
  memset(f, 0, sizeof *f);
  quiet_off(&q);
}

/* ---- writing ----------------------------------------------------------- */

/* Keras's HDF5_OBJECT_HEADER_LIMIT: lists whose array is larger are
 * split into chunks NAME0, NAME1, ... (save_attributes_to_hdf5_group). */
#define ATTR_LIMIT 64512

/* A fixed-length string attribute: a scalar (one string) or a list of
 * n strings padded to the longest, as numpy 'S' arrays are. */
static int write_strings(hid_t obj, const char *name, const char *const *v,
                         int n, int scalar, char *err) {
  size_t size = 1;
  for (int i = 0; i < n; i++)
    if (strlen(v[i]) > size) size = strlen(v[i]);
  char *buf = calloc(n > 0 ? (size_t)n : 1, size);
  if (!buf) return fail(err, "attribute '%s': out of memory", name);
  for (int i = 0; i < n; i++) memcpy(buf + (size_t)i * size, v[i], strlen(v[i]));
  hsize_t dims[1] = {(hsize_t)n};
  hid_t ty = H5Tcopy(H5T_C_S1);
  hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL);
  hid_t a = -1;
  int rc = 0;
  if (ty < 0 || sp < 0 || H5Tset_size(ty, size) < 0 ||
      H5Tset_strpad(ty, H5T_STR_NULLPAD) < 0 ||
      (a = H5Acreate2(obj, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
      H5Awrite(a, ty, buf) < 0) {
    char why[160];
    rc = fail(err, "attribute '%s' cannot be written (%s)", name,
              detail(why));
  }
  if (a >= 0) H5Aclose(a);
  if (sp >= 0) H5Sclose(sp);
  if (ty >= 0) H5Tclose(ty);
  free(buf);
  return rc;
}

/* [] as Keras stores it: np.asarray([]), an empty float64 array */
static int write_empty(hid_t obj, const char *name, char *err) {
  hsize_t dims[1] = {0};
  hid_t sp = H5Screate_simple(1, dims, NULL), a = -1;
  int rc = 0;
  if (sp < 0 || (a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                                H5P_DEFAULT)) < 0) {
    char why[160];
    rc = fail(err, "attribute '%s' cannot be written (%s)", name,
              detail(why));
  }
  if (a >= 0) H5Aclose(a);
  if (sp >= 0) H5Sclose(sp);
  return rc;
}

/* A list attribute, chunked as Keras chunks it when it is too large */
static int write_list(hid_t obj, const char *name, const char *const *v,
                      int n, char *err) {
  if (n == 0) return write_empty(obj, name, err);
  size_t size = 1;
  for (int i = 0; i < n; i++)
    if (strlen(v[i]) > size) size = strlen(v[i]);
  int chunks = 1;
  /* np.array_split: the first n % chunks chunks hold one more */
  while ((size_t)((n + chunks - 1) / chunks) * size > ATTR_LIMIT &&
         chunks < n)
    chunks++;
  if (chunks == 1) return write_strings(obj, name, v, n, 0, err);
  int at = 0;
  for (int k = 0; k < chunks; k++) {
    int len = n / chunks + (k < n % chunks);
    char cname[64];
    snprintf(cname, sizeof cname, "%s%d", name, k);
    if (write_strings(obj, cname, v + at, len, 0, err)) return -1;
    at += len;
  }
  return 0;
}

static int write_weight(hid_t g, const H5kOutWeight *w, const char *layer,
                        char *err) {
  hsize_t dims[TENSOR_MAXDIM];
  for (int d = 0; d < w->ndim; d++) dims[d] = (hsize_t)w->shape[d];
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  if (lcpl >= 0) H5Pset_create_intermediate_group(lcpl, 1);
  hid_t sp = w->ndim ? H5Screate_simple(w->ndim, dims, NULL)
                     : H5Screate(H5S_SCALAR);
  hid_t d = -1;
  int rc = 0;
  if (lcpl < 0 || sp < 0 ||
      (d = H5Dcreate2(g, w->name, H5T_IEEE_F32LE, sp, lcpl, H5P_DEFAULT,
                      H5P_DEFAULT)) < 0 ||
      H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
               w->data) < 0) {
    char why[160];
    rc = fail(err, "layer '%s': weight '%s' cannot be written (%s)", layer,
              w->name, detail(why));
  }
  if (d >= 0) H5Dclose(d);
  if (sp >= 0) H5Sclose(sp);
  if (lcpl >= 0) H5Pclose(lcpl);
  return rc;
}

static int write_layer(hid_t file, const H5kOutLayer *l, char *err) {
  if (!l->name[0] || strchr(l->name, '/') || !strcmp(l->name, "."))
    return fail(err, "layer name '%s' cannot name an HDF5 group", l->name);
  hid_t g = H5Gcreate2(file, l->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) {
    char why[160];
    return fail(err, "layer '%s': group cannot be made (%s)", l->name,
                detail(why));
  }
  const char **names = calloc((size_t)l->nweights + 1, sizeof *names);
  int rc = names ? 0 : fail(err, "layer '%s': out of memory", l->name);
  for (int j = 0; rc == 0 && j < l->nweights; j++)
    names[j] = l->weights[j].name;
  if (rc == 0) rc = write_list(g, "weight_names", names, l->nweights, err);
  for (int j = 0; rc == 0 && j < l->nweights; j++)
    rc = write_weight(g, &l->weights[j], l->name, err);
  free(names);
  H5Gclose(g);
  return rc;
}

static int write_quiet(const char *path, const H5kOutLayer *layers,
                       int nlayers, const char *backend,
                       const char *keras_version, char *err) {
  char why[160], tmp[4200];
  /* the file goes to a registered temporary name (an interrupt removes
   * it), renamed over path only when complete */
  if (fs_tmp_name(path, tmp, sizeof tmp) != 0)
    return fail(err, "cannot create %s (%s)", path, strerror(errno));
  errno = 0;
  hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) {
    /* the system's reason names no temporary file; HDF5's would */
    int e = errno;
    fail(err, "cannot create %s (%s)", path, e ? strerror(e) : detail(why));
    fs_tmp_finish(tmp, path, 0);
    return -1;
  }
  const char **names = calloc((size_t)nlayers + 1, sizeof *names);
  int rc = names ? 0 : fail(err, "%s: out of memory", path);
  for (int i = 0; rc == 0 && i < nlayers; i++) names[i] = layers[i].name;
  if (rc == 0) rc = write_list(file, "layer_names", names, nlayers, err);
  if (rc == 0 && backend)
    rc = write_strings(file, "backend", &backend, 1, 1, err);
  if (rc == 0 && keras_version)
    rc = write_strings(file, "keras_version", &keras_version, 1, 1, err);
  for (int i = 0; rc == 0 && i < nlayers; i++)
    rc = write_layer(file, &layers[i], err);
  free(names);
  if (H5Fclose(file) < 0 && rc == 0)
    rc = fail(err, "%s cannot be written (%s)", path, detail(why));
  if (fs_tmp_finish(tmp, path, rc == 0) != 0 && rc == 0)
    rc = fail(err, "cannot write %s: %s", path, strerror(errno));
  if (rc && strncmp(err, path, strlen(path))) {
    char msg[H5K_ERRLEN];
    snprintf(msg, sizeof msg, "%s", err);
    fail(err, "%s: %s", path, msg);
  }
  return rc;
}

int h5k_write(const char *path, const H5kOutLayer *layers, int nlayers,
              const char *backend, const char *keras_version, char *err) {
  Quiet q;
  quiet_on(&q);
  int rc = write_quiet(path, layers, nlayers, backend, keras_version, err);
  quiet_off(&q);
  return rc;
}
