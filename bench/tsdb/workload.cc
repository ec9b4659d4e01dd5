#include "bench/tsdb/workload.h"

#include <charconv>
#include <cmath>

namespace bench {

namespace {

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct Template {
  std::string name;
  std::vector<model::Label> extra;
  SeriesKind kind;
  int64_t initial;  // mantissa units
  int64_t scale;
  int64_t unit = 1;  // value = mantissa * unit for integer kinds (4096: pages)
};

std::vector<Template> HostTemplates() {
  std::vector<Template> t;
  static const char* kModes[] = {"idle",    "iowait", "irq",    "nice",
                                 "softirq", "steal",  "system", "user"};
  for (int cpu = 0; cpu < 4; ++cpu) {
    for (const char* mode : kModes) {
      bool idle = std::string(mode) == "idle";
      t.push_back({"node_cpu_seconds_total",
                   {{"cpu", std::to_string(cpu)}, {"mode", mode}},
                   SeriesKind::kCounterDecimal,
                   idle ? 123456789 : 1234567,
                   idle ? 1400 : 80});  // seconds*100 per 15 s
    }
  }
  static const char* kMem[] = {"MemTotal", "MemFree",  "MemAvailable", "Buffers",  "Cached",
                               "Active",   "Inactive", "Dirty",        "SwapFree", "Slab"};
  for (const char* m : kMem) {
    bool fixed = std::string(m) == "MemTotal";
    t.push_back({std::string("node_memory_") + m + "_bytes",
                 {},
                 SeriesKind::kGaugeInteger,
                 2LL << 20,
                 fixed ? 0 : 100,
                 4096});
  }
  for (const char* fs : {"/", "/boot", "/home", "/var"}) {
    for (const char* m : {"node_filesystem_avail_bytes", "node_filesystem_free_bytes",
                          "node_filesystem_size_bytes"}) {
      bool fixed = std::string(m) == "node_filesystem_size_bytes";
      t.push_back({m,
                   {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", fs}},
                   SeriesKind::kGaugeInteger,
                   12LL << 20,
                   fixed ? 0 : 25,
                   4096});
    }
  }
  for (const char* dev : {"eth0", "eth1", "lo"}) {
    for (const char* m :
         {"node_network_receive_bytes_total", "node_network_transmit_bytes_total",
          "node_network_receive_packets_total", "node_network_transmit_packets_total"}) {
      bool bytes = std::string(m).find("bytes") != std::string::npos;
      t.push_back(
          {m, {{"device", dev}}, SeriesKind::kCounterInteger, 1000000000, bytes ? 150000 : 200});
    }
  }
  for (const char* dev : {"sda", "sdb"}) {
    for (const char* m : {"node_disk_read_bytes_total", "node_disk_written_bytes_total",
                          "node_disk_reads_completed_total", "node_disk_writes_completed_total",
                          "node_disk_io_time_seconds_total", "node_disk_read_time_seconds_total",
                          "node_disk_write_time_seconds_total", "node_disk_io_now"}) {
      std::string n(m);
      SeriesKind k = n.find("seconds") != std::string::npos ? SeriesKind::kCounterDecimal
                     : n == "node_disk_io_now"              ? SeriesKind::kGaugeInteger
                                                            : SeriesKind::kCounterInteger;
      int64_t scale = n.find("bytes") != std::string::npos ? 400000
                      : k == SeriesKind::kGaugeInteger     ? 1
                                                           : 50;
      t.push_back({m, {{"device", dev}}, k, k == SeriesKind::kGaugeInteger ? 2 : 50000000, scale});
    }
  }
  for (const char* m : {"node_load1", "node_load5", "node_load15"}) {
    t.push_back({m, {}, SeriesKind::kGaugeDecimal, 150, 8});
  }
  for (const char* m : {"node_context_switches_total", "node_intr_total", "node_forks_total",
                        "node_vmstat_pgfault", "node_vmstat_pgmajfault", "node_vmstat_pswpin"}) {
    t.push_back({m, {}, SeriesKind::kCounterInteger, 900000000, 30000});
  }
  for (const char* m :
       {"node_procs_running", "node_procs_blocked", "node_filefd_allocated",
        "node_sockstat_TCP_inuse", "node_entropy_available_bits", "node_timex_offset_seconds",
        "node_hwmon_temp_celsius", "node_pressure_cpu_waiting_seconds_total"}) {
    std::string n(m);
    bool dec = n.find("seconds") != std::string::npos || n.find("celsius") != std::string::npos;
    t.push_back({m,
                 {},
                 dec ? SeriesKind::kGaugeDecimal : SeriesKind::kGaugeInteger,
                 dec ? 4500 : 300,
                 dec ? 20 : 3});
  }
  return t;
}

struct HistogramTemplate {
  std::string le;
  double bound;
  SeriesKind kind;
  std::string name;
};

std::vector<HistogramTemplate> HistogramTemplates() {
  static const char* kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                              "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
  const std::string base = "node_request_duration_seconds";
  std::vector<HistogramTemplate> t;
  for (const char* le : kLe) {
    double b = std::string(le) == "+Inf" ? INFINITY : std::stod(le);
    t.push_back({le, b, SeriesKind::kHistogramBucket, base + "_bucket"});
  }
  t.push_back({"", INFINITY, SeriesKind::kHistogramBucket, base + "_count"});
  t.push_back({"", 0, SeriesKind::kHistogramSum, base + "_sum"});
  return t;
}

}  // namespace

Workload::Workload(const WorkloadOptions& options) : options_(options) {
  auto templates = HostTemplates();
  auto histogram = options_.histograms ? HistogramTemplates() : std::vector<HistogramTemplate>{};
  per_host_ = static_cast<int>(templates.size() + histogram.size());
  for (int h = 0; h < options_.hosts; ++h) {
    std::string instance = "host-" + std::to_string(h) + ":9100";
    for (const auto& t : templates) {
      std::vector<model::Label> l = t.extra;
      l.push_back({std::string(model::kMetricNameLabel), t.name});
      l.push_back({"instance", instance});
      l.push_back({"job", "node"});
      series_.push_back(
          {model::Labels::FromVector(std::move(l)), t.kind, t.initial, t.scale, t.unit, 0, h});
    }
    for (const auto& t : histogram) {
      std::vector<model::Label> l;
      if (!t.le.empty()) l.push_back({"le", t.le});
      l.push_back({std::string(model::kMetricNameLabel), t.name});
      l.push_back({"instance", instance});
      l.push_back({"job", "node"});
      series_.push_back({model::Labels::FromVector(std::move(l)), t.kind, 0, 0, 1, t.bound, h});
    }
  }
}

const char* Workload::type_name(size_t i) const {
  SeriesKind k = series_[i].kind;
  return k == SeriesKind::kGaugeDecimal || k == SeriesKind::kGaugeInteger ? "gauge" : "counter";
}

Workload::Cursor Workload::Start(size_t i) const {
  Cursor c;
  c.kind_ = series_[i].kind;
  c.rng_ = options_.seed * 0x100000001b3ull + i;
  c.scale_ = series_[i].scale;
  c.unit_ = series_[i].unit;
  if (c.kind_ == SeriesKind::kHistogramBucket || c.kind_ == SeriesKind::kHistogramSum) {
    c.obs_rng_ = options_.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(series_[i].host);
    c.bound_ = series_[i].bound;
    c.mantissa_ = 0;
    return c;
  }
  // Spread initial values per series.
  uint64_t r = SplitMix(&c.rng_);
  c.mantissa_ = series_[i].initial + static_cast<int64_t>(r % (series_[i].initial / 4 + 1));
  return c;
}

double Workload::Cursor::Next() {
  if (kind_ == SeriesKind::kHistogramBucket || kind_ == SeriesKind::kHistogramSum) {
    // 10..30 observations per step, skewed towards small durations (ms units).
    int n = 10 + static_cast<int>(SplitMix(&obs_rng_) % 21);
    for (int k = 0; k < n; ++k) {
      double u = static_cast<double>(SplitMix(&obs_rng_) >> 11) * 0x1.0p-53;
      int64_t ms = static_cast<int64_t>(u * u * u * u * 12000.0);
      if (kind_ == SeriesKind::kHistogramSum) {
        mantissa_ += ms;
      } else if (static_cast<double>(ms) / 1000.0 <= bound_) {
        ++mantissa_;
      }
    }
    return kind_ == SeriesKind::kHistogramSum ? static_cast<double>(mantissa_) / 1000.0
                                              : static_cast<double>(mantissa_);
  }
  uint64_t r = SplitMix(&rng_);
  int64_t span = scale_ > 0 ? scale_ : 0;
  switch (kind_) {
    case SeriesKind::kCounterDecimal:
    case SeriesKind::kCounterInteger:
      if (span > 0) mantissa_ += static_cast<int64_t>(r % (2 * span + 1));
      break;
    case SeriesKind::kGaugeDecimal:
    case SeriesKind::kGaugeInteger:
      if (span > 0) mantissa_ += static_cast<int64_t>(r % (2 * span + 1)) - span;
      if (mantissa_ < 0) mantissa_ = -mantissa_;
      break;
    case SeriesKind::kHistogramBucket:
    case SeriesKind::kHistogramSum:
      break;  // handled above
  }
  if (kind_ == SeriesKind::kCounterDecimal || kind_ == SeriesKind::kGaugeDecimal) {
    return static_cast<double>(mantissa_) / 100.0;
  }
  return static_cast<double>(mantissa_ * unit_);
}

std::string FormatValue(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

}  // namespace bench
