#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install the Debian packages Mycelium needs, when missing.  Idempotent and
# quiet when everything is present.  Package groups:
#   base  - build and userspace tests (always)
#   vm    - qemu, busybox and the 6.1 / 6.12 test kernels for "make vmcheck"
# Usage: scripts/deps.sh [base] [vm] ...     (default: every group)
set -eu

base_pkgs=(
	build-essential pkg-config make gcc clang llvm
	libcmocka-dev liburcu-dev libyaml-dev libelf-dev zlib1g-dev
	python3 python3-dev python3-cffi python3-pytest python3-pip
	python3-setuptools python3-venv python3-yaml
	ocaml-nox ocaml-findlib dune libctypes-ocaml-dev libalcotest-ocaml-dev
	iproute2 strace procps libzmq3-dev
)
vm_pkgs=(
	qemu-system-x86 busybox-static cpio dwarves xz-utils
	linux-image-amd64 linux-headers-amd64
)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(base vm)

want=()
for g in "${groups[@]}"; do
	case $g in
	base) want+=("${base_pkgs[@]}") ;;
	vm) want+=("${vm_pkgs[@]}") ;;
	*) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

# Extra steps registered by other parts (e.g. the 6.12 backport kernel).
hooks=()
for h in "$(dirname "$0")"/deps.d/*.sh; do
	[ -e "$h" ] && hooks+=("$h")
done

if [ ${#missing[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for h in "${hooks[@]}"; do
	bash "$h" "${groups[@]}"
done
