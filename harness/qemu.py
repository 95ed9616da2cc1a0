#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""nmtb QEMU harness: builds a busybox guest on Debian's stock kernel,
boots it under TCG and talks to it.

Library use (the future qemu backend of scenarios/nmtb):

    from harness.qemu import build_guest, Guest
    img = build_guest(modules=["build/kernel/netmap.ko"])
    with Guest(img) as g:                  # boots; waits for the agent
        g.agent.call("load", path="/modules/netmap.ko")
        g.net.send(frame_bytes)            # onto the e1000's cable
        g.net.recv(timeout=1.0)            # what the e1000 transmitted
        g.qmp.set_link("nic0", False)
    # leaving the block shuts QEMU down and raises ConsoleError when the
    # console showed an Oops, BUG, WARNING, GPF, hung task or panic.

CLI:
    /usr/bin/python3 harness/qemu.py build [--modules a.ko b.ko]
    /usr/bin/python3 harness/qemu.py boot [--exec CMD ...] [--keep]
    /usr/bin/python3 harness/qemu.py smoke [--out FILE]
    /usr/bin/python3 harness/qemu.py scan LOGFILE
    /usr/bin/python3 harness/qemu.py kver

The guest kernel is the linux-image package matching the newest installed
linux-headers-<ver>-amd64 (or $NMTB_GUEST_KVER); it is downloaded with
`apt-get download` and unpacked with `dpkg -x` under build/guest/, never
installed on this host.
"""
import argparse
import glob
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
BUILD = os.path.join(TOP, "build")
GUEST_DIR = os.path.join(BUILD, "guest")
QEMU = os.environ.get("NMTB_QEMU", "qemu-system-x86_64")
GUEST_MAC = "52:54:00:12:34:56"
NIC_ID = "nic0"         # QMP name of the e1000 (set_link)
NETDEV_ID = "n0"
# Stock modules the guest gets from the image (their dependencies come
# along): e1000 for the tests to load, and the virtio console the agent
# talks over (init loads BOOT_MODULES and their dependencies).
STOCK_MODULES = ["e1000", "virtio_console", "virtio_pci"]
BOOT_MODULES = ["virtio_pci", "virtio_console"]

sys.path.insert(0, HERE)
from qmp import QMP, QMPError  # noqa: E402


def log(msg):
    print("harness: " + msg, file=sys.stderr, flush=True)


# ====================================================================
# Building the guest
# ====================================================================

def guest_kver():
    """The kernel release of the newest installed linux-headers-*-amd64
    (e.g. 6.1.0-56-amd64), or $NMTB_GUEST_KVER."""
    env = os.environ.get("NMTB_GUEST_KVER")
    if env:
        return env
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Status}\n",
         "linux-headers-*-amd64"], capture_output=True, text=True).stdout
    vers = []
    for line in out.splitlines():
        m = re.match(r"linux-headers-(\d+\.\d+\.\d+-\d+-amd64) "
                     r"install ok installed$", line)
        if m:
            vers.append(m.group(1))
    if not vers:
        raise RuntimeError("no linux-headers-<ver>-amd64 installed: run "
                           "make deps-qemu")
    key = lambda v: [int(x) for x in re.findall(r"\d+", v)]
    return sorted(vers, key=key)[-1]


def _run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd),
                                                   r.returncode,
                                                   r.stderr.strip()))
    return r.stdout


def fetch_kernel(kver, gdir=GUEST_DIR):
    """Downloads (once) and unpacks (once) linux-image-<kver>; returns the
    unpacked tree."""
    pkg = "linux-image-" + kver
    os.makedirs(gdir, exist_ok=True)
    debs = glob.glob(os.path.join(gdir, pkg + "_*.deb"))
    if not debs:
        log("apt-get download " + pkg)
        try:
            _run(["apt-get", "download", "-q", pkg], cwd=gdir)
        except RuntimeError:
            # a fresh machine may have no package lists yet
            log("apt-get update, then download again")
            _run(["apt-get", "update", "-qq"])
            _run(["apt-get", "download", "-q", pkg], cwd=gdir)
        debs = glob.glob(os.path.join(gdir, pkg + "_*.deb"))
        if not debs:
            raise RuntimeError("apt-get download %s left no .deb" % pkg)
    deb = sorted(debs)[-1]
    root = os.path.join(gdir, "kernel-" + kver)
    stamp = os.path.join(root, ".unpacked")
    if not os.path.exists(stamp) or \
            os.path.getmtime(stamp) < os.path.getmtime(deb):
        log("dpkg -x " + os.path.basename(deb))
        shutil.rmtree(root, ignore_errors=True)
        _run(["dpkg", "-x", deb, root])
        open(stamp, "w").close()
    return root


def pvh_vmlinux(bzimage, out):
    """The uncompressed kernel inside bzimage, written to out, when it can
    boot straight through its PVH entry (QEMU loads the ELF; no firmware
    decompression, which costs ~8s under TCG).  None otherwise."""
    if os.path.exists(out) and os.path.getmtime(out) >= \
            os.path.getmtime(bzimage):
        return out
    import lzma
    with open(bzimage, "rb") as f:
        data = f.read()
    at = data.find(b"\xfd7zXZ\x00")
    if at < 0:
        return None     # not xz: keep the bzImage
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(
            data[at:])
    except lzma.LZMAError:
        return None
    # an ELF note "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY): the PVH entry
    if elf[:4] != b"\x7fELF" or not re.search(
            re.escape(struct.pack("<I", 4)) + b".{4}" +
            re.escape(struct.pack("<I", 18)) + b"Xen\x00", elf, re.S):
        return None
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.replace(out + ".tmp", out)
    return out


def _module_index(mdir):
    """{module name: path} of every .ko[.xz|.zst|.gz] under mdir."""
    idx = {}
    for d, _, files in os.walk(mdir):
        for f in files:
            m = re.match(r"(.+)\.ko(\.xz|\.zst|\.gz)?$", f)
            if m:
                idx[m.group(1).replace("-", "_")] = os.path.join(d, f)
    return idx


def _with_deps(names, idx):
    """names and their dependencies (modinfo -F depends), dependencies
    first: a valid insmod order."""
    order = []

    def visit(n, stack=()):
        n = n.replace("-", "_")
        if n in order or n in stack:
            return
        if n not in idx:
            raise RuntimeError("module %s is not in the guest image" % n)
        deps = _run(["modinfo", "-F", "depends", idx[n]]).strip()
        for d in filter(None, deps.split(",")):
            visit(d, stack + (n,))
        order.append(n)
    for n in names:
        visit(n)
    return order


def build_agent(out=None):
    """Compiles the static guest agent if its sources are newer."""
    out = out or os.path.join(GUEST_DIR, "agent")
    srcs = [os.path.join(HERE, "agent", f)
            for f in ("agent.c", "json.c", "json.h")]
    srcs.append(os.path.join(TOP, "include", "net", "netmap.h"))
    if os.path.exists(out) and all(os.path.getmtime(out) >=
                                   os.path.getmtime(s) for s in srcs):
        return out
    log("cc -static agent")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    _run(["gcc", "-std=gnu11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra",
          "-Werror", "-Wno-unused-parameter", "-Wshadow",
          "-I" + os.path.join(TOP, "include"), "-static", "-o", out,
          srcs[0], srcs[1]])
    return out


def build_testmod(kver=None, gdir=GUEST_DIR):
    """harness/testmod built against the installed headers (a module for
    testing the harness: it loads, and with warn=1 it WARNs)."""
    kver = kver or guest_kver()
    src = os.path.join(HERE, "testmod")
    out = os.path.join(gdir, "testmod")
    ko = os.path.join(out, "nmtb_harness_test.ko")
    srcs = [os.path.join(src, f) for f in ("nmtb_harness_test.c", "Kbuild")]
    if os.path.exists(ko) and all(os.path.getmtime(ko) >= os.path.getmtime(s)
                                  for s in srcs):
        return ko
    kdir = "/lib/modules/%s/build" % kver
    if not os.path.isdir(kdir):
        raise RuntimeError("no kernel headers at %s: run make deps-qemu"
                           % kdir)
    log("kbuild testmod against " + kdir)
    os.makedirs(out, exist_ok=True)
    for s in srcs:
        shutil.copyfile(s, os.path.join(out, os.path.basename(s)))
    _run(["make", "-s", "-C", kdir, "M=" + out, "modules"])
    return ko


INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp /run
# hung tasks must show up while the host still waits for its answer
echo 15 > /proc/sys/kernel/hung_task_timeout_secs
# a quiet wire: no IPv6 autoconfiguration chatter on eth0
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
ip link set lo up
# the agent's line must never echo what the host sends, even before the
# agent has opened it
stty -F /dev/ttyS1 raw -echo 115200
# the agent talks over a virtio console port when the host gave one (much
# faster than the 16550), else over the second serial port
for m in $(cat /boot-modules); do
	insmod /lib/modules/$(uname -r)/$m
done
chan=/dev/ttyS1
if grep -q virtio-agent /proc/cmdline; then
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		[ -e /dev/vport0p1 ] && break
		sleep 0.1
	done
	[ -e /dev/vport0p1 ] && chan=/dev/vport0p1
fi
echo "nmtb-guest: up $(uname -r), agent on $chan"
while true; do
	/agent $chan
	echo "nmtb-guest: agent exited with status $?"
	sleep 1
done
"""


class GuestImage:
    """What a boot needs: kernel, initramfs and the release."""

    def __init__(self, kver, kernel, initrd, modules):
        self.kver, self.kernel, self.initrd = kver, kernel, initrd
        self.modules = modules      # {basename: path in the guest}


def _copy_module(src, dst):
    """Copies a .ko, decompressing .ko.xz / .ko.zst / .ko.gz on the host
    (busybox insmod and finit_module without flags want them plain)."""
    if src.endswith(".xz"):
        with open(dst, "wb") as f:
            subprocess.run(["xz", "-dc", src], stdout=f, check=True)
    elif src.endswith(".zst"):
        with open(dst, "wb") as f:
            subprocess.run(["zstd", "-dc", src], stdout=f, check=True)
    elif src.endswith(".gz"):
        with open(dst, "wb") as f:
            subprocess.run(["gzip", "-dc", src], stdout=f, check=True)
    else:
        shutil.copyfile(src, dst)


def build_guest(modules=None, kver=None, gdir=GUEST_DIR, extra_files=None):
    """Kernel image + initramfs (busybox, agent, stock e1000, and every .ko
    in modules or $HARNESS_MODULES, under /modules/).  extra_files maps
    guest paths ("/bin/pkt-gen") to host files, copied in executable."""
    kver = kver or guest_kver()
    if modules is None:
        modules = os.environ.get("HARNESS_MODULES", "").split()
    root = fetch_kernel(kver, gdir)
    kernel = os.path.join(root, "boot", "vmlinuz-" + kver)
    if not os.path.exists(kernel):
        raise RuntimeError("no kernel in the package: " + kernel)
    if os.environ.get("NMTB_GUEST_BOOT", "pvh") == "pvh":
        kernel = pvh_vmlinux(kernel, os.path.join(root, "vmlinux")) or kernel
    agent = build_agent(os.path.join(gdir, "agent"))
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        raise RuntimeError("busybox-static is missing: run make deps-qemu")

    stage = os.path.join(gdir, "initramfs")
    shutil.rmtree(stage, ignore_errors=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev",
              "tmp", "run", "modules", "lib/modules/" + kver):
        os.makedirs(os.path.join(stage, d), exist_ok=True)
    shutil.copyfile(busybox, os.path.join(stage, "bin", "busybox"))
    os.chmod(os.path.join(stage, "bin", "busybox"), 0o755)
    os.symlink("busybox", os.path.join(stage, "bin", "sh"))
    shutil.copyfile(agent, os.path.join(stage, "agent"))
    os.chmod(os.path.join(stage, "agent"), 0o755)
    with open(os.path.join(stage, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(stage, "init"), 0o755)

    placed = {}
    mdir = os.path.join(root, "lib", "modules", kver)
    idx = _module_index(mdir)
    for name in _with_deps(STOCK_MODULES, idx):
        _copy_module(idx[name], os.path.join(stage, "lib", "modules", kver,
                                             name + ".ko"))
        placed[name + ".ko"] = "/lib/modules/%s/%s.ko" % (kver, name)
    with open(os.path.join(stage, "boot-modules"), "w") as f:
        f.write("".join("%s.ko\n" % n for n in _with_deps(BOOT_MODULES, idx)))
    for m in modules:
        if not os.path.exists(m):
            raise RuntimeError("HARNESS_MODULES: no such file: " + m)
        name = re.sub(r"\.(xz|zst|gz)$", "", os.path.basename(m))
        _copy_module(m, os.path.join(stage, "modules", name))
        placed[name] = "/modules/" + name
    for gpath, hpath in sorted((extra_files or {}).items()):
        dst = os.path.join(stage, gpath.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(hpath, dst)
        os.chmod(dst, 0o755)

    initrd = os.path.join(gdir, "initramfs.cpio.gz")
    files = subprocess.run(["find", "."], cwd=stage, capture_output=True,
                           text=True, check=True).stdout
    with open(initrd + ".tmp", "wb") as out:
        cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet",
                                 "-R", "0:0"], cwd=stage,
                                stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)
        gz = subprocess.Popen(["gzip", "-1"], stdin=cpio.stdout, stdout=out)
        cpio.stdout.close()
        cpio.stdin.write(files.encode())
        cpio.stdin.close()
        if cpio.wait() or gz.wait():
            raise RuntimeError("cpio | gzip failed")
    os.replace(initrd + ".tmp", initrd)
    with open(os.path.join(gdir, "image.json"), "w") as f:
        json.dump({"kver": kver, "kernel": kernel, "initrd": initrd,
                   "modules": placed}, f, indent=1)
    return GuestImage(kver, kernel, initrd, placed)


# ====================================================================
# Console scanner
# ====================================================================

# What makes a run fail when it shows up on the console.
BAD_PATTERNS = [
    ("oops", re.compile(r"\bOops\b")),
    ("bug", re.compile(r"\bBUG[: ]|kernel BUG at")),
    ("warning", re.compile(r"\bWARNING: |------------\[ cut here \]")),
    ("gpf", re.compile(r"general protection fault")),
    ("hung task", re.compile(r"blocked for more than \d+ seconds|"
                             r"hung_task")),
    ("panic", re.compile(r"Kernel panic")),
    ("sanitizer", re.compile(r"\b(KASAN|UBSAN|KCSAN|KFENCE): ")),
    ("lockdep", re.compile(r"possible (recursive|circular) locking|"
                           r"inconsistent lock state")),
    ("soft lockup", re.compile(r"soft lockup|rcu_sched self-detected|"
                               r"rcu: INFO: rcu_.* detected stall")),
]


def scan_console(text):
    """[(kind, line)] for every console line that must fail a run."""
    bad = []
    for line in text.splitlines():
        for kind, rx in BAD_PATTERNS:
            if rx.search(line):
                bad.append((kind, line.strip()))
                break
    return bad


class ConsoleError(RuntimeError):
    def __init__(self, bad, path):
        self.bad, self.path = bad, path
        lines = "\n".join("  [%s] %s" % b for b in bad[:20])
        super().__init__("guest console (%s) shows %d bad line(s):\n%s"
                         % (path, len(bad), lines))


# ====================================================================
# Talking to the guest
# ====================================================================

class AgentError(OSError):
    """The agent answered ok:false."""

    def __init__(self, cmd, reply):
        self.reply = reply
        self.cmd = cmd
        super().__init__(reply.get("errno") or 0,
                         "%s: %s" % (cmd, reply.get("error", "?")))


class AgentRestarted(ConnectionError):
    """The agent died during a request and init started a new one."""


def _connect_unix(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Agent:
    """JSON lines to the guest agent over the second serial port."""

    def __init__(self, path, timeout=30.0, sock=None):
        """path: the agent's unix socket (QEMU's chardev); or sock: a
        connected socket (an agent run on this host, for tests)."""
        self.sock = sock if sock is not None else _connect_unix(path, timeout)
        self.buf = b""
        self.id = 0
        self.timeout = timeout
        self.hellos = 0
        self.noise = []     # lines that were no reply (kept for debugging)
        self.stale = []     # replies to requests given up on

    def _readline(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("guest agent: no answer in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                raise TimeoutError("guest agent: no answer in time")
            if not chunk:
                raise ConnectionError("guest agent socket closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def request(self, cmd, _wait=None, **args):
        """Sends one request; returns the whole reply (ok or not).  _wait:
        seconds to wait for it (default: the agent's timeout)."""
        self.id += 1
        rid = self.id
        msg = dict(args, cmd=cmd, id=rid)
        self.sock.sendall(json.dumps(msg, separators=(",", ":")).encode()
                          + b"\n")
        deadline = time.monotonic() + (_wait or self.timeout)
        while True:
            line = self._readline(deadline)
            try:
                r = json.loads(line.decode("latin-1"))
            except ValueError:
                r = None
            if not isinstance(r, dict) or "ok" not in r:
                # noise: the tty echoing a request before the agent made
                # it raw, or a line cut by a restart
                self.noise.append(line[:200])
                continue
            if r.get("hello"):
                # a new agent while we wait: the old one died (an Oops in
                # a syscall it made kills it; init starts another)
                self.hellos += 1
                raise AgentRestarted(
                    "guest agent restarted while running %r (it crashed or "
                    "was killed: see the console)" % cmd)
            if r.get("id") == rid:
                return r
            self.stale.append(r)

    def call(self, cmd, _wait=None, **args):
        """request(), raising AgentError when the agent says ok:false."""
        r = self.request(cmd, _wait=_wait, **args)
        if not r.get("ok"):
            raise AgentError(cmd, r)
        return r

    def wait_ready(self, timeout):
        """Waits for the agent's hello line, then pings it.  Nothing is
        sent before the hello: bytes queued for a serial port that is not
        open yet would be echoed by the tty when it first opens."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._readline(deadline)
            except TimeoutError:
                raise TimeoutError("guest agent did not come up in %gs"
                                   % timeout)
            if b'"hello":"nmtb-agent"' in line:
                self.hellos += 1
                break
            self.noise.append(line[:200])
        return self.call("ping", _wait=max(1.0, deadline - time.monotonic()))

    # ---- conveniences --------------------------------------------------
    def sh(self, command, timeout=30):
        """(status, output) of a busybox shell command in the guest."""
        r = self.call("exec", _wait=timeout + 10, sh=command,
                      timeout=timeout)
        return r["status"], r["output"].encode("latin-1").decode(
            "utf-8", "replace")

    def dmesg(self, clear=False):
        r = self.call("dmesg", clear=1 if clear else 0)
        return r["log"].encode("latin-1").decode("utf-8", "replace")

    def pkt_send(self, frame, ifname="eth0"):
        return self.call("pkt_send", ifname=ifname,
                         data=bytes(frame).hex())["sent"]

    def pkt_recv(self, ifname="eth0", timeout_ms=0, max=64):
        r = self.call("pkt_recv", ifname=ifname, timeout_ms=timeout_ms,
                      max=max, _wait=30 + timeout_ms / 1000.0)
        return [bytes.fromhex(h) for h in r["frames"]]

    def read(self, path):
        return self.call("read", path=path)["data"]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class NetSocket:
    """The e1000's cable: QEMU's stream netdev, each frame preceded by its
    length as 4 big-endian bytes.  A thread queues what the guest sends."""

    def __init__(self, path, timeout=30.0):
        self.sock = _connect_unix(path, timeout)
        self.rx = []
        self.cond = threading.Condition()
        self.closed = False
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cond:
                    self.closed = True
                    self.cond.notify_all()
                return
            buf += chunk
            while len(buf) >= 4:
                n = struct.unpack(">I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                with self.cond:
                    self.rx.append(buf[4:4 + n])
                    self.cond.notify_all()
                buf = buf[4 + n:]

    def send(self, frame):
        """A frame arrives on the e1000's cable (the guest receives it)."""
        data = bytes(frame)
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def recv(self, timeout=0.0, match=None):
        """The first frame the guest transmitted (matching match(frame),
        when given; others stay queued) within timeout, or None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, f in enumerate(self.rx):
                    if match is None or match(f):
                        return self.rx.pop(i)
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def drain(self):
        """Everything the guest transmitted so far."""
        with self.cond:
            out, self.rx = self.rx, []
        return out

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# ====================================================================
# One guest
# ====================================================================

class Guest:
    """One QEMU process: boot, sockets, console, shutdown.  One boot is
    meant to serve a whole suite."""
    _n = 0

    def __init__(self, image=None, mem="512M", boot_timeout=120.0,
                 rundir=None, extra_append="", nic_model="e1000",
                 channel=None):
        self.image = image or build_guest()
        self.mem = mem
        self.boot_timeout = boot_timeout
        Guest._n += 1
        self.rundir = rundir or os.path.join(
            GUEST_DIR, "run-%d-%d" % (os.getpid(), Guest._n))
        self.extra_append = extra_append
        self.nic_model = nic_model
        # the agent's line: "virtio" (virtio console port) or "serial"
        # (second 16550, ttyS1)
        self.channel = channel or os.environ.get("NMTB_AGENT_CHANNEL",
                                                 "virtio")
        self.proc = self.qmp = self.agent = self.net = None
        self.boot_time = None

    # paths
    def p(self, name):
        return os.path.join(self.rundir, name)

    @property
    def console_path(self):
        return self.p("console.log")

    def cmdline(self):
        # loglevel 5 keeps KERN_WARNING and worse on the console (every
        # line the scanner looks for) and saves ~2s of serial output at
        # boot; the whole log is saved from dmesg at stop.
        append = ("console=ttyS0,115200 panic=-1 8250.nr_uarts=2 "
                  "loglevel=%s " % os.environ.get("NMTB_GUEST_LOGLEVEL", "5")
                  + ("virtio-agent " if self.channel == "virtio" else "")
                  + self.extra_append)
        return [
            QEMU, "-machine", "pc,accel=tcg", "-cpu", "qemu64", "-smp", "1",
            "-m", self.mem, "-nodefaults", "-no-user-config",
            "-display", "none", "-vga", "none", "-no-reboot",
            "-kernel", self.image.kernel, "-initrd", self.image.initrd,
            "-append", append.strip(),
            "-chardev", "file,id=con,path=" + self.console_path,
            "-serial", "chardev:con",
            "-chardev", "socket,id=agent,path=%s,server=on,wait=off"
            % self.p("agent.sock"),
        ] + ([
            "-device", "virtio-serial-pci,id=vser",
            "-device", "virtserialport,bus=vser.0,chardev=agent,"
            "name=nmtb.agent",
        ] if self.channel == "virtio" else [
            "-serial", "chardev:agent",
        ]) + [
            "-qmp", "unix:%s,server=on,wait=off" % self.p("qmp.sock"),
            "-netdev", "stream,id=%s,server=on,addr.type=unix,addr.path=%s"
            % (NETDEV_ID, self.p("net.sock")),
            "-device", "%s,netdev=%s,id=%s,mac=%s"
            % (self.nic_model, NETDEV_ID, NIC_ID, GUEST_MAC),
        ]

    def start(self):
        shutil.rmtree(self.rundir, ignore_errors=True)
        os.makedirs(self.rundir)
        t0 = time.monotonic()
        cmd = self.cmdline()
        with open(self.p("cmdline"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.stderr = open(self.p("qemu.stderr"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr)
        try:
            deadline = t0 + self.boot_timeout
            self._wait_sockets(deadline)
            self.qmp = QMP(self.p("qmp.sock"))
            self.net = NetSocket(self.p("net.sock"))
            self.agent = Agent(self.p("agent.sock"))
            self.agent.wait_ready(max(1.0, deadline - time.monotonic()))
        except BaseException:
            self.stop()
            raise
        self.boot_time = time.monotonic() - t0
        return self

    def _wait_sockets(self, deadline):
        names = ("qmp.sock", "agent.sock", "net.sock")
        while not all(os.path.exists(self.p(n)) for n in names):
            if self.proc.poll() is not None:
                raise RuntimeError("QEMU exited (%d): %s" % (
                    self.proc.returncode, open(self.p("qemu.stderr")).read()))
            if time.monotonic() > deadline:
                raise TimeoutError("QEMU sockets did not appear")
            time.sleep(0.02)

    def call(self, cmd, _wait=None, **args):
        """agent.call(), with the console's bad lines (and its tail) in
        the exception when the agent times out or dies."""
        try:
            return self.agent.call(cmd, _wait=_wait, **args)
        except (TimeoutError, ConnectionError) as e:
            bad = self.scan()
            tail = "\n".join(self.console().splitlines()[-15:])
            raise type(e)("%s\nconsole: %s\n--- console tail ---\n%s" % (
                e, "; ".join("[%s] %s" % b for b in bad[:5]) or "clean",
                tail)) from e

    def nic_replug(self, timeout=30.0):
        """QMP device_del + device_add of the e1000 (same id, netdev and
        MAC): the guest driver sees it go and come back."""
        return self.qmp.replug(NIC_ID, self.nic_model, timeout,
                               netdev=NETDEV_ID, mac=GUEST_MAC)

    def console(self):
        try:
            with open(self.console_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def scan(self):
        """Bad lines of the console and of the dmesg saved at stop."""
        text = self.console()
        try:
            with open(self.p("dmesg.log"), "rb") as f:
                text += "\n" + f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            pass
        return scan_console(text)

    def check_console(self):
        bad = self.scan()
        if bad:
            raise ConsoleError(bad, self.console_path)

    def stop(self, timeout=10.0):
        """Powers the guest off (poweroff -f), else quits QEMU, else kills
        it.  Returns QEMU's exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None and self.agent is not None:
            try:
                with open(self.p("dmesg.log"), "w") as f:
                    f.write(self.agent.dmesg())
            except (OSError, TimeoutError, AgentError):
                pass
            try:
                self.agent.sock.sendall(json.dumps(
                    {"id": -1, "cmd": "exec",
                     "sh": "sync; poweroff -f"}).encode() + b"\n")
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None and self.qmp is not None:
            try:
                self.qmp.quit()
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for c in (self.agent, self.net, self.qmp):
            if c is not None:
                c.close()
        self.stderr.close()
        return self.proc.returncode

    def __enter__(self):
        return self.start() if self.proc is None else self

    def __exit__(self, et, ev, tb):
        self.stop()
        if et is None:
            self.check_console()


# ====================================================================
# Smoke test
# ====================================================================

def _frame(dst, src, ethertype, payload):
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    return mac(dst) + mac(src) + struct.pack(">H", ethertype) + payload


class Smoke:
    def __init__(self, out):
        self.lines = []
        self.out = out

    def check(self, name, ok, detail=""):
        line = "%s %s%s" % ("PASS" if ok else "FAIL", name,
                            (": " + detail) if detail else "")
        self.lines.append(line)
        print(line, flush=True)
        return ok

    def run(self, name, fn):
        try:
            r = fn()
        except Exception as e:  # a failed step is a FAIL line, not a crash
            return self.check(name, False, "%s: %s" % (type(e).__name__, e))
        ok, detail = r if isinstance(r, tuple) else (bool(r), "")
        return self.check(name, ok, detail)

    @property
    def failed(self):
        return [l for l in self.lines if l.startswith("FAIL")]


def _wait(fn, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def scanner_selftest():
    """The scanner finds each kind in a fake log and passes a clean one."""
    fake = "\n".join([
        "[    1.0] e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex",
        "[    2.0] BUG: kernel NULL pointer dereference, address: 0008",
        "[    2.1] Oops: 0002 [#1] PREEMPT SMP NOPTI",
        "[    3.0] WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 foo+0x1/0x2",
        "[    4.0] general protection fault, probably for non-canonical "
        "address 0xdead: 0000 [#1]",
        "[    5.0] INFO: task agent:42 blocked for more than 15 seconds.",
        "[    6.0] kernel BUG at mm/slub.c:100!",
    ])
    kinds = {k for k, _ in scan_console(fake)}
    want = {"bug", "oops", "warning", "gpf", "hung task"}
    clean = ("[ 0.5] Booting the kernel.\n[ 1.0] e1000 0000:00:03.0 eth0: "
             "(PCI:33MHz:32-bit) 52:54:00:12:34:56\n[ 1.2] debug: "
             "unmapping init [mem 0x1-0x2]\nnmtb-guest: up 6.1.0\n")
    return (want <= kinds and not scan_console(clean),
            "found %s in the fake log; clean log: %d hit(s)"
            % (sorted(kinds), len(scan_console(clean))))


def smoke(out_path=None, modules=None):
    t_all = time.monotonic()
    s = Smoke(out_path)
    s.run("console scanner catches Oops/BUG/WARNING/GPF/hung task in a "
          "fake log", scanner_selftest)
    t = time.monotonic()
    if modules is None:
        modules = os.environ.get("HARNESS_MODULES", "").split()
    extra = [os.path.basename(m) for m in modules]
    try:
        testmod = build_testmod()
    except Exception as e:
        s.check("test module built against the installed headers", False,
                str(e))
        testmod = None
    img = build_guest(modules=modules + ([testmod] if testmod else []))
    s.check("guest image built", True, "kernel %s, %.1fs, modules %s"
            % (img.kver, time.monotonic() - t, sorted(img.modules)))
    g = Guest(img)
    try:
        g.start()
    except Exception as e:
        s.check("boot", False, "%s: %s\n%s" % (type(e).__name__, e,
                                               g.console()[-3000:]))
        return _finish(s, out_path, t_all, None)
    s.check("boot: agent answers ping", True, "%.2fs" % g.boot_time)
    a = g.agent
    provoked = set()
    try:
        s.run("uname -r is the image's release",
              lambda: (a.call("uname")["release"] == img.kver,
                       a.call("uname")["release"]))
        s.run("bad JSON gets ok:false, agent survives", lambda: (
            _bad_json(a), ""))
        e1000 = img.modules["e1000.ko"]
        s.run("load e1000", lambda: (a.call("load", path=e1000) and
                                     _wait(lambda: "eth0" in a.sh(
                                         "ls /sys/class/net")[1], 10),
                                     "eth0 present"))
        s.run("unload e1000", lambda: (a.call("unload", name="e1000") and
                                       "eth0" not in a.sh(
                                           "ls /sys/class/net")[1], ""))
        s.run("load e1000 again, eth0 up", lambda: (
            a.call("load", path=e1000) and
            _wait(lambda: "eth0" in a.sh("ls /sys/class/net")[1], 10) and
            a.sh("ip link set eth0 up")[0] == 0 and
            _wait(lambda: a.read("/sys/class/net/eth0/carrier").strip()
                  == "1", 10), "carrier 1"))
        s.run("guest frame out of eth0 reaches the netdev socket",
              lambda: _tx_check(g))
        s.run("host frame on the netdev socket reaches the guest",
              lambda: _rx_check(g))
        s.run("QMP set_link off: guest carrier 0", lambda: (
            g.qmp.set_link(NIC_ID, False) is not None and
            _wait(lambda: a.read("/sys/class/net/eth0/carrier").strip()
                  == "0", 10), ""))
        s.run("QMP set_link on: guest carrier 1", lambda: (
            g.qmp.set_link(NIC_ID, True) is not None and
            _wait(lambda: a.read("/sys/class/net/eth0/carrier").strip()
                  == "1", 10), ""))
        s.run("dmesg returned (shows e1000)", lambda: (
            "e1000" in a.dmesg(), ""))
        s.run("QMP device_del/device_add (NIC replug): eth0 back, frames "
              "flow", lambda: _replug_check(g))
        for m in extra:
            s.run("load HARNESS_MODULES " + m, lambda m=m: (
                a.call("load", path=img.modules[m]) is not None, ""))
        for m in reversed(extra):
            s.run("unload HARNESS_MODULES " + m, lambda m=m: (
                a.call("unload", name=m[:-3].replace("-", "_"))
                is not None, ""))
        if not any(m.startswith("netmap") for m in extra):
            s.run("netmap commands say /dev/netmap is missing", lambda: (
                _netmap_missing(a), ""))
        if testmod:
            tm = img.modules["nmtb_harness_test.ko"]
            s.run("out-of-tree module (built on the host) loads/unloads",
                  lambda: (a.call("load", path=tm) and
                           a.call("unload", name="nmtb_harness_test") and
                           "nmtb_harness_test: loaded" in a.dmesg(), ""))
        bad = g.scan() + scan_console(a.dmesg())
        s.check("console and dmesg clean so far", not bad,
                "; ".join("[%s] %s" % b for b in bad[:5]))
        if testmod:
            s.run("a real WARNING in the guest fails the run",
                  lambda: _warn_check(g, tm))
            s.run("an Oops in the guest: the agent's death is reported at "
                  "once and the scanner fires", lambda: _oops_check(g, tm))
            provoked = {_norm(l) for _, l in g.scan() +
                        scan_console(a.dmesg())}
    except Exception as e:
        s.check("smoke steps", False, "%s: %s" % (type(e).__name__, e))
    t = time.monotonic()
    rc = g.stop()
    s.check("guest powered off", rc == 0, "QEMU exit %s in %.1fs"
            % (rc, time.monotonic() - t))
    # the only bad lines allowed are those of the WARNING provoked above
    bad = [b for b in g.scan() if _norm(b[1]) not in provoked]
    s.check("console clean (no Oops/BUG/WARNING/GPF/hung task besides the "
            "provoked one)", not bad, "; ".join("[%s] %s" % b for b in bad[:5]))
    return _finish(s, out_path, t_all, g.boot_time)


def _bad_json(a):
    a.sock.sendall(b'{"id": 900, "cmd": \n')
    line = a._readline(time.monotonic() + 10)
    r = json.loads(line)
    r2 = a.call("ping")
    return r.get("ok") is False and "bad JSON" in r.get("error", "") and \
        r2["pong"]


TX_MARK = b"nmtb-harness-tx-"
RX_MARK = b"nmtb-harness-rx-"


def _tx_check(g):
    f = _frame("ff:ff:ff:ff:ff:ff", GUEST_MAC, 0x88b5,
               TX_MARK + bytes(range(40)))
    g.agent.pkt_send(f)
    got = g.net.recv(5.0, match=lambda x: TX_MARK in x)
    return got is not None and got[:len(f)] == f, \
        "%d bytes" % len(got) if got else "nothing arrived"


def _rx_check(g):
    a = g.agent
    a.call("pkt_open", ifname="eth0")
    a.pkt_recv(timeout_ms=0)     # drop anything queued
    f = _frame(GUEST_MAC, "52:54:00:aa:bb:cc", 0x88b5,
               RX_MARK + bytes(range(50)))
    g.net.send(f)
    frames = a.pkt_recv(timeout_ms=3000, max=8)
    hit = [x for x in frames if RX_MARK in x]
    return bool(hit) and hit[0][:len(f)] == f, \
        "%d frame(s), %d ours" % (len(frames), len(hit))


def _replug_check(g):
    a = g.agent
    t = time.monotonic()
    g.nic_replug()
    back = _wait(lambda: "eth0" in a.sh("ls /sys/class/net")[1], 20)
    if not back:
        return False, "eth0 did not come back"
    a.sh("ip link set eth0 up")
    up = _wait(lambda: a.read("/sys/class/net/eth0/carrier").strip() == "1",
               10)
    ok, why = _tx_check(g)
    return back and up and ok, "%.1fs, tx after replug: %s" % (
        time.monotonic() - t, why)


def _warn_check(g, tm):
    """Loads the test module with warn=1: the WARNING must reach the
    console and Guest.check_console() must raise."""
    g.agent.call("load", path=tm, params="warn=1")
    g.agent.call("unload", name="nmtb_harness_test")
    seen = _wait(lambda: any(k == "warning" for k, _ in g.scan()), 10)
    try:
        g.check_console()
        raised = False
    except ConsoleError:
        raised = True
    return bool(seen) and raised, "scanner: %s" % (
        sorted({k for k, _ in g.scan()}) or "nothing")


def _oops_check(g, tm):
    t = time.monotonic()
    try:
        g.call("load", path=tm, params="oops=1")
        return False, "the load returned"
    except AgentRestarted:
        pass
    took = time.monotonic() - t
    g.agent.call("ping")         # the new agent answers
    kinds = {k for k, _ in g.scan()}
    return "oops" in kinds and took < 10, \
        "agent restart seen after %.1fs; scanner: %s" % (took, sorted(kinds))


def _norm(line):
    """A console or dmesg line without its <level> prefix."""
    return re.sub(r"^<\d+>", "", line).strip()


def _netmap_missing(a):
    r = a.request("open", name="eth0")
    return r.get("ok") is False and "/dev/netmap" in r.get("error", "")


def _finish(s, out_path, t_all, boot):
    total = time.monotonic() - t_all
    s.lines.append("# boot %.2fs, smoke total %.2fs" % (boot or -1, total))
    print(s.lines[-1])
    if out_path:
        os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
        with open(out_path, "w") as f:
            f.write("\n".join(s.lines) + "\n")
    return 0 if not s.failed else 1


# ====================================================================
# CLI
# ====================================================================

def main(argv=None):
    ap = argparse.ArgumentParser(prog="qemu.py", description=__doc__,
                                 formatter_class=argparse.
                                 RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    b = sub.add_parser("build", help="kernel image + initramfs")
    b.add_argument("--modules", nargs="*", default=None,
                   help=".ko files to pack under /modules (default "
                   "$HARNESS_MODULES)")
    bo = sub.add_parser("boot", help="boot the guest, run commands, stop",
                        description="Boots the guest (building it first), "
                        "runs --exec shell commands and --req agent "
                        "requests, prints their results and the boot time, "
                        "then powers off (or waits with --keep).")
    bo.add_argument("--modules", nargs="*", default=None)
    bo.add_argument("--exec", dest="execs", action="append", default=[],
                    metavar="CMD", help="busybox shell command in the guest")
    bo.add_argument("--req", action="append", default=[], metavar="JSON",
                    help='agent request, e.g. \'{"cmd":"uname"}\'')
    bo.add_argument("--keep", action="store_true",
                    help="keep the guest up until Ctrl-C (sockets under "
                    "build/guest/run-<pid>-<n>/)")
    sm = sub.add_parser("smoke", help="boot once and run the smoke checks")
    sm.add_argument("--out", default=None, help="PASS/FAIL lines to FILE")
    sm.add_argument("--modules", nargs="*", default=None)
    sub.add_parser("kver", help="print the guest kernel release (the "
                   "newest installed linux-headers-<ver>-amd64): build "
                   "modules for the guest against /lib/modules/<ver>/build")
    sc = sub.add_parser("scan", help="scan a console log; exit 1 if bad")
    sc.add_argument("log")
    args = ap.parse_args(argv)

    if args.what == "build":
        img = build_guest(modules=args.modules)
        print(json.dumps({"kver": img.kver, "kernel": img.kernel,
                          "initrd": img.initrd, "modules": img.modules},
                         indent=1))
        return 0
    if args.what == "kver":
        print(guest_kver())
        return 0
    if args.what == "scan":
        with open(args.log, "rb") as f:
            bad = scan_console(f.read().decode("utf-8", "replace"))
        for k, line in bad:
            print("[%s] %s" % (k, line))
        return 1 if bad else 0
    if args.what == "smoke":
        return smoke(args.out, args.modules)
    # boot
    g = Guest(build_guest(modules=args.modules)).start()
    rc = 0
    try:
        print("booted in %.2fs; run dir %s" % (g.boot_time, g.rundir))
        for c in args.execs:
            st, out = g.agent.sh(c)
            sys.stdout.write(out)
            print("[exit %d]" % st)
            rc = rc or (st != 0)
        for r in args.req:
            req = json.loads(r)
            print(json.dumps(g.agent.request(req.pop("cmd"), **req)))
        if args.keep:
            print("guest up; Ctrl-C stops it")
            try:
                while g.proc.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
    finally:
        g.stop()
        bad = g.scan()
        for k, line in bad:
            print("console: [%s] %s" % (k, line))
    return 1 if (rc or bad) else 0


if __name__ == "__main__":
    sys.exit(main())
