/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "tutil.h"

int t_ctrl_hdr(int fd, struct nmreq_header *hdr)
{
	return nmsim_ioctl(fd, NIOCCTRL, hdr) ? errno : 0;
}

int t_ctrl(int fd, const char *name, uint16_t reqtype, void *body,
	   void *options)
{
	struct nmreq_header h;

	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = reqtype;
	if (name)
		strncpy(h.nr_name, name, sizeof(h.nr_name) - 1);
	h.nr_body = (uintptr_t)body;
	h.nr_options = (uintptr_t)options;
	return t_ctrl_hdr(fd, &h);
}

int tp_open_req(struct tport *p, const char *name,
		const struct nmreq_register *req, void *options)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->fd = nmsim_open();
	if (p->fd < 0)
		return errno;
	p->reg = *req;
	err = t_ctrl(p->fd, name, NETMAP_REQ_REGISTER, &p->reg, options);
	if (!err) {
		p->mem = nmsim_mmap(p->fd, p->reg.nr_memsize);
		if (p->mem == MAP_FAILED) {
			err = errno;
			p->mem = NULL;
		}
	}
	if (err) {
		nmsim_close(p->fd);
		p->fd = -1;
		return err;
	}
	p->nifp = NETMAP_IF(p->mem, p->reg.nr_offset);
	return 0;
}

int tp_open(struct tport *p, const char *name, uint32_t mode,
	    uint16_t ringid, uint64_t flags)
{
	struct nmreq_register req;

	memset(&req, 0, sizeof(req));
	req.nr_mode = mode;
	req.nr_ringid = ringid;
	req.nr_flags = flags;
	return tp_open_req(p, name, &req, NULL);
}

void tp_close(struct tport *p)
{
	if (p->mem)
		nmsim_munmap(p->mem, p->reg.nr_memsize);
	if (p->fd >= 0)
		nmsim_close(p->fd);
	p->mem = NULL;
	p->fd = -1;
}

struct netmap_ring *tp_tx(struct tport *p, unsigned int i)
{
	return p->nifp->ring_ofs[i] ? NETMAP_TXRING(p->nifp, i) : NULL;
}

struct netmap_ring *tp_rx(struct tport *p, unsigned int i)
{
	unsigned int k = i + p->nifp->ni_tx_rings + p->nifp->ni_host_tx_rings;

	return p->nifp->ring_ofs[k] ? NETMAP_RXRING(p->nifp, i) : NULL;
}

struct netmap_ring *tp_host_tx(struct tport *p, unsigned int i)
{
	return tp_tx(p, p->nifp->ni_tx_rings + i);
}

struct netmap_ring *tp_host_rx(struct tport *p, unsigned int i)
{
	return tp_rx(p, p->nifp->ni_rx_rings + i);
}

int tr_put(struct netmap_ring *r, const void *data, uint16_t len,
	   uint16_t flags)
{
	struct netmap_slot *s;

	if (nm_ring_empty(r))
		return -1;
	s = &r->slot[r->head];
	memcpy(NETMAP_BUF_OFFSET(r, s), data, len);
	s->len = len;
	s->flags = flags;
	r->head = r->cur = nm_ring_next(r, r->head);
	return 0;
}

int tr_get(struct netmap_ring *r, void *buf, size_t cap, uint16_t *flags)
{
	struct netmap_slot *s;
	uint16_t len;

	if (nm_ring_empty(r))
		return -1;
	s = &r->slot[r->head];
	len = s->len;
	if (buf)
		memcpy(buf, NETMAP_BUF_OFFSET(r, s), len < cap ? len : cap);
	if (flags)
		*flags = s->flags;
	r->head = r->cur = nm_ring_next(r, r->head);
	return len;
}

int tp_txsync(struct tport *p)
{
	return nmsim_ioctl(p->fd, NIOCTXSYNC, NULL) ? errno : 0;
}

int tp_rxsync(struct tport *p)
{
	return nmsim_ioctl(p->fd, NIOCRXSYNC, NULL) ? errno : 0;
}

void t_frame(uint8_t *buf, uint16_t len, uint32_t seq)
{
	uint16_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7);
	if (len >= 4)
		memcpy(buf, &seq, 4);
}

long t_frame_seq(const uint8_t *buf, uint16_t len)
{
	uint32_t seq;
	uint16_t i;

	if (len < 4)
		return -1;
	memcpy(&seq, buf, 4);
	for (i = 4; i < len; i++)
		if (buf[i] != (uint8_t)(seq * 31 + i * 7))
			return -1;
	return seq;
}
