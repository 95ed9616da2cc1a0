/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault points.  See nm_fi.h.  The parser is written for the kernel too:
 * no floating point, no libc beyond what nm_os_impl.h provides.
 */
#include "nm_kern.h"

struct nm_fi_point nm_fi_mem_alloc = {
	.name = "mem.alloc",
	.desc = "fail a memory allocation of the core or the allocator",
};

struct nm_fi_point nm_fi_txsync_enter = {
	.name = "txsync.enter",
	.desc = "fail a tx ring sync with EIO before it starts",
};

struct nm_fi_point nm_fi_rxsync_enter = {
	.name = "rxsync.enter",
	.desc = "fail an rx ring sync with EIO before it starts",
};

struct nm_fi_point *const nm_fi_points[] = {
	&nm_fi_mem_alloc,
	&nm_fi_txsync_enter,
	&nm_fi_rxsync_enter,
};

const unsigned int nm_fi_npoints = NM_ARRAY_SIZE(nm_fi_points);

/* A well-mixed hash of (seed, hit): the same seed fires at the same hits. */
static uint64_t nm_fi_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

bool nm_fi_fire(struct nm_fi_point *p, uint64_t hit)
{
	bool fire;

	switch (p->mode) {
	case NM_FI_NTH:
		fire = hit == p->n;
		break;
	case NM_FI_EVERY:
		fire = hit % p->n == 0;
		break;
	case NM_FI_PROB:
		fire = (nm_fi_mix(p->seed ^ nm_fi_mix(hit)) >> 32) < p->prob;
		break;
	default:
		fire = false;
	}
	if (fire)
		nm_atomic64_inc_return(&p->fired);
	return fire;
}

struct nm_fi_point *nm_fi_find(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < nm_fi_npoints; i++) {
		const char *n = nm_fi_points[i]->name;

		if (strlen(n) == len && strncmp(n, name, len) == 0)
			return nm_fi_points[i];
	}
	return NULL;
}

/* Decimal integer in s[0, len); false on anything else or overflow. */
static bool nm_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 19)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * A probability: "0.25", "1", ".5", or a percentage "25%", "0.5%".
 * Returned in units of 2^-32 (1.0 is 2^32).
 */
static bool nm_parse_prob(const char *s, size_t len, uint64_t *out)
{
	uint64_t ip = 0, frac = 0, ppb;
	unsigned int fdigits = 0;
	bool pct = false, dot = false, digits = false;
	size_t i;

	if (len > 0 && s[len - 1] == '%') {
		pct = true;
		len--;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.' && !dot) {
			dot = true;
			continue;
		}
		if (c < '0' || c > '9')
			return false;
		digits = true;
		if (!dot) {
			ip = ip * 10 + (uint64_t)(c - '0');
			if (ip > 100)
				return false;
		} else if (fdigits < 9) {
			frac = frac * 10 + (uint64_t)(c - '0');
			fdigits++;
		}
	}
	if (!digits)
		return false;
	while (fdigits++ < 9)
		frac *= 10;
	ppb = ip * 1000000000ULL + frac;	/* parts per 10^9 */
	if (pct)
		ppb /= 100;
	if (ppb > 1000000000ULL)
		return false;
	*out = (ppb << 32) / 1000000000ULL;
	return true;
}

static const char *nm_memchr(const char *s, char c, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

static int nm_fi_arm_n(const char *name, size_t nlen, const char *spec,
		       size_t slen)
{
	struct nm_fi_point *p = nm_fi_find(name, nlen);
	uint64_t n = 0, prob = 0, seed = 1;
	const char *colon, *arg;
	size_t klen, alen;
	int mode;

	if (!p)
		return ENOENT;
	/* tolerate a trailing newline, as written by echo to debugfs */
	while (slen > 0 && (spec[slen - 1] == '\n' || spec[slen - 1] == ' '))
		slen--;
	colon = nm_memchr(spec, ':', slen);
	klen = colon ? (size_t)(colon - spec) : slen;
	arg = colon ? colon + 1 : spec + slen;
	alen = colon ? slen - klen - 1 : 0;

	if (klen == 3 && !strncmp(spec, "off", 3) && !colon) {
		mode = NM_FI_OFF;
	} else if ((klen == 3 && !strncmp(spec, "nth", 3)) ||
		   (klen == 4 && !strncmp(spec, "once", 4))) {
		mode = NM_FI_NTH;
		if (!nm_parse_u64(arg, alen, &n) || n == 0)
			return EINVAL;
	} else if (klen == 5 && !strncmp(spec, "every", 5)) {
		mode = NM_FI_EVERY;
		if (!nm_parse_u64(arg, alen, &n) || n == 0)
			return EINVAL;
	} else if (klen == 4 && !strncmp(spec, "prob", 4) && colon) {
		const char *c2 = nm_memchr(arg, ':', alen);
		size_t plen = c2 ? (size_t)(c2 - arg) : alen;

		mode = NM_FI_PROB;
		if (!nm_parse_prob(arg, plen, &prob))
			return EINVAL;
		if (c2 && !nm_parse_u64(c2 + 1, alen - plen - 1, &seed))
			return EINVAL;
	} else {
		return EINVAL;
	}

	/* quiet the point while its parameters change */
	p->mode = NM_FI_OFF;
	nm_smp_wmb();
	p->n = n;
	p->prob = prob;
	p->seed = seed;
	nm_atomic64_set(&p->hits, 0);
	nm_atomic64_set(&p->fired, 0);
	nm_smp_wmb();
	p->mode = mode;
	return 0;
}

int nm_fi_arm(const char *name, const char *spec)
{
	return nm_fi_arm_n(name, strlen(name), spec, strlen(spec));
}

int nm_fi_arm_list(const char *list)
{
	const char *s = list;

	while (*s) {
		const char *end = s, *eq;
		size_t len;
		int err;

		while (*end && *end != ',')
			end++;
		len = (size_t)(end - s);
		eq = nm_memchr(s, '=', len);
		if (len > 0) {
			if (!eq)
				return EINVAL;
			err = nm_fi_arm_n(s, (size_t)(eq - s), eq + 1,
					  len - (size_t)(eq - s) - 1);
			if (err)
				return err;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

int nm_fi_show(const struct nm_fi_point *p, char *buf, size_t len)
{
	unsigned long long hits = nm_atomic64_read((nm_atomic64_t *)&p->hits);
	unsigned long long fired = nm_atomic64_read((nm_atomic64_t *)&p->fired);
	int n;

	switch (p->mode) {
	case NM_FI_NTH:
		n = snprintf(buf, len, "nth:%llu", (unsigned long long)p->n);
		break;
	case NM_FI_EVERY:
		n = snprintf(buf, len, "every:%llu", (unsigned long long)p->n);
		break;
	case NM_FI_PROB:
		/* back to parts per 10^9 for display */
		n = snprintf(buf, len, "prob:0.%09llu:%llu",
			     (unsigned long long)((p->prob * 1000000000ULL) >> 32),
			     (unsigned long long)p->seed);
		if (p->prob >= (1ULL << 32))
			n = snprintf(buf, len, "prob:1:%llu",
				     (unsigned long long)p->seed);
		break;
	default:
		n = snprintf(buf, len, "off");
	}
	if (n < 0 || (size_t)n >= len)
		return n;
	return n + snprintf(buf + n, len - (size_t)n, " hits=%llu fired=%llu",
			    hits, fired);
}

void nm_fi_disarm_all(void)
{
	unsigned int i;

	for (i = 0; i < nm_fi_npoints; i++) {
		nm_fi_points[i]->mode = NM_FI_OFF;
		nm_atomic64_set(&nm_fi_points[i]->hits, 0);
		nm_atomic64_set(&nm_fi_points[i]->fired, 0);
	}
}
