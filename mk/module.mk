# The Linux kernel module: netmap.ko, the core and kernel/linux/ built by
# Kbuild out of tree against Debian's kernel headers.
#
#   make module [KVER=<version>]
#       $(B)/module/netmap.ko, with W=1 and -Werror.  KVER defaults to the
#       newest Debian linux-headers-*-amd64 installed (not uname -r: the
#       module is for the QEMU guest's kernel, not the host's).
#   make module-clean
#
# $(B)/module holds symlinks to kernel/*.c, kernel/linux/*.c and the
# Kbuild file, remade at each build so a new core file is picked up.

MOD_B := $(B)/module
KVER ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
	sed 's|.*/linux-headers-||' | sort -V | tail -1)
KDIR = /lib/modules/$(KVER)/build

.PHONY: module module-clean
module: deps-qemu
	@if [ -z "$(KVER)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "module: no kernel headers for '$(KVER)' ($(KDIR))" >&2; \
		exit 1; fi
	@mkdir -p $(MOD_B)
	@find $(MOD_B) -maxdepth 1 -type l -delete
	@for f in kernel/*.c kernel/linux/*.c; do \
		ln -s $(CURDIR)/$$f $(MOD_B)/$$(basename $$f); done
	@ln -s $(CURDIR)/kernel/linux/Kbuild $(MOD_B)/Kbuild
	@echo "== module: netmap.ko for $(KVER)"
	@$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR)/$(MOD_B) \
		NMTB_ROOT=$(CURDIR) W=1 modules
	@echo "module: $(MOD_B)/netmap.ko"

module-clean:
	@[ ! -e "$(KDIR)/Makefile" ] || [ ! -d $(MOD_B) ] || \
		$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR)/$(MOD_B) clean
	@rm -rf $(MOD_B)

# As a suite of make test: the module builds warning-free (W=1, -Werror)
# against Debian's headers and carries the parameters the glue promises.
# Loading it is the QEMU harness's job (make qemu-test).
MOD_PARAMS := verbose no_timestamp fwd if_size if_num ring_size ring_num \
	buf_size buf_num mem_max_mb fi generic
.PHONY: module-suite
SUITES += module-suite
module-suite:
	@mkdir -p $(R); : > $(R)/module-suite.txt; \
	if $(MAKE) --no-print-directory module > $(R)/module.log 2>&1; then \
		echo "PASS module-build: $(MOD_B)/netmap.ko for $(KVER)"; \
	else echo "FAIL module-build (see $(R)/module.log)"; \
		tail -5 $(R)/module.log; exit 0; fi | tee -a $(R)/module-suite.txt; \
	[ -f $(MOD_B)/netmap.ko ] || exit 1; \
	have=$$(modinfo -F parm $(MOD_B)/netmap.ko | cut -d: -f1); \
	for p in $(MOD_PARAMS); do \
		if echo "$$have" | grep -qx "$$p"; then \
			echo "PASS module-param-$$p"; \
		else echo "FAIL module-param-$$p: not a parameter of netmap.ko"; fi; \
	done | tee -a $(R)/module-suite.txt; \
	! grep -q '^FAIL' $(R)/module-suite.txt
