/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libnmsim: the /dev/netmap system calls served by the core in-process.
 *
 * A descriptor is a real eventfd (so its number is unique in the process
 * and select/poll on it are harmless) mapped to a netmap_priv_d.  Calls
 * hold a reference on the descriptor's file while they run, as the kernel
 * holds the struct file, so a close() racing with an ioctl() on another
 * thread frees the registration only when the ioctl returns.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "nm_kern.h"
#include "nmsim_int.h"

struct sim_file {
	int			fd;
	int			refs;	/* the table's + calls in flight */
	struct netmap_priv_d	*priv;
};

struct sim_map {
	void			*addr;
	size_t			len;
	struct netmap_mem_d	*mem;
	struct sim_map		*next;
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static int sim_ready;		/* core initialised */
static struct sim_file **sim_files;
static int sim_nfiles;		/* capacity of sim_files */
static struct sim_map *sim_maps;	/* under sim_maps_lock */
/*
 * A leaf lock for the mapping list: the core calls nm_os_mem_populated()
 * with NMG_LOCK and mem->lock held, and sim_lock is taken before NMG_LOCK
 * elsewhere, so the list cannot share sim_lock.
 */
static pthread_mutex_t sim_maps_lock = PTHREAD_MUTEX_INITIALIZER;

static int sim_fail(int err)
{
	errno = err;
	return -1;
}

/* ------------------------------------------------------------------ */
/* initialisation from the environment                                 */
/* ------------------------------------------------------------------ */

static void sim_env_params(const char *s)
{
	char *copy = strdup(s), *save = NULL, *tok;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		long v;
		int err;

		if (!eq) {
			fprintf(stderr, "nmsim: NMSIM_PARAMS: '%s' is not "
				"name=value\n", tok);
			continue;
		}
		*eq = '\0';
		v = strtol(eq + 1, &end, 0);
		if (*end || end == eq + 1) {
			fprintf(stderr, "nmsim: NMSIM_PARAMS: %s: '%s' is not "
				"a number\n", tok, eq + 1);
			continue;
		}
		err = nm_param_set(tok, v);
		if (err)
			fprintf(stderr, "nmsim: NMSIM_PARAMS: %s=%ld: %s\n",
				tok, v, err == ENOENT ? "no such parameter"
						      : "out of range");
	}
	free(copy);
}

static void sim_env_nics(const char *s)
{
	char *copy = strdup(s), *save = NULL, *tok;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned int rings, slots;
		char name[NM_NAME_LEN];
		int err, n = 0;

		if (sscanf(tok, "%63[^:]:%ux%u%n", name, &rings, &slots, &n) != 3 ||
		    tok[n] != '\0') {
			fprintf(stderr, "nmsim: NMSIM_NICS: '%s' is not "
				"name:RINGSxSLOTS\n", tok);
			continue;
		}
		err = sim_nic_create(name, rings, slots);
		if (err)
			fprintf(stderr, "nmsim: NMSIM_NICS: %s: %s\n", tok,
				strerror(err));
	}
	free(copy);
}

static void sim_init_locked(void)
{
	const char *e;
	int err;

	if (sim_ready)
		return;
	e = getenv("NMSIM_LOG");
	if (e)
		sim_log_level = atoi(e);
	err = netmap_core_init();
	if (err) {
		fprintf(stderr, "nmsim: core init failed: %s\n", strerror(err));
		return;
	}
	sim_ready = 1;
	e = getenv("NMSIM_PARAMS");
	if (e)
		sim_env_params(e);
	e = getenv("NMSIM_FI");
	if (e && (err = nm_fi_arm_list(e)))
		fprintf(stderr, "nmsim: NMSIM_FI='%s': %s\n", e,
			err == ENOENT ? "unknown fault point" : "bad mode");
	e = getenv("NMSIM_NICS");
	if (e)
		sim_env_nics(e);
}

void sim_init(void)
{
	if (__atomic_load_n(&sim_ready, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&sim_lock);
	sim_init_locked();
	pthread_mutex_unlock(&sim_lock);
}

/* ------------------------------------------------------------------ */
/* the descriptor table                                                */
/* ------------------------------------------------------------------ */

static struct sim_file *sim_get(int fd)
{
	struct sim_file *f = NULL;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	if (fd >= 0 && fd < sim_nfiles && sim_files[fd]) {
		f = sim_files[fd];
		f->refs++;
	}
	pthread_mutex_unlock(&sim_lock);
	return f;
}

static void sim_put(struct sim_file *f)
{
	int last;

	pthread_mutex_lock(&sim_lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&sim_lock);
	if (!last)
		return;
	netmap_priv_delete(f->priv);
	free(f);
}

static int sim_table_insert(struct sim_file *f)
{
	if (f->fd >= sim_nfiles) {
		int n = f->fd + 64;
		struct sim_file **t = realloc(sim_files, sizeof(*t) * (size_t)n);

		if (!t)
			return ENOMEM;
		memset(t + sim_nfiles, 0, sizeof(*t) * (size_t)(n - sim_nfiles));
		sim_files = t;
		sim_nfiles = n;
	}
	sim_files[f->fd] = f;
	return 0;
}

int nmsim_is_fd(int fd)
{
	int yes;

	pthread_mutex_lock(&sim_lock);
	yes = fd >= 0 && fd < sim_nfiles && sim_files[fd] != NULL;
	pthread_mutex_unlock(&sim_lock);
	return yes;
}

int nmsim_open(void)
{
	struct sim_file *f;
	int err;

	sim_init();
	if (!__atomic_load_n(&sim_ready, __ATOMIC_ACQUIRE))
		return sim_fail(ENODEV);
	f = calloc(1, sizeof(*f));
	if (!f)
		return sim_fail(ENOMEM);
	f->priv = netmap_priv_new();
	if (!f->priv) {
		free(f);
		return sim_fail(ENOMEM);
	}
	f->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->fd < 0) {
		err = errno;
		netmap_priv_delete(f->priv);
		free(f);
		return sim_fail(err);
	}
	f->refs = 1;
	pthread_mutex_lock(&sim_lock);
	err = sim_table_insert(f);
	pthread_mutex_unlock(&sim_lock);
	if (err) {
		close(f->fd);
		netmap_priv_delete(f->priv);
		free(f);
		return sim_fail(err);
	}
	return f->fd;
}

int nmsim_close(int fd)
{
	struct sim_file *f = NULL;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	if (fd >= 0 && fd < sim_nfiles && sim_files[fd]) {
		f = sim_files[fd];
		sim_files[fd] = NULL;
	}
	pthread_mutex_unlock(&sim_lock);
	if (!f)
		return sim_fail(EBADF);
	close(fd);
	sim_put(f);
	return 0;
}

int nmsim_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct sim_file *f = sim_get(fd);
	int err;

	if (!f)
		return sim_fail(EBADF);
	err = netmap_ioctl(f->priv, cmd, (uint64_t)(uintptr_t)arg);
	sim_put(f);
	return err ? sim_fail(err) : 0;
}

/* ------------------------------------------------------------------ */
/* mmap: a user view of the allocator's clusters                       */
/* ------------------------------------------------------------------ */

struct sim_map_ctx {
	char	*base;
	size_t	len;
};

static int sim_map_cluster(void *ctx, void *kva, uint64_t ofs, size_t size)
{
	struct sim_map_ctx *c = ctx;
	void *p;

	if (ofs >= c->len)
		return 0;
	if (size > c->len - ofs)
		size = c->len - ofs;
	/* old size 0: a second mapping of the same shared pages */
	p = mremap(kva, 0, size, MREMAP_MAYMOVE | MREMAP_FIXED, c->base + ofs);
	return p == MAP_FAILED ? ENOMEM : 0;
}

static void sim_maps_unlink(struct sim_map *m)
{
	struct sim_map **pp;

	pthread_mutex_lock(&sim_maps_lock);
	for (pp = &sim_maps; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	pthread_mutex_unlock(&sim_maps_lock);
}

/*
 * A cluster of a lazily populated allocator appeared: every live mapping
 * of that allocator gets it at its offset (the rest of each mapping is a
 * PROT_NONE reservation, see nmsim_mmap).
 */
void nm_os_mem_populated(struct netmap_mem_d *mem, void *kva, uint64_t ofs,
			 size_t size)
{
	struct sim_map *m;

	pthread_mutex_lock(&sim_maps_lock);
	for (m = sim_maps; m; m = m->next) {
		struct sim_map_ctx ctx = { .base = m->addr, .len = m->len };

		if (m->mem == mem && sim_map_cluster(&ctx, kva, ofs, size))
			nm_prerr("mem %u: cannot show a new cluster to a "
				 "mapping", mem->id);
	}
	pthread_mutex_unlock(&sim_maps_lock);
}

/*
 * The whole region (nr_memsize) is reserved PROT_NONE; populated clusters
 * are mapped over it now, clusters populated later by
 * nm_os_mem_populated().  The mapping joins the list before the walk, so
 * a cluster added meanwhile is mapped by one or the other (or both,
 * harmlessly).
 */
void *nmsim_mmap(int fd, size_t len)
{
	struct sim_file *f = sim_get(fd);
	struct sim_map_ctx ctx;
	struct netmap_mem_d *mem;
	struct sim_map *m;
	int err = 0;

	if (!f) {
		errno = EBADF;
		return MAP_FAILED;
	}
	m = calloc(1, sizeof(*m));
	ctx.len = (len + NM_PAGE_SIZE - 1) & ~(NM_PAGE_SIZE - 1);
	ctx.base = MAP_FAILED;
	NMG_LOCK();
	mem = f->priv->np_mem;
	if (!m)
		err = ENOMEM;
	else if (!f->priv->np_nifp || !mem)
		err = EINVAL;	/* not registered: nothing to map */
	else if (len == 0 || ctx.len > mem->memtotal)
		err = EINVAL;
	if (!err) {
		ctx.base = mmap(NULL, ctx.len, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
		if (ctx.base == MAP_FAILED)
			err = ENOMEM;
	}
	if (!err) {
		m->addr = ctx.base;
		m->len = ctx.len;
		m->mem = mem;
		pthread_mutex_lock(&sim_maps_lock);
		m->next = sim_maps;
		sim_maps = m;
		pthread_mutex_unlock(&sim_maps_lock);
		err = nm_mem_foreach_cluster(mem, sim_map_cluster, &ctx);
		if (!err)
			err = nm_mem_finalize(mem);	/* the mapping is a user */
		if (err)
			sim_maps_unlink(m);
	}
	if (!err)
		nm_mem_get(mem);
	NMG_UNLOCK();
	sim_put(f);
	if (err) {
		if (ctx.base != MAP_FAILED)
			munmap(ctx.base, ctx.len);
		free(m);
		errno = err;
		return MAP_FAILED;
	}
	return ctx.base;
}

static void sim_map_release(struct sim_map *m)
{
	munmap(m->addr, m->len);
	NMG_LOCK();
	nm_mem_deref(m->mem);
	nm_mem_put(m->mem);
	NMG_UNLOCK();
	free(m);
}

int nmsim_is_mapping(const void *p)
{
	struct sim_map *m;
	int yes = 0;

	pthread_mutex_lock(&sim_maps_lock);
	for (m = sim_maps; m && !yes; m = m->next)
		yes = m->addr == p;
	pthread_mutex_unlock(&sim_maps_lock);
	return yes;
}

/*
 * Unmaps a mapping made by nmsim_mmap(): p must be its start and len its
 * length (rounded up to pages); partial unmaps are refused with EINVAL.
 */
int nmsim_munmap(void *p, size_t len)
{
	size_t plen = (len + NM_PAGE_SIZE - 1) & ~(NM_PAGE_SIZE - 1);
	struct sim_map *m, **pp;

	sim_init();
	if (len == 0)
		return sim_fail(EINVAL);
	pthread_mutex_lock(&sim_maps_lock);
	for (pp = &sim_maps; *pp; pp = &(*pp)->next)
		if ((*pp)->addr == p && (*pp)->len == plen)
			break;
	m = *pp;
	if (m)
		*pp = m->next;
	pthread_mutex_unlock(&sim_maps_lock);
	if (!m)
		return sim_fail(EINVAL);
	sim_map_release(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* poll                                                                */
/* ------------------------------------------------------------------ */

static int sim_poll_once(struct pollfd *fds, unsigned int n)
{
	unsigned int i;
	int ready = 0;

	for (i = 0; i < n; i++) {
		struct sim_file *f = sim_get(fds[i].fd);

		if (fds[i].fd < 0) {
			fds[i].revents = 0;
			continue;
		}
		if (!f) {
			fds[i].revents = POLLNVAL;
		} else {
			fds[i].revents = (short)(netmap_poll(f->priv,
							     fds[i].events,
							     NULL) &
						 (fds[i].events | POLLERR));
			sim_put(f);
		}
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

int nmsim_poll(struct pollfd *fds, unsigned int n, int timeout_ms)
{
	uint64_t deadline = 0, seq;
	int ready;

	sim_init();
	if (n > 0 && !fds)
		return sim_fail(EFAULT);
	if (timeout_ms > 0)
		deadline = nm_os_mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	seq = sim_wait_begin();
	for (;;) {
		ready = sim_poll_once(fds, n);
		if (ready || timeout_ms == 0)
			break;
		if (deadline && nm_os_mono_ns() >= deadline)
			break;
		sim_wait_sleep(seq, deadline);
		seq = sim_wait_seq_now();
	}
	sim_wait_end();
	return ready;
}

/* ------------------------------------------------------------------ */
/* NICs, fault points, parameters, introspection                       */
/* ------------------------------------------------------------------ */

int nmsim_nic_create(const char *name, unsigned int rings, unsigned int slots)
{
	int err;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	err = sim_ready ? sim_nic_create(name, rings, slots) : ENODEV;
	pthread_mutex_unlock(&sim_lock);
	return err ? sim_fail(err) : 0;
}

int nmsim_nic_destroy(const char *name)
{
	int err;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	err = sim_nic_destroy(name);
	pthread_mutex_unlock(&sim_lock);
	return err ? sim_fail(err) : 0;
}

int nmsim_nic_stats(const char *name, struct nmsim_nic_stats *st)
{
	int err;

	sim_init();
	if (!st)
		return sim_fail(EFAULT);
	pthread_mutex_lock(&sim_lock);
	err = sim_nic_get_stats(name, st);
	pthread_mutex_unlock(&sim_lock);
	return err ? sim_fail(err) : 0;
}

/*
 * The wire and the host stack.  The sim lock is held across each call:
 * it keeps the NIC from being destroyed under it.
 */
int nmsim_wire_inject(const char *nic, unsigned int ring, const void *frame,
		      size_t len)
{
	int err;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	err = sim_nic_wire_inject(nic, ring, frame, len);
	pthread_mutex_unlock(&sim_lock);
	return err ? sim_fail(err) : 0;
}

long nmsim_wire_capture(const char *nic, void *buf, size_t cap,
			unsigned int *ring)
{
	long n;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	n = sim_nic_wire_capture(nic, buf, cap, ring);
	pthread_mutex_unlock(&sim_lock);
	return n < 0 ? sim_fail((int)-n) : n;
}

int nmsim_nic_loopback(const char *nic, int on)
{
	int err;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	err = sim_nic_loopback(nic, on);
	pthread_mutex_unlock(&sim_lock);
	return err ? sim_fail(err) : 0;
}

int nmsim_host_inject(const char *nic, const void *frame, size_t len)
{
	int err;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	err = sim_nic_host_inject(nic, frame, len);
	pthread_mutex_unlock(&sim_lock);
	return err ? sim_fail(err) : 0;
}

long nmsim_host_capture(const char *nic, void *buf, size_t cap)
{
	long n;

	sim_init();
	pthread_mutex_lock(&sim_lock);
	n = sim_nic_host_capture(nic, buf, cap);
	pthread_mutex_unlock(&sim_lock);
	return n < 0 ? sim_fail((int)-n) : n;
}

int nmsim_fi_arm(const char *name, const char *spec)
{
	int err;

	sim_init();
	if (!name || !spec)
		return sim_fail(EINVAL);
	err = nm_fi_arm(name, spec);
	return err ? sim_fail(err) : 0;
}

int nmsim_fi_show(const char *name, char *buf, size_t len)
{
	struct nm_fi_point *p;

	sim_init();
	p = name ? nm_fi_find(name, strlen(name)) : NULL;
	if (!p)
		return sim_fail(ENOENT);
	return nm_fi_show(p, buf, len);
}

long long nmsim_fi_hits(const char *name)
{
	struct nm_fi_point *p;

	sim_init();
	p = name ? nm_fi_find(name, strlen(name)) : NULL;
	if (!p)
		return sim_fail(ENOENT);
	return (long long)nm_atomic64_read(&p->hits);
}

const char *nmsim_fi_name(unsigned int i)
{
	return i < nm_fi_npoints ? nm_fi_points[i]->name : NULL;
}

void nmsim_fi_disarm_all(void)
{
	nm_fi_disarm_all();
}

int nmsim_param_set(const char *name, long value)
{
	int err;

	sim_init();
	if (!name)
		return sim_fail(EINVAL);
	NMG_LOCK();
	err = nm_param_set(name, value);
	NMG_UNLOCK();
	return err ? sim_fail(err) : 0;
}

int nmsim_param_get(const char *name, long *value)
{
	struct nm_param *p;

	sim_init();
	p = name ? nm_param_find(name) : NULL;
	if (!p)
		return sim_fail(ENOENT);
	if (value)
		*value = *p->value;
	return 0;
}

long nmsim_live_objects(void)
{
	return nm_live_objects();
}

long nmsim_mem_free_objects(unsigned int mem_id, int pool)
{
	struct netmap_mem_d *mem;
	long n;

	sim_init();
	if (pool < 0 || pool >= NM_POOLS || mem_id > 0xffff)
		return sim_fail(EINVAL);
	NMG_LOCK();
	mem = nm_mem_find((uint16_t)mem_id);
	if (!mem) {
		NMG_UNLOCK();
		return sim_fail(ENOENT);
	}
	n = mem->active ? (long)nm_mem_pool_free(mem, pool) : 0;
	nm_mem_put(mem);
	NMG_UNLOCK();
	return n;
}

/* issue 3: populated bytes, see nmsim.h */
long long nmsim_mem_populated(unsigned int mem_id)
{
	struct netmap_mem_d *mem;
	long long n;

	sim_init();
	if (mem_id == 0)
		return (long long)nm_mem_populated_total();
	if (mem_id > 0xffff)
		return sim_fail(ENOENT);
	NMG_LOCK();
	mem = nm_mem_find((uint16_t)mem_id);
	if (!mem) {
		NMG_UNLOCK();
		return sim_fail(ENOENT);
	}
	n = (long long)nm_mem_populated(mem);
	nm_mem_put(mem);
	NMG_UNLOCK();
	return n;
}

/* issue 3: see nmsim.h */
int nmsim_kring_state(int fd, int t, unsigned int i,
		      struct nmsim_kring_state *st)
{
	struct sim_file *f = sim_get(fd);
	struct netmap_adapter *na;
	int err = EINVAL;

	if (!f)
		return sim_fail(EBADF);
	NMG_LOCK();
	na = f->priv->np_na;
	if (st && na && (t == NR_TX || t == NR_RX) && na->rings[t] &&
	    i < nma_all_rings(na, t)) {
		struct netmap_kring *k = nma_kring(na, t, i);

		st->num_slots = k->nkr_num_slots;
		st->hwcur = k->nr_hwcur;
		st->hwtail = k->nr_hwtail;
		st->rhead = k->rhead;
		st->rcur = k->rcur;
		st->rtail = k->rtail;
		err = 0;
	}
	NMG_UNLOCK();
	sim_put(f);
	return err ? sim_fail(err) : 0;
}

long long nmsim_ring_reinits(int fd, int t, unsigned int i)
{
	struct sim_file *f = sim_get(fd);
	struct netmap_adapter *na;
	long long n = -1;

	if (!f)
		return sim_fail(EBADF);
	NMG_LOCK();
	na = f->priv->np_na;
	if (na && (t == NR_TX || t == NR_RX) && na->rings[t] &&
	    i < nma_all_rings(na, t))
		n = (long long)nm_atomic64_read(&nma_kring(na, t, i)->reinits);
	NMG_UNLOCK();
	sim_put(f);
	return n < 0 ? sim_fail(EINVAL) : n;
}

long nmsim_shutdown(void)
{
	struct sim_file **files;
	struct sim_map *maps, *m;
	long live;
	int fd, nfiles;

	/*
	 * Take everything out of the tables under the lock, then close and
	 * unmap without it: close() and munmap() may be interposed by a
	 * layer that asks nmsim_is_fd() / nmsim_is_mapping().
	 */
	pthread_mutex_lock(&sim_lock);
	if (!sim_ready) {
		pthread_mutex_unlock(&sim_lock);
		return nm_live_objects();
	}
	files = sim_files;
	nfiles = sim_nfiles;
	sim_files = NULL;
	sim_nfiles = 0;
	pthread_mutex_unlock(&sim_lock);
	pthread_mutex_lock(&sim_maps_lock);
	maps = sim_maps;
	sim_maps = NULL;
	pthread_mutex_unlock(&sim_maps_lock);

	for (fd = 0; fd < nfiles; fd++) {
		struct sim_file *f = files[fd];

		if (!f)
			continue;
		close(fd);
		netmap_priv_delete(f->priv);
		free(f);
	}
	free(files);
	while ((m = maps)) {
		maps = m->next;
		sim_map_release(m);
	}
	pthread_mutex_lock(&sim_lock);
	sim_nic_destroy_all();
	nm_fi_disarm_all();
	live = netmap_core_fini();
	__atomic_store_n(&sim_ready, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&sim_lock);
	return live;
}
