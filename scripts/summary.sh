#!/bin/sh
# summary.sh SUITE...: totals of build/results/SUITE.txt; the last line is
# "N passed, N failed".  Exits 1 if anything failed or nothing ran.
set -u
p=0
f=0
for s in "$@"; do
	r=build/results/$s.txt
	if [ ! -f "$r" ]; then
		echo "FAIL suite-$s: no results" >> build/results/missing.txt
		sp=0; sf=1
	else
		sp=$(grep -c '^PASS' "$r")
		sf=$(grep -c '^FAIL' "$r")
	fi
	printf '  %-14s %5d passed, %d failed\n' "$s" "$sp" "$sf"
	grep '^FAIL' "$r" 2>/dev/null | sed 's/^/    /'
	p=$((p + sp))
	f=$((f + sf))
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
