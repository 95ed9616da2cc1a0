/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NIOCCTRL and the legacy NIOCREGIF / NIOCGINFO: the parser rules of
 * kernel/nm_ctrl.c and shared/ABI.md, checked byte for byte.
 *
 * Requests are built in a canary-filled arena (ar).  Before a call the
 * test snapshots the arena into ar_exp ("what was sent"), edits ar_exp into
 * what the kernel owes the user (statuses, nr_reserved 0, reply bodies),
 * and after the call the two must be identical: a byte written anywhere
 * else, or a byte not written, fails the test.
 *
 * Some writes leave no trace in content, because the kernel writes back
 * what it read.  Read-only pages make those visible: process_vm_writev()
 * cannot write them, so a write the kernel attempts there turns into
 * EFAULT for the caller.  (Only in unrestricted mode: with
 * nmsim_user_restrict() the sim copies with memcpy.)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>

#include "t.h"
#include "tutil.h"

#define N(a)		(sizeof(a) / sizeof((a)[0]))

/* A helper that may have failed a CHECK: leave the caller too. */
#define RUN(call) do {							\
	call;								\
	if (t_failed())							\
		return;							\
} while (0)

/* ------------------------------------------------------------------ */
/* the arena                                                           */
/* ------------------------------------------------------------------ */

#define AR_SZ		(3 * 4096)
#define HDR_OFF		64	/* canaries before the header ... */
#define BODY_OFF	256	/* ... between header and body ... */
#define OPT_OFF		512	/* ... and around every option */
#define OPT_JUNK	0xdeadbeefu	/* the kernel must replace it */
#define BODY_JUNK	0x5a		/* bytes of a body as sent */
#define MAXSZ		NETMAP_REQ_MAXSIZE
#define OPT_HDR		((uint64_t)sizeof(struct nmreq_option))

static uint8_t ar[AR_SZ] __attribute__((aligned(4096)));
static uint8_t ar_exp[AR_SZ] __attribute__((aligned(4096)));
/* user memory outside the arena, for nmsim_user_restrict() tests */
static uint8_t outside[4096] __attribute__((aligned(4096)));
static uint8_t outside_exp[4096] __attribute__((aligned(4096)));

static uint8_t canary(size_t i)
{
	return (uint8_t)(0xc3 ^ (i * 29) ^ (i >> 7));
}

static void ar_reset(void)
{
	size_t i;

	for (i = 0; i < AR_SZ; i++)
		ar[i] = canary(i);
	for (i = 0; i < sizeof(outside); i++)
		outside[i] = canary(i + 11);
}

/* The request as sent; from here on ar_exp is edited into the reply. */
static void ar_sent(void)
{
	memcpy(ar_exp, ar, AR_SZ);
	memcpy(outside_exp, outside, sizeof(outside));
}

/* The place in ar_exp of an object in ar. */
#define EX(p)								\
	((__typeof__(p))(void *)(ar_exp + ((const uint8_t *)(p) - ar)))

/* Accept the bytes the kernel wrote at p (checked field by field before). */
static void ex_take(const void *p, size_t len)
{
	memcpy(ar_exp + ((const uint8_t *)p - ar), p, len);
}

static long first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	if (!memcmp(a, b, n))
		return -1;
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* Every byte of the arena (and of `outside`) is what ar_exp says. */
#define CHECK_ARENA() do {						\
	long _d = first_diff(ar, ar_exp, AR_SZ);			\
	if (_d >= 0) {							\
		t_failf(__FILE__, __LINE__,				\
			"arena byte %ld: 0x%02x, want 0x%02x", _d,	\
			ar[_d], ar_exp[_d]);				\
		return;							\
	}								\
	_d = first_diff(outside, outside_exp, sizeof(outside));		\
	if (_d >= 0) {							\
		t_failf(__FILE__, __LINE__,				\
			"outside byte %ld: 0x%02x, want 0x%02x", _d,	\
			outside[_d], outside_exp[_d]);			\
		return;							\
	}								\
} while (0)

/* ------------------------------------------------------------------ */
/* per-test setup: small pools, and whatever happens, undone after     */
/* ------------------------------------------------------------------ */

static long saved_buf_num, saved_buf_size;
static uint8_t *ro_map;		/* two pages, the second one read-only */
static void *none_map;		/* one PROT_NONE page */

static void ct_setup(void)
{
	nmsim_param_get("buf_num", &saved_buf_num);
	nmsim_param_get("buf_size", &saved_buf_size);
	nmsim_param_set("buf_num", 4096);
	ar_reset();
}

static void ct_teardown(void)
{
	nmsim_user_restrict(NULL, 0);
	nmsim_param_set("buf_num", saved_buf_num);
	nmsim_param_set("buf_size", saved_buf_size);
	if (ro_map)
		munmap(ro_map, 8192);
	ro_map = NULL;
	if (none_map)
		munmap(none_map, 4096);
	none_map = NULL;
}

#define CTEST(name)							\
	static void name##_body(void);					\
	TEST(name)							\
	{								\
		ct_setup();						\
		name##_body();						\
		ct_teardown();						\
	}								\
	static void name##_body(void)

/* Two pages; ro_seal() makes the second read-only. */
static uint8_t *ro_pages(void)
{
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, 8192);
	ro_map = p;
	return ro_map;
}

static int ro_seal(void)
{
	return mprotect(ro_map + 4096, 4096, PROT_READ);
}

/* An address nothing is mapped at. */
static uint64_t unmapped_addr(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return 0;
	none_map = p;
	return (uintptr_t)p;
}

/* ------------------------------------------------------------------ */
/* requests                                                            */
/* ------------------------------------------------------------------ */

static int ioc(int fd, unsigned long cmd, const void *arg)
{
	return nmsim_ioctl(fd, cmd, (void *)(uintptr_t)arg) ? errno : 0;
}

static int ctrl(int fd, const void *hdr)
{
	return ioc(fd, NIOCCTRL, hdr);
}

/* A header at ar + off; nr_name's bytes after the NUL keep canaries. */
static struct nmreq_header *mk_hdr_at(void *where, uint16_t type,
				      const char *name, const void *body,
				      const void *opts)
{
	struct nmreq_header *h = where;

	h->nr_version = NETMAP_API;
	h->nr_reqtype = type;
	h->nr_reserved = 0;
	memcpy(h->nr_name, name, strlen(name) + 1);
	h->nr_options = (uintptr_t)opts;
	h->nr_body = (uintptr_t)body;
	return h;
}

static struct nmreq_header *mk_hdr(uint16_t type, const char *name,
				   const void *body, const void *opts)
{
	return mk_hdr_at(ar + HDR_OFF, type, name, body, opts);
}

static void *mk_body(size_t off, size_t len)
{
	memset(ar + off, BODY_JUNK, len);
	return ar + off;
}

/* A REGISTER body: junk in the output fields, the inputs given. */
static struct nmreq_register *mk_reg_at(void *where, uint32_t mode,
					uint16_t ringid, uint64_t flags)
{
	struct nmreq_register *r = where;

	memset(r, BODY_JUNK, sizeof(*r));
	r->nr_tx_slots = r->nr_rx_slots = 0;
	r->nr_tx_rings = r->nr_rx_rings = 0;
	r->nr_host_tx_rings = r->nr_host_rx_rings = 0;
	r->nr_mem_id = 0;
	r->nr_ringid = ringid;
	r->nr_mode = mode;
	r->nr_extra_bufs = 0;
	r->nr_flags = flags;
	return r;
}

static struct nmreq_register *mk_reg(uint32_t mode, uint16_t ringid,
				     uint64_t flags)
{
	return mk_reg_at(ar + BODY_OFF, mode, ringid, flags);
}

static struct nmreq_option *mk_opt(void *where, uint32_t type, uint64_t size,
				   const void *next)
{
	struct nmreq_option *o = where;

	o->nro_next = (uintptr_t)next;
	o->nro_reqtype = type;
	o->nro_status = OPT_JUNK;
	o->nro_size = size;
	return o;
}

struct ospec {
	uint32_t	type;
	uint64_t	size;
};

/* Room an option takes in the arena: its size when plausible. */
static size_t footprint(uint64_t size)
{
	return size >= OPT_HDR && size <= MAXSZ ? (size_t)(size + 7) & ~7ul
						: (size_t)OPT_HDR;
}

/* Options one after the other from ar + off, linked in order. */
static struct nmreq_option *mk_chain(size_t off, const struct ospec *s,
				     unsigned int n, struct nmreq_option **o)
{
	unsigned int i;
	size_t pos = off;

	for (i = 0; i < n; i++) {
		o[i] = (struct nmreq_option *)(void *)(ar + pos);
		pos += footprint(s[i].size);
	}
	if (pos > AR_SZ)
		abort();	/* a test bug */
	for (i = 0; i < n; i++)
		mk_opt(o[i], s[i].type, s[i].size, i + 1 < n ? o[i + 1] : NULL);
	return n ? o[0] : NULL;
}

static void ex_status(const struct nmreq_option *o, uint32_t st)
{
	EX((struct nmreq_option *)o)->nro_status = st;
}

/* The global allocator's description, by a request off the arena. */
static int pools_of(int fd, const char *name, uint16_t mem_id,
		    struct nmreq_pools_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->nr_mem_id = mem_id;
	return t_ctrl(fd, name, NETMAP_REQ_POOLS_INFO_GET, pi, NULL);
}

static int port_info_of(int fd, const char *name,
			struct nmreq_port_info_get *pi)
{
	memset(pi, 0, sizeof(*pi));
	return t_ctrl(fd, name, NETMAP_REQ_PORT_INFO_GET, pi, NULL);
}

static uint64_t memsize_now(int fd)
{
	struct nmreq_pools_info pi;

	return pools_of(fd, "", 0, &pi) ? 0 : pi.nr_memsize;
}

/* What PORT_INFO_GET owes for a sim NIC, written into ar_exp. */
static void ex_port_info(struct nmreq_port_info_get *b, uint16_t rings,
			 uint32_t slots, uint64_t memsize)
{
	struct nmreq_port_info_get *e = EX(b);

	e->nr_memsize = memsize;
	e->nr_tx_slots = e->nr_rx_slots = slots;
	e->nr_tx_rings = e->nr_rx_rings = rings;
	e->nr_host_tx_rings = e->nr_host_rx_rings = 1;
	e->nr_mem_id = 1;
}

/* Is fd registered?  Only a registered descriptor can be mapped. */
static int registered(int fd)
{
	void *p = nmsim_mmap(fd, 4096);

	if (p == MAP_FAILED)
		return 0;
	nmsim_munmap(p, 4096);
	return 1;
}

/* Which rings of a kind (tx or rx) a netmap_if binds, as a bit mask. */
static unsigned int bound(const struct netmap_if *n, int tx)
{
	unsigned int ntx = n->ni_tx_rings + n->ni_host_tx_rings;
	unsigned int cnt = tx ? ntx : n->ni_rx_rings + n->ni_host_rx_rings;
	unsigned int i, mask = 0;

	for (i = 0; i < cnt; i++)
		if (n->ring_ofs[(tx ? 0 : ntx) + i])
			mask |= 1u << i;
	return mask;
}

/* Length of the extra buffer list of a port (bounded by max). */
static unsigned int extra_list_len(struct tport *p, unsigned int max)
{
	struct netmap_ring *ring = tp_tx(p, 0);
	uint32_t idx, first = p->nifp->ni_bufs_head;
	unsigned int n = 0;

	for (idx = first; idx >= 2 && n <= max; n++) {
		idx = *(uint32_t *)(void *)NETMAP_BUF(ring, idx);
		if (idx == first)
			break;	/* a cycle: n is then wrong, and fails */
	}
	return idx == 0 ? n : max + 1;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------------ */
/* header checks                                                       */
/* ------------------------------------------------------------------ */

/* nr_version outside [14, 15]: EINVAL, nothing but the header back. */
CTEST(ctrl_version_range)
{
	static const uint16_t bad[] = { 0, 1, 13, 16, 17, 0x8000, 0xffff };
	static const uint16_t good[] = { 14, 15 };
	struct nmreq_port_info_get *b;
	struct nmreq_option *o;
	struct nmreq_header *h;
	uint64_t memsize;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	CHECK(memsize > 0);
	for (i = 0; i < N(bad); i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b, o);
		h->nr_version = bad[i];
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
	}
	for (i = 0; i < N(good); i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b, o);
		h->nr_version = good[i];
		ar_sent();
		CHECK_EQ(ctrl(fd, h), 0);
		ex_port_info(b, 2, 64, memsize);
		ex_status(o, EOPNOTSUPP);
		CHECK_ARENA();
	}
	nmsim_close(fd);
}

/* nr_reserved != 0: EINVAL, and it comes back 0, the rest as sent. */
CTEST(ctrl_reserved_nonzero)
{
	static const uint32_t vals[] = { 1, 0x100, 0x80000000u, 0xffffffffu };
	struct nmreq_port_info_get *b;
	struct nmreq_option *o;
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(vals); i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b, o);
		h->nr_reserved = vals[i];
		ar_sent();
		EX(h)->nr_reserved = 0;
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_EQ(h->nr_reserved, 0);
		CHECK_ARENA();	/* chain not read: status as sent */
	}
	nmsim_close(fd);
}

/* nr_reqtype 0 and >= 16: EINVAL, with or without a body. */
CTEST(ctrl_unknown_reqtype)
{
	static const uint16_t types[] = { 0, 16, 17, 0x100, 0xffff };
	struct nmreq_option *o;
	struct nmreq_header *h;
	unsigned int i, withbody;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(types); i++) {
		for (withbody = 0; withbody < 2; withbody++) {
			void *b;

			ar_reset();
			b = withbody ? mk_body(BODY_OFF, 64) : NULL;
			o = mk_opt(ar + OPT_OFF, 99, OPT_HDR, NULL);
			h = mk_hdr(types[i], "sim0", b, o);
			ar_sent();
			CHECK_EQ(ctrl(fd, h), EINVAL);
			CHECK_ARENA();
		}
	}
	nmsim_close(fd);
}

/*
 * A body exactly when the type has one.  An unknown option after the
 * header shows where the parser stopped: its status is written only when
 * the body check passed.
 */
CTEST(ctrl_body_presence)
{
	static const uint16_t with[] = { 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12,
					 13 };
	static const uint16_t without[] = { NETMAP_REQ_VALE_DELIF,
					    NETMAP_REQ_SYNC_KLOOP_STOP,
					    NETMAP_REQ_CSB_ENABLE };
	struct nmreq_option *o;
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(with); i++) {
		ar_reset();
		o = mk_opt(ar + OPT_OFF, 99, OPT_HDR, NULL);
		h = mk_hdr(with[i], "sim0", NULL, o);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
	}
	for (i = 0; i < N(without); i++) {
		/* a body where none belongs */
		ar_reset();
		o = mk_opt(ar + OPT_OFF, 99, OPT_HDR, NULL);
		h = mk_hdr(without[i], "sim0", mk_body(BODY_OFF, 64), o);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
		/* no body: the parser goes on to the options */
		ar_reset();
		o = mk_opt(ar + OPT_OFF, 99, OPT_HDR, NULL);
		h = mk_hdr(without[i], "sim0", NULL, o);
		ar_sent();
		ex_status(o, EOPNOTSUPP);
		CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
		CHECK_ARENA();
	}
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* nr_name must hold a NUL within its 64 bytes. */
CTEST(ctrl_name_without_nul)
{
	static const uint16_t types[] = { NETMAP_REQ_PORT_INFO_GET,
					  NETMAP_REQ_REGISTER,
					  NETMAP_REQ_POOLS_INFO_GET };
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(types); i++) {
		void *b;

		ar_reset();
		b = types[i] == NETMAP_REQ_REGISTER ?
		    (void *)mk_reg(NR_REG_ALL_NIC, 0, 0) :
		    mk_body(BODY_OFF, 64);
		h = mk_hdr(types[i], "sim0", b, NULL);
		memset(h->nr_name, 'n', sizeof(h->nr_name));
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
		/* a NUL in the last byte is enough: parsed, no such port */
		ar_reset();
		b = types[i] == NETMAP_REQ_REGISTER ?
		    (void *)mk_reg(NR_REG_ALL_NIC, 0, 0) :
		    mk_body(BODY_OFF, 64);
		h = mk_hdr(types[i], "sim0", b, NULL);
		memset(h->nr_name, 'n', sizeof(h->nr_name) - 1);
		h->nr_name[sizeof(h->nr_name) - 1] = '\0';
		ar_sent();
		CHECK_EQ(ctrl(fd, h), ENXIO);
		CHECK_ARENA();
	}
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/*
 * Success: the header back as sent, the body filled, the statuses
 * written, nothing else.  And the header is written last: a body that
 * overlaps it is overwritten by the header.
 */
CTEST(ctrl_header_back_on_success)
{
	struct nmreq_port_info_get *b;
	struct nmreq_option *o[2];
	struct nmreq_header *h;
	static const struct ospec s[] = {
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32 },
	};
	uint64_t memsize;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);

	b = mk_body(BODY_OFF, sizeof(*b));
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b,
		   mk_chain(OPT_OFF, s, 2, o));
	ar_sent();
	ex_port_info(b, 2, 64, memsize);
	ex_status(o[0], EOPNOTSUPP);
	ex_status(o[1], EOPNOTSUPP);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_EQ(h->nr_options, (uintptr_t)o[0]);
	CHECK_EQ(h->nr_body, (uintptr_t)b);
	CHECK_EQ(o[0]->nro_next, (uintptr_t)o[1]);
	CHECK_ARENA();

	/* the body is the header itself: the reply lands, then the header */
	ar_reset();
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", ar + HDR_OFF, NULL);
	memset(h->nr_name + 5, 0, 20);	/* body nr_mem_id: 0 */
	ar_sent();
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_ARENA();
	nmsim_close(fd);
}

/* One request per error class: the header always comes back as sent. */
CTEST(ctrl_header_back_on_every_error)
{
	struct nmreq_port_info_get *b;
	struct nmreq_register *r;
	struct nmreq_option *o;
	struct nmreq_header *h;
	unsigned int i;
	uint64_t bad;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	bad = unmapped_addr();
	CHECK(bad != 0);
	for (i = 0; i < 14; i++) {
		int want;

		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b, o);
		r = NULL;
		switch (i) {
		case 0:
			h->nr_version = 13;
			want = EINVAL;
			break;
		case 1:
			h->nr_reserved = 7;
			want = EINVAL;
			break;
		case 2:
			h->nr_reqtype = 0;
			want = EINVAL;
			break;
		case 3:
			h->nr_body = 0;
			want = EINVAL;
			break;
		case 4:
			memset(h->nr_name, 'x', sizeof(h->nr_name));
			want = EINVAL;
			break;
		case 5:
			o->nro_reqtype = 0;
			want = EINVAL;
			break;
		case 6:
			o->nro_reqtype = 6;
			want = EOPNOTSUPP;
			break;
		case 7:
			o->nro_next = (uintptr_t)o;
			want = EMSGSIZE;
			break;
		case 8:
			h->nr_body = bad;
			want = EFAULT;
			break;
		case 9:
			h->nr_options = bad;
			want = EFAULT;
			break;
		case 10:
			o->nro_next = bad;
			want = EFAULT;
			break;
		case 11:
			strcpy(h->nr_name, "nosuch");
			want = ENXIO;
			break;
		case 12:
			/* REGISTER consumes no CSB: run, undone */
			r = mk_reg(NR_REG_ALL_NIC, 0, 0);
			h->nr_reqtype = NETMAP_REQ_REGISTER;
			h->nr_body = (uintptr_t)r;
			want = EOPNOTSUPP;
			break;
		default:
			o->nro_size = 41;
			want = EINVAL;
			break;
		}
		ar_sent();
		EX(h)->nr_reserved = 0;
		/* statuses are back whenever the whole chain was read */
		if (i == 5 || i == 13)
			ex_status(o, EINVAL);
		else if (i == 6 || i == 11 || i == 12)
			ex_status(o, EOPNOTSUPP);
		if (ctrl(fd, h) != want) {
			t_failf(__FILE__, __LINE__,
				"case %u: errno %d, want %d", i, errno, want);
			return;
		}
		CHECK_ARENA();
	}
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* options                                                             */
/* ------------------------------------------------------------------ */

/* Every option starts EOPNOTSUPP, whatever the user put in nro_status. */
CTEST(ctrl_opt_status_starts_eopnotsupp)
{
	static const uint32_t user_status[] = { 0, EINVAL, OPT_JUNK };
	static const struct ospec s[] = {
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ NETMAP_REQ_OPT_EXTMEM, 96 },
		{ 0, OPT_HDR },		/* fails the request */
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, OPT_HDR + 16 },
	};
	struct nmreq_option *o[4];
	struct nmreq_header *h;
	unsigned int i, j;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(user_status); i++) {
		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
			   mk_body(BODY_OFF, 32), mk_chain(OPT_OFF, s, 4, o));
		for (j = 0; j < 4; j++)
			o[j]->nro_status = user_status[i];
		ar_sent();
		for (j = 0; j < 4; j++)
			ex_status(o[j], j == 2 ? EINVAL : EOPNOTSUPP);
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
	}
	nmsim_close(fd);
}

/* PORT_INFO_GET uses no option: it succeeds, all come back EOPNOTSUPP. */
CTEST(ctrl_opt_port_info_ignores_known)
{
	static const struct ospec s[] = {
		{ NETMAP_REQ_OPT_EXTMEM, 96 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, OPT_HDR + 8 },
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32 },
		{ NETMAP_REQ_OPT_OFFSETS, 56 },
	};
	struct nmreq_port_info_get *b;
	struct nmreq_option *o[5];
	struct nmreq_header *h;
	uint64_t memsize;
	unsigned int j;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 3, 128));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	b = mk_body(BODY_OFF, sizeof(*b));
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b,
		   mk_chain(OPT_OFF, s, 5, o));
	ar_sent();
	for (j = 0; j < 5; j++)
		ex_status(o[j], EOPNOTSUPP);
	ex_port_info(b, 3, 128, memsize);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_ARENA();	/* option bodies: not written */
	nmsim_close(fd);
}

/* nro_reqtype 0: status EINVAL, request EINVAL, nothing run. */
CTEST(ctrl_opt_type0_einval)
{
	static const struct ospec s[] = {
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ 0, OPT_HDR },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32 },
		{ 0, 4000 },
	};
	struct nmreq_option *o[4];
	struct nmreq_header *h;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	/* an unknown port: running the request would say ENXIO */
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "nosuch", mk_body(BODY_OFF, 32),
		   mk_chain(OPT_OFF, s, 4, o));
	ar_sent();
	ex_status(o[0], EOPNOTSUPP);
	ex_status(o[1], EINVAL);
	ex_status(o[2], EOPNOTSUPP);
	ex_status(o[3], EINVAL);
	CHECK_EQ(ctrl(fd, h), EINVAL);
	CHECK_ARENA();
	/* REGISTER: nothing registered */
	ar_reset();
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", mk_reg(NR_REG_ALL_NIC, 0, 0),
		   mk_chain(OPT_OFF, s + 1, 1, o));
	ar_sent();
	ex_status(o[0], EINVAL);
	CHECK_EQ(ctrl(fd, h), EINVAL);
	CHECK_ARENA();
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* Two options of a type: EINVAL on both (all), the others untouched. */
CTEST(ctrl_opt_duplicates_einval)
{
	static const struct ospec s1[] = {
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32 },
		{ NETMAP_REQ_OPT_CSB, 40 },
	};
	static const struct ospec s2[] = {
		{ NETMAP_REQ_OPT_OFFSETS, 56 },
		{ NETMAP_REQ_OPT_OFFSETS, 56 },
		{ NETMAP_REQ_OPT_EXTMEM, 96 },
		{ NETMAP_REQ_OPT_OFFSETS, 56 },
	};
	struct nmreq_option *o[4];
	struct nmreq_header *h;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "nosuch", mk_body(BODY_OFF, 32),
		   mk_chain(OPT_OFF, s1, 3, o));
	ar_sent();
	ex_status(o[0], EINVAL);
	ex_status(o[1], EOPNOTSUPP);
	ex_status(o[2], EINVAL);
	CHECK_EQ(ctrl(fd, h), EINVAL);	/* not run: no ENXIO */
	CHECK_ARENA();

	ar_reset();
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", mk_reg(NR_REG_ALL_NIC, 0, 0),
		   mk_chain(OPT_OFF, s2, 4, o));
	memset(o[0] + 1, 0, 32);	/* valid offsets bodies */
	memset(o[1] + 1, 0, 32);
	memset(o[3] + 1, 0, 32);
	ar_sent();
	ex_status(o[0], EINVAL);
	ex_status(o[1], EINVAL);
	ex_status(o[2], EOPNOTSUPP);
	ex_status(o[3], EINVAL);
	CHECK_EQ(ctrl(fd, h), EINVAL);
	CHECK_ARENA();
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/*
 * An option type nobody knows (>= 6): it keeps EOPNOTSUPP and the request
 * fails EOPNOTSUPP before it runs: no body, no ENXIO for an unknown port,
 * no registration.  EINVAL from another option wins, in either order.
 */
CTEST(ctrl_opt_unknown_type_not_run)
{
	static const uint32_t types[] = { NETMAP_REQ_OPT_MAX, 7, 0x100,
					  0xffff, 0xffffffffu };
	static const uint64_t sizes[] = { OPT_HDR, 0, UINT64_MAX, 4096 };
	struct nmreq_option *o[2];
	struct nmreq_header *h;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(types); i++) {
		const char *name = i % 2 ? "nosuch" : "sim0";
		struct ospec s = { types[i], sizes[i % N(sizes)] };

		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, name,
			   mk_body(BODY_OFF, 32), mk_chain(OPT_OFF, &s, 1, o));
		ar_sent();
		ex_status(o[0], EOPNOTSUPP);
		CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
		CHECK_ARENA();	/* the body is not filled */

		ar_reset();
		h = mk_hdr(NETMAP_REQ_REGISTER, name,
			   mk_reg(NR_REG_ALL_NIC, 0, 0),
			   mk_chain(OPT_OFF, &s, 1, o));
		ar_sent();
		ex_status(o[0], EOPNOTSUPP);
		CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
		CHECK_ARENA();
		CHECK(!registered(fd));
		CHECK_EQ(nmsim_live_objects(), base);
	}
	for (i = 0; i < 2; i++) {
		struct ospec s[2] = { { 6, OPT_HDR }, { 0, OPT_HDR } };

		if (i) {
			s[0].type = 0;
			s[1].type = 6;
		}
		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
			   mk_body(BODY_OFF, 32), mk_chain(OPT_OFF, s, 2, o));
		ar_sent();
		ex_status(o[0], i ? EINVAL : EOPNOTSUPP);
		ex_status(o[1], i ? EOPNOTSUPP : EINVAL);
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
	}
	nmsim_close(fd);
}

/* A fixed-size option of another size, a ragged EVENTFDS: EINVAL. */
CTEST(ctrl_opt_wrong_size_einval)
{
	static const struct ospec bad[] = {
		{ NETMAP_REQ_OPT_CSB, 0 },
		{ NETMAP_REQ_OPT_CSB, 23 },
		{ NETMAP_REQ_OPT_CSB, 24 },
		{ NETMAP_REQ_OPT_CSB, 39 },
		{ NETMAP_REQ_OPT_CSB, 41 },
		{ NETMAP_REQ_OPT_CSB, 48 },
		{ NETMAP_REQ_OPT_CSB, (1ULL << 32) + 40 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 28 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 40 },
		{ NETMAP_REQ_OPT_OFFSETS, 48 },
		{ NETMAP_REQ_OPT_OFFSETS, 64 },
		{ NETMAP_REQ_OPT_EXTMEM, 88 },
		{ NETMAP_REQ_OPT_EXTMEM, 104 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 0 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 16 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 28 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 36 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 44 },
	};
	static const uint64_t good_evfd[] = { 24, 32, 40, 24 + 8 * 64 };
	struct nmreq_option *o[2];
	struct nmreq_header *h;
	struct ospec s[2];
	uint64_t memsize;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	for (i = 0; i < N(bad); i++) {
		s[0] = bad[i];
		s[1].type = bad[i].type == NETMAP_REQ_OPT_SYNC_KLOOP_MODE ?
			    NETMAP_REQ_OPT_CSB : NETMAP_REQ_OPT_SYNC_KLOOP_MODE;
		s[1].size = s[1].type == NETMAP_REQ_OPT_CSB ? 40 : 32;
		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
			   mk_body(BODY_OFF, 32), mk_chain(OPT_OFF, s, 2, o));
		ar_sent();
		ex_status(o[0], EINVAL);
		ex_status(o[1], EOPNOTSUPP);
		if (ctrl(fd, h) != EINVAL) {
			t_failf(__FILE__, __LINE__, "type %u size %llu: %d",
				s[0].type, (unsigned long long)s[0].size,
				errno);
			return;
		}
		CHECK_ARENA();
	}
	for (i = 0; i < N(good_evfd); i++) {
		struct nmreq_port_info_get *b;

		s[0].type = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
		s[0].size = good_evfd[i];
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b,
			   mk_chain(OPT_OFF, s, 1, o));
		ar_sent();
		ex_status(o[0], EOPNOTSUPP);
		ex_port_info(b, 2, 64, memsize);
		CHECK_EQ(ctrl(fd, h), 0);
		CHECK_ARENA();
	}
	nmsim_close(fd);
}

/*
 * REGISTER with an option it does not use: EOPNOTSUPP, status EOPNOTSUPP,
 * the registration undone (nothing left alive, the body not written, the
 * fd free to register again).
 */
CTEST(ctrl_opt_register_unconsumed_undone)
{
	static const struct ospec unused[] = {
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32 },
		{ NETMAP_REQ_OPT_EXTMEM, 96 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, OPT_HDR + 16 },
	};
	struct nmreq_register *r;
	struct nmreq_option *o[2];
	struct nmreq_header *h;
	struct ospec s[2];
	long base, base0;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	base0 = nmsim_live_objects();
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(unused); i++) {
		ar_reset();
		r = mk_reg(NR_REG_ALL_NIC, 0, 0);
		h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", r,
			   mk_chain(OPT_OFF, &unused[i], 1, o));
		ar_sent();
		ex_status(o[0], EOPNOTSUPP);
		CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
		CHECK_ARENA();
		CHECK(!registered(fd));
		CHECK_EQ(nmsim_live_objects(), base);
		CHECK_EQ(nmsim_mem_free_objects(1, 2), 0);	/* idle */
	}
	/* OFFSETS is used (status 0), CSB is not: still undone */
	s[0].type = NETMAP_REQ_OPT_OFFSETS;
	s[0].size = 56;
	s[1] = unused[0];
	ar_reset();
	r = mk_reg(NR_REG_ALL_NIC, 0, 0);
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", r, mk_chain(OPT_OFF, s, 2, o));
	memset(o[0] + 1, 0, 32);
	ar_sent();
	ex_status(o[0], 0);
	ex_status(o[1], EOPNOTSUPP);
	CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
	CHECK_ARENA();
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);

	/* and the same descriptor registers fine */
	ar_reset();
	r = mk_reg(NR_REG_ALL_NIC, 0, 0);
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", r, NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_EQ(r->nr_tx_rings, 2);
	CHECK(registered(fd));
	nmsim_close(fd);
	CHECK_EQ(nmsim_live_objects(), base0);
}

/*
 * OFFSETS is used by REGISTER when it registers.  A REGISTER that fails
 * before it looks at the option (no such port, a bad mode, the fd already
 * registered) has not used it: EOPNOTSUPP, as for any unused option.
 * Once looked at, the option says what was wrong with it (EINVAL), or 0.
 */
CTEST(ctrl_opt_offsets_status_only_when_examined)
{
	static const struct {
		const char	*name;
		uint32_t	mode;
		uint64_t	max_offset;
		int		err;
		uint32_t	status;
	} c[] = {
		{ "nosuch", NR_REG_ALL_NIC, 64, ENXIO, EOPNOTSUPP },
		{ "sim0", NR_REG_DEFAULT, 64, EINVAL, EOPNOTSUPP },
		{ "sim0", 9, 64, EINVAL, EOPNOTSUPP },
		{ "sim0", NR_REG_ALL_NIC, 1ULL << 40, EINVAL, EINVAL },
		{ "sim0", NR_REG_ALL_NIC, 64, 0, 0 },
		{ "sim0", NR_REG_ALL_NIC, 64, EBUSY, EOPNOTSUPP },
	};
	struct nmreq_opt_offsets *off;
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(c); i++) {
		ar_reset();
		off = (struct nmreq_opt_offsets *)(void *)(ar + OPT_OFF);
		mk_opt(&off->nro_opt, NETMAP_REQ_OPT_OFFSETS, sizeof(*off),
		       NULL);
		memset(&off->nro_max_offset, 0, sizeof(*off) - OPT_HDR);
		off->nro_max_offset = c[i].max_offset;
		h = mk_hdr(NETMAP_REQ_REGISTER, c[i].name,
			   mk_reg(c[i].mode, 0, 0), off);
		if (ctrl(fd, h) != c[i].err) {
			t_failf(__FILE__, __LINE__,
				"case %u: errno %d, want %d", i, errno,
				c[i].err);
			return;
		}
		if (off->nro_opt.nro_status != c[i].status) {
			t_failf(__FILE__, __LINE__,
				"case %u (%s): OFFSETS status %u, want %u", i,
				strerror(c[i].err), off->nro_opt.nro_status,
				c[i].status);
			return;
		}
	}
	nmsim_close(fd);
}

/*
 * An option's body goes back only when it was used (status 0) and the
 * request succeeded.  The body sits on a read-only page, so a write
 * back shows as EFAULT.
 */
CTEST(ctrl_opt_body_back_only_when_used)
{
	struct nmreq_port_info_get *pi;
	struct nmreq_opt_offsets *off;
	struct nmreq_register *r;
	struct nmreq_option *csb;
	struct nmreq_header *h;
	uint8_t *pg;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	pg = ro_pages();
	CHECK(pg != NULL);
	/*
	 * Page 0: the header @0, the body @128, a CSB option @1024, and an
	 * OFFSETS option header in the last 24 bytes; its body (valid
	 * offsets) is the start of page 1, which becomes read-only.
	 */
	h = (struct nmreq_header *)(void *)pg;
	r = (struct nmreq_register *)(void *)(pg + 128);
	csb = mk_opt(pg + 1024, NETMAP_REQ_OPT_CSB, 40, NULL);
	off = (struct nmreq_opt_offsets *)(void *)(pg + 4096 - OPT_HDR);
	mk_opt(&off->nro_opt, NETMAP_REQ_OPT_OFFSETS, sizeof(*off), NULL);
	off->nro_max_offset = 64;
	off->nro_initial_offset = 0;
	off->nro_offset_bits = 0;
	off->nro_tx_align = 0;
	off->nro_min_gap = 0;
	CHECK_OK(ro_seal());

	/* used, and success: the body is written back, which faults */
	mk_reg_at(r, NR_REG_ALL_NIC, 0, 0);
	mk_hdr_at(h, NETMAP_REQ_REGISTER, "sim0", r, off);
	CHECK_EQ(ctrl(fd, h), EFAULT);
	CHECK_EQ(off->nro_opt.nro_status, 0);	/* its header went back */
	/* a registration the user did not hear of is undone */
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);

	/* used, but the request failed (CSB unused): nothing to fault on */
	off->nro_opt.nro_next = (uintptr_t)csb;
	mk_reg_at(r, NR_REG_ALL_NIC, 0, 0);
	mk_hdr_at(h, NETMAP_REQ_REGISTER, "sim0", r, off);
	CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
	CHECK_EQ(off->nro_opt.nro_status, 0);
	CHECK_EQ(csb->nro_status, EOPNOTSUPP);
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);

	/* unused, and success: not written */
	off->nro_opt.nro_next = 0;
	pi = (struct nmreq_port_info_get *)(void *)r;
	mk_hdr_at(h, NETMAP_REQ_PORT_INFO_GET, "sim0", pi, off);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_EQ(off->nro_opt.nro_status, EOPNOTSUPP);
	CHECK_EQ(pi->nr_tx_rings, 2);

	/* rejected (max_offset past the buffer): EINVAL, not EFAULT */
	CHECK_OK(mprotect(pg + 4096, 4096, PROT_READ | PROT_WRITE));
	off->nro_max_offset = 1ULL << 40;
	CHECK_OK(ro_seal());
	mk_reg_at(r, NR_REG_ALL_NIC, 0, 0);
	mk_hdr_at(h, NETMAP_REQ_REGISTER, "sim0", r, off);
	CHECK_EQ(ctrl(fd, h), EINVAL);
	CHECK_EQ(off->nro_opt.nro_status, EINVAL);
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);

	/* and without the trap the same descriptor registers */
	mk_reg_at(r, NR_REG_ALL_NIC, 0, 0);
	mk_hdr_at(h, NETMAP_REQ_REGISTER, "sim0", r, NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK(registered(fd));
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* bounds                                                              */
/* ------------------------------------------------------------------ */

struct bcase {
	uint16_t	reqtype;
	unsigned int	nopts;
	struct ospec	s[6];
	int		err;
};

/* Runs a chain; statuses back unless EMSGSIZE, body only on success. */
static void run_bcase(int fd, const struct bcase *c, uint64_t memsize)
{
	struct nmreq_option *o[8];
	struct nmreq_header *h;
	unsigned int j;
	void *b;

	ar_reset();
	if (c->reqtype == NETMAP_REQ_REGISTER)
		b = mk_reg(NR_REG_ALL_NIC, 0, 0);
	else if (c->reqtype == NETMAP_REQ_POOLS_INFO_GET)
		b = mk_body(BODY_OFF, 64);
	else if (c->reqtype == NETMAP_REQ_PORT_INFO_GET)
		b = mk_body(BODY_OFF, 32);
	else
		b = NULL;	/* VALE_DELIF and co. have none */
	h = mk_hdr(c->reqtype, "sim0", b, mk_chain(OPT_OFF, c->s, c->nopts, o));
	ar_sent();
	if (c->err != EMSGSIZE)
		for (j = 0; j < c->nopts; j++)
			ex_status(o[j], EOPNOTSUPP);
	if (ctrl(fd, h) != c->err) {
		t_failf(__FILE__, __LINE__,
			"reqtype %u, %u options: %d, want %d", c->reqtype,
			c->nopts, errno, c->err);
		return;
	}
	if (c->err == 0 && c->reqtype == NETMAP_REQ_PORT_INFO_GET)
		ex_port_info(b, 2, 64, memsize);
	if (c->err == 0 && c->reqtype == NETMAP_REQ_POOLS_INFO_GET) {
		CHECK_EQ(((struct nmreq_pools_info *)b)->nr_memsize, memsize);
		ex_take(b, 64);
	}
	CHECK_ARENA();
}

/* Body plus options over 4096 bytes: EMSGSIZE, no status written. */
CTEST(ctrl_bounds_over_4096_emsgsize)
{
	static const struct bcase cases[] = {
		{ NETMAP_REQ_PORT_INFO_GET, 1, { { 2, 4072 } }, EMSGSIZE },
		{ NETMAP_REQ_PORT_INFO_GET, 2, { { 3, 40 }, { 2, 4032 } },
		  EMSGSIZE },
		{ NETMAP_REQ_PORT_INFO_GET, 2, { { 2, 4064 }, { 6, 24 } },
		  EMSGSIZE },
		{ NETMAP_REQ_PORT_INFO_GET, 2, { { 2, 4064 }, { 0, 24 } },
		  EMSGSIZE },
		{ NETMAP_REQ_POOLS_INFO_GET, 1, { { 2, 4040 } }, EMSGSIZE },
		{ NETMAP_REQ_REGISTER, 1, { { 2, 4048 } }, EMSGSIZE },
		{ NETMAP_REQ_VALE_DELIF, 2, { { 2, 4096 }, { 6, 24 } },
		  EMSGSIZE },
		/* every known type once, 8 bytes too many */
		{ NETMAP_REQ_PORT_INFO_GET, 5,
		  { { 1, 96 }, { 3, 40 }, { 4, 32 }, { 5, 56 }, { 2, 3848 } },
		  EMSGSIZE },
	};
	struct nmreq_option *o[180];
	struct nmreq_header *h;
	struct ospec s[180];
	uint64_t memsize;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	for (i = 0; i < N(cases); i++)
		RUN(run_bcase(fd, &cases[i], memsize));
	/* 100 minimal options (2400 bytes) + an EVENTFDS of 1672 */
	for (i = 0; i < 100; i++) {
		s[i].type = 6;
		s[i].size = OPT_HDR;
	}
	s[100].type = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
	s[100].size = 4096 - 32 - 2400 + 8;
	ar_reset();
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", mk_body(BODY_OFF, 32),
		   mk_chain(OPT_OFF, s, 101, o));
	ar_sent();
	CHECK_EQ(ctrl(fd, h), EMSGSIZE);
	CHECK_ARENA();
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* A request of exactly 4096 bytes is accepted. */
CTEST(ctrl_bounds_exact_fit_accepted)
{
	static const struct bcase cases[] = {
		{ NETMAP_REQ_PORT_INFO_GET, 1, { { 2, 4064 } }, 0 },
		{ NETMAP_REQ_PORT_INFO_GET, 2, { { 3, 40 }, { 2, 4024 } }, 0 },
		{ NETMAP_REQ_PORT_INFO_GET, 5,
		  { { 1, 96 }, { 3, 40 }, { 4, 32 }, { 5, 56 }, { 2, 3840 } },
		  0 },
		{ NETMAP_REQ_POOLS_INFO_GET, 1, { { 2, 4032 } }, 0 },
		/* parsed whole; REGISTER then refuses the unused option */
		{ NETMAP_REQ_REGISTER, 1, { { 2, 4040 } }, EOPNOTSUPP },
		/* parsed whole; the unknown option fails it */
		{ NETMAP_REQ_PORT_INFO_GET, 2, { { 2, 4040 }, { 6, 24 } },
		  EOPNOTSUPP },
	};
	uint64_t memsize;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	base = nmsim_live_objects();
	for (i = 0; i < N(cases); i++)
		RUN(run_bcase(fd, &cases[i], memsize));
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);
	nmsim_close(fd);
}

/* Cyclic chains end in EMSGSIZE, quickly, without writing statuses. */
CTEST(ctrl_bounds_cycles_emsgsize)
{
	static const uint16_t types[] = { NETMAP_REQ_PORT_INFO_GET,
					  NETMAP_REQ_REGISTER,
					  NETMAP_REQ_VALE_DELIF };
	static const uint32_t otypes[] = { 6, NETMAP_REQ_OPT_CSB, 0 };
	struct nmreq_option *a, *b, *c;
	struct nmreq_header *h;
	unsigned int i, j, shape;
	uint64_t t0 = mono_us();
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(types); i++) {
		for (j = 0; j < N(otypes); j++) {
			for (shape = 0; shape < 3; shape++) {
				void *body = NULL;

				ar_reset();
				if (types[i] == NETMAP_REQ_REGISTER)
					body = mk_reg(NR_REG_ALL_NIC, 0, 0);
				else if (types[i] == NETMAP_REQ_PORT_INFO_GET)
					body = mk_body(BODY_OFF, 32);
				a = (void *)(ar + OPT_OFF);
				b = (void *)(ar + OPT_OFF + 64);
				c = (void *)(ar + OPT_OFF + 128);
				switch (shape) {
				case 0:	/* A -> A */
					mk_opt(a, otypes[j], 40, a);
					break;
				case 1:	/* A -> B -> A */
					mk_opt(a, otypes[j], 40, b);
					mk_opt(b,
					       NETMAP_REQ_OPT_SYNC_KLOOP_MODE,
					       32, a);
					break;
				default: /* A -> B -> C -> B */
					mk_opt(a,
					       NETMAP_REQ_OPT_SYNC_KLOOP_MODE,
					       32, b);
					mk_opt(b, otypes[j], 40, c);
					mk_opt(c, 7, 24, b);
					break;
				}
				h = mk_hdr(types[i], "sim0", body, a);
				ar_sent();
				if (ctrl(fd, h) != EMSGSIZE) {
					t_failf(__FILE__, __LINE__,
						"type %u otype %u shape %u: %d",
						types[i], otypes[j], shape,
						errno);
					return;
				}
				CHECK_ARENA();
			}
		}
	}
	CHECK(!registered(fd));
	CHECK(mono_us() - t0 < 100000);
	nmsim_close(fd);
}

/* nro_size of 2^63 or 2^64-1 on a known type: status EINVAL, no harm. */
CTEST(ctrl_bounds_huge_nro_size)
{
	static const uint32_t types[] = {
		NETMAP_REQ_OPT_EXTMEM, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS,
		NETMAP_REQ_OPT_CSB, NETMAP_REQ_OPT_SYNC_KLOOP_MODE,
		NETMAP_REQ_OPT_OFFSETS,
	};
	static const uint64_t sizes[] = {
		UINT64_MAX, 1ULL << 63, (1ULL << 63) + 40, (1ULL << 63) + 32,
		UINT64_MAX - 23, UINT64_MAX - 7, (1ULL << 32) + 32,
		(1ULL << 32) + 40, (1ULL << 32) + 56, 4104, 8192, 65536 + 40,
	};
	struct nmreq_option *o[2];
	struct nmreq_header *h;
	struct ospec s[2];
	unsigned int i, j;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(types); i++) {
		for (j = 0; j < N(sizes); j++) {
			s[0].type = types[i];
			s[0].size = sizes[j];
			s[1].type = types[i] == NETMAP_REQ_OPT_CSB ?
				    NETMAP_REQ_OPT_SYNC_KLOOP_MODE :
				    NETMAP_REQ_OPT_CSB;
			s[1].size = s[1].type == NETMAP_REQ_OPT_CSB ? 40 : 32;
			ar_reset();
			h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
				   mk_body(BODY_OFF, 32),
				   mk_chain(OPT_OFF, s, 2, o));
			ar_sent();
			ex_status(o[0], EINVAL);
			ex_status(o[1], EOPNOTSUPP);
			if (ctrl(fd, h) != EINVAL) {
				t_failf(__FILE__, __LINE__,
					"type %u size %#llx: %d", types[i],
					(unsigned long long)sizes[j], errno);
				return;
			}
			CHECK_ARENA();
		}
	}
	/* an unknown type's nro_size is never looked at */
	s[0].type = 6;
	s[0].size = UINT64_MAX;
	ar_reset();
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", mk_body(BODY_OFF, 32),
		   mk_chain(OPT_OFF, s, 1, o));
	ar_sent();
	ex_status(o[0], EOPNOTSUPP);
	CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
	CHECK_ARENA();
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* EFAULT                                                              */
/* ------------------------------------------------------------------ */

/* The header outside user memory: EFAULT, and nothing written at all. */
CTEST(ctrl_efault_header_outside)
{
	static const long where[] = { -88, -8, AR_SZ - 80, AR_SZ - 8, AR_SZ };
	struct nmreq_header *h;
	struct nmreq_option *o;
	unsigned int i;
	void *b;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	/* a good request, in `outside`, pointing into the arena */
	b = mk_body(BODY_OFF, 32);
	o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
	h = mk_hdr_at(outside, NETMAP_REQ_PORT_INFO_GET, "sim0", b, o);
	ar_sent();
	nmsim_user_restrict(ar, AR_SZ);
	CHECK_EQ(ctrl(fd, h), EFAULT);
	CHECK_ARENA();
	/* header pointers straddling the arena's ends, or just past it */
	for (i = 0; i < N(where); i++) {
		CHECK_EQ(ctrl(fd, (void *)((uintptr_t)ar + where[i])), EFAULT);
		CHECK_ARENA();
	}
	nmsim_user_restrict(NULL, 0);
	CHECK_EQ(ctrl(fd, h), 0);	/* the request itself was fine */
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* The body outside: EFAULT, the header back, no option status written. */
CTEST(ctrl_efault_body_outside)
{
	struct nmreq_header *h;
	struct nmreq_option *o;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < 2; i++) {
		ar_reset();
		o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
		if (i == 0) {
			memset(outside + 512, BODY_JUNK, 32);
			h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
				   outside + 512, o);
		} else {
			mk_reg_at(outside + 512, NR_REG_ALL_NIC, 0, 0);
			h = mk_hdr(NETMAP_REQ_REGISTER, "sim0",
				   outside + 512, o);
		}
		ar_sent();
		nmsim_user_restrict(ar, AR_SZ);
		CHECK_EQ(ctrl(fd, h), EFAULT);
		nmsim_user_restrict(NULL, 0);
		CHECK_ARENA();
	}
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* An option (first, later, or its body) outside: EFAULT. */
CTEST(ctrl_efault_option_outside)
{
	struct nmreq_option *a, *b;
	struct nmreq_header *h;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < 6; i++) {
		int reg = i >= 3;

		ar_reset();
		a = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32,
			   NULL);
		b = mk_opt(outside + 256, NETMAP_REQ_OPT_CSB, 40, NULL);
		h = mk_hdr(reg ? NETMAP_REQ_REGISTER : NETMAP_REQ_PORT_INFO_GET,
			   "sim0", reg ? (void *)mk_reg(NR_REG_ALL_NIC, 0, 0)
				       : mk_body(BODY_OFF, 32), a);
		switch (i % 3) {
		case 0:	/* the first option */
			h->nr_options = (uintptr_t)b;
			break;
		case 1:	/* the second */
			a->nro_next = (uintptr_t)b;
			break;
		default: /* a CSB whose body crosses the arena's end */
			b = mk_opt(ar + AR_SZ - 32, NETMAP_REQ_OPT_CSB, 40,
				   NULL);
			a->nro_next = (uintptr_t)b;
			break;
		}
		ar_sent();
		nmsim_user_restrict(ar, AR_SZ);
		CHECK_EQ(ctrl(fd, h), EFAULT);
		nmsim_user_restrict(NULL, 0);
		/* the chain was not read whole: no status back */
		CHECK_ARENA();
		CHECK(!registered(fd));
		CHECK_EQ(nmsim_live_objects(), base);
	}
	nmsim_close(fd);
}

/* A body that starts in user memory and ends past it: EFAULT. */
CTEST(ctrl_efault_body_straddles_end)
{
	static const unsigned int tails[] = { 8, 16, 24, 31 };
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(tails); i++) {
		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
			   ar + AR_SZ - tails[i], NULL);
		ar_sent();
		nmsim_user_restrict(ar, AR_SZ);
		CHECK_EQ(ctrl(fd, h), EFAULT);
		nmsim_user_restrict(NULL, 0);
		CHECK_ARENA();
	}
	/* the last 32 bytes exactly: fine */
	ar_reset();
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", ar + AR_SZ - 32, NULL);
	nmsim_user_restrict(ar, AR_SZ);
	CHECK_EQ(ctrl(fd, h), 0);
	nmsim_user_restrict(NULL, 0);
	CHECK_EQ(((struct nmreq_port_info_get *)(void *)(ar + AR_SZ - 32))->
		 nr_tx_rings, 2);
	nmsim_close(fd);
}

/* Unrestricted: NULL-page, unmapped, non-canonical pointers are EFAULT. */
CTEST(ctrl_efault_unrestricted_bad_pointers)
{
	uint64_t bad[6];
	struct nmreq_option *o;
	struct nmreq_header *h;
	unsigned int i, k;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	bad[0] = 0x10;
	bad[1] = 0xff8;
	bad[2] = unmapped_addr();
	bad[3] = 0x8000000000000000ULL;
	bad[4] = UINT64_MAX - 40;
	bad[5] = UINT64_MAX;
	CHECK(bad[2] != 0);
	for (i = 0; i < N(bad); i++) {
		CHECK_EQ(ctrl(fd, (void *)(uintptr_t)bad[i]), EFAULT);
		CHECK_EQ(ioc(fd, NIOCREGIF, (void *)(uintptr_t)bad[i]), EFAULT);
		CHECK_EQ(ioc(fd, NIOCGINFO, (void *)(uintptr_t)bad[i]), EFAULT);
		for (k = 0; k < 3; k++) {
			ar_reset();
			o = mk_opt(ar + OPT_OFF, NETMAP_REQ_OPT_CSB, 40, NULL);
			h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
				   mk_body(BODY_OFF, 32), o);
			if (k == 0)
				h->nr_body = bad[i];
			else if (k == 1)
				h->nr_options = bad[i];
			else
				o->nro_next = bad[i];
			ar_sent();
			CHECK_EQ(ctrl(fd, h), EFAULT);
			CHECK_ARENA();
		}
	}
	CHECK_EQ(ctrl(fd, NULL), EFAULT);
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* historic bugs of the parser, one regression test each               */
/* ------------------------------------------------------------------ */

struct flip {
	struct nmreq_option	*a;
	struct nmreq_option	*b;	/* NULL: A's next is A or 0 */
	int			stop;
	unsigned long		flips;
};

/* Rewrites A's type, size and next as fast as it can. */
static void *flip_run(void *arg)
{
	static const uint32_t types[] = { 2, 3, 0, 9, 5, 4, 2 };
	static const uint64_t sizes[] = { 32, 4064, 40, UINT64_MAX, 4072, 56,
					  1ULL << 63, 24, 0, 4096, 16 };
	struct flip *f = arg;
	unsigned long i;

	for (i = 0; !__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE); i++) {
		uint64_t next = i % 5 == 0 ? (uintptr_t)f->a :
				i % 5 == 1 ? 0 : (uintptr_t)f->b;

		__atomic_store_n(&f->a->nro_size, sizes[i % N(sizes)],
				 __ATOMIC_RELAXED);
		__atomic_store_n(&f->a->nro_reqtype, types[i % N(types)],
				 __ATOMIC_RELAXED);
		__atomic_store_n(&f->a->nro_next, next, __ATOMIC_RELAXED);
	}
	f->flips = i;
	return NULL;
}

/*
 * The statuses a flipped request may leave: none written when the chain
 * was not read whole (EMSGSIZE); otherwise A was read (EOPNOTSUPP, EINVAL,
 * or 0 when REGISTER used it as OFFSETS) and B maybe (not in the chain
 * when A's next was flipped away from it).
 */
static int flip_statuses_ok(int err, int reg, uint32_t sa, uint32_t sb)
{
	if (err == EMSGSIZE)
		return sa == OPT_JUNK && sb == OPT_JUNK;
	if (sa != EOPNOTSUPP && sa != EINVAL && !(reg && sa == 0))
		return 0;
	return sb == OPT_JUNK || sb == EOPNOTSUPP || sb == EINVAL;
}

/* First byte of the arena off its expected value, outside the skips. */
static long ar_diff_skip(const uint8_t *const *skip, const size_t *len,
			 unsigned int n)
{
	size_t i;
	unsigned int k;

	for (i = 0; i < AR_SZ; i++) {
		if (ar[i] == ar_exp[i])
			continue;
		for (k = 0; k < n; k++)
			if (ar + i >= skip[k] && ar + i < skip[k] + len[k])
				break;
		if (k == n)
			return (long)i;
	}
	return -1;
}

/*
 * (1) TOCTOU, 2022: a size read in one pass and trusted in a second.  A
 * thread rewrites an option's type, size and next while NIOCCTRL runs in
 * a loop: every outcome must be legal, nothing written out of place
 * (canaries; ASan for the kernel side), nothing leaked.
 */
CTEST(ctrl_regress_toctou_option_flip)
{
	struct nmreq_option *a, *b;
	struct nmreq_header *h;
	struct tport keep;
	struct flip f;
	pthread_t th;
	uint64_t memsize, t0, now;
	unsigned long n;
	unsigned int phase;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	base = nmsim_live_objects();
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	/* keeps the allocator and the krings up: REGISTER loops are cheap */
	CHECK_EQ(tp_open(&keep, "sim0", NR_REG_ALL_NIC, 0, 0), 0);

	for (phase = 0; phase < 2; phase++) {
		int reg = phase == 1;
		const uint8_t *skip[3];
		size_t len[3];
		void *body;

		ar_reset();
		a = (struct nmreq_option *)(void *)(ar + OPT_OFF);
		b = (struct nmreq_option *)(void *)(ar + OPT_OFF + 4096 + 64);
		mk_opt(a, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 32,
		       reg ? NULL : b);
		memset(a + 1, 0, 32);	/* a valid OFFSETS body, if one */
		mk_opt(b, NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32, NULL);
		body = reg ? (void *)mk_reg(NR_REG_ALL_NIC, 0, 0)
			   : mk_body(BODY_OFF, 32);
		h = mk_hdr(reg ? NETMAP_REQ_REGISTER : NETMAP_REQ_PORT_INFO_GET,
			   "sim0", body, a);
		ar_sent();
		/* what the flipper and the kernel may change */
		skip[0] = (uint8_t *)a;
		len[0] = OPT_HDR;
		skip[1] = (uint8_t *)&b->nro_status;
		len[1] = 4;
		skip[2] = body;
		len[2] = reg ? 56 : 32;

		memset(&f, 0, sizeof(f));
		f.a = a;
		f.b = reg ? NULL : b;
		nmsim_user_restrict(ar, AR_SZ);
		CHECK_OK(pthread_create(&th, NULL, flip_run, &f));
		/* 40 ms and 300 rounds; on a loaded machine up to 1.5 s */
		t0 = mono_us();
		for (n = 0;; n++) {
			uint32_t sa, sb;
			long d;
			int err;

			now = mono_us();
			if ((n >= 300 && now - t0 >= 40000) ||
			    now - t0 >= 1500000)
				break;
			memcpy(body, ar_exp + ((uint8_t *)body - ar), len[2]);
			__atomic_store_n(&a->nro_status, OPT_JUNK,
					 __ATOMIC_RELAXED);
			b->nro_status = OPT_JUNK;
			err = ctrl(fd, h);
			sa = __atomic_load_n(&a->nro_status, __ATOMIC_RELAXED);
			sb = b->nro_status;
			if (err != 0 && err != EINVAL && err != EOPNOTSUPP &&
			    err != EMSGSIZE) {
				t_failf(__FILE__, __LINE__, "errno %d", err);
				break;
			}
			if (!flip_statuses_ok(err, reg, sa, sb)) {
				t_failf(__FILE__, __LINE__,
					"err %d statuses %#x %#x", err, sa, sb);
				break;
			}
			if (err == 0) {
				struct nmreq_register *rr = body;
				struct nmreq_port_info_get *pr = body;
				/* the reply, in the body's own layout */
				uint16_t rings = reg ? rr->nr_tx_rings
						     : pr->nr_tx_rings;
				uint64_t msz = reg ? rr->nr_memsize
						   : pr->nr_memsize;

				if (rings != 2 || msz != memsize)
					t_failf(__FILE__, __LINE__,
						"reply: %u rings, memsize %llu",
						rings, (unsigned long long)msz);
				if (reg) {	/* a fresh descriptor */
					nmsim_close(fd);
					fd = nmsim_open();
				}
			} else if (memcmp(body, ar_exp + ((uint8_t *)body - ar),
					  len[2])) {
				t_failf(__FILE__, __LINE__,
					"body written on error %d", err);
			}
			d = ar_diff_skip(skip, len, 3);
			if (d >= 0)
				t_failf(__FILE__, __LINE__,
					"arena byte %ld written", d);
			if (t_failed() || fd < 0)
				break;
		}
		__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		nmsim_user_restrict(NULL, 0);
		if (t_failed())
			return;
		CHECK(fd >= 0);
		CHECK(n >= 30);		/* it did run, even if slowly */
		CHECK(f.flips > 0);
	}
	nmsim_close(fd);
	tp_close(&keep);
	CHECK_EQ(nmsim_live_objects(), base);
}

/*
 * (2) nro_size overflowing a size sum, 2022: sizes near 2^64 with sizes
 * near 4096 in one chain.  A sum that wraps would let a chain through.
 */
CTEST(ctrl_regress_size_sum_overflow)
{
#define ST_NONE	OPT_JUNK	/* status not written back */
	static const struct {
		unsigned int	n;
		struct ospec	s[3];
		int		err;
		uint32_t	st[3];
	} cases[] = {
		{ 2, { { 2, 4064 }, { 3, 0ULL - 4024 } }, EMSGSIZE,
		  { ST_NONE, ST_NONE } },
		{ 2, { { 3, 0ULL - 4024 }, { 2, 4064 } }, EMSGSIZE,
		  { ST_NONE, ST_NONE } },
		{ 2, { { 3, 0ULL - 4024 }, { 2, 4040 } }, EINVAL,
		  { EINVAL, EOPNOTSUPP } },
		{ 1, { { 2, 0ULL - 8 } }, EINVAL, { EINVAL } },
		{ 2, { { 2, 0ULL - 16 }, { 4, 32 } }, EINVAL,
		  { EINVAL, EOPNOTSUPP } },
		{ 2, { { 6, UINT64_MAX }, { 2, 4040 } }, EOPNOTSUPP,
		  { EOPNOTSUPP, EOPNOTSUPP } },
		{ 3, { { 6, 0ULL - 24 }, { 2, 4016 }, { 3, 40 } }, EMSGSIZE,
		  { ST_NONE, ST_NONE, ST_NONE } },
		{ 1, { { 2, (1ULL << 63) + 32 } }, EINVAL, { EINVAL } },
		{ 1, { { 2, (1ULL << 32) + 32 } }, EINVAL, { EINVAL } },
		{ 1, { { 2, (1ULL << 32) + 4064 } }, EINVAL, { EINVAL } },
		{ 3, { { 4, 32 }, { 2, 0ULL - 4064 + 32 }, { 3, 40 } }, EINVAL,
		  { EOPNOTSUPP, EINVAL, EOPNOTSUPP } },
		{ 2, { { 5, 0ULL - 56 }, { 2, 4064 - 24 } }, EINVAL,
		  { EINVAL, EOPNOTSUPP } },
		{ 2, { { 5, 0ULL - 56 }, { 2, 4064 - 16 } }, EMSGSIZE,
		  { ST_NONE, ST_NONE } },
	};
	struct nmreq_option *o[3];
	struct nmreq_header *h;
	unsigned int i, j;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(cases); i++) {
		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0",
			   mk_body(BODY_OFF, 32),
			   mk_chain(OPT_OFF, cases[i].s, cases[i].n, o));
		ar_sent();
		for (j = 0; j < cases[i].n; j++)
			ex_status(o[j], cases[i].st[j]);
		if (ctrl(fd, h) != cases[i].err) {
			t_failf(__FILE__, __LINE__, "case %u: %d, want %d", i,
				errno, cases[i].err);
			return;
		}
		CHECK_ARENA();
	}
	nmsim_close(fd);
#undef ST_NONE
}

/*
 * (3) a per-option saved pointer not counted, 2025: the most minimal
 * (24-byte) options that fit 4096 bytes with the body, and one more.
 */
CTEST(ctrl_regress_max_minimal_options)
{
	static const struct {
		uint16_t	reqtype;
		unsigned int	body;
		unsigned int	max;
	} reqs[] = {
		{ NETMAP_REQ_VALE_DELIF, 0, 170 },
		{ NETMAP_REQ_SYNC_KLOOP_STOP, 0, 170 },
		{ NETMAP_REQ_PORT_INFO_GET, 32, 169 },
		{ NETMAP_REQ_REGISTER, 56, 168 },
		{ NETMAP_REQ_POOLS_INFO_GET, 64, 168 },
	};
	static struct nmreq_option *o[172];
	static struct ospec s[172];
	struct nmreq_header *h;
	unsigned int i, j, n, t;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(reqs); i++) {
		CHECK_EQ(reqs[i].body + reqs[i].max * OPT_HDR <= MAXSZ, 1);
		CHECK_EQ(reqs[i].body + (reqs[i].max + 1) * OPT_HDR > MAXSZ, 1);
		for (t = 0; t < 2; t++) {	/* unknown type, type 0 */
			for (n = reqs[i].max; n <= reqs[i].max + 1; n++) {
				int want = n > reqs[i].max ? EMSGSIZE :
					   t ? EINVAL : EOPNOTSUPP;
				void *b = NULL;

				for (j = 0; j < n; j++) {
					s[j].type = t ? 0 : 6 + j;
					s[j].size = OPT_HDR;
				}
				ar_reset();
				if (reqs[i].reqtype == NETMAP_REQ_REGISTER)
					b = mk_reg(NR_REG_ALL_NIC, 0, 0);
				else if (reqs[i].body)
					b = mk_body(BODY_OFF, reqs[i].body);
				h = mk_hdr(reqs[i].reqtype, "sim0", b,
					   mk_chain(OPT_OFF, s, n, o));
				ar_sent();
				if (want != EMSGSIZE)
					for (j = 0; j < n; j++)
						ex_status(o[j], t ? EINVAL :
								    EOPNOTSUPP);
				if (ctrl(fd, h) != want) {
					t_failf(__FILE__, __LINE__,
						"reqtype %u, %u options: %d, "
						"want %d", reqs[i].reqtype, n,
						errno, want);
					return;
				}
				CHECK_ARENA();
			}
		}
	}
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);
	nmsim_close(fd);
}

/*
 * (4) copyout in the wrong direction / the header not restored on error,
 * 2018.  Success must really write the reply into user memory; an error
 * must leave the user's header (but nr_reserved) and body as sent, with
 * the user's own pointers in every link, even when the kernel had filled
 * its copy of the body before failing (REGISTER undone by an unused
 * option).
 */
CTEST(ctrl_regress_error_restores_user_view)
{
	static const struct ospec s[] = {
		{ NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 32 },
		{ NETMAP_REQ_OPT_CSB, 40 },
		{ NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 24 },
	};
	struct nmreq_port_info_get *p;
	struct nmreq_register *r;
	struct nmreq_option *o[3];
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);

	/* the kernel filled its body, then failed: the user's is as sent */
	r = mk_reg(NR_REG_ALL_NIC, 0, 0);
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", r, mk_chain(OPT_OFF, s, 3, o));
	h->nr_reserved = 0x55;
	ar_sent();
	EX(h)->nr_reserved = 0;
	CHECK_EQ(ctrl(fd, h), EINVAL);	/* reserved: nothing run */
	CHECK_ARENA();
	h->nr_reserved = 0;
	ar_sent();
	for (i = 0; i < 3; i++)
		ex_status(o[i], EOPNOTSUPP);
	CHECK_EQ(ctrl(fd, h), EOPNOTSUPP);
	CHECK_ARENA();
	CHECK_EQ(r->nr_memsize, 0x5a5a5a5a5a5a5a5aULL);
	CHECK_EQ(h->nr_body, (uintptr_t)r);
	CHECK_EQ(h->nr_options, (uintptr_t)o[0]);
	CHECK_EQ(o[0]->nro_next, (uintptr_t)o[1]);
	CHECK_EQ(o[1]->nro_next, (uintptr_t)o[2]);
	CHECK_EQ(o[2]->nro_next, 0);

	/* an error after the run (no such port): the same */
	ar_reset();
	p = mk_body(BODY_OFF, sizeof(*p));
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim1", p,
		   mk_chain(OPT_OFF, s, 3, o));
	ar_sent();
	for (i = 0; i < 3; i++)
		ex_status(o[i], EOPNOTSUPP);
	CHECK_EQ(ctrl(fd, h), ENXIO);
	CHECK_ARENA();

	/* success: the reply is in user memory, the direction is right */
	strcpy(h->nr_name, "sim0");
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_EQ(p->nr_tx_rings, 2);
	CHECK_EQ(p->nr_tx_slots, 64);
	CHECK_EQ(p->nr_mem_id, 1);
	CHECK_EQ(o[0]->nro_status, EOPNOTSUPP);
	CHECK_EQ(h->nr_options, (uintptr_t)o[0]);
	CHECK_EQ(o[0]->nro_next, (uintptr_t)o[1]);
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* REGISTER                                                            */
/* ------------------------------------------------------------------ */

/* The reply fields; mode, ringid and flags come back as given. */
CTEST(ctrl_register_reply)
{
	static const uint64_t flags = NR_EXCLUSIVE | NR_NO_TX_POLL |
				      NR_DO_RX_POLL;
	struct nmreq_pools_info pi;
	struct nmreq_register *r, *e;
	struct nmreq_header *h;
	struct netmap_if *nifp;
	char *mem;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 3, 128));
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_EQ(pools_of(fd, "sim0", 0, &pi), 0);
	r = mk_reg(NR_REG_ONE_NIC, 1, flags);
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", r, NULL);
	ar_sent();
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_EQ(r->nr_memsize, pi.nr_memsize);
	CHECK(r->nr_offset >= pi.nr_if_pool_offset);
	CHECK(r->nr_offset < pi.nr_ring_pool_offset);
	CHECK_EQ(r->nr_tx_slots, 128);
	CHECK_EQ(r->nr_rx_slots, 128);
	CHECK_EQ(r->nr_tx_rings, 3);
	CHECK_EQ(r->nr_rx_rings, 3);
	CHECK_EQ(r->nr_host_tx_rings, 1);
	CHECK_EQ(r->nr_host_rx_rings, 1);
	CHECK_EQ(r->nr_mem_id, 1);
	CHECK_EQ(r->nr_mode, NR_REG_ONE_NIC);
	CHECK_EQ(r->nr_ringid, 1);
	CHECK_EQ(r->nr_flags, flags);
	CHECK_EQ(r->nr_extra_bufs, 0);
	/* exactly those fields, the padding as sent */
	e = EX(r);
	e->nr_offset = r->nr_offset;
	e->nr_memsize = pi.nr_memsize;
	e->nr_tx_slots = e->nr_rx_slots = 128;
	e->nr_tx_rings = e->nr_rx_rings = 3;
	e->nr_host_tx_rings = e->nr_host_rx_rings = 1;
	e->nr_mem_id = 1;
	CHECK_ARENA();

	mem = nmsim_mmap(fd, r->nr_memsize);
	CHECK(mem != MAP_FAILED);
	nifp = NETMAP_IF(mem, r->nr_offset);
	CHECK(!strcmp(nifp->ni_name, "sim0"));
	CHECK_EQ(nifp->ni_version, NETMAP_API);
	CHECK_EQ(nifp->ni_tx_rings, 3);
	CHECK_EQ(nifp->ni_rx_rings, 3);
	CHECK_EQ(bound(nifp, 1), 0x2);
	CHECK_EQ(bound(nifp, 0), 0x2);
	CHECK_OK(nmsim_munmap(mem, r->nr_memsize));
	nmsim_close(fd);
}

/*
 * nr_extra_bufs: in, the buffers wanted; out, those granted (all of them
 * when the pool has them, fewer when not), linked from ni_bufs_head.
 */
CTEST(ctrl_register_extra_bufs_granted)
{
	static const uint32_t want[] = { 0, 1, 10, 100000 };
	struct nmreq_register req;
	struct tport p;
	unsigned int i;
	uint32_t got;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	for (i = 0; i < N(want); i++) {
		memset(&req, 0, sizeof(req));
		req.nr_mode = NR_REG_ALL_NIC;
		req.nr_extra_bufs = want[i];
		CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
		got = p.reg.nr_extra_bufs;
		if (want[i] < 4096)
			CHECK_EQ(got, want[i]);
		else
			CHECK(got > 0 && got < 4096);
		CHECK_EQ(extra_list_len(&p, 4096), got);
		tp_close(&p);
	}
}

/* A second REGISTER on a registered fd: EBUSY, the first one intact. */
CTEST(ctrl_register_twice_ebusy)
{
	struct nmreq_register *r;
	struct nmreq_header *h;
	struct netmap_if *nifp;
	uint64_t off, memsize;
	char *mem;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_create("sim1", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	r = mk_reg(NR_REG_ALL_NIC, 0, 0);
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", r, NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	off = r->nr_offset;
	memsize = r->nr_memsize;
	for (int i = 0; i < 2; i++) {
		ar_reset();
		r = mk_reg(i ? NR_REG_ALL_NIC : NR_REG_SW, 0, 0);
		h = mk_hdr(NETMAP_REQ_REGISTER, i ? "sim1" : "sim0", r, NULL);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EBUSY);
		CHECK_ARENA();
	}
	mem = nmsim_mmap(fd, memsize);
	CHECK(mem != MAP_FAILED);
	nifp = NETMAP_IF(mem, off);
	CHECK(!strcmp(nifp->ni_name, "sim0"));
	CHECK_EQ(bound(nifp, 1), 0x3);	/* still ALL_NIC */
	CHECK_OK(nmsim_munmap(mem, memsize));
	nmsim_close(fd);
}

/* REGISTER of a name nobody has: ENXIO. */
CTEST(ctrl_register_unknown_name)
{
	static const char *const names[] = { "nosuch", "", "sim", "sim00",
					     "SIM0", "sim0 " };
	struct nmreq_header *h;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(names); i++) {
		ar_reset();
		h = mk_hdr(NETMAP_REQ_REGISTER, names[i],
			   mk_reg(NR_REG_ALL_NIC, 0, 0), NULL);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), ENXIO);
		CHECK_ARENA();
	}
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);
	nmsim_close(fd);
}

/* nr_mode DEFAULT, the pipe modes and unknown ones: EINVAL. */
CTEST(ctrl_register_bad_modes)
{
	static const uint32_t modes[] = { NR_REG_DEFAULT, NR_REG_PIPE_MASTER,
					  NR_REG_PIPE_SLAVE, 9, 16,
					  0xffffffffu };
	struct nmreq_header *h;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(modes); i++) {
		ar_reset();
		h = mk_hdr(NETMAP_REQ_REGISTER, "sim0",
			   mk_reg(modes[i], 0, 0), NULL);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
		CHECK(!registered(fd));
		CHECK_EQ(nmsim_live_objects(), base);
	}
	ar_reset();
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", mk_reg(NR_REG_ALL_NIC, 0, 0),
		   NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	nmsim_close(fd);
}

/*
 * A REGISTER whose reply cannot be written (body or header on a
 * read-only page): EFAULT, and the registration undone.
 */
CTEST(ctrl_register_copyout_fault_undone)
{
	struct nmreq_register *r;
	struct nmreq_header *h;
	unsigned int i;
	uint8_t *pg;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	pg = ro_pages();
	CHECK(pg != NULL);
	/* page 1: a body at 0 and a header at 512; page 0 the others */
	mk_reg_at(pg + 4096, NR_REG_ALL_NIC, 0, 0);
	mk_hdr_at(pg + 4096 + 512, NETMAP_REQ_REGISTER, "sim0",
		  mk_reg_at(pg + 64, NR_REG_ALL_NIC, 0, 0), NULL);
	CHECK_OK(ro_seal());
	for (i = 0; i < 2; i++) {
		if (i == 0) {
			h = mk_hdr_at(pg + 512, NETMAP_REQ_REGISTER, "sim0",
				      pg + 4096, NULL);
		} else {
			h = (struct nmreq_header *)(void *)(pg + 4096 + 512);
			mk_reg_at(pg + 64, NR_REG_ALL_NIC, 0, 0);
		}
		CHECK_EQ(ctrl(fd, h), EFAULT);
		CHECK(!registered(fd));
		CHECK_EQ(nmsim_live_objects(), base);
	}
	/* PORT_INFO_GET likewise: the reply is what faults */
	h = mk_hdr_at(pg + 512, NETMAP_REQ_PORT_INFO_GET, "sim0", pg + 4096,
		      NULL);
	CHECK_EQ(ctrl(fd, h), EFAULT);
	/* an error of its own wins: nothing to write but the header */
	strcpy(h->nr_name, "nosuch");
	CHECK_EQ(ctrl(fd, h), ENXIO);

	r = mk_reg_at(pg + 64, NR_REG_ALL_NIC, 0, 0);
	h = mk_hdr_at(pg + 512, NETMAP_REQ_REGISTER, "sim0", r, NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK(registered(fd));
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* PORT_INFO_GET, POOLS_INFO_GET                                       */
/* ------------------------------------------------------------------ */

/* By name: the port's numbers, and no registration. */
CTEST(ctrl_port_info_by_name)
{
	struct nmreq_port_info_get *b;
	struct nmreq_header *h;
	uint64_t memsize;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 4, 256));
	CHECK_OK(nmsim_nic_create("sim1", 1, 32));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	base = nmsim_live_objects();

	b = mk_body(BODY_OFF, sizeof(*b));
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b, NULL);
	ar_sent();
	ex_port_info(b, 4, 256, memsize);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_ARENA();	/* pad1 as sent */
	CHECK_EQ(nmsim_live_objects(), base);
	CHECK_EQ(nmsim_mem_free_objects(1, 2), 0);	/* not finalized */

	ar_reset();
	b = mk_body(BODY_OFF, sizeof(*b));
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim1", b, NULL);
	ar_sent();
	ex_port_info(b, 1, 32, memsize);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK_ARENA();

	CHECK(!registered(fd));
	h = mk_hdr(NETMAP_REQ_REGISTER, "sim0", mk_reg(NR_REG_ALL_NIC, 0, 0),
		   NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	nmsim_close(fd);
}

/* Empty name: the allocator nr_mem_id (0 means 1), nothing else. */
CTEST(ctrl_port_info_empty_name)
{
	static const uint16_t ids[] = { 0, 1, 2, 7, 0xffff };
	struct nmreq_port_info_get *b;
	struct nmreq_header *h;
	uint64_t memsize;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	CHECK(memsize > 0);
	for (i = 0; i < N(ids); i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		b->nr_mem_id = ids[i];
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "", b, NULL);
		ar_sent();
		if (ids[i] <= 1) {
			EX(b)->nr_memsize = memsize;
			EX(b)->nr_mem_id = 1;
			CHECK_EQ(ctrl(fd, h), 0);
		} else {
			CHECK_EQ(ctrl(fd, h), EINVAL);
		}
		CHECK_ARENA();	/* slots and rings as sent */
	}
	nmsim_close(fd);
}

/* An unknown name: ENXIO, the body as sent. */
CTEST(ctrl_port_info_unknown_name)
{
	static const char *const names[] = { "nosuch", "sim", "sim01" };
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_create("sim01x", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(names); i++) {
		ar_reset();
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, names[i],
			   mk_body(BODY_OFF, 32), NULL);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), ENXIO);
		CHECK_ARENA();
		h = mk_hdr(NETMAP_REQ_POOLS_INFO_GET, names[i],
			   mk_body(BODY_OFF, 64), NULL);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), ENXIO);
		CHECK_ARENA();
	}
	nmsim_close(fd);
}

/* The pools: if at 0, rings after the ifs, buffers after the rings. */
static void check_layout(const struct nmreq_pools_info *pi, uint32_t bufs)
{
	uint64_t ifs = (uint64_t)pi->nr_if_pool_objtotal *
		       pi->nr_if_pool_objsize;
	uint64_t rings = (uint64_t)pi->nr_ring_pool_objtotal *
			 pi->nr_ring_pool_objsize;
	uint64_t buf = (uint64_t)pi->nr_buf_pool_objtotal *
		       pi->nr_buf_pool_objsize;

	CHECK_EQ(pi->nr_mem_id, 1);
	CHECK_EQ(pi->nr_if_pool_offset, 0);
	CHECK_EQ(pi->nr_ring_pool_offset, ifs);
	CHECK_EQ(pi->nr_buf_pool_offset, ifs + rings);
	CHECK_EQ(pi->nr_memsize, ifs + rings + buf);
	CHECK(pi->nr_if_pool_objsize >= sizeof(struct netmap_if));
	CHECK(pi->nr_ring_pool_objsize >= sizeof(struct netmap_ring));
	CHECK_EQ(pi->nr_buf_pool_objsize, 2048);
	CHECK_EQ(pi->nr_buf_pool_objtotal, bufs);
}

/* POOLS_INFO_GET by name and by mem_id: the same allocator. */
CTEST(ctrl_pools_info_layout)
{
	struct nmreq_pools_info *b, ref;
	struct nmreq_header *h;
	struct tport p;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	b = mk_body(BODY_OFF, sizeof(*b));
	h = mk_hdr(NETMAP_REQ_POOLS_INFO_GET, "sim0", b, NULL);
	ar_sent();
	CHECK_EQ(ctrl(fd, h), 0);
	RUN(check_layout(b, 4096));
	ref = *b;
	ex_take(b, sizeof(*b));
	CHECK_ARENA();	/* the padding (pad1) as sent */
	for (i = 0; i < 2; i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		b->nr_mem_id = (uint16_t)i;
		h = mk_hdr(NETMAP_REQ_POOLS_INFO_GET, "", b, NULL);
		CHECK_EQ(ctrl(fd, h), 0);
		CHECK(!memcmp(b, &ref, sizeof(ref)));
	}
	for (i = 2; i < 4; i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		b->nr_mem_id = i == 2 ? 2 : 0xffff;
		h = mk_hdr(NETMAP_REQ_POOLS_INFO_GET, "", b, NULL);
		ar_sent();
		CHECK_EQ(ctrl(fd, h), EINVAL);
		CHECK_ARENA();
	}
	/* in use: the same numbers, and REGISTER's memsize */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(p.reg.nr_memsize, ref.nr_memsize);
	ar_reset();
	b = mk_body(BODY_OFF, sizeof(*b));
	h = mk_hdr(NETMAP_REQ_POOLS_INFO_GET, "sim0", b, NULL);
	CHECK_EQ(ctrl(fd, h), 0);
	CHECK(!memcmp(b, &ref, sizeof(ref)));
	CHECK(nmsim_mem_free_objects(1, 2) > 0);
	tp_close(&p);
	nmsim_close(fd);
}

/* buf_num shows in the pools only while the allocator is idle. */
CTEST(ctrl_pools_info_params_when_idle)
{
	struct nmreq_port_info_get pi;
	struct nmreq_pools_info a;
	struct tport p;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_EQ(pools_of(fd, "sim0", 0, &a), 0);
	RUN(check_layout(&a, 4096));
	CHECK_OK(nmsim_param_set("buf_num", 8192));
	CHECK_EQ(pools_of(fd, "", 0, &a), 0);
	RUN(check_layout(&a, 8192));
	CHECK_OK(nmsim_param_set("buf_num", 4096));

	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_OK(nmsim_param_set("buf_num", 8192));
	CHECK_EQ(pools_of(fd, "sim0", 0, &a), 0);
	RUN(check_layout(&a, 4096));
	CHECK_EQ(a.nr_memsize, p.reg.nr_memsize);
	CHECK_EQ(pools_of(fd, "", 1, &a), 0);
	RUN(check_layout(&a, 4096));
	CHECK_EQ(port_info_of(fd, "sim0", &pi), 0);
	CHECK_EQ(pi.nr_memsize, p.reg.nr_memsize);
	tp_close(&p);

	CHECK_EQ(pools_of(fd, "sim0", 0, &a), 0);
	RUN(check_layout(&a, 8192));
	CHECK_EQ(port_info_of(fd, "sim0", &pi), 0);
	CHECK_EQ(pi.nr_memsize, a.nr_memsize);
	CHECK(pi.nr_memsize > p.reg.nr_memsize);
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* ioctl commands                                                      */
/* ------------------------------------------------------------------ */

/* Commands /dev/netmap does not know: ENOTTY, the argument untouched. */
CTEST(ctrl_ioctl_unknown_cmd)
{
	static const unsigned long cmds[] = {
		0, 1, 0x1234, _IO('i', 150), _IO('i', 147),
		_IOWR('i', 151, char[64]), _IOR('i', 151, struct nmreq_header),
		_IOW('i', 151, struct nmreq_header), NIOCCTRL ^ 0x100,
		_IOWR('i', 145, char[56]), 0xffffffffUL,
		(1UL << 32) | 0x1234, 1UL << 32,
	};
	struct nmreq_header *h;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", mk_body(BODY_OFF, 32),
		   NULL);
	h->nr_reserved = 1;	/* would come back 0 if NIOCCTRL ran */
	ar_sent();
	for (i = 0; i < N(cmds); i++) {
		if (ioc(fd, cmds[i], h) != ENOTTY) {
			t_failf(__FILE__, __LINE__, "cmd %#lx: %d", cmds[i],
				errno);
			return;
		}
		CHECK_ARENA();
	}
	nmsim_close(fd);
}

/* The command is 32 bits: bits above 31 are ignored. */
CTEST(ctrl_ioctl_cmd_32_bits)
{
	static const unsigned long high[] = { 1UL << 32, 0xdeadbeefUL << 32,
					      0xffffffffUL << 32 };
	struct nmreq_port_info_get *b;
	struct nmreq_header *h;
	struct nmreq *lr;
	uint64_t memsize;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	for (i = 0; i < N(high); i++) {
		ar_reset();
		b = mk_body(BODY_OFF, sizeof(*b));
		h = mk_hdr(NETMAP_REQ_PORT_INFO_GET, "sim0", b, NULL);
		ar_sent();
		ex_port_info(b, 2, 64, memsize);
		CHECK_EQ(ioc(fd, high[i] | NIOCCTRL, h), 0);
		CHECK_ARENA();

		ar_reset();
		lr = (struct nmreq *)(void *)(ar + HDR_OFF);
		memset(lr, 0, sizeof(*lr));
		strcpy(lr->nr_name, "sim0");
		lr->nr_version = NETMAP_API;
		CHECK_EQ(ioc(fd, high[i] | NIOCGINFO, lr), 0);
		CHECK_EQ(lr->nr_tx_rings, 2);
	}
	/* NIOCREGIF too, and a registration was made */
	ar_reset();
	lr = (struct nmreq *)(void *)(ar + HDR_OFF);
	memset(lr, 0, sizeof(*lr));
	strcpy(lr->nr_name, "sim0");
	lr->nr_version = NETMAP_API;
	CHECK_EQ(ioc(fd, (7UL << 40) | NIOCREGIF, lr), 0);
	CHECK(registered(fd));
	CHECK_EQ(ioc(fd, (1UL << 33) | NIOCTXSYNC, NULL), 0);
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* legacy struct nmreq                                                 */
/* ------------------------------------------------------------------ */

#define LREQ_OFF	128

/* A struct nmreq in the arena; bytes after the name's NUL keep canaries. */
static struct nmreq *mk_nmreq(const char *name)
{
	struct nmreq *r = (struct nmreq *)(void *)(ar + LREQ_OFF);

	memcpy(r->nr_name, name, strlen(name) + 1);
	r->nr_name[sizeof(r->nr_name) - 1] = '\0';
	r->nr_version = NETMAP_API;
	r->nr_offset = 0x0badf00d;
	r->nr_memsize = 0x1badf00d;
	r->nr_tx_slots = r->nr_rx_slots = 0;
	r->nr_tx_rings = r->nr_rx_rings = 0;
	r->nr_ringid = 0;
	r->nr_cmd = 0;
	r->nr_arg1 = 0x4242;
	r->nr_arg2 = 0;
	r->nr_arg3 = 0;
	r->nr_flags = 0;
	r->spare2[0] = 0x77777777;
	return r;
}

/* What NIOCREGIF writes: checked, then taken into ar_exp. */
static void ex_regif(struct nmreq *r, uint16_t rings, uint32_t slots,
		     uint32_t memsize, uint32_t extra)
{
	struct nmreq *e = EX(r);

	CHECK_EQ(r->nr_memsize, memsize);
	CHECK(r->nr_offset < memsize);	/* 0 is the first netmap_if */
	e->nr_offset = r->nr_offset;
	e->nr_memsize = memsize;
	e->nr_tx_slots = e->nr_rx_slots = slots;
	e->nr_tx_rings = e->nr_rx_rings = rings;
	e->nr_arg2 = 1;
	e->nr_arg3 = extra;
}

/* Map a legacy registration into a tport (for ring lookups). */
static int lmap(struct tport *p, int fd, const struct nmreq *r)
{
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->reg.nr_memsize = r->nr_memsize;
	p->reg.nr_offset = r->nr_offset;
	p->mem = nmsim_mmap(fd, r->nr_memsize);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return errno;
	}
	p->nifp = NETMAP_IF(p->mem, r->nr_offset);
	return 0;
}

/* nr_version below 14: EINVAL and the struct untouched; no upper bound. */
CTEST(legacy_version_below_14)
{
	static const uint32_t bad[] = { 0, 1, 11, 13 };
	static const uint32_t good[] = { 14, 15, 100, 0xffffffffu };
	struct nmreq *r;
	unsigned int i, k;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	for (i = 0; i < N(bad); i++) {
		for (k = 0; k < 2; k++) {
			ar_reset();
			r = mk_nmreq("sim0");
			r->nr_version = bad[i];
			r->nr_name[15] = 'z';	/* not even NUL-forced */
			ar_sent();
			CHECK_EQ(ioc(fd, k ? NIOCREGIF : NIOCGINFO, r), EINVAL);
			CHECK_ARENA();
		}
	}
	CHECK(!registered(fd));
	for (i = 0; i < N(good); i++) {
		ar_reset();
		r = mk_nmreq("sim0");
		r->nr_version = good[i];
		CHECK_EQ(ioc(fd, NIOCGINFO, r), 0);
		CHECK_EQ(r->nr_version, good[i]);	/* never written */
		CHECK_EQ(r->nr_tx_rings, 2);
	}
	nmsim_close(fd);
}

/* NIOCGINFO by name: memsize, slots, rings, arg2; nothing else. */
CTEST(legacy_ginfo_by_name)
{
	struct nmreq *r, *e;
	uint64_t memsize;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 3, 128));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	r = mk_nmreq("sim0");
	r->nr_ringid = NETMAP_HW_RING | 1;
	r->nr_flags = NR_REG_ONE_NIC;
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCGINFO, r), 0);
	e = EX(r);
	e->nr_memsize = (uint32_t)memsize;
	e->nr_tx_slots = e->nr_rx_slots = 128;
	e->nr_tx_rings = e->nr_rx_rings = 3;
	e->nr_arg2 = 1;
	CHECK_ARENA();	/* offset, ringid, flags, arg1, spare as sent */
	CHECK(!registered(fd));
	nmsim_close(fd);
}

/* NIOCGINFO, empty name: memsize and arg2 (0 -> 1); unknown id EINVAL. */
CTEST(legacy_ginfo_empty_name)
{
	static const uint16_t ids[] = { 0, 1, 2, 0xffff };
	struct nmreq *r;
	uint64_t memsize;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	for (i = 0; i < N(ids); i++) {
		ar_reset();
		r = mk_nmreq("");
		r->nr_arg2 = ids[i];
		r->nr_tx_slots = 7;
		r->nr_tx_rings = 3;
		ar_sent();
		if (ids[i] <= 1) {
			EX(r)->nr_memsize = (uint32_t)memsize;
			EX(r)->nr_arg2 = 1;
			CHECK_EQ(ioc(fd, NIOCGINFO, r), 0);
		} else {
			CHECK_EQ(ioc(fd, NIOCGINFO, r), EINVAL);
		}
		CHECK_ARENA();	/* slots and rings as sent */
	}
	ar_reset();
	r = mk_nmreq("nosuch");
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCGINFO, r), ENXIO);
	CHECK_ARENA();
	nmsim_close(fd);
}

/*
 * NIOCGINFO: BDG_LIST is VALE_LIST (a named port that is not on a switch:
 * ENXIO); other nr_cmd are plain info.
 */
CTEST(legacy_ginfo_cmds)
{
	static const uint16_t plain[] = { 1, 3, 99 };
	struct nmreq *r;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	r = mk_nmreq("sim0");
	r->nr_cmd = NETMAP_BDG_LIST;
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCGINFO, r), ENXIO);
	CHECK_ARENA();
	for (i = 0; i < N(plain); i++) {
		ar_reset();
		r = mk_nmreq("sim0");
		r->nr_cmd = plain[i];
		CHECK_EQ(ioc(fd, NIOCGINFO, r), 0);
		CHECK_EQ(r->nr_tx_rings, 2);
		CHECK_EQ(r->nr_cmd, plain[i]);
	}
	CHECK(!registered(fd));
	nmsim_close(fd);
}

struct lmode {
	uint32_t	flags;
	uint16_t	ringid;
	unsigned int	tx, rx;	/* bits 0-3: NIC rings, 4: host */
};

static void run_lmodes(const struct lmode *m, unsigned int n)
{
	struct tport p;
	struct nmreq *r;
	uint64_t memsize;
	unsigned int i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = nmsim_open();
		CHECK(fd >= 0);
		memsize = memsize_now(fd);
		ar_reset();
		r = mk_nmreq("sim0");
		r->nr_flags = m[i].flags;
		r->nr_ringid = m[i].ringid;
		ar_sent();
		if (ioc(fd, NIOCREGIF, r) != 0) {
			t_failf(__FILE__, __LINE__, "case %u: %d", i, errno);
			return;
		}
		RUN(ex_regif(r, 4, 64, (uint32_t)memsize, 0));
		CHECK_ARENA();	/* ringid and flags as sent */
		CHECK_EQ(lmap(&p, fd, r), 0);
		if (bound(p.nifp, 1) != m[i].tx ||
		    bound(p.nifp, 0) != m[i].rx) {
			t_failf(__FILE__, __LINE__,
				"case %u: bound tx %#x rx %#x, want %#x %#x", i,
				bound(p.nifp, 1), bound(p.nifp, 0), m[i].tx,
				m[i].rx);
			return;
		}
		tp_close(&p);
	}
}

/* NIOCREGIF with the mode in nr_flags. */
CTEST(legacy_regif_mode_in_flags)
{
	static const struct lmode m[] = {
		{ NR_REG_ALL_NIC, 0, 0x0f, 0x0f },
		{ NR_REG_ONE_NIC, 2, 0x04, 0x04 },
		{ NR_REG_ONE_NIC, NETMAP_HW_RING | 3, 0x08, 0x08 },
		{ NR_REG_SW, 0, 0x10, 0x10 },
		{ NR_REG_NIC_SW, 0, 0x1f, 0x1f },
		{ NR_REG_ONE_SW, 0, 0x10, 0x10 },
		/* an explicit mode wins over the ringid bits */
		{ NR_REG_ALL_NIC, NETMAP_SW_RING, 0x0f, 0x0f },
		{ NR_REG_ALL_NIC | NR_TX_RINGS_ONLY, 0, 0x0f, 0x00 },
	};

	CHECK_OK(nmsim_nic_create("sim0", 4, 64));
	RUN(run_lmodes(m, N(m)));
}

/*
 * Mode DEFAULT: NETMAP_SW_RING selects the host rings, NETMAP_HW_RING one
 * NIC ring, neither all NIC rings (the documented meaning; netmap's own
 * kernel always picks ALL_NIC here, see nm_ctrl.c).
 */
CTEST(legacy_regif_default_ringid_bits)
{
	static const struct lmode m[] = {
		{ NR_REG_DEFAULT, NETMAP_SW_RING, 0x10, 0x10 },
		{ NR_REG_DEFAULT, NETMAP_HW_RING | 1, 0x02, 0x02 },
		{ NR_REG_DEFAULT, NETMAP_HW_RING | 3, 0x08, 0x08 },
		{ NR_REG_DEFAULT, NETMAP_HW_RING, 0x01, 0x01 },
		{ NR_REG_DEFAULT, 0, 0x0f, 0x0f },
		{ NR_REG_DEFAULT, 2, 0x0f, 0x0f },	/* index alone */
		{ NR_REG_DEFAULT, NETMAP_SW_RING | NETMAP_HW_RING | 1,
		  0x10, 0x10 },
		{ NR_REG_DEFAULT, NETMAP_NO_TX_POLL, 0x0f, 0x0f },
		{ NR_REG_DEFAULT, NETMAP_DO_RX_POLL | NETMAP_HW_RING | 2,
		  0x04, 0x04 },
	};
	struct nmreq *r;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 4, 64));
	RUN(run_lmodes(m, N(m)));
	/* HW_RING with an index the port does not have */
	fd = nmsim_open();
	CHECK(fd >= 0);
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_ringid = NETMAP_HW_RING | 4;
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCREGIF, r), EINVAL);
	CHECK_ARENA();
	nmsim_close(fd);
}

/* Sends a frame from tx ring 0, then polls for POLLIN only: sent? */
static void poll_sends(int fd, const struct nmreq *r, int want_sent)
{
	struct nmsim_nic_stats st0, st;
	struct pollfd pfd;
	struct tport p;
	uint8_t frame[60];

	CHECK_OK(nmsim_nic_stats("sim0", &st0));
	CHECK_EQ(lmap(&p, fd, r), 0);
	t_frame(frame, sizeof(frame), 1);
	CHECK_EQ(tr_put(tp_tx(&p, 0), frame, sizeof(frame), 0), 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	nmsim_poll(&pfd, 1, 0);
	CHECK_OK(nmsim_nic_stats("sim0", &st));
	CHECK_EQ(st.tx_frames - st0.tx_frames, want_sent ? 1 : 0);
	/* an explicit txsync sends it in any case */
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_OK(nmsim_nic_stats("sim0", &st));
	CHECK_EQ(st.tx_frames - st0.tx_frames, 1);
	nmsim_munmap(p.mem, p.reg.nr_memsize);
}

/* NETMAP_NO_TX_POLL in the ringid is NR_NO_TX_POLL. */
CTEST(legacy_regif_no_tx_poll)
{
	static const struct {
		uint32_t	flags;
		uint16_t	ringid;
		int		sent;
	} c[] = {
		{ NR_REG_DEFAULT, 0, 1 },
		{ NR_REG_DEFAULT, NETMAP_NO_TX_POLL, 0 },
		{ NR_REG_ALL_NIC, NETMAP_NO_TX_POLL, 0 },
		{ NR_REG_ONE_NIC, NETMAP_NO_TX_POLL | 0, 0 },
		{ NR_REG_ALL_NIC | NR_NO_TX_POLL, 0, 0 },
		{ NR_REG_ALL_NIC, 0, 1 },
	};
	struct nmreq *r;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	for (i = 0; i < N(c); i++) {
		fd = nmsim_open();
		CHECK(fd >= 0);
		ar_reset();
		r = mk_nmreq("sim0");
		r->nr_flags = c[i].flags;
		r->nr_ringid = c[i].ringid;
		CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
		RUN(poll_sends(fd, r, c[i].sent));
		nmsim_close(fd);
	}
}

/*
 * nr_arg3 extra buffers: granted, linked from ni_bufs_head, and when the
 * pool cannot give them all, arg3 says how many it did.
 */
CTEST(legacy_regif_extra_bufs)
{
	struct tport p;
	struct nmreq *r;
	uint64_t memsize;
	unsigned int granted;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	memsize = memsize_now(fd);
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_ALL_NIC;
	r->nr_arg3 = 6;
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
	RUN(ex_regif(r, 2, 64, (uint32_t)memsize, 6));
	CHECK_ARENA();
	CHECK_EQ(lmap(&p, fd, r), 0);
	CHECK(tp_tx(&p, 0) != NULL);
	CHECK_EQ(extra_list_len(&p, 4096), 6);
	tp_close(&p);

	/* more than the 4096-buffer pool holds */
	fd = nmsim_open();
	CHECK(fd >= 0);
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_ALL_NIC;
	r->nr_arg3 = 100000;
	CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
	granted = r->nr_arg3;
	CHECK(granted > 0 && granted < 4096);
	CHECK_EQ(lmap(&p, fd, r), 0);
	CHECK_EQ(extra_list_len(&p, 4096), granted);
	tp_close(&p);
}

/* nr_arg2: the allocator in, and out (0 -> 1); unknown id EINVAL. */
CTEST(legacy_regif_mem_id)
{
	static const uint16_t ids[] = { 0, 1, 2, 0xffff };
	uint64_t memsize;
	struct nmreq *r;
	unsigned int i;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	for (i = 0; i < N(ids); i++) {
		fd = nmsim_open();
		CHECK(fd >= 0);
		memsize = memsize_now(fd);
		ar_reset();
		r = mk_nmreq("sim0");
		r->nr_flags = NR_REG_ALL_NIC;
		r->nr_arg2 = ids[i];
		ar_sent();
		if (ids[i] <= 1) {
			CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
			CHECK_EQ(r->nr_arg2, 1);
			RUN(ex_regif(r, 2, 64, (uint32_t)memsize, 0));
		} else {
			CHECK_EQ(ioc(fd, NIOCREGIF, r), EINVAL);
			CHECK(!registered(fd));
		}
		CHECK_ARENA();
		nmsim_close(fd);
	}
}

/*
 * nr_cmd: the VALE commands go to the switch, which has no business with
 * a NIC named like this one (each its own errno); passthrough and polling
 * are EOPNOTSUPP, unknown commands EINVAL.  None registers or leaks.
 */
CTEST(legacy_regif_cmds)
{
	static const struct {
		uint16_t	cmd;
		int		err;
	} cmds[] = {
		{ NETMAP_BDG_ATTACH, EINVAL }, { NETMAP_BDG_DETACH, EINVAL },
		{ NETMAP_BDG_VNET_HDR, ENXIO }, { NETMAP_BDG_NEWIF, EEXIST },
		{ NETMAP_BDG_DELIF, ENXIO }, { NETMAP_PT_HOST_CREATE, EOPNOTSUPP },
		{ NETMAP_PT_HOST_DELETE, EOPNOTSUPP },
		{ NETMAP_BDG_POLLING_ON, EOPNOTSUPP },
		{ NETMAP_BDG_POLLING_OFF, EOPNOTSUPP },
		{ NETMAP_VNET_HDR_GET, ENXIO },
		{ NETMAP_BDG_REGOPS, EINVAL }, { NETMAP_BDG_LIST, EINVAL },
		{ 13, EINVAL }, { 99, EINVAL }, { 0xffff, EINVAL },
	};
	struct nmreq *r;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(cmds); i++) {
		int want = cmds[i].err;

		ar_reset();
		r = mk_nmreq("sim0");
		r->nr_flags = NR_REG_ALL_NIC;
		r->nr_cmd = cmds[i].cmd;
		ar_sent();
		if (ioc(fd, NIOCREGIF, r) != want) {
			t_failf(__FILE__, __LINE__, "cmd %u: %d, want %d",
				r->nr_cmd, errno, want);
			return;
		}
		CHECK_ARENA();
		CHECK(!registered(fd));
		CHECK_EQ(nmsim_live_objects(), base);
	}
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_ALL_NIC;
	CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
	nmsim_close(fd);
}

/*
 * Errors leave the struct as sent: unknown name, double registration,
 * bad modes and flags.
 */
CTEST(legacy_error_struct_untouched)
{
	static const struct {
		const char	*name;
		uint32_t	flags;
		uint16_t	ringid;
		int		err;
	} c[] = {
		{ "nosuch", NR_REG_ALL_NIC, 0, ENXIO },
		{ "", NR_REG_ALL_NIC, 0, ENXIO },
		{ "sim0", 9, 0, EINVAL },
		{ "sim0", NR_REG_ONE_NIC, 5, EINVAL },
		{ "sim0", NR_REG_ALL_NIC | 0x10, 0, EINVAL },
		{ "sim0", NR_REG_ALL_NIC | NR_RX_RINGS_ONLY | NR_TX_RINGS_ONLY,
		  0, EINVAL },
		{ "sim0", NR_REG_ALL_NIC | NR_MONITOR_TX, 0, EINVAL },
	};
	struct nmreq *r;
	unsigned int i;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	for (i = 0; i < N(c); i++) {
		ar_reset();
		r = mk_nmreq(c[i].name);
		r->nr_flags = c[i].flags;
		r->nr_ringid = c[i].ringid;
		r->nr_arg3 = 5;
		ar_sent();
		if (ioc(fd, NIOCREGIF, r) != c[i].err) {
			t_failf(__FILE__, __LINE__, "case %u: %d, want %d", i,
				errno, c[i].err);
			return;
		}
		CHECK_ARENA();
		CHECK_EQ(nmsim_live_objects(), base);
	}
	/*
	 * A name filling all 16 bytes: the kernel NUL-terminates its own
	 * copy; the user's byte 15 stays, on errors of either ioctl.
	 */
	for (i = 0; i < 3; i++) {
		char name[16];

		memset(name, 0, sizeof(name));
		strcpy(name, i ? "sim0" : "sim0_not_a_port");
		name[15] = 'z';
		ar_reset();
		r = mk_nmreq("");
		memcpy(r->nr_name, name, sizeof(name));
		r->nr_flags = i == 1 ? 9 : NR_REG_ALL_NIC;
		r->nr_cmd = i == 2 ? NETMAP_BDG_LIST : 0;
		ar_sent();
		CHECK_EQ(ioc(fd, NIOCREGIF, r), i ? EINVAL : ENXIO);
		CHECK_ARENA();
		if (i == 1)
			continue;	/* NIOCGINFO of sim0 is fine */
		CHECK_EQ(ioc(fd, NIOCGINFO, r), ENXIO);
		CHECK_ARENA();
	}
	/* registered once: the second NIOCREGIF is EBUSY */
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_ALL_NIC;
	CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_SW;
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCREGIF, r), EBUSY);
	CHECK_ARENA();
	nmsim_close(fd);
}

/*
 * EFAULT: a struct at a bad address, straddling an unmapped page, or on a
 * read-only page (read fine, the reply cannot be written: the
 * registration is undone).
 */
CTEST(legacy_efault)
{
	struct nmreq *r;
	uint8_t *pg;
	uint64_t hole;
	long base;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	base = nmsim_live_objects();
	hole = unmapped_addr();
	CHECK(hole != 0);
	CHECK_EQ(ioc(fd, NIOCREGIF, NULL), EFAULT);
	CHECK_EQ(ioc(fd, NIOCGINFO, NULL), EFAULT);
	CHECK_EQ(ioc(fd, NIOCREGIF, (void *)(uintptr_t)hole), EFAULT);
	CHECK_EQ(ioc(fd, NIOCGINFO, (void *)(uintptr_t)(hole + 100)), EFAULT);

	pg = ro_pages();
	CHECK(pg != NULL);
	/* a struct on page 1 (to be read-only) */
	r = (struct nmreq *)(void *)(pg + 4096 + 512);
	strcpy(r->nr_name, "sim0");
	r->nr_version = NETMAP_API;
	r->nr_flags = NR_REG_ALL_NIC;
	r->nr_arg3 = 4;
	CHECK_OK(ro_seal());
	CHECK_EQ(ioc(fd, NIOCGINFO, r), EFAULT);
	CHECK_EQ(ioc(fd, NIOCREGIF, r), EFAULT);
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);
	/* a struct whose last 20 bytes (zeros) are on the read-only page */
	r = (struct nmreq *)(void *)(pg + 4096 - 40);
	memset(r, 0, 40);
	strcpy(r->nr_name, "sim0");
	r->nr_version = NETMAP_API;
	CHECK_EQ(ioc(fd, NIOCREGIF, r), EFAULT);
	CHECK(!registered(fd));
	CHECK_EQ(nmsim_live_objects(), base);

	/* the same descriptor, a good struct: fine */
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_ALL_NIC;
	CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
	CHECK(registered(fd));
	nmsim_close(fd);
}

/* nr_memsize and nr_offset are 32 bits: a larger memsize is truncated. */
CTEST(legacy_32bit_memsize)
{
	struct nmreq_port_info_get pi;
	struct nmreq *r;
	uint64_t memsize;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	/* 65600 buffers of 64 KiB: more than 4 GiB (never allocated here) */
	CHECK_OK(nmsim_param_set("buf_size", 65536));
	CHECK_OK(nmsim_param_set("buf_num", 65600));
	CHECK_EQ(port_info_of(fd, "sim0", &pi), 0);
	memsize = pi.nr_memsize;
	CHECK(memsize > (1ULL << 32));
	r = mk_nmreq("sim0");
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCGINFO, r), 0);
	EX(r)->nr_memsize = (uint32_t)memsize;
	EX(r)->nr_tx_slots = EX(r)->nr_rx_slots = 64;
	EX(r)->nr_tx_rings = EX(r)->nr_rx_rings = 2;
	EX(r)->nr_arg2 = 1;
	CHECK_ARENA();
	ar_reset();
	r = mk_nmreq("");
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCGINFO, r), 0);
	EX(r)->nr_memsize = (uint32_t)memsize;
	EX(r)->nr_arg2 = 1;
	CHECK_ARENA();
	CHECK(!registered(fd));

	/* small pools again: a registration's offset and size fit */
	CHECK_OK(nmsim_param_set("buf_size", 2048));
	CHECK_OK(nmsim_param_set("buf_num", 4096));
	memsize = memsize_now(fd);
	ar_reset();
	r = mk_nmreq("sim0");
	r->nr_flags = NR_REG_ALL_NIC;
	ar_sent();
	CHECK_EQ(ioc(fd, NIOCREGIF, r), 0);
	RUN(ex_regif(r, 2, 64, (uint32_t)memsize, 0));
	CHECK_ARENA();
	CHECK_EQ(r->nr_memsize, memsize);
	nmsim_close(fd);
}
