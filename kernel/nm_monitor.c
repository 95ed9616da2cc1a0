/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netmap monitors: a registration with NR_MONITOR_TX and/or NR_MONITOR_RX
 * on the name of a port that is in netmap mode (EINVAL otherwise) gets a
 * port of its own whose rx ring i shows the frames of the monitored port's
 * tx ring i and/or rx ring i.  It has no tx rings and no host rings.
 *
 * Copy monitors have a private allocator and see copies:
 *   tx: the frames the user submits, at the monitored txsync, before the
 *       port's own sync runs (so also frames a pipe end swaps away);
 *   rx: the frames a monitored rxsync makes available to the user.
 * Frames from tx rings carry NS_TXMON.  A monitor ring that is full loses
 * frames (counted in its kring's drops); the monitored port loses nothing
 * and pays only for the copy.
 *
 * Zero-copy monitors (NR_ZCOPY_MON) share the monitored port's allocator
 * and take frames by swapping buffers, after the port is done with them:
 *   tx: the slots the monitored txsync consumed (for a NIC: sent); not
 *       offered for pipe ends, whose txsync already swapped the buffers
 *       away (EOPNOTSUPP);
 *   rx: the slots the monitored user releases, before the port gets them
 *       back, so the monitor sees what the user left in them.
 * The monitored slot gets a free buffer of the monitor in exchange (with
 * NS_BUF_CHANGED); when the monitor ring is full the slot keeps its own
 * buffer and the monitor loses the frame.  Zero-copy monitors chain: a
 * second one on the same ring sees what the user of the first releases,
 * and so on, up to NM_MON_MAX_CHAIN (then EBUSY).  Closing a link of the
 * chain, or the monitored port, turns the ones after it into zombies.
 *
 * Whole chains only: a MOREFRAG chain is published to the monitor when
 * its last slot arrives, or dropped whole.
 *
 * Plumbing.  A monitored kring has kring->mon, and its nm_sync is replaced
 * by nm_mon_sync(), which runs the original sync and feeds the monitors.
 * Monitor rx krings are nm_rxq krings (nm_pipe.h): the feed is their
 * producer, under their q_lock.  Attaching and detaching take the
 * monitored kring's busy bit like a sync does (a sync that meets it is
 * skipped, as for any busy ring), so they never race a running sync.
 * When the monitored port leaves netmap mode, netmap_monitor_stop() (from
 * the core's unregister) unhooks every monitor and makes it a zombie: its
 * syncs give ENXIO and poll gives POLLERR until it is closed.
 */
#include "nm_kern.h"
#include "nm_pipe.h"

#define NM_MON_FLAGS		(NR_MONITOR_TX | NR_MONITOR_RX)
#define NM_MON_MAX_COPY		16	/* copy monitors per kring */
#define NM_MON_MAX_CHAIN	8	/* zero-copy monitors per kring */
#define NM_MON_MIN_SLOTS	4
#define NM_MON_MAX_SLOTS	4096
#define NM_MON_MAX_EXTRA	4096

/* Monitors of one monitored kring. */
struct nm_mon_kstate {
	int			(*orig_sync)(struct netmap_kring *, int);
	struct netmap_kring	*copy[NM_MON_MAX_COPY];	/* their rx krings */
	uint32_t		ncopy;
	struct netmap_kring	*zmon;		/* next zero-copy monitor */
	uint32_t		cursor;		/* copy monitors saw up to here */
};

/* kring->pdata of a monitor rx kring; nm_rxq first (nm_rxq_of). */
struct nm_mon_ring {
	struct nm_rxq		q;
	struct netmap_kring	*src[NR_TXRX];	/* krings it is fed by */
};

struct nm_mon {
	struct netmap_adapter	up;
	struct netmap_adapter	*parent;	/* a reference */
	uint64_t		flags;		/* NR_MONITOR_*, NR_ZCOPY_MON */
	bool			zcopy;
};

static struct nm_mon *to_mon(struct netmap_adapter *na)
{
	return (struct nm_mon *)na;
}

static struct nm_mon_ring *to_mring(struct netmap_kring *kring)
{
	return (struct nm_mon_ring *)kring->pdata;
}

/* Exclusive use of a kring against its syncs (see above). */
static void nm_mon_own(struct netmap_kring *kring)
{
	while (nm_atomic_cmpxchg(&kring->nr_busy, 0, 1) != 0)
		nm_os_relax();
}

/* x lies in the circular interval [a, b] */
static bool nm_mon_in(uint32_t a, uint32_t b, uint32_t x)
{
	return a <= b ? (x >= a && x <= b) : (x >= a || x <= b);
}

/* ------------------------------------------------------------------ */
/* feeding a monitor                                                   */
/* ------------------------------------------------------------------ */

/* A slot of the monitored ring: buffer, length and offset in range. */
static bool nm_mon_slot(struct netmap_kring *src, struct netmap_slot *s,
			uint32_t *idx, uint16_t *len, uint16_t *fl,
			uint64_t *ptr, uint64_t *off)
{
	struct netmap_mem_d *mem = src->na->nm_mem;

	*idx = nm_load(&s->buf_idx);
	*len = nm_load(&s->len);
	*fl = nm_load(&s->flags);
	*ptr = nm_load(&s->ptr);
	*off = *ptr & src->offset_mask;
	if (!nm_mem_buf_valid(mem, *idx))
		return false;
	return *off <= src->offset_max &&
	       *off + *len <= nm_mem_bufsize(mem);
}

/*
 * Hands the slots [from, to) of src to the monitor rx kring mk, copying
 * or swapping.  Stops at a slot with a bad buffer: the monitored port's
 * own sync deals with it.
 */
static void nm_mon_feed(struct netmap_kring *src, struct netmap_kring *mk,
			uint32_t from, uint32_t to, uint16_t tag, bool zcopy)
{
	struct nm_rxq *q = nm_rxq_of(mk);
	struct netmap_mem_d *dmem = mk->na->nm_mem;
	uint32_t slim = src->nkr_num_slots - 1, mlim = mk->nkr_num_slots - 1;
	uint32_t dbufsize = nm_mem_bufsize(dmem), room, old_ptail, i;
	struct netmap_slot *ss = src->ring->slot, *ds = mk->ring->slot;

	nm_os_spin_lock(&mk->q_lock);
	if (!mk->on) {
		nm_os_spin_unlock(&mk->q_lock);
		return;
	}
	old_ptail = q->ptail;
	room = nm_rxq_room(mk, q);
	for (i = from; i != to; i = nm_next(i, slim)) {
		struct netmap_slot *s = &ss[i], *d;
		uint64_t ptr, off;
		uint32_t idx, w;
		uint16_t len, fl;

		if (!nm_mon_slot(src, s, &idx, &len, &fl, &ptr, &off))
			break;
		if (q->skip) {
			q->skip = fl & NS_MOREFRAG;
			continue;
		}
		if (room == 0) {
			/* the monitor loses the frame, all of it */
			nm_rxq_drop_partial(q);
			room = nm_rxq_room(mk, q);
			q->skip = fl & NS_MOREFRAG;
			nm_atomic64_inc_return(&mk->drops);
			continue;
		}
		w = q->wpos;
		d = &ds[w];
		if (zcopy) {
			nm_store(&d->buf_idx, idx);
			nm_store(&d->ptr, ptr);
			nm_store(&s->buf_idx, q->bufs[w]);
			nm_store(&s->flags, (uint16_t)(fl | NS_BUF_CHANGED));
			q->bufs[w] = idx;
		} else {
			if (len > dbufsize)
				len = (uint16_t)dbufsize;
			memcpy(nm_mem_buf(dmem, q->bufs[w]),
			       (char *)nm_mem_buf(src->na->nm_mem, idx) + off,
			       len);
			nm_store(&d->buf_idx, q->bufs[w]);
			nm_store(&d->ptr, nm_load(&d->ptr) & ~mk->offset_mask);
		}
		nm_store(&d->len, len);
		nm_store(&d->flags, (uint16_t)((fl & (NS_MOREFRAG | NS_TXMON)) |
					       tag));
		q->wpos = w == mlim ? 0 : w + 1;
		room--;
		if (!(fl & NS_MOREFRAG))
			q->ptail = q->wpos;
	}
	old_ptail = old_ptail != q->ptail;
	nm_os_spin_unlock(&mk->q_lock);
	if (old_ptail)
		mk->nm_notify(mk, 0);
}

/* Copy monitors get [cursor, to); cursor is reset if it went stale. */
static void nm_mon_copy(struct netmap_kring *kring, struct nm_mon_kstate *ks,
			uint32_t lo, uint32_t to, uint16_t tag)
{
	uint32_t from = ks->cursor, i;

	if (!nm_mon_in(lo, to, from))
		from = lo;
	if (from != to)
		for (i = 0; i < ks->ncopy; i++)
			nm_mon_feed(kring, ks->copy[i], from, to, tag, false);
	ks->cursor = to;
}

/* The nm_sync of a monitored kring. */
static int nm_mon_sync(struct netmap_kring *kring, int flags)
{
	struct nm_mon_kstate *ks = kring->mon;
	uint32_t old = kring->nr_hwcur;
	int err;

	if (kring->tx == NR_TX) {
		if (ks->ncopy)
			nm_mon_copy(kring, ks, old, kring->rhead, NS_TXMON);
		err = ks->orig_sync(kring, flags);
		if (ks->zmon && kring->nr_hwcur != old)
			nm_mon_feed(kring, ks->zmon, old, kring->nr_hwcur,
				    NS_TXMON, true);
		return err;
	}
	if (ks->zmon && kring->rhead != old)
		nm_mon_feed(kring, ks->zmon, old, kring->rhead, 0, true);
	err = ks->orig_sync(kring, flags);
	if (ks->ncopy)
		nm_mon_copy(kring, ks, kring->nr_hwcur, kring->nr_hwtail, 0);
	return err;
}

/* ------------------------------------------------------------------ */
/* attaching and detaching                                             */
/* ------------------------------------------------------------------ */

static int nm_mon_attach(struct netmap_kring *mk, struct netmap_kring *target,
			 int t, bool zcopy)
{
	struct nm_mon_kstate *ks;
	int err = 0, depth = 0;

	/* a zero-copy monitor goes at the end of the chain */
	while (zcopy && target->mon && target->mon->zmon) {
		target = target->mon->zmon;
		if (++depth == NM_MON_MAX_CHAIN)
			return EBUSY;	/* bounds the recursion of a stop */
	}
	nm_mon_own(target);
	ks = target->mon;
	if (!ks) {
		ks = nm_malloc(sizeof(*ks));
		if (!ks) {
			err = ENOMEM;
			goto out;
		}
		ks->orig_sync = target->nm_sync;
		target->mon = ks;
		target->nm_sync = nm_mon_sync;
	}
	if (zcopy) {
		ks->zmon = mk;
	} else if (ks->ncopy == NM_MON_MAX_COPY) {
		err = EBUSY;
		goto out;
	} else {
		if (ks->ncopy == 0)
			ks->cursor = target->tx == NR_TX ? target->nr_hwcur
							 : target->nr_hwtail;
		ks->copy[ks->ncopy++] = mk;
	}
	to_mring(mk)->src[t] = target;
out:
	if (ks && !ks->ncopy && !ks->zmon) {
		target->nm_sync = ks->orig_sync;
		target->mon = NULL;
		nm_free(ks);
	}
	nm_kr_put(target);
	return err;
}

/* Removes mk from the monitors of kring; kring owned by the caller. */
static void nm_mon_unlink(struct netmap_kring *kring, struct netmap_kring *mk)
{
	struct nm_mon_kstate *ks = kring->mon;
	uint32_t i;

	if (!ks)
		return;
	if (ks->zmon == mk)
		ks->zmon = NULL;
	for (i = 0; i < ks->ncopy; i++) {
		if (ks->copy[i] == mk) {
			ks->copy[i] = ks->copy[--ks->ncopy];
			break;
		}
	}
	if (!ks->ncopy && !ks->zmon) {
		kring->nm_sync = ks->orig_sync;
		kring->mon = NULL;
		nm_free(ks);
	}
}

static void nm_mon_detach_all(struct nm_mon *mon)
{
	struct netmap_adapter *na = &mon->up;
	uint32_t i;
	int t;

	for (i = 0; i < nma_all_rings(na, NR_RX); i++) {
		struct netmap_kring *mk = nma_kring(na, NR_RX, i);
		struct nm_mon_ring *mr = to_mring(mk);

		for_rx_tx(t) {
			struct netmap_kring *src = mr->src[t];

			if (!src)
				continue;
			nm_mon_own(src);
			nm_mon_unlink(src, mk);
			nm_kr_put(src);
			mr->src[t] = NULL;
		}
	}
}

/* The monitored side went away: mk's port is dead until closed. */
static void nm_mon_zombie(struct netmap_kring *mk, struct netmap_kring *src)
{
	struct netmap_adapter *na = mk->na;
	struct nm_mon_ring *mr = to_mring(mk);
	uint32_t i;
	int t;

	for_rx_tx(t)
		if (mr->src[t] == src)
			mr->src[t] = NULL;
	if (na->na_flags & NAF_ZOMBIE)
		return;
	na->na_flags |= NAF_ZOMBIE;
	for (i = 0; i < nma_all_rings(na, NR_RX); i++)
		nm_kr_stop(nma_kring(na, NR_RX, i), NM_KR_LOCKED);
	/* the zero-copy monitors chained after this one die with it */
	netmap_monitor_stop(na);
}

void netmap_monitor_stop(struct netmap_adapter *na)
{
	uint32_t i, j;
	int t;

	if (!na->rings[NR_TX])
		return;
	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);
			struct nm_mon_kstate *ks = kring->mon;

			if (!ks)
				continue;
			nm_mon_own(kring);
			for (j = 0; j < ks->ncopy; j++)
				nm_mon_zombie(ks->copy[j], kring);
			if (ks->zmon)
				nm_mon_zombie(ks->zmon, kring);
			kring->nm_sync = ks->orig_sync;
			kring->mon = NULL;
			nm_free(ks);
			nm_kr_put(kring);
		}
	}
}

/* ------------------------------------------------------------------ */
/* the monitor port                                                    */
/* ------------------------------------------------------------------ */

static int nm_mon_register(struct netmap_adapter *na, int onoff)
{
	struct nm_mon *mon = to_mon(na);
	struct netmap_adapter *pna = mon->parent;
	uint32_t i;
	int t, err;

	if (!onoff) {
		nm_mon_detach_all(mon);
		return 0;
	}
	if (pna->active_fds == 0 || (pna->na_flags & NAF_ZOMBIE))
		return ENXIO;	/* left netmap mode since the lookup */
	for (i = 0; i < nma_all_rings(na, NR_RX); i++) {
		struct netmap_kring *mk = nma_kring(na, NR_RX, i);

		if (!mk->users)
			continue;	/* not bound by this registration */
		for_rx_tx(t) {
			uint64_t want = t == NR_TX ? NR_MONITOR_TX
						   : NR_MONITOR_RX;

			if (!(mon->flags & want) || i >= pna->num_rings[t])
				continue;
			err = nm_mon_attach(mk, nma_kring(pna, t, i), t,
					    mon->zcopy);
			if (err) {
				nm_mon_detach_all(mon);
				return err;
			}
		}
	}
	return 0;
}

static int nm_mon_krings_create(struct netmap_adapter *na)
{
	uint32_t i;
	int err = netmap_krings_create(na);

	if (err)
		return err;
	for (i = 0; i < nma_all_rings(na, NR_RX); i++) {
		struct netmap_kring *mk = nma_kring(na, NR_RX, i);
		struct nm_mon_ring *mr = nm_malloc(sizeof(*mr) +
					sizeof(uint32_t) * mk->nkr_num_slots);

		if (!mr) {
			na->nm_krings_delete(na);
			return ENOMEM;
		}
		mr->q.bufs = (uint32_t *)(mr + 1);
		mk->pdata = mr;
	}
	return 0;
}

static void nm_mon_krings_delete(struct netmap_adapter *na)
{
	uint32_t i;

	if (!na->rings[NR_TX])
		return;
	for (i = 0; i < nma_all_rings(na, NR_RX); i++)
		nm_rxq_free(nma_kring(na, NR_RX, i));
	netmap_krings_delete(na);
}

static void nm_mon_dtor(struct netmap_adapter *na)
{
	struct nm_mon *mon = to_mon(na);

	netmap_adapter_put(mon->parent);
	nm_free(mon);
}

/* A private allocator sized for the monitor's rings. */
static struct netmap_mem_d *nm_mon_mem(struct netmap_adapter *pna,
				       uint32_t nrings, uint32_t slots,
				       uint32_t extra, int *err)
{
	struct nm_mem_params p;

	p.size[NM_POOL_IF] = 1024;
	p.num[NM_POOL_IF] = 4;
	p.size[NM_POOL_RING] = (uint32_t)(sizeof(struct netmap_ring) +
					  sizeof(struct netmap_slot) * slots);
	p.num[NM_POOL_RING] = nrings + 1;
	p.size[NM_POOL_BUF] = nm_mem_bufsize(pna->nm_mem);
	p.num[NM_POOL_BUF] = nrings * slots + NM_MIN(extra, NM_MON_MAX_EXTRA) +
			     4;
	return nm_mem_private_new(&p, err);
}

int netmap_get_monitor_na(const char *name, struct nmreq_register *req,
			  struct netmap_adapter **na)
{
	uint64_t flags = req->nr_flags & (NM_MON_FLAGS | NR_ZCOPY_MON);
	struct netmap_adapter *pna;
	struct nmreq_register preq;
	uint32_t nrings, slots;
	struct nm_mon *mon;
	int err, t;

	*na = NULL;
	if (!(flags & NM_MON_FLAGS))
		return flags ? EINVAL : 0;	/* zero-copy of nothing */
	preq = *req;
	preq.nr_flags &= ~(uint64_t)(NM_MON_FLAGS | NR_ZCOPY_MON);
	err = nm_pipe_lookup(name, &preq, &pna, true);
	if (!err && !pna)
		err = netmap_get_na(name, &preq, &pna);
	if (err)
		return err;
	err = EINVAL;
	if (pna->active_fds == 0 || (pna->na_flags & NAF_ZOMBIE))
		goto put;	/* as in netmap: the port must be in use */
	if ((flags & NR_ZCOPY_MON) && (flags & NR_MONITOR_TX) &&
	    nm_is_pipe(pna)) {
		err = EOPNOTSUPP;
		goto put;
	}
	nrings = NM_MAX(pna->num_rings[NR_TX], pna->num_rings[NR_RX]);
	slots = req->nr_rx_slots ? req->nr_rx_slots
		: NM_MAX(pna->num_slots[NR_TX], pna->num_slots[NR_RX]);
	if (slots < NM_MON_MIN_SLOTS || slots > NM_MON_MAX_SLOTS)
		goto put;
	mon = nm_malloc(sizeof(*mon));
	if (!mon) {
		err = ENOMEM;
		goto put;
	}
	if (flags & NR_ZCOPY_MON) {
		mon->up.nm_mem = pna->nm_mem;
		nm_mem_get(pna->nm_mem);
	} else {
		mon->up.nm_mem = nm_mon_mem(pna, nrings, slots,
					    req->nr_extra_bufs, &err);
		if (!mon->up.nm_mem) {
			nm_free(mon);
			goto put;
		}
	}
	if (req->nr_mem_id && req->nr_mem_id != mon->up.nm_mem->id) {
		nm_mem_put(mon->up.nm_mem);
		nm_free(mon);
		err = EINVAL;
		goto put;
	}
	mon->parent = pna;
	mon->flags = flags;
	mon->zcopy = flags & NR_ZCOPY_MON;
	snprintf(mon->up.name, sizeof(mon->up.name), "%.59s/%s%s%s", pna->name,
		 flags & NR_MONITOR_TX ? "t" : "",
		 flags & NR_MONITOR_RX ? "r" : "", mon->zcopy ? "z" : "");
	mon->up.num_rings[NR_RX] = nrings;
	for_rx_tx(t) {
		mon->up.num_slots[t] = slots;
		nm_os_selinfo_init(&mon->up.si[t]);
	}
	mon->up.nm_rxsync = nm_rxq_rxsync;
	mon->up.nm_notify = netmap_notify;
	mon->up.nm_register = nm_mon_register;
	mon->up.nm_krings_create = nm_mon_krings_create;
	mon->up.nm_krings_delete = nm_mon_krings_delete;
	mon->up.nm_ring_on = nm_rxq_ring_on;
	mon->up.nm_dtor = nm_mon_dtor;
	mon->up.refcount = 1;	/* the registration's; not in the registry */
	*na = &mon->up;
	return 0;
put:
	netmap_adapter_put(pna);
	return err;
}
