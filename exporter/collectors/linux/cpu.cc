// cpu collector: per-CPU time by mode from /proc/stat, as node_exporter's
// cpu_linux.go (node_cpu_seconds_total, node_cpu_guest_seconds_total).
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// /proc/stat counts in USER_HZ, which is 100 on every Linux ABI in use.
constexpr double kUserHz = 100.0;

class CpuCollector : public Collector {
 public:
  explicit CpuCollector(const CollectorConfig& c) : path_(c.paths.Proc("stat")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    static const char* kModes[] = {"user", "nice",    "system", "idle",
                                   "iowait", "irq", "softirq", "steal"};
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
  std::string path_;
};

REGISTER_COLLECTOR("cpu", true, CpuCollector);

}  // namespace
}  // namespace exporter
