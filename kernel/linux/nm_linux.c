// SPDX-License-Identifier: BSD-2-Clause
/*
 * Linux glue: the nm_os.h services, the /dev/netmap misc device and the
 * module life cycle.
 *
 * Allocation contexts.  Most of the core runs in process context, but the
 * generic adapter's hooks (rx_handler, the patched ndo_start_xmit) and skb
 * destructors end up in nm_malloc() / nm_free() from softirq context or
 * with a spinlock held.  So the allocation functions look at the context
 * they are called in: GFP_KERNEL (and vmalloc for big objects) where
 * sleeping is allowed, GFP_ATOMIC otherwise.  CONFIG_PREEMPT_COUNT (on in
 * Debian's kernels) makes in_atomic() see held spinlocks.
 *
 * Pool memory.  A cluster is physically contiguous pages when the page
 * allocator can give them cheaply (order < MAX_ORDER, no retries),
 * vmalloc'ed otherwise.  Both kinds are order-0 pages with their own
 * reference counts (alloc_pages_exact splits), so the mmap fault handler
 * can hand any of them to the user: the user's mapping of the whole
 * region (nr_memsize) is populated page by page on demand through
 * nm_mem_ofs_to_kva(), which also covers clusters a lazy allocator adds
 * later.  nm_os_mem_populated() therefore has nothing to do.
 *
 * A mapping is a use of the allocator (nm_mem_finalize, as the sim does):
 * the memory outlives the registration while the user still maps it.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/sched.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/refcount.h>
#include <linux/rcupdate.h>
#include <linux/preempt.h>
#include <linux/llist.h>
#include <linux/workqueue.h>

#include "nm_kern.h"
#include "nm_linux.h"

/* ------------------------------------------------------------------ */
/* memory                                                              */
/* ------------------------------------------------------------------ */

bool nm_lx_can_sleep(void)
{
	return !in_atomic() && !irqs_disabled() && !rcu_preempt_depth();
}

gfp_t nm_lx_gfp(void)
{
	return nm_lx_can_sleep() ? GFP_KERNEL : GFP_ATOMIC;
}

void *nm_os_malloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (nm_lx_can_sleep())
		return kvzalloc(size, GFP_KERNEL);
	return kzalloc(size, GFP_ATOMIC | __GFP_NOWARN);
}

/*
 * vfree() may sleep outside interrupts, and the core frees with spinlocks
 * held (a host frame under its queue lock): vmalloc'ed objects freed where
 * we cannot sleep go to a work item.  They are at least a page, so the
 * list node fits in them.
 */
static LLIST_HEAD(nm_lx_vfree_list);

static void nm_lx_vfree_work_fn(struct work_struct *w)
{
	struct llist_node *n = llist_del_all(&nm_lx_vfree_list), *next;

	for (; n; n = next) {
		next = n->next;
		vfree(n);
	}
}

static DECLARE_WORK(nm_lx_vfree_work, nm_lx_vfree_work_fn);

void nm_os_free(void *p)
{
	if (!p)
		return;
	if (!is_vmalloc_addr(p)) {
		kfree(p);
	} else if (nm_lx_can_sleep() || in_interrupt()) {
		vfree(p);	/* defers by itself in interrupts */
	} else {
		if (llist_add((struct llist_node *)p, &nm_lx_vfree_list))
			schedule_work(&nm_lx_vfree_work);
	}
}

void *nm_os_cluster_alloc(size_t size)
{
	gfp_t gfp = __GFP_ZERO | __GFP_NOWARN;
	void *p = NULL;

	if (size == 0 || size % PAGE_SIZE)
		return NULL;
	if (!nm_lx_can_sleep())
		return get_order(size) < MAX_ORDER ?
			alloc_pages_exact(size, GFP_ATOMIC | gfp) : NULL;
	if (get_order(size) < MAX_ORDER)
		p = alloc_pages_exact(size, GFP_KERNEL | __GFP_NORETRY | gfp);
	if (!p)
		p = vmalloc_user(size);	/* zeroed */
	return p;
}

void nm_os_cluster_free(void *p, size_t size)
{
	if (!p)
		return;
	if (is_vmalloc_addr(p))
		vfree(p);
	else
		free_pages_exact(p, size);
}

/* The fault handler maps pages on demand: nothing to do here. */
void nm_os_mem_populated(struct netmap_mem_d *mem, void *kva, uint64_t ofs,
			 size_t size)
{
}

/* ------------------------------------------------------------------ */
/* user memory                                                         */
/* ------------------------------------------------------------------ */

int nm_os_copyin(void *kdst, uint64_t usrc, size_t len)
{
	const void __user *u = u64_to_user_ptr(usrc);

	if (len == 0)
		return 0;
	if ((uint64_t)(uintptr_t)u != usrc)
		return EFAULT;	/* does not fit a pointer */
	return copy_from_user(kdst, u, len) ? EFAULT : 0;
}

int nm_os_copyout(uint64_t udst, const void *ksrc, size_t len)
{
	void __user *u = u64_to_user_ptr(udst);

	if (len == 0)
		return 0;
	if ((uint64_t)(uintptr_t)u != udst)
		return EFAULT;
	return copy_to_user(u, ksrc, len) ? EFAULT : 0;
}

/* ------------------------------------------------------------------ */
/* locks                                                               */
/* ------------------------------------------------------------------ */

void nm_os_mtx_init(nm_mtx_t *m)
{
	mutex_init(m);
}

void nm_os_mtx_destroy(nm_mtx_t *m)
{
	mutex_destroy(m);
}

void nm_os_mtx_lock(nm_mtx_t *m)
{
	mutex_lock(m);
}

void nm_os_mtx_unlock(nm_mtx_t *m)
{
	mutex_unlock(m);
}

void nm_os_spin_init(nm_spin_t *s)
{
	spin_lock_init(s);
}

void nm_os_spin_destroy(nm_spin_t *s)
{
}

void nm_os_spin_lock(nm_spin_t *s)
{
	spin_lock_bh(s);
}

void nm_os_spin_unlock(nm_spin_t *s)
{
	spin_unlock_bh(s);
}

/* ------------------------------------------------------------------ */
/* wait channels                                                       */
/* ------------------------------------------------------------------ */

void nm_os_selinfo_init(struct nm_selinfo *si)
{
	init_waitqueue_head(&si->wq);
}

/*
 * The core frees a channel only when no registration of the file that
 * polls it is left, and poll(2) holds the file; epoll entries are gone
 * by the time the file is released.  If someone is still queued, that is
 * a core bug: tell epoll the queue is going rather than leave it a
 * dangling pointer.
 */
void nm_os_selinfo_uninit(struct nm_selinfo *si)
{
	if (waitqueue_active(&si->wq)) {
		pr_err("netmap: wait queue freed with waiters\n");
		wake_up_pollfree(&si->wq);
	}
}

void nm_os_selrecord(void *pollctx, struct nm_selinfo *si)
{
	struct nm_lx_pollctx *pc = pollctx;

	if (pc)
		poll_wait(pc->file, &si->wq, pc->pt);
}

void nm_os_selwakeup(struct nm_selinfo *si)
{
	/* wq_has_sleeper has the barrier that pairs with poll_wait */
	if (wq_has_sleeper(&si->wq))
		wake_up_interruptible_poll(&si->wq, EPOLLIN | EPOLLOUT |
					   EPOLLRDNORM | EPOLLWRNORM);
}

/* ------------------------------------------------------------------ */
/* time, scheduling, logging                                           */
/* ------------------------------------------------------------------ */

void nm_os_microtime(int64_t *sec, int64_t *usec)
{
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	*sec = ts.tv_sec;
	*usec = ts.tv_nsec / NSEC_PER_USEC;
}

uint64_t nm_os_mono_ns(void)
{
	return ktime_get_ns();
}

void nm_os_relax(void)
{
	if (nm_lx_can_sleep())
		usleep_range(20, 100);
	else
		cpu_relax();
}

void nm_os_log(int level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	switch (level) {
	case NM_LOG_ERR:
		pr_err("netmap: %pV\n", &vaf);
		break;
	case NM_LOG_INFO:
		pr_info("netmap: %pV\n", &vaf);
		break;
	default:
		pr_debug("netmap: %pV\n", &vaf);
		break;
	}
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* mmap                                                                */
/* ------------------------------------------------------------------ */

/*
 * One mapping of an allocator, shared by the vmas a split or a fork makes
 * of it: it holds a reference and a use of the allocator until the last
 * of them is unmapped.
 */
struct nm_lx_map {
	refcount_t		refs;
	struct netmap_mem_d	*mem;
};

static void nm_lx_map_put(struct nm_lx_map *m)
{
	if (!refcount_dec_and_test(&m->refs))
		return;
	NMG_LOCK();
	nm_mem_deref(m->mem);
	nm_mem_put(m->mem);
	NMG_UNLOCK();
	nm_free(m);
}

static void nm_lx_vm_open(struct vm_area_struct *vma)
{
	struct nm_lx_map *m = vma->vm_private_data;

	refcount_inc(&m->refs);
}

static void nm_lx_vm_close(struct vm_area_struct *vma)
{
	nm_lx_map_put(vma->vm_private_data);
}

/*
 * The page behind one page of the user's view.  mem->lock keeps the
 * cluster table still while we look (a lazy allocator may be adding a
 * cluster); the page reference we take is the mapping's.
 */
static vm_fault_t nm_lx_vm_fault(struct vm_fault *vmf)
{
	struct nm_lx_map *m = vmf->vma->vm_private_data;
	struct netmap_mem_d *mem = m->mem;
	struct page *page = NULL;
	void *kva;

	nm_os_mtx_lock(&mem->lock);
	kva = nm_mem_ofs_to_kva(mem, (uint64_t)vmf->pgoff << PAGE_SHIFT);
	if (kva)
		page = is_vmalloc_addr(kva) ? vmalloc_to_page(kva)
					    : virt_to_page(kva);
	if (page)
		get_page(page);
	nm_os_mtx_unlock(&mem->lock);
	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct nm_lx_vm_ops = {
	.open	= nm_lx_vm_open,
	.close	= nm_lx_vm_close,
	.fault	= nm_lx_vm_fault,
};

static int nm_lx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct netmap_priv_d *priv = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 ofs = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct netmap_mem_d *mem;
	struct nm_lx_map *m;
	int err = 0;

	/* shared: a private copy-on-write view of the rings is useless */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	m = nm_malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	NMG_LOCK();
	mem = priv->np_mem;
	if (!nm_load_acquire(&priv->np_nifp) || !mem)
		err = EINVAL;	/* not registered: nothing to map */
	else if (ofs > mem->memtotal || len > mem->memtotal - ofs)
		err = EINVAL;
	if (!err)
		err = nm_mem_finalize(mem);	/* the mapping is a user */
	if (!err)
		nm_mem_get(mem);
	NMG_UNLOCK();
	if (err) {
		nm_free(m);
		return -err;
	}
	refcount_set(&m->refs, 1);
	m->mem = mem;
	vma->vm_private_data = m;
	vma->vm_ops = &nm_lx_vm_ops;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the device                                                          */
/* ------------------------------------------------------------------ */

static int nm_lx_open(struct inode *inode, struct file *file)
{
	struct netmap_priv_d *priv = netmap_priv_new();

	if (!priv)
		return -ENOMEM;
	file->private_data = priv;
	return 0;
}

static int nm_lx_release(struct inode *inode, struct file *file)
{
	netmap_priv_delete(file->private_data);
	file->private_data = NULL;
	return 0;
}

static long nm_lx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	int err = netmap_ioctl(file->private_data, cmd, (uint64_t)arg);

	return err ? -err : 0;
}

#ifdef CONFIG_COMPAT
/* The request structures have the same layout for 32-bit callers. */
static long nm_lx_compat_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return nm_lx_ioctl(file, cmd, (unsigned long)compat_ptr(arg));
}
#endif

static __poll_t nm_lx_poll(struct file *file, poll_table *pt)
{
	struct nm_lx_pollctx pc = { .file = file, .pt = pt };
	int events = pt ? (int)poll_requested_events(pt) : POLLIN | POLLOUT;

	/* select() and a NULL table ask for everything */
	if (!events)
		events = POLLIN | POLLOUT;
	return (__force __poll_t)netmap_poll(file->private_data, events, &pc);
}

static const struct file_operations nm_lx_fops = {
	.owner		= THIS_MODULE,
	.open		= nm_lx_open,
	.release	= nm_lx_release,
	.unlocked_ioctl	= nm_lx_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= nm_lx_compat_ioctl,
#endif
	.mmap		= nm_lx_mmap,
	.poll		= nm_lx_poll,
	.llseek		= noop_llseek,
};

static struct miscdevice nm_lx_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "netmap",
	.fops	= &nm_lx_fops,
	.mode	= 0600,
};

/* ------------------------------------------------------------------ */
/* module life cycle                                                   */
/* ------------------------------------------------------------------ */

bool nm_lx_core_ready;

static int __init nm_lx_init(void)
{
	int err;

	err = netmap_core_init();
	if (err) {
		pr_err("netmap: core init failed: %d\n", err);
		return -err;
	}
	nm_lx_core_ready = true;
	err = nm_lx_params_init();
	if (err)
		goto fail_core;
	nm_lx_debugfs_init();
	err = nm_lx_generic_init();
	if (err)
		goto fail_debugfs;
	err = misc_register(&nm_lx_misc);
	if (err)
		goto fail_generic;
	pr_info("netmap: loaded (API %d), /dev/netmap\n", NETMAP_API);
	return 0;

fail_generic:
	nm_lx_generic_fini();
fail_debugfs:
	nm_lx_debugfs_fini();
fail_core:
	nm_lx_core_ready = false;
	nm_fi_disarm_all();
	netmap_core_fini();
	return err < 0 ? err : -err;
}

static void __exit nm_lx_exit(void)
{
	long live;

	/* no file is open: the module is referenced by each of them */
	misc_deregister(&nm_lx_misc);
	nm_lx_generic_fini();
	nm_lx_debugfs_fini();
	nm_fi_disarm_all();
	nm_lx_core_ready = false;
	live = netmap_core_fini();
	flush_work(&nm_lx_vfree_work);
	if (live)
		pr_err("netmap: LEAK %ld objects\n", live);
	else
		pr_info("netmap: unloaded, no object left\n");
}

module_init(nm_lx_init);
module_exit(nm_lx_exit);

MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("nmtb: netmap (API 14) on a portable core");
MODULE_AUTHOR("nmtb");
