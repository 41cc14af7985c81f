#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# "make install" into a scratch DESTDIR, then build a program against the
# installed tree the way a user would (pkg-config), run it, and check that
# the shared library exports only the myc_* API with version MYC_0.1.
set -u
top=${MYC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d /tmp/myc-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"
prefix=/opt/myc

if make -s -C "$top" install PREFIX=$prefix DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
	echo "PASS make-install"
else
	cat "$tmp/install.log"
	echo "FAIL make-install"
	exit 1
fi

missing=0
for f in include/myc.h include/linux/mycelium.h lib/libmyc.so lib/libmyc.so.0 \
	lib/libmyc.a lib/pkgconfig/libmyc.pc bin/myc; do
	[ -e "$dest$prefix/$f" ] || { echo "missing $prefix/$f"; missing=1; }
done
[ $missing -eq 0 ] && echo "PASS installed-files" || echo "FAIL installed-files"

cat >"$tmp/user.c" <<'C'
#include <myc.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	unsigned char buf[64];
	struct myc_frame_hdr h = { .type = 1 }, out;
	int n = myc_frame_encode(buf, sizeof(buf), &h, "hi", 2);

	if (n != 40 || myc_frame_decode(buf, (size_t)n, &out, NULL) != n)
		return 1;
	printf("%s\n", myc_strerror(-MYC_E_FRAME_FLAGS));
	return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig"
if cc -o "$tmp/user" "$tmp/user.c" $(pkg-config --cflags --libs libmyc) >"$tmp/cc.log" 2>&1 &&
	out=$(LD_LIBRARY_PATH="$dest$prefix/lib" "$tmp/user") && [ "$out" = "frame: unknown flags" ]; then
	echo "PASS pkg-config-consumer"
else
	cat "$tmp/cc.log"
	echo "FAIL pkg-config-consumer"
fi

bad=$(nm -D --defined-only "$dest$prefix/lib/libmyc.so" | awk '$2 ~ /[TDBR]/ {print $3}' |
	grep -v -E '^myc_[a-z0-9_]+@@MYC_0\.1$|^MYC_0\.1$')
if [ -z "$bad" ]; then
	echo "PASS exports-only-myc-api"
else
	echo "unexpected exports: $bad"
	echo "FAIL exports-only-myc-api"
fi
