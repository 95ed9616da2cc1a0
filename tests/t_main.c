/* SPDX-License-Identifier: BSD-2-Clause */
/* The unit-test runner: see t.h.  Usage: unit [substring-of-test-name] */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "t.h"
#include "nmsim.h"

#define T_MAX 1024

static struct { const char *name; t_fn fn; const char *file; } t_tab[T_MAX];
static int t_n;
static int t_fail_flag;
static char t_why[1024];

void t_register(const char *name, t_fn fn, const char *file)
{
	if (t_n < T_MAX) {
		t_tab[t_n].name = name;
		t_tab[t_n].fn = fn;
		t_tab[t_n].file = file;
		t_n++;
	}
}

void t_failf(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t_fail_flag)
		return;	/* keep the first reason */
	t_fail_flag = 1;
	n = snprintf(t_why, sizeof(t_why), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(t_why + n, sizeof(t_why) - (size_t)n, fmt, ap);
	va_end(ap);
}

int t_failed(void)
{
	return t_fail_flag;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < t_n; i++) {
		struct timespec a, b;
		long live;

		if (argc > 1 && !strstr(t_tab[i].name, argv[1]))
			continue;
		t_fail_flag = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		t_tab[i].fn();
		/* every test leaves the sim as it found it: nothing alive */
		nmsim_fi_disarm_all();
		live = nmsim_shutdown();
		if (live != 0)
			t_failf(t_tab[i].file, 0, "%ld kernel objects leaked",
				live);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (t_fail_flag) {
			printf("FAIL %s: %s\n", t_tab[i].name, t_why);
			failed++;
		} else {
			printf("PASS %s (%.0f ms)\n", t_tab[i].name,
			       (b.tv_sec - a.tv_sec) * 1e3 +
			       (b.tv_nsec - a.tv_nsec) / 1e6);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
