# Coverage of the core by the unit tests and the scenario suite.
#
#   make coverage [COV_MIN=90]
#       builds a gcov flavour of the sim library ($(B)/cov/libnmsim.{a,so},
#       objects under $(B)/obj/cov), runs every unit test against it
#       (without ASan), then the scenario suite if scenarios/ exists, with
#       NMSIM_LIB pointing at the gcov libnmsim.so; lcov captures with
#       branch data, genhtml writes $(B)/coverage/index.html, and
#       scripts/cov-report.py prints line and branch coverage of the
#       functions listed in coverage/sync-paths.txt.  Fails if a test
#       fails, if those functions together cover less than COV_MIN% of
#       their lines, or if a list entry matches no function.
#
# The scenario suite loads the library named by $NMSIM_LIB (default
# build/libnmsim.so).

COV_MIN ?= 90
COV_DIR := $(B)/coverage
COV_CFLAGS := $(CSTD) $(WARN) $(INCS) -O0 -g --coverage -fPIC -pthread
COV_LCOV := lcov --quiet --config-file coverage/lcovrc --rc lcov_branch_coverage=1
COV_LIB_OBJS := $(call obj,cov,$(LIB_SRCS))
COV_TEST_COMMON := $(call obj,cov,tests/t_main.c tests/tutil.c)
COV_TEST_BINS := $(patsubst tests/%.c,$(B)/cov/tests/%,$(TEST_FILES))

$(B)/obj/cov/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC_OPT) $(COV_CFLAGS) -c $< -o $@

$(B)/cov/libnmsim.a: $(COV_LIB_OBJS)
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(B)/cov/libnmsim.so: $(COV_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC_OPT) --coverage -shared -pthread -o $@ $^

$(B)/cov/tests/test_%: $(B)/obj/cov/tests/test_%.o $(COV_TEST_COMMON) \
		$(B)/cov/libnmsim.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC_OPT) --coverage -pthread -o $@ $^

# kept between runs (make would delete them as intermediates)
.SECONDARY: $(COV_TEST_COMMON) $(patsubst $(B)/cov/tests/%,$(B)/obj/cov/tests/%.o,$(COV_TEST_BINS))

.PHONY: coverage coverage-build
coverage-build: $(B)/cov/libnmsim.a $(B)/cov/libnmsim.so $(COV_TEST_BINS)

coverage:
	@$(MAKE) -s --no-print-directory -j2 coverage-build
	@mkdir -p $(R) $(COV_DIR); rm -rf $(COV_DIR)/*; fail=0; \
	find $(B)/obj/cov -name '*.gcda' -delete; \
	echo "== coverage: unit tests on the gcov library"; \
	for t in $(COV_TEST_BINS); do \
		NMSIM_LOG=0 $$t > $(COV_DIR)/$$(basename $$t).log 2>&1 || { \
			echo "FAIL $$(basename $$t) (see $(COV_DIR)/$$(basename $$t).log)"; \
			grep '^FAIL' $(COV_DIR)/$$(basename $$t).log | head -5; fail=1; }; \
	done; \
	if [ -d scenarios ]; then \
		echo "== coverage: scenario suite (NMSIM_LIB=$(CURDIR)/$(B)/cov/libnmsim.so)"; \
		NMSIM_LIB=$(CURDIR)/$(B)/cov/libnmsim.so $(MAKE) --no-print-directory \
			scenarios > $(COV_DIR)/scenarios.log 2>&1 || { \
			echo "FAIL scenarios (see $(COV_DIR)/scenarios.log)"; fail=1; }; \
	else echo "== coverage: no scenarios/ yet, unit tests only"; fi; \
	$(COV_LCOV) --capture --directory $(B)/obj/cov --base-directory $(CURDIR) \
		--output-file $(COV_DIR)/all.info 2> $(COV_DIR)/lcov.log && \
	$(COV_LCOV) --extract $(COV_DIR)/all.info '$(CURDIR)/kernel/*' \
		--output-file $(COV_DIR)/kernel.info 2>> $(COV_DIR)/lcov.log && \
	genhtml --quiet --config-file coverage/lcovrc --branch-coverage \
		--title "nmtb core" --output-directory $(COV_DIR) \
		$(COV_DIR)/kernel.info 2>> $(COV_DIR)/lcov.log || { \
		echo "FAIL lcov/genhtml (see $(COV_DIR)/lcov.log)"; exit 1; }; \
	lcov --rc lcov_branch_coverage=1 --summary $(COV_DIR)/kernel.info 2>&1 | \
		grep -E '^ +(lines|functions|branches)' | sed 's/^ */  core /'; \
	echo "== sync paths (coverage/sync-paths.txt, min $(COV_MIN)% of lines)"; \
	/usr/bin/python3 scripts/cov-report.py $(COV_DIR)/kernel.info \
		coverage/sync-paths.txt $(COV_MIN) | tee $(COV_DIR)/sync-paths.txt; \
	[ $${PIPESTATUS[0]} -eq 0 ] || fail=1; \
	echo "html: $(COV_DIR)/index.html"; \
	exit $$fail

# As a suite of make test: one PASS/FAIL line for the threshold, one per
# missing function, and the table's total in the detail.
.PHONY: coverage-suite
SUITES += coverage-suite
coverage-suite:
	@mkdir -p $(R); log=$(R)/coverage.log; \
	$(MAKE) --no-print-directory coverage > $$log 2>&1; rc=$$?; \
	sed -n '/^== sync paths/,$$p' $$log | grep -E 'TOTAL|MISSING|BELOW'; \
	tot=$$(grep -E '^TOTAL' $$log | tr -s ' ' | cut -d' ' -f4-5); \
	{ grep -E '^MISSING' $$log | sed 's/^/FAIL coverage: /'; \
	  if [ $$rc -eq 0 ]; then echo "PASS coverage-sync-paths: lines $$tot"; \
	  else echo "FAIL coverage-sync-paths: make coverage exited $$rc (see $$log)"; fi; \
	} > $(R)/coverage-suite.txt; cat $(R)/coverage-suite.txt; [ $$rc -eq 0 ]
