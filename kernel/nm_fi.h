/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault points: named places in the core and drivers where a test can make
 * the code take its failure path (fail an allocation, reset a ring, drop
 * an interrupt, corrupt a slot: what firing means is up to each point).
 *
 * Every point counts its hits.  Armed with a mode it also fires:
 *   off            never
 *   nth:N          once, at the Nth hit after arming
 *   every:N        at every Nth hit
 *   prob:P[:SEED]  at each hit with probability P (a decimal in [0, 1] or
 *                  a percentage like 5%), from a seeded generator: the
 *                  same seed fires at the same hit numbers
 * Arming resets the counters.  The same names serve the sim (C call,
 * NMSIM_FI) and Linux (debugfs, /sys/kernel/debug/netmap/fi/<name>).
 */
#ifndef _NM_FI_H_
#define _NM_FI_H_

enum { NM_FI_OFF = 0, NM_FI_NTH, NM_FI_EVERY, NM_FI_PROB };

struct nm_fi_point {
	const char	*name;
	const char	*desc;
	int		mode;
	uint64_t	n;		/* nth / every */
	uint64_t	prob;		/* probability in units of 2^-32 */
	uint64_t	seed;
	nm_atomic64_t	hits;
	nm_atomic64_t	fired;
};

extern struct nm_fi_point nm_fi_mem_alloc;	/* "mem.alloc" */
extern struct nm_fi_point nm_fi_txsync_enter;	/* "txsync.enter" */
extern struct nm_fi_point nm_fi_rxsync_enter;	/* "rxsync.enter" */

extern struct nm_fi_point *const nm_fi_points[];
extern const unsigned int nm_fi_npoints;

bool nm_fi_fire(struct nm_fi_point *p, uint64_t hit);

/* Count a hit; true when the point fires. */
static inline bool nm_fi_hit(struct nm_fi_point *p)
{
	uint64_t hit = nm_atomic64_inc_return(&p->hits);

	if (likely(p->mode == NM_FI_OFF))
		return false;
	return nm_fi_fire(p, hit);
}

struct nm_fi_point *nm_fi_find(const char *name, size_t len);
/* Arm one point: 0, ENOENT (no such point) or EINVAL (bad mode). */
int nm_fi_arm(const char *name, const char *spec);
/* Arm from "name=spec,name=spec"; stops at the first error. */
int nm_fi_arm_list(const char *list);
/* "mode hits=H fired=F" into buf; returns the length. */
int nm_fi_show(const struct nm_fi_point *p, char *buf, size_t len);
void nm_fi_disarm_all(void);

#endif /* _NM_FI_H_ */
