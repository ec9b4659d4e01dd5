// Soak driver for soak.sh: one server under steady load for a bounded time,
// watching its memory, CPU and query latency. Two modes:
//
// Real-time (--rate 0), scrape-like:
//   ingest   every second, 1/15 of the hosts (so each host every 15 s, like a
//            scrape) POST their node_exporter-shaped series as Prometheus text
//            with the current time (ms) to /api/v1/import/prometheus;
//            counters increase, gauges random-walk.
//   queries  every second, a fixed set of dashboard range queries over the
//            last 15 minutes (step 15 s) to /api/v1/query_range, one at a time
//            per query thread (--query-threads, default 1); a round that is
//            due while the previous one still runs is skipped (a dashboard
//            does not queue refreshes). Latency includes reading the body.
//
// Accelerated (--rate N samples/s): data time runs faster than wall time.
//   ingest   a data clock starts far enough in the past that the whole run
//            fits before now; each tick writes one sample of every series at
//            the data clock and advances it by 15 s. Ticks are paced to N
//            samples/s (if the server answers slower, as fast as it answers;
//            the achieved rate is reported) and never pass wall-clock now.
//            --ingest-threads connections each own the hosts h with
//            h % threads == i, so every series stays in time order within one
//            connection; a tick's shard goes out in POSTs of --lines-per-post.
//   queries  --query-threads (default 10) threads each run the dashboard
//            range queries back to back over the last hour of data time
//            (end = the data clock all ingest threads have reached, step 60 s),
//            starting once every host's first tick is queryable.
//   verify   at the end, an instant count_over_time over the whole data span
//            checks that every sample of one series per host is queryable.
//
// Both modes: the server's VmRSS (/proc/<pid>/status) and CPU time
// (/proc/<pid>/stat) every 10 s (printed every 10 s in the accelerated mode),
// a line per minute, per-query lines and a final machine-readable
// `summary key=value ...` line on stdout. Warm-up is the first third of the
// run. Samples an import answer reports as rejected count as ingest errors.
// Every loop is bounded by the deadline and by an iteration count; everything
// kept in memory is bounded by the duration.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/server/proc_stat.h"
#include "common/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

constexpr int kScrapeEverySeconds = 15;  // each host is written every 15 s (of data time)
constexpr int kSampleEverySeconds = 10;  // RSS / CPU sampling period
constexpr int kRangeSeconds = 15 * 60;   // real-time queries cover the last 15 minutes
constexpr int kStepSeconds = 15;
constexpr int kFastRangeSeconds = 3600;  // accelerated queries: the last hour of data time
constexpr int kFastStepSeconds = 60;

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// ---------------------------------------------------------------- series

enum class Kind { kCounterDecimal, kCounterInteger, kGaugeDecimal, kGaugeInteger };

struct Template {
  std::string name;
  std::string extra;  // extra labels, rendered: cpu="0",mode="idle"
  Kind kind;
  int64_t initial;  // mantissa: value = m / 100 (decimal) or m * unit (integer)
  int64_t scale;    // typical change per 15 s, mantissa units
  int64_t unit = 1;
};

void AddCpu(std::vector<Template>* t, int cpu) {
  for (const char* mode : {"idle", "user", "system", "iowait", "irq", "nice", "softirq", "steal"}) {
    bool idle = std::string(mode) == "idle";
    t->push_back({"node_cpu_seconds_total",
                  "cpu=\"" + std::to_string(cpu) + "\",mode=\"" + mode + "\"",
                  Kind::kCounterDecimal, idle ? 123456789 : 1234567, idle ? 1400 : 80});
  }
}

// The first n series of one host. The order puts the series the queries use
// first (cpu 0, memory, network, load), then filesystem, disk and misc
// (75 in all), then further CPUs, 8 modes each, for as many as n needs.
std::vector<Template> HostTemplates(int n) {
  std::vector<Template> t;
  AddCpu(&t, 0);
  for (const char* m : {"MemTotal", "MemAvailable", "MemFree", "Buffers", "Cached", "Active",
                        "Inactive", "Dirty", "SwapFree", "Slab"}) {
    bool fixed = std::string(m) == "MemTotal";
    t.push_back({std::string("node_memory_") + m + "_bytes", "", Kind::kGaugeInteger,
                 fixed ? 4LL << 20 : 2LL << 20, fixed ? 0 : 100, 4096});
  }
  for (const char* dev : {"eth0", "eth1", "lo"}) {
    for (const char* m :
         {"node_network_receive_bytes_total", "node_network_transmit_bytes_total",
          "node_network_receive_packets_total", "node_network_transmit_packets_total"}) {
      bool bytes = std::string(m).find("bytes") != std::string::npos;
      t.push_back({m, std::string("device=\"") + dev + "\"", Kind::kCounterInteger, 1000000000,
                   bytes ? 150000 : 200});
    }
  }
  for (const char* m : {"node_load1", "node_load5", "node_load15"}) {
    t.push_back({m, "", Kind::kGaugeDecimal, 150, 8});
  }
  for (const char* fs : {"/", "/boot", "/home", "/var"}) {
    for (const char* m : {"node_filesystem_avail_bytes", "node_filesystem_free_bytes",
                          "node_filesystem_size_bytes"}) {
      bool fixed = std::string(m) == "node_filesystem_size_bytes";
      t.push_back({m, std::string("device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"") + fs + "\"",
                   Kind::kGaugeInteger, 12LL << 20, fixed ? 0 : 25, 4096});
    }
  }
  for (const char* dev : {"sda", "sdb"}) {
    for (const char* m : {"node_disk_read_bytes_total", "node_disk_written_bytes_total",
                          "node_disk_reads_completed_total", "node_disk_writes_completed_total",
                          "node_disk_io_time_seconds_total", "node_disk_read_time_seconds_total",
                          "node_disk_write_time_seconds_total", "node_disk_io_now"}) {
      std::string s(m);
      Kind k = s.find("seconds") != std::string::npos ? Kind::kCounterDecimal
               : s == "node_disk_io_now"              ? Kind::kGaugeInteger
                                                      : Kind::kCounterInteger;
      int64_t scale = s.find("bytes") != std::string::npos ? 400000
                      : k == Kind::kGaugeInteger           ? 1
                                                           : 50;
      t.push_back({m, std::string("device=\"") + dev + "\"", k,
                   k == Kind::kGaugeInteger ? 2 : 50000000, scale});
    }
  }
  for (const char* m : {"node_context_switches_total", "node_intr_total", "node_forks_total",
                        "node_vmstat_pgfault", "node_vmstat_pgmajfault", "node_vmstat_pswpin"}) {
    t.push_back({m, "", Kind::kCounterInteger, 900000000, 30000});
  }
  for (const char* m :
       {"node_procs_running", "node_procs_blocked", "node_filefd_allocated",
        "node_sockstat_TCP_inuse", "node_entropy_available_bits", "node_timex_offset_seconds",
        "node_hwmon_temp_celsius", "node_pressure_cpu_waiting_seconds_total"}) {
    std::string s(m);
    bool dec = s.find("seconds") != std::string::npos || s.find("celsius") != std::string::npos;
    t.push_back(
        {m, "", dec ? Kind::kGaugeDecimal : Kind::kGaugeInteger, dec ? 4500 : 300, dec ? 20 : 3});
  }
  for (int cpu = 1; static_cast<int>(t.size()) < n; ++cpu) AddCpu(&t, cpu);
  t.resize(static_cast<size_t>(n));
  return t;
}

struct Series {
  std::string prefix;  // name{labels} followed by a space
  Kind kind;
  int64_t mantissa;
  int64_t scale;
  int64_t unit;
  uint64_t rng;
};

// Advances the series by one scrape and appends its exposition line.
void AppendNext(Series* s, int64_t ts_ms, std::string* out) {
  uint64_t r = SplitMix(&s->rng);
  int64_t span = std::max<int64_t>(s->scale, 0);
  switch (s->kind) {
    case Kind::kCounterDecimal:
    case Kind::kCounterInteger:
      s->mantissa += static_cast<int64_t>(r % static_cast<uint64_t>(span + 1));
      break;
    case Kind::kGaugeDecimal:
    case Kind::kGaugeInteger:
      s->mantissa += static_cast<int64_t>(r % static_cast<uint64_t>(2 * span + 1)) - span;
      s->mantissa = std::max<int64_t>(s->mantissa, 0);
      break;
  }
  char buf[64];
  char* p = buf;
  char* const e = buf + sizeof buf;
  if (s->kind == Kind::kCounterDecimal || s->kind == Kind::kGaugeDecimal) {
    // mantissa >= 0: counters only grow from a positive start, gauges are clamped.
    p = std::to_chars(p, e, s->mantissa / 100).ptr;
    const int64_t cents = s->mantissa % 100;
    *p++ = '.';
    *p++ = static_cast<char>('0' + cents / 10);
    *p++ = static_cast<char>('0' + cents % 10);
  } else {
    p = std::to_chars(p, e, s->mantissa * s->unit).ptr;
  }
  *p++ = ' ';
  p = std::to_chars(p, e, ts_ms).ptr;
  *p++ = '\n';
  out->append(s->prefix);
  out->append(buf, static_cast<size_t>(p - buf));
}

// ---------------------------------------------------------------- queries

struct Query {
  const char* name;
  const char* expr;
};

const Query kQueries[] = {
    {"cpu_busy_by_host", "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[1m]))"},
    {"topk_cpu", "topk(5, sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[1m])))"},
    {"mem_avail_avg", "avg(node_memory_MemAvailable_bytes)"},
    {"mem_used_ratio", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes"},
    {"net_rx_by_host",
     "sum by (instance) (rate(node_network_receive_bytes_total{device!=\"lo\"}[1m]))"},
    {"load1_max", "max(node_load1)"},
    {"one_host_net_tx", "rate(node_network_transmit_bytes_total{instance=\"host-0:9100\"}[1m])"},
};
constexpr size_t kNumQueries = sizeof(kQueries) / sizeof(kQueries[0]);
// One series per host that every --series-per-host has (the first template).
constexpr const char* kVerifySelector = "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}";

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Query latencies in log buckets 0.5% wide (1 us .. ~20 min), so memory stays
// fixed however many queries a run makes; percentiles are nearest-rank over
// the buckets, within 0.25% of the exact value.
class Latencies {
 public:
  void Add(double ms) {
    size_t b = 0;
    if (ms > kMinMs) {
      b = std::min(kBuckets - 1, static_cast<size_t>(std::log(ms / kMinMs) / kLogGrowth) + 1);
    }
    ++counts_[b];
    ++n_;
    min_ = n_ == 1 ? ms : std::min(min_, ms);
    max_ = std::max(max_, ms);
  }
  uint64_t size() const { return n_; }
  double max() const { return max_; }
  // 0 for no data.
  double Percentile(double p) const {
    if (n_ == 0) return 0;
    auto k = static_cast<uint64_t>(std::ceil(p * static_cast<double>(n_)));
    k = std::clamp<uint64_t>(k, 1, n_);
    uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      seen += counts_[b];
      if (seen < k) continue;
      // Geometric middle of the bucket, within what was observed.
      double mid = b == 0 ? kMinMs : kMinMs * std::exp((static_cast<double>(b) - 0.5) * kLogGrowth);
      return std::clamp(mid, min_, max_);
    }
    return max_;
  }

 private:
  static constexpr double kMinMs = 0.001;
  static constexpr size_t kBuckets = 4200;
  static inline const double kLogGrowth = std::log(1.005);
  std::vector<uint64_t> counts_ = std::vector<uint64_t>(kBuckets, 0);
  uint64_t n_ = 0;
  double min_ = 0, max_ = 0;
};

// ---------------------------------------------------------------- /proc

// VmRSS in MiB, or -1 if the process is gone.
double RssMib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// utime + stime in seconds, or -1 if the process is gone.
double CpuSeconds(int pid) { return bench::ProcessCpuSeconds(pid).value_or(-1); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------- shared state

struct Stats {
  std::atomic<uint64_t> samples_sent{0};      // accepted, in 2xx-answered requests
  std::atomic<uint64_t> samples_rejected{0};  // reported rejected in a 2xx answer
  std::atomic<uint64_t> ingest_requests{0};
  std::atomic<uint64_t> ingest_errors{0};
  std::atomic<uint64_t> late_ticks{0};  // ingest tick sent > 1 s after it was due
  std::atomic<uint64_t> query_errors{0};
  std::atomic<uint64_t> query_empty{0};  // success with an empty result
  std::atomic<uint64_t> query_empty_after_warmup{0};
  std::atomic<uint64_t> rounds_done{0};
  std::atomic<uint64_t> rounds_skipped{0};

  std::mutex mu;  // guards the rest
  std::string first_ingest_error, first_query_error;
  Latencies minute_ms;  // since the last minute line
  Latencies all_ms;
  Latencies after_warmup_ms;
  Latencies per_query_ms[kNumQueries];
  uint64_t per_query_errors[kNumQueries] = {};
  uint64_t per_query_empty[kNumQueries] = {};
};

struct RssSample {
  double t;    // seconds since start
  double rss;  // MiB
  double cpu;  // server CPU seconds since start
};

using HttpResult = common::Result<common::HttpClientResponse>;

// Counts one import answer. monitoring-server answers 200 with
// {"samples":N,"accepted":M,...} and still 200 when it refused some samples
// (out of order, too old): those count as rejected and the request as an
// error. VictoriaMetrics answers 204 without a body.
void RecordIngest(Stats* st, const HttpResult& r, size_t lines) {
  st->ingest_requests.fetch_add(1);
  std::string error;
  if (r.ok() && r->status >= 200 && r->status < 300) {
    size_t accepted = lines;
    auto pos = r->body.find("\"accepted\":");
    if (pos != std::string::npos) {
      accepted = std::min<size_t>(lines, strtoull(r->body.c_str() + pos + 11, nullptr, 10));
    }
    st->samples_sent.fetch_add(accepted);
    if (accepted == lines) return;
    st->samples_rejected.fetch_add(lines - accepted);
    error = std::to_string(lines - accepted) + " of " + std::to_string(lines) +
            " samples rejected: " + r->body.substr(0, 300);
  } else {
    error =
        r.ok() ? std::to_string(r->status) + " " + r->body.substr(0, 300) : r.status().ToString();
  }
  if (st->ingest_errors.fetch_add(1) == 0) {
    std::lock_guard<std::mutex> lock(st->mu);
    st->first_ingest_error = error;
  }
}

void RecordQuery(Stats* st, size_t i, const HttpResult& r, double ms, bool warm) {
  bool ok =
      r.ok() && r->status == 200 && r->body.find("\"status\":\"success\"") != std::string::npos;
  bool empty = ok && r->body.find("\"result\":[]") != std::string::npos;
  std::lock_guard<std::mutex> lock(st->mu);
  if (empty) {
    ++st->per_query_empty[i];
    st->query_empty.fetch_add(1);
    if (warm) st->query_empty_after_warmup.fetch_add(1);
  }
  if (ok) {
    st->minute_ms.Add(ms);
    st->all_ms.Add(ms);
    if (warm) st->after_warmup_ms.Add(ms);
    st->per_query_ms[i].Add(ms);
  } else {
    ++st->per_query_errors[i];
    if (st->query_errors.fetch_add(1) == 0) {
      st->first_query_error = std::string(kQueries[i].name) + ": " +
                              (r.ok() ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                                      : r.status().ToString());
    }
  }
}

// The value of a one-element instant vector answer, or -1.
double ScalarResult(const HttpResult& r) {
  if (!r.ok() || r->status != 200) return -1;
  auto pos = r->body.find("\"value\":[");
  if (pos == std::string::npos) return -1;
  pos = r->body.find(",\"", pos);
  if (pos == std::string::npos) return -1;
  return strtod(r->body.c_str() + pos + 2, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Soak driver: ingest + dashboard queries against one server"};
  std::string url, label = "server";
  double minutes = 10, rate = 0;
  int hosts = 200, series_per_host = 100, pid = 0;
  int ingest_threads = 2, query_threads = 0, lines_per_post = 100000;
  bool nocache = false;
  app.add_option("--url", url, "Server base URL, e.g. http://127.0.0.1:9090")->required();
  app.add_option("--minutes", minutes, "Run time")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 24.0 * 60));
  app.add_option("--hosts", hosts)->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--series-per-host", series_per_host)
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("--server-pid", pid, "Server PID: RSS and CPU are sampled from /proc")->required();
  app.add_option("--label", label, "Name printed on every line")->capture_default_str();
  app.add_flag("--nocache", nocache, "Add nocache=1 to queries (VictoriaMetrics result cache)");
  app.add_option("--rate", rate,
                 "Accelerated mode: target samples/s, data time runs faster than wall time "
                 "(0: real-time mode, each host every 15 s of wall time)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--ingest-threads", ingest_threads,
                 "Accelerated mode: ingest connections, each owning 1/N of the hosts")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--lines-per-post", lines_per_post,
                 "Accelerated mode: most samples (lines) per import POST")
      ->capture_default_str()
      ->check(CLI::Range(100, 10000000));
  app.add_option("--query-threads", query_threads,
                 "Query threads (0: 1 in real-time mode, where each runs a round per second; "
                 "10 in the accelerated mode, where each runs queries back to back)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  CLI11_PARSE(app, argc, argv);
  while (!url.empty() && url.back() == '/') url.pop_back();

  const bool fast = rate > 0;
  if (query_threads == 0) query_threads = fast ? 10 : 1;
  const double duration_s = minutes * 60;
  const double warmup_s = duration_s / 3;
  const double series_total = static_cast<double>(hosts) * series_per_host;
  // Accelerated: one tick (a sample of every series, +15 s of data time) per
  // tick_s of wall time; the data clock starts early enough that all ticks
  // the run can send fit before now.
  const double tick_s = fast ? series_total / rate : 1.0;
  const auto max_ticks = static_cast<int64_t>(std::ceil(duration_s / tick_s)) + 1;
  const int64_t tick_ms = kScrapeEverySeconds * 1000;
  if (fast && static_cast<double>(max_ticks) * tick_ms > 365.0 * 86400 * 1000) {
    fprintf(stderr,
            "--rate %.0f over %.0f series needs more than a year of data time; "
            "raise --hosts or --series-per-host\n",
            rate, series_total);
    return 2;
  }
  const int64_t data_start_ms = fast ? (NowMs() - max_ticks * tick_ms - 60000) / 60000 * 60000 : 0;

  // Per-host series state, grouped by scrape slot (host % 15) in real time,
  // by ingest thread (host % threads) in the accelerated mode.
  auto templates = HostTemplates(series_per_host);
  const size_t num_groups = fast ? static_cast<size_t>(ingest_threads) : kScrapeEverySeconds;
  std::vector<std::vector<Series>> groups(num_groups);
  std::vector<int64_t> hosts_in_group(num_groups, 0);
  uint64_t seed = 42;
  for (int h = 0; h < hosts; ++h) {
    std::string labels = "instance=\"host-" + std::to_string(h) + ":9100\",job=\"node\"";
    auto& group = groups[static_cast<size_t>(h) % num_groups];
    ++hosts_in_group[static_cast<size_t>(h) % num_groups];
    for (const auto& t : templates) {
      Series s{t.name + "{" + (t.extra.empty() ? "" : t.extra + ",") + labels + "} ",
               t.kind,
               t.initial,
               t.scale,
               t.unit,
               seed++ * 0x100000001b3ull};
      uint64_t r = SplitMix(&s.rng);
      s.mantissa += static_cast<int64_t>(r % static_cast<uint64_t>(t.initial / 4 + 1));
      group.push_back(std::move(s));
    }
  }
  if (fast) {
    printf(
        "%s: accelerated: %d hosts x %d series = %.0f series, target %.0f samples/s = %.2f "
        "ticks/s (each +%d s of data time, data from %.1f h ago); %d ingest threads, <= %d "
        "lines/POST; %d query threads, %zu range queries back to back over the last %d min of "
        "data time, step %d s; %.1f min, warm-up %.1f min\n",
        label.c_str(), hosts, series_per_host, series_total, rate, 1 / tick_s, kScrapeEverySeconds,
        static_cast<double>(NowMs() - data_start_ms) / 3600e3, ingest_threads, lines_per_post,
        query_threads, kNumQueries, kFastRangeSeconds / 60, kFastStepSeconds, minutes,
        warmup_s / 60);
  } else {
    printf(
        "%s: %d hosts x %d series = %.0f series, each host every %d s (%.0f samples/s); "
        "%zu range queries/s over the last %d min, step %d s, %d query thread(s); %.1f min, "
        "warm-up %.1f min\n",
        label.c_str(), hosts, series_per_host, series_total, kScrapeEverySeconds,
        series_total / kScrapeEverySeconds, kNumQueries, kRangeSeconds / 60, kStepSeconds,
        query_threads, minutes, warmup_s / 60);
  }
  fflush(stdout);

  Stats st;
  const double rss0 = RssMib(pid), cpu0 = CpuSeconds(pid);
  const double self_cpu0 = CpuSeconds(static_cast<int>(getpid()));
  if (rss0 < 0 || cpu0 < 0) {
    fprintf(stderr, "no process %d\n", pid);
    return 1;
  }
  std::vector<RssSample> samples{{0, rss0, 0}};
  samples.reserve(static_cast<size_t>(duration_s / kSampleEverySeconds) + 3);
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration_cast<Clock::duration>(Seconds(duration_s));
  auto at = [&](double s) { return t0 + std::chrono::duration_cast<Clock::duration>(Seconds(s)); };
  auto elapsed = [&] { return Seconds(Clock::now() - t0).count(); };
  const std::string import_url = url + "/api/v1/import/prometheus";

  // Accelerated: ticks each ingest thread has finished; the data clock is the
  // newest tick all of them have finished (what the queries may expect).
  auto ticks_done = std::make_unique<std::atomic<int64_t>[]>(num_groups);
  std::vector<double> ingest_end_s(num_groups, 0);  // each thread's own slot
  auto data_clock_ms = [&]() -> int64_t {
    int64_t m = max_ticks;
    for (size_t i = 0; i < num_groups; ++i) m = std::min(m, ticks_done[i].load());
    return m <= 0 ? -1 : data_start_ms + (m - 1) * tick_ms;
  };

  std::vector<std::thread> ingest;
  if (!fast) {
    ingest.emplace_back([&] {
      common::HttpClient client;
      std::string body;
      for (int64_t k = 0; k < max_ticks; ++k) {
        auto due = at(static_cast<double>(k));
        if (due >= end) break;
        std::this_thread::sleep_until(due);
        if (Clock::now() - due > std::chrono::seconds(1)) st.late_ticks.fetch_add(1);
        auto& slot = groups[static_cast<size_t>(k % kScrapeEverySeconds)];
        if (slot.empty()) continue;
        body.clear();
        const int64_t ts = NowMs();
        for (auto& s : slot) AppendNext(&s, ts, &body);
        RecordIngest(&st, client.Post(import_url, body, "text/plain", 30), slot.size());
      }
      ingest_end_s[0] = elapsed();
    });
  } else {
    const auto interval = std::chrono::duration_cast<Clock::duration>(Seconds(tick_s));
    const auto max_waits = static_cast<int64_t>(duration_s * 10) + 10;
    for (size_t g = 0; g < num_groups; ++g) {
      ingest.emplace_back([&, g] {
        common::HttpClient client;
        auto& shard = groups[g];
        const auto per_post = static_cast<size_t>(lines_per_post);
        std::string body;
        body.reserve(std::min(shard.size(), per_post) * 128);
        auto due = t0;
        for (int64_t k = 0; k < max_ticks; ++k) {
          if (due >= end) break;
          std::this_thread::sleep_until(due);
          auto now = Clock::now();
          if (now >= end) break;
          // Behind by more than a second: count it and go on from now, as
          // fast as the server answers, instead of bursting to catch up.
          if (now - due > std::chrono::seconds(1)) {
            st.late_ticks.fetch_add(1);
            due = now;
          }
          due += interval;
          const int64_t ts = data_start_ms + k * tick_ms;
          // Never into the future (both servers refuse far-future samples);
          // with the start computed above this only waits if the clock jumps.
          for (int64_t w = 0; w < max_waits && ts > NowMs() - 1000 && Clock::now() < end; ++w) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
          if (ts > NowMs() - 1000) break;
          for (size_t b = 0; b < shard.size(); b += per_post) {
            const size_t e = std::min(shard.size(), b + per_post);
            body.clear();
            for (size_t j = b; j < e; ++j) AppendNext(&shard[j], ts, &body);
            RecordIngest(&st, client.Post(import_url, body, "text/plain", 120), e - b);
          }
          ticks_done[g].store(k + 1);
        }
        ingest_end_s[g] = elapsed();
      });
    }
  }

  std::atomic<bool> queries_open{false};
  std::atomic<double> queries_open_s{0};
  std::vector<std::thread> queries;
  for (int q = 0; q < query_threads; ++q) {
    queries.emplace_back([&, q] {
      common::HttpClient client;
      const std::string query_url = url + "/api/v1/query_range";
      std::string forms[kNumQueries];
      for (size_t i = 0; i < kNumQueries; ++i) {
        forms[i] = "query=" + UrlEncode(kQueries[i].expr) +
                   "&step=" + std::to_string(fast ? kFastStepSeconds : kStepSeconds);
        if (nocache) forms[i] += "&nocache=1";
      }
      auto run = [&](size_t i, int64_t end_s, int64_t range_s) {
        std::string form = forms[i] + "&start=" + std::to_string(end_s - range_s) +
                           "&end=" + std::to_string(end_s);
        auto q0 = Clock::now();
        auto r = client.Post(query_url, form, "application/x-www-form-urlencoded", 60);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - q0).count();
        RecordQuery(&st, i, r, ms, elapsed() >= warmup_s);
      };
      if (!fast) {
        for (int64_t round = 0; round < max_ticks; ++round) {
          auto due = at(static_cast<double>(round));
          if (due >= end) break;
          if (Clock::now() - due > std::chrono::seconds(1)) {  // previous round overran
            st.rounds_skipped.fetch_add(1);
            continue;
          }
          std::this_thread::sleep_until(due);
          for (size_t i = 0; i < kNumQueries && Clock::now() < end; ++i) {
            run(i, NowMs() / 1000 / kStepSeconds * kStepSeconds, kRangeSeconds);
          }
          st.rounds_done.fetch_add(1);
        }
        return;
      }
      // Accelerated: back to back, once every host's first tick is queryable
      // (VictoriaMetrics 1.79 answers empty at once for ~10 s after new series
      // appear; that would only time how fast it says "nothing"). Thread 0
      // polls, the others wait for it; the delay is reported.
      const auto max_polls = static_cast<int64_t>(duration_s * 50) + 1;
      if (q == 0) {
        const std::string count_form =
            "query=" + UrlEncode("count(" + std::string(kVerifySelector) + ")") +
            (nocache ? "&nocache=1" : "");
        for (int64_t w = 0; w < max_polls && Clock::now() < end; ++w) {
          const int64_t dc = data_clock_ms();
          if (dc >= 0 &&
              ScalarResult(client.Post(url + "/api/v1/query",
                                       count_form + "&time=" + std::to_string(dc / 1000),
                                       "application/x-www-form-urlencoded", 60)) >= hosts) {
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        queries_open_s.store(elapsed());
        queries_open.store(true);
      }
      for (int64_t w = 0; w < max_polls && !queries_open.load() && Clock::now() < end; ++w) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const auto max_queries = static_cast<int64_t>(duration_s * 100000) + 1;  // >= 10 us each
      for (int64_t n = 0; n < max_queries && Clock::now() < end; ++n) {
        const size_t i = static_cast<size_t>(q + n) % kNumQueries;
        run(i, data_clock_ms() / 1000 / kFastStepSeconds * kFastStepSeconds, kFastRangeSeconds);
        if (i + 1 == kNumQueries) st.rounds_done.fetch_add(1);  // one per pass over the set
      }
    });
  }

  // Sampler, per-10-s (accelerated) and per-minute lines, on this thread.
  bool server_gone = false;
  uint64_t last_samples = 0, last_errors = 0, last10_samples = 0;
  double last_line_t = 0, last10_t = 0, last10_cpu = 0;
  std::vector<double> rss_curve;  // RSS of each minute line
  auto minute_line = [&](double t, double rss) {
    Latencies lat;
    {
      std::lock_guard<std::mutex> lock(st.mu);
      std::swap(lat, st.minute_ms);
    }
    uint64_t sent = st.samples_sent.load();
    uint64_t errors = st.ingest_errors.load() + st.query_errors.load();
    std::string extra;
    if (fast) {
      int64_t dc = data_clock_ms();
      char buf[64];
      snprintf(buf, sizeof buf, " data_age_h=%.2f",
               dc < 0 ? 0.0 : static_cast<double>(NowMs() - dc) / 3600e3);
      extra = buf;
    }
    printf(
        "%s minute=%-5.1f rss_mib=%-8.1f samples_per_s=%-8.0f query_p50_ms=%-8.2f "
        "query_p99_ms=%-8.2f queries=%-5" PRIu64 " errors=%" PRIu64 "%s\n",
        label.c_str(), t / 60, rss,
        static_cast<double>(sent - last_samples) / std::max(t - last_line_t, 1e-9),
        lat.Percentile(0.5), lat.Percentile(0.99), lat.size(), errors - last_errors, extra.c_str());
    fflush(stdout);
    rss_curve.push_back(rss);
    last_samples = sent;
    last_errors = errors;
    last_line_t = t;
  };
  auto ten_s_line = [&](double t, double rss, double cpu) {
    uint64_t sent = st.samples_sent.load();
    printf("%s t_s=%-5.0f rss_mib=%-8.1f cpu_cores=%-6.2f samples_per_s=%-9.0f\n", label.c_str(), t,
           rss, (cpu - last10_cpu) / std::max(t - last10_t, 1e-9),
           static_cast<double>(sent - last10_samples) / std::max(t - last10_t, 1e-9));
    fflush(stdout);
    last10_samples = sent;
    last10_t = t;
    last10_cpu = cpu;
  };
  const auto max_samples = static_cast<int64_t>(duration_s / kSampleEverySeconds) + 1;
  for (int64_t i = 1; i <= max_samples; ++i) {
    auto due = at(static_cast<double>(i * kSampleEverySeconds));
    if (due >= end) break;
    std::this_thread::sleep_until(due);
    double rss = RssMib(pid), cpu = CpuSeconds(pid);
    if (rss < 0 || cpu < 0) {
      server_gone = true;
      break;
    }
    double t = elapsed();
    samples.push_back({t, rss, cpu - cpu0});
    if (fast) ten_s_line(t, rss, cpu - cpu0);
    if (i * kSampleEverySeconds % 60 == 0) minute_line(t, rss);
  }
  if (!server_gone) std::this_thread::sleep_until(end);
  for (auto& t : ingest) t.join();
  for (auto& t : queries) t.join();
  {
    double rss = RssMib(pid), cpu = CpuSeconds(pid);
    if (rss < 0 || cpu < 0) {
      server_gone = true;
    } else {
      double t = elapsed();
      samples.push_back({t, rss, cpu - cpu0});
      if (t - last_line_t >= 5) minute_line(t, rss);
    }
  }
  if (server_gone)
    fprintf(stderr, "%s: server process %d exited during the run\n", label.c_str(), pid);
  const double run_s = elapsed();
  const double ingest_s =
      std::max(*std::max_element(ingest_end_s.begin(), ingest_end_s.end()), 1e-9);
  const double driver_cpu_s = CpuSeconds(static_cast<int>(getpid())) - self_cpu0;

  // Accelerated: every sample of one series per host must be queryable. An
  // instant count_over_time over the whole data span at the newest tick;
  // retried for a while, VictoriaMetrics makes new rows searchable within ~1 s.
  int64_t ticks_min = 0, ticks_max = 0;
  double verify_expected = 0, verify_found = 0;
  if (fast) {
    ticks_min = max_ticks;
    for (size_t g = 0; g < num_groups; ++g) {
      ticks_min = std::min(ticks_min, ticks_done[g].load());
      ticks_max = std::max(ticks_max, ticks_done[g].load());
      verify_expected += static_cast<double>(ticks_done[g].load() * hosts_in_group[g]);
    }
    if (ticks_max > 0 && !server_gone) {
      common::HttpClient client;
      const int64_t eval_ms = data_start_ms + (ticks_max - 1) * tick_ms;
      std::string form = "query=" +
                         UrlEncode("sum(count_over_time(" + std::string(kVerifySelector) + "[" +
                                   std::to_string(ticks_max * kScrapeEverySeconds) + "s]))") +
                         "&time=" + std::to_string(eval_ms / 1000) + (nocache ? "&nocache=1" : "");
      for (int attempt = 0; attempt < 20; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
        verify_found =
            std::max(0.0, ScalarResult(client.Post(url + "/api/v1/query", form,
                                                   "application/x-www-form-urlencoded", 120)));
        if (verify_found >= verify_expected) break;
      }
    }
  }

  // Summary.
  double rss_max = 0, rss_warm = samples.back().rss;
  for (const auto& s : samples) rss_max = std::max(rss_max, s.rss);
  for (const auto& s : samples) {
    if (s.t >= warmup_s) {
      rss_warm = s.rss;
      break;
    }
  }
  // Least-squares slope of RSS after warm-up, MiB per minute.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& s : samples) {
    if (s.t < warmup_s) continue;
    double x = s.t / 60;
    n += 1, sx += x, sy += s.rss, sxx += x * x, sxy += x * s.rss;
  }
  double slope = n >= 2 && n * sxx - sx * sx > 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
  std::string curve;
  for (double r : rss_curve) {
    char buf[32];
    snprintf(buf, sizeof buf, "%s%.1f", curve.empty() ? "" : ",", r);
    curve += buf;
  }
  if (curve.empty()) curve = "-";

  std::lock_guard<std::mutex> lock(st.mu);
  for (size_t i = 0; i < kNumQueries; ++i) {
    const auto& v = st.per_query_ms[i];
    printf("%s query=%-18s n=%-5" PRIu64
           " p50_ms=%-8.2f p99_ms=%-8.2f max_ms=%-8.2f errors=%" PRIu64 " empty=%" PRIu64 "\n",
           label.c_str(), kQueries[i].name, v.size(), v.Percentile(0.5), v.Percentile(0.99),
           v.max(), st.per_query_errors[i], st.per_query_empty[i]);
  }
  if (!st.first_ingest_error.empty()) {
    printf("%s first ingest error: %s\n", label.c_str(), st.first_ingest_error.c_str());
  }
  if (!st.first_query_error.empty()) {
    printf("%s first query error: %s\n", label.c_str(), st.first_query_error.c_str());
  }
  if (fast) {
    printf("%s verify: %.0f of %.0f samples of %s queryable (data from unix time %" PRId64
           " over %" PRId64
           " s); queries started %.1f s into the run, when every host's first "
           "tick was queryable\n",
           label.c_str(), verify_found, verify_expected, kVerifySelector, data_start_ms / 1000,
           std::max<int64_t>(ticks_max - 1, 0) * kScrapeEverySeconds, queries_open_s.load());
  }
  const auto& last = samples.back();
  const uint64_t sent = st.samples_sent.load();
  printf(
      "summary label=%s mode=%s duration_s=%.0f hosts=%d series=%.0f rate_target=%.0f"
      " ingest_threads=%d query_threads=%d samples=%" PRIu64
      " samples_per_s=%.1f samples_per_s_achieved=%.1f ingest_requests=%" PRIu64
      " late_ticks=%" PRIu64 " ticks=%" PRId64 " data_span_s=%" PRId64
      " rss_start_mib=%.1f rss_end_mib=%.1f rss_max_mib=%.1f rss_warmup_mib=%.1f"
      " rss_growth_after_warmup_mib=%.1f rss_slope_after_warmup_mib_per_min=%.2f"
      " rss_curve_mib=%s"
      " queries=%" PRIu64 " query_rounds=%" PRIu64 " query_rounds_skipped=%" PRIu64
      " query_p50_ms=%.2f query_p99_ms=%.2f query_max_ms=%.2f query_p50_after_warmup_ms=%.2f"
      " query_p99_after_warmup_ms=%.2f query_empty=%" PRIu64 " query_empty_after_warmup=%" PRIu64
      " ingest_errors=%" PRIu64 " samples_rejected=%" PRIu64 " query_errors=%" PRIu64
      " verify_expected=%.0f verify_found=%.0f verify_missing=%.0f"
      " queries_start_s=%.1f cpu_s=%.2f cpu_cores=%.3f driver_cpu_s=%.2f server_exited=%d\n",
      label.c_str(), fast ? "accelerated" : "realtime", run_s, hosts, series_total,
      fast ? rate : series_total / kScrapeEverySeconds, fast ? ingest_threads : 1, query_threads,
      sent, static_cast<double>(sent) / run_s, static_cast<double>(sent) / ingest_s,
      st.ingest_requests.load(), st.late_ticks.load(), fast ? ticks_min : 0,
      fast ? std::max<int64_t>(ticks_max - 1, 0) * kScrapeEverySeconds : 0, rss0, last.rss, rss_max,
      rss_warm, last.rss - rss_warm, slope, curve.c_str(), st.all_ms.size(), st.rounds_done.load(),
      st.rounds_skipped.load(), st.all_ms.Percentile(0.5), st.all_ms.Percentile(0.99),
      st.all_ms.max(), st.after_warmup_ms.Percentile(0.5), st.after_warmup_ms.Percentile(0.99),
      st.query_empty.load(), st.query_empty_after_warmup.load(), st.ingest_errors.load(),
      st.samples_rejected.load(), st.query_errors.load(), verify_expected, verify_found,
      std::max(0.0, verify_expected - verify_found), fast ? queries_open_s.load() : 0.0, last.cpu,
      last.cpu / std::max(last.t, 1e-9), driver_cpu_s, server_gone ? 1 : 0);
  return server_gone || sent == 0 ? 1 : 0;
}
