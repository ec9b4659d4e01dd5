// cpufreq collector: per-CPU frequencies from
// <sysfs>/devices/system/cpu/cpuN/cpufreq, as node_exporter 1.5's
// cpufreq_linux.go over procfs' SystemCpufreq (node_cpu_frequency_*_hertz,
// node_cpu_scaling_frequency_*_hertz). sysfs gives kHz; node_exporter reports Hz.
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct CpuFreq {
  std::string cpu;
  std::optional<uint64_t> cur, min, max, scaling_cur, scaling_min, scaling_max;
};

// A numeric attribute: absent or unreadable for permission is "not reported"
// (cpuinfo_cur_freq is root-only); any other failure fails the collector.
common::Status ReadFreq(const std::string& path, std::optional<uint64_t>* out) {
  sysfs::Attr a = sysfs::ReadWhole(path);
  if (!a.ok()) {
    if (a.err == ENOENT || a.err == EACCES || a.err == EPERM) return common::Status::OK();
    return common::Status::IOError("cannot read " + path);
  }
  auto v = parse::ToUint(sysfs::TrimSpace(a.value));
  if (!v) return common::Status::Corruption("cannot parse " + path);
  *out = *v;
  return common::Status::OK();
}

class CpuFreqCollector : public Collector {
 public:
  explicit CpuFreqCollector(const CollectorConfig& c) : dir_(c.paths.Sys("devices/system/cpu")) {}

  common::Status Update(MetricSink& sink) override {
    // No CPU directories (or none with cpufreq) is an empty, successful
    // scrape in node_exporter 1.5.
    std::vector<std::string> cpus = sysfs::GlobDigits(dir_, "cpu");
    std::vector<CpuFreq> freqs;
    for (const std::string& name : cpus) {
      std::string dir = dir_ + "/" + name + "/cpufreq";
      if (!sysfs::Exists(dir)) continue;
      CpuFreq f;
      f.cpu = name.substr(3);
      struct {
        const char* file;
        std::optional<uint64_t>* out;
      } files[] = {
          {"cpuinfo_cur_freq", &f.cur},         {"cpuinfo_max_freq", &f.max},
          {"cpuinfo_min_freq", &f.min},         {"scaling_cur_freq", &f.scaling_cur},
          {"scaling_max_freq", &f.scaling_max}, {"scaling_min_freq", &f.scaling_min},
      };
      for (const auto& [file, out] : files) {
        if (auto s = ReadFreq(dir + "/" + file, out); !s.ok()) return s;
      }
      std::optional<uint64_t> latency;
      if (auto s = ReadFreq(dir + "/cpuinfo_transition_latency", &latency); !s.ok()) return s;
      // procfs reads these for every CPU and fails the whole listing when one
      // is missing, though node_exporter 1.5 reports none of them.
      for (const char* file : {"scaling_available_governors", "scaling_driver", "scaling_governor",
                               "related_cpus", "scaling_setspeed"}) {
        if (!sysfs::ReadAttr(dir + "/" + file).ok()) {
          return common::Status::IOError("cannot read " + dir + "/" + file);
        }
      }
      freqs.push_back(std::move(f));
    }
    for (const CpuFreq& f : freqs) {
      LabelPairs labels = {{"cpu", f.cpu}};
      auto emit = [&](const char* name, const char* help, const std::optional<uint64_t>& v) {
        if (v) sink.Gauge(name, help, labels, static_cast<double>(*v) * 1000.0);
      };
      emit("node_cpu_frequency_hertz", "Current cpu thread frequency in hertz.", f.cur);
      emit("node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz.", f.min);
      emit("node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz.", f.max);
      emit("node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz.",
           f.scaling_cur);
      emit("node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz.",
           f.scaling_min);
      emit("node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz.",
           f.scaling_max);
    }
    return common::Status::OK();
  }

 private:
  std::string dir_;
};

REGISTER_COLLECTOR("cpufreq", true, CpuFreqCollector);

}  // namespace
}  // namespace exporter
