# SPDX-License-Identifier: MIT
# The myc tool: tools/myc/*.c, linked statically against libmyc.a so it can
# use internal helpers as well as the public API.

TOOL_SRCS := $(sort $(wildcard $(TOP)/tools/myc/*.c))
TOOL_OBJS := $(patsubst $(TOP)/tools/myc/%.c,$(BUILD)/obj/tools/%.o,$(TOOL_SRCS))
TOOL_HDRS := $(wildcard $(TOP)/tools/myc/*.h)

tools: $(BUILD)/myc

$(BUILD)/obj/tools/%.o: $(TOP)/tools/myc/%.c $(LIB_HDRS) $(TOOL_HDRS) | $(BUILD)/gen/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(TOP)/tools/myc -c $< -o $@

$(BUILD)/myc: $(TOOL_OBJS) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(LIB_A) $(TOOL_LIBS) $(LIBS)
