# The netmap tools (tools/): pkt-gen, vale-ctl, bridge.  Public API only
# (-Iinclude), never linked to libnmsim.
#
#   make tools        build/tools/* (dynamic: run them on the sim with
#                     LD_PRELOAD=build/libnmsim_preload.so NMSIM_NICS=...)
#                     and build/guest/tools/* (static, for the QEMU guest)
#   make tools-test   tests/tools/run.sh on the sim; PASS/FAIL lines in
#                     $(R)/tools-test.txt (part of make test)

TOOLS := pkt-gen vale-ctl bridge
TOOLS_BINS := $(addprefix $(B)/tools/,$(TOOLS))
TOOLS_GUEST_BINS := $(addprefix $(B)/guest/tools/,$(TOOLS))
TOOLS_DEPS := tools/nmt.c tools/nmt.h $(wildcard include/net/*.h)
TOOLS_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Iinclude -pthread

$(B)/tools/%: tools/%.c $(TOOLS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(TOOLS_CFLAGS) -o $@ $< tools/nmt.c

# The guest is a busybox initramfs with no libc: link statically.
$(B)/guest/tools/%: tools/%.c $(TOOLS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	@gcc $(TOOLS_CFLAGS) -static -o $@ $< tools/nmt.c

.PHONY: tools tools-test
tools: $(TOOLS_BINS) $(TOOLS_GUEST_BINS)

tools-test: $(PRELOAD) $(TOOLS_BINS)
	@mkdir -p $(R)
	@echo "== tools tests (LD_PRELOAD=$(PRELOAD))"
	@tests/tools/run.sh $(B) $(R)/tools-test.txt

SUITES += tools-test

# The guest suite packs the static tools into the initramfs.
qemu-netmap: $(TOOLS_GUEST_BINS)
