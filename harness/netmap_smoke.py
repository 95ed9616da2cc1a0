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


TOOLS = ("pkt-gen", "vale-ctl", "bridge")
TOOLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                         "build", "guest", "tools")


def _summary(out, what):
    """The pkt-gen summary line for what ("rx vale0:b"), or ''."""
    for line in out.splitlines():
        if line.startswith("pkt-gen: " + what + ":"):
            return line
    return ""


def _packets(line):
    try:
        return int(line.split(": ")[2].split()[0])
    except (IndexError, ValueError):
        return -1


def check_tools(s, g):
    """The static tools (make tools) in the guest, across processes."""
    def sh(cmd, timeout=30):
        r = g.call("exec", sh=cmd, timeout=timeout)
        return r.get("status", -1), r["output"]

    for t in TOOLS:
        rc, out = sh("/bin/%s --help" % t)
        s.check("tools: %s --help" % t, rc == 0 and
                out.startswith("usage: " + t), out[:200])
    rc, out = sh("pkt-gen -i nosuch0 -n 1")
    s.check("tools: pkt-gen on a missing port fails clearly", rc == 3 and
            "nosuch0: REGISTER:" in out, out.strip()[:200])
    rc, out = sh("vale-ctl -n v1 && vale-ctl -a vale1:v1 && vale-ctl -l && "
                 "vale-ctl -d vale1:v1 -r v1 -l")
    s.check("tools: vale-ctl newif/attach/list/detach/delif across "
            "processes", rc == 0 and "vale1:v1 bridge" in out and
            "0 port(s)" in out, out.strip()[-300:])

    # pkt-gen rx in the background, tx in the foreground, for 2 s
    for name, rx, tx in (("two VALE ports", "vale0:b", "vale0:a"),
                         ("a pipe", "vale2:p}1", "vale2:p{1")):
        rc, out = sh("pkt-gen -i '%s' -f rx -D 3500 -T 1000 > /tmp/rx.log "
                     "2>&1 & sleep 0.5; pkt-gen -i '%s' -f tx -D 2000 "
                     "-T 1000; wait; cat /tmp/rx.log" % (rx, tx))
        txl, rxl = _summary(out, "tx " + tx), _summary(out, "rx " + rx)
        print("tools (TCG): %s\n  %s\n  %s" % (name, txl, rxl))
        s.check("tools: pkt-gen tx -> rx through %s" % name,
                rc == 0 and _packets(txl) > 0 and _packets(rxl) > 0,
                "%s | %s" % (txl, rxl) if txl else out.strip()[-300:])
    rc, out = sh("pkt-gen -i vale0:d -f pong -D 4000 -T 0 > /tmp/pong.log "
                 "2>&1 & sleep 0.5; pkt-gen -i vale0:c -f ping -n 20 -T 0; "
                 "r=$?; wait; cat /tmp/pong.log; exit $r")
    line = [x for x in out.splitlines() if "replies" in x]
    print("tools (TCG): ping/pong\n  %s" % (line[0] if line else out))
    s.check("tools: pkt-gen ping/pong between two processes", rc == 0 and
            "20 replies, 0 lost" in out, out.strip()[-300:])
    rc, out = sh("pkt-gen -i vale4:d -f rx -D 4000 -T 0 > /tmp/rx.log 2>&1 &"
                 " bridge -i vale3:e -i vale4:f -D 4000 > /tmp/br.log 2>&1 &"
                 " sleep 0.5; pkt-gen -i vale3:g -f tx -D 2000 -T 0; wait;"
                 " cat /tmp/rx.log /tmp/br.log")
    rxl = _summary(out, "rx vale4:d")
    print("tools (TCG): bridge\n  %s" % out.strip().replace("\n", "\n  "))
    s.check("tools: pkt-gen tx -> bridge -> pkt-gen rx", rc == 0 and
            _packets(rxl) > 0, out.strip()[-300:])

    # out of the e1000 through the generic adapter, to the host
    sh("ip link set eth0 up")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sh(
            "cat /sys/class/net/eth0/carrier")[1].strip() != "1":
        time.sleep(0.2)
    rc, out = sh("pkt-gen -i eth0 -f tx -n 2000 -T 1000")
    got, deadline = 0, time.monotonic() + 10
    while got < 2000 and time.monotonic() < deadline:
        f = g.net.recv(1.0)
        if f is None:
            break
        if bytes(f)[12:14] == b"\x88\xb5":
            got += 1
    txl = _summary(out, "tx eth0")
    print("tools (TCG): eth0 -> host\n  %s\n  host received %d" %
          (txl, got))
    s.check("tools: pkt-gen tx on eth0 (generic) reaches the host",
            rc == 0 and _packets(txl) == 2000 and got > 0,
            "%s; host got %d" % (txl or out.strip()[-200:], got))


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
    tools = {"/bin/" + t: os.path.join(TOOLS_DIR, t) for t in TOOLS}
    have_tools = all(os.path.exists(h) for h in tools.values())
    img = build_guest(modules=[args.module],
                      extra_files=tools if have_tools else None)
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
                              lambda: check_fault_point(s, g, p)),
                             ("tools", lambda: check_tools(s, g)
                              if have_tools else s.check(
                                  "tools: build/guest/tools (make tools)",
                                  False, "not built"))):
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
