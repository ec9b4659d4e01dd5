#include "exporter/system_snapshot.h"

#include <algorithm>
#include <cmath>

namespace exporter {

namespace {

using nlohmann::json;

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
  ForEach(sink, "node_network_receive_bytes_total",
          [&](const auto& m, double v) { r.net[std::string(LabelValue(m, "device"))].first = v; });
  ForEach(sink, "node_network_transmit_bytes_total",
          [&](const auto& m, double v) { r.net[std::string(LabelValue(m, "device"))].second = v; });
  ForEach(sink, "node_disk_read_bytes_total",
          [&](const auto& m, double v) { r.disk[std::string(LabelValue(m, "device"))].first = v; });
  ForEach(sink, "node_disk_written_bytes_total", [&](const auto& m, double v) {
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
  const auto* uname = sink.Find("node_uname_info");
  const prometheus::ClientMetric* u = uname && !uname->metric.empty() ? &uname->metric[0] : nullptr;
  auto ulabel = [&](const char* n) { return u ? std::string(LabelValue(*u, n)) : std::string(); };
  out["hostname"] = ulabel("nodename");
  out["os"] = {{"name", ulabel("sysname")},
               {"kernel", ulabel("release")},
               {"version", ulabel("version")},
               {"machine", ulabel("machine")}};
  double boot = Get(sink, "node_boot_time_seconds");
  out["boot_time"] = Num(boot);
  out["uptime_seconds"] = Num(std::isfinite(boot) ? std::floor(now.time_seconds - boot) : NAN);
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
  cpu["count"] = now.cpu.size();
  cpu["percent"] = CpuPercent(all_now, have_prev_all ? &all_prev : nullptr);
  cpu["per_core_percent"] = per_core;
  cpu["load_avg"] = {{"1m", Num(Get(sink, "node_load1"))},
                     {"5m", Num(Get(sink, "node_load5"))},
                     {"15m", Num(Get(sink, "node_load15"))}};
  out["cpu"] = cpu;

  // Memory: "used" is total - available, the memory programs can't get back
  // without swapping; percent is used / total.
  double mem_total = Get(sink, "node_memory_MemTotal_bytes");
  double mem_avail = Get(sink, "node_memory_MemAvailable_bytes");
  double mem_free = Get(sink, "node_memory_MemFree_bytes");
  out["memory"] = {{"total", Num(mem_total)},
                   {"available", Num(mem_avail)},
                   {"free", Num(mem_free)},
                   {"used", Num(mem_total - mem_avail)},
                   {"cached", Num(Get(sink, "node_memory_Cached_bytes"))},
                   {"buffers", Num(Get(sink, "node_memory_Buffers_bytes"))},
                   {"percent", Percent(mem_total - mem_avail, mem_total)}};
  double swap_total = Get(sink, "node_memory_SwapTotal_bytes");
  double swap_free = Get(sink, "node_memory_SwapFree_bytes");
  out["swap"] = {{"total", Num(swap_total)},
                 {"free", Num(swap_free)},
                 {"used", Num(swap_total - swap_free)},
                 {"percent", Percent(swap_total - swap_free, swap_total)}};

  // Disks: one entry per mounted filesystem; used = size - free (as df).
  json disks = json::array();
  ForEach(sink, "node_filesystem_size_bytes", [&](const prometheus::ClientMetric& m, double size) {
    LabelPairs key{{"mountpoint", std::string(LabelValue(m, "mountpoint"))},
                   {"device", std::string(LabelValue(m, "device"))}};
    double free = Get(sink, "node_filesystem_free_bytes", key);
    double avail = Get(sink, "node_filesystem_avail_bytes", key);
    disks.push_back({{"mountpoint", key[0].value},
                     {"device", key[1].value},
                     {"fstype", std::string(LabelValue(m, "fstype"))},
                     {"total", Num(size)},
                     {"free", Num(avail)},
                     {"used", Num(size - free)},
                     {"percent", Percent(size - free, size - free + avail)},
                     {"readonly", Get(sink, "node_filesystem_readonly", key, 0) == 1}});
  });
  out["disks"] = disks;

  json disk_io = json::object();
  for (const auto& [dev, v] : now.disk) {
    json d = {{"read_bytes", v.first}, {"write_bytes", v.second}};
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
    json n = {{"bytes_recv", v.first},
              {"bytes_sent", v.second},
              {"packets_recv", Num(Get(sink, "node_network_receive_packets_total", key))},
              {"packets_sent", Num(Get(sink, "node_network_transmit_packets_total", key))},
              {"errin", Num(Get(sink, "node_network_receive_errs_total", key))},
              {"errout", Num(Get(sink, "node_network_transmit_errs_total", key))},
              {"dropin", Num(Get(sink, "node_network_receive_drop_total", key))},
              {"dropout", Num(Get(sink, "node_network_transmit_drop_total", key))}};
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
  ForEach(sink, "node_hwmon_temp_celsius", [&](const prometheus::ClientMetric& m, double v) {
    temps.push_back({{"chip", std::string(LabelValue(m, "chip"))},
                     {"sensor", std::string(LabelValue(m, "sensor"))},
                     {"celsius", Num(v)}});
  });
  out["temperatures"] = temps;
  return out;
}

std::optional<CounterReading> SystemSampler::Exchange(const CounterReading& now) {
  std::lock_guard<std::mutex> lock(mu_);
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
