/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bridge: forward every frame between two netmap ports, both ways.
 * Buffers are swapped (zero copy) when both ports share a memory region,
 * copied otherwise; fragment chains keep their NS_MOREFRAG marks.
 * Exit: 0 stopped cleanly (SIGINT, -D, -n), 1 an error, 2 usage,
 * 3 port setup failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmt.h"

const char *nmt_prog = "bridge";

static void usage(FILE *f)
{
	fprintf(f,
"usage: bridge -i PORT_A -i PORT_B [-b BURST] [-n COUNT] [-D MS] [-T MS]\n"
"  -i PORT    the two ports (vale0:a, eth0, eth0^ for the host rings, ...)\n"
"  -b BURST   slots moved per ring and pass, 1..4096 (default 1024)\n"
"  -n COUNT   stop after forwarding COUNT frames in total (0: no limit)\n"
"  -D MS      stop after MS milliseconds\n"
"  -T MS      report interval in ms, 0 = only the summary (default 0)\n"
"  --help     this text\n"
"Exit: 0 ok, 1 error, 2 usage, 3 port setup failed.\n");
}

/* Move up to burst slots from src's rx rings to dst's tx rings. */
static uint64_t forward(struct nmt_port *src, struct nmt_port *dst,
			uint64_t burst, int zcopy, uint64_t *bytes)
{
	unsigned int si = src->first_rx, di = dst->first_tx;
	uint64_t frames = 0, moved = 0;

	while (si < src->last_rx && di < dst->last_tx && moved < burst) {
		struct netmap_ring *rx = NETMAP_RXRING(src->nifp, si);
		struct netmap_ring *tx = NETMAP_TXRING(dst->nifp, di);

		if (nm_ring_empty(rx)) {
			si++;
			continue;
		}
		if (!nm_ring_space(tx)) {
			di++;
			continue;
		}
		while (!nm_ring_empty(rx) && nm_ring_space(tx) &&
		       moved < burst) {
			struct netmap_slot *rs = &rx->slot[rx->head];
			struct netmap_slot *ts = &tx->slot[tx->head];
			unsigned int len = rs->len;

			if (len > tx->nr_buf_size - dst->offset)
				len = tx->nr_buf_size - dst->offset;
			if (zcopy && src->offset == dst->offset) {
				uint32_t b = ts->buf_idx;

				ts->buf_idx = rs->buf_idx;
				rs->buf_idx = b;
				ts->flags = NS_BUF_CHANGED;
				rs->flags |= NS_BUF_CHANGED;
			} else {
				NETMAP_WOFFSET(tx, ts, dst->offset);
				memcpy(NETMAP_BUF_OFFSET(tx, ts),
				       NETMAP_BUF_OFFSET(rx, rs), len);
				ts->flags = 0;
			}
			ts->len = (uint16_t)len;
			ts->flags |= rs->flags & NS_MOREFRAG;
			if (!(rs->flags & NS_MOREFRAG))
				frames++;
			*bytes += len;
			moved++;
			rx->head = rx->cur = nm_ring_next(rx, rx->head);
			tx->head = tx->cur = nm_ring_next(tx, tx->head);
		}
	}
	return frames;
}

int main(int argc, char **argv)
{
	struct nmt_port p[2];
	const char *name[2] = { NULL, NULL };
	uint64_t burst = 1024, count = 0, dur = 0, rep = 0;
	uint64_t frames[2] = { 0, 0 }, bytes[2] = { 0, 0 }, t0, last, prev = 0;
	int k, o, ni = 0, zcopy, rc = 0;

	for (k = 1; k < argc; k++)
		if (!strcmp(argv[k], "--help")) {
			usage(stdout);
			return 0;
		}
	opterr = 0;
	while ((o = getopt(argc, argv, "i:b:n:D:T:")) != -1) {
		uint64_t *v = NULL, lo = 0, hi = 1ull << 40;

		switch (o) {
		case 'i':
			if (ni == 2) {
				fprintf(stderr, "%s: more than two -i\n",
					nmt_prog);
				return 2;
			}
			name[ni++] = optarg;
			continue;
		case 'b': v = &burst; lo = 1; hi = 4096; break;
		case 'n': v = &count; break;
		case 'D': v = &dur; lo = 1; break;
		case 'T': v = &rep; hi = 3600000; break;
		default:
			if (optopt && strchr("ibnDT", optopt))
				fprintf(stderr, "%s: -%c needs an argument\n",
					nmt_prog, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s' "
					"(try --help)\n", nmt_prog,
					argv[optind - 1]);
			return 2;
		}
		if (nmt_parse_u64(optarg, lo, hi, v)) {
			fprintf(stderr, "%s: -%c: must be a number in %" PRIu64
				"..%" PRIu64 ", not '%s'\n", nmt_prog, o, lo,
				hi, optarg);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n",
			nmt_prog, argv[optind]);
		return 2;
	}
	if (ni != 2) {
		fprintf(stderr, "%s: need two ports: -i PORT_A -i PORT_B "
			"(try --help)\n", nmt_prog);
		return 2;
	}
	nmt_signals();
	if (nmt_open(&p[0], name[0], 0, 0))
		return 3;
	if (nmt_open(&p[1], name[1], 0, 0)) {
		nmt_close(&p[0]);
		return 3;
	}
	zcopy = p[0].reg.nr_mem_id == p[1].reg.nr_mem_id;
	printf("%s: %s <-> %s (%s)\n", nmt_prog, p[0].name, p[1].name,
	       zcopy ? "zero copy" : "copy");
	fflush(stdout);
	t0 = last = nmt_now_ns();
	while (!nmt_stop) {
		struct pollfd pfd[2];
		uint64_t now;
		int r;

		if (count && frames[0] + frames[1] >= count)
			break;
		now = nmt_now_ns();
		if (dur && now - t0 >= dur * 1000000ull)
			break;
		if (rep && now - last >= rep * 1000000ull) {
			uint64_t n = frames[0] + frames[1];

			printf("%.0f pps\n", (double)(n - prev) * 1e9 /
			       (double)(now - last));
			fflush(stdout);
			prev = n;
			last = now;
		}
		for (k = 0; k < 2; k++) {
			pfd[k].fd = p[k].fd;
			pfd[k].events = POLLIN;
			pfd[k].revents = 0;
		}
		r = poll(pfd, 2, 100);
		if (r < 0 && errno != EINTR) {
			nmt_err("poll", errno);
			rc = 1;
			break;
		}
		if (r <= 0)
			continue;
		if ((pfd[0].revents | pfd[1].revents) & (POLLERR | POLLNVAL)) {
			fprintf(stderr, "%s: poll: error event\n", nmt_prog);
			rc = 1;
			break;
		}
		for (k = 0; k < 2; k++) {
			uint64_t n = forward(&p[k], &p[1 - k], burst, zcopy,
					     &bytes[k]);

			frames[k] += n;
			if (ioctl(p[1 - k].fd, NIOCTXSYNC, NULL) != 0) {
				nmt_err("NIOCTXSYNC", errno);
				rc = 1;
				goto out;
			}
		}
	}
out:
	printf("%s: %s -> %s: %" PRIu64 " frames %" PRIu64 " bytes; "
	       "%s -> %s: %" PRIu64 " frames %" PRIu64 " bytes; %.3f s\n",
	       nmt_prog, p[0].name, p[1].name, frames[0], bytes[0],
	       p[1].name, p[0].name, frames[1], bytes[1],
	       (double)(nmt_now_ns() - t0) / 1e9);
	nmt_close(&p[0]);
	nmt_close(&p[1]);
	return rc;
}
