/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A simulated NIC: a native netmap adapter over a small device model.
 *
 * The model behaves like a descriptor-ring NIC.  On rx the kernel hands
 * buffers to the device when the user releases slots (rxsync), by copying
 * the validated buffer index and offset into a descriptor the user cannot
 * touch; the device writes frames through those descriptors only.  On tx
 * the device reads each slot once, validated, and transmits immediately,
 * gathering NS_MOREFRAG chains into one frame.  Frames larger than an rx
 * buffer are scattered over several slots with NS_MOREFRAG; a frame that
 * does not fit the free descriptors is dropped whole.
 *
 * The wire loops tx ring i back to rx ring i (mod the rx rings) until
 * the wire API is used (nmsim_wire_inject/capture, nmsim_nic_loopback):
 * then transmitted frames queue for capture, with their tx ring, and
 * frames are injected into rx rings as if they came off the cable.
 *
 * The host stack is a pair of bounded queues.  Its receive side (what
 * nmsim_host_capture returns) gets the frames of the host tx rings, the
 * frames forwarded up with NS_FORWARD, and, while the NIC is not in
 * netmap mode, every frame off the wire.  What the stack sends
 * (nmsim_host_inject) goes to the host rx rings in netmap mode, and out
 * on the wire (tx ring 0) otherwise.  The host-ring logic itself is the
 * portable kernel/nm_host.c.
 *
 * "Netmap mode" is per adapter here: from the first registration to the
 * last (nm_register).  netmap decides per ring (a frame on an rx ring no
 * one bound goes to the stack, a stack frame whose tx queue is not bound
 * goes to the wire); the sim keeps its simpler model: in netmap mode an
 * unbound rx ring drops (rx_dropped) and every stack frame is queued for
 * the host rx rings, bound or not.
 *
 * Locking: nic->lock orders injection against nm_register, so the krings
 * exist whenever an injector sees netmap_on.  Syncs need no nic->lock:
 * their own registration keeps the adapter in netmap mode.
 */
#include <stdlib.h>
#include <stdio.h>

#include "nm_kern.h"
#include "nmsim_int.h"

#define SIM_MAX_RINGS	64
#define SIM_MIN_SLOTS	4
#define SIM_MAX_SLOTS	32768
#define SIM_MAX_FRAME	65535	/* largest frame on the wire */
#define SIM_WIRE_QLEN	NM_HOST_QLEN	/* transmitted frames kept for capture */

struct sim_desc {
	uint32_t	idx;	/* buffer, validated when handed over */
	uint16_t	len;
	uint16_t	flags;
	uint64_t	off;	/* rx offset (OFFSETS option) */
};

struct sim_rxq {
	struct sim_desc	*desc;
	uint32_t	dev_next;	/* next descriptor the device fills */
};

struct sim_txq {
	uint8_t		*frame;		/* gather buffer for MOREFRAG chains */
	uint32_t	flen;
	uint32_t	nfrags;
	bool		bad;		/* the chain in progress is dropped */
};

struct sim_nic {
	struct netmap_adapter	up;
	unsigned int		nrings;
	unsigned int		nslots;
	struct sim_rxq		*rxq;
	struct sim_txq		*txq;
	nm_atomic64_t		tx_frames;
	nm_atomic64_t		rx_frames;
	nm_atomic64_t		rx_dropped;
	struct sim_nic		*next;

	pthread_mutex_t		lock;		/* see "Locking" above */
	bool			netmap_on;	/* registered at least once */
	bool			wire_used;	/* the wire API was called */
	bool			loopback;	/* tx loops back to rx */
	struct nm_hq		wire_q;		/* transmitted, for capture */
	struct nm_hq		stack_q;	/* received by the host stack */
	struct nm_host		host;		/* host rings (nm_host.c) */
};

static struct sim_nic *sim_nics;

static struct sim_nic *to_nic(struct netmap_adapter *na)
{
	return (struct sim_nic *)na;
}

static struct sim_nic *host_to_nic(struct nm_host *h)
{
	return to_nic(h->na);
}

/* ------------------------------------------------------------------ */
/* device side: receive                                                */
/* ------------------------------------------------------------------ */

/* Bytes a descriptor takes: its buffer past the offset, as a slot len. */
static uint32_t sim_desc_cap(const struct sim_desc *d, uint32_t bufsize)
{
	uint32_t cap = bufsize - (uint32_t)d->off;

	return cap > 0xffff ? 0xffff : cap;
}

/*
 * Descriptors a frame of len bytes needs from dev_next on, or 0 when it
 * does not fit the avail free ones (then it is dropped whole).
 */
static uint32_t sim_rx_need(struct sim_rxq *rxq, uint32_t lim, uint32_t avail,
			    uint32_t bufsize, uint32_t len)
{
	uint32_t need = 0, i = rxq->dev_next;

	while (need < avail) {
		uint32_t cap = sim_desc_cap(&rxq->desc[i], bufsize);

		need++;
		if (len <= cap)
			return need;
		len -= cap;
		i = nm_next(i, lim);
	}
	return 0;
}

static void sim_nic_rx_deliver(struct sim_nic *nic, unsigned int q,
			       const uint8_t *frame, uint32_t len)
{
	struct netmap_adapter *na = &nic->up;
	struct netmap_kring *kring = nma_kring(na, NR_RX, q);
	struct sim_rxq *rxq = &nic->rxq[q];
	uint32_t n = kring->nkr_num_slots, lim = n - 1;
	uint32_t bufsize = nm_mem_bufsize(na->nm_mem);
	uint32_t avail, need, rem = len, i, j;

	nm_os_spin_lock(&kring->q_lock);
	if (!kring->on)
		goto drop;
	/* the device may fill up to the slot before hwcur */
	avail = nm_ring_dist(rxq->dev_next, kring->nr_hwcur, n);
	avail = avail == 0 ? lim : avail - 1;
	need = sim_rx_need(rxq, lim, avail, bufsize, len);
	if (need == 0)
		goto drop;
	for (i = rxq->dev_next, j = 0; j < need; j++, i = nm_next(i, lim)) {
		struct sim_desc *d = &rxq->desc[i];
		uint32_t cap = sim_desc_cap(d, bufsize);
		uint32_t chunk = rem < cap ? rem : cap;

		memcpy((char *)nm_mem_buf(na->nm_mem, d->idx) + d->off,
		       frame + (len - rem), chunk);
		d->len = (uint16_t)chunk;
		d->flags = j + 1 < need ? NS_MOREFRAG : 0;
		rem -= chunk;
	}
	rxq->dev_next = i;
	nm_os_spin_unlock(&kring->q_lock);
	nm_atomic64_inc_return(&nic->rx_frames);
	kring->nm_notify(kring, 0);
	return;
drop:
	nm_os_spin_unlock(&kring->q_lock);
	nm_atomic64_inc_return(&nic->rx_dropped);
}

/*
 * A frame off the cable for rx ring q.  The caller holds nic->lock or
 * runs a sync of this NIC (which keeps it in netmap mode).
 */
static void sim_nic_wire_rx(struct sim_nic *nic, unsigned int q,
			    const uint8_t *frame, uint32_t len)
{
	if (nm_load(&nic->netmap_on))
		sim_nic_rx_deliver(nic, q, frame, len);
	else
		nm_host_send_up(&nic->host, frame, len);
}

/*
 * The device puts a frame on the cable: the loopback, or the capture
 * queue (where a zero-length frame cannot be told from "none queued":
 * the model drops those, counted).
 */
static void sim_nic_wire_tx(struct sim_nic *nic, unsigned int q,
			    const uint8_t *frame, uint32_t len)
{
	nm_atomic64_inc_return(&nic->tx_frames);
	if (nm_load(&nic->loopback)) {
		sim_nic_wire_rx(nic, q % nic->up.num_rings[NR_RX], frame, len);
		return;
	}
	if (len == 0)
		nm_atomic64_inc_return(&nic->wire_q.dropped);
	else
		nm_hq_put(&nic->wire_q, q, frame, len);
}

/* nm_host callbacks: the sim's host stack, and the NIC's transmit. */
static int sim_nic_to_stack(struct nm_host *h, const void *buf, uint32_t len)
{
	return nm_hq_put(&host_to_nic(h)->stack_q, 0, buf, len);
}

static int sim_nic_to_wire(struct nm_host *h, uint32_t ring, const void *buf,
			   uint32_t len)
{
	sim_nic_wire_tx(host_to_nic(h), ring, buf, len);
	return 0;
}

/* ------------------------------------------------------------------ */
/* syncs                                                               */
/* ------------------------------------------------------------------ */

/* Offset of a slot, or false if it breaks the ring's offset rules. */
static bool sim_slot_offset(struct netmap_kring *kring, uint64_t ptr,
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

static void sim_txq_reset(struct sim_txq *txq)
{
	txq->flen = 0;
	txq->nfrags = 0;
	txq->bad = false;
}

/* Adds one fragment; sends the frame when the chain ends. */
static void sim_txq_add(struct sim_nic *nic, unsigned int q, const void *data,
			uint32_t len, bool more)
{
	struct sim_txq *txq = &nic->txq[q];

	if (txq->bad || txq->nfrags == NETMAP_MAX_FRAGS ||
	    len > SIM_MAX_FRAME - txq->flen) {
		txq->bad = true;	/* too long: the whole frame goes */
	} else {
		memcpy(txq->frame + txq->flen, data, len);
		txq->flen += len;
		txq->nfrags++;
	}
	if (more)
		return;
	if (txq->bad)
		nm_atomic64_inc_return(&nic->rx_dropped);
	else
		sim_nic_wire_tx(nic, q, txq->frame, txq->flen);
	sim_txq_reset(txq);
}

static int sim_nic_txsync(struct netmap_kring *kring, int flags)
{
	struct netmap_adapter *na = kring->na;
	struct sim_nic *nic = to_nic(na);
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	uint32_t i;

	(void)flags;
	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t len = nm_load(&slot->len);
		uint16_t fl = nm_load(&slot->flags);
		uint64_t off;

		if (!nm_mem_buf_valid(mem, idx) ||
		    !sim_slot_offset(kring, nm_load(&slot->ptr), len, bufsize,
				     &off)) {
			kring->nr_hwcur = i;
			return NM_SYNC_REINIT;
		}
		sim_txq_add(nic, kring->ring_id,
			    (char *)nm_mem_buf(mem, idx) + off, len,
			    fl & NS_MOREFRAG);
		if (fl & NS_BUF_CHANGED)
			nm_store(&slot->flags, fl & ~NS_BUF_CHANGED);
	}
	/* the model sends at once: every slot handed over is complete */
	kring->nr_hwcur = kring->rhead;
	kring->nr_hwtail = nm_prev(kring->rhead, lim);
	return 0;
}

/*
 * Hands the slots the user released, [hwcur, rhead), back to the device,
 * forwarding them to the host stack first when transparent mode asks
 * (nm_host.c).  Returns false at the first slot with a buffer the kernel
 * cannot use.
 */
static bool sim_rx_release(struct netmap_kring *kring, struct sim_desc *desc)
{
	struct nm_host *h = &to_nic(kring->na)->host;
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1;
	uint32_t bufsize = nm_mem_bufsize(mem), i;
	bool fwd = kring->rhead != kring->nr_hwcur && nm_host_may_fwd(kring);

	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t fl = nm_load(&slot->flags);
		uint16_t len = nm_load(&slot->len);
		uint64_t off;

		if (!nm_mem_buf_valid(mem, idx) ||
		    !sim_slot_offset(kring, nm_load(&slot->ptr), 0, bufsize,
				     &off)) {
			kring->nr_hwcur = i;
			return false;
		}
		desc[i].idx = idx;
		desc[i].off = off;
		if (fl & NS_BUF_CHANGED)
			nm_store(&slot->flags, fl & ~NS_BUF_CHANGED);
		nm_host_rx_released(h, kring, fwd, slot, idx, off, len, fl);
	}
	kring->nr_hwcur = kring->rhead;
	return true;
}

static int sim_nic_rxsync(struct netmap_kring *kring, int flags)
{
	struct sim_rxq *rxq = &to_nic(kring->na)->rxq[kring->ring_id];
	struct netmap_ring *ring = kring->ring;
	uint32_t lim = kring->nkr_num_slots - 1, i;
	bool ok;

	(void)flags;
	nm_os_spin_lock(&kring->q_lock);
	ok = sim_rx_release(kring, rxq->desc);
	/* new frames: [hwtail, dev_next) */
	for (i = kring->nr_hwtail; ok && i != rxq->dev_next; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		struct sim_desc *d = &rxq->desc[i];

		nm_store(&slot->buf_idx, d->idx);
		nm_store(&slot->len, d->len);
		nm_store(&slot->flags, d->flags);
		if (kring->offset_mask)
			nm_store(&slot->ptr,
				 (nm_load(&slot->ptr) & ~kring->offset_mask) |
				 d->off);
	}
	if (ok)
		kring->nr_hwtail = rxq->dev_next;
	nm_os_spin_unlock(&kring->q_lock);
	return ok ? 0 : NM_SYNC_REINIT;
}

/* Host rings: the portable logic, with this NIC's host stack. */
static int sim_nic_host_txsync(struct netmap_kring *kring, int flags)
{
	return nm_host_txsync(&to_nic(kring->na)->host, kring, flags);
}

static int sim_nic_host_rxsync(struct netmap_kring *kring, int flags)
{
	return nm_host_rxsync(&to_nic(kring->na)->host, kring, flags);
}

/* ------------------------------------------------------------------ */
/* rings on and off                                                    */
/* ------------------------------------------------------------------ */

/* A fresh ring: the device gets all of an rx ring's buffers. */
static void sim_nic_ring_on(struct netmap_kring *kring)
{
	struct sim_nic *nic = to_nic(kring->na);
	uint32_t i;

	if (kring->host)
		return;
	if (kring->tx == NR_TX) {
		sim_txq_reset(&nic->txq[kring->ring_id]);
		return;
	}
	for (i = 0; i < kring->nkr_num_slots; i++) {
		struct sim_desc *d = &nic->rxq[kring->ring_id].desc[i];
		struct netmap_slot *slot = &kring->ring->slot[i];

		d->idx = slot->buf_idx;
		d->off = slot->ptr & kring->offset_mask;
		d->len = 0;
		d->flags = 0;
	}
	nic->rxq[kring->ring_id].dev_next = kring->nr_hwtail;
}

/* A ring goes: chains in progress are lost, and counted. */
static void sim_nic_ring_off(struct netmap_kring *kring)
{
	struct sim_nic *nic = to_nic(kring->na);

	if (!kring->host && kring->tx == NR_TX) {
		if (nic->txq[kring->ring_id].nfrags)
			nm_atomic64_inc_return(&nic->rx_dropped);
		sim_txq_reset(&nic->txq[kring->ring_id]);
		return;
	}
	nm_host_ring_off(&nic->host, kring);
}

/*
 * In and out of netmap mode.  Frames the stack queued for the host rx
 * rings do not survive it (as netmap frees its host queues with the
 * krings): they are counted as dropped.
 */
static int sim_nic_register(struct netmap_adapter *na, int onoff)
{
	struct sim_nic *nic = to_nic(na);

	pthread_mutex_lock(&nic->lock);
	nm_store(&nic->netmap_on, onoff != 0);
	if (!onoff)
		nm_host_purge(&nic->host);
	pthread_mutex_unlock(&nic->lock);
	return 0;
}

/* ------------------------------------------------------------------ */
/* creation                                                            */
/* ------------------------------------------------------------------ */

static void sim_nic_free(struct sim_nic *nic)
{
	unsigned int i;

	nm_host_fini(&nic->host);
	nm_hq_fini(&nic->wire_q);
	nm_hq_fini(&nic->stack_q);
	pthread_mutex_destroy(&nic->lock);

	if (nic->rxq)
		for (i = 0; i < nic->nrings; i++)
			free(nic->rxq[i].desc);
	if (nic->txq)
		for (i = 0; i < nic->nrings; i++)
			free(nic->txq[i].frame);
	free(nic->rxq);
	free(nic->txq);
	free(nic);
}

static void sim_nic_dtor(struct netmap_adapter *na)
{
	sim_nic_free(to_nic(na));
}

static bool sim_nic_name_ok(const char *name)
{
	size_t len = strnlen(name, NM_NAME_LEN);

	/* names with these characters belong to other port types */
	return len > 0 && len < NM_NAME_LEN && !strpbrk(name, "{}:") &&
	       strncmp(name, "vale", 4) != 0;
}

static struct sim_nic *sim_nic_alloc(const char *name, unsigned int rings,
				     unsigned int slots)
{
	struct sim_nic *nic = calloc(1, sizeof(*nic));
	struct netmap_adapter *na;
	unsigned int i;

	if (!nic)
		return NULL;
	pthread_mutex_init(&nic->lock, NULL);
	nic->loopback = true;
	nm_hq_init(&nic->wire_q, SIM_WIRE_QLEN);
	nm_hq_init(&nic->stack_q, NM_HOST_QLEN);
	nm_host_init(&nic->host, &nic->up);
	nic->host.to_stack = sim_nic_to_stack;
	nic->host.to_wire = sim_nic_to_wire;
	nic->nrings = rings;
	nic->nslots = slots;
	nic->rxq = calloc(rings, sizeof(*nic->rxq));
	nic->txq = calloc(rings, sizeof(*nic->txq));
	if (!nic->rxq || !nic->txq)
		goto fail;
	for (i = 0; i < rings; i++) {
		nic->rxq[i].desc = calloc(slots, sizeof(struct sim_desc));
		nic->txq[i].frame = malloc(SIM_MAX_FRAME);
		if (!nic->rxq[i].desc || !nic->txq[i].frame)
			goto fail;
	}
	na = &nic->up;
	snprintf(na->name, sizeof(na->name), "%s", name);
	na->na_flags = NAF_NATIVE | NAF_HOST_RINGS;
	na->num_rings[NR_TX] = na->num_rings[NR_RX] = rings;
	na->num_host_rings[NR_TX] = na->num_host_rings[NR_RX] = 1;
	na->num_slots[NR_TX] = na->num_slots[NR_RX] = slots;
	na->num_host_slots[NR_TX] = na->num_host_slots[NR_RX] = slots;
	na->nm_txsync = sim_nic_txsync;
	na->nm_rxsync = sim_nic_rxsync;
	na->nm_host_txsync = sim_nic_host_txsync;
	na->nm_host_rxsync = sim_nic_host_rxsync;
	na->nm_ring_on = sim_nic_ring_on;
	na->nm_ring_off = sim_nic_ring_off;
	na->nm_register = sim_nic_register;
	na->nm_dtor = sim_nic_dtor;
	return nic;
fail:
	sim_nic_free(nic);
	return NULL;
}

int sim_nic_create(const char *name, unsigned int rings, unsigned int slots)
{
	struct sim_nic *nic;
	int err;

	if (!name || !sim_nic_name_ok(name) || rings < 1 ||
	    rings > SIM_MAX_RINGS || slots < SIM_MIN_SLOTS ||
	    slots > SIM_MAX_SLOTS)
		return EINVAL;
	nic = sim_nic_alloc(name, rings, slots);
	if (!nic)
		return ENOMEM;
	err = netmap_attach(&nic->up);
	if (err) {
		sim_nic_free(nic);
		return err;
	}
	nic->next = sim_nics;
	sim_nics = nic;
	return 0;
}

static struct sim_nic **sim_nic_lookup(const char *name)
{
	struct sim_nic **pp;

	for (pp = &sim_nics; *pp; pp = &(*pp)->next)
		if (!strncmp((*pp)->up.name, name, NM_NAME_LEN))
			return pp;
	return NULL;
}

int sim_nic_destroy(const char *name)
{
	struct sim_nic **pp = name ? sim_nic_lookup(name) : NULL;
	struct sim_nic *nic;

	if (!pp)
		return ENXIO;
	nic = *pp;
	*pp = nic->next;
	/* the registry lets go; open registrations keep the object */
	netmap_detach(&nic->up);
	return 0;
}

void sim_nic_destroy_all(void)
{
	while (sim_nics)
		sim_nic_destroy(sim_nics->up.name);
}

int sim_nic_get_stats(const char *name, struct nmsim_nic_stats *st)
{
	struct sim_nic **pp = name ? sim_nic_lookup(name) : NULL;
	struct sim_nic *nic;

	if (!pp)
		return ENXIO;
	nic = *pp;
	st->tx_frames = nm_atomic64_read(&nic->tx_frames);
	st->rx_frames = nm_atomic64_read(&nic->rx_frames);
	st->rx_dropped = nm_atomic64_read(&nic->rx_dropped);
	st->host_tx_frames = nm_atomic64_read(&nic->host.host_tx_frames);
	st->wire_dropped = nm_atomic64_read(&nic->wire_q.dropped);
	st->stack_rx_frames = nm_atomic64_read(&nic->host.stack_rx_frames);
	st->stack_rx_dropped = nm_atomic64_read(&nic->host.stack_rx_dropped);
	st->host_rx_frames = nm_atomic64_read(&nic->host.host_rx_frames);
	st->host_rx_dropped = nm_atomic64_read(&nic->host.host_rx_dropped);
	st->fwd_up_frames = nm_atomic64_read(&nic->host.fwd_up_frames);
	st->fwd_down_frames = nm_atomic64_read(&nic->host.fwd_down_frames);
	st->fwd_dropped = nm_atomic64_read(&nic->host.fwd_dropped);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the wire and the host stack, from outside (sim lock held)           */
/* ------------------------------------------------------------------ */

static struct sim_nic *sim_nic_find(const char *name)
{
	struct sim_nic **pp = name ? sim_nic_lookup(name) : NULL;

	return pp ? *pp : NULL;
}

/* The first use of the wire API unplugs the loopback. */
static void sim_nic_wire_attach(struct sim_nic *nic)
{
	if (nm_load(&nic->wire_used))
		return;
	nm_store(&nic->wire_used, true);
	nm_store(&nic->loopback, false);
}

int sim_nic_wire_inject(const char *name, unsigned int ring,
			const void *frame, size_t len)
{
	struct sim_nic *nic = sim_nic_find(name);

	if (!nic)
		return ENOENT;
	if (ring >= nic->up.num_rings[NR_RX] || len == 0 ||
	    len > SIM_MAX_FRAME)
		return EINVAL;
	if (!frame)
		return EFAULT;
	sim_nic_wire_attach(nic);
	pthread_mutex_lock(&nic->lock);
	sim_nic_wire_rx(nic, ring, frame, (uint32_t)len);
	pthread_mutex_unlock(&nic->lock);
	return 0;
}

/* Takes a frame out of q: its length, 0 if none, or -errno. */
static long sim_take(struct nm_hq *q, void *buf, size_t cap,
		     unsigned int *ring)
{
	struct nm_hframe *f;
	long len;

	if (!buf && cap)
		return -EFAULT;
	f = nm_hq_get(q);
	if (!f)
		return 0;
	if (cap)
		memcpy(buf, f->data, f->len < cap ? f->len : cap);
	if (ring)
		*ring = f->ring;
	len = f->len;
	nm_free(f);
	return len;
}

long sim_nic_wire_capture(const char *name, void *buf, size_t cap,
			  unsigned int *ring)
{
	struct sim_nic *nic = sim_nic_find(name);

	if (!nic)
		return -ENOENT;
	sim_nic_wire_attach(nic);
	return sim_take(&nic->wire_q, buf, cap, ring);
}

int sim_nic_loopback(const char *name, int on)
{
	struct sim_nic *nic = sim_nic_find(name);

	if (!nic)
		return ENOENT;
	nm_store(&nic->wire_used, true);
	nm_store(&nic->loopback, on != 0);
	return 0;
}

int sim_nic_host_inject(const char *name, const void *frame, size_t len)
{
	struct sim_nic *nic = sim_nic_find(name);

	if (!nic)
		return ENOENT;
	if (len == 0 || len > NM_HOST_MAX_FRAME)
		return EINVAL;
	if (!frame)
		return EFAULT;
	pthread_mutex_lock(&nic->lock);
	if (nm_load(&nic->netmap_on))
		nm_host_enqueue(&nic->host, frame, (uint32_t)len);
	else
		sim_nic_wire_tx(nic, 0, frame, (uint32_t)len);
	pthread_mutex_unlock(&nic->lock);
	return 0;
}

long sim_nic_host_capture(const char *name, void *buf, size_t cap)
{
	struct sim_nic *nic = sim_nic_find(name);

	if (!nic)
		return -ENOENT;
	return sim_take(&nic->stack_q, buf, cap, NULL);
}
