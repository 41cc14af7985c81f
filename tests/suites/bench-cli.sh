#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: "myc bench" as a user drives it (no timing is judged here:
# numbers belong in docs/PERFORMANCE.md): --only NAME selects the
# scenarios whose name contains NAME, --only =NAME exactly one; --json
# prints one object per scenario with the documented keys; a bad count,
# an unknown group, a missing group and an --only that matches no scenario
# are refused with exit 2.  One PASS/FAIL line per check.
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

check only-exact only_exact
check only-substring only_substring
check bad-count expect 2 "bad count 'abc'" "$myc" bench --msgs abc inproc
check unknown-group expect 2 "unknown group 'nope'" "$myc" bench nope
check no-group expect 2 "usage" "$myc" bench
check only-matches-nothing expect 2 "--only '=inproc-tpu' matches no scenario" \
	"$myc" bench --only =inproc-tpu inproc

