/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The netmap allocator.  See nm_mem.h for the layout.
 *
 * Everything here that changes an allocator's life cycle (creation,
 * references, finalize/deref) runs under NMG_LOCK.  Object allocation
 * takes mem->lock as well, so that it stays safe if a data path ever
 * needs it.
 *
 * All the work is linear in the number of objects: configuration is
 * arithmetic, finalization allocates each cluster once and fills the lut
 * and bitmap in one pass, and searches for a free object resume where the
 * last one stopped.
 */
#include "nm_kern.h"

/* Global allocator parameters (module parameters). */
long nm_if_size = 1024;
long nm_if_num = 100;
long nm_ring_size = 9 * 4096;
long nm_ring_num = 200;
long nm_buf_size = 2048;
long nm_buf_num = 163840;

/* Clusters grow up to about this size when the pool is large enough. */
#define NM_CLUST_TARGET		(1u << 20)
/* Bounds the arithmetic: no pool holds more objects than this. */
#define NM_POOL_MAX_OBJS	(1u << 28)

static const char *const nm_pool_names[NM_POOLS] = { "if", "ring", "buf" };
static const uint32_t nm_pool_align[NM_POOLS] = { 64, NM_CACHE_ALIGN, 64 };
/* buffers 0 and 1 are never handed out: scribbles land there harmlessly */
static const uint32_t nm_pool_reserved[NM_POOLS] = { 0, 0, 2 };

static struct netmap_mem_d *nm_mem_list;
static struct netmap_mem_d *nm_mem_global_p;

static uint32_t nm_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Allocation of pool memory, with its fault point. */
static void *nm_cluster_alloc(size_t size)
{
	void *p;

	if (nm_fi_hit(&nm_fi_mem_alloc))
		return NULL;
	p = nm_os_cluster_alloc(size);
	if (p)
		nm_atomic_add_return(&nm_live, 1);
	return p;
}

static void nm_cluster_free(void *p, size_t size)
{
	nm_atomic_add_return(&nm_live, -1);
	nm_os_cluster_free(p, size);
}

/* ------------------------------------------------------------------ */
/* configuration                                                       */
/* ------------------------------------------------------------------ */

/*
 * Chooses the cluster geometry of a pool.  The smallest cluster holding a
 * whole number of objects and of pages has k0 objects; clusters grow by
 * multiples of k0 toward NM_CLUST_TARGET, but never beyond what the pool
 * needs, so small pools stay small.
 */
static int nm_pool_config(struct nm_pool *p, int i, uint32_t objsize,
			  uint32_t num)
{
	uint32_t align = nm_pool_align[i];
	uint64_t want, cap, k0, k, nclust, total;

	if (objsize == 0 || num == 0)
		return EINVAL;
	objsize = (objsize + align - 1) & ~(align - 1);
	want = NM_MAX((uint64_t)num, (uint64_t)nm_pool_reserved[i] + 1);
	if (want > NM_POOL_MAX_OBJS)
		return EINVAL;

	k0 = NM_PAGE_SIZE / nm_gcd(objsize, NM_PAGE_SIZE);
	k = k0 * NM_MAX(1u, NM_CLUST_TARGET / (k0 * objsize));
	cap = (want + k0 - 1) / k0 * k0;
	if (k > cap)
		k = cap;
	nclust = (want + k - 1) / k;
	total = nclust * k;
	if (total > NM_POOL_MAX_OBJS || k * objsize > 0xffffffffULL)
		return EINVAL;

	p->name = nm_pool_names[i];
	p->objsize = objsize;
	p->objtotal = (uint32_t)total;
	p->clustentries = (uint32_t)k;
	p->clustsize = (uint32_t)(k * objsize);
	p->numclusters = (uint32_t)nclust;
	p->memsize = nclust * k * objsize;
	p->reserved = nm_pool_reserved[i];
	return 0;
}

static void nm_mem_global_params(struct nm_mem_params *p)
{
	p->size[NM_POOL_IF] = (uint32_t)nm_if_size;
	p->num[NM_POOL_IF] = (uint32_t)nm_if_num;
	p->size[NM_POOL_RING] = (uint32_t)nm_ring_size;
	p->num[NM_POOL_RING] = (uint32_t)nm_ring_num;
	p->size[NM_POOL_BUF] = (uint32_t)nm_buf_size;
	p->num[NM_POOL_BUF] = (uint32_t)nm_buf_num;
}

/* Lays the pools out from the parameters.  Only while unused. */
static int nm_mem_config(struct netmap_mem_d *mem)
{
	struct nm_pool tmp[NM_POOLS];
	uint64_t ofs = 0;
	int i, err;

	if (!mem->is_private)
		nm_mem_global_params(&mem->params);
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < NM_POOLS; i++) {
		err = nm_pool_config(&tmp[i], i, mem->params.size[i],
				     mem->params.num[i]);
		if (err) {
			nm_prerr("mem %u: bad %s pool parameters %u x %u",
				 mem->id, nm_pool_names[i],
				 mem->params.size[i], mem->params.num[i]);
			return err;
		}
		tmp[i].memofs = ofs;
		ofs += tmp[i].memsize;
	}
	memcpy(mem->pools, tmp, sizeof(tmp));
	mem->memtotal = ofs;
	return 0;
}

/* ------------------------------------------------------------------ */
/* population and the memory cap                                       */
/* ------------------------------------------------------------------ */

long nm_mem_max_mb = 1536;

/* Pages of populated clusters, all allocators together. */
static nm_atomic_t nm_mem_pages;

/*
 * Reserves npages against the cap before the memory is allocated, so two
 * allocators growing at once cannot both slip under it.
 */
static bool nm_mem_charge(uint32_t npages)
{
	uint64_t cap = (uint64_t)nm_mem_max_mb * ((1u << 20) / NM_PAGE_SIZE);
	int old, seen;

	/* pages of a page cluster pool fit an int up to 8 TiB */
	if (cap == 0 || cap > 0x7fffffff)
		cap = 0x7fffffff;
	old = nm_atomic_read(&nm_mem_pages);
	for (;;) {
		if ((uint64_t)old + npages > cap)
			return false;
		seen = nm_atomic_cmpxchg(&nm_mem_pages, old, old + (int)npages);
		if (seen == old)
			return true;
		old = seen;
	}
}

static void nm_mem_uncharge(uint32_t npages)
{
	nm_atomic_add_return(&nm_mem_pages, -(int)npages);
}

uint64_t nm_mem_populated_total(void)
{
	return (uint64_t)nm_atomic_read(&nm_mem_pages) * NM_PAGE_SIZE;
}

uint64_t nm_mem_populated(struct netmap_mem_d *mem)
{
	uint64_t n;

	nm_os_mtx_lock(&mem->lock);
	n = mem->populated;
	nm_os_mtx_unlock(&mem->lock);
	return n;
}

/*
 * Adds the next cluster of a pool: charged, allocated, entered in the lut,
 * its objects marked free, then published (objpop) and shown to the glue.
 * Called with mem->lock held, or by finalize before anyone can see mem.
 */
static int nm_pool_populate_one(struct netmap_mem_d *mem, struct nm_pool *p)
{
	uint32_t c = p->clustpop, first = c * p->clustentries, j;
	uint32_t npages = (uint32_t)(p->clustsize / NM_PAGE_SIZE);
	char *base;

	if (c >= p->numclusters)
		return ENOMEM;
	if (!nm_mem_charge(npages)) {
		nm_prlim("mem %u: cap of %ld MiB reached, %s pool not grown",
			 mem->id, nm_mem_max_mb, p->name);
		return ENOMEM;
	}
	base = nm_cluster_alloc(p->clustsize);
	if (!base) {
		nm_mem_uncharge(npages);
		nm_prlim("mem %u: cannot allocate a %s cluster of %u bytes",
			 mem->id, p->name, p->clustsize);
		return ENOMEM;
	}
	p->clusters[c] = base;
	for (j = 0; j < p->clustentries; j++) {
		uint32_t i = first + j;

		p->lut[i] = base + (size_t)j * p->objsize;
		if (i >= p->reserved) {
			p->bitmap[i / 32] |= 1u << (i % 32);
			p->objfree++;
		}
	}
	p->clustpop = c + 1;
	mem->populated += p->clustsize;
	nm_store_release(&p->objpop, first + p->clustentries);
	nm_os_mem_populated(mem, base, p->memofs + (uint64_t)c * p->clustsize,
			    p->clustsize);
	return 0;
}

/*
 * Makes at least n objects of a pool free, growing a lazy allocator;
 * mem->lock held.  ENOMEM when the pool (or the cap) cannot give them:
 * what was populated stays, to be used by the next request.
 */
static int nm_pool_want(struct netmap_mem_d *mem, struct nm_pool *p,
			uint32_t n)
{
	int err;

	while (p->objfree < n) {
		if (!mem->lazy)
			return ENOMEM;
		err = nm_pool_populate_one(mem, p);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* finalization                                                        */
/* ------------------------------------------------------------------ */

static void nm_pool_release(struct netmap_mem_d *mem, struct nm_pool *p)
{
	uint32_t c;

	if (p->clusters) {
		for (c = 0; c < p->clustpop; c++) {
			nm_cluster_free(p->clusters[c], p->clustsize);
			nm_mem_uncharge(p->clustsize / NM_PAGE_SIZE);
			mem->populated -= p->clustsize;
		}
	}
	nm_free(p->clusters);
	nm_free(p->lut);
	nm_free(p->bitmap);
	p->clusters = NULL;
	p->lut = NULL;
	p->bitmap = NULL;
	p->objfree = 0;
	p->clustpop = 0;
	nm_store_release(&p->objpop, 0);
	p->cursor = 0;
}

/*
 * The bookkeeping of the whole pool (zeroed: nothing free), then the
 * clusters: all of them, or none for a lazy allocator.
 */
static int nm_pool_finalize(struct netmap_mem_d *mem, struct nm_pool *p)
{
	int err = 0;

	p->clusters = nm_malloc(sizeof(void *) * p->numclusters);
	p->lut = nm_malloc(sizeof(void *) * p->objtotal);
	p->bitmap = nm_malloc(sizeof(uint32_t) * ((p->objtotal + 31) / 32));
	p->objfree = 0;
	p->clustpop = 0;
	p->objpop = 0;
	p->cursor = 0;
	if (!p->clusters || !p->lut || !p->bitmap)
		err = ENOMEM;
	while (!err && !mem->lazy && p->clustpop < p->numclusters)
		err = nm_pool_populate_one(mem, p);
	if (err) {
		nm_prerr("mem %u: cannot allocate the %s pool (%u clusters of "
			 "%u bytes)", mem->id, p->name, p->numclusters,
			 p->clustsize);
		nm_pool_release(mem, p);
	}
	return err;
}

int nm_mem_finalize(struct netmap_mem_d *mem)
{
	int i, err;

	if (mem->active > 0) {
		mem->active++;
		return 0;
	}
	err = nm_mem_config(mem);
	if (err)
		return err;
	for (i = 0; i < NM_POOLS; i++) {
		err = nm_pool_finalize(mem, &mem->pools[i]);
		if (err) {
			while (--i >= 0)
				nm_pool_release(mem, &mem->pools[i]);
			return err;
		}
	}
	mem->active = 1;
	nm_prdbg("mem %u: %llu bytes, %llu populated (if %u, ring %u, "
		 "buf %u x %u)", mem->id, (unsigned long long)mem->memtotal,
		 (unsigned long long)mem->populated,
		 mem->pools[NM_POOL_IF].objtotal,
		 mem->pools[NM_POOL_RING].objtotal,
		 mem->pools[NM_POOL_BUF].objtotal,
		 mem->pools[NM_POOL_BUF].objsize);
	return 0;
}

void nm_mem_deref(struct netmap_mem_d *mem)
{
	int i;

	if (mem->active <= 0) {
		nm_prerr("mem %u: unbalanced deref", mem->id);
		return;
	}
	if (--mem->active > 0)
		return;
	for (i = 0; i < NM_POOLS; i++) {
		struct nm_pool *p = &mem->pools[i];
		uint32_t avail = p->objpop - (p->clustpop ? p->reserved : 0);
		uint32_t used = avail - p->objfree;

		/* users may lose buffers; losing rings or ifs is our bug */
		if (used && i != NM_POOL_BUF)
			nm_prerr("mem %u: %u %s objects still in use",
				 mem->id, used, p->name);
		nm_pool_release(mem, p);
	}
}

/* ------------------------------------------------------------------ */
/* objects                                                             */
/* ------------------------------------------------------------------ */

#define NM_NO_OBJ	0xffffffffu

/* Only the populated prefix can hold free objects: search its words. */
static uint32_t nm_pool_get(struct nm_pool *p)
{
	uint32_t nwords = (p->objpop + 31) / 32, n, w, bit;

	if (p->objfree == 0)
		return NM_NO_OBJ;
	for (n = 0; n < nwords; n++) {
		w = p->cursor < nwords ? p->cursor : 0;
		if (p->bitmap[w]) {
			bit = (uint32_t)__builtin_ctz(p->bitmap[w]);
			p->bitmap[w] &= ~(1u << bit);
			p->objfree--;
			return w * 32 + bit;
		}
		p->cursor = (w + 1 == nwords) ? 0 : w + 1;
	}
	return NM_NO_OBJ;	/* objfree was wrong: cannot happen */
}

/* Returns false for indices that are not allocated objects. */
static bool nm_pool_put(struct nm_pool *p, uint32_t idx)
{
	uint32_t mask;

	if (idx < p->reserved || idx >= p->objpop || !p->bitmap)
		return false;
	mask = 1u << (idx % 32);
	if (p->bitmap[idx / 32] & mask)
		return false;	/* already free */
	p->bitmap[idx / 32] |= mask;
	p->objfree++;
	return true;
}

uint32_t nm_mem_buf_alloc(struct netmap_mem_d *mem)
{
	uint32_t idx;

	nm_os_mtx_lock(&mem->lock);
	idx = NM_NO_OBJ;
	if (!nm_pool_want(mem, &mem->pools[NM_POOL_BUF], 1))
		idx = nm_pool_get(&mem->pools[NM_POOL_BUF]);
	nm_os_mtx_unlock(&mem->lock);
	return idx == NM_NO_OBJ ? 0 : idx;
}

void nm_mem_buf_free(struct netmap_mem_d *mem, uint32_t idx)
{
	nm_os_mtx_lock(&mem->lock);
	if (!nm_pool_put(&mem->pools[NM_POOL_BUF], idx))
		nm_prlim("mem %u: buffer %u is not allocated", mem->id, idx);
	nm_os_mtx_unlock(&mem->lock);
}

uint32_t nm_mem_max_slots(struct netmap_mem_d *mem)
{
	uint32_t sz = mem->pools[NM_POOL_RING].objsize;

	if (sz < sizeof(struct netmap_ring))
		return 0;
	return (uint32_t)((sz - sizeof(struct netmap_ring)) /
			  sizeof(struct netmap_slot));
}

/* Gives back the buffers of slots [0, n); mem->lock held. */
static void nm_ring_put_bufs(struct netmap_mem_d *mem,
			     struct netmap_ring *ring, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		nm_pool_put(&mem->pools[NM_POOL_BUF],
			    nm_load(&ring->slot[i].buf_idx));
}

struct netmap_ring *nm_mem_ring_new(struct netmap_mem_d *mem,
				    uint32_t num_slots, int *err)
{
	struct nm_pool *rp = &mem->pools[NM_POOL_RING];
	struct nm_pool *bp = &mem->pools[NM_POOL_BUF];
	struct netmap_ring *ring;
	uint32_t idx, i;

	if (num_slots < 2 || num_slots > nm_mem_max_slots(mem)) {
		nm_prlim("mem %u: a ring of %u slots does not fit %u bytes",
			 mem->id, num_slots, rp->objsize);
		*err = EINVAL;
		return NULL;
	}
	if (nm_fi_hit(&nm_fi_mem_alloc)) {
		*err = ENOMEM;
		return NULL;
	}
	nm_os_mtx_lock(&mem->lock);
	if (nm_pool_want(mem, rp, 1) || nm_pool_want(mem, bp, num_slots) ||
	    (idx = nm_pool_get(rp)) == NM_NO_OBJ) {
		nm_os_mtx_unlock(&mem->lock);
		nm_prlim("mem %u: out of %s", mem->id,
			 bp->objfree < num_slots ? "buffers" : "rings");
		*err = ENOMEM;
		return NULL;
	}
	ring = rp->lut[idx];
	memset(ring, 0, sizeof(*ring) + sizeof(struct netmap_slot) * num_slots);
	for (i = 0; i < num_slots; i++) {
		uint32_t b = nm_pool_get(bp);

		if (b == NM_NO_OBJ) {	/* objfree said otherwise */
			nm_ring_put_bufs(mem, ring, i);
			nm_pool_put(rp, idx);
			nm_os_mtx_unlock(&mem->lock);
			*err = ENOMEM;
			return NULL;
		}
		ring->slot[i].buf_idx = b;
	}
	nm_os_mtx_unlock(&mem->lock);

	ring->num_slots = num_slots;
	ring->nr_buf_size = bp->objsize;
	ring->buf_ofs = (int64_t)(bp->memofs - nm_mem_ofs(mem, ring));
	*err = 0;
	return ring;
}

static uint32_t nm_pool_index(struct nm_pool *p, const void *kva)
{
	const char *a = kva;
	uint32_t c;

	for (c = 0; c < p->clustpop; c++) {
		const char *base = p->clusters[c];

		if (a >= base && a < base + p->clustsize)
			return c * p->clustentries +
			       (uint32_t)((a - base) / p->objsize);
	}
	return NM_NO_OBJ;
}

void nm_mem_ring_delete(struct netmap_mem_d *mem, struct netmap_ring *ring,
			uint32_t num_slots)
{
	struct nm_pool *rp = &mem->pools[NM_POOL_RING];

	nm_os_mtx_lock(&mem->lock);
	nm_ring_put_bufs(mem, ring, num_slots);
	if (!nm_pool_put(rp, nm_pool_index(rp, ring)))
		nm_prerr("mem %u: freeing an unknown ring %p", mem->id, ring);
	nm_os_mtx_unlock(&mem->lock);
}

void *nm_mem_if_alloc(struct netmap_mem_d *mem, size_t size, int *err)
{
	struct nm_pool *p = &mem->pools[NM_POOL_IF];
	uint32_t idx;
	void *nifp;

	if (size > p->objsize) {
		nm_prlim("mem %u: a netmap_if of %zu bytes exceeds if_size %u",
			 mem->id, size, p->objsize);
		*err = EINVAL;
		return NULL;
	}
	if (nm_fi_hit(&nm_fi_mem_alloc)) {
		*err = ENOMEM;
		return NULL;
	}
	nm_os_mtx_lock(&mem->lock);
	idx = NM_NO_OBJ;
	if (!nm_pool_want(mem, p, 1))
		idx = nm_pool_get(p);
	nm_os_mtx_unlock(&mem->lock);
	if (idx == NM_NO_OBJ) {
		nm_prlim("mem %u: out of netmap_if objects", mem->id);
		*err = ENOMEM;
		return NULL;
	}
	nifp = p->lut[idx];
	memset(nifp, 0, p->objsize);
	*err = 0;
	return nifp;
}

void nm_mem_if_free(struct netmap_mem_d *mem, void *nifp)
{
	struct nm_pool *p = &mem->pools[NM_POOL_IF];

	nm_os_mtx_lock(&mem->lock);
	if (!nm_pool_put(p, nm_pool_index(p, nifp)))
		nm_prerr("mem %u: freeing an unknown netmap_if", mem->id);
	nm_os_mtx_unlock(&mem->lock);
}

uint32_t nm_mem_extra_alloc(struct netmap_mem_d *mem, uint32_t *head,
			    uint32_t n)
{
	struct nm_pool *bp = &mem->pools[NM_POOL_BUF];
	uint32_t i, idx, next = 0;

	if (n == 0) {
		*head = 0;
		return 0;
	}
	if (nm_fi_hit(&nm_fi_mem_alloc)) {
		*head = 0;
		return 0;
	}
	/* built back to front, so the list reads in allocation order */
	nm_os_mtx_lock(&mem->lock);
	/* as many as the pool can give: a short list is not an error */
	for (i = 0; i < n; i++) {
		if (nm_pool_want(mem, bp, 1))
			break;
		idx = nm_pool_get(bp);
		if (idx == NM_NO_OBJ)
			break;
		*(uint32_t *)bp->lut[idx] = next;
		next = idx;
	}
	nm_os_mtx_unlock(&mem->lock);
	*head = next;
	return i;
}

void nm_mem_extra_free(struct netmap_mem_d *mem, uint32_t head, uint32_t max)
{
	struct nm_pool *bp = &mem->pools[NM_POOL_BUF];
	uint32_t idx = head, next, n;

	/*
	 * The list lives in user memory: follow it only through buffers that
	 * are allocated, at most max steps.  A freed buffer cannot be freed
	 * again, so a cycle ends the walk too.
	 */
	nm_os_mtx_lock(&mem->lock);
	for (n = 0; n < max && idx != 0 && idx < bp->objpop; n++) {
		next = nm_load((uint32_t *)bp->lut[idx]);
		if (!nm_pool_put(bp, idx))
			break;
		idx = next;
	}
	nm_os_mtx_unlock(&mem->lock);
}

uint32_t nm_mem_pool_free(struct netmap_mem_d *mem, int pool)
{
	uint32_t n;

	nm_os_mtx_lock(&mem->lock);
	n = mem->pools[pool].objfree;
	nm_os_mtx_unlock(&mem->lock);
	return n;
}

/* ------------------------------------------------------------------ */
/* addressing                                                          */
/* ------------------------------------------------------------------ */

uint64_t nm_mem_ofs(struct netmap_mem_d *mem, const void *kva)
{
	int i;

	for (i = 0; i < NM_POOLS; i++) {
		struct nm_pool *p = &mem->pools[i];
		uint32_t idx = nm_pool_index(p, kva);

		if (idx != NM_NO_OBJ)
			return p->memofs + (uint64_t)idx * p->objsize +
			       (uint64_t)((const char *)kva -
					  (const char *)p->lut[idx]);
	}
	nm_prerr("mem %u: %p is not in the allocator", mem->id, kva);
	return 0;
}

void *nm_mem_ofs_to_kva(struct netmap_mem_d *mem, uint64_t ofs)
{
	int i;

	if (mem->active <= 0)
		return NULL;
	for (i = 0; i < NM_POOLS; i++) {
		struct nm_pool *p = &mem->pools[i];
		uint64_t rel = ofs - p->memofs;

		/* offsets of clusters not populated have no memory */
		if (ofs >= p->memofs && rel < p->memsize)
			return rel / p->clustsize < p->clustpop ?
			       (char *)p->clusters[rel / p->clustsize] +
			       rel % p->clustsize : NULL;
	}
	return NULL;
}

int nm_mem_foreach_cluster(struct netmap_mem_d *mem,
			   int (*cb)(void *ctx, void *kva, uint64_t ofs,
				     size_t size),
			   void *ctx)
{
	uint32_t c;
	int i, err;

	if (mem->active <= 0)
		return ENXIO;
	/* under the lock: no cluster is added behind the walk */
	nm_os_mtx_lock(&mem->lock);
	for (i = 0, err = 0; i < NM_POOLS && !err; i++) {
		struct nm_pool *p = &mem->pools[i];

		for (c = 0; c < p->clustpop && !err; c++)
			err = cb(ctx, p->clusters[c],
				 p->memofs + (uint64_t)c * p->clustsize,
				 p->clustsize);
	}
	nm_os_mtx_unlock(&mem->lock);
	return err;
}

int nm_mem_get_info(struct netmap_mem_d *mem, struct nmreq_pools_info *info)
{
	int err = 0;

	if (mem->active == 0)
		err = nm_mem_config(mem);
	if (err)
		return err;
	info->nr_memsize = mem->memtotal;
	info->nr_mem_id = mem->id;
	info->nr_if_pool_offset = mem->pools[NM_POOL_IF].memofs;
	info->nr_if_pool_objtotal = mem->pools[NM_POOL_IF].objtotal;
	info->nr_if_pool_objsize = mem->pools[NM_POOL_IF].objsize;
	info->nr_ring_pool_offset = mem->pools[NM_POOL_RING].memofs;
	info->nr_ring_pool_objtotal = mem->pools[NM_POOL_RING].objtotal;
	info->nr_ring_pool_objsize = mem->pools[NM_POOL_RING].objsize;
	info->nr_buf_pool_offset = mem->pools[NM_POOL_BUF].memofs;
	info->nr_buf_pool_objtotal = mem->pools[NM_POOL_BUF].objtotal;
	info->nr_buf_pool_objsize = mem->pools[NM_POOL_BUF].objsize;
	return 0;
}

/* ------------------------------------------------------------------ */
/* allocator objects                                                   */
/* ------------------------------------------------------------------ */

static struct netmap_mem_d *nm_mem_alloc_obj(uint16_t id)
{
	struct netmap_mem_d *mem = nm_malloc(sizeof(*mem));

	if (!mem)
		return NULL;
	mem->id = id;
	mem->refcount = 1;
	nm_os_mtx_init(&mem->lock);
	mem->next = nm_mem_list;
	nm_mem_list = mem;
	return mem;
}

static void nm_mem_unlink(struct netmap_mem_d *mem)
{
	struct netmap_mem_d **pp;

	for (pp = &nm_mem_list; *pp; pp = &(*pp)->next) {
		if (*pp == mem) {
			*pp = mem->next;
			break;
		}
	}
}

static void nm_mem_destroy(struct netmap_mem_d *mem)
{
	if (mem->active) {
		nm_prerr("mem %u destroyed while in use", mem->id);
		mem->active = 1;
		nm_mem_deref(mem);
	}
	nm_mem_unlink(mem);
	nm_os_mtx_destroy(&mem->lock);
	nm_free(mem);
}

struct netmap_mem_d *nm_mem_global(void)
{
	return nm_mem_global_p;
}

static bool nm_mem_id_used(uint16_t id)
{
	struct netmap_mem_d *m;

	for (m = nm_mem_list; m; m = m->next)
		if (m->id == id)
			return true;
	return false;
}

struct netmap_mem_d *nm_mem_private_new(const struct nm_mem_params *p,
					int *err)
{
	static uint16_t last_id = NM_MEM_GLOBAL_ID;
	struct netmap_mem_d *mem;
	uint32_t tries;
	uint16_t id = 0;

	for (tries = 0; tries < 0xffff; tries++) {
		last_id = last_id == 0xffff ? NM_MEM_GLOBAL_ID + 1 : last_id + 1;
		if (!nm_mem_id_used(last_id)) {
			id = last_id;
			break;
		}
	}
	if (id == 0) {
		*err = ENOMEM;
		return NULL;
	}
	mem = nm_mem_alloc_obj(id);
	if (!mem) {
		*err = ENOMEM;
		return NULL;
	}
	mem->is_private = true;
	mem->lazy = true;
	mem->params = *p;
	*err = nm_mem_config(mem);
	if (*err) {
		nm_mem_destroy(mem);
		return NULL;
	}
	return mem;
}

struct netmap_mem_d *nm_mem_find(uint16_t id)
{
	struct netmap_mem_d *m;

	if (id == 0)
		id = NM_MEM_GLOBAL_ID;
	for (m = nm_mem_list; m; m = m->next) {
		if (m->id == id) {
			m->refcount++;
			return m;
		}
	}
	return NULL;
}

void nm_mem_get(struct netmap_mem_d *mem)
{
	mem->refcount++;
}

void nm_mem_put(struct netmap_mem_d *mem)
{
	if (--mem->refcount > 0)
		return;
	if (mem == nm_mem_global_p) {
		nm_prerr("global allocator over-released");
		mem->refcount = 1;
		return;
	}
	nm_mem_destroy(mem);
}

int nm_mem_init(void)
{
	nm_mem_global_p = nm_mem_alloc_obj(NM_MEM_GLOBAL_ID);
	return nm_mem_global_p ? 0 : ENOMEM;
}

void nm_mem_fini(void)
{
	while (nm_mem_list) {
		struct netmap_mem_d *mem = nm_mem_list;

		if (mem != nm_mem_global_p)
			nm_prerr("mem %u still referenced at exit", mem->id);
		nm_mem_destroy(mem);
	}
	nm_mem_global_p = NULL;
}
