/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pipe throughput, one thread: fill a batch of 60-byte frames on the
 * master's tx ring, txsync, rxsync on the slave, release what arrived.
 * Only the slot lengths are written (the buffers move by index, so the
 * frame bytes do not matter to the pipe); that is the zero-copy path a
 * pkt-gen over a pipe exercises.
 *
 * Prints "bench pipe_60B <Mpps> Mpps" (the best of 20 short rounds), the
 * median round, and the cost per batch of each sync in the best round.
 * Figures, not asserts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <net/netmap_user.h>
#include "nmsim.h"

#define SLOTS	1024
#define ROUNDS	20

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct end {
	int fd;
	struct nmreq_register r;
	struct netmap_ring *tx, *rx;
};

static void open_end(struct end *e, const char *name)
{
	struct nmreq_header h;
	struct netmap_if *nifp;
	char *mem;

	memset(&h, 0, sizeof(h));
	memset(&e->r, 0, sizeof(e->r));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_REGISTER;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)&e->r;
	e->r.nr_mode = NR_REG_ALL_NIC;
	e->r.nr_tx_slots = e->r.nr_rx_slots = SLOTS;
	e->fd = nmsim_open();
	if (e->fd < 0 || nmsim_ioctl(e->fd, NIOCCTRL, &h)) {
		fprintf(stderr, "bench_pipe: %s: %s\n", name, strerror(errno));
		exit(1);
	}
	mem = nmsim_mmap(e->fd, e->r.nr_memsize);
	if (mem == MAP_FAILED) {
		perror("bench_pipe: mmap");
		exit(1);
	}
	nifp = NETMAP_IF(mem, e->r.nr_offset);
	e->tx = NETMAP_TXRING(nifp, 0);
	e->rx = NETMAP_RXRING(nifp, 0);
}

int main(int argc, char **argv)
{
	unsigned int batch = 512, i, r;
	double secs = 2.0, t0, t, ttx = 0, trx = 0, a, best = 0, mpps[ROUNDS];
	unsigned long long pkts = 0, rounds = 0;
	struct end m, s;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: bench_pipe [seconds [batch]]\n");
		return 0;
	}
	if (argc > 1)
		secs = atof(argv[1]);
	if (argc > 2)
		batch = (unsigned int)atoi(argv[2]);
	if (secs <= 0 || secs > 60 || batch < 1 || batch >= SLOTS) {
		fprintf(stderr, "bench_pipe: 0 < seconds <= 60, 1 <= batch < %d\n",
			SLOTS);
		return 2;
	}
	setenv("NMSIM_LOG", "0", 1);
	if (nmsim_nic_create("bench0", 1, SLOTS)) {
		perror("bench_pipe: nmsim_nic_create");
		return 1;
	}
	open_end(&m, "bench0{0");
	open_end(&s, "bench0}0");

	/*
	 * Short rounds, best one reported: the machine is shared, and a round
	 * that lost the CPU says nothing about the pipe.
	 */
	for (r = 0; r < ROUNDS; r++) {
		double rtx = 0, rrx = 0;

		pkts = rounds = 0;
		t0 = now_s();
		do {
			for (i = 0; i < 64; i++) {
				struct netmap_ring *tx = m.tx, *rx = s.rx;
				uint32_t h = tx->head, n = nm_ring_space(tx), k;

				if (n > batch)
					n = batch;
				for (k = 0; k < n; k++) {
					tx->slot[h].len = 60;
					h = nm_ring_next(tx, h);
				}
				tx->head = tx->cur = h;
				a = now_s();
				nmsim_ioctl(m.fd, NIOCTXSYNC, NULL);
				t = now_s();
				rtx += t - a;
				nmsim_ioctl(s.fd, NIOCRXSYNC, NULL);
				rrx += now_s() - t;
				pkts += nm_ring_space(rx);
				rx->head = rx->cur = rx->tail;
				rounds++;
			}
			t = now_s();
		} while (t - t0 < secs / ROUNDS);
		mpps[r] = pkts / (t - t0) / 1e6;
		if (mpps[r] > best) {
			best = mpps[r];
			ttx = rtx / rounds;
			trx = rrx / rounds;
		}
	}
	for (r = 1; r < ROUNDS; r++)	/* sort, for the median */
		for (i = r; i > 0 && mpps[i] < mpps[i - 1]; i--) {
			a = mpps[i];
			mpps[i] = mpps[i - 1];
			mpps[i - 1] = a;
		}

	printf("bench pipe_60B %.1f Mpps\n", best);
	printf("bench pipe_60B_median %.1f Mpps\n", mpps[ROUNDS / 2]);
	printf("bench pipe_60B_txsync_per_batch %.0f ns\n", ttx * 1e9);
	printf("bench pipe_60B_rxsync_per_batch %.0f ns\n", trx * 1e9);
	printf("bench pipe_60B_batch %u pkts\n", batch);
	nmsim_close(m.fd);
	nmsim_close(s.fd);
	nmsim_shutdown();
	return 0;
}
