#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The kernel test matrix: for each test kernel (Debian 12's 6.1 and the 6.12
# backport by default) build mycelium.ko against its headers, pack the module
# and the static selftests into a busybox initramfs, boot the kernel in qemu
# (TCG), run the selftests in the guest and print one line per guest test:
#
#   PASS <kernel>/<binary>/<test>      FAIL ...      SKIP ...
#
# Then, still in the guest, libmyc's ring tests (build/tests/ring-*, with
# the myc tool and the shared libraries ldd names) run in kernel mode
# (MYC_MODE=kernel):  PASS <kernel>/ring-kmode/<test>  (SKIP: userspace
# mode only, the test says why).
#
# Exit status: 0 when every kernel ran and every test passed; 1 otherwise,
# including a guest that gave no result (panic, hang, timeout).
#
# Environment:
#   MYC_VM_KERNELS   kernel versions to test (default: newest 6.1 and 6.12)
#   MYC_VM_TIMEOUT   seconds allowed per guest (default 900)
#   MYC_VM_FILTER    only run selftest binaries whose name matches (regex)
#   MYC_VM_RING_FILTER  only run ring tests whose name matches (regex)
#   MYC_BUILD        build directory (default <top>/build)
#   MYC_VM_KEEP=1    keep the initramfs tree for inspection
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${MYC_BUILD:-$top/build}
vmdir=$build/vm
timeout_s=${MYC_VM_TIMEOUT:-900}
mkdir -p "$vmdir"

die() { echo "vmcheck: $*" >&2; exit 1; }

# Install qemu, busybox, the kernels and the harness source when missing.
"$top/scripts/deps.sh" vm || die "installing the vm dependencies failed"

newest() { # glob -> newest matching kernel version under /boot
	local f v best=
	for f in /boot/vmlinuz-$1; do
		[ -e "$f" ] || continue
		v=${f#/boot/vmlinuz-}
		best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -1)
	done
	echo "$best"
}

if [ -n "${MYC_VM_KERNELS:-}" ]; then
	read -r -a kernels <<<"$MYC_VM_KERNELS"
else
	kernels=("$(newest '6.1.*-amd64')" "$(newest '6.12.*+deb*[0-9]-amd64')")
fi

# Static selftest binaries (shared by every kernel).
make -s -C "$top" BUILD="$build" selftests >"$vmdir/selftests-build.log" 2>&1 || {
	cat "$vmdir/selftests-build.log"
	echo "FAIL build/selftests"
	exit 1
}

# libmyc's ring tests and the myc tool (normal flavour) for kernel mode.
make -s -C "$top" BUILD="$build" all tests >"$vmdir/ringtests-build.log" 2>&1 || {
	cat "$vmdir/ringtests-build.log"
	echo "FAIL build/ringtests"
	exit 1
}

label() { # 6.12.117+deb12-amd64 -> 6.12
	echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'
}

# Uncompressed ELF of a vmlinuz: qemu boots it through PVH, about twice as
# fast as letting the bzImage decompress itself under TCG.  Falls back to the
# bzImage if no payload is found.
kernel_image() { # version -> path
	local ver=$1 out=$vmdir/vmlinux-$1 src=/boot/vmlinuz-$1 off magic tool
	if [ -s "$out" ] && [ "$out" -nt "$src" ]; then
		echo "$out"
		return
	fi
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08\x00'; do
		tool=${magic%%:*}
		off=$(LC_ALL=C grep -obaUP "${magic#*:}" "$src" 2>/dev/null | head -1 | cut -d: -f1)
		[ -n "$off" ] || continue
		tail -c +"$((off + 1))" "$src" | "$tool" -dc 2>/dev/null >"$out.tmp"
		if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			mv "$out.tmp" "$out"
			echo "$out"
			return
		fi
	done
	rm -f "$out.tmp"
	echo "$src"
}

# Copy the module sources (top-level Kbuild + kmod/) and build them the way
# DKMS does, one tree per kernel so the builds never share objects.
build_module() { # version -> path of mycelium.ko
	local ver=$1 tree=$vmdir/kmod-$1
	rm -rf "$tree"
	mkdir -p "$tree"
	cp -a "$top/Kbuild" "$top/kmod" "$tree/"
	if ! make -C "/lib/modules/$ver/build" M="$tree" W=1 modules \
		>"$vmdir/kmod-$ver.log" 2>&1; then
		cat "$vmdir/kmod-$ver.log" >&2
		return 1
	fi
	# Warning-free is part of the contract.
	if grep -E 'warning:' "$vmdir/kmod-$ver.log" >&2; then
		return 2
	fi
	echo "$tree/kmod/mycelium.ko"
}

# Ring tests (dynamically linked: Debian ships cmocka shared only) plus the
# myc tool, with every library ldd names at its own path.
add_ring_tests() { # root
	local root=$1 f name lib
	mkdir -p "$root/ringtests"
	for f in "$top"/tests/unit/ring-*.c; do
		name=$(basename "$f" .c)
		[[ $name =~ ${MYC_VM_RING_FILTER:-.} ]] || continue
		cp "$build/tests/$name" "$root/ringtests/"
	done
	cp "$build/myc" "$root/ringtests/myc"
	for lib in $(ldd "$root"/ringtests/* 2>/dev/null |
		sed -nE 's/.*=> (\/[^ ]+).*/\1/p; s/^[[:space:]]*(\/[^ ]+) .*/\1/p' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# The guest's perf-hold helper (scripts/vm/perf-hold.c), static.
build_perf_hold() {
	${CC:-cc} -O2 -Wall -static -o "$vmdir/perf-hold" "$top/scripts/vm/perf-hold.c" ||
		die "cannot build scripts/vm/perf-hold.c"
}

build_initramfs() { # version ko -> cpio.gz path
	local ver=$1 ko=$2 root=$vmdir/root-$1 out=$vmdir/initramfs-$1.cpio.gz
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,selftests}
	cp /bin/busybox "$root/bin/busybox"
	cp "$top/scripts/vm/init" "$root/init"
	chmod 0755 "$root/init"
	cp "$ko" "$root/mycelium.ko"
	cp "$vmdir/perf-hold" "$root/perf-hold"
	# Only binaries that still have a source (no stale leftovers).
	for f in "$top"/selftests/mycelium/*.c; do
		cp "$build/selftests/$(basename "$f" .c)" "$root/selftests/"
	done
	if [ -n "${MYC_VM_FILTER:-}" ]; then
		for f in "$root"/selftests/*; do
			[[ $(basename "$f") =~ $MYC_VM_FILTER ]] || rm -f "$f"
		done
	fi
	add_ring_tests "$root"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
	[ -n "${MYC_VM_KEEP:-}" ] || rm -rf "$root"
	echo "$out"
}

# Parse the guest's log between the markers into PASS/FAIL/SKIP lines.
# Returns non-zero if anything failed or no result was found.
report() { # label log
	local lab=$1 log=$2 bin= bin_fail=0 line name nbin=0 nfail=0 seen_end=0 rc tests=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"=== MYC-BIN-BEGIN "*)
			bin=${line#=== MYC-BIN-BEGIN }
			tests=0
			bin_fail=0
			nbin=$((nbin + 1))
			;;
		"=== MYC-BIN-END "*)
			rc=${line##*rc=}
			# A binary that died without reporting its tests.
			if [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ $tests -eq 0 ]; then
				echo "FAIL $lab/$bin (exit $rc, no test result)"
				nfail=$((nfail + 1))
			elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$bin_fail" = 0 ]; then
				echo "FAIL $lab/$bin (exit $rc)"
				nfail=$((nfail + 1))
			fi
			bin=
			;;
		"=== MYC-CHECK "*)
			set -- ${line#=== MYC-CHECK }
			echo "$1 $lab/$2"
			[ "$1" = FAIL ] && nfail=$((nfail + 1))
			;;
		"=== MYC-END"*) seen_end=1 ;;
		"ok "* | "not ok "*)
			[ -n "$bin" ] || continue
			tests=$((tests + 1))
			name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ //')
			case $line in
			*"# SKIP"*) echo "SKIP $lab/$bin/${name%% # SKIP*}" ;;
			"not ok "*)
				echo "FAIL $lab/$bin/$name"
				nfail=$((nfail + 1))
				bin_fail=1
				;;
			*) echo "PASS $lab/$bin/$name" ;;
			esac
			;;
		esac
	done < <(sed -n '/=== MYC-BEGIN/,/^=== MYC-END/p' "$log" | tr -d '\r')
	if [ $seen_end -eq 0 ]; then
		echo "FAIL $lab/guest (no complete result: see $log)"
		return 1
	fi
	if [ $nbin -eq 0 ]; then
		echo "FAIL $lab/guest (no selftest ran)"
		return 1
	fi
	[ $nfail -eq 0 ]
}

build_perf_hold
overall=0
for ver in "${kernels[@]}"; do
	lab=$(label "$ver")
	if [ -z "$ver" ] || [ ! -e "/boot/vmlinuz-$ver" ] || [ ! -d "/lib/modules/$ver/build" ]; then
		echo "FAIL ${lab:-kernel}/setup (kernel or headers '$ver' not installed)"
		overall=1
		continue
	fi
	if ! ko=$(build_module "$ver"); then
		echo "FAIL $lab/build-module (see $vmdir/kmod-$ver.log)"
		overall=1
		continue
	fi
	echo "PASS $lab/build-module"
	initrd=$(build_initramfs "$ver" "$ko")
	img=$(kernel_image "$ver")
	log=$vmdir/console-$ver.log
	echo "# booting $ver ($img), log: $log"
	# isa-debug-exit: the guest writes 1 (all passed) or 2 (failures) to port
	# 0xf4 and qemu exits with 2*n+1; a panic, a plain poweroff or a timeout
	# gives anything else, which counts as "no result".
	# A guest that dies before our init prints its first marker never ran
	# a test: under multi-threaded TCG the kernel's own boot-time code
	# patching occasionally trips (seen on 6.12: "Oops: int3" in
	# sched_clock_cpu at ~2.7 s, untainted).  Boot again, up to 3 times;
	# anything after the marker counts.  The same patching for perf events
	# once hit a test ("Oops: int3" in __schedule under perf_event_open()):
	# init now runs perf-hold before the marker, which turns those keys on
	# for the whole run, so no test flips them.
	for attempt in 1 2 3; do
		timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 \
			-kernel "$img" -initrd "$initrd" -nographic -no-reboot -nic none \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-append "console=ttyS0 panic=-1 oops=panic loglevel=4 slub_debug=FZPU" \
			</dev/null >"$log" 2>&1
		qrc=$?
		grep -q '=== MYC-BEGIN' "$log" && break
		cp "$log" "$log.boot-failure-$attempt"
		echo "# $lab: guest died before init (attempt $attempt, log $log.boot-failure-$attempt)"
	done
	if ! report "$lab" "$log"; then
		overall=1
	fi
	case $qrc in
	3) ;;
	5) overall=1 ;;
	124|137) echo "FAIL $lab/guest (timed out after ${timeout_s}s)"; overall=1 ;;
	*) echo "FAIL $lab/guest (no status: qemu exit $qrc)"; overall=1 ;;
	esac
	# The guest's own report, for the suite log (build/test-logs).
	echo "# ---- guest output $lab (between the markers)"
	sed -n '/=== MYC-BEGIN/,/^=== MYC-END/p' "$log" | tr -d '\r' | sed 's/^/# /'
done
exit $overall
