/* lutil.h - what every Lua binding shares: errors at the script's line,
 * the one options checker, and the message relocation the host and the
 * prelude's pcall use.
 *
 * "The script" is the nearest Lua frame on the stack whose source is not
 * an embedded runtime file (chunk names "@runtime/..."): a lab, an
 * exercise, a test, the REPL. */
#ifndef WB_LUTIL_H
#define WB_LUTIL_H

#include <stddef.h>

#include <lua.h>

/* Push "file:line: " of the script's frame nearest the top of the stack,
 * or "" when no script frame is running. */
void script_where(lua_State *L);

/* The script's frame nearest the top of the stack, from level `first` up,
 * into ar (its "Sl" fields); 0 when none is found. Bounded work however
 * deep the stack is: the 64 innermost and the 64 outermost levels are
 * looked at. */
int script_frame(lua_State *L, int first, lua_Debug *ar);

/* luaL_error with printf's formats (%lld, %.3f, %zu ...), which Lua's
 * own lua_pushfstring does not know. The message leads with the
 * script's position however deep the call was: the caller's line when
 * the script called the C function, script_where when a runtime Lua
 * file did; no position when it was called through pcall from C. */
int lerror(lua_State *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A lua_CFunction for lua_pcall's message handler and xpcall: a string
 * message whose position names a runtime file ("runtime/lua/nn.lua:91: ")
 * or no position at all gets the script's position instead. Other values
 * pass through. Returns 1 (the message). */
int relocate_message(lua_State *L);

/* Length of a leading "file:123: " position in msg, or 0. */
size_t position_len(const char *msg);

/* ---- options ----------------------------------------------------------
 * Every function that takes an options table checks it with one checker:
 * an unknown key is an error naming the function, the key and the
 * nearest valid key; a value of the wrong type names the expected type. */

enum {
  OPT_NUMBER = 1, OPT_INTEGER = 2, OPT_STRING = 4, OPT_BOOLEAN = 8,
  OPT_TABLE = 16, OPT_FUNCTION = 32, OPT_USERDATA = 64,
  OPT_ANY = 127
};
typedef struct { const char *name; int types; } OptSpec;

/* Check the options at stack index i (nil passes; anything but a table
 * is an error). spec ends with a {NULL, 0} row. With array set, integer
 * keys (a list in the same table) pass too. */
void check_options(lua_State *L, int i, const char *fn, const OptSpec *spec,
                   int array);

/* The same for a list of names with any value type (NULL-terminated). */
void check_option_names(lua_State *L, int i, const char *fn,
                        const char *const *names, int array);

/* Push the nearest of names[0..n) to key (edit distance, ignoring case
 * and underscores) and return 1, or return 0 when none is near. */
int nearest_name(lua_State *L, const char *key, const char *const *names,
                 int n);

int luaopen_options(lua_State *L);

/* Push a zeroed userdata of size bytes whose metatable mt (made on first
 * use) has gc as __gc: a C resource kept there (an open file) is released
 * even when a later Lua error longjmps past its owner. */
void *push_gc_userdata(lua_State *L, size_t size, const char *mt,
                       lua_CFunction gc);

/* What sys.doing last said the program is doing ("" when nothing), for
 * the interrupt message (bind/lsys.c). */
const char *sys_doing(void);

#endif
