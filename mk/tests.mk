# SPDX-License-Identifier: MIT
# Unit and multi-process tests: every tests/unit/*.c is one test binary,
# build/tests/<name>, linked against libmyc.a (and cmocka).  A test may also
# use helpers from tests/lib/*.c.

TEST_SRCS := $(sort $(wildcard $(TOP)/tests/unit/*.c))
TEST_BINS := $(patsubst $(TOP)/tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TESTLIB_SRCS := $(wildcard $(TOP)/tests/lib/*.c)
TESTLIB_HDRS := $(wildcard $(TOP)/tests/lib/*.h)

tests: $(TEST_BINS) $(BUILD)/myc

$(BUILD)/tests/%: $(TOP)/tests/unit/%.c $(TESTLIB_SRCS) $(TESTLIB_HDRS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(TOP)/tests/lib $(LDFLAGS) -o $@ $< $(TESTLIB_SRCS) $(LIB_A) -lcmocka $(LIBS)
