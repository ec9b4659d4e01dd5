// cpu collector: per-CPU time by mode from /proc/stat, isolated CPUs from
// <sysfs>/devices/system/cpu/isolated and thermal throttle counts from
// <sysfs>/devices/system/cpu/cpuN/thermal_throttle, as node_exporter 1.5's
// cpu_linux.go (node_cpu_seconds_total, node_cpu_guest_seconds_total,
// node_cpu_isolated, node_cpu_{core,package}_throttles_total).
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/cpu_info.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// /proc/stat counts in USER_HZ, which is 100 on every Linux ABI in use.
constexpr double kUserHz = 100.0;

REGISTER_COLLECTOR_BOOL_FLAG(cpu_guest, "collector.cpu.guest", true,
                             "Enables metric node_cpu_guest_seconds_total");

// Parses a kernel CPU list ("0-2,5"). nullopt on a malformed entry.
std::optional<std::vector<int>> ParseCpuList(std::string_view text) {
  std::vector<int> out;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) {
      size_t dash = item.find('-');
      if (dash != std::string_view::npos) {
        if (item.find('-', dash + 1) != std::string_view::npos) return std::nullopt;
        auto lo = parse::ToInt(item.substr(0, dash));
        auto hi = parse::ToInt(item.substr(dash + 1));
        if (!lo || !hi) return std::nullopt;
        for (int64_t i = *lo; i <= *hi; ++i) out.push_back(static_cast<int>(i));
      } else {
        auto v = parse::ToInt(item);
        if (!v) return std::nullopt;
        out.push_back(static_cast<int>(*v));
      }
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

class CpuCollector : public Collector {
 public:
  // node_exporter reads the isolated list once, when the collector is created;
  // a missing file means no node_cpu_isolated series.
  explicit CpuCollector(const CollectorConfig& c)
      : config_(c),
        path_(c.paths.Proc("stat")),
        cpu_dir_(c.paths.Sys("devices/system/cpu")),
        guest_(c.BoolFlag("collector.cpu.guest")) {
    sysfs::Attr a = sysfs::ReadWhole(cpu_dir_ + "/isolated");
    if (a.ok()) {
      auto list = ParseCpuList(a.value);
      if (list) {
        isolated_ = std::move(*list);
      } else {
        isolated_error_ = "cannot parse " + cpu_dir_ + "/isolated";
      }
    } else if (a.err != ENOENT) {
      isolated_error_ = "unable to get isolated cpus from " + cpu_dir_ + "/isolated";
    }
  }

  common::Status Check() const override { return CheckCpuInfoFlags(config_); }

  common::Status Update(MetricSink& sink) override {
    // node_exporter refuses to create the collector then; this one still
    // fails each scrape instead (Check holds only flag errors so far).
    if (!isolated_error_.empty()) return common::Status::IOError(isolated_error_);
    // --collector.cpu.info: node_exporter reads /proc/cpuinfo first.
    if (auto s = CollectCpuInfo(config_, sink); !s.ok()) return s;
    if (auto s = UpdateStat(sink); !s.ok()) return s;
    for (int cpu : isolated_) {
      sink.Gauge("node_cpu_isolated",
                 "Whether each core is isolated, information from "
                 "/sys/devices/system/cpu/isolated.",
                 {{"cpu", std::to_string(cpu)}}, 1);
    }
    UpdateThermalThrottle(sink);
    return common::Status::OK();
  }

 private:
  // Throttle counters are per core and per package, but sysfs repeats them in
  // every logical CPU of that core/package: read each only once.
  void UpdateThermalThrottle(MetricSink& sink) {
    std::map<uint64_t, uint64_t> package;
    std::map<uint64_t, std::map<uint64_t, uint64_t>> core;
    for (const std::string& name : sysfs::GlobDigits(cpu_dir_, "cpu")) {
      std::string dir = cpu_dir_ + "/" + name;
      auto pkg = sysfs::ReadUint(dir + "/topology/physical_package_id");
      if (!pkg) continue;
      auto core_id = sysfs::ReadUint(dir + "/topology/core_id");
      if (!core_id) continue;
      auto& cores = core[*pkg];
      if (!cores.count(*core_id)) {
        if (auto v = sysfs::ReadUint(dir + "/thermal_throttle/core_throttle_count")) {
          cores[*core_id] = *v;
        }
      }
      if (!package.count(*pkg)) {
        if (auto v = sysfs::ReadUint(dir + "/thermal_throttle/package_throttle_count")) {
          package[*pkg] = *v;
        }
      }
    }
    for (const auto& [pkg, count] : package) {
      sink.Counter("node_cpu_package_throttles_total",
                   "Number of times this CPU package has been throttled.",
                   {{"package", std::to_string(pkg)}}, static_cast<double>(count));
    }
    for (const auto& [pkg, cores] : core) {
      for (const auto& [core_id, count] : cores) {
        sink.Counter("node_cpu_core_throttles_total",
                     "Number of times this CPU core has been throttled.",
                     {{"core", std::to_string(core_id)}, {"package", std::to_string(pkg)}},
                     static_cast<double>(count));
      }
    }
  }

  common::Status UpdateStat(MetricSink& sink) {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    static const char* kModes[] = {"user",   "nice", "system",  "idle",
                                   "iowait", "irq",  "softirq", "steal"};
    struct Guest {
      std::string cpu;
      double user, nice;
    };
    std::vector<Guest> guests;
    int cpus = 0;
    for (std::string_view line : parse::Lines(text)) {
      if (line.size() < 4 || line.substr(0, 3) != "cpu" || line[3] == ' ') continue;
      auto f = parse::Fields(line);
      if (f.size() < 9) return common::Status::Corruption("short cpu line in " + path_);
      std::string cpu(f[0].substr(3));
      for (int i = 0; i < 8; ++i) {
        auto v = parse::ToDouble(f[1 + i]);
        if (!v) return common::Status::Corruption("bad number in " + path_);
        sink.Counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                     {{"cpu", cpu}, {"mode", kModes[i]}}, *v / kUserHz);
      }
      double guest = f.size() > 9 ? parse::ToDouble(f[9]).value_or(0) : 0;
      double guest_nice = f.size() > 10 ? parse::ToDouble(f[10]).value_or(0) : 0;
      guests.push_back({cpu, guest / kUserHz, guest_nice / kUserHz});
      ++cpus;
    }
    if (cpus == 0) return common::Status::Corruption("no per-cpu lines in " + path_);
    if (!guest_) return common::Status::OK();
    for (const Guest& g : guests) {
      sink.Counter("node_cpu_guest_seconds_total",
                   "Seconds the CPUs spent in guests (VMs) for each mode.",
                   {{"cpu", g.cpu}, {"mode", "nice"}}, g.nice);
      sink.Counter("node_cpu_guest_seconds_total",
                   "Seconds the CPUs spent in guests (VMs) for each mode.",
                   {{"cpu", g.cpu}, {"mode", "user"}}, g.user);
    }
    return common::Status::OK();
  }

 private:
  CollectorConfig config_;
  std::string path_;
  std::string cpu_dir_;
  bool guest_;
  std::vector<int> isolated_;
  std::string isolated_error_;
};

REGISTER_COLLECTOR("cpu", true, CpuCollector);

}  // namespace
}  // namespace exporter
