#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Python binding: pip-install bindings/python into a venv of Debian's
# /usr/bin/python3 (with system site-packages, so Debian's pytest is used;
# no network: --no-index, --no-build-isolation) against the build tree's
# libmyc, then run its pytest suite; one PASS/FAIL line per test.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${MYC_BUILD:-$top/build}
venv="$build/pyenv"
export MYC_INCLUDE="$top/libmyc/include" MYC_LIBDIR="$build"

rm -rf "$venv"
/usr/bin/python3 -m venv --system-site-packages "$venv" || exit 1
if ! "$venv/bin/pip" install -q --no-index --no-build-isolation \
	"$top/bindings/python" >"$build/pip.log" 2>&1; then
	cat "$build/pip.log"
	echo "FAIL pip-install"
	exit 1
fi
echo "PASS pip-install"
cd "$top/bindings/python/tests" || exit 1
"$venv/bin/python" -m pytest -v -p no:cacheprovider -o console_output_style=classic \
	--import-mode=importlib . 2>&1 | tee "$build/pytest.log" |
	sed -n 's/^\([^ ]*::[^ ]*\) \(PASSED\|FAILED\|ERROR\|SKIPPED\).*/\2 \1/p' |
	sed "s/^PASSED/PASS/; s/^FAILED/FAIL/; s/^ERROR/FAIL/; s/^SKIPPED/SKIP/"
rc=${PIPESTATUS[0]}
tail -5 "$build/pytest.log"
exit $rc
