# The QEMU harness (harness/): a busybox guest on Debian's stock kernel,
# booted under TCG, driven through a JSON-lines agent on its second serial
# port, QMP, and the e1000's stream netdev socket.  Not in SUITES yet.
#
#   make guest        downloads (apt-get download, cached) and unpacks
#                     linux-image-<ver> matching the installed
#                     linux-headers-<ver>-amd64 under build/guest/, builds
#                     the static agent and the initramfs (busybox, agent,
#                     stock e1000, and any .ko in HARNESS_MODULES)
#   make qemu-agent   only the static guest agent (build/guest/agent)
#   make qemu-smoke   boots once and checks the harness end to end: agent,
#                     module load/unload, frames both ways, QMP link
#                     off/on, dmesg, console scan; PASS/FAIL lines in
#                     $(R)/qemu-smoke.txt, non-zero exit on any failure
#
#   HARNESS_MODULES="path/a.ko path/b.ko" packs modules under /modules/.

QEMU_PY := /usr/bin/python3 harness/qemu.py
AGENT_SRCS := harness/agent/agent.c harness/agent/json.c
AGENT_CFLAGS := $(CSTD) -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Iinclude -static

$(B)/guest/agent: $(AGENT_SRCS) harness/agent/json.h include/net/netmap.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	@$(CC_OPT) $(AGENT_CFLAGS) -o $@ $(AGENT_SRCS)

.PHONY: qemu-agent guest qemu-smoke
qemu-agent: $(B)/guest/agent

guest: deps-qemu $(B)/guest/agent
	@$(QEMU_PY) build

qemu-smoke: deps-qemu $(B)/guest/agent
	@mkdir -p $(R)
	@echo "== qemu smoke"
	@$(QEMU_PY) smoke --out $(R)/qemu-smoke.txt; rc=$$?; \
	p=$$(grep -c '^PASS' $(R)/qemu-smoke.txt); f=$$(grep -c '^FAIL' $(R)/qemu-smoke.txt); \
	echo "qemu-smoke: $$p passed, $$f failed"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ] && [ $$p -gt 0 ]

# The agent and the harness's host side without QEMU: the agent under
# ASan+UBSan with hostile JSON, its netmap commands on the sim through
# libnmsim_preload.so, the console scanner.  Needs only the base deps.
#   make harness-test   PASS/FAIL lines in $(R)/harness-test.txt
.PHONY: harness-test
harness-test: deps $(B)/libnmsim_preload.so
	@mkdir -p $(R); rm -f $(R)/harness-test.txt $(R)/harness-test.xml
	@echo "== harness tests (no QEMU)"
	@$(SCEN_PY) -m pytest harness/test_agent.py -q -p no:cacheprovider \
		--junitxml=$(R)/harness-test.xml; rc=$$?; \
	$(SCEN_PY) scenarios/junit2txt.py $(R)/harness-test.xml $$rc > $(R)/harness-test.txt; \
	p=$$(grep -c '^PASS' $(R)/harness-test.txt); f=$$(grep -c '^FAIL' $(R)/harness-test.txt); \
	grep '^FAIL' $(R)/harness-test.txt; \
	echo "harness-test: $$p passed, $$f failed (pytest exit $$rc)"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ] && [ $$p -gt 0 ]

# netmap.ko itself in the guest (harness/netmap_smoke.py): VALE, a pipe
# and a copy monitor, the generic adapter on the e1000 both ways through
# the netdev socket, a debugfs fault point, and 100 load/unload cycles with
# traffic, each unload reporting no leaked object; one boot, console
# scanned.  The scenario suite's qemu backend is still to come.
#   make qemu-netmap [CYCLES=100]   PASS/FAIL lines in $(R)/qemu-netmap.txt
CYCLES ?= 100
.PHONY: qemu-netmap qemu-test
qemu-netmap: deps-qemu module $(B)/guest/agent
	@mkdir -p $(R)
	@echo "== netmap.ko in the guest"
	@$(QEMU_PY:qemu.py=netmap_smoke.py) --module $(B)/module/netmap.ko \
		--cycles $(CYCLES) --out $(R)/qemu-netmap.txt; rc=$$?; \
	p=$$(grep -c '^PASS' $(R)/qemu-netmap.txt); f=$$(grep -c '^FAIL' $(R)/qemu-netmap.txt); \
	echo "qemu-netmap: $$p passed, $$f failed"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ] && [ $$p -gt 0 ]

# Both guest suites (what is built of issue 4's qemu-test so far).
qemu-test: qemu-smoke qemu-netmap

SUITES += harness-test qemu-smoke qemu-netmap
