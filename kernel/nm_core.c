/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Core objects: counted allocation, the adapter registry, krings and the
 * protocol that keeps a kring's sync routine single-threaded.
 */
#include "nm_kern.h"

nm_mtx_t nm_global_lock;
nm_atomic_t nm_live;

static struct netmap_adapter *nm_registry;

/* ------------------------------------------------------------------ */
/* allocation and logging                                              */
/* ------------------------------------------------------------------ */

void *nm_malloc(size_t size)
{
	void *p;

	if (nm_fi_hit(&nm_fi_mem_alloc))
		return NULL;
	p = nm_os_malloc(size);
	if (p)
		nm_atomic_add_return(&nm_live, 1);
	return p;
}

void nm_free(void *p)
{
	if (!p)
		return;
	nm_atomic_add_return(&nm_live, -1);
	nm_os_free(p);
}

long nm_live_objects(void)
{
	return nm_atomic_read(&nm_live);
}

/* At most 10 messages a second, so a hostile user cannot flood the log. */
bool nm_ratelimit(void)
{
	static nm_atomic64_t window;
	static nm_atomic_t count;
	uint64_t now = nm_os_mono_ns() / 1000000000ULL;

	if (nm_atomic64_read(&window) != now) {
		nm_atomic64_set(&window, now);
		nm_atomic_set(&count, 0);
	}
	return nm_atomic_add_return(&count, 1) <= 10;
}

/* ------------------------------------------------------------------ */
/* adapter registry                                                    */
/* ------------------------------------------------------------------ */

int netmap_attach(struct netmap_adapter *na)
{
	struct netmap_adapter *old;
	int t;

	if (na->name[0] == '\0' || na->name[NM_NAME_LEN - 1] != '\0')
		return EINVAL;
	if (!na->nm_notify)
		na->nm_notify = netmap_notify;
	if (!na->nm_krings_create)
		na->nm_krings_create = netmap_krings_create;
	if (!na->nm_krings_delete)
		na->nm_krings_delete = netmap_krings_delete;
	for_rx_tx(t)
		nm_os_selinfo_init(&na->si[t]);

	NMG_LOCK();
	old = netmap_find_na(na->name);
	if (old) {
		netmap_adapter_put(old);
		NMG_UNLOCK();
		for_rx_tx(t)
			nm_os_selinfo_uninit(&na->si[t]);
		return EEXIST;
	}
	if (!na->nm_mem)
		na->nm_mem = nm_mem_find(0);	/* the global allocator */
	na->refcount = 1;	/* the registry's */
	na->next = nm_registry;
	nm_registry = na;
	NMG_UNLOCK();
	return 0;
}

static void nm_registry_unlink(struct netmap_adapter *na)
{
	struct netmap_adapter **pp;

	for (pp = &nm_registry; *pp; pp = &(*pp)->next) {
		if (*pp == na) {
			*pp = na->next;
			na->next = NULL;
			return;
		}
	}
}

void netmap_detach(struct netmap_adapter *na)
{
	uint32_t i;
	int t;

	NMG_LOCK();
	nm_registry_unlink(na);
	na->na_flags |= NAF_ZOMBIE;
	/* registrations keep the object, but their rings are dead */
	if (na->rings[NR_TX]) {
		for_rx_tx(t)
			for (i = 0; i < nma_all_rings(na, t); i++)
				nm_kr_stop(nma_kring(na, t, i), NM_KR_LOCKED);
	}
	netmap_adapter_put(na);
	NMG_UNLOCK();
}

struct netmap_adapter *netmap_find_na(const char *name)
{
	struct netmap_adapter *na;

	for (na = nm_registry; na; na = na->next) {
		if (!strncmp(na->name, name, NM_NAME_LEN)) {
			na->refcount++;
			return na;
		}
	}
	return NULL;
}

void netmap_adapter_get(struct netmap_adapter *na)
{
	na->refcount++;
}

void netmap_adapter_put(struct netmap_adapter *na)
{
	int t;

	if (--na->refcount > 0)
		return;
	if (na->rings[NR_TX])
		nm_prerr("%s: freed with krings", na->name);
	for_rx_tx(t)
		nm_os_selinfo_uninit(&na->si[t]);
	if (na->nm_mem)
		nm_mem_put(na->nm_mem);
	na->nm_mem = NULL;
	if (na->nm_dtor)
		na->nm_dtor(na);
	else
		nm_free(na);
}

/* ------------------------------------------------------------------ */
/* krings                                                              */
/* ------------------------------------------------------------------ */

static void nm_kring_init(struct netmap_adapter *na, struct netmap_kring *kring,
			  int t, uint32_t i)
{
	kring->na = na;
	kring->tx = (uint16_t)t;
	kring->host = i >= na->num_rings[t];
	kring->ring_id = (uint16_t)i;	/* host rings follow the NIC ones */
	kring->nkr_num_slots = kring->host ? na->num_host_slots[t]
					   : na->num_slots[t];
	if (t == NR_TX)
		kring->nm_sync = kring->host ? na->nm_host_txsync : na->nm_txsync;
	else
		kring->nm_sync = kring->host ? na->nm_host_rxsync : na->nm_rxsync;
	kring->nm_notify = na->nm_notify;
	nm_os_spin_init(&kring->q_lock);
	nm_os_selinfo_init(&kring->si);
	snprintf(kring->name, sizeof(kring->name), "%s:%s%s%u", na->name,
		 kring->host ? "host-" : "", nm_txrx_str(t),
		 kring->host ? i - na->num_rings[t] : i);
}

int netmap_krings_create(struct netmap_adapter *na)
{
	uint32_t ntx = nma_all_rings(na, NR_TX), nrx = nma_all_rings(na, NR_RX);
	uint32_t n = ntx + nrx, i;
	struct netmap_kring **tab, *k;
	int t;

	if (ntx == 0 && nrx == 0)
		return EINVAL;
	/* one block: the pointer tables, then the krings */
	tab = nm_malloc(n * (sizeof(*tab) + sizeof(*k)));
	if (!tab)
		return ENOMEM;
	k = (struct netmap_kring *)(tab + n);
	na->rings[NR_TX] = tab;
	na->rings[NR_RX] = tab + ntx;
	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			na->rings[t][i] = k;
			nm_kring_init(na, k, t, i);
			k++;
		}
	}
	return 0;
}

void netmap_krings_delete(struct netmap_adapter *na)
{
	uint32_t i;
	int t;

	if (!na->rings[NR_TX])
		return;
	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);

			if (kring->ring)
				nm_prerr("%s: deleted with its ring", kring->name);
			nm_os_spin_destroy(&kring->q_lock);
			nm_os_selinfo_uninit(&kring->si);
		}
	}
	nm_free(na->rings[NR_TX]);
	na->rings[NR_TX] = na->rings[NR_RX] = NULL;
}

int netmap_notify(struct netmap_kring *kring, int flags)
{
	(void)flags;
	nm_os_selwakeup(&kring->si);
	nm_os_selwakeup(&kring->na->si[kring->tx]);
	return 0;
}

/*
 * The busy protocol.  A sync (ioctl or poll) owns a kring between a
 * successful nm_kr_tryget() and nm_kr_put().  A second thread syncing the
 * same ring meanwhile skips it, as in netmap.  Control code stops the
 * kring: new syncs fail, and nm_kr_stop() waits for the current one.
 */
bool nm_kr_tryget(struct netmap_kring *kring, int *err)
{
	int stopped;

	*err = 0;
	if (nm_atomic_cmpxchg(&kring->nr_busy, 0, 1) != 0)
		return false;	/* busy: skip without error */
	stopped = nm_atomic_read(&kring->nkr_stopped);
	if (unlikely(stopped)) {
		nm_atomic_set(&kring->nr_busy, 0);
		*err = stopped == NM_KR_LOCKED ? ENXIO : EBUSY;
		return false;
	}
	return true;
}

void nm_kr_put(struct netmap_kring *kring)
{
	nm_atomic_set(&kring->nr_busy, 0);
}

/* Stopping never downgrades: a LOCKED (dead) kring stays locked. */
void nm_kr_stop(struct netmap_kring *kring, int state)
{
	int old = nm_atomic_read(&kring->nkr_stopped);

	if (state > old)
		nm_atomic_set(&kring->nkr_stopped, state);
	nm_smp_mb();
	while (nm_atomic_read(&kring->nr_busy))
		nm_os_relax();
}

void nm_kr_start(struct netmap_kring *kring)
{
	nm_atomic_cmpxchg(&kring->nkr_stopped, NM_KR_STOPPED, NM_KR_RUNNING);
}

/* ------------------------------------------------------------------ */
/* registrations and life cycle                                        */
/* ------------------------------------------------------------------ */

struct netmap_priv_d *netmap_priv_new(void)
{
	return nm_malloc(sizeof(struct netmap_priv_d));
}

void netmap_priv_delete(struct netmap_priv_d *priv)
{
	if (!priv)
		return;
	NMG_LOCK();
	if (priv->np_na)
		netmap_do_unregister(priv);
	NMG_UNLOCK();
	nm_free(priv);
}

int netmap_core_init(void)
{
	int err;

	nm_os_mtx_init(&nm_global_lock);
	err = nm_mem_init();
	if (err)
		return err;
	err = netmap_vale_init();
	if (err)
		nm_mem_fini();
	return err;
}

long netmap_core_fini(void)
{
	struct netmap_adapter *na;

	netmap_vale_fini();	/* persistent ports and switches */
	NMG_LOCK();
	for (na = nm_registry; na; na = na->next)
		nm_prerr("%s still attached at exit", na->name);
	nm_mem_fini();
	NMG_UNLOCK();
	nm_os_mtx_destroy(&nm_global_lock);
	return nm_live_objects();
}
