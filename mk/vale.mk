# VALE switch benchmark: forwarding rates and per-port memory.
#   make bench-vale      (build/bench/bench_vale 60: the 60-byte rate only)
BENCH_TARGETS += bench-vale

.PHONY: bench-vale
bench-vale: $(B)/bench/bench_vale
	@$(B)/bench/bench_vale
