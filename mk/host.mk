# The wire, the host stack and host-ring forwarding are driven from
# several threads at once (injectors, capturers, syncs, pollers): their
# tests also run under ThreadSanitizer.
#
#   make tsan-host   build/tsan/test_{wire,host} (the core, the sim glue and
#                    the test, all with -fsanitize=thread) and run them;
#                    PASS/FAIL lines in $(R)/tsan-host.txt, T= filters

TSAN_TESTS := test_wire test_host
TSAN_COMMON := $(LIB_SRCS) tests/t_main.c tests/tutil.c
TSAN_CFLAGS := $(CSTD) $(WARN) $(INCS) -O1 -g -fsanitize=thread -pthread

$(B)/tsan/test_%: tests/test_%.c $(TSAN_COMMON) $(HDRS) tests/t.h tests/tutil.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (tsan)"
	@$(CLANG) $(TSAN_CFLAGS) $(TSAN_COMMON) $< -o $@

.PHONY: tsan-host
tsan-host: $(addprefix $(B)/tsan/,$(TSAN_TESTS))
	@mkdir -p $(R); : > $(R)/tsan-host.txt
	@echo "== wire and host tests (TSan)"
	@for t in $(TSAN_TESTS); do \
		NMSIM_LOG=0 TSAN_OPTIONS=halt_on_error=1 \
			$(B)/tsan/$$t $(T) > $(R)/tsan-$$t.log 2>&1; rc=$$?; \
		grep -E '^(PASS|FAIL)' $(R)/tsan-$$t.log | sed 's/^\(PASS\|FAIL\) /\1 tsan-/' >> $(R)/tsan-host.txt; \
		grep -E '^FAIL' $(R)/tsan-$$t.log; \
		if [ $$rc -ne 0 ]; then \
			echo "FAIL tsan-$$t: exited $$rc (see $(R)/tsan-$$t.log)" | tee -a $(R)/tsan-host.txt; \
			grep -E 'WARNING|SUMMARY' $(R)/tsan-$$t.log | head -5; fi; \
	done; \
	p=$$(grep -c '^PASS' $(R)/tsan-host.txt); f=$$(grep -c '^FAIL' $(R)/tsan-host.txt); \
	echo "tsan-host: $$p passed, $$f failed"; [ $$f -eq 0 ]

SUITES += tsan-host

# make bench-host: frames per second through the wire and the host stack
.PHONY: bench-host
bench-host: $(B)/bench/bench_host
	@$(B)/bench/bench_host

BENCH_TARGETS += bench-host
