# SPDX-License-Identifier: BSD-2-Clause
"""Helpers shared by scenarios."""
import nmtb
from nmtb.frames import Flow, SeqCheck, flow_of, parse, udp  # noqa: F401


def pump(sender, receiver, flows, counts, batch, ring=0, rx_ring=None,
         check_every=997):
    """Sends counts[k] frames of flows[k] (round robin, `batch` frames a
    sync) from sender to receiver, receiving after each batch, and checks
    every frame for loss, duplication and order; every check_every-th
    frame is also re-parsed with scapy.  Returns the SeqCheck."""
    sc = SeqCheck()
    sent = [0] * len(flows)
    total = sum(counts)
    nsent = nrecv = 0
    by_id = {f.flow: f for f in flows}
    k = 0
    while nrecv < total:
        out = []
        while len(out) < batch and nsent < total:
            while sent[k] >= counts[k]:
                k = (k + 1) % len(flows)
            out.append(flows[k].frame(sent[k]))
            sent[k] += 1
            nsent += 1
            k = (k + 1) % len(flows)
        if out:
            n = sender.send(out, ring=ring)
            assert n == len(out), "tx ring full: %d of %d" % (n, len(out))
        got = receiver.recv(ring=rx_ring)
        if not got and not out:
            raise AssertionError("%d frames lost (received %d of %d)"
                                 % (total - nrecv, nrecv, total))
        for fr in got:
            fl, seq = flow_of(fr.data)
            assert by_id[fl].seq_of(fr.data) == seq
            if nrecv % check_every == 0:
                assert parse(fr.data)[2:] == (fl, seq)
            sc.see(fl, seq)
            nrecv += 1
    sc.assert_complete({f.flow: c for f, c in zip(flows, counts)})
    return sc


def drain(port):
    """Everything waiting on port's rx rings, released."""
    got = port.recv()
    port.rxsync()
    return got
