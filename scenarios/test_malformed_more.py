# SPDX-License-Identifier: BSD-2-Clause
"""Malformed rings on the port types test_malformed.py does not cover:
null ports (tx and rx indices) and monitors (rx indices; a monitor has no
tx rings).  The ring is reinitialised and the monitored port, or the port
whose allocator a null port shares, loses nothing."""
import pytest

import nmtb
from nmtb.frames import parse, udp

BAD_INDICES = {
    "head_n": lambda n, st: dict(head=n),
    "cur_n": lambda n, st: dict(cur=n + 3),
    "head_max": lambda n, st: dict(head=0xffffffff),
    "head_beyond_tail": lambda n, st: dict(head=(st.tail + 1) % n,
                                           cur=(st.tail + 1) % n),
}


def _seqs(frames):
    return [parse(f.data)[3] for f in frames]


@pytest.mark.parametrize("cls", sorted(BAD_INDICES))
@pytest.mark.parametrize("t", ["tx", "rx"])
def test_malformed_null_port(nm, t, cls):
    nm.nic("sim0", rings=1, slots=64)
    hold = nm.open("sim0")
    p = nm.open("n", mode="null", mem_id=hold.info["mem_id"], tx_rings=1,
                rx_rings=1, tx_slots=16, rx_slots=16)
    if t == "tx":
        p.send([udp(1, 2, 0, s) for s in range(5)])
    st = p.ring_state(t, 0)
    p.set_ring(t, 0, **BAD_INDICES[cls](st.num_slots, st))
    r0 = p.reinits(t, 0)
    (p.txsync if t == "tx" else p.rxsync)()
    after = p.ring_state(t, 0)
    assert p.reinits(t, 0) == r0 + 1
    assert after.head < after.num_slots and after.cur < after.num_slots
    # the NIC sharing the allocator is unaffected
    hold.send([udp(3, 4, 0, k) for k in range(3)])
    assert _seqs(hold.recv()) == [0, 1, 2]


@pytest.mark.monitor
@pytest.mark.parametrize("cls", sorted(BAD_INDICES))
@pytest.mark.parametrize("zcopy", [False, True], ids=["copy", "zcopy"])
def test_malformed_monitor_rx(nm, cls, zcopy):
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    flags = nmtb.NR_MONITOR_TX | (nmtb.NR_ZCOPY_MON if zcopy else 0)
    mon = nm.open("sim0", flags=flags)
    p.send([udp(1, 2, 0, k) for k in range(4)])
    assert _seqs(p.recv()) == [0, 1, 2, 3]
    mon.rxsync()
    st = mon.ring_state("rx", 0)
    mon.set_ring("rx", 0, **BAD_INDICES[cls](st.num_slots, st))
    r0 = mon.reinits("rx", 0)
    mon.rxsync()
    assert mon.reinits("rx", 0) == r0 + 1
    after = mon.ring_state("rx", 0)
    assert after.head < after.num_slots and after.cur < after.num_slots
    # the monitored port loses nothing, before and after the reinit
    for rnd in range(3):
        p.send([udp(1, 2, 0, 10 * rnd + k) for k in range(8)])
        assert _seqs(p.recv()) == [10 * rnd + k for k in range(8)]
    # and the monitor works again once the user reads it properly
    seen = _seqs(mon.recv())
    assert seen[-8:] == [20 + k for k in range(8)]
