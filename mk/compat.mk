# Compatibility layer: the LD_PRELOAD library that serves /dev/netmap from
# the sim core, and the tests that run unmodified netmap programs on it.
#
#   make preload   build/libnmsim_preload.so
#   make compat    build the compat programs and run tests/compat/run.sh;
#                  PASS/FAIL lines in $(R)/compat.txt

CXX_OPT ?= g++

PRELOAD := $(B)/libnmsim_preload.so
PRELOAD_OBJ := $(call obj,opt,kernel/sim/preload.c)

# The core goes in from the archive with its symbols hidden: the library
# exports only the interposed calls, so nothing in the program or its
# other libraries can bind to (or clash with) core internals.
$(PRELOAD): $(PRELOAD_OBJ) $(B)/libnmsim.a
	@echo "  LD      $@"
	@$(CC_OPT) -shared -pthread -o $@ $(PRELOAD_OBJ) $(B)/libnmsim.a \
		-Wl,--exclude-libs,ALL -Wl,-z,defs -ldl

.PHONY: preload
preload: $(PRELOAD)

all: $(PRELOAD)

# ---- compat programs: plain netmap programs, built with -Iinclude only,
# never linked to libnmsim.
COMPAT_PROGS := rawapi libapi mixpoll
COMPAT_BINS := $(addprefix $(B)/compat/,$(COMPAT_PROGS))
COMPAT_HDRS := $(wildcard include/net/*.h)
COMPAT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Iinclude
COMPAT_CXXFLAGS := -std=gnu++17 -Wall -Wextra -Werror -Wshadow -Iinclude

# rawapi is built like a distribution package (_FORTIFY_SOURCE), so its
# calls reach the fortified entry points (__poll_chk, ...).
$(B)/compat/rawapi: tests/compat/rawapi.c $(COMPAT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(COMPAT_CFLAGS) -D_FORTIFY_SOURCE=2 -o $@ $<
$(B)/compat/libapi: tests/compat/libapi.c $(COMPAT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(COMPAT_CFLAGS) -o $@ $<
$(B)/compat/mixpoll: tests/compat/mixpoll.c $(COMPAT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(COMPAT_CFLAGS) -pthread -o $@ $<

# The helper library must also compile as C++.
$(B)/compat/libapi.cxx.ok: tests/compat/libapi.c $(COMPAT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CXX     $< (-fsyntax-only)"
	@$(CXX_OPT) -x c++ $(COMPAT_CXXFLAGS) -fsyntax-only $<
	@touch $@

all: $(COMPAT_BINS) $(B)/compat/libapi.cxx.ok

.PHONY: compat
compat: $(PRELOAD) $(COMPAT_BINS) $(B)/compat/libapi.cxx.ok
	@mkdir -p $(R)
	@echo "== compat tests (LD_PRELOAD=$(PRELOAD))"
	@tests/compat/run.sh $(B) $(R)/compat.txt
