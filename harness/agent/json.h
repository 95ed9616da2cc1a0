/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small JSON reader and writer for the guest agent.  The reader builds a
 * tree in one malloc'd block per document; anything malformed (bad syntax,
 * nesting deeper than JSON_MAX_DEPTH, trailing bytes) is refused with a
 * message, never a crash.
 */
#ifndef NMTB_AGENT_JSON_H
#define NMTB_AGENT_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	32

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	const char *key;	/* member name inside an object */
	const char *str;	/* J_STR: decoded, NUL terminated */
	size_t len;		/* J_STR: bytes; J_ARR/J_OBJ: children */
	double num;
	int64_t inum;		/* J_NUM: exact when isint */
	int isint;
	int bval;
	struct jnode *child, *next;
};

struct jdoc {
	struct jnode *root;
	void *mem;
};

/* Parses text[0..n); 0 on success, else -1 and *err set. */
int json_parse(const char *text, size_t n, struct jdoc *doc, const char **err);
void json_free(struct jdoc *doc);

struct jnode *json_get(const struct jnode *obj, const char *key);

/* Output buffer. */
struct sb {
	char *p;
	size_t n, cap;
	int oom;
};

void sb_init(struct sb *b);
void sb_free(struct sb *b);
void sb_raw(struct sb *b, const char *s, size_t n);
void sb_printf(struct sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_jstr(struct sb *b, const char *s, size_t n);	/* quoted, escaped */
void sb_hex(struct sb *b, const void *data, size_t n);	/* quoted hex */

#endif
