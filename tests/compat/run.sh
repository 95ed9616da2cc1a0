#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Compatibility suite: unmodified netmap programs (built with -Iinclude
# only) run on the sim core through LD_PRELOAD=libnmsim_preload.so.
#
#   tests/compat/run.sh BUILD_DIR RESULT_FILE
#
# Writes one line per check, "PASS <name>" or "FAIL <name>: <why>", to
# RESULT_FILE and to stdout; program output goes to RESULT_FILE's
# directory, compat-logs/<name>.log.  Exits 1 if any check failed.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR RESULT_FILE" >&2
	exit 2
fi
B=$1
OUT=$2
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PRELOAD=$(cd "$B" && pwd)/libnmsim_preload.so
NICS=sim0:2x1024,sim1:1x512
LOGS=$(dirname "$OUT")/compat-logs
TIMEOUT=${COMPAT_TIMEOUT:-120}
CXX=${CXX_OPT:-g++}

mkdir -p "$LOGS"
: > "$OUT"
npass=0
nfail=0

pass() {
	echo "PASS $1" | tee -a "$OUT"
	npass=$((npass + 1))
}

fail() {
	echo "FAIL $1: $2" | tee -a "$OUT"
	nfail=$((nfail + 1))
}

# Last non-empty line of a log, for the FAIL reason.
last_line() {
	grep -v '^[[:space:]]*$' "$1" | tail -1 | cut -c1-200
}

# run NAME PRELOAD(yes|no) CMD...: output in $LOGS/NAME.log; sets rc.
run() {
	local name=$1 pre=$2
	shift 2
	if [ "$pre" = yes ]; then
		timeout "$TIMEOUT" env LD_PRELOAD="$PRELOAD" NMSIM_NICS="$NICS" \
			NMSIM_LOG=0 "$@" > "$LOGS/$name.log" 2>&1
	else
		timeout "$TIMEOUT" env -u LD_PRELOAD "$@" > "$LOGS/$name.log" 2>&1
	fi
	rc=$?
}

# expect_ok NAME CMD...: under the preload, must exit 0.
expect_ok() {
	local name=$1
	shift
	run "$name" yes "$@"
	if [ $rc -eq 0 ]; then
		pass "$name"
	elif [ $rc -eq 124 ]; then
		fail "$name" "timed out after ${TIMEOUT}s"
	else
		fail "$name" "exit $rc: $(last_line "$LOGS/$name.log")"
	fi
}

# expect_err NAME PRELOAD RC REGEX CMD...: must exit RC with REGEX in output.
expect_err() {
	local name=$1 pre=$2 want=$3 re=$4
	shift 4
	run "$name" "$pre" "$@"
	if [ $rc -eq 124 ]; then
		fail "$name" "timed out after ${TIMEOUT}s"
	elif [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want: $(last_line "$LOGS/$name.log")"
	elif ! grep -Eq "$re" "$LOGS/$name.log"; then
		fail "$name" "no /$re/ in output: $(last_line "$LOGS/$name.log")"
	else
		pass "$name"
	fi
}

C=$B/compat

# ---- the programs, on sim NICs --------------------------------------
expect_ok rawapi-sim0-1000 "$C/rawapi" sim0 1000
expect_ok rawapi-sim1-5000 "$C/rawapi" sim1 5000
expect_ok libapi-sim0-0-1000 "$C/libapi" netmap:sim0-0 1000
expect_ok libapi-sim0-all-3000 "$C/libapi" netmap:sim0 3000
expect_ok libapi-sim1-3000 "$C/libapi" netmap:sim1 3000
expect_ok libapi-names "$C/libapi" --names sim0
expect_ok mixpoll-sim0 "$C/mixpoll" sim0

# ---- command lines and errors ---------------------------------------
expect_err rawapi-help no 0 '^usage: rawapi IFNAME COUNT' "$C/rawapi" --help
expect_err rawapi-usage no 2 '^usage: rawapi' "$C/rawapi"
expect_err rawapi-bad-count no 2 'COUNT must be a number' "$C/rawapi" sim0 lots
expect_err libapi-help no 0 '^usage: libapi PORT COUNT' "$C/libapi" --help
# REGISTER of a name nobody has: ENXIO, said clearly
expect_err rawapi-no-such-port yes 3 \
	"NIOCCTRL REGISTER 'nosuch0': No such device or address \(ENXIO\)" \
	"$C/rawapi" nosuch0 10
expect_err libapi-no-such-port yes 3 \
	'nm_open .*nosuch0.*No such device or address' \
	"$C/libapi" netmap:nosuch0 10
expect_err libapi-not-netmap yes 3 'eth0: not a netmap port name' \
	"$C/libapi" eth0 10
# without the preload this machine has no /dev/netmap: a clean failure
if [ -e /dev/netmap ]; then
	pass "rawapi-no-preload (skipped: /dev/netmap exists here)"
else
	expect_err rawapi-no-preload no 3 \
		'cannot open /dev/netmap: No such file or directory \(ENOENT\)' \
		"$C/rawapi" sim0 10
fi

# ---- the helper library also compiles as C++ -------------------------
if "$CXX" -x c++ -std=gnu++17 -Wall -Wextra -Werror -Wshadow \
	-I"$TOP/include" -fsyntax-only "$TOP/tests/compat/libapi.c" \
	> "$LOGS/libapi-c++.log" 2>&1; then
	pass libapi-c++
else
	fail libapi-c++ "$(last_line "$LOGS/libapi-c++.log")"
fi

echo "compat: $npass passed, $nfail failed (details in $LOGS)"
[ $nfail -eq 0 ]
