/* lframe.c - frame.core, the C half of the frame module (runtime/lua/
 * frame.lua wraps it): read_csv through io/csv.c into Lua tables of
 * columns, and to_tensor from columns of numbers.
 *
 * frame.core.read_csv(path, opts) -> {names = {...}, dtypes = {...},
 *   columns = {{...}, ...}, nrows = n}; numbers as doubles (NaN missing),
 *   booleans as true/false, strings as strings (nil missing).
 *   opts: sep, quote (a one-character string or false), header
 *   (boolean), na_values (a list of strings), keep_default_na,
 *   skiprows (records skipped first), nrows (data rows read at most).
 * frame.core.to_tensor(columns, nrows) -> a (nrows, #columns) float32
 *   tensor; every column a list of numbers. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "bind/ltensor.h"
#include "bind/lutil.h"
#include "io/csv.h"

static const OptSpec read_csv_spec[] = {
    {"sep", OPT_STRING}, {"quote", OPT_STRING | OPT_BOOLEAN},
    {"header", OPT_BOOLEAN}, {"na_values", OPT_TABLE},
    {"keep_default_na", OPT_BOOLEAN}, {"skiprows", OPT_INTEGER},
    {"nrows", OPT_INTEGER}, {NULL, 0}};

static char one_char(lua_State *L, const char *what, const char *s) {
  if (strlen(s) != 1)
    lerror(L, "read_csv: %s must be one character, got '%s'", what, s);
  return s[0];
}

static void read_options(lua_State *L, int i, CsvOptions *o) {
  csv_default_options(o);
  if (lua_isnoneornil(L, i)) return;
  check_options(L, i, "read_csv", read_csv_spec, 0);
  if (lua_getfield(L, i, "sep") == LUA_TSTRING)
    o->sep = one_char(L, "sep", lua_tostring(L, -1));
  lua_pop(L, 1);
  int t = lua_getfield(L, i, "quote");
  if (t == LUA_TSTRING) o->quote = one_char(L, "quote", lua_tostring(L, -1));
  else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) o->quote = 0;
  lua_pop(L, 1);
  if (lua_getfield(L, i, "header") == LUA_TBOOLEAN)
    o->header = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, i, "skiprows") == LUA_TNUMBER) {
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 0) lerror(L, "read_csv: skiprows must be >= 0, got %lld", (long long)k);
    o->skiprows = k;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, i, "nrows") == LUA_TNUMBER) {
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 0) lerror(L, "read_csv: nrows must be >= 0, got %lld", (long long)k);
    o->nrows = k;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, i, "keep_default_na") == LUA_TBOOLEAN)
    o->keep_default_na = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, i, "na_values") == LUA_TTABLE) {
    lua_Integer n = luaL_len(L, -1);
    if (n > CSV_MAX_NA) lerror(L, "read_csv: at most %d na_values", CSV_MAX_NA);
    for (lua_Integer k = 1; k <= n; k++) {
      if (lua_geti(L, -1, k) != LUA_TSTRING)
        lerror(L, "read_csv: na_values[%lld] must be a string",
               (long long)k);
      /* the strings stay alive in the options table during the call */
      o->na[o->nna++] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

static const char *dtype_name(CsvType t) {
  switch (t) {
    case CSV_INT: return "int64";
    case CSV_FLOAT: return "float64";
    case CSV_BOOL: return "bool";
    default: return "object";
  }
}

static int push_table(lua_State *L, CsvTable *t) {
  lua_createtable(L, 0, 4);
  lua_createtable(L, t->ncols, 0);
  for (int j = 0; j < t->ncols; j++) {
    lua_pushstring(L, t->cols[j].name);
    lua_rawseti(L, -2, j + 1);
  }
  lua_setfield(L, -2, "names");
  lua_createtable(L, t->ncols, 0);
  for (int j = 0; j < t->ncols; j++) {
    const CsvColumn *c = &t->cols[j];
    lua_pushstring(L, c->type == CSV_BOOL && c->nmissing ? "object"
                                                         : dtype_name(c->type));
    lua_rawseti(L, -2, j + 1);
  }
  lua_setfield(L, -2, "dtypes");
  lua_createtable(L, t->ncols, 0);
  int n = (int)t->nrows;
  for (int j = 0; j < t->ncols; j++) {
    const CsvColumn *c = &t->cols[j];
    lua_createtable(L, n, 0);
    for (int r = 0; r < n; r++) {
      switch (c->type) {
        case CSV_INT:
        case CSV_FLOAT: lua_pushnumber(L, c->num[r]); break;
        case CSV_BOOL:
          if (c->flag[r] < 0) continue;
          lua_pushboolean(L, c->flag[r]);
          break;
        default:
          if (!c->str[r]) continue;
          lua_pushstring(L, c->str[r]);
      }
      lua_rawseti(L, -2, r + 1);
    }
    lua_rawseti(L, -2, j + 1);
  }
  lua_setfield(L, -2, "columns");
  lua_pushinteger(L, n);
  lua_setfield(L, -2, "nrows");
  return 1;
}

static int push_table_protected(lua_State *L) {
  return push_table(L, (CsvTable *)lua_touserdata(L, 1));
}

/* The table lives in a userdata with a __gc, so a Lua error (out of
 * memory while building the tables) cannot leak it. */
static int table_gc(lua_State *L) {
  csv_free((CsvTable *)lua_touserdata(L, 1));
  return 0;
}

static int l_read_csv(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  CsvOptions o;
  read_options(L, 2, &o);
  CsvTable *t = lua_newuserdatauv(L, sizeof *t, 0);
  memset(t, 0, sizeof *t);
  if (luaL_newmetatable(L, "workbook.csvtable")) {
    lua_pushcfunction(L, table_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  char err[CSV_ERRLEN];
  if (csv_read_file(path, &o, t, err)) return lerror(L, "read_csv: %s", err);
  if (t->nrows > 0x7fffffff) return lerror(L, "read_csv: %s: too many rows", path);
  /* no collection while the columns are filled: they are allocated up
   * front, and a cycle over a million fresh slots only costs time */
  int running = lua_gc(L, LUA_GCISRUNNING);
  if (running) lua_gc(L, LUA_GCSTOP);
  lua_pushcfunction(L, push_table_protected);
  lua_pushlightuserdata(L, t);
  int st = lua_pcall(L, 1, 1, 0);
  if (running) lua_gc(L, LUA_GCRESTART);
  if (st != LUA_OK) return lua_error(L);
  csv_free(t);
  return 1;
}

static int l_to_tensor(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer n = luaL_checkinteger(L, 2);
  lua_Integer k = luaL_len(L, 1);
  if (n < 0 || k < 1) return lerror(L, "to_tensor: no columns");
  int64_t shape[2] = {n, k};
  Tensor *t = push_tensor(L, 2, shape);
  for (lua_Integer j = 1; j <= k; j++) {
    lua_geti(L, 1, j);
    for (lua_Integer r = 1; r <= n; r++) {
      lua_geti(L, -1, r);
      int isnum;
      lua_Number v = lua_tonumberx(L, -1, &isnum);
      if (!isnum) v = NAN;
      t->data[(r - 1) * k + (j - 1)] = (float)v;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  return 1;
}

static const luaL_Reg functions[] = {
    {"read_csv", l_read_csv}, {"to_tensor", l_to_tensor}, {NULL, NULL}};

int luaopen_frame(lua_State *L) {
  luaL_newlib(L, functions);
  return 1;
}
