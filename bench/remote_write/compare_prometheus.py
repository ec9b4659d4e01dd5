#!/usr/bin/env python3
"""remote_write SENDER: monitoring-server vs Prometheus 2.42, side by side.

What it measures: how fast each server's remote_write sender drains a
backlog after an outage of its destination, and the CPU it spends per
sample doing so, on the same data with the same queue_config.

  1. Both servers start with a remote_write destination that is down (no
     sink listening). queue_config is identical on both: Prometheus 2.42's
     defaults (capacity 2500, max_shards 200, max_samples_per_send 500,
     batch_send_deadline 5s, min_backoff 30ms, max_backoff 5s); --variants
     adds runs with other max_samples_per_send values.
  2. "The outage": the same HOSTS x ~100 series x HOURS at 15 s (a
     node_exporter-shaped fleet; bench_ingest_loadgen --mode remote_write)
     is written into ours, then into Prometheus, through /api/v1/write.
     Timestamps start after both servers started, because Prometheus only
     forwards samples newer than its own start (its WAL watcher filters by
     start time); with the default one hour they run into the future.
  3. Catch-up, one sender at a time (the other server stays up but idle,
     its CPU over the window is reported): a sink (bench_rw_sink --decode)
     starts; the clock and the sender's CPU (utime+stime of the whole
     process, /proc/PID/stat) run until the sink has received every loaded
     sample. Then the sender's own metrics are checked: samples pending 0,
     highest sent timestamp = the last one loaded, samples_total.
     The sink's count is the completion signal because the two servers'
     prometheus_remote_storage_samples_total differ: Prometheus counts every
     attempt (retries included), ours counts samples sent.

Reported per server: samples, catch-up seconds from the sink's start (this
includes waiting out the retry backoff, up to max_backoff on both),
delivery seconds (first to last request at the sink; shards still in
backoff make this longer than the drain itself), samples/s over each and
the steady rate (while the sink's count went from 10 % to 90 %), CPU
seconds and CPU us per sample (whole catch-up and steady part), and the
ratios ours/Prometheus. The goal in the issue: rate ratio
>= 2 and CPU-per-sample ratio <= 0.5.

Loopback only, ports picked at run time, fresh data dirs removed at the
end, every wait bounded, only the PIDs started here are stopped. Hold
/tmp/ms-build.lock while running so no build competes for the 2 cores.

Usage: compare_prometheus.py [--build build] [--hosts 100] [--hours 1]
         [--variants 500[,2000]] [--perf-out FILE]
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
from peerlib import Proc, cpu_seconds, free_port, get, wait_http  # noqa: E402


def metric_sum(text, name):
    """Sum of every series of `name` (no suffix match: _total is exact)."""
    return sum(float(v) for v in re.findall(r"^" + name + r"(?:\{[^}]*\})? (\S+)$", text, re.M))


def metric_max(text, name):
    vals = [float(v) for v in re.findall(r"^" + name + r"(?:\{[^}]*\})? (\S+)$", text, re.M)]
    return max(vals) if vals else None


def queue_config(max_samples_per_send):
    # Prometheus 2.42's defaults, written out so both servers get the same.
    return ("    queue_config:\n      capacity: 2500\n      min_shards: 1\n"
            "      max_shards: 200\n"
            f"      max_samples_per_send: {max_samples_per_send}\n"
            "      batch_send_deadline: 5s\n      min_backoff: 30ms\n      max_backoff: 5s\n")


class Server:
    def __init__(self, name, proc, port, sink_port):
        self.name, self.proc, self.port, self.sink_port = name, proc, port, sink_port
        self.base = f"http://127.0.0.1:{port}"

    def metrics(self):
        return get(self.base + "/metrics", 30)


def start_servers(a, work, sps):
    servers = {}
    for name in ("ours", "prometheus"):
        d = os.path.join(work, f"{name}-{sps}")
        os.makedirs(d)
        port, sink_port = free_port(), free_port()
        cfg = os.path.join(d, "config.yml")
        with open(cfg, "w") as f:
            f.write(("global:\n  scrape_interval: 15s\n" if name == "prometheus" else "") +
                    "remote_write:\n"
                    f"  - url: http://127.0.0.1:{sink_port}/{name}/api/v1/write\n"
                    "    name: bench\n" + queue_config(sps))
        if name == "ours":
            argv = [a.ours, "--host", "127.0.0.1", "--port", str(port), "--data-dir",
                    os.path.join(d, "data"), "--retention", "100y", "--config", cfg,
                    "--log.level", "warn"]
        else:
            argv = [a.prometheus, "--config.file=" + cfg, "--storage.tsdb.path=" +
                    os.path.join(d, "data"), "--storage.tsdb.retention.time=100y",
                    "--web.enable-remote-write-receiver",
                    f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"]
        srv = Server(name, Proc(f"{name}-{sps}", argv, work), port, sink_port)
        servers[name] = srv
        try:
            wait_http(srv.base + "/-/ready", 60, interval=0.1)
        except RuntimeError:
            raise RuntimeError(f"{name} did not become ready:\n{srv.proc.tail()}")
    return servers


def load(a, srv, start_ms):
    """Writes the workload into srv; returns (samples, seconds)."""
    argv = [a.loadgen, "--mode", "remote_write", "--url", srv.base + "/api/v1/write",
            "--hosts", str(a.hosts), "--hours", str(a.hours), "--threads", "2",
            "--start-ms", str(start_ms), "--server-pid", str(srv.proc.pid)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=a.timeout)
    if r.returncode != 0:
        raise RuntimeError(f"loading {srv.name} failed: {r.stdout}\n{r.stderr}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    return out["samples"], out["seconds"]


def sink_stats(port):
    return json.loads(get(f"http://127.0.0.1:{port}/stats", 5))


def catch_up(a, work, srv, other, samples, last_ts_ms, tag):
    """Starts srv's sink and measures until it holds every loaded sample."""
    perf = None
    if a.perf_out and srv.name == "ours":
        # System-wide: `perf record -p PID` misses threads created after
        # it attached, and our sender starts its shard threads per segment.
        # Read it with `perf report --comm monitoring-serv`.
        perf = subprocess.Popen(["perf", "record", "-a", "-g", "-F", "999", "-o", a.perf_out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    text = srv.metrics()
    base_total = metric_sum(text, "prometheus_remote_storage_samples_total")
    base_retried = metric_sum(text, "prometheus_remote_storage_samples_retried_total")
    other_pid = other.proc.pid if other.proc.alive() else None
    cpu0 = cpu_seconds(srv.proc.pid)
    other_cpu0 = cpu_seconds(other_pid) if other_pid else 0.0
    t0 = time.time()
    sink = Proc(f"sink-{tag}", [a.sink, "--port", str(srv.sink_port), "--decode"], work)
    sink_cpu = 0.0
    try:
        wait_http(f"http://127.0.0.1:{srv.sink_port}/stats", 10, interval=0.1)
        deadline = t0 + a.timeout
        # (time, samples at the sink, sender CPU) every 50 ms: the steady
        # drain rate is read off it, without the retry backoff at the start.
        trace = []
        st = sink_stats(srv.sink_port)
        while st["samples"] < samples:
            if time.time() > deadline:
                raise RuntimeError(f"{srv.name}: catch-up timed out after {a.timeout} s; "
                                   f"sink has {st['samples']} of {samples}\n{srv.proc.tail()}")
            if not srv.proc.alive():
                raise RuntimeError(f"{srv.name} exited:\n{srv.proc.tail()}")
            time.sleep(0.05)
            st = sink_stats(srv.sink_port)
            trace.append((time.time(), st["samples"], cpu_seconds(srv.proc.pid)))
        t1 = time.time()
        cpu = cpu_seconds(srv.proc.pid) - cpu0
        # First poll at or past 10 % and first at or past 90 % of the samples.
        lo = next(p for p in trace if p[1] >= 0.1 * samples)
        hi = next(p for p in trace if p[1] >= 0.9 * samples)
        steady_s = max(1e-3, hi[0] - lo[0])
        steady_n = max(1, hi[1] - lo[1])
        other_cpu = cpu_seconds(other_pid) - other_cpu0 if other_pid else 0.0
        sink_cpu = cpu_seconds(sink.pid)
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait(60)
            perf = None
        # The sender's own view, once it has had the answers: bounded wait
        # for pending 0 and the last timestamp.
        end = time.time() + 30
        while True:
            text = srv.metrics()
            pending = metric_sum(text, "prometheus_remote_storage_samples_pending")
            highest = metric_max(text,
                                 "prometheus_remote_storage_queue_highest_sent_timestamp_seconds")
            if (pending == 0 and highest is not None and highest >= last_ts_ms // 1000) or \
                    time.time() > end:
                break
            time.sleep(0.2)
        time.sleep(1)  # anything the sender still sends after the last sample shows up
        st = sink_stats(srv.sink_port)
        total = metric_sum(text, "prometheus_remote_storage_samples_total") - base_total
        retried = metric_sum(text, "prometheus_remote_storage_samples_retried_total") - base_retried
    finally:
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait(60)
        sink.stop()
    delivery = max(1e-3, (st["last_unix_ms"] - st["first_unix_ms"]) / 1000)
    wall = t1 - t0
    return {
        "samples": samples, "catchup_s": wall, "rate": samples / wall,
        "delivery_s": delivery, "delivery_rate": samples / delivery,
        "first_request_after_s": st["first_unix_ms"] / 1000 - t0,
        "cpu_s": cpu, "cpu_us_per_sample": cpu * 1e6 / samples,
        "steady_rate": steady_n / steady_s, "steady_cpu_us_per_sample":
            (hi[2] - lo[2]) * 1e6 / steady_n, "steady_cores": (hi[2] - lo[2]) / steady_s,
        "sink_samples": st["samples"], "sink_requests": st["requests"],
        "sink_bytes": st["bytes"], "sink_max_ts_ms": st["max_ts_ms"],
        "sink_decode_errors": st["decode_errors"], "sink_cpu_s": sink_cpu,
        "pending": pending, "highest_sent_s": highest, "samples_total_delta": total,
        "retried_delta": retried, "other_server_cpu_s": other_cpu,
        "highest_ok": highest is not None and highest >= last_ts_ms // 1000,
    }


def run_variant(a, work, sps):
    servers = start_servers(a, work, sps)
    try:
        # After both started (Prometheus forwards only newer samples), on a
        # whole second so both see identical timestamps.
        start_ms = (int(time.time()) + 2) * 1000
        time.sleep(2.5)
        loaded = {}
        for name in ("ours", "prometheus"):
            loaded[name] = load(a, servers[name], start_ms)
            print(f"[sps={sps}] loaded {name}: {loaded[name][0]} samples in "
                  f"{loaded[name][1]:.1f} s", flush=True)
        samples = loaded["ours"][0]
        if loaded["prometheus"][0] != samples:
            raise RuntimeError("the two loads differ")
        steps = int(a.hours * 3600 / 15)
        last_ts_ms = start_ms + (steps - 1) * 15000
        # Let both settle: our log flushed, Prometheus's WAL watcher at the
        # end of the WAL and both in retry backoff against the dead sink.
        time.sleep(a.settle)
        res = {}
        for name, other in (("ours", "prometheus"), ("prometheus", "ours")):
            res[name] = catch_up(a, work, servers[name], servers[other], samples, last_ts_ms,
                                 f"{name}-{sps}")
            print(f"[sps={sps}] {name}: " + json.dumps(
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in res[name].items()}),
                flush=True)
            # The server that caught up stops, so it cannot disturb the next.
            servers[name].proc.stop()
        return res, last_ts_ms
    finally:
        for s in servers.values():
            s.proc.stop()


def report(a, sps, res, last_ts_ms):
    o, p = res["ours"], res["prometheus"]
    print(f"\nremote_write catch-up after an outage: {a.hosts} hosts x {a.hours} h at 15 s = "
          f"{o['samples']} samples; max_samples_per_send {sps}, capacity 2500, max_shards 200")
    print(f"{'':34}{'ours':>14}{'Prometheus':>14}{'ours/Prom':>11}")
    rows = (("catchup_s", "catch-up from sink start (s)", "{:14.2f}"),
            ("first_request_after_s", "  first request after (s)", "{:14.2f}"),
            ("delivery_s", "delivery first->last req (s)", "{:14.2f}"),
            ("rate", "samples/s (catch-up)", "{:14.0f}"),
            ("delivery_rate", "samples/s (delivery)", "{:14.0f}"),
            ("steady_rate", "samples/s (steady, 10%->90%)", "{:14.0f}"),
            ("cpu_s", "sender CPU (s)", "{:14.3f}"),
            ("cpu_us_per_sample", "sender CPU per sample (us)", "{:14.3f}"),
            ("steady_cpu_us_per_sample", "  same, steady 10%->90% (us)", "{:14.3f}"),
            ("steady_cores", "  sender cores used, steady", "{:14.2f}"),
            ("sink_samples", "samples at the sink", "{:14.0f}"),
            ("sink_requests", "requests at the sink", "{:14.0f}"),
            ("sink_bytes", "bytes at the sink", "{:14.0f}"),
            ("samples_total_delta", "samples_total (delta)", "{:14.0f}"),
            ("pending", "samples_pending at the end", "{:14.0f}"),
            ("sink_cpu_s", "sink CPU (s)", "{:14.3f}"),
            ("other_server_cpu_s", "idle other server CPU (s)", "{:14.3f}"))
    for key, label, fmt in rows:
        ratio = o[key] / p[key] if p[key] else float("nan")
        print(f"{label:34}" + fmt.format(o[key]) + fmt.format(p[key]) + f"{ratio:11.2f}")
    ok = all(r["sink_samples"] >= r["samples"] and r["highest_ok"] and r["sink_max_ts_ms"] ==
             last_ts_ms and r["sink_decode_errors"] == 0 for r in (o, p))
    print(f"cross-check (sink has every sample, max timestamp = last loaded, sender highest sent "
          f"= last): {'ok' if ok else 'MISMATCH'}")
    print(f"goal (rate >= 2x, CPU/sample <= 0.5x): catch-up rate {o['rate'] / p['rate']:.2f}x, "
          f"delivery rate {o['delivery_rate'] / p['delivery_rate']:.2f}x, steady rate "
          f"{o['steady_rate'] / p['steady_rate']:.2f}x, CPU/sample "
          f"{o['cpu_us_per_sample'] / p['cpu_us_per_sample']:.2f}x")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--ours", help="default: BUILD/server/monitoring-server")
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--variants", default="500",
                    help="comma-separated max_samples_per_send values, one full run each")
    ap.add_argument("--settle", type=float, default=10, help="seconds between load and catch-up")
    ap.add_argument("--timeout", type=float, default=600, help="bound on each load and catch-up")
    ap.add_argument("--perf-out", help="perf record -a -g during our server's catch-up into "
                    "this file (perf costs CPU: do not quote that run's figures)")
    a = ap.parse_args()
    a.ours = a.ours or os.path.join(a.build, "server/monitoring-server")
    a.loadgen = os.path.join(a.build, "bench/server/bench_ingest_loadgen")
    a.sink = os.path.join(a.build, "bench/remote_write/bench_rw_sink")
    for path in (a.ours, a.loadgen, a.sink, a.prometheus):
        if not os.access(path, os.X_OK):
            print(f"missing executable: {path}", file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="ms-rw-bench-")
    ok = True
    try:
        for sps in (int(v) for v in a.variants.split(",")):
            res, last_ts_ms = run_variant(a, work, sps)
            ok = report(a, sps, res, last_ts_ms) and ok
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
