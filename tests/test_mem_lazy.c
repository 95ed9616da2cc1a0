/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory per port: private allocators populate their clusters on demand,
 * growth shows in mappings made before it, and the global cap
 * (mem_max_mb) turns memory exhaustion into ENOMEM without a leak and
 * without touching other ports.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "t.h"
#include "tutil.h"
#include "nm_kern.h"
#include "nmsim_int.h"

/* 16 MiB of buffers (16 clusters of 512), rings of up to 1024+ slots. */
static const struct nm_mem_params lazy_params = {
	.size = { 1024, 9 * 4096, 2048 },
	.num = { 8, 16, 8192 },
};

static struct netmap_mem_d *lazy_new(void)
{
	struct netmap_mem_d *m;
	int err;

	sim_init();
	NMG_LOCK();
	m = nm_mem_private_new(&lazy_params, &err);
	NMG_UNLOCK();
	return m;
}

static void lazy_put(struct netmap_mem_d *m)
{
	NMG_LOCK();
	nm_mem_put(m);
	NMG_UNLOCK();
}

/* A null port in allocator m with one ring pair of `slots` slots. */
static int null_open(struct tport *p, const char *name,
		     struct netmap_mem_d *m, uint32_t slots, uint32_t extra)
{
	struct nmreq_register req;

	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_NULL;
	req.nr_mem_id = m->id;
	req.nr_tx_rings = req.nr_rx_rings = 1;
	req.nr_tx_slots = req.nr_rx_slots = slots;
	req.nr_extra_bufs = extra;
	return tp_open_req(p, name, &req, NULL);
}

static uint64_t clust(struct netmap_mem_d *m, int pool)
{
	return m->pools[pool].clustsize;
}

TEST(mem_lazy_populates_on_demand)
{
	struct netmap_mem_d *m = lazy_new();
	struct netmap_ring *tx, *rx;
	uint64_t before = (uint64_t)nmsim_mem_populated(0);
	uint32_t per = 0, i;
	struct tport p;

	CHECK(m);
	CHECK_EQ(nmsim_mem_populated(m->id), 0);
	CHECK_EQ(null_open(&p, "np", m, 64, 0), 0);
	/* the user view is the whole layout ... */
	CHECK_EQ(p.reg.nr_memsize, m->memtotal);
	/* ... but only one cluster per pool is behind it */
	CHECK_EQ(nmsim_mem_populated(m->id), clust(m, NM_POOL_IF) +
		 clust(m, NM_POOL_RING) + clust(m, NM_POOL_BUF));
	CHECK(m->memtotal >= 4 * (uint64_t)nmsim_mem_populated(m->id));
	CHECK_EQ((uint64_t)nmsim_mem_populated(0),
		 before + (uint64_t)nmsim_mem_populated(m->id));
	per = m->pools[NM_POOL_BUF].clustentries;
	CHECK_EQ(m->pools[NM_POOL_BUF].objpop, per);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	for (i = 0; i < 64; i++) {
		CHECK(tx->slot[i].buf_idx >= 2 && tx->slot[i].buf_idx < per);
		CHECK(rx->slot[i].buf_idx >= 2 && rx->slot[i].buf_idx < per);
	}
	/* indices past the populated prefix are not buffers (white box) */
	CHECK(nm_mem_buf_valid(m, per - 1));
	CHECK(!nm_mem_buf_valid(m, per));
	CHECK(!nm_mem_buf_valid(m, m->pools[NM_POOL_BUF].objtotal - 1));
	CHECK(nm_mem_ofs_to_kva(m, m->pools[NM_POOL_BUF].memofs) != NULL);
	CHECK(nm_mem_ofs_to_kva(m, m->pools[NM_POOL_BUF].memofs +
				   clust(m, NM_POOL_BUF)) == NULL);
	tp_close(&p);
	/* the last user gives everything back */
	CHECK_EQ(nmsim_mem_populated(m->id), 0);
	CHECK_EQ((uint64_t)nmsim_mem_populated(0), before);
	lazy_put(m);
}

/* The region offset of buffer idx, as the user computes it. */
static uint64_t buf_ofs(struct tport *p, struct netmap_ring *r, uint32_t idx)
{
	return (uint64_t)((char *)NETMAP_BUF(r, idx) - p->mem);
}

TEST(mem_lazy_growth_shows_in_earlier_mappings)
{
	struct netmap_mem_d *m = lazy_new();
	struct netmap_ring *btx;
	struct tport a, b;
	uint64_t pop1;
	uint32_t i, hi = 0;

	CHECK(m);
	CHECK_EQ(null_open(&a, "na", m, 64, 0), 0);
	pop1 = (uint64_t)nmsim_mem_populated(m->id);
	/* 2 x 1024 buffers: the buffer pool grows by at least 4 clusters */
	CHECK_EQ(null_open(&b, "nb", m, 1024, 0), 0);
	CHECK((uint64_t)nmsim_mem_populated(m->id) >=
	      pop1 + 4 * clust(m, NM_POOL_BUF));
	CHECK_EQ(b.reg.nr_memsize, a.reg.nr_memsize);
	btx = tp_tx(&b, 0);
	for (i = 0; i < 1024; i++) {
		uint32_t idx = btx->slot[i].buf_idx;
		uint64_t ofs = buf_ofs(&b, btx, idx);
		uint32_t v = 0xb0000000u | i;

		CHECK(nm_mem_buf_valid(m, idx));
		if (idx > hi)
			hi = idx;
		/* written through b's mapping, read through a's (mapped
		 * before those clusters existed), and back */
		memcpy(b.mem + ofs, &v, sizeof(v));
		CHECK(memcmp(a.mem + ofs, &v, sizeof(v)) == 0);
		v = ~v;
		memcpy(a.mem + ofs, &v, sizeof(v));
		CHECK(memcmp(b.mem + ofs, &v, sizeof(v)) == 0);
	}
	for (i = 0; i < 1024; i++)
		if (tp_rx(&b, 0)->slot[i].buf_idx > hi)
			hi = tp_rx(&b, 0)->slot[i].buf_idx;
	/* 2 + 128 + 2048 buffers in use: five clusters at least */
	CHECK(hi >= 4 * m->pools[NM_POOL_BUF].clustentries);
	/* both ports still sync */
	btx->head = btx->cur = 10;
	CHECK_EQ(tp_txsync(&b), 0);
	CHECK_EQ(tp_txsync(&a), 0);
	tp_close(&b);
	/* nothing shrinks before the last user goes */
	CHECK((uint64_t)nmsim_mem_populated(m->id) > pop1);
	tp_close(&a);
	CHECK_EQ(nmsim_mem_populated(m->id), 0);
	lazy_put(m);
}

TEST(mem_lazy_extra_bufs_grow)
{
	struct netmap_mem_d *m = lazy_new();
	struct netmap_ring *r;
	uint32_t idx, n = 0, per;
	struct tport p;

	CHECK(m);
	per = m->pools[NM_POOL_BUF].clustentries;
	CHECK_EQ(null_open(&p, "np", m, 64, 3 * per), 0);
	CHECK_EQ(p.reg.nr_extra_bufs, 3 * per);
	r = tp_tx(&p, 0);
	for (idx = p.nifp->ni_bufs_head; idx != 0 && n <= 3 * per; n++) {
		CHECK(nm_mem_buf_valid(m, idx));
		idx = *(uint32_t *)NETMAP_BUF(r, idx);
	}
	CHECK_EQ(n, 3 * per);
	CHECK(m->pools[NM_POOL_BUF].clustpop >= 4);
	tp_close(&p);
	lazy_put(m);
}

/* A sim NIC port in the global allocator passes a frame tx -> rx. */
static int nic_still_works(struct tport *a)
{
	if (tr_put(tp_tx(a, 0), "still here", 10, 0) != 0)
		return 0;
	if (tp_txsync(a) || tp_rxsync(a))
		return 0;
	return tr_get(tp_rx(a, 0), NULL, 0, NULL) == 10;
}

TEST(mem_cap_fails_register_cleanly)
{
	struct netmap_mem_d *m = lazy_new(), *m2 = lazy_new();
	struct tport a, c, d;
	long live, mb;
	uint64_t total, popm;

	CHECK(m && m2);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	nmsim_param_set("buf_num", 4096);
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(null_open(&c, "nc", m2, 64, 0), 0);
	live = nmsim_live_objects();
	total = (uint64_t)nmsim_mem_populated(0);
	/* room for about 2 MiB more: a 64-slot port fits, 2 x 1024 not */
	mb = (long)(total >> 20) + 3;
	CHECK_OK(nmsim_param_set("mem_max_mb", mb));
	CHECK_EQ(null_open(&d, "nd", m, 1024, 0), ENOMEM);
	CHECK_EQ(nmsim_live_objects(), live);
	CHECK_EQ((uint64_t)nmsim_mem_populated(0), total);
	CHECK_EQ(nmsim_mem_populated(m->id), 0);
	/* the others are untouched */
	CHECK(nic_still_works(&a));
	CHECK_EQ(tp_txsync(&c), 0);
	/* a small port still fits */
	CHECK_EQ(null_open(&d, "nd", m, 64, 0), 0);
	tp_close(&d);
	/*
	 * Growth of an allocator in use fails the same way.  Clusters it
	 * managed to add stay until the allocator's last user goes.
	 */
	popm = (uint64_t)nmsim_mem_populated(m2->id);
	CHECK_EQ(null_open(&d, "nd", m2, 1024, 0), ENOMEM);
	CHECK((uint64_t)nmsim_mem_populated(0) <= (uint64_t)mb << 20);
	CHECK((uint64_t)nmsim_mem_populated(m2->id) >= popm);
	CHECK_EQ(tp_txsync(&c), 0);
	CHECK_EQ(tp_rx(&c, 0)->num_slots, 64);
	/* and with the cap raised the big one does */
	CHECK_OK(nmsim_param_set("mem_max_mb", 1536));
	CHECK_EQ(null_open(&d, "nd", m, 1024, 0), 0);
	CHECK(nic_still_works(&a));
	tp_close(&d);
	tp_close(&c);
	tp_close(&a);
	CHECK_EQ(nmsim_mem_populated(m->id), 0);
	CHECK_EQ(nmsim_mem_populated(m2->id), 0);
	nmsim_param_set("buf_num", 163840);
	lazy_put(m);
	lazy_put(m2);
}

TEST(mem_cap_fails_global_finalize)
{
	struct tport a;
	long live;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	live = nmsim_live_objects();
	/* the global allocator is populated whole: 320 MiB of buffers */
	CHECK_OK(nmsim_param_set("mem_max_mb", 64));
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ALL_NIC, 0, 0), ENOMEM);
	CHECK_EQ(nmsim_live_objects(), live);
	CHECK_EQ(nmsim_mem_populated(0), 0);
	CHECK_ERRNO(nmsim_param_set("mem_max_mb", -1), ERANGE);
	CHECK_OK(nmsim_param_set("mem_max_mb", 0));	/* no cap */
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK(nic_still_works(&a));
	tp_close(&a);
	nmsim_param_set("mem_max_mb", 1536);
}

/* A cluster allocation failing halfway through growth unwinds too. */
TEST(mem_lazy_growth_fault_unwinds)
{
	struct netmap_mem_d *m = lazy_new();
	struct tport a, b;
	long live;
	int k, ok = 0;

	CHECK(m);
	CHECK_EQ(null_open(&a, "na", m, 64, 0), 0);
	live = nmsim_live_objects();
	for (k = 1; k < 40 && !ok; k++) {
		char spec[16];

		snprintf(spec, sizeof(spec), "nth:%d", k);
		CHECK_OK(nmsim_fi_arm("mem.alloc", spec));
		if (null_open(&b, "nb", m, 1024, 0) == 0) {
			ok = 1;
			tp_close(&b);
		}
		nmsim_fi_disarm_all();
		CHECK_EQ(tp_txsync(&a), 0);
	}
	CHECK(ok);
	CHECK(k > 2);	/* the fault did hit some allocations first */
	tp_close(&a);
	CHECK_EQ(nmsim_mem_populated(m->id), 0);
	CHECK(nmsim_live_objects() <= live);
	lazy_put(m);
}

/*
 * The figure: 254 ports, each in its own allocator laid out like
 * netmap's per-port pools (about 20000 buffers, 40 MiB), with a 1024-slot
 * ring pair each, fit the default cap of 1.5 GiB.  Populated whole they
 * would need over 9 GiB.
 */
TEST(mem_254_private_ports_fit_the_default_cap)
{
	static const struct nm_mem_params vp = {
		.size = { 1024, 9 * 4096, 2048 },
		.num = { 2, 4, 20000 },
	};
	static struct netmap_mem_d *mems[254];
	static struct tport ports[254];
	uint64_t full = 0;
	long cap;
	int i, n, err = 0;

	sim_init();
	CHECK_OK(nmsim_param_get("mem_max_mb", &cap));
	CHECK_EQ(cap, 1536);
	for (n = 0; n < 254 && !err; n++) {
		char name[16];

		NMG_LOCK();
		mems[n] = nm_mem_private_new(&vp, &err);
		NMG_UNLOCK();
		if (!mems[n])
			break;
		full += mems[n]->memtotal;
		snprintf(name, sizeof(name), "p%d", n);
		err = null_open(&ports[n], name, mems[n], 1024, 0);
		if (err) {
			lazy_put(mems[n]);
			break;
		}
	}
	CHECK_EQ(n, 254);
	CHECK_EQ(err, 0);
	CHECK(full > 9ull << 30);
	printf("254 ports: %llu MiB populated of %llu MiB laid out\n",
	       (unsigned long long)nmsim_mem_populated(0) >> 20,
	       (unsigned long long)full >> 20);
	CHECK((uint64_t)nmsim_mem_populated(0) <= 1536ull << 20);
	CHECK_EQ(tp_txsync(&ports[0]), 0);
	for (i = 0; i < n; i++) {
		tp_close(&ports[i]);
		lazy_put(mems[i]);
	}
	CHECK_EQ(nmsim_mem_populated(0), 0);
}
