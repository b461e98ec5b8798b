#!/bin/sh
# startup.sh - wall time of `./workbook run` on an empty script (best and
# median of 50 runs). Target: under 20 ms.
bin=${WORKBOOK:-./workbook}
empty=$(mktemp --suffix=.lua)
n=50
times=""
for i in $(seq $n); do
  t0=$(date +%s%N)
  "$bin" run "$empty" || exit 1
  t1=$(date +%s%N)
  times="$times $(( (t1 - t0) / 1000 ))"
done
rm -f "$empty"
echo $times | tr ' ' '\n' | sort -n | awk -v n=$n '
  NR == 1 { best = $1 } { a[NR] = $1 }
  END { printf "startup: empty script, %d runs: best %.1f ms, median %.1f ms\n", n, best / 1000, a[int((n + 1) / 2)] / 1000 }'
