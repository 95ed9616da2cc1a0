#!/usr/bin/python3
"""Seed corpus of the slots fuzz target (fuzz/slots.c), deterministic.

usage: gen_slots_seeds.py [top]   writes top/slots (default fuzz/corpus)

The byte format is described at the top of fuzz/slots.c.  Each seed is a
scenario (proper traffic, or one class of malformed ring or slot) for each
of the five port types.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_seeds import write  # noqa: E402

PORTS = ['nic', 'null', 'vale', 'pipe', 'mon']
NS_MOREFRAG = 0x20


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def op(kind, fd=0):
    return bytes([kind | (fd << 3)])


def send(ring=0, count=4, length=60, fd=0):
    return op(2, fd) + bytes([ring, count]) + u16(length)


def recv(ring=0, count=255, fd=0):
    return op(3, fd) + bytes([ring, count])


def txsync(fd=0):
    return op(4, fd)


def rxsync(fd=0):
    return op(5, fd)


def poll(events=3, fd=0):
    return op(6, fd) + bytes([events])


def slot(ring, s, idx=None, length=None, flags=None, ptr=None, fd=0):
    mask = 0
    body = b''
    if idx is not None:
        mask |= 1
        mode, arg = idx
        body += bytes([mode])
        if mode == 0:
            body += u32(arg)
        elif mode in (1, 3):
            body += bytes([arg])
    if length is not None:
        mask |= 2
        body += u16(length)
    if flags is not None:
        mask |= 4
        body += u16(flags)
    if ptr is not None:
        mask |= 8
        body += u64(ptr)
    return op(0, fd) + bytes([ring, s, mask]) + body


def ring(r, head=None, cur=None, tail=None, fd=0):
    """each field: ('raw', u32) | ('rel', s8) | ('tail',) | ('n',)"""
    mask = 0
    body = b''
    for bit, f in ((1, head), (2, cur), (4, tail)):
        if f is None:
            continue
        mask |= bit
        if f[0] == 'raw':
            body += bytes([0]) + u32(f[1])
        elif f[0] == 'rel':
            body += bytes([1, f[1] & 0xff])
        elif f[0] == 'tail':
            body += bytes([2])
        else:
            body += bytes([3])
    return op(1, fd) + bytes([r, mask]) + body


def scenarios(pair):
    other = 1 if pair else 0
    s = {
        'traffic': send() + txsync() + rxsync(other) + recv(fd=other) +
        rxsync(other) + txsync(),
        'traffic-poll': send(count=8) + poll(2) + poll(1, other) +
        recv(fd=other) + poll(3, other),
        'traffic-full': send(count=255, length=2048) + txsync() +
        rxsync(other) + send(count=255) + txsync() + op(7, other),
        'traffic-ring1': send(ring=1) + txsync() + rxsync(other),
        'traffic-host': send(ring=2) + txsync() + rxsync() + rxsync(other),
        # a full-size frame in the last slot of rx ring 0, while the user
        # holds the first slot of rx ring 1 (the next buffers in the pool)
        'cross-ring': send(ring=1, count=1) + txsync() + rxsync(other) +
        send(count=31, length=2048) + txsync() + rxsync(other) +
        recv(fd=other) + rxsync(other) + send(count=31, length=2048) +
        txsync() + rxsync(other),
        'morefrag': slot(0, 0, flags=NS_MOREFRAG) +
        slot(0, 1, flags=NS_MOREFRAG) + ring(0, head=('rel', 3),
                                             cur=('rel', 3)) +
        txsync() + rxsync(other),
        'head-raw': ring(0, head=('raw', 0xffffffff)) + txsync() +
        send() + txsync(),
        'head-n': ring(0, head=('n',)) + txsync() + rxsync(),
        'cur-behind': send() + ring(0, cur=('rel', -2)) + txsync(),
        'cur-past-tail': ring(0, head=('tail',), cur=('rel', 1)) +
        txsync(),
        'tail-scribble': ring(0, tail=('raw', 3)) + txsync() +
        ring(3, tail=('raw', 0x7fffffff)) + rxsync(),
        'rx-head-past-tail': send() + txsync() + rxsync(other) +
        ring(4, head=('rel', 20), fd=other) + rxsync(other),
        'idx-raw': slot(0, 0, idx=(0, 0xffffffff)) + send() + txsync() +
        rxsync(other),
        'idx-past-pool': slot(0, 1, idx=(3, 0)) + ring(0, head=('rel', 2),
                                                     cur=('rel', 2)) +
        txsync() + rxsync(other),
        'idx-zero': slot(0, 0, idx=(2, 0)) + ring(0, head=('rel', 1),
                                                cur=('rel', 1)) + txsync(),
        'idx-one': slot(0, 0, idx=(2 | 8, 0)) + ring(0, head=('rel', 1),
                                                   cur=('rel', 1)) +
        txsync() + rxsync(other),
        'idx-dup': slot(0, 0, idx=(1, 1)) + ring(0, head=('rel', 2),
                                                cur=('rel', 2)) +
        txsync() + rxsync(other) + recv(fd=other) + rxsync(other),
        'idx-next': slot(0, 0, idx=(4, 0)) + send(count=2) + txsync(),
        'rx-idx-bad': slot(3, 0, idx=(0, 7777777), fd=other) +
        send() + txsync() + rxsync(other) + recv(fd=other) +
        rxsync(other) + send() + txsync() + rxsync(other),
        'len-huge': slot(0, 0, length=0xffff) + ring(0, head=('rel', 1),
                                                   cur=('rel', 1)) +
        txsync() + rxsync(other),
        'len-zero': slot(0, 0, length=0) + ring(0, head=('rel', 1),
                                              cur=('rel', 1)) + txsync(),
        'ptr-offset': slot(0, 0, ptr=0xffffffffffff) +
        ring(0, head=('rel', 1), cur=('rel', 1)) + txsync() +
        rxsync(other),
        'flags-all': slot(0, 0, flags=0xffff, length=100) +
        ring(0, head=('rel', 1), cur=('rel', 1)) + txsync() +
        rxsync(other),
    }
    return s


def seeds():
    out = {}
    for t, name in enumerate(PORTS):
        pair = name in ('vale', 'pipe', 'mon')
        for sname, body in scenarios(pair).items():
            out['%s-%s' % (name, sname)] = bytes([t]) + body
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else 'fuzz/corpus'
    write(os.path.join(top, 'slots'), seeds())


if __name__ == '__main__':
    main()
