#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Run "myc bench bindings" with the Python and OCaml sides built: the Python
# binding pip-installed into a scratch venv of Debian's python, the OCaml
# side (tools/myc/bench_bindings.ml with the binding's sources) compiled by
# ocamlfind, both against this tree's build/libmyc.  Arguments go to
# "myc bench" (e.g. --json --msgs 20000).  Usage:
#   scripts/bench-bindings.sh [--json] [--msgs N] ...
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${MYC_BUILD:-$top/build}
tmp=$(mktemp -d /tmp/myc-bench-bindings.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

MYC_INCLUDE="$top/libmyc/include" MYC_LIBDIR="$build" sh -c \
	"/usr/bin/python3 -m venv --system-site-packages '$tmp/venv' && \
	 '$tmp/venv/bin/pip' install -q --no-index --no-build-isolation '$top/bindings/python'" \
	>"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log"; exit 1; }
export MYC_BENCH_PY="$tmp/venv/bin/python $top/tools/myc/bench_bindings.py"
# the generated trading.yaml module for bind-loop-py-msg
"$build/myc" gen "$top/examples/schema/trading.yaml" --python "$tmp/trading.py" >/dev/null
export MYC_BENCH_PY_GEN="$tmp"

if command -v ocamlfind >/dev/null; then
	cp "$top"/bindings/ocaml/lib/mycelium.ml* "$top/bindings/ocaml/lib/mycelium_stubs.c" \
		"$top/tools/myc/bench_bindings.ml" "$tmp/"
	(cd "$tmp" && ocamlfind ocamlopt -package threads.posix,unix -thread -linkpkg \
		-ccopt "-O2 -I$top/libmyc/include" mycelium_stubs.c mycelium.mli mycelium.ml \
		bench_bindings.ml -cclib "-L$build -Wl,-rpath,$build -lmyc" \
		-o bench_bindings) >"$tmp/ml.log" 2>&1 || { cat "$tmp/ml.log"; exit 1; }
	export MYC_BENCH_OCAML="$tmp/bench_bindings"
fi
"$build/myc" bench "$@" bindings
