/* lml_est.h - what the ml bindings share from lml_est.c. */
#ifndef WB_LML_EST_H
#define WB_LML_EST_H

#include <stdint.h>

#include <lua.h>

/* The tensor at stack index i as contiguous finite (rows, cols) float32
 * values: a float64 tensor is converted and a strided view copied (the
 * copy replaces it on the stack); anything else, an empty or non-2-D
 * tensor, NaN or infinity is an error naming `name` (and the row and
 * column of the bad value). */
const float *ml_matrix_arg(lua_State *L, int i, const char *name,
                           int64_t *rows, int64_t *cols);

#endif
