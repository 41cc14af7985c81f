#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build every flavour and run every test; the last line is
# "N passed, M failed[, K skipped]" and the exit status is non-zero on any
# failure.  Called by "make check".
#
#  - tests/unit/*.c      one binary each; built normally and with
#                        ASan+UBSan; files containing the line
#                        " * Sanitizers: tsan" are also built with TSan.
#                        cmocka tests report each case (TAP); other binaries
#                        pass on exit 0 and skip on exit 77.
#  - tests/suites/*.sh   whole suites (toml corpus, python, ocaml, vm ...);
#                        each prints "PASS name", "FAIL name" or "SKIP name"
#                        lines; a non-zero exit without a FAIL line counts as
#                        one failure.
#
# Environment: MYC_TEST_FILTER=regex runs only matching tests;
# MYC_TEST_FLAVOURS="normal asan tsan" chooses the flavours.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
flavours=${MYC_TEST_FLAVOURS:-"normal asan tsan"}
export MYC_TEST_FLAVOURS="$flavours"	# suites may run per-flavour binaries
filter=${MYC_TEST_FILTER:-}
logdir="$top/build/test-logs"
rm -rf "$logdir"
mkdir -p "$logdir"
pass=0 fail=0 skip=0
failed=()

note() { printf '%s\n' "$*"; }
record() { # result name
	case $1 in
	PASS) pass=$((pass + 1)) ;;
	FAIL) fail=$((fail + 1)); failed+=("$2") ;;
	SKIP) skip=$((skip + 1)) ;;
	esac
	note "$1 $2"
}

build_dir() {
	case $1 in normal) echo build ;; asan) echo build-asan ;; tsan) echo build-tsan ;; esac
}
san_of() {
	case $1 in normal) echo "" ;; asan) echo asan ;; tsan) echo tsan ;; esac
}

wants_flavour() { # file flavour
	case $2 in
	normal|asan) return 0 ;;
	tsan) grep -q '^ \* Sanitizers: .*tsan' "$1" ;;
	esac
}

timeout_of() { # file
	local t
	t=$(sed -n 's/^ \* Timeout: \([0-9]*\).*/\1/p' "$1" | head -1)
	echo "${t:-300}"
}

run_unit() { # flavour bindir name src
	local flavour=$1 bdir=$2 name=$3 src=$4 log rc tap_ok tap_fail t
	log="$logdir/$flavour-$name.log"
	t=$(timeout_of "$src")
	local tmp
	tmp=$(mktemp -d /tmp/myc-test.XXXXXX)
	(cd "$tmp" && MYC_TEST_TMP="$tmp" MYC_BUILD="$top/$bdir" \
		CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		timeout -k 10 "$t" "$top/$bdir/tests/$name") >"$log" 2>&1
	rc=$?
	rm -rf "$tmp"
	tap_ok=$(grep -cE '^ok [0-9]+' "$log")
	tap_fail=$(grep -cE '^not ok [0-9]+' "$log")
	if [ "$tap_ok" -gt 0 ] || [ "$tap_fail" -gt 0 ]; then
		while read -r line; do
			case $line in
			"not ok "*) record FAIL "$flavour/$name:${line#not ok }" ;;
			"ok "*) record PASS "$flavour/$name:${line#ok }" ;;
			esac
		done < <(grep -E '^(not )?ok [0-9]+' "$log")
		if [ $rc -ne 0 ] && [ "$tap_fail" -eq 0 ]; then
			record FAIL "$flavour/$name (exit $rc)"
		fi
	elif [ $rc -eq 0 ]; then
		record PASS "$flavour/$name"
	elif [ $rc -eq 77 ]; then
		record SKIP "$flavour/$name"
	else
		record FAIL "$flavour/$name (exit $rc)"
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		note "---- $log (last 30 lines)"
		tail -30 "$log"
		note "----"
	fi
}

for flavour in $flavours; do
	bdir=$(build_dir "$flavour")
	note "== build $flavour ($bdir)"
	if ! make -s -j"$jobs" BUILD="$bdir" SAN="$(san_of "$flavour")" all tests \
		>"$logdir/build-$flavour.log" 2>&1; then
		record FAIL "build/$flavour"
		tail -40 "$logdir/build-$flavour.log"
		continue
	fi
	for src in tests/unit/*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		[ -n "$filter" ] && ! [[ $name =~ $filter ]] && continue
		wants_flavour "$src" "$flavour" || continue
		run_unit "$flavour" "$bdir" "$name" "$src"
	done
done

for suite in tests/suites/*.sh; do
	[ -e "$suite" ] || continue
	name=$(basename "$suite" .sh)
	[ -n "$filter" ] && ! [[ $name =~ $filter ]] && continue
	note "== suite $name"
	log="$logdir/suite-$name.log"
	MYC_TOP="$top" MYC_BUILD="$top/build" bash "$suite" >"$log" 2>&1
	rc=$?
	nfail=0
	while read -r res rest; do
		record "$res" "$name/$rest"
		[ "$res" = FAIL ] && nfail=$((nfail + 1))
	done < <(grep -E '^(PASS|FAIL|SKIP) ' "$log")
	if [ $rc -ne 0 ] && [ $nfail -eq 0 ]; then
		record FAIL "$name (exit $rc)"
		nfail=1
	fi
	if [ $nfail -gt 0 ]; then
		note "---- $log (last 40 lines)"
		tail -40 "$log"
		note "----"
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	note ""
	note "failed:"
	printf '  %s\n' "${failed[@]}"
fi
if [ $skip -gt 0 ]; then
	note "$pass passed, $fail failed, $skip skipped"
else
	note "$pass passed, $fail failed"
fi
[ $fail -eq 0 ] && [ $pass -gt 0 ]
