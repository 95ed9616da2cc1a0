# SPDX-License-Identifier: BSD-2-Clause
"""The OFFSETS option on NIC rings: initial and max offset, header push on
tx and headroom on rx, violations rejected at REGISTER and at sync."""
import errno

import pytest

import nmtb
from nmtb.frames import Ether, parse, udp

OFF = {"max_offset": 256, "initial_offset": 64, "bits": 16, "tx_align": 8}


def test_initial_offset_on_every_slot(nm):
    nm.nic("sim0", rings=1, slots=32)
    p = nm.open("sim0", offsets=OFF)
    assert p.option_status == 0
    tx, rx = p.ring_state("tx"), p.ring_state("rx")
    assert tx.offset_mask == 0xffff and tx.buf_align == 8
    assert all(p.slot("tx", 0, i).offset == 64 for i in range(32))
    assert all(p.slot("rx", 0, i).offset == 64 for i in range(32))


def test_tx_header_push_and_rx_headroom(nm):
    """tx: the IP packet is written at offset 128 and the Ethernet header
    pushed in front of it (offset 114); rx: frames land at the initial
    offset until the user releases slots with 32 bytes of headroom."""
    nm.nic("sim0", rings=1, slots=16)
    p = nm.open("sim0", offsets=dict(OFF, tx_align=2))
    for s in range(48):
        pkt = udp(1, 2, 0, s, size=100 + s)
        eth, l3 = bytes(pkt)[:14], bytes(pkt)[14:]
        # push: the payload sits at 128, the header goes just before it
        assert p.send([nmtb.Slot(eth + l3, offset=128 - len(eth))]) == 1
        (f,) = p.recv(rx_offset=32)
        assert f.data == bytes(pkt)
        assert f.offsets == [64 if s < 16 else 32]
        # pop on rx: the Ethernet header is the first 14 bytes after it
        assert bytes(Ether(f.data).payload) == l3
        assert parse(f.data)[3] == s


def test_max_offset_accepted_beyond_rejected(nm):
    nic = nm.nic("sim0", rings=1, slots=16)
    p = nm.open("sim0", offsets=OFF)
    assert p.send([nmtb.Slot(udp(1, 2, 0, 1), offset=256)]) == 1
    (f,) = p.recv()
    assert parse(f.data)[3] == 1
    before = p.reinits("tx", 0)
    head = p.ring_state("tx").head
    p.send([nmtb.Slot(udp(1, 2, 0, 2), offset=264)])     # > max
    st = p.ring_state("tx")
    assert p.reinits("tx", 0) == before + 1
    assert st.head == head and st.cur == head
    assert nic.stats()["tx_frames"] == 1
    # misaligned (tx_align 8)
    p.send([nmtb.Slot(udp(1, 2, 0, 3), offset=68)])
    assert p.reinits("tx", 0) == before + 2
    # offset + len beyond the buffer
    p.send([nmtb.Slot(udp(1, 2, 0, 4), offset=200, len=2000)])
    assert p.reinits("tx", 0) == before + 3
    assert nic.stats()["tx_frames"] == 1
    # the ring still works
    p.send([nmtb.Slot(udp(1, 2, 0, 5), offset=8)])
    assert [parse(f.data)[3] for f in p.recv()] == [5]


@pytest.mark.parametrize("opt", [
    {"max_offset": 2048, "bits": 16},                       # >= buf size
    {"max_offset": 100, "initial_offset": 101, "bits": 16},  # initial > max
    {"max_offset": 300, "bits": 8},                         # max > mask
    {"max_offset": 100, "bits": 65},
    {"max_offset": 100, "bits": 16, "tx_align": 6},         # not 2^k
    {"max_offset": 100, "initial_offset": 3, "bits": 16, "tx_align": 4},
])
def test_register_violations_rejected(nm, opt):
    nm.nic("sim0", rings=1, slots=16)
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.open("sim0", offsets=opt)
    assert ei.value.errno == errno.EINVAL
    assert ei.value.option_status == errno.EINVAL
    nm.open("sim0")     # nothing half-registered


def test_second_user_must_agree(nm):
    nm.nic("sim0", rings=1, slots=16)
    nm.open("sim0", offsets={"max_offset": 100})
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.open("sim0", offsets={"max_offset": 50})
    assert ei.value.errno == errno.EBUSY
    with pytest.raises(nmtb.NetmapError):
        nm.open("sim0")
