/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The allocator: pool geometry, the region layout users see, reuse,
 * exhaustion, parameters that apply only when the allocator is idle,
 * private allocators and the user's view of the memory.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "t.h"
#include "tutil.h"
#include "nm_kern.h"
#include "nmsim_int.h"

static int pools_info(uint16_t mem_id, const char *name,
		      struct nmreq_pools_info *pi)
{
	int fd = nmsim_open(), err;

	memset(pi, 0, sizeof(*pi));
	pi->nr_mem_id = mem_id;
	err = t_ctrl(fd, name, NETMAP_REQ_POOLS_INFO_GET, pi, NULL);
	nmsim_close(fd);
	return err;
}

TEST(mem_global_layout)
{
	struct nmreq_pools_info pi;

	CHECK_EQ(pools_info(0, "", &pi), 0);
	CHECK_EQ(pi.nr_mem_id, 1);
	/* the netmap defaults, each count rounded up to whole clusters */
	CHECK_EQ(pi.nr_if_pool_objsize, 1024);
	CHECK(pi.nr_if_pool_objtotal >= 100);
	CHECK_EQ(pi.nr_ring_pool_objsize, 9 * 4096);
	CHECK(pi.nr_ring_pool_objtotal >= 200);
	CHECK_EQ(pi.nr_buf_pool_objsize, 2048);
	CHECK(pi.nr_buf_pool_objtotal >= 163840);
	/* if pool, ring pool, buffer pool, back to back */
	CHECK_EQ(pi.nr_if_pool_offset, 0);
	CHECK_EQ(pi.nr_ring_pool_offset % 4096, 0);
	CHECK(pi.nr_ring_pool_offset >=
	      (uint64_t)pi.nr_if_pool_objtotal * pi.nr_if_pool_objsize);
	CHECK(pi.nr_buf_pool_offset >= pi.nr_ring_pool_offset +
	      (uint64_t)pi.nr_ring_pool_objtotal * pi.nr_ring_pool_objsize);
	CHECK_EQ(pi.nr_memsize, pi.nr_buf_pool_offset +
		 (uint64_t)pi.nr_buf_pool_objtotal * pi.nr_buf_pool_objsize);
	CHECK_EQ(pi.nr_memsize % 4096, 0);
}

/* Cluster geometry for awkward sizes (white box). */
TEST(mem_cluster_geometry)
{
	static const uint32_t sizes[] = { 64, 100, 1000, 1600, 2048, 3000,
					  4096, 9000, 36864, 65536 };
	static const uint32_t nums[] = { 3, 10, 1000, 163840 };
	unsigned int i, j;
	int err;

	sim_init();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(nums) / sizeof(nums[0]); j++) {
			struct nm_mem_params pp;
			struct netmap_mem_d *m;
			struct nm_pool *b;

			pp.size[NM_POOL_IF] = 1024;
			pp.num[NM_POOL_IF] = 2;
			pp.size[NM_POOL_RING] = 4096;
			pp.num[NM_POOL_RING] = 2;
			pp.size[NM_POOL_BUF] = sizes[i];
			pp.num[NM_POOL_BUF] = nums[j];
			NMG_LOCK();
			m = nm_mem_private_new(&pp, &err);
			NMG_UNLOCK();
			CHECK(m != NULL);
			b = &m->pools[NM_POOL_BUF];
			CHECK_EQ(b->objsize % 64, 0);
			CHECK(b->objsize >= sizes[i]);
			CHECK(b->objtotal >= nums[j]);
			CHECK_EQ(b->clustsize % 4096, 0);
			CHECK_EQ((uint64_t)b->clustentries * b->objsize,
				 b->clustsize);
			CHECK_EQ((uint64_t)b->numclusters * b->clustentries,
				 b->objtotal);
			/* small pools are not rounded up to huge clusters */
			CHECK(b->memsize <= (uint64_t)nums[j] * b->objsize +
			      b->clustsize);
			CHECK(b->clustsize <= (4u << 20));
			NMG_LOCK();
			nm_mem_put(m);
			NMG_UNLOCK();
		}
	}
}

TEST(mem_buffers_in_the_user_view)
{
	struct netmap_ring *tx, *rx;
	struct tport p;
	uint32_t i, n;
	char *lo, *hi;
	uint8_t *seen;

	nmsim_param_set("buf_num", 4096);
	nmsim_param_set("buf_size", 1600);	/* not a power of two */
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	CHECK_EQ(tx->nr_buf_size, 1600);
	n = 4096 + 64;
	seen = calloc(n, 1);
	CHECK(seen);
	lo = p.mem;
	hi = p.mem + p.reg.nr_memsize;
	for (i = 0; i < 256; i++) {
		uint32_t a = tx->slot[i].buf_idx, b = rx->slot[i].buf_idx;

		CHECK(a >= 2 && a < n && b >= 2 && b < n);
		CHECK(!seen[a] && !seen[b]);
		seen[a] = seen[b] = 1;
		/* whole buffers inside the mapping, writable */
		CHECK(NETMAP_BUF(tx, a) >= lo && NETMAP_BUF(tx, a) + 1600 <= hi);
		CHECK(NETMAP_BUF(rx, b) >= lo && NETMAP_BUF(rx, b) + 1600 <= hi);
		memset(NETMAP_BUF(tx, a), 0xa5, 1600);
	}
	free(seen);
	/* the ring and the netmap_if are inside it too */
	CHECK((char *)tx >= lo && (char *)(tx->slot + 256) <= hi);
	CHECK((char *)p.nifp >= lo && (char *)p.nifp < hi);
	tp_close(&p);
	nmsim_param_set("buf_size", 2048);
	nmsim_param_set("buf_num", 163840);
}

/*
 * The user's mapping is another view of the kernel's pages, at another
 * address: what one writes, the other reads (white box).
 */
TEST(mem_user_view_aliases_kernel_pages)
{
	struct netmap_mem_d *mem;
	struct netmap_ring *tx;
	struct tport p;
	char *kbuf, *ubuf;
	uint32_t idx;

	nmsim_param_set("buf_num", 4096);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	idx = tx->slot[5].buf_idx;
	ubuf = NETMAP_BUF(tx, idx);
	NMG_LOCK();
	mem = nm_mem_find(1);
	kbuf = nm_mem_buf(mem, idx);
	nm_mem_put(mem);
	NMG_UNLOCK();
	CHECK(kbuf != ubuf);
	strcpy(ubuf, "written by the user");
	CHECK(!strcmp(kbuf, "written by the user"));
	strcpy(kbuf, "written by the kernel");
	CHECK(!strcmp(ubuf, "written by the kernel"));
	tp_close(&p);
	nmsim_param_set("buf_num", 163840);
}

TEST(mem_reuse_after_close)
{
	long base_free = -1, f;
	int round;

	nmsim_param_set("buf_num", 2048);
	CHECK_OK(nmsim_nic_create("sim0", 2, 128));
	CHECK_OK(nmsim_nic_create("hold", 1, 64));
	for (round = 0; round < 50; round++) {
		struct tport hold, p;

		/* hold keeps the allocator alive: counts stay comparable */
		CHECK_EQ(tp_open(&hold, "hold", NR_REG_ALL_NIC, 0, 0), 0);
		f = nmsim_mem_free_objects(1, 2);
		if (base_free < 0)
			base_free = f;
		CHECK_EQ(f, base_free);
		CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
		CHECK_EQ(nmsim_mem_free_objects(1, 2), base_free - 6 * 128);
		tp_close(&p);
		CHECK_EQ(nmsim_mem_free_objects(1, 2), base_free);
		tp_close(&hold);
		/* idle: the memory is gone */
		CHECK_EQ(nmsim_mem_free_objects(1, 2), 0);
	}
	nmsim_param_set("buf_num", 163840);
}

TEST(mem_exhaustion_fails_cleanly)
{
	struct nmreq_register req;
	struct tport a, b;
	long live;

	/* 2 rings x 64 slots each way, plus host rings: 384 buffers */
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_create("sim1", 1, 64));
	nmsim_param_set("buf_num", 300);
	live = nmsim_live_objects();
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_NIC_SW, 0, 0), ENOMEM);
	CHECK_EQ(nmsim_live_objects(), live);
	/* ALL_NIC needs 256: fits */
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	/* sim1 needs 128 more: only 42 left */
	CHECK_EQ(tp_open(&b, "sim1", NR_REG_ALL_NIC, 0, 0), ENOMEM);
	/* a still works */
	CHECK_EQ(tr_put(tp_tx(&a, 1), "still here", 10, 0), 0);
	CHECK_EQ(tp_txsync(&a), 0);
	CHECK_EQ(tp_rxsync(&a), 0);
	CHECK_EQ(tr_get(tp_rx(&a, 1), NULL, 0, NULL), 10);
	tp_close(&a);

	/* out of rings: ring_num 2 cannot hold 4 rings */
	nmsim_param_set("buf_num", 4096);
	nmsim_param_set("ring_num", 2);
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ALL_NIC, 0, 0), ENOMEM);
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ONE_NIC, 0, 0), 0);
	tp_close(&a);
	/* out of netmap_if objects: if_num 1 (rounded up to a cluster) */
	nmsim_param_set("ring_num", 200);
	nmsim_param_set("if_num", 1);
	{
		struct nmreq_pools_info pi;
		struct tport ports[16];
		unsigned int k, nif;

		CHECK_EQ(pools_info(0, "", &pi), 0);
		nif = pi.nr_if_pool_objtotal;
		CHECK(nif >= 1 && nif < 16);
		memset(&req, 0, sizeof(req));
		req.nr_mode = NR_REG_ONE_NIC;
		req.nr_flags = NR_TX_RINGS_ONLY;
		for (k = 0; k < nif; k++)
			CHECK_EQ(tp_open_req(&ports[k], "sim0", &req, NULL), 0);
		CHECK_EQ(tp_open_req(&b, "sim0", &req, NULL), ENOMEM);
		for (k = 0; k < nif; k++)
			tp_close(&ports[k]);
	}
	nmsim_param_set("if_num", 100);
	nmsim_param_set("buf_num", 163840);
	CHECK_EQ(nmsim_live_objects(), live);
}

TEST(mem_params_apply_only_when_idle)
{
	struct nmreq_pools_info pi;
	struct tport a, b;
	uint32_t before;

	nmsim_param_set("buf_num", 4096);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ONE_NIC, 0, NR_TX_RINGS_ONLY), 0);
	CHECK_EQ(pools_info(0, "", &pi), 0);
	before = pi.nr_buf_pool_objtotal;
	CHECK_OK(nmsim_param_set("buf_num", 8192));
	/* in use: nothing changes, a new user shares the old layout */
	CHECK_EQ(pools_info(0, "sim0", &pi), 0);
	CHECK_EQ(pi.nr_buf_pool_objtotal, before);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ONE_NIC, 0, NR_RX_RINGS_ONLY), 0);
	CHECK_EQ(b.reg.nr_memsize, a.reg.nr_memsize);
	tp_close(&a);
	CHECK_EQ(pools_info(0, "", &pi), 0);
	CHECK_EQ(pi.nr_buf_pool_objtotal, before);
	tp_close(&b);
	/* idle: the new value shows, and the next user gets it */
	CHECK_EQ(pools_info(0, "", &pi), 0);
	CHECK(pi.nr_buf_pool_objtotal >= 8192);
	CHECK(pi.nr_buf_pool_objtotal < before * 2 + 1024);
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(a.reg.nr_memsize, pi.nr_memsize);
	tp_close(&a);
	nmsim_param_set("buf_num", 163840);
}

TEST(mem_param_bounds)
{
	long v;

	CHECK_ERRNO(nmsim_param_set("buf_size", 32), ERANGE);
	CHECK_ERRNO(nmsim_param_set("buf_size", 65537), ERANGE);
	CHECK_ERRNO(nmsim_param_set("buf_num", 0), ERANGE);
	CHECK_ERRNO(nmsim_param_set("if_num", -1), ERANGE);
	CHECK_ERRNO(nmsim_param_set("no_such_param", 1), ENOENT);
	CHECK_ERRNO(nmsim_param_get("no_such_param", &v), ENOENT);
	CHECK_OK(nmsim_param_get("buf_size", &v));
	CHECK_EQ(v, 2048);
}

TEST(mem_mapping_rules)
{
	struct tport p;
	char *m;
	int fd;

	nmsim_param_set("buf_num", 4096);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	/* nothing to map before REGISTER */
	CHECK(nmsim_mmap(fd, 4096) == MAP_FAILED && errno == EINVAL);
	CHECK(nmsim_mmap(fd + 1000, 4096) == MAP_FAILED && errno == EBADF);
	nmsim_close(fd);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK(nmsim_mmap(p.fd, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(nmsim_mmap(p.fd, p.reg.nr_memsize + 4096) == MAP_FAILED &&
	      errno == EINVAL);
	/* a partial mapping is fine */
	m = nmsim_mmap(p.fd, 8192);
	CHECK(m != MAP_FAILED);
	CHECK_OK(nmsim_munmap(m, 8192));
	CHECK_ERRNO(nmsim_munmap(m, 8192), EINVAL);
	CHECK_ERRNO(nmsim_munmap((char *)p.mem + 4096, 4096), EINVAL);
	/* the mapping outlives the descriptor, as with the real device */
	strcpy(NETMAP_BUF(tp_tx(&p, 0), tp_tx(&p, 0)->slot[0].buf_idx),
	       "still mapped");
	nmsim_close(p.fd);
	p.fd = -1;
	CHECK(!strcmp(NETMAP_BUF(tp_tx(&p, 0), tp_tx(&p, 0)->slot[0].buf_idx),
		      "still mapped"));
	/* and keeps the allocator's memory: it is still in use */
	CHECK(nmsim_mem_free_objects(1, 2) > 0);
	tp_close(&p);
	CHECK_EQ(nmsim_mem_free_objects(1, 2), 0);
	nmsim_param_set("buf_num", 163840);
}

/* Every buffer but 0 and 1 can be handed out, each exactly once. */
TEST(mem_all_buffers_once_never_0_or_1)
{
	struct nmreq_register req;
	struct netmap_ring *r;
	struct tport p;
	uint8_t *seen;
	uint32_t idx, n = 0, total;
	unsigned int i;

	nmsim_param_set("buf_num", 3000);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_extra_bufs = 100000;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	r = tp_tx(&p, 0);
	total = p.reg.nr_extra_bufs + 2 * 64 + 2;
	seen = calloc(total, 1);
	CHECK(seen);
	for (i = 0; i < 64; i++) {
		seen[tp_tx(&p, 0)->slot[i].buf_idx]++;
		seen[tp_rx(&p, 0)->slot[i].buf_idx]++;
	}
	for (idx = p.nifp->ni_bufs_head; idx; n++) {
		CHECK(idx >= 2 && idx < total);
		seen[idx]++;
		idx = *(uint32_t *)NETMAP_BUF(r, idx);
	}
	CHECK_EQ(n, p.reg.nr_extra_bufs);
	CHECK_EQ(seen[0], 0);
	CHECK_EQ(seen[1], 0);
	for (idx = 2; idx < total; idx++)
		CHECK_EQ(seen[idx], 1);
	CHECK_EQ(nmsim_mem_free_objects(1, 2), 0);
	free(seen);
	tp_close(&p);
	nmsim_param_set("buf_num", 163840);
}

TEST(mem_private_allocators)
{
	struct nm_mem_params pp = {
		.size = { 1024, 4096, 2048 },
		.num = { 4, 8, 1024 },
	};
	struct netmap_mem_d *m1, *m2;
	struct nmreq_register req;
	struct nmreq_pools_info pi;
	struct tport p;
	int err;

	sim_init();
	NMG_LOCK();
	m1 = nm_mem_private_new(&pp, &err);
	m2 = nm_mem_private_new(&pp, &err);
	NMG_UNLOCK();
	CHECK(m1 && m2);
	CHECK(m1->id != m2->id && m1->id > 1 && m2->id > 1);
	CHECK_EQ(pools_info(m1->id, "", &pi), 0);
	CHECK_EQ(pi.nr_mem_id, m1->id);
	CHECK(pi.nr_buf_pool_objtotal >= 1024 && pi.nr_buf_pool_objtotal < 2048);
	/* a null port in a private allocator: NI_PRIV_MEM */
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_NULL;
	req.nr_mem_id = m2->id;
	req.nr_tx_slots = req.nr_rx_slots = 64;
	CHECK_EQ(tp_open_req(&p, "np", &req, NULL), 0);
	CHECK_EQ(p.reg.nr_mem_id, m2->id);
	CHECK_EQ(p.nifp->ni_flags & NI_PRIV_MEM, NI_PRIV_MEM);
	CHECK_EQ(p.reg.nr_memsize, pi.nr_memsize);
	/* the ring pool has 256-byte headers and 4096-byte objects */
	req.nr_tx_slots = 1000;
	{
		struct tport q;

		CHECK_EQ(tp_open_req(&q, "np2", &req, NULL), EINVAL);
	}
	tp_close(&p);
	err = m1->id;
	NMG_LOCK();
	nm_mem_put(m1);
	nm_mem_put(m2);
	NMG_UNLOCK();
	/* gone with its last reference */
	CHECK_EQ(pools_info((uint16_t)err, "", &pi), EINVAL);
}
