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
