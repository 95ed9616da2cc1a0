/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared parts of the libFuzzer targets on the control ABI (nmreq.c,
 * legacy.c): the sim set-up, the "user memory" arena, an input reader, the
 * two per-input descriptors, data-path operations and the leak checks.
 *
 * The arena is the whole user memory of the sim (nmsim_user_restrict), so
 * any pointer outside it must give EFAULT.  It sits at a fixed address, so
 * a raw 64-bit pointer in an input means the same thing on every run.  It
 * is all zero between operations: a target writes its request, snapshots
 * the arena, runs the ioctl, checks the arena against what the kernel was
 * allowed to write, and zeroes it again.
 */
#ifndef _FZ_COMMON_H_
#define _FZ_COMMON_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <poll.h>

#include <net/netmap.h>
#include "nmsim.h"

/* In ASan's high memory; 8 KiB hold the largest request and more. */
#define FZ_ARENA_ADDR	0x2a0000000000ULL
/* Memory cap of the fuzzed sim (parameter mem_max_mb). */
#define FZ_MEM_MAX_MB	256
#define FZ_ARENA_SIZE	(8u * 1024)

#define FZ_NFD		2	/* descriptors an input may use */
#define FZ_MAX_OPS	5	/* operations per input */

/* Operation kinds shared by the targets (low 3 bits of an op code). */
enum { FZ_OP_TXSYNC = 4, FZ_OP_RXSYNC, FZ_OP_POLL, FZ_OP_CLOSE };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Harness loops that walk arena bytes: coverage and comparison tracing
 * there would cost much of the run time and guide nothing.
 */
#define FZ_NOCOV	__attribute__((no_sanitize("coverage"), noinline))

/* ---- invariant violations --------------------------------------------- */

void fz_fail(const char *file, int line, const char *cond, const char *fmt,
	     ...) __attribute__((noreturn, format(printf, 4, 5)));

#define FZ_CHECK(cond, fmt, ...) do {					\
	if (__builtin_expect(!(cond), 0))				\
		fz_fail(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);	\
} while (0)

/* ---- the input -------------------------------------------------------- */

/* Reads past the end give zeros, so every input decodes. */
struct fz_in {
	const uint8_t	*p;
	size_t		n;
};

static inline FZ_NOCOV uint8_t fz_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline FZ_NOCOV uint16_t fz_u16(struct fz_in *in)
{
	uint16_t v = fz_u8(in);

	return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

static inline FZ_NOCOV uint32_t fz_u32(struct fz_in *in)
{
	uint32_t v = fz_u16(in);

	return v | (uint32_t)fz_u16(in) << 16;
}

static inline FZ_NOCOV uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = fz_u32(in);

	return v | (uint64_t)fz_u32(in) << 32;
}

/* Copies up to len input bytes to dst; dst beyond the input is left alone. */
static inline FZ_NOCOV void fz_bytes(struct fz_in *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memcpy(dst, in->p, k);
	in->p += k;
	in->n -= k;
}

/* ---- the arena -------------------------------------------------------- */

extern uint8_t *fz_arena;
extern uint8_t fz_snap[FZ_ARENA_SIZE];	/* the arena before the call */

static inline uint64_t fz_uaddr(uint32_t ofs)
{
	return (uint64_t)(uintptr_t)fz_arena + ofs;
}

/* [u, u + len) lies in the arena (no overflow). */
static inline bool fz_uok(uint64_t u, uint64_t len)
{
	uint64_t base = (uint64_t)(uintptr_t)fz_arena;

	return u >= base && u - base <= FZ_ARENA_SIZE &&
	       len <= FZ_ARENA_SIZE - (u - base);
}

static inline uint32_t fz_uofs(uint64_t u)
{
	return (uint32_t)(u - (uint64_t)(uintptr_t)fz_arena);
}

static inline void *fz_uptr(uint64_t u)
{
	return (void *)(uintptr_t)u;
}

/*
 * An arena offset from the input: mostly inside, sometimes a little past
 * the end (raw pointers cover the rest of the address space).
 */
static inline uint32_t fz_ofs(struct fz_in *in)
{
	return fz_u16(in) % (FZ_ARENA_SIZE + 256);
}

/* Fails with the first differing offset unless arena == fz_snap. */
void fz_arena_compare(const char *what);

/* ---- the sim ---------------------------------------------------------- */

struct fz_nic {
	const char	*name;
	unsigned int	rings;
	unsigned int	slots;
};

extern const struct fz_nic fz_nics[];
extern const unsigned int fz_nnics;
/* The sim NIC named by the first size bytes of name (NUL-terminated). */
const struct fz_nic *fz_nic_find(const char *name, size_t size);

/* Port names from a small dictionary, or raw bytes (see fz_common.c). */
void fz_put_name(struct fz_in *in, char *dst, size_t size);

/* Kernel objects alive and free objects of the global allocator's pools. */
struct fz_counts {
	long	live;
	long	pool[3];	/* if, ring, buf */
};

void fz_counts_get(struct fz_counts *c);
bool fz_counts_eq(const struct fz_counts *a, const struct fz_counts *b);
/* Fails unless the counts equal c (what: the operation, for the report). */
void fz_counts_expect(const struct fz_counts *c, const char *what);
/* The same for the kernel object count alone (cheap: after every call). */
void fz_live_expect(long live, const char *what);

/* The counts with both descriptors open and unregistered. */
extern struct fz_counts fz_base;
extern struct nmreq_pools_info fz_pools;	/* the global allocator */

extern int fz_fd[FZ_NFD];
extern bool fz_reg[FZ_NFD];		/* a registration succeeded on it */
extern bool fz_pools_touched;		/* pool counts may have moved */

/*
 * What a successful registration asked for and got, for fz_validate():
 * the request as the kernel sees it (legacy requests converted) and the
 * reply.  host_known: the reply's host ring counts are meaningful (the
 * legacy reply has none).  valid is false when the reply could not be
 * read back (another write of the kernel covered it).
 */
struct fz_regi {
	bool		valid;
	bool		host_known;
	char		name[NETMAP_REQ_IFNAMSIZ];
	uint32_t	mode;
	uint32_t	ringid;
	uint64_t	flags;
	uint32_t	extra_asked;
	struct nmreq_register reply;
};

extern struct fz_regi fz_regi[FZ_NFD];

/*
 * Maps the registration of descriptor i and checks what it binds: the
 * netmap_if, the rings of the mode (and only those), each ring's header
 * and slots, distinct valid buffers, the extra buffer list.
 */
void fz_validate(int i);

/* Data op code bit: validate the registration before the operation. */
#define FZ_OP_VALIDATE	0x10

/* Closes and reopens descriptor i, dropping its registration. */
void fz_fd_reset(int i);

/* NMFUZZ_TRACE=1 in the environment: one line per operation on stderr. */
extern bool fz_trace;

/* One-time set-up; from LLVMFuzzerInitialize. */
void fz_setup(void);

/* TXSYNC, RXSYNC, POLL or CLOSE on descriptor i, with their checks. */
void fz_data_op(int kind, int i, struct fz_in *in);

/* After an input: drop registrations and check that nothing leaked. */
void fz_end_input(void);

/*
 * VALE state outlives descriptors: persistent ports (NEWIF) and NICs on
 * a switch (ATTACH).  A target notes each one its requests created;
 * fz_end_input() takes them down again, so every input starts afresh.
 */
void fz_vale_note_newif(const char *name);
void fz_vale_note_attach(const char *name);

/*
 * Checks shared by REGISTER and NIOCREGIF replies and PORT_INFO_GET: the
 * allocator is the global one and a sim NIC reports its geometry.
 */
void fz_check_geometry(const char *name, size_t size, uint32_t tx_slots,
		       uint32_t rx_slots, uint16_t tx_rings,
		       uint16_t rx_rings);

/* Registrations of monitors (nm_monitor.c): their own geometry, and a
 * copy monitor its own allocator. */
static inline bool fz_monitor(uint64_t flags, uint32_t mode)
{
	/* NR_REG_NULL makes a null port whatever the flags */
	return mode != NR_REG_NULL &&
	       (flags & (NR_MONITOR_TX | NR_MONITOR_RX)) != 0;
}

static inline bool fz_copy_monitor(uint64_t flags, uint32_t mode)
{
	return fz_monitor(flags, mode) && !(flags & NR_ZCOPY_MON);
}

#endif /* _FZ_COMMON_H_ */
