#!/bin/sh
# book.sh - wall time of `./workbook book` on the real book: cold (empty
# cache, every lab runs) and cached (nothing changed; target: under 2 s).
# Builds into a temporary folder, so build/book and its cache are kept.
bin=${WORKBOOK:-./workbook}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ms() { echo $(( ($2 - $1) / 1000000 )); }
t0=$(date +%s%N)
"$bin" book --out "$tmp/book" >"$tmp/cold.log" 2>&1 || { cat "$tmp/cold.log"; exit 1; }
t1=$(date +%s%N)
"$bin" book --out "$tmp/book" >"$tmp/warm.log" 2>&1 || { cat "$tmp/warm.log"; exit 1; }
t2=$(date +%s%N)
labs=$(sed -n 's/.*, \([0-9]*\) labs (.*/\1/p' "$tmp/cold.log")
echo "book: cold build $(ms $t0 $t1) ms (${labs:-?} labs run), cached build $(ms $t1 $t2) ms"
