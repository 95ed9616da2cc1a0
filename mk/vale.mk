# VALE switch benchmark: forwarding rates and per-port memory.
#   make bench-vale
BENCH_TARGETS += bench-vale
BENCH_BINS += $(B)/bench/bench_vale

.PHONY: bench-vale
bench-vale: $(B)/bench/bench_vale
	@$(B)/bench/bench_vale
