# nmtb: a netmap implementation and its testbed.  See README.md.
#
#   make deps        Debian packages the project needs (idempotent)
#   make             libnmsim (+ preload), unit tests, fuzzers
#   make test        deps, build, every suite CI runs; non-zero on failure
#   make scenarios   the scenario suite (BACKEND=sim)
#   make fuzz FUZZ=<nmreq|legacy> TIME=<seconds>
#   make bench       benchmark figures ("bench <name> <value> <unit>")

SHELL := /bin/bash
.DEFAULT_GOAL := all

B := build
CC_OPT ?= gcc
CLANG ?= clang

CORE_SRCS := $(addprefix kernel/,nm_core.c nm_mem.c nm_sync.c nm_register.c \
	nm_ctrl.c nm_fi.c nm_params.c)
SIM_SRCS := $(addprefix kernel/sim/,nm_os_sim.c nmsim.c sim_nic.c)
LIB_SRCS := $(CORE_SRCS) $(SIM_SRCS)
HDRS := $(wildcard include/net/*.h kernel/*.h kernel/sim/*.h)

INCS := -Ikernel/sim -Ikernel -Iinclude
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
CSTD := -std=gnu11 -D_GNU_SOURCE
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# flavours of the sim library: opt (shipped), asan (tests), fuzz
OPT_CFLAGS := $(CSTD) $(WARN) $(INCS) -O2 -g -fPIC -pthread
ASAN_CFLAGS := $(CSTD) $(WARN) $(INCS) -O1 -g $(SAN) -pthread
FUZZ_CFLAGS := $(CSTD) $(WARN) $(INCS) -O1 -g $(SAN) \
	-fsanitize=fuzzer-no-link -pthread -DNM_FUZZING

obj = $(patsubst %.c,$(B)/obj/$(1)/%.o,$(2))

$(B)/obj/opt/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(OPT_CFLAGS) -c $< -o $@
$(B)/obj/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CLANG) $(ASAN_CFLAGS) -c $< -o $@
$(B)/obj/fuzz/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(B)/libnmsim.a: $(call obj,opt,$(LIB_SRCS))
	@rm -f $@; ar rcs $@ $^
$(B)/libnmsim.so: $(call obj,opt,$(LIB_SRCS))
	$(CC_OPT) -shared -pthread -o $@ $^
$(B)/asan/libnmsim.a: $(call obj,asan,$(LIB_SRCS))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(B)/fuzz/libnmsim.a: $(call obj,fuzz,$(LIB_SRCS))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^

LIBS := $(B)/libnmsim.a $(B)/libnmsim.so

.PHONY: all
all: $(LIBS)

# ---------------------------------------------------------------- tests
TEST_SRCS := tests/t_main.c tests/tutil.c $(sort $(wildcard tests/test_*.c))
$(B)/tests/unit: $(call obj,asan,$(TEST_SRCS)) $(B)/asan/libnmsim.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CLANG) $(SAN) -pthread -o $@ $^

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 NMSIM_LOG=0

# Every suite writes PASS/FAIL lines to $(B)/results/<suite>.txt.
R := $(B)/results

.PHONY: unit
unit: $(B)/tests/unit
	@mkdir -p $(R)
	@echo "== unit tests (ASan+UBSan+LSan)"
	@set -o pipefail; $(SAN_ENV) $(B)/tests/unit $(T) 2>&1 | tee $(R)/unit.log | \
		grep -E '^(PASS|FAIL)' > $(R)/unit.txt; rc=$$?; \
	grep -E '^FAIL|ERROR|runtime error' $(R)/unit.log || true; \
	tail -1 $(R)/unit.log; \
	if [ $$rc -ne 0 ] && ! grep -q '^FAIL' $(R)/unit.txt; then \
		echo "FAIL unit-runner: exited $$rc (sanitizer report in $(R)/unit.log)" >> $(R)/unit.txt; \
		tail -30 $(R)/unit.log; fi

# Build fragments of the parts (fuzzers, preload, benchmarks, ...).
include $(sort $(wildcard mk/*.mk))
