/* lutil.c - errors at the script's line, message relocation, and the one
 * options checker (C API and the `options` Lua module). See lutil.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/lutil.h"
#include "core/names.h"

/* ---- the script's position -------------------------------------------- */

static int is_runtime_source(const char *src) {
  return strncmp(src, "@runtime/", 9) == 0;
}

/* The deepest level that exists (lua_getstack succeeds), found by
 * doubling then halving: O(depth log depth). */
static int deepest_level(lua_State *L) {
  lua_Debug ar;
  int lo = 0, hi = 1;              /* lo exists; hi is the first probe */
  while (lua_getstack(L, hi, &ar)) { lo = hi; hi *= 2; }
  while (hi - lo > 1) {            /* lo exists, hi does not */
    int mid = lo + (hi - lo) / 2;
    if (lua_getstack(L, mid, &ar)) lo = mid; else hi = mid;
  }
  return lo;
}

/* Is level a script frame (neither C nor a runtime file)? -1: no level. */
static int is_script_level(lua_State *L, int level, lua_Debug *ar) {
  if (!lua_getstack(L, level, ar) || !lua_getinfo(L, "Sl", ar)) return -1;
  return strcmp(ar->what, "C") != 0 && !is_runtime_source(ar->source);
}

/* lua_getstack(L, n) walks n call records, so trying every level of a deep
 * stack takes quadratic time (a runtime function recursing 100,000 levels,
 * as a JSON decoder on a hostile file would, had an error message still
 * being placed after ten minutes). The SCAN innermost levels are tried, then the SCAN outermost:
 * the script's call into the runtime that went deep is there. */
#define WHERE_SCAN 64

int script_frame(lua_State *L, int first, lua_Debug *ar) {
  int level = first;
  for (; level < first + WHERE_SCAN; level++) {
    int k = is_script_level(L, level, ar);
    if (k != 0) return k > 0;
  }
  int last = deepest_level(L);
  for (int l = last - WHERE_SCAN + 1 > level ? last - WHERE_SCAN + 1 : level; l <= last; l++) {
    int k = is_script_level(L, l, ar);
    if (k != 0) return k > 0;
  }
  return 0;
}

void script_where(lua_State *L) {
  lua_Debug ar;
  if (script_frame(L, 1, &ar) && ar.currentline > 0) {
    lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
    return;
  }
  lua_pushliteral(L, "");
}

/* Where an error raised by the running C function happened: its caller's
 * line when the caller is the script (as luaL_where(L, 1)), the script's
 * line when the caller is a runtime Lua file, nothing when the caller is
 * C (pcall: the runtime catching an error adds its own context). */
static void error_where(lua_State *L) {
  lua_Debug ar;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
    if (is_runtime_source(ar.source)) { script_where(L); return; }
    if (ar.currentline > 0) {
      lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
      return;
    }
  }
  lua_pushliteral(L, "");
}

int lerror(lua_State *L, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  error_where(L);
  lua_pushstring(L, msg);
  lua_concat(L, 2);
  return lua_error(L);
}

size_t position_len(const char *msg) {
  const char *p = msg;
  while (*p && *p != ':' && *p != '\n' && *p != ' ') p++;
  if (*p != ':' || p == msg) return 0;
  const char *d = ++p;
  while (isdigit((unsigned char)*p)) p++;
  if (p == d || p[0] != ':' || p[1] != ' ') return 0;
  return (size_t)(p + 2 - msg);
}

int relocate_message(lua_State *L) {
  if (lua_type(L, 1) != LUA_TSTRING) { lua_settop(L, 1); return 1; }
  const char *msg = lua_tostring(L, 1);
  size_t pos = position_len(msg);
  int runtime_pos = pos > 0 && strncmp(msg, "runtime/", 8) == 0;
  if (pos > 0 && !runtime_pos) { lua_settop(L, 1); return 1; }
  script_where(L);
  if (lua_rawlen(L, -1) == 0) { lua_settop(L, 1); return 1; }
  lua_pushstring(L, msg + (runtime_pos ? pos : 0));
  lua_concat(L, 2);
  return 1;
}

/* ---- nearest name ------------------------------------------------------ */

int nearest_name(lua_State *L, const char *key, const char *const *names,
                 int n) {
  int i = names_nearest(key, names, n);
  if (i < 0) return 0;
  lua_pushstring(L, names[i]);
  return 1;
}

/* ---- the checker -------------------------------------------------------- */

static void push_type_names(lua_State *L, int types) {
  static const struct { int bit; const char *name; } t[] = {
    {OPT_NUMBER, "a number"}, {OPT_INTEGER, "an integer"},
    {OPT_STRING, "a string"}, {OPT_BOOLEAN, "true or false"},
    {OPT_TABLE, "a table"}, {OPT_FUNCTION, "a function"},
    {OPT_USERDATA, "a tensor"}};
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  int first = 1, n = (int)(sizeof t / sizeof t[0]);
  if (types & OPT_NUMBER) types &= ~OPT_INTEGER;
  for (int i = 0; i < n; i++) {
    if (!(types & t[i].bit)) continue;
    if (!first) luaL_addstring(&b, " or ");
    luaL_addstring(&b, t[i].name);
    first = 0;
  }
  luaL_pushresult(&b);
}

static int type_ok(lua_State *L, int idx, int types) {
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER: {
      if (types & OPT_NUMBER) return 1;
      if (!(types & OPT_INTEGER)) return 0;
      /* an integer, or a float with an integral value in range (Lua's
       * own conversion: a plain cast of NaN or 1e300 is undefined) */
      int isint = 0;
      lua_tointegerx(L, idx, &isint);
      return isint;
    }
    case LUA_TSTRING: return (types & OPT_STRING) != 0;
    case LUA_TBOOLEAN: return (types & OPT_BOOLEAN) != 0;
    case LUA_TTABLE: return (types & OPT_TABLE) != 0;
    case LUA_TFUNCTION: return (types & OPT_FUNCTION) != 0;
    case LUA_TUSERDATA: return (types & OPT_USERDATA) != 0;
    default: return 0;
  }
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The valid names, sorted, comma-separated. */
static void push_valid_list(lua_State *L, const char *const *names, int n) {
  const char *sorted[128];
  if (n > 128) n = 128;
  memcpy(sorted, names, (size_t)n * sizeof *sorted);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_names);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 0; i < n; i++) {
    if (i) luaL_addstring(&b, ", ");
    luaL_addstring(&b, sorted[i]);
  }
  luaL_pushresult(&b);
}

static void unknown_key(lua_State *L, const char *fn, int keyidx,
                        const char *const *names, int n) {
  if (lua_type(L, keyidx) != LUA_TSTRING) {
    const char *k = luaL_tolstring(L, keyidx, NULL);
    lerror(L, "%s: options are name = value pairs; got the key %s (a %s)",
           fn, k, luaL_typename(L, keyidx));
  }
  const char *key = lua_tostring(L, keyidx);
  if (n == 0) lerror(L, "%s: unknown option '%s' (it takes no options)", fn, key);
  if (nearest_name(L, key, names, n))
    lerror(L, "%s: unknown option '%s' (did you mean '%s'?)", fn, key,
           lua_tostring(L, -1));
  push_valid_list(L, names, n);
  lerror(L, "%s: unknown option '%s' (valid options: %s)", fn, key,
         lua_tostring(L, -1));
}

static void check_table(lua_State *L, int i, const char *fn) {
  if (!lua_istable(L, i))
    lerror(L, "%s: options must be a table, got %s", fn, luaL_typename(L, i));
}

void check_options(lua_State *L, int i, const char *fn, const OptSpec *spec,
                   int array) {
  if (lua_isnoneornil(L, i)) return;
  i = lua_absindex(L, i);
  check_table(L, i, fn);
  const char *names[128];
  int n = 0;
  while (spec[n].name && n < 128) { names[n] = spec[n].name; n++; }
  lua_pushnil(L);
  while (lua_next(L, i)) {
    if (array && lua_isinteger(L, -2)) { lua_pop(L, 1); continue; }
    int hit = -1;
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -2);
      for (int j = 0; j < n && hit < 0; j++)
        if (strcmp(k, names[j]) == 0) hit = j;
    }
    if (hit < 0) unknown_key(L, fn, lua_gettop(L) - 1, names, n);
    if (!type_ok(L, -1, spec[hit].types)) {
      push_type_names(L, spec[hit].types);
      lerror(L, "%s: option '%s' must be %s, got %s", fn, names[hit],
             lua_tostring(L, -1), luaL_typename(L, -2));
    }
    lua_pop(L, 1);
  }
}

void check_option_names(lua_State *L, int i, const char *fn,
                        const char *const *names, int array) {
  OptSpec spec[129];
  int n = 0;
  for (; names[n] && n < 128; n++) spec[n] = (OptSpec){names[n], OPT_ANY};
  spec[n] = (OptSpec){NULL, 0};
  check_options(L, i, fn, spec, array);
}

/* ---- the `options` module ------------------------------------------------
 * options.check(fn, opts, spec [, array]) -> opts (a new {} for nil)
 *   spec: a list of names ({"a", "b"}: any value), or a map of names to
 *   type strings ({a = "number", b = "string|function", c = "any"}).
 * options.nearest(key, list) -> the nearest name or nil
 * options.relocate(msg) -> msg with the script's position (see lutil.h)
 * options.where() -> "file:line: " of the script, or "" */

static int parse_types(lua_State *L, const char *fn, const char *s) {
  static const struct { const char *name; int bits; } t[] = {
    {"number", OPT_NUMBER}, {"integer", OPT_INTEGER}, {"string", OPT_STRING},
    {"boolean", OPT_BOOLEAN}, {"table", OPT_TABLE},
    {"function", OPT_FUNCTION}, {"tensor", OPT_USERDATA},
    {"userdata", OPT_USERDATA}, {"any", OPT_ANY}};
  int bits = 0;
  while (*s) {
    const char *bar = strchr(s, '|');
    size_t len = bar ? (size_t)(bar - s) : strlen(s);
    int found = 0;
    for (size_t j = 0; j < sizeof t / sizeof t[0]; j++)
      if (strlen(t[j].name) == len && strncmp(s, t[j].name, len) == 0) {
        bits |= t[j].bits;
        found = 1;
      }
    if (!found) luaL_error(L, "options.check(%s): unknown type '%s'", fn, s);
    s += len + (bar ? 1 : 0);
  }
  return bits;
}

static int o_check(lua_State *L) {
  const char *fn = luaL_checkstring(L, 1);
  luaL_checktype(L, 3, LUA_TTABLE);
  int array = lua_toboolean(L, 4);
  if (lua_isnoneornil(L, 2)) { lua_newtable(L); return 1; }
  check_table(L, 2, fn);
  OptSpec spec[129];
  int n = 0;
  lua_Integer len = (lua_Integer)lua_rawlen(L, 3);
  if (len > 0) {
    for (lua_Integer k = 1; k <= len && n < 128; k++) {
      lua_rawgeti(L, 3, k);
      spec[n++] = (OptSpec){lua_tostring(L, -1), OPT_ANY};
      lua_pop(L, 1);   /* the string stays alive in the spec table */
    }
  } else {
    lua_pushnil(L);
    while (lua_next(L, 3) && n < 128) {
      spec[n++] = (OptSpec){lua_tostring(L, -2),
                            parse_types(L, fn, luaL_checkstring(L, -1))};
      lua_pop(L, 1);
    }
  }
  spec[n] = (OptSpec){NULL, 0};
  check_options(L, 2, fn, spec, array);
  lua_settop(L, 2);
  return 1;
}

static int o_nearest(lua_State *L) {
  const char *key = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  const char *names[256];
  int n = 0;
  lua_Integer len = (lua_Integer)lua_rawlen(L, 2);
  for (lua_Integer k = 1; k <= len && n < 256; k++) {
    lua_rawgeti(L, 2, k);
    if (lua_type(L, -1) == LUA_TSTRING) names[n++] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  if (!nearest_name(L, key, names, n)) lua_pushnil(L);
  return 1;
}

static int o_where(lua_State *L) { script_where(L); return 1; }

int luaopen_options(lua_State *L) {
  static const luaL_Reg f[] = {
    {"check", o_check}, {"nearest", o_nearest},
    {"relocate", relocate_message}, {"where", o_where}, {NULL, NULL}};
  luaL_newlib(L, f);
  return 1;
}

void *push_gc_userdata(lua_State *L, size_t size, const char *mt,
                       lua_CFunction gc) {
  void *p = lua_newuserdatauv(L, size, 0);
  memset(p, 0, size);
  if (luaL_newmetatable(L, mt)) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return p;
}
