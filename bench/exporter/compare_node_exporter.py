#!/usr/bin/env python3
"""Side-by-side scrape benchmark: system-stats-service vs prometheus-node-exporter.

Starts both on free loopback ports, scrapes each the same number of times over
one keep-alive connection, and reports per exporter: median and p99 scrape
latency, CPU seconds per scrape (utime+stime from /proc/PID/stat), RSS, series
count, and the ratios ours / node_exporter. Both run with their default
collectors (the same set: ours is a drop-in), on the live host, so the series
counts are printed beside the figures. The issue's targets: CPU per scrape at
most 1/5 of node_exporter's, RSS at most 1/4, p99 latency at most 1/5.

With strace installed, it also records the file-system calls of one scrape of
each and replays them here with no parsing: the kernel time of those calls is
a floor under the CPU per scrape of any exporter that reads the same files.

Usage: compare_node_exporter.py [--ours BUILD/exporter/system-stats-service] [--scrapes 300]
"""
import argparse
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def pss_bytes(pid):
    """Proportional set size: shared library pages divided among their users.
    node_exporter is one static binary, so its PSS is about its RSS; ours
    shares libc, libstdc++ and the other Debian libraries with the host."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def wait_ready(port, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/metrics")
            if c.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.1)
    return False


# Parses `strace -y` lines of the file-system calls a scrape makes into
# (kind, absolute path): F file read, D directory listed, T stat, S statfs,
# L readlink. Paths relative to a directory fd are joined with its path.
STRACE_CALL = re.compile(
    r'(openat|newfstatat)\((?:AT_FDCWD(?:<[^>]*>)?|\d+<([^>]*)>), "([^"]*)", (\S+)')


def parse_strace(text):
    ops = []
    for line in text.splitlines():
        line = line.split(None, 1)[1] if line[:1].isdigit() else line
        m = STRACE_CALL.match(line)
        if m:
            call, base, path, flags = m.groups()
            if base and not path.startswith("/"):
                path = base + "/" + path
            if call == "newfstatat":
                ops.append(("T", path))
            else:
                ops.append(("D" if "O_DIRECTORY" in flags else "F", path))
            continue
        m = re.match(r'(statfs|readlink)\("([^"]*)"', line)
        if m:
            ops.append(("S" if m.group(1) == "statfs" else "L", m.group(2)))
    return ops


def capture_accesses(pid, port):
    """The file-system calls of one scrape, by strace; None without strace."""
    if not shutil.which("strace"):
        return None
    out = f"/tmp/compare_node_exporter.{os.getpid()}.strace"
    tracer = subprocess.Popen(["strace", "-f", "-y", "-qq", "-p", str(pid), "-o", out, "-e",
                               "trace=openat,newfstatat,statfs,readlink"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # attached to every thread
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/metrics")
    conn.getresponse().read()
    time.sleep(0.2)
    tracer.send_signal(signal.SIGINT)
    tracer.wait(timeout=10)
    try:
        with open(out) as f:
            return parse_strace(f.read())
    finally:
        os.unlink(out)


def replay_system_ms(ops, rounds=300):
    """Kernel time per scrape of making the same calls and reading every file
    whole, with no parsing: the floor of any exporter that reads these files.
    Only system time is counted, so the interpreter's own cost is left out."""
    buf_size = 1 << 16
    # /proc/self is the replaying process here, not the exporter: left out.
    ops = [(kind, path) for kind, path in ops if not path.startswith("/proc/self/")]
    t0 = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    for _ in range(rounds):
        for kind, path in ops:
            try:
                if kind == "F":
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                    while os.read(fd, buf_size):
                        pass
                    os.close(fd)
                elif kind == "D":
                    os.listdir(path)
                elif kind == "T":
                    os.stat(path)
                elif kind == "S":
                    os.statvfs(path)
                else:
                    os.readlink(path)
            except OSError:
                pass
    return (resource.getrusage(resource.RUSAGE_SELF).ru_stime - t0) / rounds * 1000


def measure(name, argv, port, scrapes):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_ready(port):
            raise RuntimeError(f"{name} did not become ready")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        # Warm up (page cache, lazy init) before measuring.
        for _ in range(5):
            conn.request("GET", "/metrics")
            conn.getresponse().read()
        cpu0 = cpu_seconds(proc.pid)
        lat = []
        body = b""
        for _ in range(scrapes):
            t0 = time.perf_counter()
            conn.request("GET", "/metrics")
            body = conn.getresponse().read()
            lat.append(time.perf_counter() - t0)
        cpu = (cpu_seconds(proc.pid) - cpu0) / scrapes
        rss = rss_bytes(proc.pid)
        pss = pss_bytes(proc.pid)
        series = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
        accesses = capture_accesses(proc.pid, port)
        lat.sort()
        return {
            "name": name,
            "median_ms": statistics.median(lat) * 1000,
            "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
            "cpu_ms": cpu * 1000,
            "rss_mb": rss / 1e6,
            "pss_mb": pss / 1e6,
            "series": series,
            "accesses": accesses,
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", default=os.path.join(here, "..", "..", "build", "exporter",
                                                   "system-stats-service"))
    ap.add_argument("--node-exporter", default="/usr/bin/prometheus-node-exporter")
    ap.add_argument("--scrapes", type=int, default=300)
    args = ap.parse_args()

    p = free_port()
    ours = measure("system-stats-service (defaults)",
                   [args.ours, f"--web.listen-address=127.0.0.1:{p}", "--log.level", "warn"],
                   p, args.scrapes)
    p = free_port()
    ne = measure("node_exporter (defaults)",
                 [args.node_exporter, f"--web.listen-address=127.0.0.1:{p}"], p, args.scrapes)

    print(f"{args.scrapes} scrapes each, one keep-alive connection, sequential\n")
    hdr = f"{'exporter':34} {'median ms':>10} {'p99 ms':>8} {'CPU ms/scrape':>14} {'RSS MB':>7} {'PSS MB':>7} {'series':>7}"
    print(hdr)
    print("-" * len(hdr))
    for r in (ours, ne):
        print(f"{r['name']:34} {r['median_ms']:10.2f} {r['p99_ms']:8.2f} {r['cpu_ms']:14.3f} "
              f"{r['rss_mb']:7.1f} {r['pss_mb']:7.1f} {r['series']:7d}")
    print()
    print(f"ours / node_exporter: latency {ours['median_ms'] / ne['median_ms']:.3f}, "
          f"p99 {ours['p99_ms'] / ne['p99_ms']:.3f}, "
          f"CPU {ours['cpu_ms'] / max(ne['cpu_ms'], 1e-9):.3f}, "
          f"RSS {ours['rss_mb'] / ne['rss_mb']:.3f}, "
          f"PSS {ours['pss_mb'] / max(ne['pss_mb'], 1e-9):.3f}, "
          f"series {ours['series'] / ne['series']:.3f}")
    # How much of the CPU budget the kernel alone takes: replaying each
    # exporter's file accesses of one scrape, without any parsing.
    if ours["accesses"] is not None and ne["accesses"] is not None:
        print()
        for r in (ours, ne):
            floor = replay_system_ms(r["accesses"])
            print(f"kernel floor of {r['name']}'s {len(r['accesses'])} file accesses: "
                  f"{floor:.3f} ms/scrape = {floor / ne['cpu_ms']:.3f} of node_exporter's CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
