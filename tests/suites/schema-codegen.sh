#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Description: "myc gen" output and command line.
#  - golden: the C, Python and OCaml output for tests/data/schema/
#    ok-all-types.yaml equals tests/data/golden/* byte for byte
#    (MYC_UPDATE_GOLDEN=1 rewrites the golden files after a reviewed change);
#  - the generated headers compile with gcc and clang in strict C11 with
#    -Wpadded (no implicit padding anywhere), the Python modules import with
#    warnings as errors, the OCaml modules compile with all warnings as errors;
#  - generated C init/check, Python validation (pytest) and OCaml checks
#    behave as documented (tests/schema/c_check.c, test_generated_python.py,
#    negative.ml);
#  - the digest printed by "myc gen" is the SHA-256 (coreutils sha256sum) of
#    "myc gen --canonical" and appears in all three outputs;
#  - command-line errors: invalid schema (exit 1, FILE:LINE on stderr, no
#    output written), missing file, unwritable output, usage errors (exit 2).
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/suite.sh"
golden=$top/tests/data/golden
allyaml=$top/tests/data/schema/ok-all-types.yaml

g=$tmp/gen
mkdir -p "$g"
if ! "$myc" gen "$allyaml" --out "$g" || ! "$myc" gen "$top/examples/schema/trading.yaml" --out "$g" ||
	! "$myc" gen "$top/tests/data/schema/ok-tricky-names.yaml" --out "$g"; then
	echo "FAIL gen"
	exit 1
fi

# ---- golden files
for ext in h py ml; do
	if [ "${MYC_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$g/alltypes.$ext" "$golden/alltypes.$ext"
	fi
	check "golden-alltypes.$ext" diff -u "$golden/alltypes.$ext" "$g/alltypes.$ext"
done

# ---- the outputs are clean in their languages
strict="-std=c11 -pedantic -Wall -Wextra -Wpadded -Wcast-align -Werror -fsyntax-only"
for s in alltypes trading tricky; do
	echo "#include \"$s.h\"" >"$tmp/inc-$s.c"
	check "header-gcc-$s" gcc $strict -I"$g" "$tmp/inc-$s.c"
	if command -v clang >/dev/null; then
		check "header-clang-$s" clang $strict -I"$g" "$tmp/inc-$s.c"
	else
		echo "SKIP header-clang-$s (clang not installed)"
	fi
	check "python-import-$s" "$py" -W error -c "import sys; sys.path.insert(0, '$g'); import $s"
	if command -v ocamlfind >/dev/null; then
		mkdir -p "$tmp/ml-$s"
		cp "$g/$s.ml" "$tmp/ml-$s/"
		check "ocaml-warnings-$s" sh -c "cd '$tmp/ml-$s' && ocamlfind ocamlopt -package stdlib \
			-w +a-4-40-41-42-44-45-70 -warn-error +a -c $s.ml"
	else
		echo "SKIP ocaml-warnings-$s (ocamlfind not installed)"
	fi
done

# ---- digest: one value, the SHA-256 of the canonical form, in every output
digest=$("$myc" gen "$allyaml")
canon=$("$myc" gen "$allyaml" --canonical | sha256sum | cut -d' ' -f1)
check "digest-is-sha256-of-canonical" test "$digest" = "$canon"
check "digest-in-outputs" sh -c "grep -q '$digest' '$g/alltypes.h' && \
	grep -q \"SCHEMA_DIGEST_HEX = '$digest'\" '$g/alltypes.py' && grep -q '\"$digest\"' '$g/alltypes.ml'"

# ---- behaviour of the generated code
check "c-check-build" cc -std=c11 -Wall -Wextra -Werror -I"$g" "$top/tests/schema/c_check.c" \
	-o "$tmp/c_check"
"$tmp/c_check" || echo "FAIL c-check (exit $?)"

if "$py" -c 'import pytest' 2>/dev/null; then
	(cd "$tmp" && MYC_GEN_DIR=$g MYC_GEN_DIGEST=$digest "$py" -m pytest -v -p no:cacheprovider \
		"$top/tests/schema/test_generated_python.py" >"$tmp/pytest.log" 2>&1)
	rc=$?
	sed -n 's/^.*::\([^ ]*\) PASSED.*/PASS python-\1/p; s/^.*::\([^ ]*\) FAILED.*/FAIL python-\1/p' \
		"$tmp/pytest.log"
	if [ $rc -ne 0 ]; then
		echo "FAIL python-pytest (exit $rc)"
		tail -40 "$tmp/pytest.log"
	fi
else
	echo "SKIP python-pytest (python3-pytest not installed)"
fi

if command -v ocamlfind >/dev/null; then
	mkdir -p "$tmp/neg"
	cp "$g/alltypes.ml" "$tmp/neg/s.ml"
	cp "$top/tests/schema/negative.ml" "$tmp/neg/"
	check "ocaml-negative-build" sh -c "cd '$tmp/neg' && ocamlfind ocamlopt -package stdlib \
		s.ml negative.ml -o negative"
	"$tmp/neg/negative" "$digest" || echo "FAIL ocaml-negative (exit $?)"
fi

# ---- command line
expect_exit() { # CODE CMD...: CMD exits with CODE
	local want=$1 rc
	shift
	"$@"
	rc=$?
	[ $rc -eq "$want" ] || { echo "exit $rc, want $want"; return 1; }
}

bad=$top/tests/data/schema/bad-duplicate-id.yaml
mkdir -p "$tmp/bad-out"
check "cli-invalid-exit" expect_exit 1 "$myc" gen "$bad" --out "$tmp/bad-out"
"$myc" gen "$bad" --out "$tmp/bad-out" 2>"$tmp/err"
check "cli-invalid-names-file-line" grep -q "^myc gen: $bad:12: message 'Trade': duplicate type id" "$tmp/err"
check "cli-invalid-writes-nothing" test -z "$(ls -A "$tmp/bad-out")"
check "cli-missing-file" sh -c "! '$myc' gen '$tmp/none.yaml' 2>'$tmp/err2' && \
	grep -q 'none.yaml: No such file' '$tmp/err2'"
check "cli-unwritable" sh -c "! '$myc' gen '$allyaml' --c '$tmp/nodir/x.h' 2>'$tmp/err3' && \
	grep -q 'nodir/x.h: No such file' '$tmp/err3'"
check "cli-usage-no-args" expect_exit 2 "$myc" gen
check "cli-usage-two-schemas" expect_exit 2 "$myc" gen "$allyaml" "$allyaml"
check "cli-usage-bad-option" expect_exit 2 "$myc" gen --bogus "$allyaml"
mkdir -p "$tmp/explicit"
check "cli-explicit-paths" sh -c "'$myc' gen '$allyaml' --c '$tmp/explicit/a.h' \
	--python '$tmp/explicit/b.py' --ocaml '$tmp/explicit/c.ml' && \
	cmp '$tmp/explicit/a.h' '$g/alltypes.h' && cmp '$tmp/explicit/b.py' '$g/alltypes.py' && \
	cmp '$tmp/explicit/c.ml' '$g/alltypes.ml' && [ \$(ls '$tmp/explicit' | wc -l) -eq 3 ]"
check "cli-outputs-readable" sh -c "[ \$(stat -c %a '$g/alltypes.h') = 644 ]"
