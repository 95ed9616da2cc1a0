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
