/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmtb: the classic netmap helper library, included by netmap_user.h when
 * NETMAP_WITH_LIBS is defined.
 *
 *   struct nm_desc *d = nm_open("netmap:eth0-1/x", NULL, 0, NULL);
 *   nm_inject(d, frame, len);             queue a frame on a tx ring
 *   ioctl(NETMAP_FD(d), NIOCTXSYNC, NULL); push it out
 *   poll({NETMAP_FD(d), POLLIN}, ...);    wait for rx
 *   nm_dispatch(d, -1, callback, arg);    or nm_nextpkt(d, &hdr)
 *   nm_close(d);
 *
 * Port names, as nm_open() takes them:
 *
 *   netmap:IFNAME[spec]      a system (or sim) interface
 *   valeX:Y[spec]            port Y of VALE switch X (X, Y: [A-Za-z0-9_]+)
 *
 * where spec is at most one ring selector, then any of /flags and @M:
 *
 *   (none)   all NIC rings             -N    NIC ring pair N only
 *   ^        the host rings only       *     NIC and host rings
 *   {N       master end of pipe N      }N    slave end of pipe N
 *   /xztrRT  flags: x exclusive, z zero-copy monitor, t monitor tx,
 *            r monitor rx, R rx rings only, T tx rings only
 *   @M       allocator (memory region) M, M > 0
 *
 * Ring numbers are decimal below 4095.  The port is registered with the
 * legacy NIOCREGIF request (struct nmreq in d->req: the NR_REG_* mode in
 * the low 4 bits of nr_flags, the ring in nr_ringid).  Every function here
 * is static inline: the header is the whole library, in C and in C++.
 */
#ifndef _NET_NETMAP_USER_LIBS_H_
#define _NET_NETMAP_USER_LIBS_H_

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* debug output, as netmap programs traditionally use it               */
/* ------------------------------------------------------------------ */

/* ND: compiled out.  D: timestamped line on stderr.  RD: at most lps/s. */
#ifndef ND
#define ND(_fmt, ...) do { } while (0)
#endif
#ifndef D
#define D(_fmt, ...)							\
	do {								\
		struct timeval _d_t;					\
		gettimeofday(&_d_t, NULL);				\
		fprintf(stderr, "%03d.%06d %s [%d] " _fmt "\n",		\
			(int)(_d_t.tv_sec % 1000), (int)_d_t.tv_usec,	\
			__func__, __LINE__, ##__VA_ARGS__);		\
	} while (0)
#endif
#ifndef RD
#define RD(_lps, _fmt, ...)						\
	do {								\
		static time_t _rd_sec;					\
		static int _rd_cnt;					\
		struct timeval _rd_t;					\
		gettimeofday(&_rd_t, NULL);				\
		if (_rd_t.tv_sec != _rd_sec) {				\
			_rd_sec = _rd_t.tv_sec;				\
			_rd_cnt = 0;					\
		}							\
		if (_rd_cnt++ < (_lps))					\
			D(_fmt, ##__VA_ARGS__);				\
	} while (0)
#endif

/* ------------------------------------------------------------------ */
/* types                                                               */
/* ------------------------------------------------------------------ */

struct nm_desc;

/* What nm_dispatch() and nm_nextpkt() report about a frame. */
struct nm_pkthdr {
	struct timeval	ts;	/* the rx ring's timestamp */
	uint32_t	caplen;	/* bytes at buf */
	uint32_t	len;	/* bytes in the frame (all fragments) */
	uint64_t	flags;	/* NM_MORE_PKTS */
#define NM_MORE_PKTS	1	/* another frame follows in this batch */
	struct nm_desc	*d;
	struct netmap_slot *slot;	/* the frame's first slot */
	uint8_t		*buf;
};

/* Counters in the style of pcap_stat. */
struct nm_stat {
	unsigned int	ps_recv;
	unsigned int	ps_drop;
	unsigned int	ps_ifdrop;
};

/* The callback of nm_dispatch(), shaped like a pcap handler. */
typedef void (*nm_cb_t)(unsigned char *arg, const struct nm_pkthdr *hdr,
			const unsigned char *buf);

#define NM_ERRBUF_SIZE	512

/*
 * An open port.  Rings are given as inclusive ranges of indices for
 * NETMAP_TXRING/NETMAP_RXRING (host rings come after the NIC rings);
 * a direction with no bound ring has first > last.
 */
struct nm_desc {
	struct nm_desc	*self;		/* == this descriptor, when valid */
	int		fd;		/* the /dev/netmap descriptor */
	void		*mem;		/* the mapped region */
	uint64_t	memsize;
	int		done_mmap;	/* mem is ours to unmap */
	struct netmap_if *nifp;
	uint16_t	first_tx_ring, last_tx_ring, cur_tx_ring;
	uint16_t	first_rx_ring, last_rx_ring, cur_rx_ring;
	struct nmreq	req;		/* the registration, as replied */
	struct nm_pkthdr hdr;		/* scratch for nm_dispatch() */

	/* where the buffers are, to recognise netmap memory */
	const struct netmap_ring *some_ring;
	const void	*buf_start;
	const void	*buf_end;

	/* pcap emulation */
	int		snaplen;
	int		promisc;
	int		to_ms;
	char		*errbuf;
	uint32_t	if_flags;
	uint32_t	if_reqcap;
	uint32_t	if_curcap;
	struct nm_stat	st;
	char		msg[NM_ERRBUF_SIZE];
};

#define P2NMD(_p)		((struct nm_desc *)(_p))
#define IS_NETMAP_DESC(_d)	((_d) && P2NMD(_d)->self == P2NMD(_d))
#define NETMAP_FD(_d)		(P2NMD(_d)->fd)

/* nm_open() flags; NETMAP_NO_TX_POLL and NETMAP_DO_RX_POLL also apply. */
#define NM_OPEN_NO_MMAP		0x040000	/* do not mmap (share the parent's) */
#define NM_OPEN_IFNAME		0x080000	/* name, ring and flags from the parent */
#define NM_OPEN_ARG1		0x100000	/* nr_arg1 from the parent */
#define NM_OPEN_ARG2		0x200000	/* nr_arg2 (allocator) from the parent */
#define NM_OPEN_ARG3		0x400000	/* nr_arg3 (extra buffers) from the parent */
#define NM_OPEN_RING_CFG	0x800000	/* ring and slot counts from the parent */

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

/*
 * Copy a frame between buffers.  Short multiples of 64 bytes go in whole
 * 64-byte blocks (netmap buffers are large enough and aligned); anything
 * else is a plain memcpy.
 */
static inline void
nm_pkt_copy(const void *_src, void *_dst, int l)
{
	const char *src = (const char *)_src;
	char *dst = (char *)_dst;

	if (l <= 0)
		return;
	if (l >= 1024 || (l & 63) != 0) {
		memcpy(dst, src, (size_t)l);
		return;
	}
	for (; l > 0; l -= 64, src += 64, dst += 64)
		memcpy(dst, src, 64);
}

/* Ring i of direction rx (0 tx, 1 rx), or NULL if not bound. */
static inline struct netmap_ring *
nmlib_ring(const struct nm_desc *d, int rx, unsigned int i)
{
	const struct netmap_if *nifp = d->nifp;
	unsigned int ntx, base = 0;

	if (!nifp)
		return NULL;
	ntx = nifp->ni_tx_rings + nifp->ni_host_tx_rings;
	if (rx) {
		if (i >= nifp->ni_rx_rings + nifp->ni_host_rx_rings)
			return NULL;
		base = ntx;
	} else if (i >= ntx) {
		return NULL;
	}
	if (nifp->ring_ofs[base + i] == 0)
		return NULL;
	return _NETMAP_OFFSET(struct netmap_ring *, nifp,
			      nifp->ring_ofs[base + i]);
}

/* Rings in [first, last], 0 when first > last. */
static inline unsigned int
nmlib_nrings(uint16_t first, uint16_t last)
{
	return first > last ? 0u : (unsigned int)(last - first) + 1u;
}

/* The ring after ri in [first, last], wrapping. */
static inline uint16_t
nmlib_next_ring(uint16_t ri, uint16_t first, uint16_t last)
{
	return (ri >= last || ri < first) ? first : (uint16_t)(ri + 1);
}

/*
 * The ring ranges the registration binds, from the mode in nr_flags and
 * the ring in nr_ringid, as the kernel interprets them: a ring number a
 * direction does not have selects its ring 0; RX_RINGS_ONLY and
 * TX_RINGS_ONLY leave the other direction empty.  Host ring counts come
 * from the netmap_if once mapped (1 before).
 */
static inline void
nmlib_set_rings(struct nm_desc *d)
{
	unsigned int mode = d->req.nr_flags & NR_REG_MASK;
	unsigned int j0 = d->req.nr_ringid & NETMAP_RING_MASK;
	int t;

	for (t = 0; t < 2; t++) {
		unsigned int n = t ? d->req.nr_rx_rings : d->req.nr_tx_rings;
		unsigned int h = 1, first, last, j = j0;

		if (d->nifp)
			h = t ? d->nifp->ni_host_rx_rings
			      : d->nifp->ni_host_tx_rings;
		switch (mode) {
		case NR_REG_SW:
			first = n;
			last = n + h - 1;
			break;
		case NR_REG_NIC_SW:
			first = 0;
			last = n + h - 1;
			break;
		case NR_REG_ONE_NIC:
			if (j >= n)
				j = 0;
			first = last = j;
			break;
		case NR_REG_ONE_SW:
			if (j >= h)
				j = 0;
			first = last = n + j;
			break;
		default:	/* ALL_NIC, NULL, pipes (registered as ALL_NIC) */
			first = 0;
			last = n - 1;
			break;
		}
		if (last + 1 == first ||	/* no ring of that kind */
		    (t == 0 && (d->req.nr_flags & NR_RX_RINGS_ONLY)) ||
		    (t == 1 && (d->req.nr_flags & NR_TX_RINGS_ONLY))) {
			first = 1;
			last = 0;
		}
		if (t) {
			d->first_rx_ring = d->cur_rx_ring = (uint16_t)first;
			d->last_rx_ring = (uint16_t)last;
		} else {
			d->first_tx_ring = d->cur_tx_ring = (uint16_t)first;
			d->last_tx_ring = (uint16_t)last;
		}
	}
}

static inline int
nmlib_fail(char *err, const char *fmt, const char *what)
{
	if (err)
		snprintf(err, NM_ERRBUF_SIZE, fmt, what);
	errno = EINVAL;
	return -1;
}

static inline int
nmlib_is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* A decimal ring or allocator number below NETMAP_RING_MASK. */
static inline int
nmlib_number(const char **pp, unsigned int *v)
{
	const char *p = *pp;
	unsigned int n = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned int)(*p - '0');
		if (n >= NETMAP_RING_MASK)
			return -1;
	}
	*pp = p;
	*v = n;
	return 0;
}

/*
 * Parse a port name into d->req: nr_name, the mode (low bits of
 * nr_flags), the flags, nr_ringid and (with @M) nr_arg2.  Returns 0, or
 * -1 with errno EINVAL and a message in err (NM_ERRBUF_SIZE bytes).
 */
static inline int
nm_parse(const char *ifname, struct nm_desc *d, char *err)
{
	const char *name, *p;
	unsigned int mode = NR_REG_ALL_NIC, ringid = 0, memid = 0, v;
	uint32_t flags = 0;
	size_t len;
	int have_mem = 0;

	if (!ifname)
		return nmlib_fail(err, "%s", "no port name");
	if (strncmp(ifname, "netmap:", 7) == 0) {
		name = p = ifname + 7;
		while (*p && !strchr("-*^{}/@", *p))
			p++;
	} else if (strncmp(ifname, "vale", 4) == 0) {
		name = ifname;
		for (p = ifname + 4; nmlib_is_word(*p); p++)
			;
		if (p == ifname + 4 || *p != ':')
			return nmlib_fail(err, "%s: expected valeX:Y", ifname);
		for (v = 0, p++; nmlib_is_word(*p); p++)
			v++;
		if (v == 0)
			return nmlib_fail(err, "%s: no VALE port name", ifname);
	} else {
		return nmlib_fail(err, "%s: not a netmap port name", ifname);
	}
	len = (size_t)(p - name);
	if (len == 0)
		return nmlib_fail(err, "%s: empty interface name", ifname);
	if (len >= sizeof(d->req.nr_name))
		return nmlib_fail(err, "%s: interface name too long", ifname);

	/* at most one ring selector, right after the name */
	switch (*p) {
	case '-':
	case '{':
	case '}':
		mode = *p == '-' ? NR_REG_ONE_NIC :
		       *p == '{' ? NR_REG_PIPE_MASTER : NR_REG_PIPE_SLAVE;
		p++;
		if (nmlib_number(&p, &ringid))
			return nmlib_fail(err, "%s: bad ring or pipe number",
					  ifname);
		break;
	case '^':
		mode = NR_REG_SW;
		p++;
		break;
	case '*':
		mode = NR_REG_NIC_SW;
		p++;
		break;
	default:
		break;
	}

	/* then /flags and @M */
	while (*p) {
		if (*p == '@') {
			p++;
			if (have_mem || nmlib_number(&p, &memid) || memid == 0)
				return nmlib_fail(err, "%s: bad or repeated @M",
						  ifname);
			have_mem = 1;
			continue;
		}
		if (*p != '/')
			return nmlib_fail(err, "%s: unexpected character in "
					  "the ring specification", ifname);
		for (p++; *p && *p != '/' && *p != '@'; p++) {
			switch (*p) {
			case 'x':
				flags |= NR_EXCLUSIVE;
				break;
			case 'z':
				flags |= NR_ZCOPY_MON;
				break;
			case 't':
				flags |= NR_MONITOR_TX;
				break;
			case 'r':
				flags |= NR_MONITOR_RX;
				break;
			case 'R':
				flags |= NR_RX_RINGS_ONLY;
				break;
			case 'T':
				flags |= NR_TX_RINGS_ONLY;
				break;
			default:
				return nmlib_fail(err, "%s: unknown flag after "
						  "'/'", ifname);
			}
		}
	}

	memset(d->req.nr_name, 0, sizeof(d->req.nr_name));
	memcpy(d->req.nr_name, name, len);
	d->req.nr_flags = (d->req.nr_flags & ~(uint32_t)NR_REG_MASK) | mode |
			  flags;
	d->req.nr_ringid = (uint16_t)((d->req.nr_ringid & ~NETMAP_RING_MASK) |
				      ringid);
	if (have_mem)
		d->req.nr_arg2 = (uint16_t)memid;
	return 0;
}

/*
 * Map the region, or share the parent's mapping when both use the same
 * allocator.  Fills nifp, the ring ranges, some_ring and the buffer
 * bounds.  Returns 0 or an errno value (also left in errno).
 */
static inline int
nm_mmap(struct nm_desc *d, const struct nm_desc *parent)
{
	struct netmap_ring *r;

	if (!IS_NETMAP_DESC(d))
		return (errno = EINVAL);
	if (!d->mem) {
		if (IS_NETMAP_DESC(parent) && parent->mem &&
		    parent->req.nr_arg2 == d->req.nr_arg2) {
			d->mem = parent->mem;
			d->memsize = parent->memsize;
			d->done_mmap = 0;
		} else {
			void *p = mmap(NULL, d->req.nr_memsize,
				       PROT_READ | PROT_WRITE, MAP_SHARED,
				       d->fd, 0);

			if (p == MAP_FAILED) {
				snprintf(d->msg, sizeof(d->msg), "mmap: %s",
					 strerror(errno));
				return errno;
			}
			d->mem = p;
			d->memsize = d->req.nr_memsize;
			d->done_mmap = 1;
		}
	}
	d->nifp = NETMAP_IF(d->mem, d->req.nr_offset);
	nmlib_set_rings(d);
	r = nmlib_ring(d, 1, d->first_rx_ring);
	if (!r)
		r = nmlib_ring(d, 0, d->first_tx_ring);
	d->some_ring = r;
	if (r) {
		d->buf_start = NETMAP_BUF(r, 0);
		d->buf_end = (const char *)d->mem + d->memsize;
	}
	return 0;
}

/* Unmap (if the mapping is ours), close and free.  0 or EINVAL. */
static inline int
nm_close(struct nm_desc *d)
{
	if (!IS_NETMAP_DESC(d))
		return EINVAL;
	if (d->done_mmap && d->mem)
		munmap(d->mem, (size_t)d->memsize);
	if (d->fd >= 0)
		close(d->fd);
	memset(d, 0, sizeof(*d));
	free(d);
	return 0;
}

/*
 * Open and register a port (see the top of this file for the names).
 * req, when given, supplies the initial struct nmreq (ring and slot
 * counts, nr_arg2/nr_arg3, nr_flags bits); flags are NM_OPEN_* and the
 * poll bits; parent lends its settings (NM_OPEN_ARGx, NM_OPEN_RING_CFG,
 * NM_OPEN_IFNAME) and its mapping.
 *
 * Returns NULL with errno 0 when ifname is not a netmap name at all (so
 * a caller may try something else), or NULL with errno set on failure;
 * the reason is printed on stderr.
 */
static inline struct nm_desc *
nm_open(const char *ifname, const struct nmreq *req, uint64_t new_flags,
	const struct nm_desc *arg)
{
	const struct nm_desc *parent = IS_NETMAP_DESC(arg) ? arg : NULL;
	char errmsg[NM_ERRBUF_SIZE];
	struct nm_desc *d;
	int err;

	if (!ifname || (strncmp(ifname, "netmap:", 7) != 0 &&
			strncmp(ifname, "vale", 4) != 0)) {
		errno = 0;
		return NULL;
	}
	errmsg[0] = '\0';
	d = (struct nm_desc *)calloc(1, sizeof(*d));
	if (!d) {
		snprintf(errmsg, sizeof(errmsg), "%s: out of memory", ifname);
		errno = ENOMEM;
		goto fail;
	}
	d->self = d;
	d->fd = open(NETMAP_DEVICE_NAME, O_RDWR);
	if (d->fd < 0) {
		snprintf(errmsg, sizeof(errmsg), "%s: cannot open %s: %s",
			 ifname, NETMAP_DEVICE_NAME, strerror(errno));
		goto fail;
	}
	if (req)
		d->req = *req;
	if (!(new_flags & NM_OPEN_IFNAME)) {
		if (nm_parse(ifname, d, errmsg))
			goto fail;
	} else if (!parent) {
		snprintf(errmsg, sizeof(errmsg), "%s: NM_OPEN_IFNAME "
			 "without a parent descriptor", ifname);
		errno = EINVAL;
		goto fail;
	}
	d->req.nr_version = NETMAP_API;
	d->req.nr_ringid &= NETMAP_RING_MASK;

	if (parent) {
		if (new_flags & NM_OPEN_ARG1)
			d->req.nr_arg1 = parent->req.nr_arg1;
		if (new_flags & NM_OPEN_ARG2)
			d->req.nr_arg2 = parent->req.nr_arg2;
		if (new_flags & NM_OPEN_ARG3)
			d->req.nr_arg3 = parent->req.nr_arg3;
		if (new_flags & NM_OPEN_RING_CFG) {
			d->req.nr_tx_slots = parent->req.nr_tx_slots;
			d->req.nr_rx_slots = parent->req.nr_rx_slots;
			d->req.nr_tx_rings = parent->req.nr_tx_rings;
			d->req.nr_rx_rings = parent->req.nr_rx_rings;
		}
		if (new_flags & NM_OPEN_IFNAME) {
			memcpy(d->req.nr_name, parent->req.nr_name,
			       sizeof(d->req.nr_name));
			d->req.nr_ringid = parent->req.nr_ringid &
					   NETMAP_RING_MASK;
			d->req.nr_flags = parent->req.nr_flags;
		}
	}
	d->req.nr_ringid |= (uint16_t)(new_flags &
				       (NETMAP_NO_TX_POLL | NETMAP_DO_RX_POLL));

	if (ioctl(d->fd, NIOCREGIF, &d->req) != 0) {
		snprintf(errmsg, sizeof(errmsg), "%s: NIOCREGIF %.16s: %s",
			 ifname, d->req.nr_name, strerror(errno));
		goto fail;
	}
	nmlib_set_rings(d);
	if (!(new_flags & NM_OPEN_NO_MMAP) || parent) {
		err = nm_mmap(d, parent);
		if (err) {
			snprintf(errmsg, sizeof(errmsg), "%s: mmap: %s", ifname,
				 strerror(err));
			errno = err;
			goto fail;
		}
	}
	return d;

fail:
	err = errno ? errno : EINVAL;
	if (d)
		nm_close(d);
	if (errmsg[0])
		fprintf(stderr, "nm_open: %s\n", errmsg);
	errno = err;
	return NULL;
}

/* The frame starting at ring->cur: its slots end before *end.  0: none. */
static inline int
nmlib_rx_frame(const struct netmap_ring *ring, uint32_t *end, uint32_t *len,
	       unsigned int *nfrags)
{
	uint32_t i = ring->cur, total = 0;
	unsigned int n = 0;

	while (i != ring->tail && i < ring->num_slots) {
		const struct netmap_slot *s = &ring->slot[i];

		total += s->len;
		n++;
		i = nm_ring_next((struct netmap_ring *)ring, i);
		if (!(s->flags & NS_MOREFRAG)) {
			*end = i;
			*len = total;
			*nfrags = n;
			return 1;
		}
	}
	return 0;	/* empty, or a chain still incomplete */
}

/*
 * Queue one frame on the first tx ring, round-robin from cur_tx_ring,
 * with room for it between cur and tail; frames larger than a buffer
 * take several slots chained with NS_MOREFRAG.  Returns size, or 0 when
 * no ring had room.  No txsync: use NIOCTXSYNC or poll.
 */
static inline int
nm_inject(struct nm_desc *d, const void *buf, size_t size)
{
	unsigned int c, n = nmlib_nrings(d->first_tx_ring, d->last_tx_ring);
	uint16_t ri = d->cur_tx_ring;

	if (size == 0 || size > (size_t)0x7fffffff)
		return 0;
	if (ri < d->first_tx_ring || ri > d->last_tx_ring)
		ri = d->first_tx_ring;
	for (c = 0; c < n; c++, ri = nmlib_next_ring(ri, d->first_tx_ring,
						     d->last_tx_ring)) {
		struct netmap_ring *ring = nmlib_ring(d, 0, ri);
		const char *src = (const char *)buf;
		size_t left = size;
		unsigned int frags = 0;
		uint32_t i;

		if (!ring || ring->cur >= ring->num_slots)
			continue;
		/* room? every slot takes its buffer's bytes past the offset */
		for (i = ring->cur; left > 0 && i != ring->tail &&
		     frags < NETMAP_MAX_FRAGS; i = nm_ring_next(ring, i)) {
			uint64_t off = NETMAP_ROFFSET(ring, &ring->slot[i]);
			size_t cap = off < ring->nr_buf_size ?
				     ring->nr_buf_size - off : 0;

			if (cap > 0xffff)
				cap = 0xffff;
			if (cap == 0)
				break;
			left -= left < cap ? left : cap;
			frags++;
		}
		if (left > 0)
			continue;
		left = size;
		for (i = ring->cur; left > 0; i = nm_ring_next(ring, i)) {
			struct netmap_slot *slot = &ring->slot[i];
			uint64_t off = NETMAP_ROFFSET(ring, slot);
			size_t cap = ring->nr_buf_size - off;
			size_t chunk;

			if (cap > 0xffff)
				cap = 0xffff;
			chunk = left < cap ? left : cap;
			nm_pkt_copy(src, NETMAP_BUF_OFFSET(ring, slot),
				    (int)chunk);
			slot->len = (uint16_t)chunk;
			slot->flags = (uint16_t)((slot->flags & ~NS_MOREFRAG) |
						 (left > chunk ? NS_MOREFRAG :
								 0));
			src += chunk;
			left -= chunk;
		}
		ring->head = ring->cur = i;
		d->cur_tx_ring = ri;
		return (int)size;
	}
	return 0;
}

/* Some rx ring after position c of the round has a slot to read. */
static inline int
nmlib_rx_more(const struct nm_desc *d, unsigned int c, unsigned int n,
	      uint16_t ri)
{
	for (c++; c < n; c++) {
		const struct netmap_ring *r;

		ri = nmlib_next_ring(ri, d->first_rx_ring, d->last_rx_ring);
		r = nmlib_ring(d, 1, ri);
		if (r && r->cur != r->tail)
			return 1;
	}
	return 0;
}

/*
 * Hand up to cnt received frames (all available if cnt <= 0) to cb,
 * round-robin over the rx rings from cur_rx_ring.  A NS_MOREFRAG chain
 * is one frame: cb sees it gathered into one buffer.  The slots go back
 * to the kernel (head = cur) at the next sync.  Returns the frames
 * handed up.
 */
static inline int
nm_dispatch(struct nm_desc *d, int cnt, nm_cb_t cb, unsigned char *arg)
{
	unsigned int c, n = nmlib_nrings(d->first_rx_ring, d->last_rx_ring);
	uint16_t ri = d->cur_rx_ring;
	int got = 0;

	if (cnt <= 0)
		cnt = -1;
	if (ri < d->first_rx_ring || ri > d->last_rx_ring)
		ri = d->first_rx_ring;
	for (c = 0; c < n && got != cnt; c++, ri = nmlib_next_ring(ri,
					d->first_rx_ring, d->last_rx_ring)) {
		struct netmap_ring *ring = nmlib_ring(d, 1, ri);
		uint32_t end, len;
		unsigned int nfrags;

		if (!ring || ring->cur >= ring->num_slots)
			continue;
		d->cur_rx_ring = ri;
		while (got != cnt && nmlib_rx_frame(ring, &end, &len, &nfrags)) {
			struct netmap_slot *slot = &ring->slot[ring->cur];
			uint8_t *p = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
			uint8_t *gather = NULL;
			uint32_t caplen = slot->len;

			if (nfrags > 1) {
				gather = (uint8_t *)malloc(len ? len : 1);
				if (gather) {
					uint32_t i, pos = 0;

					for (i = ring->cur; i != end;
					     i = nm_ring_next(ring, i)) {
						struct netmap_slot *s =
							&ring->slot[i];

						memcpy(gather + pos,
						       NETMAP_BUF_OFFSET(ring, s),
						       s->len);
						pos += s->len;
					}
					p = gather;
					caplen = len;
				}
			}
			if (d->snaplen > 0 && caplen > (uint32_t)d->snaplen)
				caplen = (uint32_t)d->snaplen;
			d->hdr.ts = ring->ts;
			d->hdr.len = len;
			d->hdr.caplen = caplen;
			d->hdr.d = d;
			d->hdr.slot = slot;
			d->hdr.buf = p;
			d->hdr.flags = (got + 1 != cnt &&
					(end != ring->tail ||
					 nmlib_rx_more(d, c, n, ri))) ?
				       NM_MORE_PKTS : 0;
			cb(arg, &d->hdr, p);
			free(gather);
			ring->cur = end;
			got++;
		}
		ring->head = ring->cur;
	}
	d->st.ps_recv += (unsigned int)got;
	return got;
}

/*
 * The next received frame from any rx ring (round-robin from
 * cur_rx_ring), or NULL.  Its slots go back to the kernel at the next
 * sync, so the buffer is valid until then.  For a NS_MOREFRAG chain buf
 * is the first fragment: hdr->caplen its bytes, hdr->len the frame's.
 */
static inline unsigned char *
nm_nextpkt(struct nm_desc *d, struct nm_pkthdr *hdr)
{
	unsigned int c, n = nmlib_nrings(d->first_rx_ring, d->last_rx_ring);
	uint16_t ri = d->cur_rx_ring;

	if (ri < d->first_rx_ring || ri > d->last_rx_ring)
		ri = d->first_rx_ring;
	for (c = 0; c < n; c++, ri = nmlib_next_ring(ri, d->first_rx_ring,
						     d->last_rx_ring)) {
		struct netmap_ring *ring = nmlib_ring(d, 1, ri);
		struct netmap_slot *slot;
		uint32_t end, len;
		unsigned int nfrags;
		uint8_t *p;

		if (!ring || ring->cur >= ring->num_slots ||
		    !nmlib_rx_frame(ring, &end, &len, &nfrags))
			continue;
		slot = &ring->slot[ring->cur];
		p = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
		if (hdr) {
			hdr->ts = ring->ts;
			hdr->len = len;
			hdr->caplen = slot->len;
			if (d->snaplen > 0 && hdr->caplen > (uint32_t)d->snaplen)
				hdr->caplen = (uint32_t)d->snaplen;
			hdr->flags = 0;
			hdr->d = d;
			hdr->slot = slot;
			hdr->buf = p;
		}
		ring->head = ring->cur = end;
		d->cur_rx_ring = ri;
		d->st.ps_recv++;
		return p;
	}
	return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* _NET_NETMAP_USER_LIBS_H_ */
