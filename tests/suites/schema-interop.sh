#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: the C, Python and OCaml code generated from one schema agree
# on the layout and on the bytes, checked mechanically for every message type
# of tests/data/schema/ok-all-types.yaml, ok-tricky-names.yaml and
# examples/schema/trading.yaml:
#  - layout: sizeof/offsetof of every member from the C compiler, the offsets
#    the Python module measures on its struct format, the OCaml module's
#    layout table and "myc gen --layout" are identical;
#  - encode: each language encodes the same sample values (tests/schema/
#    interop.py defines them) to identical bytes;
#  - round trip: each language decodes the bytes each language encoded and
#    prints exactly the sample values (9 directions per schema).
# Harnesses: tests/schema/interop.{c,py,ml}.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/suite.sh"

same_files() { # FILE FILE...
	local first=$1 f
	shift
	for f in "$@"; do
		diff -u "$first" "$f" || return 1
	done
}

have_ocaml=1
command -v ocamlfind >/dev/null || have_ocaml=0

for schema in tests/data/schema/ok-all-types.yaml tests/data/schema/ok-tricky-names.yaml \
	examples/schema/trading.yaml; do
	d=$tmp/$(basename "$schema" .yaml)
	mkdir -p "$d"
	if ! "$myc" gen "$top/$schema" --out "$d" >"$d/gen.log" 2>&1; then
		echo "FAIL gen-$(basename "$schema")"
		cat "$d/gen.log"
		continue
	fi
	name=$(cd "$d" && ls ./*.h | sed 's|^\./||; s|\.h$||')
	prefix=$(echo "$name" | tr a-z A-Z)
	t=$name
	langs="c py"

	# C: the harness sees the header through its X-macros
	check "build-c-$t" cc -std=gnu11 -Wall -Wextra -Werror -include "$d/$name.h" \
		-DMESSAGES="${prefix}_MESSAGES" "$top/tests/schema/interop.c" -o "$d/ic"
	run_c() { "$d/ic" "$@"; }
	run_py() { "$py" "$top/tests/schema/interop.py" "$d" "$name" "$@"; }
	if [ $have_ocaml = 1 ]; then
		# the harness refers to the module under test as S
		mkdir -p "$d/ml"
		cp "$d/$name.ml" "$d/ml/s.ml"
		cp "$top/tests/schema/sample.ml" "$top/tests/schema/interop.ml" "$d/ml/"
		check "build-ocaml-$t" sh -c "cd '$d/ml' && ocamlfind ocamlopt -package stdlib \
			s.ml sample.ml interop.ml -o ../iml"
		langs="c py ml"
	else
		echo "SKIP ocaml-$t (ocamlfind not installed; scripts/deps.sh)"
	fi
	run_ml() { "$d/iml" "$@"; }

	"$myc" gen "$top/$schema" --layout >"$d/layout.myc"
	for l in $langs; do
		run_$l layout >"$d/layout.$l" 2>&1
		run_$l sample >"$d/sample.$l" 2>&1
		run_$l encode "$d/bin.$l" >"$d/encode.$l.log" 2>&1 || echo "encode failed" >>"$d/bin.$l"
	done
	check "layout-$t" same_files "$d/layout.myc" $(for l in $langs; do echo "$d/layout.$l"; done)
	check "samples-$t" same_files $(for l in $langs; do echo "$d/sample.$l"; done)
	check "encode-$t" same_files $(for l in $langs; do echo "$d/bin.$l"; done)
	# the sample must exercise every field: one line per schema field
	check "samples-cover-$t" test "$(grep -c = "$d/sample.c")" -eq \
		"$(grep -vc -e ' size ' -e '\._pad' -e '_len ' "$d/layout.myc")"
	for from in $langs; do
		for to in $langs; do
			run_$to decode "$d/bin.$from" >"$d/dec.$from.$to" 2>&1
			check "roundtrip-$t-$from-to-$to" same_files "$d/sample.c" "$d/dec.$from.$to"
		done
	done
done
