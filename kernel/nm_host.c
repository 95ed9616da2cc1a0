/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host rings and transparent-mode forwarding, for any NIC adapter.
 *
 * A NIC in netmap mode is cut off from its OS stack; the host rings are
 * how the application talks to that stack instead:
 *
 *   host tx ring   user -> stack.  txsync hands every frame between
 *                  hwcur and head to the stack (no flag needed), NS_MOREFRAG
 *                  chains joined into one frame.
 *   host rx ring   stack -> user.  What the stack sends while the NIC is in
 *                  netmap mode is queued (bounded) and copied into the ring
 *                  at rxsync, scattered over NS_MOREFRAG slots if larger
 *                  than a buffer.
 *
 * Transparent mode ("forwarding").  An rx ring forwards when its ring has
 * NR_FORWARD in ring->flags or the module parameter fwd is set (the
 * adapter must have host rings).  The slots the user releases (from the
 * old hwcur to the new head) are then forwarded to the other side:
 *   NIC rx ring  -> the stack ("up"),
 *   host rx ring -> out of the NIC ("down"), only when the registration
 *                   syncing it binds every NIC tx ring (NR_REG_NIC_SW,
 *                   NAF_CAN_FORWARD_DOWN).
 * With NR_FORWARD only slots marked NS_FORWARD go; with fwd every released
 * slot goes, as in netmap, whose fwd means "forward all".  NS_FORWARD is
 * cleared on the slots forwarded.
 *
 * Where netmap is loose, and what we do instead:
 *  - netmap silently skips frames it cannot forward (shorter than an
 *    Ethernet header, longer than a buffer, no mbuf).  Here every such
 *    frame is counted (fwd_dropped / stack_rx_dropped).
 *  - netmap forwards single slots; here NS_MOREFRAG chains are joined
 *    (forwarded when any of their slots asks to be, or with fwd), both
 *    up and down, and chains may span syncs.
 *  - netmap forwards down only from the first host rx ring, by swapping
 *    buffers into free slots of the user's NIC tx rings; here every host
 *    rx ring forwards, and the frame is copied straight to the NIC's
 *    transmit path (to_wire) on tx ring (host ring index mod NIC tx
 *    rings), so the user's tx rings never see slots they did not write.
 *  - netmap queues a stack frame for the host rx ring chosen by the
 *    frame's queue mapping; the stack here has none, so frames go round
 *    robin over the host rx rings.  Each queue holds NM_HOST_QLEN frames;
 *    frames waiting in it when the NIC leaves netmap mode are dropped and
 *    counted.
 */
#include "nm_kern.h"

/* ------------------------------------------------------------------ */
/* frame queues                                                        */
/* ------------------------------------------------------------------ */

void nm_hq_init(struct nm_hq *q, uint32_t limit)
{
	nm_os_spin_init(&q->lock);
	q->head = q->tail = NULL;
	q->count = 0;
	q->limit = limit;
	nm_atomic64_set(&q->dropped, 0);
}

uint32_t nm_hq_purge(struct nm_hq *q)
{
	struct nm_hframe *f, *next;
	uint32_t n;

	nm_os_spin_lock(&q->lock);
	f = q->head;
	n = q->count;
	q->head = q->tail = NULL;
	q->count = 0;
	nm_os_spin_unlock(&q->lock);
	for (; f; f = next) {
		next = f->next;
		nm_free(f);
	}
	return n;
}

void nm_hq_fini(struct nm_hq *q)
{
	nm_hq_purge(q);
	nm_os_spin_destroy(&q->lock);
}

int nm_hq_put(struct nm_hq *q, uint32_t ring, const void *buf, uint32_t len)
{
	struct nm_hframe *f;

	/* cheap early refusal; the count is checked again under the lock */
	if (nm_load(&q->count) >= q->limit)
		goto full;
	f = nm_malloc(sizeof(*f) + len);
	if (!f) {
		nm_atomic64_inc_return(&q->dropped);
		return ENOMEM;
	}
	f->next = NULL;
	f->len = len;
	f->ring = ring;
	if (len)
		memcpy(f->data, buf, len);
	nm_os_spin_lock(&q->lock);
	if (q->count >= q->limit) {
		nm_os_spin_unlock(&q->lock);
		nm_free(f);
		goto full;
	}
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	nm_store(&q->count, q->count + 1);
	nm_os_spin_unlock(&q->lock);
	return 0;
full:
	nm_atomic64_inc_return(&q->dropped);
	return ENOBUFS;
}

static struct nm_hframe *nm_hq_unlink_locked(struct nm_hq *q)
{
	struct nm_hframe *f = q->head;

	if (!f)
		return NULL;
	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	nm_store(&q->count, q->count - 1);
	f->next = NULL;
	return f;
}

struct nm_hframe *nm_hq_get(struct nm_hq *q)
{
	struct nm_hframe *f;

	nm_os_spin_lock(&q->lock);
	f = nm_hq_unlink_locked(q);
	nm_os_spin_unlock(&q->lock);
	return f;
}

uint32_t nm_hq_count(struct nm_hq *q)
{
	return nm_load(&q->count);
}

/* ------------------------------------------------------------------ */
/* life cycle                                                          */
/* ------------------------------------------------------------------ */

void nm_host_init(struct nm_host *h, struct netmap_adapter *na)
{
	uint32_t i;

	h->na = na;
	for (i = 0; i < NM_HOST_MAX_RINGS; i++)
		nm_hq_init(&h->rxq[i], NM_HOST_QLEN);
	nm_atomic_set(&h->rr, 0);
}

static void nm_gather_reset(struct nm_gather *g)
{
	g->len = 0;
	g->nfrags = 0;
	g->bad = false;
	g->fwd = false;
	g->off = false;
}

void nm_host_purge(struct nm_host *h)
{
	uint32_t i, n;

	for (i = 0; i < NM_HOST_MAX_RINGS; i++) {
		n = nm_hq_purge(&h->rxq[i]);
		while (n--)
			nm_atomic64_inc_return(&h->host_rx_dropped);
	}
}

void nm_host_fini(struct nm_host *h)
{
	uint32_t i;
	int t;

	nm_host_purge(h);
	for (i = 0; i < NM_HOST_MAX_RINGS; i++)
		nm_hq_fini(&h->rxq[i]);
	for_rx_tx(t) {
		for (i = 0; i < NM_HOST_MAX_KRINGS; i++) {
			nm_free(h->g[t][i].buf);
			h->g[t][i].buf = NULL;
		}
	}
}

static struct nm_gather *nm_host_gather(struct nm_host *h,
					struct netmap_kring *kring)
{
	if (kring->ring_id >= NM_HOST_MAX_KRINGS)
		return NULL;
	return &h->g[kring->tx][kring->ring_id];
}

/*
 * A chain that never saw its last slot: counted where the whole frame
 * would have been, and the buffer goes (the ring may come back smaller).
 */
void nm_host_ring_off(struct nm_host *h, struct netmap_kring *kring)
{
	struct nm_gather *g = nm_host_gather(h, kring);

	if (!g)
		return;
	if (g->nfrags) {
		if (kring->tx == NR_TX)
			nm_atomic64_inc_return(&h->stack_rx_dropped);
		else if (g->fwd)
			nm_atomic64_inc_return(&h->fwd_dropped);
	}
	nm_gather_reset(g);
	nm_free(g->buf);
	g->buf = NULL;
}

/* ------------------------------------------------------------------ */
/* chains                                                              */
/* ------------------------------------------------------------------ */

/*
 * Adds a fragment.  A chain over NETMAP_MAX_FRAGS slots or
 * NM_HOST_MAX_FRAME bytes, or one we have no memory for, is marked bad
 * and dropped whole when it ends.
 */
static void nm_gather_add(struct nm_gather *g, const void *data, uint32_t len)
{
	if (g->bad)
		goto count;
	if (g->nfrags >= NETMAP_MAX_FRAGS || len > NM_HOST_MAX_FRAME - g->len) {
		g->bad = true;
		goto count;
	}
	if (!g->buf) {
		g->buf = nm_malloc(NM_HOST_MAX_FRAME);
		if (!g->buf) {
			g->bad = true;
			goto count;
		}
	}
	memcpy(g->buf + g->len, data, len);
	g->len += len;
count:
	g->nfrags++;
}

/* ------------------------------------------------------------------ */
/* to the stack                                                        */
/* ------------------------------------------------------------------ */

int nm_host_send_up(struct nm_host *h, const void *buf, uint32_t len)
{
	int err = EINVAL;

	if (len >= NM_HOST_MIN_FRAME && len <= NM_HOST_MAX_FRAME)
		err = h->to_stack(h, buf, len);
	nm_atomic64_inc_return(err ? &h->stack_rx_dropped
				   : &h->stack_rx_frames);
	return err;
}

/* Offset of a slot, or false if it breaks the ring's offset rules. */
static bool nm_host_slot_off(struct netmap_kring *kring, uint64_t ptr,
			     uint32_t len, uint32_t bufsize, uint64_t *off)
{
	*off = 0;
	if (!kring->offset_mask)
		return len <= bufsize;
	*off = ptr & kring->offset_mask;
	if (*off > kring->offset_max || *off + len > bufsize)
		return false;
	if (kring->tx == NR_TX && kring->buf_align > 1 &&
	    *off % kring->buf_align)
		return false;
	return true;
}

/*
 * Host tx ring: every slot in [hwcur, head) goes to the stack.  A bad
 * slot stops the sync there (the ring is reinitialised by the caller);
 * the slots before it have been passed up.
 */
int nm_host_txsync(struct nm_host *h, struct netmap_kring *kring, int flags)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	struct nm_gather *g = nm_host_gather(h, kring);
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	uint32_t i;

	(void)flags;
	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t len = nm_load(&slot->len);
		uint16_t fl = nm_load(&slot->flags);
		const uint8_t *data;
		uint64_t off;

		if (!nm_mem_buf_valid(mem, idx) ||
		    !nm_host_slot_off(kring, nm_load(&slot->ptr), len, bufsize,
				      &off)) {
			kring->nr_hwcur = i;
			return NM_SYNC_REINIT;
		}
		if (fl & NS_BUF_CHANGED)
			nm_store(&slot->flags, fl & ~NS_BUF_CHANGED);
		data = (const uint8_t *)nm_mem_buf(mem, idx) + off;
		if (!g) {	/* cannot happen with sane ring counts */
			if (!(fl & NS_MOREFRAG))
				nm_host_send_up(h, data, len);
			continue;
		}
		if (!(fl & NS_MOREFRAG) && g->nfrags == 0) {
			/* the common case: one slot, no copy to gather */
			nm_atomic64_inc_return(&h->host_tx_frames);
			nm_host_send_up(h, data, len);
			continue;
		}
		nm_gather_add(g, data, len);
		if (fl & NS_MOREFRAG)
			continue;
		nm_atomic64_inc_return(&h->host_tx_frames);
		if (g->bad)
			nm_atomic64_inc_return(&h->stack_rx_dropped);
		else
			nm_host_send_up(h, g->buf, g->len);
		nm_gather_reset(g);
	}
	/* the stack takes everything at once */
	kring->nr_hwcur = kring->rhead;
	kring->nr_hwtail = nm_prev(kring->rhead, lim);
	return 0;
}

/* ------------------------------------------------------------------ */
/* forwarding                                                          */
/* ------------------------------------------------------------------ */

bool nm_host_may_fwd(struct netmap_kring *kring)
{
	if (kring->tx != NR_RX || !(kring->na->na_flags & NAF_HOST_RINGS))
		return false;
	return nm_fwd || (nm_load(&kring->ring->flags) & NR_FORWARD);
}

/* Where a finished chain or single slot goes. */
static void nm_host_fwd_out(struct nm_host *h, struct netmap_kring *kring,
			    const void *buf, uint32_t len)
{
	struct netmap_adapter *na = kring->na;
	uint32_t ntx = na->num_rings[NR_TX];

	if (!kring->host) {
		if (nm_host_send_up(h, buf, len) == 0)
			nm_atomic64_inc_return(&h->fwd_up_frames);
		return;
	}
	if (ntx == 0 || len > NM_HOST_MAX_FRAME ||
	    h->to_wire(h, (kring->ring_id - na->num_rings[NR_RX]) % ntx,
		       buf, len)) {
		nm_atomic64_inc_return(&h->fwd_dropped);
		return;
	}
	nm_atomic64_inc_return(&h->fwd_down_frames);
}

/*
 * One released rx slot (NIC or host ring), its buffer and offset already
 * validated.  fwd says forwarding is on for this sync; a slot is marked
 * for forwarding by NS_FORWARD, or always with the fwd parameter.
 */
static void nm_host_fwd_slot(struct nm_host *h, struct netmap_kring *kring,
			     bool fwd, struct netmap_slot *slot, uint32_t idx,
			     uint64_t off, uint16_t len, uint16_t fl)
{
	struct netmap_mem_d *mem = kring->na->nm_mem;
	struct nm_gather *g = nm_host_gather(h, kring);
	bool marked = fwd && (nm_fwd || (fl & NS_FORWARD));
	bool more = fl & NS_MOREFRAG;
	bool len_ok = off + len <= nm_mem_bufsize(mem);
	const uint8_t *data = (const uint8_t *)nm_mem_buf(mem, idx) + off;

	if (marked && (fl & NS_FORWARD))
		nm_store(&slot->flags, fl & ~(NS_FORWARD | NS_BUF_CHANGED));
	if (!g)
		return;
	if (!more && g->nfrags == 0) {
		/* one slot, no chain: no copy to gather */
		if (!marked)
			return;
		if (len_ok)
			nm_host_fwd_out(h, kring, data, len);
		else
			nm_atomic64_inc_return(&h->fwd_dropped);
		return;
	}
	g->fwd |= marked;
	if (!fwd)
		g->off = true;	/* this part is not kept: no whole frame */
	else if (!len_ok)
		g->bad = true;
	if (fwd && !g->off && !g->bad)
		nm_gather_add(g, data, len);
	else
		g->nfrags++;
	if (more)
		return;
	if (g->fwd) {
		if (g->bad || g->off)
			nm_atomic64_inc_return(&h->fwd_dropped);
		else
			nm_host_fwd_out(h, kring, g->buf, g->len);
	}
	nm_gather_reset(g);
}

void nm_host_rx_released(struct nm_host *h, struct netmap_kring *kring,
			 bool fwd, struct netmap_slot *slot, uint32_t idx,
			 uint64_t off, uint16_t len, uint16_t fl)
{
	struct nm_gather *g = nm_host_gather(h, kring);

	/* nothing to forward and no chain pending: the fast path */
	if (!fwd && (!g || g->nfrags == 0))
		return;
	nm_host_fwd_slot(h, kring, fwd, slot, idx, off, len, fl);
}

/* ------------------------------------------------------------------ */
/* from the stack                                                      */
/* ------------------------------------------------------------------ */

int nm_host_enqueue(struct nm_host *h, const void *buf, uint32_t len)
{
	struct netmap_adapter *na = h->na;
	uint32_t nh = na->num_host_rings[NR_RX], q;
	struct netmap_kring *kring;
	int err;

	nm_atomic64_inc_return(&h->stack_tx_frames);
	if (nh == 0 || !na->rings[NR_RX]) {
		nm_atomic64_inc_return(&h->host_rx_dropped);
		return ENXIO;
	}
	nh = NM_MIN(nh, NM_HOST_MAX_RINGS);
	q = ((uint32_t)nm_atomic_add_return(&h->rr, 1) - 1) % nh;
	err = nm_hq_put(&h->rxq[q], q, buf, len);
	if (err) {
		nm_atomic64_inc_return(&h->host_rx_dropped);
		return err;
	}
	kring = nma_kring(na, NR_RX, na->num_rings[NR_RX] + q);
	kring->nm_notify(kring, 0);
	return 0;
}

/*
 * Hands the slots the user released, [hwcur, head), back; forwards them
 * down when asked.  Returns false at the first slot with a buffer the
 * kernel cannot use.
 */
static bool nm_host_rx_release(struct nm_host *h, struct netmap_kring *kring,
			       int flags)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	bool fwd = (flags & NAF_CAN_FORWARD_DOWN) && nm_host_may_fwd(kring);
	uint32_t i;

	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t fl = nm_load(&slot->flags);
		uint16_t len = nm_load(&slot->len);
		uint64_t off;

		if (!nm_mem_buf_valid(mem, idx) ||
		    !nm_host_slot_off(kring, nm_load(&slot->ptr), 0, bufsize,
				      &off)) {
			kring->nr_hwcur = i;
			return false;
		}
		if (fl & NS_BUF_CHANGED)
			nm_store(&slot->flags, fl & ~NS_BUF_CHANGED);
		nm_host_rx_released(h, kring, fwd, slot, idx, off, len, fl);
	}
	kring->nr_hwcur = kring->rhead;
	return true;
}

/*
 * Copies frame f into the free slots from hwtail on.  Returns the slots
 * used, 0 when it does not fit now, or -1 at a slot whose buffer or
 * offset the user broke (the ring is then reinitialised; f stays queued).
 */
static int nm_host_rx_fill_one(struct netmap_kring *kring,
			       const struct nm_hframe *f, uint32_t avail)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	uint32_t i = kring->nr_hwtail, done = 0, used = 0;

	do {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx, cap, chunk;
		uint64_t off;

		if (used == avail)
			return 0;
		idx = nm_load(&slot->buf_idx);
		if (!nm_mem_buf_valid(mem, idx) ||
		    !nm_host_slot_off(kring, nm_load(&slot->ptr), 0, bufsize,
				      &off) || off >= bufsize)
			return -1;
		cap = NM_MIN(bufsize - (uint32_t)off, 0xffffu);
		chunk = NM_MIN(f->len - done, cap);
		memcpy((uint8_t *)nm_mem_buf(mem, idx) + off, f->data + done,
		       chunk);
		done += chunk;
		nm_store(&slot->len, (uint16_t)chunk);
		nm_store(&slot->flags, done < f->len ? NS_MOREFRAG : 0);
		used++;
		i = nm_next(i, lim);
	} while (done < f->len);
	return (int)used;
}

/*
 * Host rx ring: release, then move queued stack frames into the ring.
 * A frame that does not fit waits in the queue, unless even the whole
 * ring could not hold it: then it is dropped and counted.
 */
int nm_host_rxsync(struct nm_host *h, struct netmap_kring *kring, int flags)
{
	struct netmap_adapter *na = kring->na;
	uint32_t q = kring->ring_id - na->num_rings[NR_RX];
	uint32_t n = kring->nkr_num_slots, lim = n - 1, avail;
	struct nm_hq *hq;
	int ret = 0;

	if (!nm_host_rx_release(h, kring, flags))
		return NM_SYNC_REINIT;
	if (q >= NM_HOST_MAX_RINGS)
		return 0;
	hq = &h->rxq[q];
	nm_os_spin_lock(&hq->lock);
	for (;;) {
		struct nm_hframe *f = hq->head;
		int used;

		if (!f)
			break;
		avail = nm_ring_dist(kring->nr_hwtail, kring->nr_hwcur, n);
		avail = avail == 0 ? lim : avail - 1;
		used = nm_host_rx_fill_one(kring, f, avail);
		if (used < 0) {
			ret = NM_SYNC_REINIT;
			break;
		}
		if (used == 0 && avail < lim)
			break;	/* wait for the user to free slots */
		f = nm_hq_unlink_locked(hq);
		if (used == 0) {
			nm_atomic64_inc_return(&h->host_rx_dropped);
		} else {
			kring->nr_hwtail = (kring->nr_hwtail + (uint32_t)used) % n;
			nm_atomic64_inc_return(&h->host_rx_frames);
		}
		nm_free(f);
	}
	nm_os_spin_unlock(&hq->lock);
	return ret;
}
