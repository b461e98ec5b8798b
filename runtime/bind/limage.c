/* limage.c - the `image` Lua module: images as HxW or HxWxC tensors of
 * floats in [0,1]; PNG load/save, gray, resize, crop, pad, filtering,
 * pooling, kernels, montage.
 *
 *   image.load(path[, {gray=bool}])       HxWxC: 1 gray, 2 gray+alpha,
 *                                         3 RGB, 4 RGBA (palette: 3/4)
 *   image.save(img, path[, {normalize=bool}])  8-bit PNG; returns path
 *   image.to_gray(img)                    luminance, alpha over white
 *   image.resize(img, h, w) / (img, {h, w})    bilinear, half-pixel
 *   image.crop(img, top, left, h, w)      top/left count from 1
 *   image.pad(img, n | {top, bottom, left, right}[, {border=}])
 *   image.filter(img, kernel[, {padding=, border=, stride=}])
 *   image.max_pool(img, size[, stride]) / image.avg_pool(...)
 *   image.kernels.box/gaussian/laplacian/laplacian_neg/laplacian8/
 *                 sobel_x/sobel_y
 *   image.montage{img, ..., captions={...}, cols=n, normalize=bool}
 *   image.hog(img[, {orientations=, pixels_per_cell=, cells_per_block=,
 *             block_norm=, transform_sqrt=, feature_vector=,
 *             visualize=}])      features[, picture]: skimage's hog
 *   image.affine_transform(img, matrix[, {offset=, mode=, cval=,
 *             order=1, flip=}])  scipy.ndimage.affine_transform, order 1,
 *                               per channel; img HxW, HxWxC or NxHxWxC
 *                               (matrix 2x2/2x3/3x3, or one per image)
 *   image.ImageDataGenerator    (lazy) runtime/lua/image_augment.lua
 *
 * Results keep the input's layout (HxW in, HxW out). Every check
 * happens here, before anything is allocated, and every error is
 * raised at level 1 so it names the calling script's line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "image/affine.h"
#include "image/hog.h"
#include "image/image.h"
#include "bind/ltensor.h"

#define LOADER_MT "workbook.image.loader"
#define LI(x) ((long long)(x))

/* ---- argument helpers --------------------------------------------- */

/* "a 4-d tensor (1, 512, 512, 3)" for messages */
static const char *describe(lua_State *L, int i) {
  Tensor *t = test_tensor(L, i);
  if (!t) return luaL_typename(L, i);
  char b[160];
  return lua_pushfstring(L, "a %d-d tensor %s", t->ndim,
                         tensor_shape_str(t, b, sizeof b));
}

/* The image at index i as an Image (HxW counts as one channel); a
 * contiguous copy is pushed when the tensor is a strided view. */
static Image check_image(lua_State *L, int i, const char *fn, int *rank) {
  Tensor *t = test_tensor(L, i);
  if (!t || (t->ndim != 2 && t->ndim != 3))
    lerror(L, "%s: expected an HxW or HxWxC image, got %s", fn,
               describe(L, i));
  if (t->size == 0)
    lerror(L, "%s: the image is empty, %s", fn, describe(L, i));
  int pushed;
  t = contiguous_tensor(L, i, &pushed);
  if (rank) *rank = t->ndim;
  if (t->ndim == 3 && t->shape[2] > 1 << 20)
    lerror(L, "%s: %lld channels is too many for an image", fn,
               LI(t->shape[2]));
  return (Image){t->data, t->shape[0], t->shape[1],
                 t->ndim == 3 ? (int)t->shape[2] : 1};
}

/* A new image tensor: HxW when rank is 2 (c must be 1), else HxWxC. */
static Image push_image(lua_State *L, int64_t h, int64_t w, int c, int rank) {
  int64_t shape[3] = {h, w, c};
  Tensor *t = push_tensor(L, rank == 2 ? 2 : 3, shape);
  return (Image){t->data, h, w, c};
}

static void check_channels(lua_State *L, const Image *im, const char *fn) {
  if (im->c > 4)
    lerror(L, "%s: expected 1 to 4 channels (gray, gray+alpha, RGB, "
               "RGBA), got %d", fn, im->c);
}

/* An integer from the value at index i; what names it in messages. */
static int64_t get_int(lua_State *L, int i, const char *fn, const char *what) {
  int isint = 0;
  lua_Integer v = 0;
  if (lua_type(L, i) == LUA_TNUMBER) v = lua_tointegerx(L, i, &isint);
  if (!isint)
    lerror(L, "%s: %s must be an integer, got %s", fn, what,
               lua_type(L, i) == LUA_TNUMBER ? lua_tostring(L, i)
                                             : luaL_typename(L, i));
  return (int64_t)v;
}

static int64_t get_positive(lua_State *L, int i, const char *fn,
                            const char *what) {
  int64_t v = get_int(L, i, fn, what);
  if (v < 1) lerror(L, "%s: %s must be positive, got %lld", fn, what, LI(v));
  return v;
}

/* A size for two axes: a number n (n, n) or a table {a, b}. */
static void get_pair(lua_State *L, int i, const char *fn, const char *what,
                     int64_t out[2]) {
  i = lua_absindex(L, i);
  if (!lua_istable(L, i)) {
    out[0] = out[1] = get_positive(L, i, fn, what);
    return;
  }
  if (luaL_len(L, i) != 2)
    lerror(L, "%s: %s must be a number or a table of 2 numbers, got "
               "a table of %d", fn, what, (int)luaL_len(L, i));
  for (int k = 0; k < 2; k++) {
    lua_geti(L, i, k + 1);
    out[k] = get_positive(L, -1, fn, what);
    lua_pop(L, 1);
  }
}

/* Push "'a', 'b' or 'c'" for the NULL-terminated names. */
static const char *push_choices(lua_State *L, const char *const *names) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int j = 0; names[j]; j++) {
    if (j) luaL_addstring(&b, names[j + 1] ? ", " : " or ");
    luaL_addchar(&b, '\'');
    luaL_addstring(&b, names[j]);
    luaL_addchar(&b, '\'');
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

/* Push option key of the table at i (nil when there is no table). */
static int get_opt(lua_State *L, int i, const char *key) {
  if (!lua_istable(L, i)) { lua_pushnil(L); return LUA_TNIL; }
  return lua_getfield(L, i, key);
}

static int opt_bool(lua_State *L, int i, const char *key, const char *fn) {
  int t = get_opt(L, i, key);
  if (t != LUA_TNIL && t != LUA_TBOOLEAN)
    lerror(L, "%s: option %s must be true or false, got %s", fn, key,
               luaL_typename(L, -1));
  int v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* One of names (NULL-terminated); def when the option is absent. */
static int opt_enum(lua_State *L, int i, const char *key, int def,
                    const char *const *names, const char *fn) {
  if (get_opt(L, i, key) == LUA_TNIL) { lua_pop(L, 1); return def; }
  const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  for (int j = 0; s && names[j]; j++)
    if (strcmp(s, names[j]) == 0) { lua_pop(L, 1); return j; }
  lerror(L, "%s: %s must be %s, got %s", fn, key, push_choices(L, names),
             s ? lua_pushfstring(L, "'%s'", s) : luaL_typename(L, -1));
  return def;
}

static const char *check_path(lua_State *L, int i, const char *fn) {
  if (lua_type(L, i) != LUA_TSTRING)
    lerror(L, "%s: expected a file name, got %s", fn, luaL_typename(L, i));
  return lua_tostring(L, i);
}

/* ---- load and save ------------------------------------------------ */

/* Everything a load holds, on a userdata so an error (even out of
 * memory inside push_tensor) cannot leak it: __gc releases. */
typedef struct Loader {
  ImagePng r;
  void *mem, *raw;
} Loader;

static void loader_release(Loader *ld) {
  image_png_end(&ld->r);
  free(ld->raw);
  free(ld->mem);
  ld->raw = ld->mem = NULL;
}

static int loader_gc(lua_State *L) {
  loader_release(luaL_checkudata(L, 1, LOADER_MT));
  return 0;
}

static int l_load(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their places */
  static const char *const known[] = {"gray", NULL};
  const char *fn = "image.load", *path = check_path(L, 1, fn);
  check_option_names(L, 2, fn, known, 0);
  int gray = opt_bool(L, 2, "gray", fn);
  char err[TENSOR_ERRLEN];
  size_t n;
  Loader *ld = lua_newuserdatauv(L, sizeof *ld, 0);
  memset(ld, 0, sizeof *ld);
  luaL_setmetatable(L, LOADER_MT);
  if (image_read_file(path, &ld->mem, &n, err)
      || image_png_begin(&ld->r, ld->mem, n, path, err)) {
    loader_release(ld);
    return lerror(L, "%s: %s", fn, err);
  }
  ld->raw = malloc(ld->r.raw_bytes);
  if (!ld->raw) {
    loader_release(ld);
    return lerror(L, "%s: %s: out of memory", fn, path);
  }
  Image out = push_image(L, ld->r.h, ld->r.w, gray ? 1 : ld->r.c, 3);
  int rc = image_png_finish(&ld->r, ld->raw, out.data, gray, path, err);
  loader_release(ld);
  if (rc) return lerror(L, "%s: %s", fn, err);
  return 1;
}

/* caption= and label= of a saved figure go to the course book
 * (book._figure in runtime/lua/book.lua; a no-op outside the build). */
static void book_caption(lua_State *L, int path, int opts) {
  if (!lua_istable(L, opts)) return;
  lua_getfield(L, opts, "caption");
  lua_getfield(L, opts, "label");
  int none = lua_isnil(L, -1) && lua_isnil(L, -2);
  lua_pop(L, 2);
  if (none) return;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "book");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "_figure");
  lua_pushvalue(L, path);
  lua_getfield(L, opts, "caption");
  lua_getfield(L, opts, "label");
  lua_call(L, 3, 0);
  lua_pop(L, 1);
}

static int l_save(lua_State *L) {
  lua_settop(L, 3);   /* arguments keep their places */
  static const OptSpec spec[] = {{"normalize", OPT_ANY}, {"caption", OPT_STRING},
                                 {"label", OPT_STRING}, {NULL, 0}};
  const char *fn = "image.save";
  Image im = check_image(L, 1, fn, NULL);
  const char *path = check_path(L, 2, fn);
  check_options(L, 3, fn, spec, 0);
  int normalize = opt_bool(L, 3, "normalize", fn);
  check_channels(L, &im, fn);
  char err[TENSOR_ERRLEN];
  if (image_save_png(path, &im, normalize, err))
    return lerror(L, "%s: %s", fn, err);
  book_caption(L, 2, 3);
  lua_pushvalue(L, 2);
  return 1;
}

/* ---- pixel operations --------------------------------------------- */

static int l_to_gray(lua_State *L) {
  lua_settop(L, 1);   /* arguments keep their places */
  const char *fn = "image.to_gray";
  int rank;
  Image im = check_image(L, 1, fn, &rank);
  check_channels(L, &im, fn);
  Image out = push_image(L, im.h, im.w, 1, rank);
  char err[TENSOR_ERRLEN];
  image_to_gray(&im, &out, err);
  return 1;
}

static int l_resize(lua_State *L) {
  lua_settop(L, 3);   /* arguments keep their places */
  const char *fn = "image.resize";
  int rank;
  Image im = check_image(L, 1, fn, &rank);
  int64_t size[2];
  if (lua_istable(L, 2)) get_pair(L, 2, fn, "size", size);
  else {
    size[0] = get_positive(L, 2, fn, "height");
    size[1] = get_positive(L, 3, fn, "width");
  }
  if (size[0] > IMAGE_MAX_ELEMS / size[1] / im.c)
    return lerror(L, "%s: %lldx%lld is too large", fn, LI(size[0]),
                      LI(size[1]));
  Image out = push_image(L, size[0], size[1], im.c, rank);
  char err[TENSOR_ERRLEN];
  if (image_resize(&im, &out, err)) return lerror(L, "%s: %s", fn, err);
  return 1;
}

static int l_crop(lua_State *L) {
  lua_settop(L, 5);   /* arguments keep their places */
  const char *fn = "image.crop";
  int rank;
  Image im = check_image(L, 1, fn, &rank);
  int64_t top = get_int(L, 2, fn, "top"), left = get_int(L, 3, fn, "left");
  int64_t h = get_positive(L, 4, fn, "height");
  int64_t w = get_positive(L, 5, fn, "width");
  if (top < 1 || left < 1 || top - 1 > im.h - h || left - 1 > im.w - w) {
    /* the last row and column, for the message; top + h - 1 may pass
     * INT64_MAX for a huge top (then the largest int64 is shown) */
    int64_t bottom, right;
    if (__builtin_add_overflow(top, h - 1, &bottom)) bottom = INT64_MAX;
    if (__builtin_add_overflow(left, w - 1, &right)) right = INT64_MAX;
    return lerror(L, "%s: rows %lld..%lld, columns %lld..%lld are not "
                      "inside the %lldx%lld image (rows and columns count "
                      "from 1)", fn, LI(top), LI(bottom), LI(left),
                      LI(right), LI(im.h), LI(im.w));
  }
  Image out = push_image(L, h, w, im.c, rank);
  char err[TENSOR_ERRLEN];
  image_crop(&im, top - 1, left - 1, &out, err);
  return 1;
}

static const char *const border_names[] = {"zero", "reflect", "replicate",
                                           NULL};

static int l_pad(lua_State *L) {
  lua_settop(L, 3);   /* arguments keep their places */
  static const char *const known[] = {"border", NULL};
  const char *fn = "image.pad";
  int rank;
  Image im = check_image(L, 1, fn, &rank);
  int64_t pad[4];
  if (lua_istable(L, 2)) {
    if (luaL_len(L, 2) != 4)
      return lerror(L, "%s: padding must be a number or {top, bottom, "
                        "left, right}, got a table of %d", fn,
                        (int)luaL_len(L, 2));
    for (int k = 0; k < 4; k++) {
      lua_geti(L, 2, k + 1);
      pad[k] = get_int(L, -1, fn, "padding");
      lua_pop(L, 1);
    }
  } else {
    pad[0] = pad[1] = pad[2] = pad[3] = get_int(L, 2, fn, "padding");
  }
  for (int k = 0; k < 4; k++)
    if (pad[k] < 0 || pad[k] > 1 << 20)
      return lerror(L, "%s: padding must be between 0 and %d, got %lld",
                        fn, 1 << 20, LI(pad[k]));
  check_option_names(L, 3, fn, known, 0);
  ImageBorder b = opt_enum(L, 3, "border", IMG_BORDER_ZERO, border_names, fn);
  int64_t h = im.h + pad[0] + pad[1], w = im.w + pad[2] + pad[3];
  if (h > IMAGE_MAX_ELEMS / w / im.c)
    return lerror(L, "%s: %lldx%lld is too large", fn, LI(h), LI(w));
  Image out = push_image(L, h, w, im.c, rank);
  char err[TENSOR_ERRLEN];
  if (image_pad(&im, pad, b, &out, err))
    return lerror(L, "%s: %s", fn, err);
  return 1;
}

/* ---- filtering and pooling ---------------------------------------- */

/* The kernel at index i as a contiguous 2-d tensor (pushed). */
static Tensor *check_kernel(lua_State *L, int i, const char *fn) {
  int top = lua_gettop(L);
  if (!test_tensor(L, i) && !lua_istable(L, i))
    lerror(L, "%s: kernel must be a 2-d tensor or a nested table, got %s",
               fn, luaL_typename(L, i));
  Tensor *k = to_tensor(L, i);
  int at = lua_gettop(L) > top ? -1 : i;
  if (k->ndim != 2)
    lerror(L, "%s: kernel must be 2-d (kh, kw), got %s", fn,
               describe(L, at));
  if (k->size == 0)
    lerror(L, "%s: the kernel is empty, %s", fn, describe(L, at));
  Tensor *c = push_tensor(L, 2, k->shape);
  tensor_gather(k, c->data);
  return c;
}

static int l_filter(lua_State *L) {
  lua_settop(L, 3);   /* arguments keep their places */
  static const char *const known[] = {"padding", "border", "stride",
                                      "strides", NULL};
  static const char *const padding_names[] = {"valid", "same", NULL};
  const char *fn = "image.filter";
  int rank;
  Image im = check_image(L, 1, fn, &rank);
  Tensor *k = check_kernel(L, 2, fn);
  ImageFilterOpt o = {IMG_PAD_VALID, IMG_BORDER_ZERO, 1, 1};
  if (lua_type(L, 3) == LUA_TSTRING) {     /* short form: the padding */
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "padding");
    lua_replace(L, 3);
  }
  check_option_names(L, 3, fn, known, 0);
  o.padding = opt_enum(L, 3, "padding", IMG_PAD_VALID, padding_names, fn);
  o.border = opt_enum(L, 3, "border", IMG_BORDER_ZERO, border_names, fn);
  int64_t stride[2] = {1, 1};
  for (int s = 0; s < 2; s++) {
    if (get_opt(L, 3, s ? "strides" : "stride") != LUA_TNIL)
      get_pair(L, -1, fn, "stride", stride);
    lua_pop(L, 1);
  }
  o.sy = stride[0], o.sx = stride[1];
  ImageGeom g;
  char err[TENSOR_ERRLEN];
  if (image_filter_geom(im.h, im.w, k->shape[0], k->shape[1], &o, &g, err))
    return lerror(L, "%s: %s", fn, err);
  Image out = push_image(L, g.oh, g.ow, im.c, rank);
  if (image_filter(&im, k->data, k->shape[0], k->shape[1], &o, &out, err))
    return lerror(L, "%s: %s", fn, err);
  return 1;
}

static int pool(lua_State *L, int max) {
  lua_settop(L, 3);   /* arguments keep their places */
  const char *fn = max ? "image.max_pool" : "image.avg_pool";
  int rank;
  Image im = check_image(L, 1, fn, &rank);
  int64_t size[2], stride[2];
  get_pair(L, 2, fn, "pool size", size);
  if (lua_isnoneornil(L, 3)) stride[0] = size[0], stride[1] = size[1];
  else get_pair(L, 3, fn, "stride", stride);
  ImageGeom g;
  char err[TENSOR_ERRLEN];
  if (image_pool_geom(im.h, im.w, size[0], size[1], stride[0], stride[1], &g,
                      err))
    return lerror(L, "%s: %s", fn, err);
  Image out = push_image(L, g.oh, g.ow, im.c, rank);
  image_pool(&im, size[0], size[1], stride[0], stride[1], max, &out);
  return 1;
}
static int l_max_pool(lua_State *L) { return pool(L, 1); }
static int l_avg_pool(lua_State *L) { return pool(L, 0); }

/* ---- kernels ------------------------------------------------------ */

static int push_3x3(lua_State *L, const float v[9]) {
  int64_t shape[2] = {3, 3};
  memcpy(push_tensor(L, 2, shape)->data, v, 9 * sizeof(float));
  return 1;
}

static int k_box(lua_State *L) {
  int64_t n = get_positive(L, 1, "image.kernels.box", "size");
  if (n > 4096)
    return lerror(L, "image.kernels.box: size %lld is too large", LI(n));
  int64_t shape[2] = {n, n};
  tensor_fill(push_tensor(L, 2, shape), 1.0f / (float)(n * n));
  return 1;
}

/* n x n samples of exp(-d^2 / 2 sigma^2) about the centre, summing to
 * 1; sigma defaults to OpenCV's choice for the size. */
static int k_gaussian(lua_State *L) {
  const char *fn = "image.kernels.gaussian";
  int64_t n = get_positive(L, 1, fn, "size");
  if (n > 4096) return lerror(L, "%s: size %lld is too large", fn, LI(n));
  double sigma = 0.3 * ((n - 1) * 0.5 - 1) + 0.8;
  if (!lua_isnoneornil(L, 2)) {
    if (lua_type(L, 2) != LUA_TNUMBER)
      return lerror(L, "%s: sigma must be a number, got %s", fn,
                        luaL_typename(L, 2));
    sigma = lua_tonumber(L, 2);
    if (!(sigma > 0) || !isfinite(sigma))
      return lerror(L, "%s: sigma must be positive, got %s", fn,
                        lua_tostring(L, 2));
  }
  int64_t shape[2] = {n, n};
  Tensor *t = push_tensor(L, 2, shape);
  double c = (n - 1) / 2.0, sum = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) {
      double d2 = (i - c) * (i - c) + (j - c) * (j - c);
      sum += t->data[i * n + j] = (float)exp(-d2 / (2 * sigma * sigma));
    }
  for (int64_t i = 0; i < n * n; i++) t->data[i] = (float)(t->data[i] / sum);
  return 1;
}

static int k_laplacian(lua_State *L) {
  return push_3x3(L, (const float[]){0, 1, 0, 1, -4, 1, 0, 1, 0});
}
static int k_laplacian_neg(lua_State *L) {
  return push_3x3(L, (const float[]){0, -1, 0, -1, 4, -1, 0, -1, 0});
}
static int k_laplacian8(lua_State *L) {
  return push_3x3(L, (const float[]){1, 1, 1, 1, -8, 1, 1, 1, 1});
}
/* Positive where brightness grows to the right / downwards. */
static int k_sobel_x(lua_State *L) {
  return push_3x3(L, (const float[]){-1, 0, 1, -2, 0, 2, -1, 0, 1});
}
static int k_sobel_y(lua_State *L) {
  return push_3x3(L, (const float[]){-1, -2, -1, 0, 0, 0, 1, 2, 1});
}

/* ---- montage ------------------------------------------------------ */

static int valid_utf8(const unsigned char *s) {
  while (*s) {
    int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
            : (*s & 0xf8) == 0xf0 ? 3 : -1;
    if (n < 0 || (n == 1 && *s < 0xc2)) return 0;
    for (s++; n > 0; n--, s++)
      if ((*s & 0xc0) != 0x80) return 0;
  }
  return 1;
}

/* Read the images t[1..n] and captions of the montage table at 1. */
static int montage_args(lua_State *L, const char *fn, Image **imgs,
                        const char ***caps) {
  int n = (int)luaL_len(L, 1);
  if (n < 1)
    lerror(L, "%s: no images given (expected {img1, img2, ...})", fn);
  luaL_checkstack(L, 2 * n + 8, "too many images");
  *imgs = lua_newuserdatauv(L, (size_t)n * sizeof **imgs, 0);
  *caps = lua_newuserdatauv(L, (size_t)n * sizeof **caps, 0);
  memset(*caps, 0, (size_t)n * sizeof **caps);
  for (int i = 0; i < n; i++) {
    lua_geti(L, 1, i + 1);
    Tensor *t = test_tensor(L, -1);
    if (!t || (t->ndim != 2 && t->ndim != 3))
      lerror(L, "%s: image %d: expected an HxW or HxWxC image, got %s",
                 fn, i + 1, describe(L, -1));
    (*imgs)[i] = check_image(L, lua_gettop(L), fn, NULL);  /* stays pushed */
    if ((*imgs)[i].c > 4)
      lerror(L, "%s: image %d has %d channels; expected 1 to 4", fn,
                 i + 1, (*imgs)[i].c);
  }
  if (get_opt(L, 1, "captions") == LUA_TNIL) return n;
  if (!lua_istable(L, -1))
    lerror(L, "%s: captions must be a table of strings, got %s", fn,
               luaL_typename(L, -1));
  int nc = (int)luaL_len(L, -1);
  if (nc > n) lerror(L, "%s: %d captions for %d images", fn, nc, n);
  for (int i = 0; i < nc; i++) {
    if (lua_geti(L, -1, i + 1) != LUA_TSTRING)
      lerror(L, "%s: caption %d must be a string, got %s", fn, i + 1,
                 luaL_typename(L, -1));
    (*caps)[i] = lua_tostring(L, -1);
    if (!valid_utf8((const unsigned char *)(*caps)[i]))
      lerror(L, "%s: caption %d is not valid UTF-8", fn, i + 1);
    lua_pop(L, 1);    /* the captions table keeps the string alive */
  }
  return n;
}

static int l_montage(lua_State *L) {
  static const char *const known[] = {"captions", "cols", "normalize", NULL};
  const char *fn = "image.montage";
  if (!lua_istable(L, 1))
    return lerror(L, "%s: expected a table {img1, img2, ..., captions = "
                      "{...}, cols = n}, got %s", fn, luaL_typename(L, 1));
  lua_settop(L, 1);
  check_option_names(L, 1, fn, known, 1);
  int cols = 0;
  if (get_opt(L, 1, "cols") != LUA_TNIL) {
    int64_t c = get_positive(L, -1, fn, "cols");
    cols = c > 1 << 16 ? 1 << 16 : (int)c;
  }
  lua_pop(L, 1);
  int normalize = opt_bool(L, 1, "normalize", fn);
  Image *imgs;
  const char **caps;
  int n = montage_args(L, fn, &imgs, &caps);
  int any_caption = 0;
  for (int i = 0; i < n; i++) any_caption |= caps[i] != NULL;
  MontageLayout m;
  char err[TENSOR_ERRLEN];
  if (image_montage_layout(imgs, n, cols, any_caption, &m, err))
    return lerror(L, "%s: %s", fn, err);
  Image out = push_image(L, m.h, m.w, 3, 3);
  if (image_montage(imgs, n, caps, normalize, &m, out.data, err))
    return lerror(L, "%s: %s", fn, err);
  return 1;
}

/* ---- HOG ---------------------------------------------------------- */

/* A positive integer pair option (n or {rows, cols}); out keeps its
 * value when the option is absent. */
static void opt_pair(lua_State *L, int i, const char *key, const char *fn,
                     int64_t out[2]) {
  if (get_opt(L, i, key) != LUA_TNIL) get_pair(L, -1, fn, key, out);
  lua_pop(L, 1);
}

/* skimage.feature.hog's options and defaults from the table at i. */
static HogOpt hog_opts(lua_State *L, int i, const char *fn, int *flat,
                       int *visualize) {
  static const char *const known[] = {"orientations", "pixels_per_cell",
    "cells_per_block", "block_norm", "transform_sqrt", "feature_vector",
    "visualize", NULL};
  static const char *const norms[] = {"L1", "L1-sqrt", "L2", "L2-Hys", NULL};
  check_option_names(L, i, fn, known, 0);
  HogOpt o = hog_defaults();
  if (get_opt(L, i, "orientations") != LUA_TNIL) {
    int64_t n = get_positive(L, -1, fn, "orientations");
    if (n > HOG_MAX_BINS)
      lerror(L, "%s: orientations must be at most %d, got %lld", fn,
                 HOG_MAX_BINS, LI(n));
    o.orientations = (int)n;
  }
  lua_pop(L, 1);
  int64_t p[2] = {o.cell_h, o.cell_w}, b[2] = {o.block_h, o.block_w};
  opt_pair(L, i, "pixels_per_cell", fn, p);
  opt_pair(L, i, "cells_per_block", fn, b);
  o.cell_h = p[0], o.cell_w = p[1], o.block_h = b[0], o.block_w = b[1];
  o.norm = opt_enum(L, i, "block_norm", HOG_L2_HYS, norms, fn);
  o.transform_sqrt = opt_bool(L, i, "transform_sqrt", fn);
  *flat = get_opt(L, i, "feature_vector") == LUA_TNIL;   /* default on */
  lua_pop(L, 1);
  *flat = *flat || opt_bool(L, i, "feature_vector", fn);
  *visualize = opt_bool(L, i, "visualize", fn);
  return o;
}

/* Features (flat, or blocks x blocks x cells x cells x bins) and, with
 * visualize, the picture. HxWxC images with C > 1 are skimage's
 * channel_axis=-1: per pixel, the channel with the strongest gradient. */
static int l_hog(lua_State *L) {
  lua_settop(L, 2);   /* arguments keep their places */
  const char *fn = "image.hog";
  int rank, flat, visualize;
  Image im = check_image(L, 1, fn, &rank);
  HogOpt o = hog_opts(L, 2, fn, &flat, &visualize);
  HogGeom g;
  char err[TENSOR_ERRLEN];
  if (hog_geom(im.h, im.w, &o, &g, err)
      || hog_check_pixels(&im, o.transform_sqrt, err))
    return lerror(L, "%s: %s", fn, err);
  int64_t shape[5] = {g.blocks_h, g.blocks_w, o.block_h, o.block_w,
                      o.orientations};
  if (flat) shape[0] = g.size;
  Tensor *out = push_tensor(L, flat ? 1 : 5, shape);
  float *pic = visualize ? push_image(L, im.h, im.w, 1, rank).data : NULL;
  if (hog_compute(&im, &o, &g, out->data, pic, err))
    return lerror(L, "%s: %s", fn, err);
  return visualize ? 2 : 1;
}

/* ---- affine warp --------------------------------------------------- */

/* The value at i as a new contiguous float64 tensor (pushed), or an
 * error naming what. */
static Tensor *param_tensor(lua_State *L, int i, const char *fn,
                            const char *what) {
  int t = lua_type(L, i);
  if (t != LUA_TNUMBER && t != LUA_TTABLE && !test_tensor_any(L, i))
    lerror(L, "%s: %s must be a tensor or a table of numbers, got %s", fn,
           what, luaL_typename(L, i));
  Tensor *src = test_tensor_any(L, i);
  /* a contiguous float64 copy either way (pushed) */
  return src ? push_astype(L, src, TENSOR_F64) : to_tensor_any(L, i, TENSOR_F64);
}

/* affine_transform(img, matrix[, {offset, mode, cval, order}]) */
static int l_affine_transform(lua_State *L) {
  lua_settop(L, 3);
  const char *fn = "image.affine_transform";
  static const OptSpec spec[] = {{"offset", OPT_NUMBER | OPT_TABLE | OPT_USERDATA},
                                 {"mode", OPT_STRING}, {"cval", OPT_NUMBER},
                                 {"order", OPT_INTEGER}, {"flip", OPT_TABLE},
                                 {NULL, 0}};
  check_options(L, 3, fn, spec, 0);
  Tensor *t = test_tensor_any(L, 1);
  if (!t || t->ndim < 2 || t->ndim > 4)
    return lerror(L, "%s: expected an HxW, HxWxC or NxHxWxC image tensor, got %s",
                  fn, t ? describe(L, 1) : luaL_typename(L, 1));
  if (t->dtype != TENSOR_F32)
    return lerror(L, "%s: expected a float32 image, got %s (use img:float())",
                  fn, tensor_dtype_name(t->dtype));
  int pushed;
  t = contiguous_tensor(L, 1, &pushed);
  int rank = t->ndim;
  int64_t n = rank == 4 ? t->shape[0] : 1;
  int64_t h = t->shape[rank == 4 ? 1 : 0], w = t->shape[rank == 4 ? 2 : 1];
  int64_t c = rank == 4 ? t->shape[3] : rank == 3 ? t->shape[2] : 1;
  if (t->size == 0) return lerror(L, "%s: the image is empty, %s", fn, describe(L, 1));
  int order = 1;
  if (get_opt(L, 3, "order") != LUA_TNIL) order = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (order != 1)
    return lerror(L, "%s: only order = 1 (bilinear) is implemented, got order = %d",
                  fn, order);
  int mode = opt_enum(L, 3, "mode", AFFINE_CONSTANT, affine_mode_names, fn);
  double cval = 0;
  if (get_opt(L, 3, "cval") != LUA_TNIL) cval = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (!isfinite(cval)) return lerror(L, "%s: cval must be finite, got %g", fn, cval);

  /* the matrix: (2,2), (2,3) or (3,3); with a batch also (N, ...) */
  Tensor *m = param_tensor(L, 2, fn, "matrix");
  char b[160];
  int per = m->ndim == 3;
  int64_t rows = m->ndim >= 2 ? m->shape[m->ndim - 2] : 0;
  int64_t cols = m->ndim >= 2 ? m->shape[m->ndim - 1] : 0;
  if (m->ndim < 2 || m->ndim > 3 || (per && (rank != 4 || m->shape[0] != n)) ||
      !((rows == 2 && (cols == 2 || cols == 3)) || (rows == 3 && cols == 3)))
    return lerror(L, "%s: matrix must be 2x2, 2x3 or 3x3 (homogeneous)%s, got shape %s",
                  fn, rank == 4 ? lua_pushfstring(L, ", or one per image (%d, 2, 2)", (int)n) : "",
                  tensor_shape_str(m, b, sizeof b));
  int64_t np = per ? n : 1;
  AffineParams *p = lua_newuserdatauv(L, (size_t)np * sizeof *p, 0);
  memset(p, 0, (size_t)np * sizeof *p);
  for (int64_t k = 0; k < np; k++) {
    const double *v = m->f64 + k * rows * cols;
    p[k].m[0] = v[0], p[k].m[1] = v[1];
    p[k].m[2] = v[cols], p[k].m[3] = v[cols + 1];
    p[k].off[0] = cols == 3 ? v[2] : 0;
    p[k].off[1] = cols == 3 ? v[cols + 2] : 0;
  }
  /* the offset: a number (both axes), 2 values, or (N, 2) */
  if (get_opt(L, 3, "offset") != LUA_TNIL) {
    if (cols == 3)
      return lerror(L, "%s: give the offset either in a 2x3/3x3 matrix or as offset, not both", fn);
    int oi = lua_gettop(L);
    if (lua_type(L, oi) == LUA_TNUMBER) {
      double o = lua_tonumber(L, oi);
      for (int64_t k = 0; k < np; k++) p[k].off[0] = p[k].off[1] = o;
    } else {
      Tensor *o = param_tensor(L, oi, fn, "offset");
      int ok = (o->ndim == 1 && o->shape[0] == 2) ||
               (o->ndim == 2 && o->shape[1] == 2 && rank == 4 && o->shape[0] == n);
      if (!ok)
        return lerror(L, "%s: offset must be a number, 2 values%s, got shape %s", fn,
                      rank == 4 ? lua_pushfstring(L, " or (%d, 2)", (int)n) : "",
                      tensor_shape_str(o, b, sizeof b));
      if (o->ndim == 2 && np == 1) {   /* one matrix, offsets per image */
        AffineParams one = p[0];
        np = n;
        p = lua_newuserdatauv(L, (size_t)np * sizeof *p, 0);
        for (int64_t k = 0; k < np; k++) p[k] = one;
      }
      for (int64_t k = 0; k < np; k++) {
        int64_t r = o->ndim == 2 ? k : 0;
        p[k].off[0] = o->f64[r * 2], p[k].off[1] = o->f64[r * 2 + 1];
      }
    }
  }
  /* flip = {rows, cols} for all, or one such pair per image */
  if (get_opt(L, 3, "flip") != LUA_TNIL) {
    int fi = lua_gettop(L);
    int per_image = lua_rawgeti(L, fi, 1) == LUA_TTABLE;
    lua_pop(L, 1);
    int64_t nf = per_image ? (int64_t)lua_rawlen(L, fi) : 1;
    if (per_image && (rank != 4 || nf != n))
      return lerror(L, "%s: flip must be {rows, cols}%s, got %lld pairs", fn,
                    rank == 4 ? lua_pushfstring(L, " or %d such pairs", (int)n) : "",
                    (long long)nf);
    if (per_image && np == 1) {
      AffineParams one = p[0];
      np = n;
      p = lua_newuserdatauv(L, (size_t)np * sizeof *p, 0);
      for (int64_t k = 0; k < np; k++) p[k] = one;
    }
    for (int64_t k = 0; k < nf; k++) {
      if (per_image) lua_rawgeti(L, fi, (lua_Integer)k + 1);
      else lua_pushvalue(L, fi);
      for (int a = 0; a < 2; a++) {
        int ty = lua_type(L, -1) == LUA_TTABLE ? lua_rawgeti(L, -1, a + 1) : LUA_TNONE;
        if (ty != LUA_TBOOLEAN)
          return lerror(L, "%s: flip entries must be pairs of booleans {rows, cols}", fn);
        int v = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (per_image) p[k].flip[a] = v;
        else for (int64_t q = 0; q < np; q++) p[q].flip[a] = v;
      }
      lua_pop(L, 1);
    }
  }
  char err[TENSOR_ERRLEN];
  if (image_affine_check(n, h, w, c, p, np, err)) return lerror(L, "%s", err);
  Tensor *out = push_tensor(L, rank, t->shape);
  image_affine_batch(t->data, out->data, n, h, w, c, p, np, (AffineMode)mode, cval);
  return 1;
}

/* image.ImageDataGenerator, loaded on first use (image_augment.lua) */
static int image_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (!k || strcmp(k, "ImageDataGenerator") != 0) return 0;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "image_augment");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "ImageDataGenerator");
  return 1;
}

/* ---- module ------------------------------------------------------- */

static const luaL_Reg functions[] = {
  {"load", l_load}, {"save", l_save}, {"to_gray", l_to_gray},
  {"resize", l_resize}, {"crop", l_crop}, {"pad", l_pad},
  {"filter", l_filter}, {"max_pool", l_max_pool}, {"avg_pool", l_avg_pool},
  {"montage", l_montage}, {"hog", l_hog},
  {"affine_transform", l_affine_transform}, {NULL, NULL}
};

static const luaL_Reg kernels[] = {
  {"box", k_box}, {"gaussian", k_gaussian}, {"laplacian", k_laplacian},
  {"laplacian_neg", k_laplacian_neg}, {"laplacian8", k_laplacian8},
  {"sobel_x", k_sobel_x}, {"sobel_y", k_sobel_y}, {NULL, NULL}
};

int luaopen_image(lua_State *L) {
  lua_getglobal(L, "require");        /* tensors need their metatable */
  lua_pushliteral(L, "tensor");
  lua_call(L, 1, 0);
  if (luaL_newmetatable(L, LOADER_MT)) {
    lua_pushcfunction(L, loader_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  luaL_newlib(L, kernels);
  lua_setfield(L, -2, "kernels");
  lua_newtable(L);
  lua_pushcfunction(L, image_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  return 1;
}
