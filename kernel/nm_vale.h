/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VALE software switch: what other parts of the core (and the glues) may
 * call.  The switch itself is in nm_vale.c.
 */
#ifndef _NM_VALE_H_
#define _NM_VALE_H_

#include "nm_kern.h"

#define NM_VALE_PREFIX		"vale"
#define NM_VALE_MAXPORTS	254	/* ports per switch, index 0..253 */
#define NM_VALE_MAXSW		16	/* switches */
#define NM_VALE_MAXRINGS	16	/* rings per kind of a VALE port */
#define NM_VALE_MAXSLOTS	65536
#define NM_VALE_BATCH		1024	/* slots forwarded per round */

/* Lookup results besides a port index. */
#define NM_VALE_BROADCAST	255u	/* every port but the source */
#define NM_VALE_DROP		254u

/*
 * A switch's forwarding decision for one frame: frame points to the first
 * fragment (after its offset), len bytes of it; src is the source port
 * index.  *ring_nr (0 on entry) picks the destination ring (taken modulo
 * the destination's ring count).  Runs on the data path, concurrently on
 * several senders: no sleeping, no locks the caller might hold.
 */
typedef uint32_t (*netmap_vale_lookup_t)(const uint8_t *frame, uint32_t len,
					 uint32_t src, uint8_t *ring_nr,
					 void *arg);

/*
 * Replace the lookup of switch swname ("vale0"); fn NULL restores the
 * learning bridge.  0, ENOENT (no such switch) or EINVAL (bad name).
 * Takes NMG_LOCK.
 */
int netmap_vale_set_lookup(const char *swname, netmap_vale_lookup_t fn,
			   void *arg);

#endif /* _NM_VALE_H_ */
