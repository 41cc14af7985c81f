#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# OCaml binding: build bindings/ocaml with dune against the build tree's
# libmyc and run its alcotest suite; one PASS/FAIL line per test case.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${MYC_BUILD:-$top/build}
export MYC_INCLUDE="$top/libmyc/include" MYC_LIBDIR="$build"
# test/dune generates the trading schema's module with the build's myc.
export MYC_TOOL="$build/myc" MYC_SCHEMA="$top/examples/schema/trading.yaml"
out="$build/ocaml"
log="$out/test.log"
mkdir -p "$out"

dune test --root "$top/bindings/ocaml" --build-dir "$out/_build" --force \
	>"$log" 2>&1
rc=$?
cat "$log"
# alcotest: "  [OK]          bus          0   pub/sub roundtrip."
sed -n 's/^ *\[\(OK\|FAIL\)\] *\([^ ].*[^.]\)\.\?$/\1 \2/p' "$log" |
	while read -r res rest; do
		name=$(echo "$rest" | tr -s ' ' | tr ' ' '-')
		[ "$res" = OK ] && echo "PASS $name" || echo "FAIL $name"
	done
exit $rc
