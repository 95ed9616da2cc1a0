# SPDX-License-Identifier: BSD-2-Clause
"""netmap.ko in the guest, end to end, on one boot.

    /usr/bin/python3 harness/netmap_smoke.py --module build/module/netmap.ko \
        [--out build/results/qemu-netmap.txt] [--cycles 100]

Loads e1000 and netmap.ko, then checks with frames built and parsed by
scapy: two VALE ports (learning, unicast, broadcast), a pipe on a VALE
port, a copy monitor, the generic adapter on the e1000 both ways through
the netdev socket (guest -> host and host -> guest), the debugfs fault
points (an armed mem.alloc makes REGISTER fail with ENOMEM and the module
stays usable), and the module loaded and unloaded --cycles times with
traffic in between, each unload reporting no leaked object.  Every line
is PASS/FAIL; leaving the guest fails the run on any Oops, BUG, WARNING,
general protection fault or hung task on the console or in dmesg.
This is a smoke suite of the real module, not the qemu backend of the
scenario suite (which is still to come).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from qemu import AgentError, Guest, Smoke, _finish, build_guest  # noqa: E402
from scapy.all import Ether, IP, UDP, Raw  # noqa: E402

GUEST_MAC = "52:54:00:12:34:56"
PARAMS = "buf_num=4096 ring_num=64"
BCAST = "ff:ff:ff:ff:ff:ff"


def mac(n):
    return "02:00:00:00:00:%02x" % n


def frame(src, dst, seq):
    return bytes(Ether(src=src, dst=dst) / IP(src="10.0.0.1", dst="10.0.0.2")
                 / UDP(sport=4000, dport=4001) / Raw(b"nmtb%08d" % seq))


def seq_of(data):
    """The sequence number a frame() carries, or None."""
    p = Ether(bytes.fromhex(data) if isinstance(data, str) else data)
    if Raw not in p or not bytes(p[Raw]).startswith(b"nmtb"):
        return None
    return int(bytes(p[Raw])[4:12])


class Ports:
    def __init__(self, g):
        self.g = g

    def open(self, name, **kw):
        return self.g.call("open", name=name, **kw)["port"]

    def send(self, port, frames):
        return self.g.call("send", port=port, ring=0, sync=True,
                           slots=[{"data": f.hex()} for f in frames])["sent"]

    def recv(self, port, max=64):
        r = self.g.call("recv", port=port, max=max, sync=True)
        return [seq_of(f["data"]) for f in r.get("frames", [])]

    def close(self, port):
        self.g.call("close", port=port)


def check_vale(s, p):
    a, b, c = (p.open("vale0:" + x) for x in "abc")
    s.check("VALE: three ports open", True)
    p.send(a, [frame(mac(1), mac(2), 1)])
    got = (p.recv(a), p.recv(b), p.recv(c))
    s.check("VALE: unknown unicast flooded, not back to the sender",
            got == ([], [1], [1]), str(got))
    p.send(b, [frame(mac(2), mac(1), 2)])
    got = (p.recv(a), p.recv(b), p.recv(c))
    s.check("VALE: learned source, unicast to it alone",
            got == ([2], [], []), str(got))
    p.send(a, [frame(mac(1), mac(2), 10 + k) for k in range(50)])
    got = (p.recv(b, 100), p.recv(c, 100))
    s.check("VALE: 50 frames unicast in order, none elsewhere",
            got == (list(range(10, 60)), []), "%d/%d" % tuple(map(len, got)))
    p.send(c, [frame(mac(3), BCAST, 99)])
    got = (p.recv(a), p.recv(b), p.recv(c))
    s.check("VALE: broadcast to every other port",
            got == ([99], [99], []), str(got))
    for x in (a, b, c):
        p.close(x)


def check_pipe_monitor(s, p):
    m = p.open("vale1:x{1")
    sl = p.open("vale1:x}1")
    p.send(m, [frame(mac(1), mac(2), k) for k in range(20)])
    got = p.recv(sl)
    s.check("pipe on a VALE port: 20 frames master -> slave in order",
            got == list(range(20)), "%d frames" % len(got))
    a = p.open("vale1:a")
    b = p.open("vale1:b")
    # copy monitor of port a (tx and rx): NR_MONITOR_TX | NR_MONITOR_RX
    mon = p.g.call("open", name="vale1:a", flags=(1 << 8) | (1 << 9))
    p.send(a, [frame(mac(1), mac(2), 100 + k) for k in range(5)])
    got_b = p.recv(b)
    got_m = [seq_of(f["data"]) for f in p.g.call(
        "recv", port=mon["port"], max=64, sync=True)["frames"]]
    s.check("copy monitor sees a's tx, and b loses nothing",
            got_b == list(range(100, 105)) and
            got_m == list(range(100, 105)), "b %s mon %s" % (got_b, got_m))
    for x in (mon["port"], a, b, m, sl):
        p.close(x)


def check_generic(s, g, p):
    g.call("exec", sh="ip link set eth0 up")
    # the e1000 drops what it is given before its link comes up
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and g.call(
            "exec", sh="cat /sys/class/net/eth0/carrier")["output"].strip() \
            != "1":
        time.sleep(0.2)
    e = p.open("eth0")
    s.check("generic adapter: REGISTER eth0 (e1000)", True)
    p.send(e, [frame(GUEST_MAC, mac(9), 200 + k) for k in range(10)])
    got, deadline = [], time.monotonic() + 10
    while len(got) < 10 and time.monotonic() < deadline:
        f = g.net.recv(1.0)
        if f is not None and seq_of(bytes(f)) is not None:
            got.append(seq_of(bytes(f)))
    s.check("generic adapter: 10 frames out of the e1000 reach the host",
            got == list(range(200, 210)), str(got))
    for k in range(10):
        g.net.send(frame(mac(9), GUEST_MAC, 300 + k))
    got, deadline = [], time.monotonic() + 10
    while len(got) < 10 and time.monotonic() < deadline:
        got += [x for x in p.recv(e) if x is not None]
        time.sleep(0.1)
    s.check("generic adapter: 10 frames from the host reach the rx ring",
            got == list(range(300, 310)), str(got))
    p.close(e)


def check_fault_point(s, g, p):
    g.call("write", path="/sys/kernel/debug/netmap/fi/mem.alloc",
           data="nth:1")
    try:
        p.open("vale2:fi")
        ok, why = False, "REGISTER succeeded with mem.alloc armed"
    except AgentError as e:
        ok, why = getattr(e, "errno", None) == 12 or "Cannot allocate" in \
            str(e), str(e)
    s.check("fault point mem.alloc=nth:1: REGISTER fails with ENOMEM",
            ok, why)
    hits = g.call("read", path="/sys/kernel/debug/netmap/fi/mem.alloc")
    s.check("fault point counts its hits", "hits=" in hits["data"] and
            "hits=0 " not in hits["data"], hits["data"].strip())
    g.call("write", path="/sys/kernel/debug/netmap/fi/mem.alloc",
           data="off")
    a, b = p.open("vale2:fi"), p.open("vale2:fj")
    p.send(a, [frame(mac(1), mac(2), 7)])
    s.check("after the injected failure the module still forwards",
            p.recv(b) == [7])
    p.close(a)
    p.close(b)


def check_cycles(s, g, p, module, n):
    bad, t0 = [], time.monotonic()
    for i in range(n):
        if i:
            g.call("load", path=module, params=PARAMS)
        a, b = p.open("vale0:c%d" % i), p.open("vale0:d%d" % i)
        p.send(a, [frame(mac(1), mac(2), i)])
        if p.recv(b) != [i]:
            bad.append("cycle %d: no frame" % i)
        p.close(a)
        p.close(b)
        g.call("dmesg", clear=1)
        g.call("unload", name="netmap")
        log = g.call("dmesg")["log"]
        if "no object left" not in log or "LEAK" in log:
            bad.append("cycle %d: %s" % (i, log.strip()[-200:]))
            break
    s.check("netmap.ko loaded and unloaded %d times with traffic, no leak"
            % n, not bad, "; ".join(bad[:3]) or
            "%.1fs" % (time.monotonic() - t0))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 prog="netmap_smoke.py")
    ap.add_argument("--module", required=True, help="netmap.ko to test")
    ap.add_argument("--out", help="PASS/FAIL lines to this file too")
    ap.add_argument("--cycles", type=int, default=100,
                    help="load/unload cycles with traffic (default 100)")
    args = ap.parse_args(argv)
    if not os.path.exists(args.module):
        ap.error("no such module: %s (make module)" % args.module)
    t_all = time.monotonic()
    s = Smoke(args.out)
    img = build_guest(modules=[args.module])
    module = "/modules/" + os.path.basename(args.module)
    boot = None
    try:
        with Guest(img) as g:
            boot = g.boot_time
            s.check("boot", True, "%.2fs" % boot)
            p = Ports(g)
            s.run("load e1000, then netmap.ko", lambda: (
                g.call("load", path=img.modules["e1000.ko"]) and
                g.call("load", path=module, params=PARAMS) and
                "netmap" in g.call("exec", sh="ls /dev")["output"], ""))
            for name, fn in (("vale", lambda: check_vale(s, p)),
                             ("pipe/monitor",
                              lambda: check_pipe_monitor(s, p)),
                             ("generic", lambda: check_generic(s, g, p)),
                             ("fault point",
                              lambda: check_fault_point(s, g, p))):
                try:
                    fn()
                except Exception as e:
                    s.check(name, False, "%s: %s" % (type(e).__name__, e))
            try:
                check_cycles(s, g, p, module, args.cycles)
            except Exception as e:
                s.check("load/unload cycles", False,
                        "%s: %s" % (type(e).__name__, e))
    except Exception as e:
        s.check("guest console clean, guest stopped", False,
                "%s: %s" % (type(e).__name__, str(e)[:2000]))
    else:
        s.check("guest console clean, guest stopped", True)
    return _finish(s, args.out, t_all, boot)


if __name__ == "__main__":
    sys.exit(main())
