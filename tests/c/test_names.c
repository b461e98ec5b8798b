/* test_names.c - names_nearest: the "did you mean" search. */
#include <string.h>

#include "core/names.h"
#include "tap.h"

static const char *pick(const char *key, const char *const *names, int n) {
  int i = names_nearest(key, names, n);
  return i < 0 ? "(none)" : names[i];
}

static void near_is(const char *key, const char *const *names, int n,
                    const char *want) {
  const char *got = pick(key, names, n);
  ok(strcmp(got, want) == 0, "'%s' -> '%s' (got '%s')", key, want, got);
}

int main(void) {
  static const char *const conv[] = {"filters", "kernel_size", "strides",
                                     "padding", "activation", "use_bias",
                                     "name", "input_shape"};
  static const char *const fit[] = {"epochs", "batch_size", "verbose",
                                    "validation_split", "validation_data",
                                    "shuffle", "callbacks"};
  static const char *const compile[] = {"optimizer", "loss", "metrics"};
  int nc = 8, nf = 7, np = 3;
  near_is("activaton", conv, nc, "activation");     /* a dropped letter */
  near_is("stride", conv, nc, "strides");
  near_is("kernelsize", conv, nc, "kernel_size");   /* underscore */
  near_is("KernelSize", conv, nc, "kernel_size");   /* case */
  near_is("padidng", conv, nc, "padding");          /* a swap */
  near_is("epoch", fit, nf, "epochs");
  near_is("batchsize", fit, nf, "batch_size");
  near_is("validaton_split", fit, nf, "validation_split");
  near_is("validation", fit, nf, "validation_split"); /* a long prefix */
  near_is("optimiser", compile, np, "optimizer");
  near_is("metric", compile, np, "metrics");
  near_is("xyz", conv, nc, "(none)");
  near_is("color", compile, np, "(none)");
  near_is("", compile, np, "(none)");
  near_is("lr", compile, np, "(none)");
  is(names_nearest("loss", compile, 0), -1, "an empty list has no nearest");
  /* a key longer than the table the distance uses is never near */
  char longkey[200];
  memset(longkey, 'a', sizeof longkey - 1);
  longkey[sizeof longkey - 1] = '\0';
  is(names_nearest(longkey, compile, np), -1, "a 199-letter key is near nothing");
  done_testing();
  return tap_failed != 0;
}
