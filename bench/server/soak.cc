// Soak driver for soak.sh: one server under steady, scrape-like load for a
// bounded time, watching its memory, CPU and query latency.
//
//   ingest   every second, 1/15 of the hosts (so each host every 15 s, like a
//            scrape) POST their node_exporter-shaped series as Prometheus text
//            with the current time (ms) to /api/v1/import/prometheus;
//            counters increase, gauges random-walk.
//   queries  every second, a fixed set of dashboard range queries over the
//            last 15 minutes (step 15 s) to /api/v1/query_range, one at a time;
//            a round that is due while the previous one still runs is skipped
//            (a dashboard does not queue refreshes). Latency includes reading
//            the whole body.
//   sampler  every 10 s the server's VmRSS (/proc/<pid>/status) and CPU time
//            (/proc/<pid>/stat).
// One line per minute, per-query lines and a final machine-readable
// `summary key=value ...` line on stdout. Warm-up is the first third of the run.
// Every loop is bounded by the deadline and by an iteration count; everything
// kept in memory is bounded by the duration.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

constexpr int kScrapeEverySeconds = 15;  // each host is written every 15 s
constexpr int kSampleEverySeconds = 10;  // RSS / CPU sampling period
constexpr int kRangeSeconds = 15 * 60;   // queries cover the last 15 minutes
constexpr int kStepSeconds = 15;

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
  int len;
  if (s->kind == Kind::kCounterDecimal || s->kind == Kind::kGaugeDecimal) {
    len = snprintf(buf, sizeof buf, "%" PRId64 ".%02" PRId64 " %" PRId64 "\n", s->mantissa / 100,
                   s->mantissa % 100, ts_ms);
  } else {
    len = snprintf(buf, sizeof buf, "%" PRId64 " %" PRId64 "\n", s->mantissa * s->unit, ts_ms);
  }
  out->append(s->prefix);
  out->append(buf, static_cast<size_t>(std::max(len, 0)));
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

// Nearest-rank percentile in ms; 0 for no data.
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  k = std::clamp<size_t>(k, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

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
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = s.rfind(')');
  if (r == std::string::npos) return -1;
  std::istringstream fields(s.substr(r + 2));
  std::string f;
  double ut = 0, st = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) ut = std::stod(f);
    if (i == 15) st = std::stod(f);
  }
  return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------- shared state

struct Stats {
  std::atomic<uint64_t> samples_sent{0};  // in 2xx-answered requests
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
  std::vector<double> minute_ms;  // latencies since the last minute line
  std::vector<double> all_ms;
  std::vector<double> after_warmup_ms;
  std::vector<double> per_query_ms[kNumQueries];
  uint64_t per_query_errors[kNumQueries] = {};
  uint64_t per_query_empty[kNumQueries] = {};
};

struct RssSample {
  double t;    // seconds since start
  double rss;  // MiB
  double cpu;  // server CPU seconds since start
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Soak driver: real-time ingest + dashboard queries against one server"};
  std::string url, label = "server";
  double minutes = 10;
  int hosts = 200, series_per_host = 100, pid = 0;
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
  CLI11_PARSE(app, argc, argv);
  while (!url.empty() && url.back() == '/') url.pop_back();

  const double duration_s = minutes * 60;
  const double warmup_s = duration_s / 3;
  const auto max_ticks = static_cast<int64_t>(std::ceil(duration_s)) + 1;

  // Per-host series state, grouped by scrape slot (host % 15).
  auto templates = HostTemplates(series_per_host);
  std::vector<std::vector<Series>> slot_series(kScrapeEverySeconds);
  uint64_t seed = 42;
  for (int h = 0; h < hosts; ++h) {
    std::string labels = "instance=\"host-" + std::to_string(h) + ":9100\",job=\"node\"";
    auto& slot = slot_series[static_cast<size_t>(h % kScrapeEverySeconds)];
    for (const auto& t : templates) {
      Series s{t.name + "{" + (t.extra.empty() ? "" : t.extra + ",") + labels + "} ",
               t.kind,
               t.initial,
               t.scale,
               t.unit,
               seed++ * 0x100000001b3ull};
      uint64_t r = SplitMix(&s.rng);
      s.mantissa += static_cast<int64_t>(r % static_cast<uint64_t>(t.initial / 4 + 1));
      slot.push_back(std::move(s));
    }
  }
  const double series_total = static_cast<double>(hosts) * series_per_host;
  printf(
      "%s: %d hosts x %d series = %.0f series, each host every %d s (%.0f samples/s); "
      "%zu range queries/s over the last %d min, step %d s; %.1f min, warm-up %.1f min\n",
      label.c_str(), hosts, series_per_host, series_total, kScrapeEverySeconds,
      series_total / kScrapeEverySeconds, kNumQueries, kRangeSeconds / 60, kStepSeconds, minutes,
      warmup_s / 60);
  fflush(stdout);

  Stats st;
  const double rss0 = RssMib(pid), cpu0 = CpuSeconds(pid);
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

  std::thread ingest([&] {
    common::HttpClient client;
    const std::string import_url = url + "/api/v1/import/prometheus";
    std::string body;
    for (int64_t k = 0; k < max_ticks; ++k) {
      auto due = at(static_cast<double>(k));
      if (due >= end) break;
      std::this_thread::sleep_until(due);
      if (Clock::now() - due > std::chrono::seconds(1)) st.late_ticks.fetch_add(1);
      auto& slot = slot_series[static_cast<size_t>(k % kScrapeEverySeconds)];
      if (slot.empty()) continue;
      body.clear();
      const int64_t ts = NowMs();
      for (auto& s : slot) AppendNext(&s, ts, &body);
      auto r = client.Post(import_url, body, "text/plain", 30);
      st.ingest_requests.fetch_add(1);
      if (r.ok() && r->status >= 200 && r->status < 300) {
        st.samples_sent.fetch_add(slot.size());
      } else {
        if (st.ingest_errors.fetch_add(1) == 0) {
          std::lock_guard<std::mutex> lock(st.mu);
          st.first_ingest_error = r.ok() ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                                         : r.status().ToString();
        }
      }
    }
  });

  std::thread queries([&] {
    common::HttpClient client;
    const std::string query_url = url + "/api/v1/query_range";
    std::string forms[kNumQueries];
    for (size_t i = 0; i < kNumQueries; ++i) {
      forms[i] = "query=" + UrlEncode(kQueries[i].expr) + "&step=" + std::to_string(kStepSeconds);
      if (nocache) forms[i] += "&nocache=1";
    }
    for (int64_t round = 0; round < max_ticks; ++round) {
      auto due = at(static_cast<double>(round));
      if (due >= end) break;
      if (Clock::now() - due > std::chrono::seconds(1)) {  // previous round overran
        st.rounds_skipped.fetch_add(1);
        continue;
      }
      std::this_thread::sleep_until(due);
      for (size_t i = 0; i < kNumQueries && Clock::now() < end; ++i) {
        int64_t end_s = NowMs() / 1000 / kStepSeconds * kStepSeconds;
        std::string form = forms[i] + "&start=" + std::to_string(end_s - kRangeSeconds) +
                           "&end=" + std::to_string(end_s);
        auto q0 = Clock::now();
        auto r = client.Post(query_url, form, "application/x-www-form-urlencoded", 60);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - q0).count();
        bool ok = r.ok() && r->status == 200 &&
                  r->body.find("\"status\":\"success\"") != std::string::npos;
        bool empty = ok && r->body.find("\"result\":[]") != std::string::npos;
        bool warm = elapsed() >= warmup_s;
        std::lock_guard<std::mutex> lock(st.mu);
        if (empty) {
          ++st.per_query_empty[i];
          st.query_empty.fetch_add(1);
          if (warm) st.query_empty_after_warmup.fetch_add(1);
        }
        if (ok) {
          st.minute_ms.push_back(ms);
          st.all_ms.push_back(ms);
          if (warm) st.after_warmup_ms.push_back(ms);
          st.per_query_ms[i].push_back(ms);
        } else {
          ++st.per_query_errors[i];
          if (st.query_errors.fetch_add(1) == 0) {
            st.first_query_error =
                std::string(kQueries[i].name) + ": " +
                (r.ok() ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                        : r.status().ToString());
          }
        }
      }
      st.rounds_done.fetch_add(1);
    }
  });

  // Sampler and per-minute lines, on this thread.
  bool server_gone = false;
  uint64_t last_samples = 0, last_errors = 0;
  double last_line_t = 0;
  auto minute_line = [&](double t, double rss) {
    std::vector<double> lat;
    {
      std::lock_guard<std::mutex> lock(st.mu);
      lat.swap(st.minute_ms);
    }
    uint64_t sent = st.samples_sent.load();
    uint64_t errors = st.ingest_errors.load() + st.query_errors.load();
    printf(
        "%s minute=%-5.1f rss_mib=%-8.1f samples_per_s=%-8.0f query_p50_ms=%-8.2f "
        "query_p99_ms=%-8.2f queries=%-5zu errors=%" PRIu64 "\n",
        label.c_str(), t / 60, rss,
        static_cast<double>(sent - last_samples) / std::max(t - last_line_t, 1e-9),
        Percentile(lat, 0.5), Percentile(lat, 0.99), lat.size(), errors - last_errors);
    fflush(stdout);
    last_samples = sent;
    last_errors = errors;
    last_line_t = t;
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
    if (i * kSampleEverySeconds % 60 == 0) minute_line(t, rss);
  }
  if (!server_gone) std::this_thread::sleep_until(end);
  ingest.join();
  queries.join();
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

  // Summary.
  const double run_s = elapsed();
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

  std::lock_guard<std::mutex> lock(st.mu);
  for (size_t i = 0; i < kNumQueries; ++i) {
    const auto& v = st.per_query_ms[i];
    printf("%s query=%-18s n=%-5zu p50_ms=%-8.2f p99_ms=%-8.2f max_ms=%-8.2f errors=%" PRIu64
           " empty=%" PRIu64 "\n",
           label.c_str(), kQueries[i].name, v.size(), Percentile(v, 0.5), Percentile(v, 0.99),
           v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()), st.per_query_errors[i],
           st.per_query_empty[i]);
  }
  if (!st.first_ingest_error.empty()) {
    printf("%s first ingest error: %s\n", label.c_str(), st.first_ingest_error.c_str());
  }
  if (!st.first_query_error.empty()) {
    printf("%s first query error: %s\n", label.c_str(), st.first_query_error.c_str());
  }
  const auto& last = samples.back();
  printf("summary label=%s duration_s=%.0f hosts=%d series=%.0f samples=%" PRIu64
         " samples_per_s=%.1f ingest_requests=%" PRIu64 " late_ticks=%" PRIu64
         " rss_start_mib=%.1f rss_end_mib=%.1f rss_max_mib=%.1f rss_warmup_mib=%.1f"
         " rss_growth_after_warmup_mib=%.1f rss_slope_after_warmup_mib_per_min=%.2f"
         " queries=%zu query_rounds=%" PRIu64 " query_rounds_skipped=%" PRIu64
         " query_p50_ms=%.2f query_p99_ms=%.2f query_max_ms=%.2f query_p50_after_warmup_ms=%.2f"
         " query_p99_after_warmup_ms=%.2f query_empty=%" PRIu64 " query_empty_after_warmup=%" PRIu64
         " ingest_errors=%" PRIu64 " query_errors=%" PRIu64
         " cpu_s=%.2f cpu_cores=%.3f server_exited=%d\n",
         label.c_str(), run_s, hosts, series_total, st.samples_sent.load(),
         static_cast<double>(st.samples_sent.load()) / run_s, st.ingest_requests.load(),
         st.late_ticks.load(), rss0, last.rss, rss_max, rss_warm, last.rss - rss_warm, slope,
         st.all_ms.size(), st.rounds_done.load(), st.rounds_skipped.load(),
         Percentile(st.all_ms, 0.5), Percentile(st.all_ms, 0.99),
         st.all_ms.empty() ? 0.0 : *std::max_element(st.all_ms.begin(), st.all_ms.end()),
         Percentile(st.after_warmup_ms, 0.5), Percentile(st.after_warmup_ms, 0.99),
         st.query_empty.load(), st.query_empty_after_warmup.load(), st.ingest_errors.load(),
         st.query_errors.load(), last.cpu, last.cpu / std::max(last.t, 1e-9), server_gone ? 1 : 0);
  return server_gone || st.samples_sent.load() == 0 ? 1 : 0;
}
