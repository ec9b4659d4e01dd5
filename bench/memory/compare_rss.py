#!/usr/bin/env python3
"""RSS per active series: monitoring-server vs VictoriaMetrics vs Prometheus.

Each server receives the same data through remote_write (/api/v1/write)
and the growth of its resident memory is divided by the series it holds.

  1. The servers run one at a time (ours, VictoriaMetrics 1.79, Prometheus
     2.42), each on 127.0.0.1 with a free port picked at run time and a fresh
     data dir, with their defaults otherwise: ours with --retention 100y
     (its storage memory budgets, derived from the machine's memory, are
     logged at start and printed below), VictoriaMetrics with
     -retentionPeriod=100y, Prometheus with a config without scrape jobs,
     --web.enable-remote-write-receiver and 100y retention.
  2. Idle RSS: VmRSS (/proc/PID/status) IDLE seconds after it is ready.
  3. Load: bench_ingest_loadgen --mode remote_write writes HOSTS x ~99 series
     (a node_exporter-shaped fleet) x HOURS of samples at 15 s, the same
     bodies and timestamps for all three (fixed at the script's start so the
     data ends a minute before it; Prometheus's head takes them, every
     series has recent samples: "active" in each store's sense, i.e. in
     Prometheus's head, in our head, in VictoriaMetrics' recent-series
     caches). Default 2,000 hosts x 0.5 h = 198k series x 120 samples.
  4. Settle: SETTLE seconds idle after the load. VmRSS is sampled every
     second during load and settle.
  5. The series each server reports holding is read (after the RSS
     figures): /api/v1/status/tsdb headStats.numSeries for ours and
     Prometheus, /api/v1/series/count for VictoriaMetrics.

Reported per server: idle RSS, RSS after the settle period (the primary
figure: "RSS growth per series" = (RSS after settle - idle RSS) / series),
the highest VmRSS sampled during load + settle and the growth per series on
that, peak RSS (VmHWM), RssAnon growth per series (without file-backed
pages: Prometheus's mmapped head chunks, VictoriaMetrics' mmapped parts),
ingest wall time (the loadgen's send time) and samples/s; then the ratios
ours/VictoriaMetrics and ours/Prometheus. Go runtimes and our malloc
(M_TRIM_THRESHOLD 512 MiB, server/main.cc) keep freed memory, so RSS is
what the OS sees, not live heap.

Duration on 2 cores: the default (198k series) about 3 minutes (each load
~10 s); --hosts 10000 (990k series) about 6 minutes (each load 50-70 s,
~5 GiB RSS for Prometheus). Hold /tmp/ms-build.lock so no build competes
for the cores.

Loopback only, every wait bounded, only the PIDs started here are stopped,
temp dirs removed.

Usage: compare_rss.py [--build build] [--hosts 2000] [--hours 0.5]
         [--settle 30] [--idle 10] [--only ours,vm,prometheus]
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peerlib import Proc, free_port, get, wait_http  # noqa: E402

NAMES = ("ours", "vm", "prometheus")
TITLES = {"ours": "ours", "vm": "VictoriaMetrics", "prometheus": "Prometheus"}


def proc_status(pid):
    """VmRSS, VmHWM, RssAnon, RssFile of pid in bytes (missing: 0)."""
    out = {"VmRSS": 0, "VmHWM": 0, "RssAnon": 0, "RssFile": 0}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in out:
                    out[k] = int(v.split()[0]) * 1024
    except FileNotFoundError:
        pass
    return out


def start_server(a, name, work):
    d = os.path.join(work, name)
    data = os.path.join(d, "data")
    os.makedirs(d)
    port = free_port()
    if name == "ours":
        argv = [a.ours, "--host", "127.0.0.1", "--port", str(port), "--data-dir", data,
                "--retention", "100y"]
        ready = "/-/ready"
    elif name == "vm":
        argv = [a.vm, "-storageDataPath=" + data, f"-httpListenAddr=127.0.0.1:{port}",
                "-retentionPeriod=100y"]
        ready = "/health"
    else:
        cfg = os.path.join(d, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
        argv = [a.prometheus, "--config.file=" + cfg, "--storage.tsdb.path=" + data,
                "--web.enable-remote-write-receiver", "--storage.tsdb.retention.time=100y",
                f"--web.listen-address=127.0.0.1:{port}"]
        ready = "/-/ready"
    proc = Proc(name, argv, work)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + ready, a.start_timeout, proc)
    return proc, base


def series_held(name, base):
    try:
        if name == "vm":
            return int(json.loads(get(base + "/api/v1/series/count", 120))["data"][0])
        doc = json.loads(get(base + "/api/v1/status/tsdb", 120))
        return int(doc["data"]["headStats"]["numSeries"])
    except Exception as e:  # a cross-check only
        print(f"  {name}: series count unavailable: {e}", flush=True)
        return None


def measure(a, name, work, start_ms):
    proc, base = start_server(a, name, work)
    loadgen = None
    try:
        time.sleep(a.idle)
        idle = proc_status(proc.pid)
        res = {"idle": idle}
        if name == "ours":
            m = re.search(r"storage memory: (.*)", proc.text())
            res["budgets"] = m.group(1).strip() if m else "?"
        print(f"[{name}] pid {proc.pid} ready; idle RSS {idle['VmRSS'] / 2**20:.1f} MiB; "
              "loading...", flush=True)
        argv = [a.loadgen, "--mode", "remote_write", "--url", base + "/api/v1/write",
                "--hosts", str(a.hosts), "--hours", str(a.hours), "--threads", "2",
                "--start-ms", str(start_ms), "--server-pid", str(proc.pid)]
        out_path = os.path.join(work, name + "-loadgen.out")
        with open(out_path, "w") as out, open(os.path.join(work, name + "-loadgen.err"),
                                              "w") as err:
            loadgen = subprocess.Popen(argv, stdout=out, stderr=err)
            t0 = time.time()
            peak = 0
            while loadgen.poll() is None:
                if time.time() - t0 > a.timeout:
                    raise RuntimeError(f"{name}: load timed out after {a.timeout} s")
                if not proc.alive():
                    raise RuntimeError(f"{name} exited during the load:\n{proc.tail()}")
                peak = max(peak, proc_status(proc.pid)["VmRSS"])
                time.sleep(1)
        with open(out_path) as f:
            lines = f.read().strip().splitlines()
        if loadgen.returncode != 0 or not lines:
            with open(os.path.join(work, name + "-loadgen.err")) as f:
                raise RuntimeError(f"loading {name} failed (exit {loadgen.returncode}): "
                                   f"{lines[-1:] if lines else ''}\n{f.read()[-2000:]}")
        lg = json.loads(lines[-1])
        res["samples"], res["load_s"] = lg["samples"], lg["seconds"]
        res["server_cpu_s"] = lg["server_cpu_seconds"]
        res["loaded_rss"] = proc_status(proc.pid)["VmRSS"]
        print(f"[{name}] loaded {lg['samples']} samples in {lg['seconds']:.1f} s; "
              f"RSS {res['loaded_rss'] / 2**20:.1f} MiB; settling {a.settle:.0f} s...", flush=True)
        end = time.time() + a.settle
        while time.time() < end:
            if not proc.alive():
                raise RuntimeError(f"{name} exited while settling:\n{proc.tail()}")
            peak = max(peak, proc_status(proc.pid)["VmRSS"])
            time.sleep(1)
        res["settled"] = proc_status(proc.pid)
        res["max_rss"] = max(peak, res["settled"]["VmRSS"])
        res["series"] = series_held(name, base)
        print(f"[{name}] settled RSS {res['settled']['VmRSS'] / 2**20:.1f} MiB, max "
              f"{res['max_rss'] / 2**20:.1f} MiB, VmHWM {res['settled']['VmHWM'] / 2**20:.1f} "
              f"MiB; series held {res['series']}", flush=True)
        return res
    finally:
        if loadgen is not None and loadgen.poll() is None:
            loadgen.kill()
            loadgen.wait(10)
        proc.stop(60)


def report(a, res, steps):
    names = [n for n in NAMES if n in res]
    any_res = res[names[0]]
    series = any_res["samples"] // steps
    print(f"\nRSS per active series: {a.hosts} hosts x {a.hours} h at 15 s = {series} series x "
          f"{steps} samples = {any_res['samples']} samples through remote_write; idle "
          f"{a.idle:.0f} s before, settle {a.settle:.0f} s after")
    if "ours" in res:
        print(f"ours: storage memory {res['ours']['budgets']}")
    mib = 2 ** 20
    rows = [
        ("idle RSS (MiB)", lambda r: r["idle"]["VmRSS"] / mib, "{:16.1f}"),
        ("RSS after settle (MiB)", lambda r: r["settled"]["VmRSS"] / mib, "{:16.1f}"),
        ("max RSS load+settle (MiB)", lambda r: r["max_rss"] / mib, "{:16.1f}"),
        ("peak RSS VmHWM (MiB)", lambda r: r["settled"]["VmHWM"] / mib, "{:16.1f}"),
        ("RSS growth/series, settled (B)",
         lambda r: (r["settled"]["VmRSS"] - r["idle"]["VmRSS"]) / series, "{:16.0f}"),
        ("RSS growth/series, max (B)",
         lambda r: (r["max_rss"] - r["idle"]["VmRSS"]) / series, "{:16.0f}"),
        ("VmHWM / series (total, B)", lambda r: r["settled"]["VmHWM"] / series, "{:16.0f}"),
        ("RssAnon growth/series (B)",
         lambda r: (r["settled"]["RssAnon"] - r["idle"]["RssAnon"]) / series, "{:16.0f}"),
        ("RssFile after settle (MiB)", lambda r: r["settled"]["RssFile"] / mib, "{:16.1f}"),
        ("ingest wall time (s)", lambda r: r["load_s"], "{:16.1f}"),
        ("ingest samples/s", lambda r: r["samples"] / r["load_s"], "{:16.0f}"),
        ("server CPU during load (s)", lambda r: r["server_cpu_s"], "{:16.1f}"),
        ("series held (server's count)", lambda r: r["series"] if r["series"] is not None
         else float("nan"), "{:16.0f}"),
    ]
    peers = [n for n in ("vm", "prometheus") if n in res and "ours" in res]
    head = f"{'':32}" + "".join(f"{TITLES[n]:>16}" for n in names) + \
        "".join(f"{'ours/' + ('VM' if p == 'vm' else 'Prom'):>11}" for p in peers)
    print(head)
    for label, fn, fmt in rows:
        vals = {n: fn(res[n]) for n in names}
        line = f"{label:32}" + "".join(fmt.format(vals[n]) for n in names)
        for p in peers:
            ratio = vals["ours"] / vals[p] if vals[p] else float("nan")
            line += f"{ratio:11.2f}"
        print(line)
    ok = all(r["samples"] == any_res["samples"] for r in res.values())
    held_ok = all(r["series"] is None or r["series"] == series for r in res.values())
    print(f"cross-check: same samples sent to each: {'ok' if ok else 'MISMATCH'}; series held = "
          f"series sent: {'ok' if held_ok else 'MISMATCH'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--ours", help="default: BUILD/server/monitoring-server")
    ap.add_argument("--vm", default=shutil.which("victoria-metrics") or "/usr/bin/victoria-metrics")
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--hosts", type=int, default=2000,
                    help="~99 series per host: 2000 = 198k series (~3 min in all), "
                         "10000 = 990k series (~6 min)")
    ap.add_argument("--hours", type=float, default=0.5,
                    help="data per series, at 15 s, ending a minute before the start (0.5: 120 "
                         "samples, one chunk each)")
    ap.add_argument("--idle", type=float, default=10, help="seconds after ready before idle RSS")
    ap.add_argument("--settle", type=float, default=30,
                    help="seconds after the load before the settled RSS")
    ap.add_argument("--only", default=",".join(NAMES), help="subset of ours,vm,prometheus")
    ap.add_argument("--timeout", type=float, default=1800, help="bound on each load (s)")
    ap.add_argument("--start-timeout", type=float, default=120, help="bound on each start (s)")
    a = ap.parse_args()
    a.ours = a.ours or os.path.join(a.build, "server/monitoring-server")
    a.loadgen = os.path.join(a.build, "bench/server/bench_ingest_loadgen")
    only = [n.strip() for n in a.only.split(",") if n.strip()]
    if not only or any(n not in NAMES for n in only):
        print(f"--only: pick from {','.join(NAMES)}", file=sys.stderr)
        return 2
    exes = {"ours": a.ours, "vm": a.vm, "prometheus": a.prometheus}
    for path in [a.loadgen] + [exes[n] for n in only]:
        if not os.access(path, os.X_OK):
            print(f"missing executable: {path}", file=sys.stderr)
            return 2
    steps = int(a.hours * 3600 / 15)
    # One set of timestamps for all three, ending a minute before now.
    start_ms = (int(time.time()) - steps * 15 - 60) * 1000
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop the children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="ms-rss-bench-")
    res = {}
    try:
        for name in (n for n in NAMES if n in only):
            res[name] = measure(a, name, work, start_ms)
        ok = report(a, res, steps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
