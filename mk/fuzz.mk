# libFuzzer targets on the control ABI, built on the fuzz flavour of
# libnmsim (ASan + UBSan + SanitizerCoverage).
#
#   make fuzz FUZZ=<target> [TIME=<seconds>]
#                   fuzz one target for TIME seconds (default 60) on the
#                   scratch corpus $(B)/fuzz/corpus-<target>, seeded from
#                   fuzz/corpus/<target>; prints "fuzz <target> exec/s <N>"
#                   and fails if anything crashed
#   make fuzz-replay
#                   run every target over its checked-in corpus and its
#                   regression inputs (fuzz/regress/<target>); PASS/FAIL
#                   lines in $(R)/fuzz-replay.txt
#
# The seed corpora are made by fuzz/gen_seeds.py (deterministic):
#   make fuzz-seeds  regenerates fuzz/corpus/*

FUZZ_TARGETS := nmreq legacy slots
FUZZ_BINS := $(addprefix $(B)/fuzz/,$(FUZZ_TARGETS))
FUZZ_COMMON_OBJ := $(call obj,fuzz,fuzz/fz_common.c)
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -pthread
TIME ?= 60

# The targets set NMSIM_LOG=0 themselves; the sanitizers must stop at the
# first report so libFuzzer saves the input.
FUZZ_ENV := ASAN_OPTIONS=abort_on_error=0:halt_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Longest useful input: nmreq needs room for 200 options; a legacy input
# stops mattering after FUZZ_MAX_OPS requests of about 60 bytes.
FUZZ_MAXLEN_nmreq := 4096
FUZZ_MAXLEN_legacy := 512
# issue 3: slots (fuzz/slots.c): 24 operations of at most 17 bytes
FUZZ_MAXLEN_slots := 512
FUZZ_RUN_FLAGS = -dict=fuzz/$(FUZZ).dict -max_len=$(FUZZ_MAXLEN_$(FUZZ)) -timeout=10 \
	-print_final_stats=1 -artifact_prefix=$(B)/fuzz/artifacts-$(FUZZ)/

FUZZ_HARNESS_OBJS := $(call obj,fuzz,$(addprefix fuzz/,$(addsuffix .c, \
	$(FUZZ_TARGETS)) fz_common.c))
$(FUZZ_HARNESS_OBJS): fuzz/fz_common.h
# The harness keeps edge coverage (its checks tell overlap cases apart)
# but not comparison tracing: its decoding is by selector bytes, and the
# tracing calls in its per-request model only cost exec rate.
$(FUZZ_HARNESS_OBJS): FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

$(FUZZ_BINS): $(B)/fuzz/%: $(B)/obj/fuzz/fuzz/%.o $(FUZZ_COMMON_OBJ) \
		$(B)/fuzz/libnmsim.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CLANG) $(FUZZ_LDFLAGS) -o $@ $^

all: $(FUZZ_BINS)

.PHONY: fuzz fuzz-replay fuzz-seeds

# What went wrong, from a libFuzzer log: the harness's invariant message,
# or the first sanitizer or libFuzzer error.
FUZZ_WHY_RE := ==FUZZ INVARIANT==|ERROR: (Address|Leak)Sanitizer|runtime error|ERROR: libFuzzer|deadly signal
fuzz_why = grep -m1 -A1 -E '$(FUZZ_WHY_RE)' $(1) | tr -s '\n\t ' ' ' | \
	sed 's/^==\([A-Z ]*\)== */\1: /; s/^=* *//' | cut -c1-300

# The binary is a prerequisite only for a known target, so an unknown one
# fails before anything is built.
fuzz: $(if $(filter $(FUZZ),$(FUZZ_TARGETS)),$(B)/fuzz/$(FUZZ))
	@if [ -z "$(FUZZ)" ] || [ -z "$(filter $(FUZZ),$(FUZZ_TARGETS))" ] || \
	    [ "$(words $(FUZZ))" != 1 ]; then \
		echo "usage: make fuzz FUZZ=<target> [TIME=<seconds>]"; \
		echo "fuzz targets: $(FUZZ_TARGETS)"; \
		exit 1; fi
	@case "$(TIME)" in ''|*[!0-9]*) echo "TIME must be seconds"; exit 1;; esac
	@corpus=$(B)/fuzz/corpus-$(FUZZ); art=$(B)/fuzz/artifacts-$(FUZZ); \
	log=$(B)/fuzz/$(FUZZ).log; \
	mkdir -p $$corpus $$art; rm -f $$art/*; \
	cp -n fuzz/corpus/$(FUZZ)/* $$corpus/ 2>/dev/null; \
	echo "== fuzz $(FUZZ) for $(TIME)s (corpus $$corpus, log $$log)"; \
	$(FUZZ_ENV) $(B)/fuzz/$(FUZZ) $(FUZZ_RUN_FLAGS) \
		-max_total_time=$(TIME) $$corpus 2>&1 | tee $$log | \
		grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE)|^nmsim: |^"|^###### '; \
	rc=$${PIPESTATUS[0]}; \
	eps=$$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' $$log | \
		tail -1); \
	[ -n "$$eps" ] || eps=$$(grep -o 'exec/s: [0-9]*' $$log | tail -1 | \
		sed 's/exec\/s: //'); \
	echo "fuzz $(FUZZ) exec/s $${eps:-0}"; \
	bad=$$(ls $$art | grep -E '^(crash|leak|timeout|oom)-' || true); \
	if [ $$rc -ne 0 ] || [ -n "$$bad" ]; then \
		echo "FAIL fuzz $(FUZZ): $$($(call fuzz_why,$$log))"; \
		echo "  libFuzzer exited $$rc; inputs: $${bad:-none} in $$art"; \
		echo "  keep one as fuzz/regress/$(FUZZ)/<name> (see its README.md)"; \
		exit 1; fi

# One line per target.  Inputs are passed as files, so libFuzzer runs each
# once and names the one it was running when something went wrong.
fuzz-replay: $(FUZZ_BINS)
	@mkdir -p $(R); : > $(R)/fuzz-replay.txt; fail=0; \
	for t in $(FUZZ_TARGETS); do \
		log=$(R)/fuzz-replay-$$t.log; \
		files=$$(find fuzz/corpus/$$t fuzz/regress/$$t -type f \
			! -name README.md 2>/dev/null | sort); \
		n=$$(echo "$$files" | grep -c . || true); \
		if [ "$$n" -eq 0 ]; then \
			line="FAIL fuzz-replay-$$t: no inputs in fuzz/corpus/$$t"; \
		elif $(FUZZ_ENV) $(B)/fuzz/$$t -timeout=10 $$files \
				> $$log 2>&1; then \
			ran=$$(grep -c '^Executed ' $$log || true); \
			line="PASS fuzz-replay-$$t"; \
			[ "$$ran" -eq "$$n" ] || line="FAIL fuzz-replay-$$t: ran \
$$ran of $$n inputs (see $$log)"; \
		else \
			last=$$(sed -n 's/^Running: //p' $$log | tail -1); \
			line="FAIL fuzz-replay-$$t: $${last:-?}: \
$$($(call fuzz_why,$$log)) (see $$log)"; \
		fi; \
		echo "$$line" | tee -a $(R)/fuzz-replay.txt; \
		case "$$line" in FAIL*) fail=1;; esac; \
	done; \
	exit $$fail

fuzz-seeds:
	@/usr/bin/python3 fuzz/gen_seeds.py fuzz/corpus
	@/usr/bin/python3 fuzz/gen_slots_seeds.py fuzz/corpus
