/* fuzz.h - shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): the
 * input as a file, for readers that take a path. One file per process,
 * rewritten for each input, removed at exit. */
#ifndef WB_FUZZ_H
#define WB_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Values past this are not allocated by a target (the readers' own
 * checks bound what a file can ask; this keeps one input's work small). */
#define FUZZ_MAX_VALUES ((int64_t)1 << 24)

static char fuzz_path[64];

static __attribute__((unused)) void fuzz_remove(void) {
  if (fuzz_path[0]) unlink(fuzz_path);
}

/* The input written to a file (suffix: ".gz", ".h5" ...); its path. */
static __attribute__((unused)) const char *fuzz_file(const uint8_t *data, size_t size,
                             const char *suffix) {
  if (!fuzz_path[0]) {
    snprintf(fuzz_path, sizeof fuzz_path, "/tmp/wb-fuzz-%d%s", (int)getpid(),
             suffix);
    atexit(fuzz_remove);
  }
  FILE *fp = fopen(fuzz_path, "wb");
  if (!fp) abort();
  if (size && fwrite(data, 1, size, fp) != size) abort();
  if (fclose(fp) != 0) abort();
  return fuzz_path;
}
#endif
