#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Short, bounded fuzz runs.  Every tests/fuzz/<name>.c is a libFuzzer target,
# built with clang (-fsanitize=fuzzer,address,undefined) together with the
# library sources (libmyc.a is built by gcc without coverage, so the sources
# are compiled again here) and run for MYC_FUZZ_SECONDS (default 20) s.
# Header lines of a target configure its run:
#    * Seeds: DIR...    seed corpora, relative to the repository (missing
#                       ones are skipped); tests/fuzz/<name>.seeds is
#                       always used when present
#    * Dict: FILE       a libFuzzer dictionary, relative to the repository
# A crash, leak, timeout or sanitizer report fails the target and prints the
# input (base64).  The working corpus lives in a temporary directory.
# "make fuzz MYC_FUZZ_SECONDS=600" runs the same thing for longer.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
secs=${MYC_FUZZ_SECONDS:-20}
out="$top/build/fuzz"
only=${1:-}
mkdir -p "$out"

if ! command -v clang >/dev/null; then
	echo "FAIL fuzz: clang not installed (scripts/deps.sh installs it)"
	exit 1
fi

header() { # file key
	sed -n "s/^ \* $2: //p" "$1" | head -1
}

libsrcs=("$top"/libmyc/src/*.c)
rc_all=0
for target in "$top"/tests/fuzz/*.c; do
	[ -e "$target" ] || continue
	name=$(basename "$target" .c)
	[ -n "$only" ] && [ "$name" != "$only" ] && continue
	bin="$out/$name"
	if ! clang -g -O1 -std=gnu11 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$top/libmyc/include" -I"$top/libmyc/src" -I"$top/kmod/uapi" \
		-o "$bin" "$target" "${libsrcs[@]}" \
		-lyaml -lurcu-bp -lurcu-common -lpthread -lm \
		>"$out/$name.build.log" 2>&1; then
		cat "$out/$name.build.log"
		echo "FAIL $name (build)"
		rc_all=1
		continue
	fi
	tmp=$(mktemp -d /tmp/myc-fuzz.XXXXXX)
	mkdir "$tmp/work"
	seeds=()
	[ -d "$top/tests/fuzz/$name.seeds" ] && seeds+=("$top/tests/fuzz/$name.seeds")
	for d in $(header "$target" Seeds); do
		[ -d "$top/$d" ] && seeds+=("$top/$d")
	done
	dict=$(header "$target" Dict)
	(cd "$tmp" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-max_len=4096 -print_final_stats=1 ${dict:+-dict="$top/$dict"} \
		-artifact_prefix="$tmp/" "$tmp/work" "${seeds[@]}") \
		>"$out/$name.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
		echo "PASS $name (${runs:-?} runs in ${secs}s)"
	else
		tail -40 "$out/$name.log"
		for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
			[ -e "$a" ] || continue
			echo "---- $(basename "$a") (base64):"
			base64 "$a"
		done
		echo "FAIL $name (libFuzzer exit $rc)"
		rc_all=1
	fi
	rm -rf "$tmp"
done
exit $rc_all
