#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: "myc bench" as a user drives it (no timing is judged here:
# numbers belong in docs/PERFORMANCE.md): --only NAME selects the
# scenarios whose name contains NAME, --only =NAME exactly one, and a
# comma-separated list the scenarios any of its items selects; --json
# prints one object per scenario with the documented keys; --rounds N
# runs the groups N times and prints each scenario once, with "rounds":N;
# a bad count or round count, an unknown group, a missing group and an
# --only that matches no scenario are refused with exit 2; the shm group
# runs every scenario and leaves no ring behind.  One PASS/FAIL
# line per check.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/suite.sh"

# names: the "name" values of the JSON lines in $tmp/o, one per line
names() {
	sed -n 's/^{"name":"\([^"]*\)".*/\1/p' "$tmp/expect.out"
}

only_exact() {
	expect 0 . "$myc" bench --json --tput-msgs 100000 --only =inproc-tput inproc || return 1
	[ "$(names)" = "inproc-tput" ] || { echo "got: $(names)"; return 1; }
	grep -Eq '"msgs_per_s":[1-9][0-9]*' "$tmp/expect.out" || { cat "$tmp/expect.out"; return 1; }
	for k in name size p50_ns p99_ns p999_ns max_ns msgs_per_s; do
		grep -q "\"$k\":" "$tmp/expect.out" || { echo "no key $k"; return 1; }
	done
}

only_substring() {
	expect 0 . "$myc" bench --json --tput-msgs 100000 --only inproc-tput inproc || return 1
	[ "$(names | tr '\n' ' ')" = "inproc-tput inproc-tput-msgrel inproc-tput-cb inproc-tput-batch " ] ||
		{ echo "got: $(names | tr '\n' ' ')"; return 1; }
}

only_list() {
	expect 0 . "$myc" bench --json --msgs 2000 --warmup 200 --tput-msgs 100000 \
		--only inproc-tput-c,=raw-spin inproc || return 1
	[ "$(names | tr '\n' ' ')" = "raw-spin inproc-tput-cb " ] ||
		{ echo "got: $(names | tr '\n' ' ')"; return 1; }
}

# --rounds 3: each scenario once, after the third round, with "rounds":3
# and its figures (medians) present and positive; without --rounds there
# is no "rounds" key.
rounds() {
	expect 0 . "$myc" bench --json --rounds 3 --tput-msgs 100000 \
		--only inproc-tput inproc || return 1
	[ "$(names | tr '\n' ' ')" = "inproc-tput inproc-tput-msgrel inproc-tput-cb inproc-tput-batch " ] ||
		{ echo "got: $(names | tr '\n' ' ')"; return 1; }
	[ "$(grep -c '"rounds":3[,}]' "$tmp/expect.out")" = 4 ] ||
		{ cat "$tmp/expect.out"; return 1; }
	[ "$(grep -Ec '"msgs_per_s":[1-9][0-9]*' "$tmp/expect.out")" = 4 ] ||
		{ cat "$tmp/expect.out"; return 1; }
	expect 0 . "$myc" bench --json --rounds 2 --msgs 2000 --warmup 200 \
		--only =raw-spin inproc || return 1
	grep -Eq '^\{"name":"raw-spin","size":64,"p50_ns":[1-9][0-9.]*,.*"rounds":2\}$' \
		"$tmp/expect.out" || { cat "$tmp/expect.out"; return 1; }
	expect 0 . "$myc" bench --json --msgs 2000 --warmup 200 --only =raw-spin inproc || return 1
	! grep -q '"rounds"' "$tmp/expect.out" || { cat "$tmp/expect.out"; return 1; }
}

# "myc bench bindings" with its Python and OCaml sides built as the README
# says (scripts/bench-bindings.sh): every scenario reports, and the
# in-process loops (one message per call, and bursts: myc_pub_sendv(),
# publish_many(), send_many) report a positive cost per message.  A loop
# that misses a message fails the run instead of reporting a figure.
bindings_all() {
	expect 0 . "$top/scripts/bench-bindings.sh" --json --msgs 2000 --warmup 200 \
		--only bind- || return 1
	for n in bind-c-c bind-py-c bind-c-py bind-ml-c bind-c-ml; do
		grep -q "^{\"name\":\"$n\"" "$tmp/expect.out" || { echo "no $n"; return 1; }
	done
	for n in bind-loop-c bind-loop-py bind-loop-ml bind-loop-py-msg \
		 bind-burst-c bind-burst-py bind-burst-ml; do
		grep -Eq "^\{\"name\":\"$n\".*\"ns_per_msg\":[1-9]" "$tmp/expect.out" ||
			{ echo "no $n with a cost per message"; cat "$tmp/expect.out"; return 1; }
	done
}

# "myc bench shm" end to end with small counts: every scenario reports,
# in order and with its size; latencies and rates are positive; the ring
# ping-pongs report their syscalls per message, none while the consumers
# spin and some when they sleep; and the benchmark's rings are gone after.
shm_all() {
	expect 0 . "$myc" bench --json --msgs 2000 --warmup 200 --tput-msgs 100000 shm ||
		return 1
	local got want
	got=$(sed -n 's/^{"name":"\([^"]*\)","size":\([0-9]*\),.*/\1:\2/p' \
		"$tmp/expect.out" | tr '\n' ' ')
	want="raw-spin:8 raw-spin-96:96 shm:64 shm:1024 raw-futex:4 shm-sleep:64 "
	want+="shm-sleep:1024 shm-tput:64 shm-send:64 shm-2x2:64 "
	[ "$got" = "$want" ] || { echo "got: $got"; return 1; }
	[ "$(grep -Ec '"p50_ns":[1-9]' "$tmp/expect.out")" = 8 ] ||
		{ cat "$tmp/expect.out"; return 1; }
	[ "$(grep -Ec '^\{"name":"shm-(tput|2x2)".*"msgs_per_s":[1-9]' "$tmp/expect.out")" = 2 ] ||
		{ cat "$tmp/expect.out"; return 1; }
	[ "$(grep -c '^{"name":"shm",.*"syscalls_per_msg":0\.000}' "$tmp/expect.out")" = 2 ] ||
		{ cat "$tmp/expect.out"; return 1; }
	[ "$(grep -Ec '^\{"name":"shm-sleep",.*"syscalls_per_msg":([1-9]|0\.[0-9]*[1-9])' \
		"$tmp/expect.out")" = 2 ] || { cat "$tmp/expect.out"; return 1; }
	! ls /dev/shm | grep -q '^myc\.bench-' ||
		{ echo "left behind:"; ls /dev/shm; return 1; }
}

check only-exact only_exact
check only-substring only_substring
check only-list only_list
check rounds rounds
check bad-count expect 2 "bad count 'abc'" "$myc" bench --msgs abc inproc
check bad-rounds expect 2 "bad count '0'" "$myc" bench --rounds 0 inproc
check too-many-rounds expect 2 "--rounds 1001: at most 1000" "$myc" bench --rounds 1001 inproc
check unknown-group expect 2 "unknown group 'nope'" "$myc" bench nope
check no-group expect 2 "usage" "$myc" bench
check only-matches-nothing expect 2 "--only '=inproc-tpu' matches no scenario" \
	"$myc" bench --only =inproc-tpu inproc
check bindings-all bindings_all
check shm-all shm_all

