#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The netmap tools (pkt-gen, vale-ctl, bridge) on the sim core through
# LD_PRELOAD=libnmsim_preload.so.
#
#   tests/tools/run.sh BUILD_DIR RESULT_FILE
#
# The sim lives inside one process, so two tool processes never share a
# switch here: traffic checks use pkt-gen's in-process modes (-f txrx with
# -I, -f ping with a -I pong thread, or a sim NIC, which loops tx back to
# rx), and vale-ctl runs whole action sequences in one invocation.
# Cross-process runs are in the guest (harness/netmap_smoke.py).
#
# One "PASS <name>" / "FAIL <name>: <why>" line per check in RESULT_FILE;
# logs in RESULT_FILE's directory, tools-logs/<name>.log.  Exit 1 on any
# failure.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR RESULT_FILE" >&2
	exit 2
fi
B=$(cd "$1" && pwd)
OUT=$2
PRELOAD=$B/libnmsim_preload.so
NICS=sim0:2x1024,sim1:1x512
LOGS=$(dirname "$OUT")/tools-logs
TIMEOUT=${TOOLS_TIMEOUT:-60}
T=$B/tools

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

last_line() {
	grep -v '^[[:space:]]*$' "$1" | tail -1 | cut -c1-200
}

# expect NAME RC REGEX CMD...: under the preload, CMD must exit RC and
# print a line matching REGEX (stdout or stderr).
expect() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	timeout "$TIMEOUT" env LD_PRELOAD="$PRELOAD" NMSIM_NICS="$NICS" \
		NMSIM_LOG=0 "$@" > "$LOGS/$name.log" 2>&1
	rc=$?
	if [ $rc -eq 124 ]; then
		fail "$name" "timed out after ${TIMEOUT}s"
	elif [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want: $(last_line "$LOGS/$name.log")"
	elif ! grep -Eq -- "$re" "$LOGS/$name.log"; then
		fail "$name" "no /$re/ in output: $(last_line "$LOGS/$name.log")"
	else
		pass "$name"
	fi
}

# ---- --help and bad command lines -------------------------------------
for t in pkt-gen vale-ctl bridge; do
	expect $t-help 0 "^usage: $t" "$T/$t" --help
	expect $t-bad-option 2 "^$t: unknown option '-Z'" "$T/$t" -Z
done
expect pkt-gen-stray-arg 2 "^pkt-gen: unexpected argument 'stray'" \
	"$T/pkt-gen" -l 60 stray
expect vale-ctl-stray-arg 2 "^vale-ctl: unexpected argument 'stray'" \
	"$T/vale-ctl" -l stray
expect bridge-stray-arg 2 "^bridge: unexpected argument 'stray'" \
	"$T/bridge" -b 4 stray
expect pkt-gen-no-port 2 '^pkt-gen: no port: -i PORT is required' "$T/pkt-gen"
expect pkt-gen-bad-func 2 "^pkt-gen: -f: unknown function 'fly'" \
	"$T/pkt-gen" -i sim0 -f fly
expect pkt-gen-short-len 2 "^pkt-gen: -l: length must be a number in 60\.\.65535, not '10'" \
	"$T/pkt-gen" -i sim0 -l 10
expect pkt-gen-junk-count 2 "^pkt-gen: -n: count must be a number" \
	"$T/pkt-gen" -i sim0 -n 12abc
expect pkt-gen-neg-count 2 "^pkt-gen: -n: count must be a number" \
	"$T/pkt-gen" -i sim0 -n -5
expect pkt-gen-zero-frags 2 "^pkt-gen: -F: fragments must be a number in 1\.\.64" \
	"$T/pkt-gen" -i sim0 -F 0
expect pkt-gen-no-arg 2 '^pkt-gen: -l needs an argument' "$T/pkt-gen" -i sim0 -l
expect pkt-gen-peer-rx 2 '^pkt-gen: -I only goes with' \
	"$T/pkt-gen" -i sim0 -I sim1 -f rx
expect pkt-gen-no-such-port 3 '^pkt-gen: nosuch0: REGISTER: No such device' \
	"$T/pkt-gen" -i nosuch0 -n 1
expect pkt-gen-long-name 3 '^pkt-gen: .*a port name has 1\.\.63 characters' \
	"$T/pkt-gen" -i "vale0:$(printf 'x%.0s' $(seq 80))"
expect pkt-gen-too-long 3 '^pkt-gen: sim0: 5000 bytes do not fit in 1 fragment' \
	"$T/pkt-gen" -i sim0 -l 5000
expect pkt-gen-bad-offset 3 '^pkt-gen: sim0: (REGISTER|offset 4096)' \
	"$T/pkt-gen" -i sim0 -O 4096 -n 1
expect vale-ctl-no-action 2 '^vale-ctl: no action' "$T/vale-ctl"
expect vale-ctl-no-arg 2 '^vale-ctl: -n needs an argument' "$T/vale-ctl" -n
expect bridge-one-port 2 '^bridge: need two ports' "$T/bridge" -i vale0:a
expect bridge-no-such-port 3 '^bridge: nosuch0: REGISTER: No such device' \
	"$T/bridge" -i vale0:a -i nosuch0

# ---- traffic, within one process ----------------------------------------
# a sim NIC loops tx ring to rx ring: every frame must come back
expect pkt-gen-txrx-sim0 0 'rx sim0: 1000 packets 60000 bytes' \
	"$T/pkt-gen" -i sim0 -f txrx -n 1000 -T 0
expect pkt-gen-txrx-sim0-1514 0 'rx sim0: 300 packets 454200 bytes' \
	"$T/pkt-gen" -i sim0 -f txrx -n 300 -l 1514 -b 32 -T 0
# a 4000-byte frame in 4 slots of NS_MOREFRAG chain: counted as one frame
expect pkt-gen-txrx-frags 0 'rx sim1: 100 packets 400000 bytes' \
	"$T/pkt-gen" -i sim1 -f txrx -n 100 -l 4000 -F 4 -b 16 -T 0
# two VALE ports of one switch (fewer frames than an rx ring holds)
expect pkt-gen-txrx-vale 0 'rx vale0:b: 500 packets 30000 bytes' \
	"$T/pkt-gen" -i vale0:a -I vale0:b -f txrx -n 500 -T 0
expect pkt-gen-txrx-vale-frags 0 'rx vale0:b: 200 packets 1200000 bytes' \
	"$T/pkt-gen" -i vale0:a -I vale0:b -f txrx -n 200 -l 6000 -F 3 -T 0
# through a pipe, with a data offset; the pipe applies back pressure
expect pkt-gen-txrx-pipe-offset 0 'rx vale0:p\}1: 100000 packets' \
	"$T/pkt-gen" -i 'vale0:p{1' -I 'vale0:p}1' -f txrx -n 100000 -O 64 -T 0
expect pkt-gen-ping-pong-vale 0 'ping vale0:a: 50 replies, 0 lost' \
	"$T/pkt-gen" -i vale0:a -I vale0:b -f ping -n 50 -T 0
expect pkt-gen-ping-pong-pipe 0 'ping vale1:q\{3: 20 replies, 0 lost' \
	"$T/pkt-gen" -i 'vale1:q{3' -I 'vale1:q}3' -f ping -n 20 -l 1000 -T 0
expect pkt-gen-ping-loop 0 'ping sim0: 20 replies, 0 lost' \
	"$T/pkt-gen" -i sim0 -f ping -n 20 -T 0
# nobody answers on a lone VALE port: loss is reported, exit 1
expect pkt-gen-ping-lost 1 'pkt-gen: 2 ping\(s\) unanswered' \
	"$T/pkt-gen" -i vale0:lonely -f ping -n 2 -T 0
# rate limit: -R 10k never sends faster than 10k pps (a loaded machine can
# only make it slower, so only the upper bound is asserted), and the live
# reports come every -T ms
expect pkt-gen-rate 0 '^[0-9]+ pps \(tx vale0:x\)' \
	"$T/pkt-gen" -i vale0:x -f tx -R 10k -n 3000 -T 100
pps=$(sed -n 's/.*3000 packets .* s: \([0-9]*\) pps.*/\1/p' \
	"$LOGS/pkt-gen-rate.log" 2>/dev/null)
if [ -n "$pps" ] && [ "$pps" -le 10500 ]; then
	pass pkt-gen-rate-bound
else
	fail pkt-gen-rate-bound "3000 frames at -R 10k averaged '${pps}' pps"
fi
expect pkt-gen-rx-idle 0 'rx vale0:y: 0 packets' \
	"$T/pkt-gen" -i vale0:y -f rx -D 300 -T 0
expect pkt-gen-rx-count-missing 1 'rx vale0:y: 0 packets' \
	"$T/pkt-gen" -i vale0:y -f rx -n 5 -D 300 -T 0
expect pkt-gen-pong-idle 0 'pong vale0:y: 0 packets' \
	"$T/pkt-gen" -i vale0:y -f pong -D 200 -T 0
# SIGINT in the middle of an endless run: clean summary, exit 0
expect pkt-gen-sigint 0 'tx vale0:s: [1-9][0-9]* packets' \
	timeout --preserve-status -s INT 0.5 "$T/pkt-gen" -i vale0:s -f tx -T 0

# ---- vale-ctl: whole sequences in one process ----------------------------
expect vale-ctl-sequence 0 '^deleted p0$' \
	"$T/vale-ctl" -n p0 -a vale0:p0 -h vale1:sim0 -a vale1:sim1 -l \
	-L vale1:sim1 -d vale0:p0 -d vale1:sim0 -d vale1:sim1 -l -r p0
if [ -f "$LOGS/vale-ctl-sequence.log" ] &&
   grep -q '^vale0:p0 bridge 0 port 0$' "$LOGS/vale-ctl-sequence.log" &&
   grep -q '^vale1:sim0^ bridge 1 port 1$' "$LOGS/vale-ctl-sequence.log" &&
   grep -q '^4 port(s)$' "$LOGS/vale-ctl-sequence.log" &&
   grep -q '^0 port(s)$' "$LOGS/vale-ctl-sequence.log"; then
	pass vale-ctl-list-contents
else
	fail vale-ctl-list-contents "list did not show the attached ports, then none"
fi
expect vale-ctl-delif-missing 1 '^vale-ctl: nosuch: VALE_DELIF: No such device' \
	"$T/vale-ctl" -r nosuch
expect vale-ctl-attach-missing 1 '^vale-ctl: vale0:nosuch: VALE_ATTACH: No such device' \
	"$T/vale-ctl" -a vale0:nosuch
expect vale-ctl-detach-missing 1 '^vale-ctl: vale0:sim0: VALE_DETACH' \
	"$T/vale-ctl" -d vale0:sim0
expect vale-ctl-newif-twice 1 '^vale-ctl: p1: VALE_NEWIF: File exists' \
	"$T/vale-ctl" -n p1 -n p1
# a failure stops the sequence: the -l after it never runs
if [ -f "$LOGS/vale-ctl-newif-twice.log" ] &&
   ! grep -q 'port(s)' "$LOGS/vale-ctl-newif-twice.log"; then
	expect vale-ctl-stops-at-failure 1 'File exists' \
		"$T/vale-ctl" -n p1 -n p1 -l
	grep -q 'port(s)' "$LOGS/vale-ctl-stops-at-failure.log" &&
		fail vale-ctl-stops-at-failure-2 "ran -l after a failure" ||
		pass vale-ctl-stops-at-failure-2
fi
expect vale-ctl-bad-name 1 '^vale-ctl: vale0: VALE_NEWIF: Invalid argument' \
	"$T/vale-ctl" -n vale0
# a persistent port carries traffic in the same process? (pkt-gen is
# another process on the sim; here only the empty list is checked)
expect vale-ctl-list-empty 0 '^0 port\(s\)$' "$T/vale-ctl" -l

# ---- bridge ----------------------------------------------------------------
expect bridge-idle 0 'bridge: vale0:a -> sim0: 0 frames' \
	"$T/bridge" -i vale0:a -i sim0 -D 300
expect bridge-sigint 0 'bridge: vale0:a -> vale1:b: 0 frames' \
	timeout --preserve-status -s INT 0.3 "$T/bridge" -i vale0:a -i vale1:b

echo "tools: $npass passed, $nfail failed (details in $LOGS)"
[ $nfail -eq 0 ]
