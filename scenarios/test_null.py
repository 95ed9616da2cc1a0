# SPDX-License-Identifier: BSD-2-Clause
"""Null ports: rings and buffers of an existing allocator, no traffic."""
import errno

import pytest

import nmtb
from nmtb.frames import udp


def test_null_port_rings_in_an_existing_allocator(nm):
    nm.nic("sim0", rings=1, slots=64)
    hold = nm.open("sim0")
    p = nm.open("anything", mode="null", mem_id=hold.info["mem_id"],
                tx_rings=2, rx_rings=3, tx_slots=32, rx_slots=16)
    assert (p.info["tx_rings"], p.info["rx_rings"]) == (2, 3)
    assert p.info["memsize"] == hold.info["memsize"]
    assert p.bound("tx") == [0, 1] and p.bound("rx") == [0, 1, 2]
    # tx: the user fills n-1 slots, then the ring stays full
    assert p.send([udp(1, 2, 0, s) for s in range(40)], ring=1) == 31
    st = p.ring_state("tx", 1)
    assert (st.head, st.tail) == (31, 31)
    assert p.send([udp(1, 2)], ring=1) == 0
    # rx: always empty
    assert p.recv() == []
    # the NIC's own traffic is unaffected
    hold.send([udp(1, 2, 0, 5)])
    assert len(hold.recv()) == 1


@pytest.mark.parametrize("mem_id", [0, 77])
def test_null_port_needs_an_existing_allocator(nm, mem_id):
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.open("anything", mode="null", mem_id=mem_id, tx_rings=1,
                rx_rings=1, tx_slots=8, rx_slots=8)
    assert ei.value.errno == errno.EINVAL


def test_null_port_head_beyond_tail_reinit(nm):
    nm.nic("sim0", rings=1, slots=64)
    hold = nm.open("sim0")
    p = nm.open("x", mode="null", mem_id=hold.info["mem_id"], tx_rings=1,
                rx_rings=1, tx_slots=16, rx_slots=16)
    p.send([udp(1, 2, 0, s) for s in range(15)])     # head 15, tail 15
    p.set_ring("tx", 0, head=3, cur=3)               # behind: outside
    p.txsync()
    st = p.ring_state("tx", 0)
    assert p.reinits("tx", 0) == 1
    assert (st.head, st.cur, st.tail) == (0, 0, 15)
