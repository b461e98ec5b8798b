/* h5keras.c - Keras 2 HDF5 weight files through libhdf5: find the group
 * holding layer_names, read the name lists (fixed- or variable-length
 * strings, possibly chunked), open and check every weight dataset, read
 * one into a float buffer; and write a file in the same layout. See
 * h5keras.h for the layout. */
#include <errno.h>
#include <signal.h>
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

/* float32 or float64 (HDF5 would convert other float layouts, float16
 * included, into wrong values without a word), at most TENSOR_MAXDIM
 * dimensions, and no more values than the file can hold: its size for
 * plain storage, deflate's best ratio (1032:1) times it for filtered
 * (compressed) storage. */
#define MAX_RATIO 1032
static int check_dataset(H5kWeight *w, int64_t file_bytes, const char *where,
                         int ints, char *err) {
  char tw[32];
  hid_t ty = H5Dget_type(w->dset);
  int isint = ints && ty >= 0 && H5Tget_class(ty) == H5T_INTEGER &&
              (H5Tget_size(ty) == 4 || H5Tget_size(ty) == 8);
  int isfloat = ty >= 0 && (H5Tget_class(ty) == H5T_FLOAT || isint);
  size_t tsize = isfloat ? H5Tget_size(ty) : 0;
  int rc = 0;
  if (!isfloat)
    rc = fail(err, "%s: weight '%s' holds %s values, not floats", where,
              w->name, ty < 0 ? "unreadable" : type_word(ty, tw));
  else if (tsize != 4 && tsize != 8)
    rc = fail(err, "%s: weight '%s' holds %s values; only float32 and "
              "float64 are supported", where, w->name, type_word(ty, tw));
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
  w->ndim = rc ? 0 : nd;
  w->size = 1;
  for (int d = 0; rc == 0 && d < nd; d++) {
    w->shape[d] = (int64_t)dims[d];
    if (dims[d] > (hsize_t)MAX_ELEMS ||
        (dims[d] && w->size > MAX_ELEMS / (int64_t)dims[d]))
      rc = fail(err, "%s: weight '%s' is too large", where, w->name);
    w->size *= (int64_t)dims[d];
  }
  if (sp >= 0) H5Sclose(sp);
  if (rc) return rc;
  hid_t dcpl = H5Dget_create_plist(w->dset);
  int nf = dcpl < 0 ? 0 : H5Pget_nfilters(dcpl);
  if (dcpl >= 0) H5Pclose(dcpl);
  int64_t bound = file_bytes > INT64_MAX / MAX_RATIO ? INT64_MAX
                  : nf > 0 ? file_bytes * MAX_RATIO : file_bytes;
  if (w->size > bound / (int64_t)tsize)
    rc = fail(err, "%s: weight '%s' claims %lld values (%lld bytes), more "
              "than the %lld-byte file can hold", where, w->name,
              (long long)w->size, (long long)(w->size * (int64_t)tsize),
              (long long)file_bytes);
  return rc;
}

static int open_weight(H5kWeight *w, hid_t g, int64_t file_bytes,
                       const char *where, int ints, char *err) {
  hid_t d = open_kind(g, w->name, H5I_DATASET);
  if (d == -1)
    return fail(err, "%s: weight '%s' not found", where, w->name);
  if (d == -2)
    return fail(err, "%s: weight '%s' is not a dataset", where, w->name);
  w->dset = d;
  return check_dataset(w, file_bytes, where, ints, err);
}

/* The layer's group, its weight_names, each weight's dataset. The
 * names move from the list into the layer, so h5k_close frees them. */
static int open_layer(H5kFile *f, hid_t root, H5kLayer *l, int ints,
                      char *err) {
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
    rc = open_weight(&l->weights[j], g, f->file_bytes, where, ints, err);
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
    if (open_layer(f, root, &f->layers[i], 0, err)) return -1;
  }
  return 0;
}

/* A full model's optimizer_weights group (weight_names, datasets at
 * nested paths, the iteration count an integer) as one more layer,
 * named "optimizer_weights", after the model's layers. */
static int open_optimizer(H5kFile *f, char *err) {
  hid_t g = open_kind(f->file, "optimizer_weights", H5I_GROUP);
  if (g < 0) return 0;
  int has = has_list(g, "weight_names");
  H5Gclose(g);
  if (!has) return 0;
  H5kLayer *ls = realloc(f->layers, (size_t)(f->nlayers + 1) * sizeof *ls);
  if (!ls) return fail(err, "%s: out of memory", f->path);
  f->layers = ls;
  H5kLayer *l = &ls[f->nlayers];
  memset(l, 0, sizeof *l);
  l->name = strdup("optimizer_weights");
  f->nlayers++;
  if (!l->name) return fail(err, "%s: out of memory", f->path);
  f->has_optimizer = 1;
  if (open_layer(f, f->file, l, 1, err) == 0) return 0;
  /* dropped: load_weights never needs it, load_model reports why */
  for (int j = 0; j < l->nweights; j++) {
    if (l->weights[j].dset > 0) H5Dclose((hid_t)l->weights[j].dset);
    free(l->weights[j].name);
  }
  free(l->weights);
  free(l->name);
  f->nlayers--;
  f->has_optimizer = 0;
  f->optimizer_error = strdup(err);
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
  if (rc == 0 && f->full_model) {
    f->model_config = read_optional(f->file, "model_config");
    f->training_config = read_optional(f->file, "training_config");
    rc = open_optimizer(f, err);
  }
  return rc;
}

static int is_hdf5_quiet(const char *path) {
#if H5_VERSION_GE(1, 12, 0)
  return H5Fis_accessible(path, H5P_DEFAULT) > 0;
#else
  return H5Fis_hdf5(path) > 0;
#endif
}

/* Little-endian unsigned integer of k bytes (HDF5's byte order) */
static uint64_t le(const unsigned char *p, int k) {
  uint64_t v = 0;
  for (int i = k - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* The superblock, checked before libhdf5 is asked anything: the
 * signature at byte 0, 512, 1024, ... (after a user block), a version
 * libhdf5 knows, sizes of offsets and lengths it accepts, and an end of
 * file the file reaches. 1: no signature; -1: bad (err says why). */
static int check_superblock(FILE *fp, const char *path, int64_t size,
                            char *err) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n',
                                       0x1a, '\n'};
  unsigned char b[64];
  int64_t at = 0;
  for (; at + 8 <= size; at = at ? 2 * at : 512) {
    if (fseeko(fp, at, SEEK_SET) != 0) return 1;
    size_t got = fread(b, 1, sizeof b, fp);
    if (got >= 8 && memcmp(b, sig, 8) == 0) break;
  }
  if (at + 8 > size) return 1;
  int ver = b[8], so, sl, eof_at;
  if (ver <= 1) {
    so = b[13];
    sl = b[14];
    eof_at = (ver == 0 ? 24 : 28) + 2 * so;
  } else if (ver <= 3) {
    so = b[9];
    sl = b[10];
    eof_at = 12 + 2 * so;
  } else {
    return fail(err, "%s: not a valid Keras weight file (HDF5 superblock "
                "version %d is unknown)", path, ver);
  }
  if ((so != 2 && so != 4 && so != 8) || (sl != 2 && sl != 4 && sl != 8))
    return fail(err, "%s: not a valid Keras weight file (the HDF5 "
                "superblock is corrupt: %d-byte offsets, %d-byte lengths)",
                path, so, sl);
  uint64_t eof = le(b + eof_at, so);
  int undefined = so == 8 ? eof == UINT64_MAX : eof == (UINT64_C(1) << 8 * so) - 1;
  if (!undefined && eof > (uint64_t)(size - at))
    return fail(err, "%s: truncated: the HDF5 superblock says the file "
                "ends at byte %llu, it has %lld bytes", path,
                (unsigned long long)(eof + (uint64_t)at), (long long)size);
  return 0;
}

/* Plain-file checks first, for messages that say what is wrong; *size
 * gets the file's size. No libhdf5 here. */
static int check_file(const char *path, int64_t *size, char *err) {
  struct stat st;
  if (stat(path, &st) != 0)
    return fail(err, "cannot open %s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail(err, "%s: is a directory", path);
  if (!S_ISREG(st.st_mode))
    return fail(err, "%s: not a regular file", path);
  FILE *fp = fopen(path, "rb");
  if (!fp) return fail(err, "cannot open %s: %s", path, strerror(errno));
  *size = (int64_t)st.st_size;
  int rc = check_superblock(fp, path, *size, err);
  fclose(fp);
  return rc == 1 ? fail(err, "%s: not an HDF5 file", path) : rc;
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
  int64_t size = 0;
  if (check_file(path, &size, err)) return -1;
  Quiet q;
  quiet_on(&q);
  f->file_bytes = size;
  int rc = open_quiet(f, path, err);
  quiet_off(&q);
  if (rc) h5k_close(f);
  return rc;
}

static int read_isolated(H5kFile *f, int l, int w, float *dst,
                         int64_t count, char *err);

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
  if (f->isolated) return read_isolated(f, l, w, dst, count, err);
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
  proc_worker_end(&f->worker, NULL);
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
  free(f->model_config);
  free(f->training_config);
  free(f->optimizer_error);
  free(f->path);
  memset(f, 0, sizeof *f);
  quiet_off(&q);
}

/* ---- reading in a child process ----------------------------------------
 *
 * libhdf5 1.10 trusts what a file says about itself: fuzzed weight files
 * make it read out of bounds (H5Aread of variable-length strings,
 * H5Aexists) or loop for ever (H5C_protect). So h5k_open_isolated runs
 * h5k_open and h5k_read in a forked child and takes their results from
 * a pipe, in native byte order (both ends are this program):
 *
 *   u32 0, u32 full_model, str backend, str keras_version,
 *     str model_config, str training_config, str optimizer_error,
 *     u32 has_optimizer, u32 nlayers,
 *     per layer: str name, u32 nweights,
 *       per weight: str name, u32 ndim, i64 shape[ndim]
 *   then per weight in order: u32 0 and size float32 values
 *   (at any point instead: u32 1, str message, and the child stops)
 *
 * str is u32 length (UINT32_MAX for NULL) and the bytes. The parent
 * checks every count and length it is sent before allocating. */

#define NO_STR UINT32_MAX
#define MAX_STR (16u << 20)

typedef proc_out Out;

static void out_bytes(Out *o, const void *p, size_t n) { proc_out_put(o, p, n); }
static void out_u32(Out *o, uint32_t v) { out_bytes(o, &v, sizeof v); }
static void out_str(Out *o, const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n >= MAX_STR) n = MAX_STR - 1;
  out_u32(o, s ? (uint32_t)n : NO_STR);
  out_bytes(o, s, n);
}

static void child_fail(Out *o, const char *msg) {
  out_u32(o, 1);
  out_str(o, msg);
  proc_out_flush(o);
}

/* The child: everything h5k_open and h5k_read would give the parent. */
static void child_read(int fd, void *arg) {
  const char *path = arg;
  static Out o;          /* 64 KB: not on the stack */
  o.fd = fd;
  H5kFile f;
  char err[H5K_ERRLEN];
  if (h5k_open(&f, path, err)) { child_fail(&o, err); return; }
  out_u32(&o, 0);
  out_u32(&o, (uint32_t)f.full_model);
  out_str(&o, f.backend);
  out_str(&o, f.keras_version);
  out_str(&o, f.model_config);
  out_str(&o, f.training_config);
  out_str(&o, f.optimizer_error);
  out_u32(&o, (uint32_t)f.has_optimizer);
  out_u32(&o, (uint32_t)f.nlayers);
  for (int i = 0; i < f.nlayers; i++) {
    const H5kLayer *l = &f.layers[i];
    out_str(&o, l->name);
    out_u32(&o, (uint32_t)l->nweights);
    for (int j = 0; j < l->nweights; j++) {
      const H5kWeight *w = &l->weights[j];
      out_str(&o, w->name);
      out_u32(&o, (uint32_t)w->ndim);
      out_bytes(&o, w->shape, (size_t)w->ndim * sizeof w->shape[0]);
    }
  }
  for (int i = 0; i < f.nlayers && !o.bad; i++)
    for (int j = 0; j < f.layers[i].nweights && !o.bad; j++) {
      int64_t n = f.layers[i].weights[j].size;
      float *v = malloc((size_t)(n ? n : 1) * sizeof *v);
      if (!v) {
        snprintf(err, sizeof err, "%s: layer '%s': weight '%s': out of "
                 "memory", path, f.layers[i].name,
                 f.layers[i].weights[j].name);
        child_fail(&o, err);
        return;
      }
      if (h5k_read(&f, i, j, v, n, err)) {
        child_fail(&o, err);
        return;
      }
      out_u32(&o, 0);
      out_bytes(&o, v, (size_t)n * sizeof *v);
      free(v);
    }
  proc_out_flush(&o);
  /* no h5k_close: the child _exits, and closing could meet the damage */
}

/* The child's limits for a file of this size: 2 s of CPU time and 1 s
 * more per 16 MB (libhdf5 reads hundreds of MB a second), and 512 MB of
 * memory on top of the program's own plus twice the file. */
static double cpu_limit(int64_t bytes) {
  return 2.0 + (double)bytes / (16 << 20);
}
#define IDLE_SECONDS 60.0

/* The child ended, went quiet or sent nonsense (rc from the reads):
 * say which, naming the file. */
static int worker_failed(H5kFile *f, int rc, char *err) {
  proc_result r;
  proc_worker_end(&f->worker, &r);
  const char *p = f->path;
  if (rc == -2)
    return fail(err, "%s: not a valid Keras weight file (the HDF5 library "
                "sent nothing for %.0f s reading it; stopped)", p,
                IDLE_SECONDS);
  if (r.signal == SIGINT) return fail(err, "%s: reading interrupted", p);
  if (r.signal == SIGXCPU || r.signal == SIGKILL)
    return fail(err, "%s: not a valid Keras weight file (the HDF5 library "
                "was still reading it after %.0f s of CPU time; stopped)", p,
                cpu_limit(f->file_bytes));
  if (r.signal)
    return fail(err, "%s: not a valid Keras weight file (the HDF5 library "
                "crashed reading it: %s)", p, strsignal(r.signal));
  if (r.exited && r.code)
    return fail(err, "%s: not a valid Keras weight file (the HDF5 library "
                "crashed reading it: exit status %d)", p, r.code);
  return fail(err, "%s: not a valid Keras weight file (its reader process "
              "ended early)", p);
}

typedef struct {
  H5kFile *f;
  int rc;                        /* 0, or the first failed read's */
} In;

static void in_bytes(In *in, void *p, size_t n) {
  if (in->rc == 0 && n)
    in->rc = proc_worker_read(&in->f->worker, p, n, IDLE_SECONDS);
}
static uint32_t in_u32(In *in) {
  uint32_t v = 0;
  in_bytes(in, &v, sizeof v);
  return in->rc ? 0 : v;
}
/* a string, or NULL (NO_STR, or a failed read: in->rc says which) */
static char *in_str(In *in) {
  uint32_t n = in_u32(in);
  if (in->rc || n == NO_STR) return NULL;
  if (n >= MAX_STR) { in->rc = -3; return NULL; }
  char *s = malloc((size_t)n + 1);
  if (!s) { in->rc = -4; return NULL; }
  in_bytes(in, s, n);
  s[n] = '\0';
  if (in->rc) { free(s); return NULL; }
  return s;
}

/* After a status word 1: the child's own message, which names the file. */
static int child_message(H5kFile *f, In *in, char *err) {
  char *m = in_str(in);
  if (!m) return worker_failed(f, in->rc ? in->rc : -3, err);
  fail(err, "%s", m);
  free(m);
  proc_worker_end(&f->worker, NULL);
  return -1;
}

/* The structure the child sends, checked as it comes. */
static int read_structure(H5kFile *f, In *in, char *err) {
  uint32_t st = in_u32(in);
  if (in->rc == 0 && st == 1) return child_message(f, in, err);
  f->full_model = in_u32(in) != 0;
  char *b = in_str(in);
  f->backend = b;
  f->keras_version = in_str(in);
  f->model_config = in_str(in);
  f->training_config = in_str(in);
  f->optimizer_error = in_str(in);
  f->has_optimizer = in_u32(in) != 0;
  uint32_t nl = in_u32(in);
  if (in->rc == 0 && (st != 0 || nl > MAX_NAMES)) in->rc = -3;
  if (in->rc == 0 && nl > 0 &&
      !(f->layers = calloc(nl, sizeof *f->layers)))
    return fail(err, "%s: out of memory", f->path);
  int64_t total = 0;
  for (uint32_t i = 0; in->rc == 0 && i < nl; i++) {
    H5kLayer *l = &f->layers[i];
    f->nlayers = (int)i + 1;
    l->name = in_str(in);
    uint32_t nw = in_u32(in);
    if (in->rc == 0 && (!l->name || nw > MAX_NAMES)) in->rc = -3;
    if (in->rc == 0 && nw > 0 && !(l->weights = calloc(nw, sizeof *l->weights)))
      return fail(err, "%s: out of memory", f->path);
    for (uint32_t j = 0; in->rc == 0 && j < nw; j++) {
      H5kWeight *w = &l->weights[j];
      l->nweights = (int)j + 1;
      w->name = in_str(in);
      uint32_t nd = in_u32(in);
      if (in->rc == 0 && (!w->name || nd > TENSOR_MAXDIM)) in->rc = -3;
      if (in->rc) break;
      w->ndim = (int)nd;
      in_bytes(in, w->shape, nd * sizeof w->shape[0]);
      w->size = 1;
      for (uint32_t d = 0; in->rc == 0 && d < nd; d++) {
        if (w->shape[d] < 0 || w->shape[d] > MAX_ELEMS ||
            (w->shape[d] && w->size > MAX_ELEMS / w->shape[d]))
          in->rc = -3;
        else
          w->size *= w->shape[d];
      }
      total += w->size;
      /* the child checked each weight against the file; this bounds
       * what the parent will allocate even if the child was misled */
      if (in->rc == 0 && total / MAX_RATIO > f->file_bytes / 4) in->rc = -3;
    }
  }
  if (in->rc == -4) return fail(err, "%s: out of memory", f->path);
  if (in->rc) return worker_failed(f, in->rc, err);
  return 0;
}

static void advance(H5kFile *f);

int h5k_open_isolated(H5kFile *f, const char *path, char *err) {
  memset(f, 0, sizeof *f);
  int64_t size = 0;
  if (check_file(path, &size, err)) return -1;
  f->path = strdup(path);
  if (!f->path) return fail(err, "%s: out of memory", path);
  f->file_bytes = size;
  f->isolated = 1;
  proc_opts o;
  memset(&o, 0, sizeof o);
  o.cpu_seconds = cpu_limit(size);
  o.memory_bytes = ((int64_t)512 << 20) + 2 * size;
  if (proc_worker_start(&f->worker, &o, child_read, (void *)path) != 0) {
    int e = errno;
    h5k_close(f);
    return fail(err, "%s: cannot start a reader process (%s)", path,
                strerror(e));
  }
  In in = {f, 0};
  int rc = read_structure(f, &in, err);
  if (rc) h5k_close(f);
  f->next_w = -1;
  if (rc == 0) advance(f);     /* the first layer with weights */
  return rc;
}

/* The next weight in file order after (l, w) */
static void advance(H5kFile *f) {
  f->next_w++;
  while (f->next_l < f->nlayers &&
         f->next_w >= f->layers[f->next_l].nweights) {
    f->next_l++;
    f->next_w = 0;
  }
}

/* One weight's status word and values from the child, into dst (NULL:
 * read and drop them). */
static int read_from_child(H5kFile *f, float *dst, int64_t count,
                           char *err) {
  In in = {f, 0};
  if (f->worker.pid <= 0)
    return fail(err, "%s: the reader process has stopped", f->path);
  uint32_t st = in_u32(&in);
  if (in.rc == 0 && st == 1) return child_message(f, &in, err);
  if (in.rc == 0 && st != 0) in.rc = -3;
  if (dst) {
    in_bytes(&in, dst, (size_t)count * sizeof *dst);
  } else {
    float tmp[4096];
    for (int64_t left = count; in.rc == 0 && left > 0; left -= 4096)
      in_bytes(&in, tmp, (size_t)(left < 4096 ? left : 4096) * sizeof *tmp);
  }
  if (in.rc) return worker_failed(f, in.rc, err);
  advance(f);
  return 0;
}

static int read_isolated(H5kFile *f, int l, int w, float *dst,
                         int64_t count, char *err) {
  if (l < f->next_l || (l == f->next_l && w < f->next_w))
    return fail(err, "%s: layer '%s': weight '%s' was read already (the "
                "weights of an isolated file come in file order)", f->path,
                f->layers[l].name, f->layers[l].weights[w].name);
  while (f->next_l != l || f->next_w != w)
    if (read_from_child(f, NULL,
                        f->layers[f->next_l].weights[f->next_w].size, err))
      return -1;
  return read_from_child(f, dst, count, err);
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

/* The optimizer's weights: one group, its weight_names, the datasets */
static int write_optimizer(hid_t file, const H5kOutLayer *o, char *err) {
  hid_t g = H5Gcreate2(file, "optimizer_weights", H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT);
  if (g < 0) {
    char why[160];
    return fail(err, "group 'optimizer_weights' cannot be made (%s)",
                detail(why));
  }
  const char **names = calloc((size_t)o->nweights + 1, sizeof *names);
  int rc = names ? 0 : fail(err, "optimizer_weights: out of memory");
  for (int j = 0; rc == 0 && j < o->nweights; j++)
    names[j] = o->weights[j].name;
  if (rc == 0) rc = write_list(g, "weight_names", names, o->nweights, err);
  for (int j = 0; rc == 0 && j < o->nweights; j++)
    rc = write_weight(g, &o->weights[j], "optimizer_weights", err);
  free(names);
  H5Gclose(g);
  return rc;
}

static int write_quiet(const char *path, const H5kOutLayer *layers,
                       int nlayers, const H5kOutModel *model,
                       const char *backend, const char *keras_version,
                       char *err) {
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
  hid_t wg = file;           /* the group holding layer_names */
  if (rc == 0 && model) {
    if (backend) rc = write_strings(file, "backend", &backend, 1, 1, err);
    if (rc == 0 && keras_version)
      rc = write_strings(file, "keras_version", &keras_version, 1, 1, err);
    if (rc == 0 && model->model_config)
      rc = write_strings(file, "model_config", &model->model_config, 1, 1,
                         err);
    if (rc == 0 && model->training_config)
      rc = write_strings(file, "training_config", &model->training_config,
                         1, 1, err);
    if (rc == 0) {
      wg = H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT,
                      H5P_DEFAULT);
      if (wg < 0) {
        wg = file;
        rc = fail(err, "group 'model_weights' cannot be made (%s)",
                  detail(why));
      }
    }
  }
  for (int i = 0; rc == 0 && i < nlayers; i++) names[i] = layers[i].name;
  if (rc == 0) rc = write_list(wg, "layer_names", names, nlayers, err);
  if (rc == 0 && backend)
    rc = write_strings(wg, "backend", &backend, 1, 1, err);
  if (rc == 0 && keras_version)
    rc = write_strings(wg, "keras_version", &keras_version, 1, 1, err);
  for (int i = 0; rc == 0 && i < nlayers; i++)
    rc = write_layer(wg, &layers[i], err);
  if (wg != file) H5Gclose(wg);
  if (rc == 0 && model && model->optimizer)
    rc = write_optimizer(file, model->optimizer, err);
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
  int rc = write_quiet(path, layers, nlayers, NULL, backend, keras_version,
                       err);
  quiet_off(&q);
  return rc;
}

int h5k_write_model(const char *path, const H5kOutLayer *layers,
                    int nlayers, const H5kOutModel *model,
                    const char *backend, const char *keras_version,
                    char *err) {
  Quiet q;
  quiet_on(&q);
  int rc = write_quiet(path, layers, nlayers, model, backend, keras_version,
                       err);
  quiet_off(&q);
  return rc;
}
