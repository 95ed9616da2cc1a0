/* SPDX-License-Identifier: BSD-2-Clause */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nodes come from chunks chained through their first word; strings are
 * decoded into one buffer as long as the text (a decoded string plus its
 * NUL never outgrows its quoted form). */
#define CHUNK_NODES 256

struct chunk {
	struct chunk *next;
	size_t used;
	struct jnode nodes[CHUNK_NODES];
};

struct parser {
	const char *s, *end;
	char *sbuf;
	size_t spos;
	struct chunk *chunks;
	const char *err;
};

struct jmem {
	struct chunk *chunks;
	char *sbuf;
};

static struct jnode *node_new(struct parser *p, enum jtype t)
{
	struct chunk *c = p->chunks;
	struct jnode *n;

	if (!c || c->used == CHUNK_NODES) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			p->err = "out of memory";
			return NULL;
		}
		c->next = p->chunks;
		p->chunks = c;
	}
	n = &c->nodes[c->used++];
	memset(n, 0, sizeof(*n));
	n->type = t;
	return n;
}

static void ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
				 *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(struct parser *p, unsigned cp)
{
	char *o = p->sbuf + p->spos;

	if (cp < 0x80) {
		o[0] = (char)cp;
		p->spos += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		p->spos += 2;
	} else {
		/* \uXXXX is 6 bytes of text, at most 3 bytes here; surrogate
		 * halves are kept as they come (no pairing needed by us). */
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		p->spos += 3;
	}
}

static const char *parse_str(struct parser *p, size_t *lenp)
{
	char *start;

	if (p->s >= p->end || *p->s != '"') {
		p->err = "expected a string";
		return NULL;
	}
	p->s++;
	start = p->sbuf + p->spos;
	while (p->s < p->end && *p->s != '"') {
		unsigned char c = (unsigned char)*p->s++;

		if (c < 0x20) {
			p->err = "control character in string";
			return NULL;
		}
		if (c != '\\') {
			p->sbuf[p->spos++] = (char)c;
			continue;
		}
		if (p->s >= p->end)
			break;
		c = (unsigned char)*p->s++;
		switch (c) {
		case '"': case '\\': case '/':
			p->sbuf[p->spos++] = (char)c; break;
		case 'b': p->sbuf[p->spos++] = '\b'; break;
		case 'f': p->sbuf[p->spos++] = '\f'; break;
		case 'n': p->sbuf[p->spos++] = '\n'; break;
		case 'r': p->sbuf[p->spos++] = '\r'; break;
		case 't': p->sbuf[p->spos++] = '\t'; break;
		case 'u': {
			unsigned cp = 0;
			int k;

			if (p->end - p->s < 4) {
				p->err = "short \\u escape";
				return NULL;
			}
			for (k = 0; k < 4; k++) {
				int v = hexval(p->s[k]);

				if (v < 0) {
					p->err = "bad \\u escape";
					return NULL;
				}
				cp = cp * 16 + (unsigned)v;
			}
			p->s += 4;
			put_utf8(p, cp);
			break;
		}
		default:
			p->err = "bad escape";
			return NULL;
		}
	}
	if (p->s >= p->end) {
		p->err = "unterminated string";
		return NULL;
	}
	p->s++;
	*lenp = (size_t)(p->sbuf + p->spos - start);
	p->sbuf[p->spos++] = 0;
	return start;
}

static int parse_num(struct parser *p, struct jnode *n)
{
	const char *q = p->s;
	char tmp[64];
	size_t len;
	char *e;
	int isint = 1;

	if (q < p->end && *q == '-')
		q++;
	if (q >= p->end || *q < '0' || *q > '9')
		goto bad;
	while (q < p->end && ((*q >= '0' && *q <= '9') || *q == '.' ||
			      *q == 'e' || *q == 'E' || *q == '+' ||
			      *q == '-')) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			isint = 0;
		q++;
	}
	len = (size_t)(q - p->s);
	if (len >= sizeof(tmp))
		goto bad;
	memcpy(tmp, p->s, len);
	tmp[len] = 0;
	n->num = strtod(tmp, &e);
	if (*e)
		goto bad;
	if (isint) {
		/* strtoull for big positives (u64 pointers), signed otherwise */
		if (tmp[0] == '-')
			n->inum = strtoll(tmp, &e, 10);
		else
			n->inum = (int64_t)strtoull(tmp, &e, 10);
	} else {
		n->inum = (int64_t)n->num;
	}
	n->isint = isint;
	p->s = q;
	return 0;
bad:
	p->err = "bad number";
	return -1;
}

static struct jnode *parse_val(struct parser *p, int depth);

static int parse_list(struct parser *p, struct jnode *n, int depth, int obj)
{
	struct jnode **tail = &n->child;
	char close = obj ? '}' : ']';

	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;
		struct jnode *c;

		ws(p);
		if (obj) {
			key = parse_str(p, &klen);
			if (!key)
				return -1;
			ws(p);
			if (p->s >= p->end || *p->s != ':') {
				p->err = "expected ':'";
				return -1;
			}
			p->s++;
		}
		c = parse_val(p, depth + 1);
		if (!c)
			return -1;
		c->key = key;
		*tail = c;
		tail = &c->next;
		n->len++;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return 0;
		}
		p->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
		return -1;
	}
}

static int word(struct parser *p, const char *w)
{
	size_t l = strlen(w);

	if ((size_t)(p->end - p->s) < l || memcmp(p->s, w, l)) {
		p->err = "bad literal";
		return -1;
	}
	p->s += l;
	return 0;
}

static struct jnode *parse_val(struct parser *p, int depth)
{
	struct jnode *n;

	if (depth > JSON_MAX_DEPTH) {
		p->err = "nested too deep";
		return NULL;
	}
	ws(p);
	if (p->s >= p->end) {
		p->err = "unexpected end";
		return NULL;
	}
	switch (*p->s) {
	case '{':
	case '[':
		n = node_new(p, *p->s == '{' ? J_OBJ : J_ARR);
		if (!n || parse_list(p, n, depth, n->type == J_OBJ))
			return NULL;
		return n;
	case '"':
		n = node_new(p, J_STR);
		if (!n || !(n->str = parse_str(p, &n->len)))
			return NULL;
		return n;
	case 't':
	case 'f':
		n = node_new(p, J_BOOL);
		if (!n)
			return NULL;
		n->bval = *p->s == 't';
		if (word(p, n->bval ? "true" : "false"))
			return NULL;
		n->inum = n->bval;
		n->isint = 1;
		return n;
	case 'n':
		n = node_new(p, J_NULL);
		if (!n || word(p, "null"))
			return NULL;
		return n;
	default:
		n = node_new(p, J_NUM);
		if (!n || parse_num(p, n))
			return NULL;
		return n;
	}
}

static void free_chunks(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
}

int json_parse(const char *text, size_t n, struct jdoc *doc, const char **err)
{
	struct parser p = { text, text + n, NULL, 0, NULL, NULL };
	struct jmem *m;
	struct jnode *root;

	doc->root = NULL;
	doc->mem = NULL;
	p.sbuf = malloc(n + 1);
	m = malloc(sizeof(*m));
	if (!p.sbuf || !m) {
		free(p.sbuf);
		free(m);
		*err = "out of memory";
		return -1;
	}
	root = parse_val(&p, 0);
	if (root) {
		ws(&p);
		if (p.s != p.end) {
			p.err = "trailing bytes after the value";
			root = NULL;
		}
	}
	if (!root) {
		free_chunks(p.chunks);
		free(p.sbuf);
		free(m);
		*err = p.err ? p.err : "parse error";
		return -1;
	}
	m->chunks = p.chunks;
	m->sbuf = p.sbuf;
	doc->root = root;
	doc->mem = m;
	return 0;
}

void json_free(struct jdoc *doc)
{
	struct jmem *m = doc->mem;

	if (m) {
		free_chunks(m->chunks);
		free(m->sbuf);
		free(m);
	}
	doc->mem = NULL;
	doc->root = NULL;
}

struct jnode *json_get(const struct jnode *obj, const char *key)
{
	struct jnode *c;

	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (c = obj->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

/* ---------------------------------------------------------------- out */

void sb_init(struct sb *b)
{
	memset(b, 0, sizeof(*b));
}

void sb_free(struct sb *b)
{
	free(b->p);
	sb_init(b);
}

static int sb_grow(struct sb *b, size_t more)
{
	size_t cap;
	char *np;

	if (b->oom)
		return -1;
	if (b->n + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->n + more + 1)
		cap *= 2;
	np = realloc(b->p, cap);
	if (!np) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = cap;
	return 0;
}

void sb_raw(struct sb *b, const char *s, size_t n)
{
	if (sb_grow(b, n))
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0 || sb_grow(b, (size_t)need))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)need + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

void sb_jstr(struct sb *b, const char *s, size_t n)
{
	size_t i;

	sb_raw(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			sb_raw(b, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			/* bytes, not text: non-ASCII goes out as \u00XX so
			 * the line stays valid JSON whatever the output was */
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_raw(b, (const char *)&s[i], 1);
		}
	}
	sb_raw(b, "\"", 1);
}

void sb_hex(struct sb *b, const void *data, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *d = data;
	size_t i;

	if (sb_grow(b, 2 * n + 2))
		return;
	b->p[b->n++] = '"';
	for (i = 0; i < n; i++) {
		b->p[b->n++] = hx[d[i] >> 4];
		b->p[b->n++] = hx[d[i] & 15];
	}
	b->p[b->n++] = '"';
	b->p[b->n] = 0;
}
