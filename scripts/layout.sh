#!/bin/sh
# layout.sh - check the runtime's layout rules before the build compiles:
#   - only runtime/bind/ and runtime/main.c include Lua's headers;
#   - a core folder includes only from itself and the folders it may
#     depend on (the table below; README, Layout); never from bind/.
# Exits 1 with one line per broken rule.
set -e
cd "$(dirname "$0")/.."

# folder: the folders it may include from (besides itself)
deps() {
  case "$1" in
    core)   echo "" ;;
    linalg) echo "core" ;;
    io)     echo "core" ;;
    image)  echo "core" ;;
    nn)     echo "core" ;;
    ml)     echo "core linalg" ;;
    plot)   echo "core image" ;;
    book)   echo "core" ;;
    *)      echo "?" ;;
  esac
}

bad=0
for f in runtime/*/*.c runtime/*/*.h; do
  dir=$(basename "$(dirname "$f")")
  case "$dir" in bind|lua) continue ;; esac
  allowed=$(deps "$dir")
  if [ "$allowed" = "?" ]; then
    echo "$f: folder runtime/$dir/ has no row in scripts/layout.sh (say what it may depend on)"
    bad=1; continue
  fi
  if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(lua|lauxlib|lualib)\.h>' "$f"; then
    echo "$f: only runtime/bind/ may include Lua headers"
    bad=1
  fi
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_0-9]*\)\/[^"]*".*/\1/p' "$f"); do
    [ "$inc" = "$dir" ] && continue
    ok=0
    for a in $allowed; do [ "$inc" = "$a" ] && ok=1; done
    if [ $ok = 0 ]; then
      echo "$f: runtime/$dir/ may not include from runtime/$inc/ (allowed: ${allowed:-nothing})"
      bad=1
    fi
  done
done
exit $bad
