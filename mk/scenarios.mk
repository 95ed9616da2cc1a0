# The scenario suite: pytest + scapy over the nmtb Python package
# (scenarios/nmtb), with Debian's /usr/bin/python3.
#
#   make scenarios [BACKEND=sim|qemu] [K=<pytest -k expression>]
#       runs scenarios/ against the backend (sim: libnmsim.so in-process,
#       or $NMSIM_LIB); junit XML in $(R)/scenarios.xml, PASS/FAIL lines in
#       $(R)/scenarios.txt; non-zero exit on any failure, and also when
#       nothing ran (pytest exit 5) or the backend is unknown.
#       Extra pytest arguments: SCEN_ARGS="-m 'not vale' -x ...".

BACKEND ?= sim
SCEN_PY := /usr/bin/python3
SCEN_JUNIT := $(R)/scenarios.xml
NMSIM_SCEN_LOG ?= -1

SUITES += scenarios

.PHONY: scenarios scenarios-check-backend
scenarios-check-backend:
	@case "$(BACKEND)" in \
	sim) ;; \
	qemu) echo "scenarios: BACKEND=qemu: the qemu backend is not built yet" \
		"(it needs harness/ and the guest agent); use BACKEND=sim" >&2; \
		exit 2 ;; \
	*) echo "scenarios: unknown BACKEND '$(BACKEND)' (known: sim, qemu)" >&2; \
		exit 2 ;; \
	esac

scenarios: scenarios-check-backend deps $(B)/libnmsim.so
	@mkdir -p $(R); rm -f $(R)/scenarios.txt $(SCEN_JUNIT)
	@echo "== scenarios (BACKEND=$(BACKEND)$(if $(K), K=$(K)))"
	@NMTB_BACKEND=$(BACKEND) NMSIM_LOG=$(NMSIM_SCEN_LOG) \
		$(SCEN_PY) -m pytest scenarios/ -q --junitxml=$(SCEN_JUNIT) \
		$(if $(K),-k '$(K)') $(SCEN_ARGS); rc=$$?; \
	$(SCEN_PY) scenarios/junit2txt.py $(SCEN_JUNIT) $$rc > $(R)/scenarios.txt; \
	p=$$(grep -c '^PASS' $(R)/scenarios.txt); f=$$(grep -c '^FAIL' $(R)/scenarios.txt); \
	grep '^FAIL' $(R)/scenarios.txt; \
	echo "scenarios: $$p passed, $$f failed (pytest exit $$rc)"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ] && [ $$p -gt 0 ]
