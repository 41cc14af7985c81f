# SPDX-License-Identifier: MIT
# Schema part: libmyc parses schemas with libyaml (libyaml-dev, deps.sh).
LIBS += -lyaml

# myc gen embeds the Python and OCaml runtimes of generated modules: each
# line of tools/myc/gen-*-runtime.* but the SPDX line becomes a C string
# literal.
GEN_RUNTIME_SED := -e '1d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/'

$(BUILD)/gen/gen-py-runtime.inc: $(TOP)/tools/myc/gen-py-runtime.py | $(BUILD)/gen/.stamp
	sed $(GEN_RUNTIME_SED) $< > $@

$(BUILD)/gen/gen-ml-runtime.inc: $(TOP)/tools/myc/gen-ml-runtime.ml | $(BUILD)/gen/.stamp
	sed $(GEN_RUNTIME_SED) $< > $@

$(BUILD)/obj/tools/gen-py.o: $(BUILD)/gen/gen-py-runtime.inc
$(BUILD)/obj/tools/gen-ml.o: $(BUILD)/gen/gen-ml-runtime.inc
