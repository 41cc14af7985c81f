# SPDX-License-Identifier: MIT
#
# Mycelium top-level Makefile.
#
#   make            build libmyc.so, libmyc.a and the myc tool into build/
#   make check      install missing Debian packages, build every flavour and
#                   run every test; ends with "N passed, M failed"
#   make demo       run the trading pipeline (pure userspace mode)
#   make install    PREFIX=/usr/local DESTDIR= ...
#
# Out-of-tree flavours: make BUILD=build-asan SAN=asan  (ASan+UBSan)
#                       make BUILD=build-tsan SAN=tsan  (ThreadSanitizer)

TOP     := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD   ?= build
SAN     ?=
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
PCDIR   ?= $(LIBDIR)/pkgconfig
VERSION := 0.1.0

CC      ?= cc
OPT     ?= -O2
CFLAGS_BASE := -std=gnu11 -g $(OPT) -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -Werror=implicit-function-declaration \
	-D_GNU_SOURCE -I$(TOP)/libmyc/include -I$(TOP)/libmyc/src -I$(TOP)/kmod/uapi -I$(TOP)/$(BUILD)/gen
ifeq ($(SAN),asan)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(SAN),tsan)
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
SANFLAGS :=
endif
CFLAGS  += $(CFLAGS_BASE) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
LIBS    := -lurcu-bp -lurcu-common -lpthread -lm

.PHONY: all lib tools tests check demo install deps clean fuzz
all: lib tools

include $(TOP)/mk/libmyc.mk
include $(TOP)/mk/tools.mk
include $(TOP)/mk/tests.mk
-include $(wildcard $(TOP)/mk/extra-*.mk)

deps:
	@$(TOP)/scripts/deps.sh

check: deps
	@$(TOP)/tests/run.sh

demo: deps
	@$(MAKE) -s all
	@$(TOP)/examples/run-demo.sh

# Longer fuzz runs of every tests/fuzz target: make fuzz MYC_FUZZ_SECONDS=600
fuzz:
	@MYC_TOP=$(TOP) $(TOP)/tests/suites/fuzz.sh

clean:
	rm -rf $(TOP)/build $(TOP)/build-asan $(TOP)/build-tsan
