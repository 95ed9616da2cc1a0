/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sync path: validating what the user wrote into a ring, calling the
 * port's sync routine, publishing the result, and the poll logic on top.
 *
 * The ring lives in memory the user can write at any time, even while we
 * run.  So every user-written field is read exactly once (nm_load) into a
 * local or into the kring, and decisions are taken on that copy only.
 * The kring's own fields (nr_hwcur, nr_hwtail, rhead, rcur, rtail) are
 * the truth; the ring's head/cur/tail are requests.
 */
#include "nm_kern.h"

/* x lies in the circular interval [a, b] */
static inline bool nm_in_window(uint32_t a, uint32_t b, uint32_t x)
{
	return a <= b ? (x >= a && x <= b) : (x >= a || x <= b);
}

/*
 * TX: the user may move head and cur forward, up to the tail we last
 * published, and cur may not be behind head.
 */
uint32_t nm_txsync_prologue(struct netmap_kring *kring)
{
	struct netmap_ring *ring = kring->ring;
	uint32_t n = kring->nkr_num_slots;
	uint32_t head = nm_load(&ring->head);
	uint32_t cur = nm_load(&ring->cur);

	if (unlikely(kring->nr_hwcur >= n || kring->rhead >= n ||
		     kring->rtail >= n || kring->nr_hwtail >= n))
		goto bad;
	if (unlikely(head >= n || cur >= n))
		goto bad;
	if (unlikely(!nm_in_window(kring->rhead, kring->rtail, head) ||
		     !nm_in_window(head, kring->rtail, cur)))
		goto bad;
	if (nm_load(&ring->tail) != kring->rtail)
		nm_store(&ring->tail, kring->rtail);	/* user scribbled it */
	kring->rhead = head;
	kring->rcur = cur;
	return head;
bad:
	nm_prlim("%s: bad tx head %u cur %u (hwcur %u rhead %u rtail %u)",
		 kring->name, head, cur, kring->nr_hwcur, kring->rhead,
		 kring->rtail);
	return n;
}

/* RX: the user may release slots from hwcur up to hwtail. */
uint32_t nm_rxsync_prologue(struct netmap_kring *kring)
{
	struct netmap_ring *ring = kring->ring;
	uint32_t n = kring->nkr_num_slots;
	uint32_t head = nm_load(&ring->head);
	uint32_t cur = nm_load(&ring->cur);

	if (unlikely(kring->nr_hwcur >= n || kring->nr_hwtail >= n))
		goto bad;
	if (unlikely(head >= n || cur >= n))
		goto bad;
	if (unlikely(!nm_in_window(kring->nr_hwcur, kring->nr_hwtail, head) ||
		     !nm_in_window(head, kring->nr_hwtail, cur)))
		goto bad;
	if (nm_load(&ring->tail) != kring->rtail)
		nm_store(&ring->tail, kring->rtail);
	kring->rhead = head;
	kring->rcur = cur;
	return head;
bad:
	nm_prlim("%s: bad rx head %u cur %u (hwcur %u hwtail %u)",
		 kring->name, head, cur, kring->nr_hwcur, kring->nr_hwtail);
	return n;
}

/*
 * Puts a malformed ring back into a state the kernel can trust: head and
 * cur at the kernel's hwcur, tail at hwtail, and every slot holding a
 * usable buffer index, length and offset (index 0 and length 0 otherwise).
 * Unlike netmap's reference kernel, the pointers are always reset: the
 * user's values are what was found wrong.
 */
int netmap_ring_reinit(struct netmap_kring *kring)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t bufsize = nm_mem_bufsize(mem), i;

	for (i = 0; i < kring->nkr_num_slots; i++) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t len = nm_load(&slot->len);

		if (!nm_mem_buf_valid(mem, idx)) {
			nm_store(&slot->buf_idx, 0);
			nm_store(&slot->len, 0);
		} else if (len > bufsize) {
			nm_store(&slot->len, 0);
		}
		if (kring->offset_mask) {
			uint64_t ptr = nm_load(&slot->ptr);

			if ((ptr & kring->offset_mask) > kring->offset_max)
				nm_store(&slot->ptr, ptr & ~kring->offset_mask);
		}
	}
	kring->rhead = kring->rcur = kring->nr_hwcur;
	kring->rtail = kring->nr_hwtail;
	nm_store(&ring->head, kring->rhead);
	nm_store(&ring->cur, kring->rcur);
	nm_store(&ring->tail, kring->rtail);
	nm_atomic64_inc_return(&kring->reinits);
	return 1;
}

/* Publishes the kernel's tail. */
void nm_sync_finalize(struct netmap_kring *kring)
{
	kring->rtail = kring->nr_hwtail;
	nm_store_release(&kring->ring->tail, kring->rtail);
}

static void nm_ring_timestamp(struct netmap_kring *kring)
{
	struct netmap_ring *ring = kring->ring;
	int64_t sec, usec;

	if (nm_no_timestamp && !(nm_load(&ring->flags) & NR_TIMESTAMP))
		return;
	nm_os_microtime(&sec, &usec);
	ring->ts.tv_sec = sec;
	ring->ts.tv_usec = usec;
}

/*
 * One sync of one kring the caller owns (nm_kr_tryget).  Returns false
 * when the ring was malformed and has been reinitialised.
 */
static bool nm_sync_one(struct netmap_kring *kring, int flags)
{
	uint32_t n = kring->nkr_num_slots;
	uint32_t head = kring->tx == NR_TX ? nm_txsync_prologue(kring)
					   : nm_rxsync_prologue(kring);
	bool ok = true;

	if (head >= n) {
		netmap_ring_reinit(kring);
		ok = false;
	} else if (kring->nm_sync(kring, flags) == 0) {
		nm_sync_finalize(kring);
	} else {
		netmap_ring_reinit(kring);
		ok = false;
	}
	if (kring->tx == NR_RX)
		nm_ring_timestamp(kring);
	return ok;
}

/* ---- host-ring forwarding (nm_host.c) ---- */
/*
 * Sync flags a registration adds: NAF_CAN_FORWARD_DOWN when it binds
 * every NIC tx ring, so its host rx rings may send frames down the NIC.
 */
static int nm_priv_sync_flags(struct netmap_priv_d *priv)
{
	struct netmap_adapter *na = priv->np_na;

	if (priv->np_qfirst[NR_TX] == 0 &&
	    priv->np_qlast[NR_TX] >= na->num_rings[NR_TX])
		return NAF_CAN_FORWARD_DOWN;
	return 0;
}

static struct nm_fi_point *nm_sync_fi(int t)
{
	return t == NR_TX ? &nm_fi_txsync_enter : &nm_fi_rxsync_enter;
}

/*
 * NIOCTXSYNC / NIOCRXSYNC.  As in netmap, a malformed ring is reset and
 * the ioctl still returns 0 (poll reports POLLERR); a ring another thread
 * is syncing is skipped; a stopped ring yields EIO, a dead port ENXIO.
 */
int netmap_sync_bound(struct netmap_priv_d *priv, int t)
{
	struct netmap_if *nifp = nm_load_acquire(&priv->np_nifp);
	struct netmap_adapter *na;
	uint32_t i;
	int err = 0, e;

	if (!nifp)
		return ENXIO;
	na = priv->np_na;
	for (i = priv->np_qfirst[t]; i < priv->np_qlast[t]; i++) {
		struct netmap_kring *kring = nma_kring(na, t, i);

		if (!nm_kr_tryget(kring, &e)) {
			if (e)
				err = e == ENXIO ? ENXIO : EIO;
			continue;
		}
		if (nm_fi_hit(nm_sync_fi(t))) {
			err = EIO;
		} else {
			nm_sync_one(kring, (t == NR_TX ? NAF_FORCE_RECLAIM
						       : NAF_FORCE_READ) |
					   nm_priv_sync_flags(priv));
		}
		nm_kr_put(kring);
	}
	return err;
}

/* The wait channel of a direction: the ring's, or the port-wide one. */
static struct nm_selinfo *nm_priv_si(struct netmap_priv_d *priv, int t)
{
	struct netmap_adapter *na = priv->np_na;

	if (priv->np_qlast[t] - priv->np_qfirst[t] == 1)
		return &nma_kring(na, t, priv->np_qfirst[t])->si;
	return &na->si[t];
}

/*
 * poll(): tx rings are synced when the user asks for POLLOUT or, unless
 * NR_NO_TX_POLL, when they hold frames to send; rx rings when the user
 * asks for POLLIN or, with NR_DO_RX_POLL, always.  (netmap's reference
 * kernel accepts NR_DO_RX_POLL and ignores it; here it means what its
 * name says.)  A malformed or dead ring adds POLLERR.
 */
int netmap_poll(struct netmap_priv_d *priv, int events, void *pollctx)
{
	struct netmap_if *nifp = nm_load_acquire(&priv->np_nifp);
	int want_tx = events & (POLLOUT | POLLWRNORM);
	int want_rx = events & (POLLIN | POLLRDNORM);
	struct netmap_adapter *na;
	int revents = 0, t, e;
	uint32_t i;

	if (!nifp)
		return POLLERR;
	na = priv->np_na;
	if (na->na_flags & NAF_ZOMBIE)
		return POLLERR;
	/* record first: a wake-up after our checks must not be lost */
	for_rx_tx(t)
		nm_os_selrecord(pollctx, nm_priv_si(priv, t));

	for_rx_tx(t) {
		bool want = t == NR_TX ? want_tx : want_rx;
		bool always = t == NR_TX ? priv->np_txpoll : priv->np_rxpoll;

		if (!want && !always)
			continue;
		for (i = priv->np_qfirst[t]; i < priv->np_qlast[t]; i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);

			if (!nm_kr_tryget(kring, &e)) {
				if (e)
					revents |= POLLERR;
				continue;
			}
			/* nothing to send and POLLOUT not asked: skip */
			if (t == NR_TX && !want &&
			    nm_load(&kring->ring->head) == kring->nr_hwcur)
				;
			else if (nm_fi_hit(nm_sync_fi(t)))
				revents |= POLLERR;
			else if (!nm_sync_one(kring, nm_priv_sync_flags(priv)))
				revents |= POLLERR;
			if (want && kring->rcur != kring->rtail)
				revents |= t == NR_TX ? want_tx : want_rx;
			nm_kr_put(kring);
		}
	}
	return revents;
}

int netmap_ioctl(struct netmap_priv_d *priv, unsigned long cmd, uint64_t uarg)
{
	/* the kernel sees 32 bits of the command, whatever the caller passed */
	switch ((uint32_t)cmd) {
	case (uint32_t)NIOCCTRL:
		return netmap_ioctl_ctrl(priv, uarg);
	case (uint32_t)NIOCREGIF:
	case (uint32_t)NIOCGINFO:
		return netmap_ioctl_legacy(priv, (uint32_t)cmd, uarg);
	case (uint32_t)NIOCTXSYNC:
		return netmap_sync_bound(priv, NR_TX);
	case (uint32_t)NIOCRXSYNC:
		return netmap_sync_bound(priv, NR_RX);
	default:
		return ENOTTY;
	}
}
