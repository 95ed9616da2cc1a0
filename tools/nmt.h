/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmt: the little the netmap tools share (pkt-gen, vale-ctl, bridge).
 * Plain public API only: <net/netmap_user.h>, /dev/netmap, NIOCCTRL.
 */
#ifndef NMT_H
#define NMT_H

#include <signal.h>
#include <stdint.h>
#include <net/netmap_user.h>

struct nmt_port {
	char name[NETMAP_REQ_IFNAMSIZ];
	int fd;
	void *mem;
	uint64_t memsize;
	struct netmap_if *nifp;
	struct nmreq_register reg;
	unsigned int first_tx, last_tx;	/* bound tx rings, [first, last) */
	unsigned int first_rx, last_rx;
	unsigned int offset;		/* data offset in each buffer */
};

extern const char *nmt_prog;
extern volatile sig_atomic_t nmt_stop;

/* SIGINT/SIGTERM set nmt_stop; blocking calls return EINTR. */
void nmt_signals(void);
/* Monotonic time in nanoseconds. */
uint64_t nmt_now_ns(void);
/* Parse an unsigned number in [min, max], with optional k/M suffix. */
int nmt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "prog: what: strerror" on stderr. */
void nmt_err(const char *what, int e);
/* Open /dev/netmap and send one NIOCCTRL; returns 0 or an errno. */
int nmt_ctrl(uint16_t type, const char *name, void *body, void *opts);
/*
 * Register name (a "netmap:" prefix is allowed; a trailing '^' means the
 * host rings only, '*' NIC and host rings) with the extra nr_flags and a
 * data offset (0: no OFFSETS option); map it.  0 or -1 after a message.
 */
int nmt_open(struct nmt_port *p, const char *name, uint64_t flags,
	     unsigned int offset);
void nmt_close(struct nmt_port *p);
/* Wait up to ms for events on the port (0 on timeout); -1 on error. */
int nmt_wait(struct nmt_port *p, short events, int ms);

#endif
