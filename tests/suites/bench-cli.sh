#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: "myc bench" as a user drives it (no timing is judged here:
# numbers belong in docs/PERFORMANCE.md): --only NAME selects the
# scenarios whose name contains NAME, --only =NAME exactly one; --json
# prints one object per scenario with the documented keys; a bad count,
# an unknown group and a missing group are refused with exit 2.  One
# PASS/FAIL line per check.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
myc=${MYC_BUILD:-$top/build}/myc
tmp=$(mktemp -d /tmp/myc-bench-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0

check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
		fails=$((fails + 1))
	fi
}

# run CMD..., expect exit status $1 and stdout+stderr matching regex $2
expect() { # status regex cmd...
	local want=$1 re=$2 rc
	shift 2
	"$@" >"$tmp/o" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "exit $rc, want $want:"
		cat "$tmp/o"
		return 1
	fi
	grep -Eq -- "$re" "$tmp/o" || { echo "no match for /$re/ in:"; cat "$tmp/o"; return 1; }
}

# names: the "name" values of the JSON lines in $tmp/o, one per line
names() {
	sed -n 's/^{"name":"\([^"]*\)".*/\1/p' "$tmp/o"
}

only_exact() {
	expect 0 . "$myc" bench --json --tput-msgs 100000 --only =inproc-tput inproc || return 1
	[ "$(names)" = "inproc-tput" ] || { echo "got: $(names)"; return 1; }
	grep -Eq '"msgs_per_s":[1-9][0-9]*' "$tmp/o" || { cat "$tmp/o"; return 1; }
	for k in name size p50_ns p99_ns p999_ns max_ns msgs_per_s; do
		grep -q "\"$k\":" "$tmp/o" || { echo "no key $k"; return 1; }
	done
}

only_substring() {
	expect 0 . "$myc" bench --json --tput-msgs 100000 --only inproc-tput inproc || return 1
	[ "$(names | tr '\n' ' ')" = "inproc-tput inproc-tput-msgrel inproc-tput-cb " ] ||
		{ echo "got: $(names | tr '\n' ' ')"; return 1; }
}

check only-exact only_exact
check only-substring only_substring
check bad-count expect 2 "bad count 'abc'" "$myc" bench --msgs abc inproc
check unknown-group expect 2 "unknown group 'nope'" "$myc" bench nope
check no-group expect 2 "usage" "$myc" bench

[ $fails -eq 0 ]
