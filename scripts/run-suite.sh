#!/bin/sh
# run-suite.sh NAME TARGET: runs "make TARGET", whose PASS/FAIL lines land
# in build/results/NAME.txt, and makes sure a suite that crashed, did not
# build or ran nothing is counted as a failure rather than forgotten.
set -u
name=$1
target=$2
res=build/results/$name.txt
mkdir -p build/results
rm -f "$res"
${MAKE:-make} --no-print-directory "$target"
rc=$?
[ -f "$res" ] || : > "$res"
if [ ! -s "$res" ]; then
	echo "FAIL suite-$name: ran no test (make $target exited $rc)" >> "$res"
elif [ $rc -ne 0 ] && ! grep -q '^FAIL' "$res"; then
	echo "FAIL suite-$name: make $target exited $rc" >> "$res"
fi
exit 0
