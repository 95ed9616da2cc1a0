/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocator scaling: the time to register a port on an idle allocator
 * (which then allocates its pools) and to hand out every buffer, for
 * allocators of N and 10 N buffers.  Linear code gives ratios near 10;
 * netmap once had an O(N^2) step here, which would show as ~100.
 *
 * Prints "bench <name> <value> <unit>" lines.  Figures, not asserts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <net/netmap_user.h>
#include "nmsim.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One registration on an idle allocator; extra asks for buffers too. */
static double register_once(uint32_t extra, uint32_t *granted)
{
	struct nmreq_header h;
	struct nmreq_register r;
	double t0, t1;
	int fd = nmsim_open();

	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_REGISTER;
	strcpy(h.nr_name, "bench0");
	h.nr_body = (uintptr_t)&r;
	r.nr_mode = NR_REG_ALL_NIC;
	r.nr_extra_bufs = extra;
	t0 = now_ms();
	if (nmsim_ioctl(fd, NIOCCTRL, &h)) {
		fprintf(stderr, "bench_mem: REGISTER: %s\n", strerror(errno));
		exit(1);
	}
	t1 = now_ms();
	if (granted)
		*granted = r.nr_extra_bufs;
	nmsim_close(fd);
	return t1 - t0;
}

static double median(double *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static double measure(long bufs, uint32_t extra)
{
	double v[7];
	int i;

	/* a million 2 KB buffers is over the default memory cap */
	nmsim_param_set("mem_max_mb", 0);
	nmsim_param_set("buf_num", bufs);
	for (i = 0; i < 7; i++)
		v[i] = register_once(extra, NULL);
	return median(v, 7);
}

int main(int argc, char **argv)
{
	long n = 100000;
	double a, b;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: bench_mem [N]\n"
		       "Times REGISTER on an idle allocator of N and 10 N "
		       "buffers (default N=100000),\nplain and handing out "
		       "every buffer as extra buffers.\n");
		return 0;
	}
	if (argc > 1 && (n = strtol(argv[1], NULL, 0)) < 1000) {
		fprintf(stderr, "bench_mem: N must be at least 1000\n");
		return 2;
	}
	setenv("NMSIM_LOG", "0", 1);
	if (nmsim_nic_create("bench0", 1, 512)) {
		perror("bench_mem: nmsim_nic_create");
		return 1;
	}
	a = measure(n, 0);
	b = measure(10 * n, 0);
	printf("bench register_idle_alloc_%ldk_bufs %.3f ms\n", n / 1000, a);
	printf("bench register_idle_alloc_%ldk_bufs %.3f ms\n", 10 * n / 1000, b);
	printf("bench register_scaling_10x_bufs %.1f x\n", b / a);
	a = measure(n, 0xffffffffu);
	b = measure(10 * n, 0xffffffffu);
	printf("bench register_all_extra_bufs_%ldk %.3f ms\n", n / 1000, a);
	printf("bench register_all_extra_bufs_%ldk %.3f ms\n", 10 * n / 1000, b);
	printf("bench register_all_extra_scaling_10x %.1f x\n", b / a);
	nmsim_shutdown();
	return 0;
}
