# SPDX-License-Identifier: MIT
# libmyc: every libmyc/src/*.c goes into libmyc.so and libmyc.a.

LIB_SRCS := $(sort $(wildcard $(TOP)/libmyc/src/*.c))
LIB_OBJS := $(patsubst $(TOP)/libmyc/src/%.c,$(BUILD)/obj/libmyc/%.o,$(LIB_SRCS))
LIB_HDRS := $(wildcard $(TOP)/libmyc/include/*.h $(TOP)/libmyc/src/*.h $(TOP)/kmod/uapi/linux/*.h)
LIB_SO   := $(BUILD)/libmyc.so
LIB_A    := $(BUILD)/libmyc.a
LIB_MAP  := $(TOP)/libmyc/libmyc.map

lib: $(LIB_SO) $(LIB_A)

$(BUILD)/obj/libmyc/%.o: $(TOP)/libmyc/src/%.c $(LIB_HDRS) | $(BUILD)/gen/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/gen/.stamp:
	@mkdir -p $(dir $@) && touch $@

$(LIB_SO): $(LIB_OBJS) $(LIB_MAP)
	$(CC) -shared -Wl,-soname,libmyc.so.0 -Wl,--version-script=$(LIB_MAP) \
		-Wl,-z,defs $(LDFLAGS) -o $@ $(LIB_OBJS) $(LIBS)
	ln -sf libmyc.so $(BUILD)/libmyc.so.0

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libmyc.pc: $(TOP)/libmyc/libmyc.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|; s|@VERSION@|$(VERSION)|' $< > $@

install: all $(BUILD)/libmyc.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(INCDIR)/linux \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(PCDIR)
	install -m 0644 $(TOP)/libmyc/include/*.h $(DESTDIR)$(INCDIR)/
	install -m 0644 $(TOP)/kmod/uapi/linux/mycelium.h $(DESTDIR)$(INCDIR)/linux/
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libmyc.so.$(VERSION)
	ln -sf libmyc.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmyc.so.0
	ln -sf libmyc.so.0 $(DESTDIR)$(LIBDIR)/libmyc.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 0644 $(BUILD)/libmyc.pc $(DESTDIR)$(PCDIR)/
	install -m 0755 $(BUILD)/myc $(DESTDIR)$(BINDIR)/
