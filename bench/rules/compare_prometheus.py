#!/usr/bin/env python3
"""Rule evaluation cost: monitoring-server vs Prometheus 2.42, side by side.

Both scrape the same synthetic target (HOSTS x METRICS series, default
1,000 x 100 = 100k series) every 15 s. After a baseline window with no rules,
both reload a config with the same rule files (RULES rules, default 1,000, in
groups of 50 at a 15 s interval, half recording rules aggregating a rate,
half alerting rules on a rate with templated annotations; by default each
of the 100k series is read by exactly one rule, --layout all makes every
rule read its metric on all hosts), and the script measures again. Reported per server:
  - CPU share of the rules: (CPU with rules - CPU without) / wall time, in
    cores (the goal is < 0.10 of one core);
  - evaluation latency per group: mean and max of
    prometheus_rule_group_last_duration_seconds sampled every 5 s;
  - rule evaluation failures and missed iterations.
Loopback only; fresh data dirs; every process is stopped at the end.

Usage: compare_prometheus.py --ours build/server/monitoring-server
         [--hosts 1000] [--metrics 100] [--rules 1000] [--window 60]
"""
import argparse
import http.server
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def post(url):
    req = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status


def wait_http(url, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            get(url, 1)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError("timeout waiting for " + url)


class Target:
    """A /metrics endpoint with HOSTS x METRICS series (counters)."""

    def __init__(self, hosts, metrics):
        self.hosts, self.metrics = hosts, metrics
        self.start = time.time()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = target.render().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def render(self):
        t = time.time() - self.start
        out = []
        for m in range(self.metrics):
            name = f"bench_metric_{m}_total"
            out.append(f"# TYPE {name} counter")
            for h in range(self.hosts):
                # Each host counts at its own rate; a few are "hot".
                rate = 1 + (h * 7 + m) % 13
                out.append(f'{name}{{host="h{h}",group="g{h % 10}"}} {int(t * rate)}')
        return "\n".join(out) + "\n"


def write_rules(path, rules, metrics, layout):
    """layout "once": rule i reads metric i % METRICS of host group
    (i / METRICS) % 10, so 1,000 rules read each of the 100k series once per
    interval; "all": every rule reads its metric on every host (10x the
    series per rule)."""
    groups = []
    per_group = 50
    for g in range((rules + per_group - 1) // per_group):
        lines = [f"  - name: bench_{g}", "    interval: 15s", "    rules:"]
        for i in range(g * per_group, min(rules, (g + 1) * per_group)):
            m = i % metrics
            sel = f'{{group="g{(i // metrics) % 10}"}}' if layout == "once" else ""
            if i % 2 == 0:
                lines += [f"      - record: group:bench_metric_{m}:rate1m_{i}",
                          f"        expr: sum by (group) (rate(bench_metric_{m}_total{sel}[1m]))"]
            else:
                lines += [f"      - alert: BenchHot_{i}",
                          f"        expr: rate(bench_metric_{m}_total{sel}[1m]) > 12.5",
                          "        for: 30s",
                          "        labels: {severity: info}",
                          "        annotations: {summary: '{{ $labels.host }} at {{ $value | humanize }}'}"]
        groups.append("\n".join(lines))
    with open(path, "w") as f:
        f.write("groups:\n" + "\n".join(groups) + "\n")


def config(path, target_port, rules_path):
    text = ("global:\n  scrape_interval: 15s\n  scrape_timeout: 10s\n  evaluation_interval: 15s\n"
            f"scrape_configs:\n  - job_name: bench\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{target_port}']\n")
    if rules_path:
        text += f"rule_files: ['{rules_path}']\n"
    with open(path, "w") as f:
        f.write(text)


def group_durations(metrics_text):
    return [float(v) for v in re.findall(
        r'^prometheus_rule_group_last_duration_seconds\{[^}]*\} (\S+)$', metrics_text, re.M)]


def counter_sum(metrics_text, name):
    return sum(float(v) for v in re.findall(r'^' + name + r'(?:\{[^}]*\})? (\S+)$',
                                            metrics_text, re.M))


def measure(name, argv, port, work, cfg_path, rules_cfg, window):
    log = open(os.path.join(work, name + ".log"), "w")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + ("/-/ready"))
        time.sleep(20)  # two scrapes in
        c0 = cpu_seconds(proc.pid)
        time.sleep(window)
        base_cpu = (cpu_seconds(proc.pid) - c0) / window
        shutil.copy(rules_cfg, cfg_path)
        post(base + "/-/reload")
        time.sleep(40)  # rate windows filled, groups running
        c0 = cpu_seconds(proc.pid)
        t0 = time.time()
        durations = []
        while time.time() - t0 < window:
            durations += group_durations(get(base + "/metrics"))
            time.sleep(5)
        rules_cpu = (cpu_seconds(proc.pid) - c0) / (time.time() - t0)
        text = get(base + "/metrics")
        failures = counter_sum(text, "prometheus_rule_evaluation_failures_total")
        missed = counter_sum(text, "prometheus_rule_group_iterations_missed_total")
        nrules = counter_sum(text, "prometheus_rule_group_rules")
        durations = [d for d in durations if d > 0]
        return {
            "base_cpu": base_cpu, "rules_cpu": rules_cpu, "share": rules_cpu - base_cpu,
            "mean_ms": 1000 * sum(durations) / max(1, len(durations)),
            "max_ms": 1000 * max(durations or [0]), "failures": failures, "missed": missed,
            "rules": nrules,
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ours", default="build/server/monitoring-server")
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--metrics", type=int, default=100)
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--layout", choices=("once", "all"), default="once",
                    help="once: each series read by one rule; all: each rule reads all hosts")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ms-rules-bench-")
    try:
        target = Target(a.hosts, a.metrics)
        rules_path = os.path.join(work, "rules.yml")
        write_rules(rules_path, a.rules, a.metrics, a.layout)
        results = {}
        for name in ("ours", "prometheus"):
            d = os.path.join(work, name)
            os.makedirs(d)
            cfg, cfg_rules = os.path.join(d, "config.yml"), os.path.join(d, "config-rules.yml")
            config(cfg, target.port, None)
            config(cfg_rules, target.port, rules_path)
            port = free_port()
            if name == "ours":
                argv = [a.ours, "--host", "127.0.0.1", "--port", str(port), "--data-dir",
                        os.path.join(d, "data"), "--config", cfg, "--log.level", "warn"]
            else:
                argv = [a.prometheus, "--config.file=" + cfg, "--storage.tsdb.path=" +
                        os.path.join(d, "data"), f"--web.listen-address=127.0.0.1:{port}",
                        "--web.enable-lifecycle", "--log.level=warn"]
            results[name] = measure(name, argv, port, work, cfg, cfg_rules, a.window)
            print(name, results[name], flush=True)
        o, p = results["ours"], results["prometheus"]
        print(f"\n{a.rules} rules over {a.hosts * a.metrics} series (layout {a.layout}), "
              f"15 s interval, {a.window} s windows")
        print(f"{'':28}{'ours':>12}{'Prometheus':>12}{'ratio':>8}")
        for key, label in (("share", "rules CPU (cores)"), ("mean_ms", "group eval mean (ms)"),
                           ("max_ms", "group eval max (ms)"), ("base_cpu", "scrape-only CPU"),
                           ("failures", "eval failures"), ("missed", "missed iterations"),
                           ("rules", "rules loaded")):
            ratio = o[key] / p[key] if p[key] else float("nan")
            print(f"{label:28}{o[key]:12.3f}{p[key]:12.3f}{ratio:8.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
