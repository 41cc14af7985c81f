# SPDX-License-Identifier: MIT
# Helpers for tests/suites/*.sh.  Source it after setting $top; it sets
#   build  the build directory ($MYC_BUILD, default $top/build)
#   myc    the myc tool in it
#   py     Debian's Python (/usr/bin/python3: sees the Debian packages)
#   tmp    a scratch directory, removed when the suite exits
build=${MYC_BUILD:-$top/build}
myc=$build/myc
py=/usr/bin/python3
tmp=$(mktemp -d "/tmp/myc-$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# check NAME CMD...: print "PASS NAME" when CMD succeeds, else "FAIL NAME"
# followed by CMD's output, indented.
check() {
	local name=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		sed 's/^/    /' "$tmp/check.out" | head -40
	fi
}

# expect STATUS REGEX CMD...: run CMD, succeed if it exits with STATUS and
# its stdout+stderr match the extended REGEX (grep -E); else print why.
expect() {
	local want=$1 re=$2 rc
	shift 2
	"$@" >"$tmp/expect.out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "exit $rc, want $want:"
		cat "$tmp/expect.out"
		return 1
	fi
	grep -Eq -- "$re" "$tmp/expect.out" || {
		echo "no match for /$re/ in:"
		cat "$tmp/expect.out"
		return 1
	}
}
