/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netmap pipes: "X{N" (master) and "X}N" (slave) are the two ends of pipe
 * N of port X.  What one end transmits on tx ring i the other receives on
 * rx ring i, without copies: txsync swaps the buffer of each tx slot with
 * a free buffer of the peer's rx ring.  Both ends live in the allocator of
 * X, so the buffer indices mean the same thing on both sides.
 *
 * Life cycle.  The pair is created by the first lookup of either end and
 * sits on a list under NMG_LOCK; it holds a reference to X and to X's
 * allocator.  Each end is opened at most once (EBUSY).  The pair goes away
 * when neither end is referenced any more.
 *
 * Rings.  A txsync writes into the peer's rx ring whether or not the peer
 * is open, so frames sent before the peer opens wait there for it.  So the
 * rings of BOTH ends exist while EITHER end is registered: the first
 * registration of the pair ("activation") creates the rings the core did
 * not create, and the pair holds one user on every kring of both ends, so
 * the core never deletes a ring the other end still writes into.  The last
 * unregistration ("deactivation") drops those users and deletes the rings
 * nobody binds.  A consequence: the offsets setup (option OFFSETS) of the
 * pair is chosen by the registration that activates it; the other end
 * must ask for the same one or get EBUSY, and NR_EXCLUSIVE on the second
 * end gives EBUSY too (its rings already have a user: the pair).
 *
 * Locking.  A tx kring is synced by its own end's thread (the busy bit).
 * The peer rx kring it writes into is protected by that kring's q_lock,
 * taken by both the producer (this txsync) and the consumer (the peer's
 * rxsync); see nm_pipe.h.  Activation and deactivation run under NMG_LOCK
 * when no sync can touch the rings they create or delete: deactivation
 * happens only when neither end is registered.
 */
#include "nm_kern.h"
#include "nm_pipe.h"

#define NM_PIPE_MAX_ID		4095	/* what nm_parse() accepts */
#define NM_PIPE_MAX_PER_PARENT	1024
#define NM_PIPE_MAX_RINGS	16
#define NM_PIPE_MIN_SLOTS	4
#define NM_PIPE_MAX_SLOTS	32768
#define NM_PIPE_DEF_SLOTS	1024

struct nm_pipe_pair;

struct nm_pipe_end {
	struct netmap_adapter	up;
	struct nm_pipe_pair	*pair;
	int			role;	/* 0 master '{', 1 slave '}' */
	bool			alive;	/* somebody holds a reference */
};

struct nm_pipe_pair {
	struct nm_pipe_end	end[2];
	struct netmap_adapter	*parent;	/* a reference */
	struct netmap_mem_d	*mem;		/* a reference */
	uint32_t		id;
	bool			krings;		/* both ends' krings exist */
	bool			active;		/* both ends' rings exist */
	struct nm_pipe_pair	*next;
};

static struct nm_pipe_pair *nm_pipes;	/* NMG_LOCK */

static void nm_pipe_dtor(struct netmap_adapter *na);
static void nm_pipe_end_get(struct nm_pipe_end *e);

static struct nm_pipe_end *to_end(struct netmap_adapter *na)
{
	return (struct nm_pipe_end *)na;
}

static struct nm_pipe_end *nm_pipe_peer(struct nm_pipe_end *e)
{
	return &e->pair->end[1 - e->role];
}

bool nm_is_pipe(struct netmap_adapter *na)
{
	return na->nm_dtor == nm_pipe_dtor;
}

/* ------------------------------------------------------------------ */
/* rx krings fed by a producer (shared with the monitors)              */
/* ------------------------------------------------------------------ */

int nm_rxq_alloc(struct netmap_kring *kring)
{
	struct nm_rxq *q = nm_malloc(sizeof(*q) + sizeof(uint32_t) *
				     kring->nkr_num_slots);

	if (!q)
		return ENOMEM;
	q->bufs = (uint32_t *)(q + 1);
	kring->pdata = q;
	return 0;
}

void nm_rxq_free(struct netmap_kring *kring)
{
	nm_free(kring->pdata);
	kring->pdata = NULL;
}

void nm_rxq_ring_on(struct netmap_kring *kring)
{
	struct nm_rxq *q = nm_rxq_of(kring);
	uint32_t i;

	if (kring->tx != NR_RX || !q)
		return;
	nm_os_spin_lock(&kring->q_lock);
	for (i = 0; i < kring->nkr_num_slots; i++)
		q->bufs[i] = kring->ring->slot[i].buf_idx;
	q->kcur = q->wpos = q->ptail = kring->nr_hwcur;
	q->skip = false;
	nm_os_spin_unlock(&kring->q_lock);
}

int nm_rxq_rxsync(struct netmap_kring *kring, int flags)
{
	struct nm_rxq *q = nm_rxq_of(kring);
	struct netmap_slot *slot = kring->ring->slot;
	uint32_t *bufs = q->bufs;
	/* locals: the stores to bufs[] could alias all of these */
	uint32_t nbufs = nm_mem_nbufs(kring->na->nm_mem);
	uint32_t lim = kring->nkr_num_slots - 1, head = kring->rhead, i;
	int ret = 0;

	(void)flags;
	nm_os_spin_lock(&kring->q_lock);
	/* released slots go back to the producer, with a buffer it can use */
	for (i = kring->nr_hwcur; i != head; i = i == lim ? 0 : i + 1) {
		uint32_t idx = nm_load(&slot[i].buf_idx);

		if (unlikely(idx - 2 >= nbufs - 2)) {	/* idx < 2 wraps */
			ret = NM_SYNC_REINIT;
			break;
		}
		bufs[i] = idx;
	}
	kring->nr_hwcur = q->kcur = i;
	kring->nr_hwtail = q->ptail;
	nm_os_spin_unlock(&kring->q_lock);
	return ret;
}

/* ------------------------------------------------------------------ */
/* data path                                                           */
/* ------------------------------------------------------------------ */

/* A tx slot the peer may receive: buffer, length and offset in range. */
static inline bool nm_pipe_slot_ok(struct netmap_kring *kring,
				   struct netmap_mem_d *mem, uint32_t idx,
				   uint32_t len, uint64_t ptr, uint32_t bufsize)
{
	uint64_t off;

	if (unlikely(!nm_mem_buf_valid(mem, idx)))
		return false;
	if (likely(!kring->offset_mask))
		return len <= bufsize;
	off = ptr & kring->offset_mask;
	if (off > kring->offset_max || off + len > bufsize)
		return false;
	return kring->buf_align <= 1 || off % kring->buf_align == 0;
}

/*
 * Moves [hwcur, rhead) into the peer's rx ring, swapping buffers, until
 * the peer's ring is full.  Chains are published whole; a chain that
 * cannot fit even in an empty peer ring is dropped (counted in the peer
 * kring's drops), since waiting for it would block the pipe forever.
 */
/*
 * The first 8 bytes of a slot (buf_idx, len, flags) read and written as
 * one word: one access instead of three on the fast path, and a tx slot
 * still read exactly once.  The union keeps the field split independent
 * of the byte order.
 */
typedef uint64_t __attribute__((__may_alias__)) nm_slotw_t;
union nm_slotw {
	uint64_t	w;
	struct {
		uint32_t	buf_idx;
		uint16_t	len;
		uint16_t	flags;
	} f;
};

static inline uint64_t nm_slotw_load(struct netmap_slot *s)
{
	return nm_load((nm_slotw_t *)s);
}

static inline void nm_slotw_store(struct netmap_slot *s, uint64_t w)
{
	nm_store((nm_slotw_t *)s, w);
}

/* Where a txsync stands: kept in locals, the stores may alias anything. */
struct nm_pipe_tx {
	uint32_t	i;		/* next tx slot */
	uint32_t	wpos;		/* next peer rx slot */
	uint32_t	ptail;		/* peer rx published up to */
	bool		skip;		/* dropping the rest of a chain */
};

/*
 * Moves n slots (the caller checked the room).  Specialised on offsets by
 * the compiler: the plain case is the fast path.  Returns false at a
 * malformed slot, with st->i on it.
 */
static inline __attribute__((__always_inline__))
bool nm_pipe_move(struct netmap_kring *txk, struct netmap_slot *tslot,
		  struct netmap_slot *rslot, uint32_t *bufs,
		  struct nm_pipe_tx *st, uint32_t n, uint32_t lim,
		  uint32_t rlim, struct netmap_mem_d *mem, const bool offsets)
{
	uint32_t bufsize = nm_mem_bufsize(mem), nbufs = nm_mem_nbufs(mem);
	uint32_t i = st->i, wpos = st->wpos, ptail = st->ptail;
	bool ok = true;

	/* the caller handles st->skip: here every slot goes to the peer */

	for (; n; n--, i = i == lim ? 0 : i + 1) {
		struct netmap_slot *ts = &tslot[i], *rs = &rslot[wpos];
		union nm_slotw u;
		uint64_t ptr;
		uint32_t idx;
		uint16_t fl;

		u.w = nm_slotw_load(ts);
		ptr = nm_load(&ts->ptr);
		idx = u.f.buf_idx;
		fl = u.f.flags;
		if (unlikely(idx - 2 >= nbufs - 2 ||	/* idx < 2 wraps */
			     (!offsets && u.f.len > bufsize) ||
			     (offsets && !nm_pipe_slot_ok(txk, mem, idx,
							  u.f.len, ptr,
							  bufsize)))) {
			ok = false;
			break;
		}
		/* the receiver gets the buffer, the sender the free one */
		u.f.flags = (uint16_t)((fl & NS_MOREFRAG) | NS_BUF_CHANGED);
		nm_slotw_store(rs, u.w);
		nm_store(&rs->ptr, ptr);
		u.f.buf_idx = bufs[wpos];
		u.f.flags = NS_BUF_CHANGED;
		nm_slotw_store(ts, u.w);
		bufs[wpos] = idx;
		wpos = wpos == rlim ? 0 : wpos + 1;
		if (!(fl & NS_MOREFRAG))
			ptail = wpos;
	}
	st->i = i;
	st->wpos = wpos;
	st->ptail = ptail;
	return ok;
}

static int nm_pipe_txsync(struct netmap_kring *txk, int flags)
{
	struct nm_pipe_end *e = to_end(txk->na);
	struct netmap_kring *rxk = nma_kring(&nm_pipe_peer(e)->up, NR_RX,
					     txk->ring_id);
	struct nm_rxq *q = nm_rxq_of(rxk);
	struct netmap_slot *tslot = txk->ring->slot, *rslot = rxk->ring->slot;
	struct netmap_mem_d *mem = e->pair->mem;
	uint32_t lim = txk->nkr_num_slots - 1, rlim = rxk->nkr_num_slots - 1;
	uint32_t head = txk->rhead, room, old_ptail, n;
	bool offsets = txk->offset_mask != 0, ok = true;
	struct nm_pipe_tx st;

	(void)flags;
	nm_os_spin_lock(&rxk->q_lock);
	st.i = txk->nr_hwcur;
	st.wpos = q->wpos;
	old_ptail = st.ptail = q->ptail;
	st.skip = q->skip;
	room = nm_rxq_room(rxk, q);
	for (;;) {
		/* the rest of a dropped chain goes nowhere */
		while (unlikely(st.skip) && st.i != head) {
			struct netmap_slot *ts = &tslot[st.i];
			uint16_t fl = nm_load(&ts->flags);

			if (!nm_pipe_slot_ok(txk, mem, nm_load(&ts->buf_idx),
					     nm_load(&ts->len),
					     nm_load(&ts->ptr),
					     nm_mem_bufsize(mem))) {
				ok = false;
				break;
			}
			st.skip = fl & NS_MOREFRAG;
			st.i = st.i == lim ? 0 : st.i + 1;
		}
		if (!ok)
			break;
		n = NM_MIN(nm_ring_dist(st.i, head, lim + 1), room);
		room -= n;
		ok = offsets ? nm_pipe_move(txk, tslot, rslot, q->bufs, &st, n,
					    lim, rlim, mem, true)
			     : nm_pipe_move(txk, tslot, rslot, q->bufs, &st, n,
					    lim, rlim, mem, false);
		if (!ok || st.i == head)
			break;
		/* the peer's ring is full: if the user holds frames, wait */
		if (st.ptail != q->kcur || st.wpos == st.ptail)
			break;
		/* the whole ring is one unfinished chain: drop it */
		st.wpos = st.ptail;
		st.skip = true;
		nm_atomic64_inc_return(&rxk->drops);
		room = nm_ring_dist(st.wpos, nm_prev(q->kcur, rlim), rlim + 1);
	}
	q->wpos = st.wpos;
	q->ptail = st.ptail;
	q->skip = st.skip;
	txk->nr_hwcur = st.i;
	txk->nr_hwtail = nm_prev(st.i, lim);	/* sent slots are free at once */
	nm_os_spin_unlock(&rxk->q_lock);
	if (st.ptail != old_ptail)
		rxk->nm_notify(rxk, 0);
	return ok ? 0 : NM_SYNC_REINIT;
}

/* The user gave slots back: the peer may have frames waiting for room. */
static int nm_pipe_rxsync(struct netmap_kring *rxk, int flags)
{
	struct nm_pipe_end *e = to_end(rxk->na);
	uint32_t old = rxk->nr_hwcur;
	int ret = nm_rxq_rxsync(rxk, flags);

	if (rxk->nr_hwcur != old) {
		struct netmap_kring *txk = nma_kring(&nm_pipe_peer(e)->up,
						     NR_TX, rxk->ring_id);

		txk->nm_notify(txk, 0);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* krings and rings                                                    */
/* ------------------------------------------------------------------ */

#define for_each_pipe_kring(pair, r, t, i, k)				\
	for ((r) = 0; (r) < 2; (r)++)					\
		for_rx_tx(t)						\
			for ((i) = 0; (i) < nma_all_rings(&(pair)->end[r].up, t) && \
			     ((k) = nma_kring(&(pair)->end[r].up, t, i)); (i)++)

static void nm_pipe_krings_free(struct nm_pipe_pair *pair)
{
	uint32_t i;
	int r;

	for (r = 0; r < 2; r++) {
		struct netmap_adapter *na = &pair->end[r].up;

		if (!na->rings[NR_TX])
			continue;
		for (i = 0; i < nma_all_rings(na, NR_RX); i++)
			nm_rxq_free(nma_kring(na, NR_RX, i));
		netmap_krings_delete(na);
	}
	pair->krings = false;
}

/* Both ends' krings, at the first registration of either. */
static int nm_pipe_krings_create(struct netmap_adapter *na)
{
	struct nm_pipe_pair *pair = to_end(na)->pair;
	uint32_t i;
	int r, err;

	if (pair->krings)
		return 0;
	for (r = 0; r < 2; r++) {
		struct netmap_adapter *ena = &pair->end[r].up;

		err = netmap_krings_create(ena);
		if (err)
			goto fail;
		for (i = 0; i < nma_all_rings(ena, NR_RX); i++) {
			err = nm_rxq_alloc(nma_kring(ena, NR_RX, i));
			if (err)
				goto fail;
		}
	}
	pair->krings = true;
	/* the krings keep both ends: see nm_pipe_krings_delete() */
	nm_pipe_end_get(&pair->end[0]);
	nm_pipe_end_get(&pair->end[1]);
	return 0;
fail:
	nm_pipe_krings_free(pair);
	return err;
}

static void nm_pipe_krings_delete(struct netmap_adapter *na)
{
	struct nm_pipe_end *e = to_end(na);
	struct nm_pipe_pair *pair = e->pair;

	/* the other end still runs on them */
	if (pair->active || nm_pipe_peer(e)->up.active_fds > 0)
		return;
	nm_pipe_krings_free(pair);
	/*
	 * An end must not die while its krings exist (the other end still
	 * writes into them), so they held a reference on each end.  The
	 * caller holds its own on na: the pair survives these two.
	 */
	netmap_adapter_put(&pair->end[0].up);
	netmap_adapter_put(&pair->end[1].up);
}

/* A ring the pipe creates itself, set up like the template's rings. */
static void nm_pipe_ring_init(struct netmap_kring *kring,
			      struct netmap_ring *ring,
			      const struct netmap_kring *tpl)
{
	uint32_t n = kring->nkr_num_slots, i;
	uint64_t initial = 0;

	kring->offset_mask = tpl->offset_mask;
	kring->offset_max = tpl->offset_max;
	kring->offset_gap = tpl->offset_gap;
	kring->buf_align = tpl->buf_align;
	ring->ringid = kring->ring_id;
	ring->dir = kring->tx;
	ring->offset_mask = kring->offset_mask;
	ring->buf_align = kring->buf_align;
	/* the template ring is fresh: its slots hold the initial offset */
	if (kring->offset_mask) {
		initial = tpl->ring->slot[0].ptr & tpl->offset_mask;
		for (i = 0; i < n; i++)
			ring->slot[i].ptr = initial;
	}
	kring->nr_hwcur = kring->rhead = kring->rcur = 0;
	kring->nr_hwtail = kring->rtail = kring->tx == NR_TX ? n - 1 : 0;
	kring->nkr_hwofs = 0;
	ring->head = ring->cur = 0;
	ring->tail = kring->rtail;
}

static void nm_pipe_ring_free(struct nm_pipe_pair *pair,
			      struct netmap_kring *kring)
{
	nm_kr_stop(kring, NM_KR_STOPPED);
	nm_os_spin_lock(&kring->q_lock);
	kring->on = false;
	nm_os_spin_unlock(&kring->q_lock);
	nm_mem_ring_delete(pair->mem, kring->ring, kring->nkr_num_slots);
	kring->ring = NULL;
	kring->offset_mask = kring->offset_max = kring->offset_gap = 0;
	kring->buf_align = 0;
	nm_kr_start(kring);
}

/* Drops the pair's users; deletes the rings nobody binds any more. */
static void nm_pipe_deactivate(struct nm_pipe_pair *pair)
{
	struct netmap_kring *k;
	uint32_t i;
	int r, t;

	for_each_pipe_kring(pair, r, t, i, k)
		k->users--;
	for_each_pipe_kring(pair, r, t, i, k)
		if (!k->users && k->ring)
			nm_pipe_ring_free(pair, k);
	pair->active = false;
}

/* First registration of the pair: every ring of both ends comes to be. */
static int nm_pipe_activate(struct nm_pipe_pair *pair, struct nm_pipe_end *e)
{
	struct netmap_kring *k, *tpl = NULL;
	uint32_t i;
	int r, t, err;

	for_rx_tx(t)
		for (i = 0; !tpl && i < nma_all_rings(&e->up, t); i++)
			if (nma_kring(&e->up, t, i)->ring)
				tpl = nma_kring(&e->up, t, i);
	if (!tpl)
		return EINVAL;	/* cannot happen: a registration binds a ring */
	for_each_pipe_kring(pair, r, t, i, k)
		k->users++;
	pair->active = true;
	for_each_pipe_kring(pair, r, t, i, k) {
		struct netmap_ring *ring;

		if (k->ring)
			continue;
		ring = nm_mem_ring_new(pair->mem, k->nkr_num_slots, &err);
		if (!ring) {
			nm_pipe_deactivate(pair);
			return err;
		}
		nm_pipe_ring_init(k, ring, tpl);
		k->ring = ring;
		nm_rxq_ring_on(k);
		nm_os_spin_lock(&k->q_lock);
		k->on = true;
		nm_os_spin_unlock(&k->q_lock);
	}
	return 0;
}

static int nm_pipe_register(struct netmap_adapter *na, int onoff)
{
	struct nm_pipe_end *e = to_end(na);
	struct nm_pipe_pair *pair = e->pair;

	if (onoff)
		return pair->active ? 0 : nm_pipe_activate(pair, e);
	/* this end's active_fds is already 0 here */
	if (pair->active && nm_pipe_peer(e)->up.active_fds == 0)
		nm_pipe_deactivate(pair);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the pair                                                            */
/* ------------------------------------------------------------------ */

static void nm_pipe_pair_free(struct nm_pipe_pair *pair)
{
	struct nm_pipe_pair **pp;
	int r, t;

	for (pp = &nm_pipes; *pp; pp = &(*pp)->next) {
		if (*pp == pair) {
			*pp = pair->next;
			break;
		}
	}
	if (pair->krings)	/* cannot happen: the last close deletes them */
		nm_pipe_krings_free(pair);
	for (r = 0; r < 2; r++)
		for_rx_tx(t)
			nm_os_selinfo_uninit(&pair->end[r].up.si[t]);
	nm_mem_put(pair->mem);
	netmap_adapter_put(pair->parent);
	nm_free(pair);
}

/*
 * The core calls this when an end's last reference goes (it has already
 * released the end's allocator reference and wait channels).  The wait
 * channels are set up again at once: the other end's syncs may still wake
 * them until the pair goes.
 */
static void nm_pipe_dtor(struct netmap_adapter *na)
{
	struct nm_pipe_end *e = to_end(na);
	int t;

	for_rx_tx(t)
		nm_os_selinfo_init(&na->si[t]);
	e->alive = false;
	if (!nm_pipe_peer(e)->alive)
		nm_pipe_pair_free(e->pair);
}

/* An end comes to life: the reference the lookup returns. */
static void nm_pipe_end_get(struct nm_pipe_end *e)
{
	if (e->alive) {
		netmap_adapter_get(&e->up);
		return;
	}
	e->up.refcount = 1;
	nm_mem_get(e->pair->mem);
	e->up.nm_mem = e->pair->mem;
	e->alive = true;
}

static uint32_t nm_pipe_count(struct netmap_adapter *parent)
{
	struct nm_pipe_pair *p;
	uint32_t n = 0;

	for (p = nm_pipes; p; p = p->next)
		n += p->parent == parent;
	return n;
}

static int nm_pipe_dim(uint32_t want, uint32_t dflt, uint32_t min,
		       uint32_t max, uint32_t *out)
{
	*out = want ? want : dflt;
	return *out < min || *out > max ? EINVAL : 0;
}

/*
 * A new pair for end `role` opened with req: its rings and slots are the
 * opener's tx and rx; the peer gets them crossed.
 */
static struct nm_pipe_pair *nm_pipe_pair_new(struct netmap_adapter *parent,
					     const char *pname, uint32_t id,
					     int role,
					     const struct nmreq_register *req,
					     int *err)
{
	uint32_t rings[NR_TXRX], slots[NR_TXRX];
	struct nm_pipe_pair *pair;
	int r, t;

	if (nm_pipe_count(parent) >= NM_PIPE_MAX_PER_PARENT) {
		*err = ENOMEM;
		return NULL;
	}
	*err = nm_pipe_dim(req->nr_tx_rings, 1, 1, NM_PIPE_MAX_RINGS,
			   &rings[NR_TX]);
	*err = *err ?: nm_pipe_dim(req->nr_rx_rings, 1, 1, NM_PIPE_MAX_RINGS,
				   &rings[NR_RX]);
	for_rx_tx(t) {
		uint32_t dflt = parent->num_slots[t] ?: NM_PIPE_DEF_SLOTS;
		uint32_t want = t == NR_TX ? req->nr_tx_slots : req->nr_rx_slots;

		*err = *err ?: nm_pipe_dim(want, dflt, NM_PIPE_MIN_SLOTS,
					   NM_PIPE_MAX_SLOTS, &slots[t]);
	}
	if (*err)
		return NULL;
	pair = nm_malloc(sizeof(*pair));
	if (!pair) {
		*err = ENOMEM;
		return NULL;
	}
	pair->parent = parent;
	pair->mem = parent->nm_mem;
	nm_mem_get(pair->mem);
	pair->id = id;
	for (r = 0; r < 2; r++) {
		struct nm_pipe_end *e = &pair->end[r];
		struct netmap_adapter *na = &e->up;
		int mine = r == role;

		e->pair = pair;
		e->role = r;
		/* fits: never longer than the name that was looked up */
		if (snprintf(na->name, sizeof(na->name), "%s%c%u", pname,
			     r == 0 ? '{' : '}', id) >= (int)sizeof(na->name))
			na->name[0] = '\0';
		for_rx_tx(t) {
			na->num_rings[t] = rings[mine ? t : 1 - t];
			na->num_slots[t] = slots[mine ? t : 1 - t];
			nm_os_selinfo_init(&na->si[t]);
		}
		na->nm_txsync = nm_pipe_txsync;
		na->nm_rxsync = nm_pipe_rxsync;
		na->nm_notify = netmap_notify;
		na->nm_register = nm_pipe_register;
		na->nm_krings_create = nm_pipe_krings_create;
		na->nm_krings_delete = nm_pipe_krings_delete;
		na->nm_ring_on = nm_rxq_ring_on;
		na->nm_dtor = nm_pipe_dtor;
	}
	pair->next = nm_pipes;
	nm_pipes = pair;
	return pair;
}

/*
 * "X{N" / "X}N": 1 if name is not a pipe name, 0 with the parts, or
 * EINVAL.  The first brace splits the name, so X never holds one and
 * pipes of pipes cannot be named.
 */
static int nm_pipe_parse(const char *name, char *pname, int *role,
			 uint32_t *id)
{
	size_t len = strnlen(name, NM_NAME_LEN), b;
	uint32_t v = 0;
	size_t i;

	for (b = 0; b < len && name[b] != '{' && name[b] != '}'; b++)
		;
	if (b == len)
		return 1;
	if (b == 0 || b + 1 == len || len >= NM_NAME_LEN)
		return EINVAL;
	for (i = b + 1; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return EINVAL;
		v = v * 10 + (uint32_t)(name[i] - '0');
		if (v > NM_PIPE_MAX_ID)
			return EINVAL;
	}
	memcpy(pname, name, b);
	pname[b] = '\0';
	*role = name[b] == '}';
	*id = v;
	return 0;
}

static struct nm_pipe_pair *nm_pipe_find(struct netmap_adapter *parent,
					 uint32_t id)
{
	struct nm_pipe_pair *p;

	for (p = nm_pipes; p; p = p->next)
		if (p->parent == parent && p->id == id)
			return p;
	return NULL;
}

int nm_pipe_lookup(const char *name, struct nmreq_register *req,
		   struct netmap_adapter **na, bool for_monitor)
{
	char pname[NM_NAME_LEN];
	struct nmreq_register preq;
	struct netmap_adapter *parent;
	struct nm_pipe_pair *pair;
	struct nm_pipe_end *e;
	uint32_t id;
	int role, err;

	*na = NULL;
	err = nm_pipe_parse(name, pname, &role, &id);
	if (err)
		return err == 1 ? 0 : err;
	/* the parent is a plain port: no monitor flags, default geometry */
	memset(&preq, 0, sizeof(preq));
	preq.nr_mode = NR_REG_ALL_NIC;
	err = netmap_get_na(pname, &preq, &parent);
	if (err)
		return err;
	pair = nm_pipe_find(parent, id);
	if (pair) {
		netmap_adapter_put(parent);	/* the pair has its own */
	} else if (for_monitor) {
		netmap_adapter_put(parent);
		return ENXIO;
	} else {
		pair = nm_pipe_pair_new(parent, pname, id, role, req, &err);
		if (!pair) {
			netmap_adapter_put(parent);
			return err;
		}
	}
	e = &pair->end[role];
	if (!for_monitor) {
		if (e->up.active_fds > 0)
			err = EBUSY;	/* an end is opened once */
		else if (req->nr_mem_id && req->nr_mem_id != pair->mem->id)
			err = EINVAL;	/* the pair lives in its parent's */
	} else if (!e->alive) {
		err = ENXIO;
	}
	if (err) {
		if (!pair->end[0].alive && !pair->end[1].alive)
			nm_pipe_pair_free(pair);
		return err;
	}
	nm_pipe_end_get(e);
	*na = &e->up;
	return 0;
}

int netmap_get_pipe_na(const char *name, struct nmreq_register *req,
		       struct netmap_adapter **na)
{
	return nm_pipe_lookup(name, req, na, false);
}
