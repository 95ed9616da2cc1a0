/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The netmap allocator: three pools (netmap_if objects, rings, buffers)
 * carved out of page clusters, laid out one after the other in a region
 * that users mmap() as a whole.
 *
 * Each pool is an array of fixed-size objects.  A cluster holds a whole
 * number of objects and is a whole number of pages, so in the user's view
 * object i of a pool sits at pool offset + i * objsize and the buffer
 * arithmetic of netmap_user.h (buf_ofs + idx * nr_buf_size) holds.  In the
 * kernel's view clusters are separate allocations; the lut maps an index to
 * its kernel address.
 *
 * Life cycle: an allocator is configured from its parameters while nobody
 * uses it, finalized (memory allocated) when its first registration comes,
 * and releases the memory when its last one goes.  So parameter changes
 * take effect exactly when the allocator has no user.
 *
 * Lazy population (private allocators).  A private allocator (one per VALE
 * port, say) is laid out for its full parameters, but finalize allocates
 * only the lut, the bitmap and the cluster pointer array; clusters are
 * allocated when objects are asked for and none is free ("populated"),
 * always in order, so the populated part of a pool is a prefix: objects
 * [0, objpop).  Pipes opened later take their buffers from the parent's
 * allocator, which grows then.  Nothing is given back before the last user
 * goes.  The global allocator is populated whole at finalize, as netmap's.
 *
 * The user's view: nr_memsize (memtotal) is always the full layout, and
 * users map it once.  Offsets of clusters not yet populated have no pages
 * behind them; when a cluster is populated the core calls
 * nm_os_mem_populated() (under mem->lock) so the glue can make it visible
 * in existing mappings.  The sim glue reserves the whole range PROT_NONE
 * at mmap time and mremaps each new cluster into every live mapping of
 * the allocator.  A Linux glue maps the whole vma with a fault handler
 * that asks nm_mem_ofs_to_kva() and inserts the page (vm_insert_page /
 * vmf_insert_pfn), SIGBUS for a NULL answer; its nm_os_mem_populated() can
 * be empty.  A user touching an unpopulated offset faults; no object
 * there was ever handed to it.
 *
 * Memory cap.  Populated clusters of all allocators together never exceed
 * nm_mem_max_mb megabytes (a parameter, 0: no cap).  Finalize and growth
 * that would go past it fail with ENOMEM, leaving everything else as it
 * was, so REGISTER fails instead of the OOM killer choosing a victim.
 */
#ifndef _NM_MEM_H_
#define _NM_MEM_H_

enum { NM_POOL_IF = 0, NM_POOL_RING, NM_POOL_BUF, NM_POOLS };

#define NM_MEM_GLOBAL_ID	1	/* the global allocator */

struct nm_mem_params {
	uint32_t	size[NM_POOLS];		/* bytes per object */
	uint32_t	num[NM_POOLS];		/* objects wanted */
};

struct nm_pool {
	const char	*name;
	/* layout, valid after configuration */
	uint32_t	objsize;
	uint32_t	objtotal;
	uint32_t	clustentries;	/* objects per cluster */
	uint32_t	clustsize;	/* bytes per cluster */
	uint32_t	numclusters;
	uint32_t	clustpop;	/* populated clusters (a prefix) */
	uint32_t	objpop;		/* objects in them (release/acquire) */
	uint64_t	memofs;		/* offset of the pool in the region */
	uint64_t	memsize;
	/* allocation state, valid while finalized */
	void		**clusters;
	void		**lut;		/* kernel address of object i */
	uint32_t	*bitmap;	/* bit set: object free (populated) */
	uint32_t	objfree;
	uint32_t	cursor;		/* bitmap word where searches start */
	uint32_t	reserved;	/* leading objects never handed out */
};

struct netmap_mem_d {
	uint16_t	id;
	bool		is_private;
	bool		lazy;		/* populate clusters on demand */
	int		refcount;	/* object references */
	int		active;		/* users of the memory */
	struct nm_mem_params params;	/* private: fixed at creation */
	struct nm_pool	pools[NM_POOLS];
	uint64_t	memtotal;	/* the full layout: nr_memsize */
	uint64_t	populated;	/* bytes of populated clusters */
	nm_mtx_t	lock;		/* pool bitmaps */
	struct netmap_mem_d *next;	/* registry, under NMG_LOCK */
};

int nm_mem_init(void);
void nm_mem_fini(void);

struct netmap_mem_d *nm_mem_global(void);
/* A new private allocator with the given parameters (one reference). */
struct netmap_mem_d *nm_mem_private_new(const struct nm_mem_params *p,
					int *err);
/* Find by id (0 means the global one); returns a reference or NULL. */
struct netmap_mem_d *nm_mem_find(uint16_t id);
void nm_mem_get(struct netmap_mem_d *mem);
void nm_mem_put(struct netmap_mem_d *mem);

/* Take / drop a use of the memory: the first allocates, the last frees. */
int nm_mem_finalize(struct netmap_mem_d *mem);
void nm_mem_deref(struct netmap_mem_d *mem);

/* Layout and counters, configuring from the parameters if unused. */
int nm_mem_get_info(struct netmap_mem_d *mem, struct nmreq_pools_info *info);

/* Buffers.  Index 0 and 1 are reserved and never handed out. */
static inline uint32_t nm_mem_nbufs(struct netmap_mem_d *mem)
{
	return mem->pools[NM_POOL_BUF].objtotal;
}

static inline uint32_t nm_mem_bufsize(struct netmap_mem_d *mem)
{
	return mem->pools[NM_POOL_BUF].objsize;
}

/*
 * A buffer index the user may hand to the kernel: in a populated cluster.
 * objpop only grows while the allocator is in use, and an index reached a
 * user after the cluster holding it was published.
 */
static inline bool nm_mem_buf_valid(struct netmap_mem_d *mem, uint32_t idx)
{
	return idx >= 2 &&
	       idx < nm_load_acquire(&mem->pools[NM_POOL_BUF].objpop);
}

static inline void *nm_mem_buf(struct netmap_mem_d *mem, uint32_t idx)
{
	return mem->pools[NM_POOL_BUF].lut[idx];
}

/*
 * Allocate one buffer; returns its index or 0 when the pool is empty.
 * Like every object allocation below it may populate a cluster of a lazy
 * allocator: it may sleep, so not from a context that cannot.
 */
uint32_t nm_mem_buf_alloc(struct netmap_mem_d *mem);
/* Free a buffer; indices not currently allocated are ignored. */
void nm_mem_buf_free(struct netmap_mem_d *mem, uint32_t idx);

/* Rings: header, num_slots slots, each with a buffer. */
struct netmap_ring *nm_mem_ring_new(struct netmap_mem_d *mem,
				    uint32_t num_slots, int *err);
/*
 * Frees the ring and the buffers its first num_slots slots hold.  The
 * caller passes its own copy of num_slots: the ring is in user memory.
 */
void nm_mem_ring_delete(struct netmap_mem_d *mem, struct netmap_ring *ring,
			uint32_t num_slots);
/* The largest ring (in slots) a ring object can hold. */
uint32_t nm_mem_max_slots(struct netmap_mem_d *mem);

/* netmap_if objects. */
void *nm_mem_if_alloc(struct netmap_mem_d *mem, size_t size, int *err);
void nm_mem_if_free(struct netmap_mem_d *mem, void *nifp);

/* Extra buffers, linked through their first 32 bits; 0 ends the list. */
uint32_t nm_mem_extra_alloc(struct netmap_mem_d *mem, uint32_t *head,
			    uint32_t n);
/* Free at most max buffers of the list starting at head. */
void nm_mem_extra_free(struct netmap_mem_d *mem, uint32_t head, uint32_t max);

/* Offset in the user's view of an object of this allocator. */
uint64_t nm_mem_ofs(struct netmap_mem_d *mem, const void *kva);
/* Kernel address of a region offset, NULL outside the region. */
void *nm_mem_ofs_to_kva(struct netmap_mem_d *mem, uint64_t ofs);

/* Walk the clusters (for the glue's mmap); stops at a non-zero return. */
int nm_mem_foreach_cluster(struct netmap_mem_d *mem,
			   int (*cb)(void *ctx, void *kva, uint64_t ofs,
				     size_t size),
			   void *ctx);

/* Free objects in a pool (for tests and leak checks). */
uint32_t nm_mem_pool_free(struct netmap_mem_d *mem, int pool);

/* Bytes of populated clusters: of one allocator, and of all of them. */
uint64_t nm_mem_populated(struct netmap_mem_d *mem);
uint64_t nm_mem_populated_total(void);

/* Sizes and counts of the global allocator (module parameters). */
extern long nm_if_size, nm_if_num, nm_ring_size, nm_ring_num;
extern long nm_buf_size, nm_buf_num;
/* Cap on populated clusters of all allocators, in MiB (0: none). */
extern long nm_mem_max_mb;

#endif /* _NM_MEM_H_ */
