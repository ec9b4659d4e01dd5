#!/usr/bin/env python3
"""Runs dashboard range queries against our server, VictoriaMetrics and
Prometheus and compares latency and answers (used by compare_peers.sh).

  query_peers.py --ours URL --vm URL --prom URL --start S --end S --step 60 --reps 5

Each query runs once per system as a warm-up, then `reps` rounds in which
every system runs it once (interleaved, so background work or drift hits all
systems alike). Latency is curl's time_total: the whole HTTP request
including reading the whole body (written to a temp file). VictoriaMetrics
gets nocache=1 (it caches range results).
"""
import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import urllib.parse

QUERIES = [
    ("rate_cpu_nonidle", 'rate(node_cpu_seconds_total{mode!="idle"}[5m])'),
    ("sum_by_mode_rate", "sum by (mode) (rate(node_cpu_seconds_total[5m]))"),
    ("cpu_util_by_host",
     '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))'),
    ("topk_cpu", 'topk(5, rate(node_cpu_seconds_total{mode!="idle"}[5m]))'),
    ("sum_net_rx_by_host",
     "sum by (instance) (rate(node_network_receive_bytes_total[5m]))"),
    ("histogram_p90",
     "histogram_quantile(0.9, sum by (le) (rate(node_request_duration_seconds_bucket[5m])))"),
    ("histogram_p99_by_host",
     "histogram_quantile(0.99, sum by (instance, le) "
     "(rate(node_request_duration_seconds_bucket[5m])))"),
    ("avg_over_time_load1_1h", "avg_over_time(node_load1[1h])"),
    ("mem_avail_ratio",
     "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes"),
]


def run(base, query, start, end, step, extra, keep_body=False):
    """One query_range through curl (a C client that, like Grafana's Go
    client, reads the body at memory speed; Python's http.client spends about
    a second of CPU on a 140 MB chunked body, which would swamp the servers'
    own differences). Returns (curl's time_total in s, body or None); timed
    runs discard the body (-o /dev/null)."""
    params = {"query": query, "start": start, "end": end, "step": step}
    params.update(extra)
    with tempfile.NamedTemporaryFile(prefix="qpeers_", suffix=".json") as out:
        cmd = ["curl", "-sS", "--fail", "-o", out.name if keep_body else "/dev/null",
               "-w", "%{time_total}", "-H", "Content-Type: application/x-www-form-urlencoded",
               "--data-binary", urllib.parse.urlencode(params), base + "/api/v1/query_range"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"{base}: curl failed: {r.stderr.strip()}")
        body = None
        if keep_body:
            with open(out.name, "rb") as f:
                body = f.read()
    return float(r.stdout), body


def parse(body):
    j = json.loads(body)
    if j.get("status") != "success":
        raise RuntimeError(j)
    out = {}
    for s in j["data"]["result"]:
        key = tuple(sorted(s["metric"].items()))
        out[key] = {int(round(float(t) * 1000)): float(v) for t, v in s["values"]}
    return out


def close(a, b, rel=1e-6):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b))


def by_time(res):
    out = {}
    for pts in res.values():
        for t, v in pts.items():
            out.setdefault(t, []).append(v)
    return {t: sorted(v, key=lambda x: (math.isnan(x), x)) for t, v in out.items()}


def compare(ours, ref):
    """Returns (missing series, extra series, points compared, bad points,
    example, bad timestamps explained by ties): a timestamp whose mismatch is
    only which of equal-valued series were picked (e.g. topk ties) has the
    same multiset of values in both answers."""
    missing = [k for k in ref if k not in ours]
    extra = [k for k in ours if k not in ref]
    n = bad = 0
    example = None
    bad_ts = set()
    for k in set(ref) | set(ours):
        pts, o = ref.get(k, {}), ours.get(k, {})
        for t in set(pts) | set(o):
            n += 1
            if t not in pts or t not in o or not close(o[t], pts[t]):
                bad += 1
                bad_ts.add(t)
                if example is None:
                    example = (dict(k), t, o.get(t), pts.get(t))
    ties = 0
    if bad_ts:
        bo, br = by_time(ours), by_time(ref)
        for t in bad_ts:
            a, b = bo.get(t, []), br.get(t, [])
            if len(a) == len(b) and all(close(x, y) for x, y in zip(a, b)):
                ties += 1
    return len(missing), len(extra), n, bad, example, ties, len(bad_ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--vm", required=True)
    ap.add_argument("--prom", required=True)
    ap.add_argument("--start", type=int, required=True)
    ap.add_argument("--end", type=int, required=True)
    ap.add_argument("--step", type=int, default=60)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated query names")
    a = ap.parse_args()
    systems = [("ours", a.ours, {}), ("vm", a.vm, {"nocache": "1"}), ("prom", a.prom, {})]
    only = set(filter(None, a.only.split(",")))
    rows = []
    problems = 0
    for name, q in QUERIES:
        if only and name not in only:
            continue
        times = {s: [] for s, _, _ in systems}
        bodies = {}
        for s, url, extra in systems:  # warm-up
            _, bodies[s] = run(url, q, a.start, a.end, a.step, extra, keep_body=True)
        for _ in range(a.reps):
            for s, url, extra in systems:
                dt, _ = run(url, q, a.start, a.end, a.step, extra)
                times[s].append(dt)
        res = {s: parse(bodies[s]) for s in bodies}
        med = {s: statistics.median(v) for s, v in times.items()}
        counts = {s: len(r) for s, r in res.items()}
        miss, extra_s, npts, bad, ex, ties, nbad_ts = compare(res["ours"], res["prom"])
        check = "ok"
        if counts["ours"] != counts["prom"] or miss or extra_s or bad:
            check = (f"MISMATCH vs prom: {miss} missing, {extra_s} extra series, "
                     f"{bad}/{npts} points differ at {nbad_ts} timestamps, of which {ties} "
                     f"have equal value multisets (tie-breaking)")
            problems += 1
            if ex:
                check += f"; e.g. {ex}"
        elif counts["vm"] != counts["ours"]:
            check = f"ok vs prom ({npts} points); vm series count differs"
        else:
            check = f"ok ({npts} points equal to prom within 1e-6)"
        faster = min(med["vm"], med["prom"])
        rows.append((name, q, med, counts, med["ours"] / faster, check))
        print(f"{name}: ours {med['ours']*1000:.0f} ms, vm {med['vm']*1000:.0f} ms, "
              f"prom {med['prom']*1000:.0f} ms, ratio {med['ours']/faster:.3f}; "
              f"series {counts['ours']}/{counts['vm']}/{counts['prom']}; {check}",
              file=sys.stderr, flush=True)

    print()
    print(f"median wall latency of query_range over [{a.start}, {a.end}] step {a.step}s, "
          f"{a.reps} reps after 1 warm-up")
    hdr = f"{'query':<24} {'ours ms':>9} {'vm ms':>9} {'prom ms':>9} {'ours/faster':>11} " \
          f"{'series o/vm/p':>15}  check"
    print(hdr)
    print("-" * len(hdr))
    for name, q, med, counts, ratio, check in rows:
        c = f"{counts['ours']}/{counts['vm']}/{counts['prom']}"
        print(f"{name:<24} {med['ours']*1000:9.1f} {med['vm']*1000:9.1f} {med['prom']*1000:9.1f} "
              f"{ratio:11.3f} {c:>15}  {check}")
    print()
    for name, q, *_ in rows:
        print(f"  {name:<24} {q}")
    worst = max((r[4] for r in rows), default=0)
    print(f"\nworst ratio ours/faster peer: {worst:.3f} (goal <= 0.5); "
          f"answer mismatches vs Prometheus: {problems}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
