// stat collector: boot time, context switches, forks, interrupts and process
// states from /proc/stat, as node_exporter's stat_linux.go.
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/linux/stat_softirq.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class StatCollector : public Collector {
 public:
  explicit StatCollector(const CollectorConfig& c) : config_(c), path_(c.paths.Proc("stat")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    // node_exporter parses the softirq line whether or not it is exported:
    // a malformed one fails the collector either way.
    auto softirqs = ParseStatSoftirqs(text);
    if (!softirqs.ok()) return softirqs.status().WithContext(path_);
    double intr = -1, ctxt = -1, btime = -1, forks = -1, running = -1, blocked = -1;
    for (std::string_view line : parse::Lines(text)) {
      auto f = parse::Fields(line);
      if (f.size() < 2) continue;
      double* dst = nullptr;
      if (f[0] == "intr")
        dst = &intr;
      else if (f[0] == "ctxt")
        dst = &ctxt;
      else if (f[0] == "btime")
        dst = &btime;
      else if (f[0] == "processes")
        dst = &forks;
      else if (f[0] == "procs_running")
        dst = &running;
      else if (f[0] == "procs_blocked")
        dst = &blocked;
      if (!dst) continue;
      auto v = parse::ToDouble(f[1]);
      if (!v)
        return common::Status::Corruption("bad value for " + std::string(f[0]) + " in " + path_);
      *dst = *v;
    }
    if (intr < 0 || ctxt < 0 || btime < 0 || forks < 0 || running < 0 || blocked < 0) {
      return common::Status::Corruption("missing fields in " + path_);
    }
    sink.Counter("node_intr_total", "Total number of interrupts serviced.", {}, intr);
    sink.Counter("node_context_switches_total", "Total number of context switches.", {}, ctxt);
    sink.Counter("node_forks_total", "Total number of forks.", {}, forks);
    sink.Gauge("node_boot_time_seconds", "Node boot time, in unixtime.", {}, btime);
    sink.Gauge("node_procs_running", "Number of processes in runnable state.", {}, running);
    sink.Gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", {},
               blocked);
    EmitStatSoftirqs(config_, *softirqs, sink);  // --collector.stat.softirq
    return common::Status::OK();
  }

 private:
  CollectorConfig config_;
  std::string path_;
};

REGISTER_COLLECTOR("stat", true, StatCollector);

}  // namespace
}  // namespace exporter
