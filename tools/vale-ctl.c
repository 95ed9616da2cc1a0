/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vale-ctl: create and delete persistent VALE ports, attach and detach
 * NICs, list the switches' ports.  Actions run in command-line order, so
 * one invocation can do a whole sequence (which is also what makes it
 * testable on the sim, where the switches live inside one process).
 * Exit: 0 every action succeeded, 1 an action failed (the rest are not
 * run), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmt.h"

const char *nmt_prog = "vale-ctl";

static void usage(FILE *f)
{
	fprintf(f,
"usage: vale-ctl ACTION... (run in order; stops at the first failure)\n"
"  -n NAME        create persistent VALE port NAME (VALE_NEWIF)\n"
"  -r NAME        delete persistent port NAME (VALE_DELIF)\n"
"  -a valeX:NIC   attach NIC (or persistent port) to switch valeX\n"
"  -h valeX:NIC   attach NIC with its host rings (NR_REG_NIC_SW)\n"
"  -d valeX:PORT  detach PORT from switch valeX\n"
"  -l             list every port of every switch\n"
"  -L valeX:PORT  show the switch and port index of one port\n"
"  --help         this text\n"
"example: vale-ctl -n p0 -a vale0:p0 -l -d vale0:p0 -r p0\n"
"Exit: 0 ok, 1 an action failed, 2 usage.\n");
}

static int fail(const char *act, const char *name, int e)
{
	char what[160];

	snprintf(what, sizeof(what), "%s: %s", name, act);
	nmt_err(what, e);
	return 1;
}

static int do_list_all(void)
{
	struct nmreq_vale_list l;
	char name[NETMAP_REQ_IFNAMSIZ];
	int e, n = 0;

	memset(&l, 0, sizeof(l));
	for (;;) {
		memset(name, 0, sizeof(name));
		e = nmt_ctrl(NETMAP_REQ_VALE_LIST, name, &l, NULL);
		if (e == ENOENT)
			break;
		if (e)
			return fail("VALE_LIST", "(all)", e);
		printf("%s bridge %u port %u\n", name, l.nr_bridge_idx,
		       l.nr_port_idx);
		n++;
		if (++l.nr_port_idx == 0)	/* cannot wrap; be safe */
			break;
	}
	printf("%d port(s)\n", n);
	return 0;
}

static int do_one(int o, const char *arg)
{
	struct nmreq_vale_newif nw;
	struct nmreq_vale_attach at;
	struct nmreq_vale_detach dt;
	struct nmreq_vale_list l;
	int e;

	if (strlen(arg) == 0 || strlen(arg) >= NETMAP_REQ_IFNAMSIZ) {
		fprintf(stderr, "%s: -%c: name must have 1..%d characters\n",
			nmt_prog, o, NETMAP_REQ_IFNAMSIZ - 1);
		return 1;
	}
	switch (o) {
	case 'n':
		memset(&nw, 0, sizeof(nw));
		e = nmt_ctrl(NETMAP_REQ_VALE_NEWIF, arg, &nw, NULL);
		if (e)
			return fail("VALE_NEWIF", arg, e);
		printf("created %s: %u/%u tx/rx rings of %u/%u slots, "
		       "mem_id %u\n", arg, nw.nr_tx_rings, nw.nr_rx_rings,
		       nw.nr_tx_slots, nw.nr_rx_slots, nw.nr_mem_id);
		return 0;
	case 'r':
		e = nmt_ctrl(NETMAP_REQ_VALE_DELIF, arg, NULL, NULL);
		if (e)
			return fail("VALE_DELIF", arg, e);
		printf("deleted %s\n", arg);
		return 0;
	case 'a':
	case 'h':
		memset(&at, 0, sizeof(at));
		at.reg.nr_mode = o == 'h' ? NR_REG_NIC_SW : NR_REG_ALL_NIC;
		e = nmt_ctrl(NETMAP_REQ_VALE_ATTACH, arg, &at, NULL);
		if (e)
			return fail("VALE_ATTACH", arg, e);
		printf("attached %s%s as port %u\n", arg,
		       o == 'h' ? " (with host rings)" : "", at.port_index);
		return 0;
	case 'd':
		memset(&dt, 0, sizeof(dt));
		e = nmt_ctrl(NETMAP_REQ_VALE_DETACH, arg, &dt, NULL);
		if (e)
			return fail("VALE_DETACH", arg, e);
		printf("detached %s (was port %u)\n", arg, dt.port_index);
		return 0;
	case 'L':
		memset(&l, 0, sizeof(l));
		e = nmt_ctrl(NETMAP_REQ_VALE_LIST, arg, &l, NULL);
		if (e)
			return fail("VALE_LIST", arg, e);
		printf("%s bridge %u port %u\n", arg, l.nr_bridge_idx,
		       l.nr_port_idx);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	int k, o, acts = 0;

	for (k = 1; k < argc; k++)
		if (!strcmp(argv[k], "--help")) {
			usage(stdout);
			return 0;
		}
	if (argc < 2) {
		fprintf(stderr, "%s: no action (try --help)\n", nmt_prog);
		return 2;
	}
	/* check the whole command line before doing anything */
	opterr = 0;
	while ((o = getopt(argc, argv, "n:r:a:h:d:lL:")) != -1) {
		if (o == '?') {
			if (optopt && strchr("nrahdL", optopt))
				fprintf(stderr, "%s: -%c needs an argument\n",
					nmt_prog, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s' "
					"(try --help)\n", nmt_prog,
					argv[optind - 1]);
			return 2;
		}
		acts++;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n",
			nmt_prog, argv[optind]);
		return 2;
	}
	optind = 1;
	while ((o = getopt(argc, argv, "n:r:a:h:d:lL:")) != -1) {
		int rc = o == 'l' ? do_list_all() : do_one(o, optarg);

		fflush(stdout);
		if (rc)
			return 1;
	}
	return acts ? 0 : 2;
}
