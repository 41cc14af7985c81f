#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Short fuzz runs: every tests/fuzz/<name>.c is a libFuzzer target built with
# clang against the library sources (ASan+UBSan) and run for
# MYC_FUZZ_SECONDS (default 20) seconds, seeded from tests/fuzz/<name>.seeds/
# when that directory exists (or from a list of directories named in a
# "Seeds: DIR..." header line, relative to the repository).  A crash, leak or
# sanitizer report fails the target.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
secs=${MYC_FUZZ_SECONDS:-20}
out="$top/build/fuzz"
mkdir -p "$out"

if ! command -v clang >/dev/null; then
	echo "FAIL fuzz (clang not installed: run scripts/deps.sh)"
	exit 1
fi

libsrcs=("$top"/libmyc/src/*.c)
for target in "$top"/tests/fuzz/*.c; do
	[ -e "$target" ] || continue
	name=$(basename "$target" .c)
	bin="$out/$name"
	if ! clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I"$top/libmyc/include" -I"$top/libmyc/src" \
		-I"$top/kmod/uapi" -o "$bin" "$target" "${libsrcs[@]}" \
		-lurcu-bp -lurcu-common -lyaml -lpthread -lm >"$out/$name.build.log" 2>&1; then
		cat "$out/$name.build.log"
		echo "FAIL $name (build)"
		continue
	fi
	corpus="$out/$name.corpus"
	rm -rf "$corpus"
	mkdir -p "$corpus"
	seeds=()
	[ -d "$top/tests/fuzz/$name.seeds" ] && seeds+=("$top/tests/fuzz/$name.seeds")
	for d in $(sed -n 's/^ \* Seeds: //p' "$target"); do
		[ -d "$top/$d" ] && seeds+=("$top/$d")
	done
	if (cd "$out" && ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$secs" \
		-max_len=4096 -print_final_stats=1 "$corpus" "${seeds[@]}") \
		>"$out/$name.log" 2>&1; then
		echo "PASS $name ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$') runs)"
	else
		tail -40 "$out/$name.log"
		echo "FAIL $name"
	fi
	rm -rf "$corpus"
done
