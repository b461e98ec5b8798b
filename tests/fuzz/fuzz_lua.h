/* fuzz_lua.h - for targets that reach a reader through the workbook's
 * Lua runtime (fuzz_wbw, fuzz_json, fuzz_tensor). One state per process,
 * made by workbook_openstate (runtime/bind/wbstate.c, as `workbook run` makes
 * its own) with the prelude run, over an allocator with a budget: a
 * request past FUZZ_LUA_BUDGET fails as Lua's "not enough memory" error
 * (tensors live in Lua userdata, so this bounds them too).
 *
 * A target gives Lua source returning a function f(data); each input
 * calls it in a protected call. A Lua error is an expected outcome
 * (FUZZ_VERBOSE=1 prints it); a crash, sanitizer report, leak or
 * timeout is a finding. After each input the stack is emptied and a
 * full collection run: with as many frees as mallocs in an input,
 * libFuzzer skips its leak scan (LeakSanitizer scanning the whole heap
 * after every input made these targets six times slower).
 *
 * The Lua library is not instrumented, so libFuzzer would see no
 * coverage of a reader written in Lua: a line hook counts the runtime's
 * Lua lines (chunks named @runtime/...) as edges, (previous line, line)
 * hashed, in libFuzzer's extra counters. */
#ifndef WB_FUZZ_LUA_H
#define WB_FUZZ_LUA_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "bind/wbstate.h"
#include "fuzz.h"

#define FUZZ_LUA_BUDGET ((size_t)96 << 20)

static size_t fuzz_lua_used;

static void *fuzz_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  if (!ptr) osize = 0;            /* then osize is the object's type */
  if (nsize == 0) {
    free(ptr);
    fuzz_lua_used -= osize;
    return NULL;
  }
  if (nsize > osize && nsize - osize > FUZZ_LUA_BUDGET - fuzz_lua_used)
    return NULL;
  void *p = realloc(ptr, nsize);
  if (p) fuzz_lua_used = fuzz_lua_used - osize + nsize;
  return p;
}

static int fuzz_lua_panic(lua_State *L) {
  fprintf(stderr, "fuzz: Lua panic: %s\n", lua_tostring(L, -1));
  abort();
}

__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t fuzz_lua_counters[1 << 16];
static uintptr_t fuzz_lua_prev;

static void fuzz_lua_hook(lua_State *L, lua_Debug *ar) {
  if (!lua_getinfo(L, "S", ar) || strncmp(ar->source, "@runtime/", 9) != 0) return;
  /* the source string is interned: its address names the file */
  uintptr_t here = ((uintptr_t)ar->source >> 4) * 2654435761u + (uintptr_t)ar->currentline;
  here ^= here >> 15;
  uint8_t *c = &fuzz_lua_counters[(here ^ fuzz_lua_prev) & (sizeof fuzz_lua_counters - 1)];
  if (*c < 255) (*c)++;
  fuzz_lua_prev = here >> 1;
}

static lua_State *fuzz_L;
static int fuzz_lua_fn = LUA_NOREF;

static void fuzz_lua_close(void) {
  if (fuzz_L) lua_close(fuzz_L);
  fuzz_L = NULL;
}

/* Make the state and the per-input function from `driver` (Lua source
 * whose chunk returns it); aborts when that fails (a broken harness). */
static __attribute__((unused)) lua_State *fuzz_lua_setup(const char *name,
                                                         const char *driver) {
  if (fuzz_L) return fuzz_L;
  lua_State *L = lua_newstate(fuzz_lua_alloc, NULL);
  if (!L) abort();
  lua_atpanic(L, fuzz_lua_panic);
  workbook_openstate(L);
  lua_createtable(L, 0, 1);
  lua_setglobal(L, "arg");
  lua_getglobal(L, "require");
  lua_pushliteral(L, "prelude");
  if (lua_pcall(L, 1, 0, 0) != LUA_OK ||
      luaL_loadbuffer(L, driver, strlen(driver), name) != LUA_OK ||
      lua_pcall(L, 0, 1, 0) != LUA_OK || !lua_isfunction(L, -1)) {
    fprintf(stderr, "fuzz: %s: setup failed: %s\n", name,
            lua_isstring(L, -1) ? lua_tostring(L, -1) : "(no function)");
    abort();
  }
  fuzz_lua_fn = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_gc(L, LUA_GCCOLLECT);
  lua_sethook(L, fuzz_lua_hook, LUA_MASKLINE, 0);
  fuzz_L = L;
  if (getenv("FUZZ_VERBOSE"))
    fprintf(stderr, "fuzz: %s: Lua heap after setup: %zu bytes\n", name, fuzz_lua_used);
  atexit(fuzz_lua_close);
  return L;
}

/* The same for a driver that reads the input from a file: its source
 * gets `local path = '/tmp/wb-fuzz-PID.SUFFIX'` (fuzz.h's file, removed
 * at exit) put before it. */
static __attribute__((unused)) lua_State *fuzz_lua_setup_file(const char *name,
                                                              const char *suffix,
                                                              const char *driver) {
  if (fuzz_L) return fuzz_L;
  const char *path = fuzz_file(NULL, 0, suffix);
  size_t n = strlen(driver) + strlen(path) + 32;
  char *src = malloc(n);
  if (!src) abort();
  snprintf(src, n, "local path = '%s'\n%s", path, driver);
  fuzz_lua_setup(name, src);
  free(src);
  return fuzz_L;
}

/* One input: f(data) in a protected call. */
static __attribute__((unused)) void fuzz_lua_run(const uint8_t *data, size_t size) {
  lua_State *L = fuzz_L;
  static int verbose = -1;
  if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fuzz_lua_fn);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK && verbose)
    fprintf(stderr, "fuzz: error: %s\n",
            lua_isstring(L, -1) ? lua_tostring(L, -1) : "(not a string)");
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT);
}
#endif
