/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers for unit tests: ports, requests, frames. */
#ifndef _TUTIL_H_
#define _TUTIL_H_

#include <stdint.h>
#include <net/netmap_user.h>
#include "nmsim.h"

/* A registered, mapped port. */
struct tport {
	int			fd;
	struct nmreq_register	reg;	/* the reply */
	char			*mem;
	struct netmap_if	*nifp;
};

/* nr_version/reqtype/name/body/options filled in; returns 0 or errno. */
int t_ctrl(int fd, const char *name, uint16_t reqtype, void *body,
	   void *options);
/* The same with a caller-built header (for malformed requests). */
int t_ctrl_hdr(int fd, struct nmreq_header *hdr);

/*
 * Open, register (mode, ringid, flags) and mmap.  Returns 0 or the errno
 * of the first step that failed (p->fd is -1 then).
 */
int tp_open(struct tport *p, const char *name, uint32_t mode,
	    uint16_t ringid, uint64_t flags);
/* Same, with a whole register body and an option list (may be NULL). */
int tp_open_req(struct tport *p, const char *name,
		const struct nmreq_register *req, void *options);
void tp_close(struct tport *p);

struct netmap_ring *tp_tx(struct tport *p, unsigned int i);
struct netmap_ring *tp_rx(struct tport *p, unsigned int i);
/* The host rings of kind t, index i (after the NIC rings). */
struct netmap_ring *tp_host_tx(struct tport *p, unsigned int i);
struct netmap_ring *tp_host_rx(struct tport *p, unsigned int i);

/* Put a frame at head and advance head and cur; -1 when the ring is full. */
int tr_put(struct netmap_ring *r, const void *data, uint16_t len,
	   uint16_t flags);
/* Take the frame at head into buf; returns its length, -1 when empty. */
int tr_get(struct netmap_ring *r, void *buf, size_t cap, uint16_t *flags);

int tp_txsync(struct tport *p);
int tp_rxsync(struct tport *p);

/* A frame with a recognisable pattern (seq in the first bytes). */
void t_frame(uint8_t *buf, uint16_t len, uint32_t seq);
/* The seq of such a frame, or -1 if the pattern is broken. */
long t_frame_seq(const uint8_t *buf, uint16_t len);

#endif /* _TUTIL_H_ */
