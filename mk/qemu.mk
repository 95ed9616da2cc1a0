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
