#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: the toml-test corpus (TOML 1.0.0 cases) through
# "myc toml-decode": every valid case decodes to the expected tagged JSON,
# every invalid case is rejected with a line and column and without a crash.
# Runs the normal build and, when the ASan+UBSan flavour is being tested,
# that build too.  One
# PASS/FAIL line per case.
#
# MYC_TOML_TEST_DIR overrides the corpus location (default
# ../shared/toml-test/tests relative to the source tree).
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${MYC_BUILD:-$top/build}
corpus=${MYC_TOML_TEST_DIR:-$top/../shared/toml-test/tests}
list=$corpus/files-toml-1.0.0

if [ ! -f "$list" ]; then
	echo "FAIL toml-corpus: corpus not found: no $list (set MYC_TOML_TEST_DIR to toml-test's tests directory)"
	exit 1
fi
if [ ! -x "$build/myc" ]; then
	echo "FAIL toml-corpus: $build/myc not built"
	exit 1
fi
decoders=("$build/myc")
case " ${MYC_TEST_FLAVOURS:-normal asan} " in
*" asan "*) [ -x "$top/build-asan/myc" ] && decoders+=("$top/build-asan/myc") ;;
esac
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec /usr/bin/python3 "$top/tests/suites/lib/toml_compare.py" "$corpus" "$list" "${decoders[@]}"
