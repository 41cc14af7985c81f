# SPDX-License-Identifier: MIT
# The kernel module (kmod/, top-level Kbuild), its kselftests (selftests/)
# and the VM test matrix.
#
#   make kmod [KVER=<version>]   build mycelium.ko against installed headers
#   make selftests               static selftest binaries -> $(BUILD)/selftests
#   make vmcheck                 boot 6.1 and 6.12 in qemu, run the selftests
#
# The selftests use the kernel's own kselftest_harness.h, taken from Debian's
# linux-source-6.1 tarball (installed by scripts/deps.d/kernels.sh) into
# $(BUILD)/ksft; it is not part of this repository.

KSFT_TARBALL ?= /usr/src/linux-source-6.1.tar.xz
KSFT_DIR     := $(BUILD)/ksft
KSFT_HDRS    := $(KSFT_DIR)/kselftest.h $(KSFT_DIR)/kselftest_harness.h
KVER         ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4 | sort -V | tail -1)

SELFTEST_DIR  := $(TOP)/selftests/mycelium
SELFTEST_SRCS := $(sort $(wildcard $(SELFTEST_DIR)/*.c))
SELFTEST_HDRS := $(wildcard $(SELFTEST_DIR)/*.h) $(TOP)/kmod/uapi/linux/mycelium.h
SELFTEST_BINS := $(patsubst $(SELFTEST_DIR)/%.c,$(BUILD)/selftests/%,$(SELFTEST_SRCS))
# Static: the guest initramfs has busybox and nothing else.
SELFTEST_CFLAGS := -std=gnu11 -g -O2 -mcx16 -Wall -Wno-unused-parameter -D_GNU_SOURCE -static \
	-pthread -I$(KSFT_DIR) -I$(SELFTEST_DIR) -I$(TOP)/kmod/uapi

.PHONY: kmod selftests vmcheck
kmod:
	@rm -rf $(BUILD)/kmod-$(KVER) && mkdir -p $(BUILD)/kmod-$(KVER)
	cp -a $(TOP)/Kbuild $(TOP)/kmod $(BUILD)/kmod-$(KVER)/
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(abspath $(BUILD)/kmod-$(KVER)) W=1 modules

selftests: $(SELFTEST_BINS)

$(KSFT_HDRS):
	@test -r $(KSFT_TARBALL) || { echo "missing $(KSFT_TARBALL): run scripts/deps.sh vm" >&2; exit 1; }
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(KSFT_TARBALL) -C $(KSFT_DIR) --strip-components=4 --wildcards \
		'linux-source-*/tools/testing/selftests/kselftest.h' \
		'linux-source-*/tools/testing/selftests/kselftest_harness.h'
	@touch $(KSFT_HDRS)

$(BUILD)/selftests/%: $(SELFTEST_DIR)/%.c $(SELFTEST_HDRS) $(KSFT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $<

vmcheck:
	@MYC_BUILD=$(abspath $(BUILD)) $(TOP)/scripts/vm/vmcheck.sh
