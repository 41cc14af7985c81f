# SPDX-License-Identifier: MIT
# examples/: the trading pipeline run by "make demo".

EX_TRADING_SRCS := $(sort $(wildcard $(TOP)/examples/trading/*.c))
EX_TRADING_HDRS := $(wildcard $(TOP)/examples/trading/*.h)
EX_TRADING_BIN  := $(BUILD)/examples/trading-pipeline

.PHONY: examples
examples: $(EX_TRADING_BIN)
all: examples

$(EX_TRADING_BIN): $(EX_TRADING_SRCS) $(EX_TRADING_HDRS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(TOP)/examples/trading $(LDFLAGS) -o $@ $(EX_TRADING_SRCS) $(LIB_A) $(LIBS)
