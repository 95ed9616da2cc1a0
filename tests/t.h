/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small unit-test harness.  TEST(name) { ... } registers a test; the
 * runner (t_main.c) runs each one, then shuts the sim down and fails the
 * test if any kernel object is left alive, so every test is also a leak
 * test.  Output: one "PASS name" / "FAIL name: why" line per test and a
 * final "N passed, N failed".
 */
#ifndef _T_H_
#define _T_H_

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef void (*t_fn)(void);
void t_register(const char *name, t_fn fn, const char *file);
void t_failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int t_failed(void);

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void t_reg_##name(void)	\
	{ t_register(#name, name, __FILE__); }				\
	static void name(void)

/* On failure: record, and leave the test (return from it). */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		t_failf(__FILE__, __LINE__, "%s", #cond);		\
		return;							\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		t_failf(__FILE__, __LINE__, "%s == %s: %lld != %lld",	\
			#a, #b, _a, _b);				\
		return;							\
	}								\
} while (0)

/* A call returning 0 on success, -1 and errno on failure. */
#define CHECK_OK(call) do {						\
	int _r = (call);						\
	if (_r != 0) {							\
		t_failf(__FILE__, __LINE__, "%s: %d (%s)", #call, _r,	\
			strerror(errno));				\
		return;							\
	}								\
} while (0)

#define CHECK_ERRNO(call, e) do {					\
	int _r = (call), _e = errno;					\
	if (_r != -1 || _e != (e)) {					\
		t_failf(__FILE__, __LINE__,				\
			"%s: want -1/%s, got %d/%s", #call,		\
			strerror(e), _r, _r == -1 ? strerror(_e) : "-");\
		return;							\
	}								\
} while (0)

#endif /* _T_H_ */
