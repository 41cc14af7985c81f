#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: a short, bounded libFuzzer run (MYC_FUZZ_SECONDS, default
# 25 s) of the TOML parser and topology loader (tests/fuzz/toml-fuzz.c),
# seeded with the toml-test corpus and examples/*.toml.  PASS when the run
# ends without a crash, leak, sanitizer report or timeout; on failure the
# crashing input is printed (base64) and the log kept in the test log.
# Leaves nothing behind: the working corpus lives in a temporary directory.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
secs=${MYC_FUZZ_SECONDS:-25}
corpus=${MYC_TOML_TEST_DIR:-$top/../shared/toml-test/tests}
bin=$top/build/fuzz/toml-fuzz

if ! command -v clang >/dev/null; then
	echo "FAIL fuzz-toml: clang not installed (scripts/deps.sh installs it)"
	exit 1
fi
if ! make -s -C "$top" BUILD=build fuzz >/dev/null; then
	echo "FAIL fuzz-toml: building the fuzzer failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/myc-fuzz-toml.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work" "$tmp/seed"
# seeds: toml-test's 1.0 cases (flattened names) and our example topologies
if [ -f "$corpus/files-toml-1.0.0" ]; then
	while read -r f; do
		case $f in *.toml) cp "$corpus/$f" "$tmp/seed/$(echo "$f" | tr / _)" ;; esac
	done <"$corpus/files-toml-1.0.0"
fi
cp "$top"/examples/*.toml "$tmp/seed/" 2>/dev/null
echo "seeds: $(ls "$tmp/seed" | wc -l) files, ${secs}s"

ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	-max_len=4096 -print_final_stats=1 -dict="$top/tests/fuzz/toml.dict" \
	-artifact_prefix="$tmp/" "$tmp/work" "$tmp/seed" >"$tmp/log" 2>&1
rc=$?
tail -25 "$tmp/log"
if [ $rc -ne 0 ]; then
	for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
		[ -e "$a" ] || continue
		echo "---- $(basename "$a") (base64):"
		base64 "$a"
	done
	echo "FAIL fuzz-toml: libFuzzer exit $rc"
	exit 1
fi
echo "PASS fuzz-toml"
