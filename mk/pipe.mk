# Pipe throughput benchmark (bench/bench_pipe.c, one thread, batch 512):
#   make bench-pipe     prints "bench pipe_60B <x> Mpps" and per-sync costs
BENCH_TARGETS += bench-pipe

.PHONY: bench-pipe
bench-pipe: $(B)/bench/bench_pipe
	@$(B)/bench/bench_pipe 2
