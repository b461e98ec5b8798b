#!/bin/sh
# modules.sh - list the C modules (luaopen_NAME in runtime/bind/*.c) as a
# C table for main.c. Usage: modules.sh FILE...
set -e
names=$(sed -n 's/^int luaopen_\([a-z_0-9]*\)(lua_State \*L).*/\1/p' "$@" | sort)
for n in $names; do echo "int luaopen_$n(lua_State *L);"; done
echo "static const luaL_Reg c_modules[] = {"
for n in $names; do echo "  {\"$n\", luaopen_$n},"; done
echo "  {NULL, NULL}"
echo "};"
