#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: the trading demo as "make demo" runs it: the multi-process
# pipeline (4 stage processes on ring-bridged buses) and the --inproc
# variant finish with counts that add up (exit 0); Ctrl-C (SIGINT to the
# parent) mid-run exits 130 and leaves no stage process and no ring in
# /dev/shm; bad usage exits 2.  One PASS/FAIL line per check.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MYC_BUILD:-$top/build}/examples/trading-pipeline
tmp=$(mktemp -d /tmp/myc-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

report() { # name, status (0 = pass), details file
	if [ "$2" = 0 ]; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		sed 's/^/  | /' "$3" | head -30
	fi
}

# Leftovers of the run whose parent was $1: rings and stage processes.
leftovers() {
	ls /dev/shm 2>/dev/null | grep "^myc\.demo-$1\." || true
	pgrep -f -- "--domain demo-$1( |\$)" || true
}

if [ ! -x "$bin" ]; then
	echo "FAIL demo-built"
	echo "  | $bin missing"
	exit 0
fi

"$bin" --seconds 1 --rate 50000 >"$tmp/mp" 2>&1 &
pid=$!
wait $pid
st=$?
left=$(leftovers $pid)
ok=1
[ $st = 0 ] && grep -q "4 processes on shared-memory rings" "$tmp/mp" &&
	grep -q "^execution  orders" "$tmp/mp" && [ -z "$left" ] && ok=0
echo "exit $st, leftovers: $left" >>"$tmp/mp"
report demo-multiprocess-counts-add-up $ok "$tmp/mp"

"$bin" --inproc --seconds 1 --rate 50000 >"$tmp/ip" 2>&1
st=$?
ok=1
[ $st = 0 ] && grep -q "one in-process bus" "$tmp/ip" && ok=0
report demo-inproc-counts-add-up $ok "$tmp/ip"

"$bin" --seconds 5 --rate 50000 >"$tmp/int" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
st=$?
left=$(leftovers $pid)
ok=1
[ $st = 130 ] && [ -z "$left" ] && ok=0
echo "exit $st, leftovers: $left" >>"$tmp/int"
report demo-ctrl-c-cleans-up $ok "$tmp/int"

"$bin" --bogus >"$tmp/usage" 2>&1
st=$?
ok=1
[ $st = 2 ] && grep -q usage "$tmp/usage" && ok=0
report demo-bad-usage $ok "$tmp/usage"
