#include "exporter/system_snapshot.h"

#include <algorithm>
#include <cmath>

#include "common/system_schema.h"

namespace exporter {

namespace {

using nlohmann::json;
namespace schema = common::system_schema;

double Get(const MetricSink& sink, const char* name, const LabelPairs& labels = {},
           double fallback = NAN) {
  const auto* f = sink.Find(name);
  if (!f) return fallback;
  const auto* m = FindMetric(*f, labels);
  return m ? MetricValue(*f, *m) : fallback;
}

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json Percent(double part, double whole) {
  if (!std::isfinite(part) || !std::isfinite(whole) || whole <= 0) return nullptr;
  return std::round(part / whole * 10000.0) / 100.0;  // two decimals
}

// Applies fn to every metric of a family.
template <typename Fn>
void ForEach(const MetricSink& sink, const char* name, Fn fn) {
  const auto* f = sink.Find(name);
  if (!f) return;
  for (const auto& m : f->metric) fn(m, MetricValue(*f, m));
}

}  // namespace

CounterReading ExtractCounters(const MetricSink& sink, double time_seconds) {
  CounterReading r;
  r.time_seconds = time_seconds;
  ForEach(sink, "node_cpu_seconds_total", [&](const prometheus::ClientMetric& m, double v) {
    std::string mode(LabelValue(m, "mode"));
    auto& [busy, total] = r.cpu[std::string(LabelValue(m, "cpu"))];
    total += v;
    if (mode != "idle" && mode != "iowait") busy += v;
  });
  ForEach(sink, schema::kNetRecv.metric,
          [&](const auto& m, double v) { r.net[std::string(LabelValue(m, "device"))].first = v; });
  ForEach(sink, schema::kNetSent.metric,
          [&](const auto& m, double v) { r.net[std::string(LabelValue(m, "device"))].second = v; });
  ForEach(sink, schema::kDiskRead.metric,
          [&](const auto& m, double v) { r.disk[std::string(LabelValue(m, "device"))].first = v; });
  ForEach(sink, schema::kDiskWritten.metric, [&](const auto& m, double v) {
    r.disk[std::string(LabelValue(m, "device"))].second = v;
  });
  return r;
}

namespace {

// Per-second rate of a counter between two readings; null across a reset.
json Rate(double now, double before, double seconds) {
  if (seconds <= 0 || now < before) return nullptr;
  return std::round((now - before) / seconds * 100.0) / 100.0;
}

json CpuPercent(const std::pair<double, double>& now, const std::pair<double, double>* before) {
  if (!before) return nullptr;
  double busy = now.first - before->first, total = now.second - before->second;
  if (total <= 0 || busy < 0) return nullptr;
  return std::round(busy / total * 10000.0) / 100.0;
}

}  // namespace

json BuildSystemSnapshot(const MetricSink& sink, const CounterReading& now,
                         const CounterReading* prev) {
  json out;
  double window = prev ? now.time_seconds - prev->time_seconds : 0;

  // Identity.
  const auto* uname = sink.Find(schema::kUnameMetric);
  const prometheus::ClientMetric* u = uname && !uname->metric.empty() ? &uname->metric[0] : nullptr;
  auto ulabel = [&](const char* n) { return u ? std::string(LabelValue(*u, n)) : std::string(); };
  out["hostname"] = ulabel(schema::kUnameHostnameLabel);
  json os = json::object();
  for (const auto& f : schema::kOsFields) os[f.field] = ulabel(f.metric);
  out["os"] = os;
  double boot = Get(sink, schema::kBootTime.metric);
  out[schema::kBootTime.field] = Num(boot);
  out[schema::kUptime.field] = Num(std::isfinite(boot) ? std::floor(now.time_seconds - boot) : NAN);
  out["timestamp"] = now.time_seconds;
  out["timestamp_ms"] = static_cast<int64_t>(std::llround(now.time_seconds * 1000));
  out["sample_window_seconds"] = prev ? json(std::round(window * 1000) / 1000) : json(nullptr);

  // CPU.
  json cpu;
  std::pair<double, double> all_now{0, 0}, all_prev{0, 0};
  bool have_prev_all = prev != nullptr;
  json per_core = json::array();
  // Numeric CPU order (cpu "10" after "9").
  std::vector<std::pair<int, std::string>> order;
  for (const auto& [name, _] : now.cpu) order.emplace_back(std::atoi(name.c_str()), name);
  std::sort(order.begin(), order.end());
  for (const auto& [_, name] : order) {
    const auto& v = now.cpu.at(name);
    all_now.first += v.first;
    all_now.second += v.second;
    const std::pair<double, double>* before = nullptr;
    if (prev) {
      auto it = prev->cpu.find(name);
      if (it != prev->cpu.end()) {
        before = &it->second;
        all_prev.first += it->second.first;
        all_prev.second += it->second.second;
      } else {
        have_prev_all = false;
      }
    }
    per_core.push_back(CpuPercent(v, before));
  }
  cpu[schema::kCpuCount.field] = now.cpu.size();
  cpu[schema::kCpuPercent.field] = CpuPercent(all_now, have_prev_all ? &all_prev : nullptr);
  cpu[schema::kCpuCorePercent.field] = per_core;
  json load = json::object();
  for (const auto& f : schema::kLoadFields) load[f.field] = Num(Get(sink, f.metric));
  cpu["load_avg"] = load;
  out["cpu"] = cpu;

  // Memory: "used" is total - available, the memory programs can't get back
  // without swapping; percent is used / total.
  json memory = json::object();
  json swap = json::object();
  for (const auto& f : schema::kMemoryFields) memory[f.field] = Num(Get(sink, f.metric));
  for (const auto& f : schema::kSwapFields) swap[f.field] = Num(Get(sink, f.metric));
  double mem_total = Get(sink, schema::kMemTotal.metric);
  double mem_avail = Get(sink, schema::kMemAvailable.metric);
  double swap_total = Get(sink, schema::kSwapTotal.metric);
  double swap_free = Get(sink, schema::kSwapFree.metric);
  if (sink.Find(schema::kMemTotal.metric) == nullptr &&
      sink.Find(schema::kDarwinMemTotalMetric) != nullptr) {
    // macOS: the same fields from node_exporter's darwin names.
    mem_total = Get(sink, schema::kDarwinMemTotalMetric);
    double free = Get(sink, schema::kDarwinMemFreeMetric);
    mem_avail = free + Get(sink, schema::kDarwinMemInactiveMetric);
    memory[schema::kMemTotal.field] = Num(mem_total);
    memory[schema::kMemAvailable.field] = Num(mem_avail);
    memory["free"] = Num(free);
    swap_total = Get(sink, schema::kDarwinSwapTotalMetric);
    swap_free = swap_total - Get(sink, schema::kDarwinSwapUsedMetric);
    swap[schema::kSwapTotal.field] = Num(swap_total);
    swap[schema::kSwapFree.field] = Num(swap_free);
  }
  memory["used"] = Num(mem_total - mem_avail);
  memory[schema::kMemoryPercent.field] = Percent(mem_total - mem_avail, mem_total);
  out["memory"] = memory;
  swap["used"] = Num(swap_total - swap_free);
  swap["percent"] = Percent(swap_total - swap_free, swap_total);
  out["swap"] = swap;

  // Disks: one entry per mounted filesystem; used = size - free (as df).
  json disks = json::array();
  ForEach(sink, schema::kDiskTotal.metric, [&](const prometheus::ClientMetric& m, double size) {
    LabelPairs key{{"mountpoint", std::string(LabelValue(m, "mountpoint"))},
                   {"device", std::string(LabelValue(m, "device"))}};
    double free = Get(sink, schema::kDiskFreeMetric, key);
    double avail = Get(sink, schema::kDiskAvail.metric, key);
    json d = json::object();
    for (const char* label : schema::kDiskLabels) d[label] = std::string(LabelValue(m, label));
    d[schema::kDiskTotal.field] = Num(size);
    d[schema::kDiskAvail.field] = Num(avail);
    d["used"] = Num(size - free);
    d["percent"] = Percent(size - free, size - free + avail);
    d[schema::kDiskReadonly.field] = Get(sink, schema::kDiskReadonly.metric, key, 0) == 1;
    disks.push_back(d);
  });
  out["disks"] = disks;

  json disk_io = json::object();
  for (const auto& [dev, v] : now.disk) {
    json d = {{schema::kDiskRead.field, v.first}, {schema::kDiskWritten.field, v.second}};
    const std::pair<double, double>* before = nullptr;
    if (prev) {
      auto it = prev->disk.find(dev);
      if (it != prev->disk.end()) before = &it->second;
    }
    d["read_bytes_per_sec"] = before ? Rate(v.first, before->first, window) : json(nullptr);
    d["write_bytes_per_sec"] = before ? Rate(v.second, before->second, window) : json(nullptr);
    disk_io[dev] = d;
  }
  out["disk_io"] = disk_io;

  // Network: psutil-style counter names plus rates.
  json net = json::object();
  for (const auto& [dev, v] : now.net) {
    LabelPairs key{{"device", dev}};
    json n = json::object();
    for (const auto& f : schema::kNetworkFields) n[f.field] = Num(Get(sink, f.metric, key));
    const std::pair<double, double>* before = nullptr;
    if (prev) {
      auto it = prev->net.find(dev);
      if (it != prev->net.end()) before = &it->second;
    }
    n["recv_bytes_per_sec"] = before ? Rate(v.first, before->first, window) : json(nullptr);
    n["sent_bytes_per_sec"] = before ? Rate(v.second, before->second, window) : json(nullptr);
    net[dev] = n;
  }
  out["network"] = net;

  json temps = json::array();
  ForEach(sink, schema::kTemperature.metric, [&](const prometheus::ClientMetric& m, double v) {
    json t = json::object();
    for (const char* label : schema::kTemperatureLabels) {
      t[label] = std::string(LabelValue(m, label));
    }
    t[schema::kTemperature.field] = Num(v);
    temps.push_back(t);
  });
  out["temperatures"] = temps;

  // Counts the kernel tables give for free (null when the collector is off).
  json tcp = json::object();
  for (const auto& f : schema::kTcpFields) tcp[f.field] = Num(Get(sink, f.metric));
  out["tcp"] = tcp;
  json fds = json::object();
  for (const auto& f : schema::kFileDescriptorFields) fds[f.field] = Num(Get(sink, f.metric));
  out["file_descriptors"] = fds;
  out[schema::kOomKills.field] = Num(Get(sink, schema::kOomKills.metric));
  return out;
}

std::optional<CounterReading> SystemSampler::Exchange(const CounterReading& now) {
  common::MutexLock lock(&mu_);
  if (!latest_) {
    latest_ = now;
    return std::nullopt;
  }
  if (now.time_seconds - latest_->time_seconds >= min_window_) {
    prev_ = std::move(latest_);
    latest_ = now;
    return prev_;
  }
  // Too soon after the last reading: measure against the older baseline (which
  // is at least min_window old, being older than latest_), and keep latest_.
  return prev_;
}

}  // namespace exporter
