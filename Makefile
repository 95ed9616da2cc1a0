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

# Every .c of the core and of the sim glue (preload.c is its own library).
CORE_SRCS := $(sort $(wildcard kernel/*.c))
SIM_SRCS := $(filter-out kernel/sim/preload.c,$(sort $(wildcard kernel/sim/*.c)))
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

.PHONY: deps deps-qemu
deps:
	@scripts/deps.sh base
deps-qemu:
	@scripts/deps.sh qemu

# ---------------------------------------------------------------- tests
# One binary per tests/test_*.c, so a file that does not build only
# costs its own tests.
TEST_FILES := $(sort $(wildcard tests/test_*.c))
TEST_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_FILES))
TEST_COMMON := $(call obj,asan,tests/t_main.c tests/tutil.c)

$(B)/tests/test_%: $(B)/obj/asan/tests/test_%.o $(TEST_COMMON) $(B)/asan/libnmsim.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CLANG) $(SAN) -pthread -o $@ $^

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 NMSIM_LOG=0

# Every suite writes PASS/FAIL lines to $(B)/results/<suite>.txt.
R := $(B)/results

.PHONY: unit
unit: $(B)/asan/libnmsim.a $(TEST_COMMON)
	@mkdir -p $(R); : > $(R)/unit.txt; : > $(R)/unit.log
	@echo "== unit tests (ASan+UBSan+LSan)"
	@for f in $(TEST_FILES); do \
		t=$$(basename $$f .c); \
		if ! $(MAKE) -s --no-print-directory $(B)/tests/$$t >> $(R)/unit.log 2>&1; then \
			echo "FAIL build-$$t: does not build (see $(R)/unit.log)" | tee -a $(R)/unit.txt; \
			continue; fi; \
		$(SAN_ENV) $(B)/tests/$$t $(T) > $(R)/$$t.log 2>&1; rc=$$?; \
		cat $(R)/$$t.log >> $(R)/unit.log; \
		grep -E '^(PASS|FAIL)' $(R)/$$t.log >> $(R)/unit.txt; \
		grep -E '^FAIL' $(R)/$$t.log; \
		if [ $$rc -ne 0 ] && ! grep -q '^FAIL' $(R)/$$t.log; then \
			echo "FAIL $$t: exited $$rc (sanitizer? see $(R)/$$t.log)" | tee -a $(R)/unit.txt; \
			grep -E 'ERROR|runtime error|SUMMARY' $(R)/$$t.log | head -5; fi; \
	done; \
	p=$$(grep -c '^PASS' $(R)/unit.txt); f=$$(grep -c '^FAIL' $(R)/unit.txt); \
	echo "unit: $$p passed, $$f failed"; [ $$f -eq 0 ]

# Suites "make test" runs and benchmark targets "make bench" runs; the
# fragments below add theirs with +=.
SUITES := unit fuzz-replay compat
BENCH_TARGETS := bench-mem

# Build fragments of the parts (fuzzers, preload, benchmarks, ...).
include $(sort $(wildcard mk/*.mk))

# ---------------------------------------------------------------- bench
BENCH_BINS := $(B)/bench/bench_mem
$(B)/bench/%: bench/%.c $(B)/libnmsim.a $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(CSTD) $(WARN) -O2 -g -Iinclude -Ikernel/sim -pthread $< $(B)/libnmsim.a -o $@

.PHONY: bench bench-mem
bench: $(BENCH_TARGETS)
bench-mem: $(B)/bench/bench_mem
	@$(B)/bench/bench_mem

# ---------------------------------------------------------------- suites
# make test: every suite CI runs, whatever fails on the way; the summary
# decides the exit status.

.PHONY: test
test: deps
	@$(MAKE) --no-print-directory all
	@for s in $(SUITES); do MAKE="$(MAKE)" scripts/run-suite.sh $$s $$s; done
	@echo "== summary"; scripts/summary.sh $(SUITES) | tee $(R)/summary.txt; \
		exit $$(tail -1 $(R)/summary.txt | awk '{ print ($$3 == 0 && $$1 > 0) ? 0 : 1 }')

# make scenarios: see mk/scenarios.mk
