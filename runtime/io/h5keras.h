/* h5keras.h - read (and write) Keras 2 HDF5 weight files (model.save_weights('x.h5')
 * and the model_weights group of model.save('x.h5')) through libhdf5.
 *
 * The layout, as Keras 2.x's hdf5_format.py writes it: the group holding
 * the weights (the root, or /model_weights for a full model) carries the
 * attribute layer_names, a list of strings in the model's layer order;
 * a layer group of each name carries weight_names, naming datasets by
 * paths relative to that group ("conv2d/kernel:0" is the dataset
 * /conv2d/conv2d/kernel:0). Lists longer than HDF5's 64 KB attribute
 * limit are split into NAME0, NAME1, ... Strings are fixed-length (numpy
 * 'S' arrays, h5py 2) or variable-length (lists of bytes, h5py 3); an
 * empty list is stored as an empty float64 array.
 *
 * h5k_open reads and checks the whole structure (every name, type and
 * shape); h5k_read then fills one weight. Both return 0, or -1 with a
 * message in err (H5K_ERRLEN bytes) naming the file, layer and weight.
 * Nothing prints (HDF5's own error printing is off during each call and
 * restored after), nothing exits, and every HDF5 id is closed by
 * h5k_close, or by h5k_open itself when it fails. No Lua here. */
#ifndef WB_H5KERAS_H
#define WB_H5KERAS_H
#include <stdint.h>
#include "core/proc.h"
#include "core/tensor.h"

#define H5K_ERRLEN 512

typedef struct H5kWeight {
  char *name;                    /* weight_names entry, "conv2d/kernel:0" */
  int ndim;                      /* 0..TENSOR_MAXDIM */
  int64_t shape[TENSOR_MAXDIM];
  int64_t size;                  /* product of shape */
  int64_t dset;                  /* the open dataset (hid_t) */
} H5kWeight;

typedef struct H5kLayer {
  char *name;                    /* layer_names entry, "conv2d" */
  int nweights;                  /* 0 for layers without weights */
  H5kWeight *weights;
} H5kLayer;

typedef struct H5kFile {
  int64_t file;                  /* hid_t, 0 when closed */
  int full_model;                /* weights found under /model_weights */
  char *backend;                 /* root attributes; NULL when absent */
  char *keras_version;
  /* a full model's root attributes (JSON text); NULL when absent */
  char *model_config;
  char *training_config;
  /* the last layer is a full model's optimizer_weights group (named
   * "optimizer_weights"; integer datasets, the iteration count, are
   * read as floats there) */
  int has_optimizer;
  /* why a full model's optimizer_weights group could not be read (it is
   * then left out); NULL when it was read or is absent */
  char *optimizer_error;
  int nlayers;
  H5kLayer *layers;
  char *path;                    /* for messages */
  int64_t file_bytes;            /* the file's size, for the limits */
  /* h5k_open_isolated: the reader process, the next weight it sends */
  int isolated;
  proc_worker worker;
  int next_l, next_w;
} H5kFile;

/* 1 if path is a readable HDF5 file, else 0. Never fails loudly. */
int h5k_is_hdf5(const char *path);
/* Open read-only and read the layer and weight lists. On failure f is
 * left closed (safe to h5k_close again). */
int h5k_open(H5kFile *f, const char *path, char *err);
/* The same, with libhdf5 run in a child process (proc_worker_start)
 * under a CPU-time and a memory limit: the child opens the file, sends
 * the structure, then every weight in order. A corrupt or hostile file
 * that makes libhdf5 crash, loop or allocate without end ends only the
 * child, and this returns -1 with "PATH: not a valid Keras weight file
 * (the HDF5 library crashed reading it)" or similar. f->file stays 0 and
 * the weights' dset 0; h5k_read reads from the child and must be called
 * in file order (a skipped weight is read and dropped). For every file
 * from outside the program. */
int h5k_open_isolated(H5kFile *f, const char *path, char *err);
/* Read weight w of layer l as float32 (float64 files are converted)
 * into dst, which holds count floats; count must equal the weight's
 * size. */
int h5k_read(H5kFile *f, int l, int w, float *dst, int64_t count,
             char *err);
/* Close every id and free every name; safe on a closed or zeroed f. */
void h5k_close(H5kFile *f);

/* ---- writing ----------------------------------------------------------- */

/* One weight or layer to write; the caller owns every pointer. */
typedef struct H5kOutWeight {
  const char *name;              /* "conv2d/kernel:0": a nested path */
  int ndim;
  int64_t shape[TENSOR_MAXDIM];
  const float *data;             /* product of shape floats, row-major */
} H5kOutWeight;

typedef struct H5kOutLayer {
  const char *name;
  int nweights;
  const H5kOutWeight *weights;
} H5kOutLayer;

/* Write a new file at path (replacing one there) in the layout Keras 2's
 * save_weights writes with h5py 2: root attributes layer_names,
 * backend, keras_version as fixed-length strings (lists over 64 KB
 * split into layer_names0, layer_names1, ...), one group per layer
 * with weight_names ([] as an empty float64 array), each weight a
 * float32 dataset at its nested path below the layer's group. Layer
 * names must be distinct and not contain '/'. Atomic: the file is
 * written to a registered temporary name (fs_tmp_name) and renamed over
 * path when complete; on failure the temporary file is removed and path
 * is untouched. */
int h5k_write(const char *path, const H5kOutLayer *layers, int nlayers,
              const char *backend, const char *keras_version, char *err);

/* A whole model as Keras 2's model.save writes it: root attributes
 * backend, keras_version, model_config and training_config (JSON text,
 * training_config left out when NULL); the layers as h5k_write writes
 * them, under the group model_weights (which carries layer_names,
 * backend and keras_version); the optimizer's weights (when optimizer
 * is not NULL) in the group optimizer_weights with its weight_names.
 * Atomic as h5k_write. */
typedef struct H5kOutModel {
  const char *model_config;
  const char *training_config;
  const H5kOutLayer *optimizer;
} H5kOutModel;

int h5k_write_model(const char *path, const H5kOutLayer *layers,
                    int nlayers, const H5kOutModel *model,
                    const char *backend, const char *keras_version,
                    char *err);

#endif
