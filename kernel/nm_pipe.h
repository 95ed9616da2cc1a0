/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by pipes and monitors: an rx kring fed by a producer that is not
 * its own sync (the peer's txsync, a monitored port's sync).
 *
 * The ring is split in three parts, in ring order from the kernel's hwcur:
 *   [kcur, ptail)   published frames, owned by the user;
 *   [ptail, wpos)   slots written for a chain that is not complete yet,
 *                   invisible to the user;
 *   [wpos, kcur-1)  free slots the producer may write.
 * Only whole chains (ending with a slot without NS_MOREFRAG) are ever
 * published, so a consumer never sees half a frame.
 *
 * bufs[] holds the buffer index of every slot as the kernel last saw it:
 * validated when the user releases the slot, written by the producer.
 * Producers take buffers from bufs[], never from the slots, which the user
 * may scribble at any time.
 *
 * Locking: kcur, wpos, ptail, skip and bufs[] are protected by the rx
 * kring's q_lock.  The kring's own nr_hwcur / nr_hwtail are written only by
 * its sync (nm_rxq_rxsync), which copies ptail into nr_hwtail under the
 * lock, so the core's unlocked reads of them stay single-writer.
 */
#ifndef _NM_PIPE_H_
#define _NM_PIPE_H_

struct nm_rxq {
	uint32_t	*bufs;		/* nkr_num_slots entries */
	uint32_t	kcur;		/* released by the user up to here */
	uint32_t	wpos;		/* next slot the producer writes */
	uint32_t	ptail;		/* published up to here */
	bool		skip;		/* dropping the rest of a chain */
};

static inline struct nm_rxq *nm_rxq_of(struct netmap_kring *kring)
{
	return (struct nm_rxq *)kring->pdata;
}

/* Slots the producer may still write.  q_lock held. */
static inline uint32_t nm_rxq_room(struct netmap_kring *kring,
				   struct nm_rxq *q)
{
	uint32_t n = kring->nkr_num_slots;

	return nm_ring_dist(q->wpos, nm_prev(q->kcur, n - 1), n);
}

/* Forget the chain being written: its slots become free again. */
static inline void nm_rxq_drop_partial(struct nm_rxq *q)
{
	q->wpos = q->ptail;
}

/* Allocate / free the state of an rx kring (kring->pdata). */
int nm_rxq_alloc(struct netmap_kring *kring);
void nm_rxq_free(struct netmap_kring *kring);
/* A fresh ring: every slot free for the producer, bufs[] from the slots. */
void nm_rxq_ring_on(struct netmap_kring *kring);
/*
 * The sync of such an rx kring: takes back the slots the user released
 * (validating their buffers) and publishes what the producer completed.
 */
int nm_rxq_rxsync(struct netmap_kring *kring, int flags);

/*
 * Pipe lookup, also used by monitors: for_monitor looks up an existing
 * end without the "opened once" rule and without creating anything.
 */
int nm_pipe_lookup(const char *name, struct nmreq_register *req,
		   struct netmap_adapter **na, bool for_monitor);
bool nm_is_pipe(struct netmap_adapter *na);

#endif /* _NM_PIPE_H_ */
