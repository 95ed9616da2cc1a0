# SPDX-License-Identifier: BSD-2-Clause
"""Frames for scenarios, built and checked with scapy.

Functional scenarios build every frame with scapy (udp()) and parse what
arrives with scapy (parse()).  Volume scenarios (tens of thousands of
frames) use a Flow: its Ethernet/IPv4/UDP header is built by scapy once per
frame size, and every frame carries a payload tagged with the flow id and a
sequence number plus a pattern derived from both, so loss, duplication,
reordering and corruption are all caught; a sample is re-parsed with scapy.
"""
import struct

from scapy.all import IP, UDP, Ether, Raw  # noqa: F401

MAGIC = b"NMTB"
_TAG = struct.Struct(">4sIQ")   # magic, flow, seq


def mac(n):
    """A locally administered MAC for port/host number n."""
    return "02:00:00:%02x:%02x:%02x" % ((n >> 16) & 0xff, (n >> 8) & 0xff,
                                       n & 0xff)


BCAST = "ff:ff:ff:ff:ff:ff"


def ip(n):
    return "10.%d.%d.%d" % ((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)


def _pattern(flow, seq, n):
    b = (flow * 131 + seq * 7) & 0xff
    return bytes((b + k) & 0xff for k in range(n))


def payload(flow, seq, size):
    tag = _TAG.pack(MAGIC, flow, seq)
    return tag + _pattern(flow, seq, max(0, size - len(tag)))


def udp(src, dst, flow=0, seq=0, size=64, dst_mac=None):
    """A scapy Ether/IP/UDP frame of `size` bytes from host src to host
    dst (dst_mac overrides the destination MAC, e.g. BCAST)."""
    plen = max(size - 42, _TAG.size)
    return (Ether(src=mac(src), dst=dst_mac or mac(dst)) /
            IP(src=ip(src), dst=ip(dst)) /
            UDP(sport=1024 + (flow & 0x7fff), dport=9) /
            Raw(payload(flow, seq, plen)))


def parse(data):
    """scapy-parses a frame made by udp()/Flow; returns (src MAC, dst MAC,
    flow, seq) and asserts the payload pattern is intact."""
    p = Ether(bytes(data))
    assert p.haslayer(UDP) and p.haslayer(Raw), "not a UDP frame: %r" % p
    load = bytes(p[Raw].load)
    magic, flow, seq = _TAG.unpack_from(load)
    assert magic == MAGIC, "payload tag lost"
    assert load[_TAG.size:] == _pattern(flow, seq, len(load) - _TAG.size), \
        "payload of flow %d seq %d corrupted" % (flow, seq)
    return p.src, p.dst, flow, seq


class Flow:
    """Frames src -> dst tagged (flow, seq); headers built by scapy."""

    def __init__(self, flow, src, dst, size=64, dst_mac=None):
        self.flow, self.src, self.dst, self.size = flow, src, dst, size
        self.dst_mac = dst_mac
        self._hdr = {}

    def _header(self, size):
        h = self._hdr.get(size)
        if h is None:
            p = udp(self.src, self.dst, self.flow, 0, size, self.dst_mac)
            p[UDP].chksum = 0   # optional in IPv4; the payload varies
            h = self._hdr[size] = bytes(p)[:42]
        return h

    def frame(self, seq, size=None):
        size = size or self.size
        return self._header(size) + payload(self.flow, seq, size - 42)

    def seq_of(self, data):
        """The seq of a frame of this flow; asserts header and payload."""
        data = bytes(data)
        assert data[:42] == self._header(len(data)), \
            "flow %d: header changed" % self.flow
        magic, flow, seq = _TAG.unpack_from(data, 42)
        assert magic == MAGIC and flow == self.flow, "flow tag lost"
        assert data[42 + _TAG.size:] == _pattern(
            flow, seq, len(data) - 42 - _TAG.size), \
            "flow %d seq %d: payload corrupted" % (flow, seq)
        return seq


def flow_of(data):
    """(flow, seq) of any tagged frame, without scapy (fast path)."""
    magic, flow, seq = _TAG.unpack_from(bytes(data), 42)
    assert magic == MAGIC, "untagged frame"
    return flow, seq


class SeqCheck:
    """Per-flow bookkeeping: no loss, no duplicate, order kept."""

    def __init__(self):
        self.next = {}
        self.errors = []

    def see(self, flow, seq):
        want = self.next.get(flow, 0)
        if seq != want:
            self.errors.append("flow %d: got seq %d, expected %d"
                               % (flow, seq, want))
        self.next[flow] = max(want, seq + 1)

    def assert_complete(self, expected):
        """expected: {flow: frames sent}"""
        assert not self.errors, "; ".join(self.errors[:10])
        got = {f: self.next.get(f, 0) for f in expected}
        assert got == expected, "frames per flow %s, sent %s" % (got,
                                                                 expected)
