/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The services the portable netmap core takes from its host OS.
 *
 * The core (kernel/ *.c) includes no OS header: everything it needs from
 * the environment is declared here.  Each glue (kernel/sim, kernel/linux)
 * provides nm_os_impl.h, found first on its include path, with:
 *
 *   - fixed-width integer types, size_t, bool, NULL, memcpy/memset/memcmp,
 *     strlen/strncmp, the errno constants and POLLIN..POLLERR;
 *   - nm_mtx_t (sleeping lock) and nm_spin_t (lock usable where the Linux
 *     receive path runs);
 *   - nm_atomic_t and the nm_atomic_* operations below, nm_load/nm_store
 *     for shared-memory fields the user may race with, and barriers;
 *   - struct nm_selinfo, the object a poller sleeps on;
 *   - likely/unlikely, NM_PAGE_SIZE.
 *
 * and implements the functions declared below.  Errors are positive errno
 * values in the core; the Linux glue negates them at the boundary.
 */
#ifndef _NM_OS_H_
#define _NM_OS_H_

#include "nm_os_impl.h"

/* Memory for kernel objects: zeroed, any size; NULL on failure. */
void *nm_os_malloc(size_t size);
void nm_os_free(void *p);

/*
 * Memory for pool clusters: page aligned, zeroed, mappable to user space
 * (by the glue's mmap).  size is a multiple of NM_PAGE_SIZE.
 */
void *nm_os_cluster_alloc(size_t size);
void nm_os_cluster_free(void *p, size_t size);

/*
 * A lazily populated allocator (nm_mem.h) got a new cluster at kva, at
 * offset ofs of its user view.  The glue makes it visible to mappings the
 * user already has (or does nothing if its mmap faults pages in on
 * demand).  Called with mem->lock held: must not take NMG_LOCK.
 */
struct netmap_mem_d;
void nm_os_mem_populated(struct netmap_mem_d *mem, void *kva, uint64_t ofs,
			 size_t size);

/*
 * Copies between kernel memory and a user address.  Return 0 or EFAULT;
 * a bad user address never faults the kernel.
 */
int nm_os_copyin(void *kdst, uint64_t usrc, size_t len);
int nm_os_copyout(uint64_t udst, const void *ksrc, size_t len);

/* Locks. */
void nm_os_mtx_init(nm_mtx_t *m);
void nm_os_mtx_destroy(nm_mtx_t *m);
void nm_os_mtx_lock(nm_mtx_t *m);
void nm_os_mtx_unlock(nm_mtx_t *m);
void nm_os_spin_init(nm_spin_t *s);
void nm_os_spin_destroy(nm_spin_t *s);
void nm_os_spin_lock(nm_spin_t *s);
void nm_os_spin_unlock(nm_spin_t *s);

/*
 * Poll support.  nm_os_selrecord() makes the poller described by the
 * glue's opaque pollctx sleep on si; nm_os_selwakeup() wakes every poller
 * sleeping on si.  Wake-ups may be spurious; pollers re-check.
 */
void nm_os_selinfo_init(struct nm_selinfo *si);
void nm_os_selinfo_uninit(struct nm_selinfo *si);
void nm_os_selrecord(void *pollctx, struct nm_selinfo *si);
void nm_os_selwakeup(struct nm_selinfo *si);

/* Wall-clock time for ring timestamps. */
void nm_os_microtime(int64_t *sec, int64_t *usec);

/* A monotonic clock in nanoseconds, for rate limits. */
uint64_t nm_os_mono_ns(void);

/* Let another thread run while waiting for a busy ring. */
void nm_os_relax(void);

/* Logging: level is one of the NM_LOG_* values. */
#define NM_LOG_ERR	0
#define NM_LOG_INFO	1
#define NM_LOG_DBG	2
void nm_os_log(int level, const char *fmt, ...)
	__attribute__((__format__(__printf__, 2, 3)));

#endif /* _NM_OS_H_ */
