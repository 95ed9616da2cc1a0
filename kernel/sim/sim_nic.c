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
 * For now the wire loops tx ring i back to rx ring i (mod the rx rings).
 * The host rings take frames from the user (host tx) and, with no host
 * stack yet, deliver none (host rx).
 */
#include <stdlib.h>
#include <stdio.h>

#include "nm_kern.h"
#include "nmsim_int.h"

#define SIM_MAX_RINGS	64
#define SIM_MIN_SLOTS	4
#define SIM_MAX_SLOTS	32768
#define SIM_MAX_FRAME	65535	/* largest frame on the wire */

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
	nm_atomic64_t		host_tx_frames;
	struct sim_nic		*next;
};

static struct sim_nic *sim_nics;

static struct sim_nic *to_nic(struct netmap_adapter *na)
{
	return (struct sim_nic *)na;
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

/* The wire: for now, a loopback. */
static void sim_nic_wire_tx(struct sim_nic *nic, unsigned int q,
			    const uint8_t *frame, uint32_t len)
{
	nm_atomic64_inc_return(&nic->tx_frames);
	sim_nic_rx_deliver(nic, q % nic->up.num_rings[NR_RX], frame, len);
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
 * Hands the slots the user released, [hwcur, rhead), back to the device.
 * Returns false at the first slot with a buffer the kernel cannot use.
 */
static bool sim_rx_release(struct netmap_kring *kring, struct sim_desc *desc)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1;
	uint32_t bufsize = nm_mem_bufsize(mem), i;

	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t fl = nm_load(&slot->flags);
		uint64_t off;

		if (!nm_mem_buf_valid(mem, idx) ||
		    !sim_slot_offset(kring, nm_load(&slot->ptr), 0, bufsize,
				     &off)) {
			kring->nr_hwcur = i;
			return false;
		}
		if (desc) {
			desc[i].idx = idx;
			desc[i].off = off;
		}
		if (fl & NS_BUF_CHANGED)
			nm_store(&slot->flags, fl & ~NS_BUF_CHANGED);
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

/* Host tx: frames for the host stack, which the sim does not have yet. */
static int sim_nic_host_txsync(struct netmap_kring *kring, int flags)
{
	struct sim_nic *nic = to_nic(kring->na);
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	uint32_t i;

	(void)flags;
	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint64_t off;

		if (!nm_mem_buf_valid(mem, nm_load(&slot->buf_idx)) ||
		    !sim_slot_offset(kring, nm_load(&slot->ptr),
				     nm_load(&slot->len), bufsize, &off)) {
			kring->nr_hwcur = i;
			return NM_SYNC_REINIT;
		}
		if (!(nm_load(&slot->flags) & NS_MOREFRAG))
			nm_atomic64_inc_return(&nic->host_tx_frames);
	}
	kring->nr_hwcur = kring->rhead;
	kring->nr_hwtail = nm_prev(kring->rhead, lim);
	return 0;
}

/* Host rx: buffers come back; no frames arrive without a host stack. */
static int sim_nic_host_rxsync(struct netmap_kring *kring, int flags)
{
	(void)flags;
	return sim_rx_release(kring, NULL) ? 0 : NM_SYNC_REINIT;
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

/* ------------------------------------------------------------------ */
/* creation                                                            */
/* ------------------------------------------------------------------ */

static void sim_nic_free(struct sim_nic *nic)
{
	unsigned int i;

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
	st->host_tx_frames = nm_atomic64_read(&nic->host_tx_frames);
	return 0;
}
