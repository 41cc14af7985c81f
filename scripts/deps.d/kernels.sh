#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# deps.d hook for the "vm" group: the second test kernel (6.12 from
# bookworm-backports, image + headers) and the kselftest harness source
# (linux-source-6.1 ships tools/testing/selftests inside its tarball),
# and zstd.
# Idempotent and silent when everything is present.  Arguments: the groups
# deps.sh was asked for; does nothing unless "vm" is among them.
set -eu

want_vm=
for g in "$@"; do [ "$g" = vm ] && want_vm=1; done
[ -n "$want_vm" ] || exit 0

sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# The generic flavour only (not -rt or -cloud): 6.12.<n>+deb<m>-amd64.
have_612() {
	compgen -G '/boot/vmlinuz-6.12.*+deb*[0-9]-amd64' >/dev/null &&
		compgen -G '/usr/src/linux-headers-6.12.*+deb*[0-9]-amd64/Makefile' >/dev/null
}

need=()
have_612 || need+=(k612)
installed linux-source-6.1 || need+=(src)
# zstd: vmcheck unpacks the 6.12 vmlinuz (zstd payload) to boot it via PVH.
installed zstd || need+=(zstd)
[ ${#need[@]} -eq 0 ] && exit 0

list=/etc/apt/sources.list.d/mycelium-bookworm-backports.list
if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo 'deb http://deb.debian.org/debian bookworm-backports main' | $sudo tee "$list" >/dev/null
fi
echo "deps: installing test kernel / kernel source (${need[*]})"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet unless something fails (apt-get -qq still chatters on stderr).
quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }; }
quiet $sudo apt-get update -qq

pkgs=(linux-source-6.1 zstd)
if ! have_612; then
	# Newest 6.12 ABI in backports; the -unsigned image is the plain kernel.
	img=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' |
		awk '{print $1}' | sort -V | tail -1)
	if [ -z "$img" ]; then
		echo "deps: no 6.12 kernel image found in bookworm-backports" >&2
		exit 1
	fi
	abi=${img#linux-image-}
	abi=${abi%-unsigned}
	pkgs+=("$img" "linux-headers-$abi")
fi
quiet $sudo apt-get install -y -qq --no-install-recommends -t bookworm-backports "${pkgs[@]}"
