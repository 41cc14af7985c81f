# SPDX-License-Identifier: MIT
# The TOML/topology fuzzer: built with clang's libFuzzer, ASan and UBSan
# straight from the library sources it covers (the fuzzer needs them
# instrumented for coverage, which libmyc.a built by gcc is not).
#   make fuzz        -> $(BUILD)/fuzz/toml-fuzz
# tests/suites/fuzz-toml.sh builds and runs it for a bounded time.

FUZZ_CC     ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I$(TOP)/libmyc/include -I$(TOP)/libmyc/src -I$(TOP)/kmod/uapi
FUZZ_TOML_SRCS := $(TOP)/tests/fuzz/toml-fuzz.c $(TOP)/libmyc/src/toml.c \
	$(TOP)/libmyc/src/topology.c $(TOP)/libmyc/src/topo-route.c \
	$(TOP)/libmyc/src/error.c

.PHONY: fuzz
fuzz: $(BUILD)/fuzz/toml-fuzz

$(BUILD)/fuzz/toml-fuzz: $(FUZZ_TOML_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_TOML_SRCS) -lm -lpthread
