// --collector.stat.softirq: node_softirqs_total{vector} from the "softirq" line
// of <procfs>/stat, as node_exporter 1.5's stat_linux.go over procfs's Stat().
#include "exporter/collectors/linux/stat_softirq.h"

#include <string>

#include "exporter/collectors/parse_util.h"

namespace exporter {

REGISTER_COLLECTOR_BOOL_FLAG(stat_softirq, "collector.stat.softirq", false,
                             "Export softirq calls per vector");

common::Result<StatSoftirqs> ParseStatSoftirqs(std::string_view proc_stat) {
  StatSoftirqs out;
  for (std::string_view line : parse::Lines(proc_stat)) {
    auto f = parse::Fields(line);
    if (f.empty() || f[0] != "softirq") continue;
    // "softirq <total> <10 vectors>"; later fields (newer kernels) are ignored.
    if (f.size() < 12) {
      return common::Status::Corruption("couldn't parse \"" + std::string(line) + "\" (softirq)");
    }
    for (size_t i = 1; i < 12; ++i) {
      auto v = parse::ToUint(f[i]);
      if (!v) {
        return common::Status::Corruption("couldn't parse \"" + std::string(line) + "\" (softirq)");
      }
      if (i == 1) {
        out.total = *v;
      } else {
        out.vectors[i - 2] = *v;
      }
    }
  }
  return out;
}

void EmitStatSoftirqs(const CollectorConfig& config, const StatSoftirqs& softirqs,
                      MetricSink& sink) {
  if (!config.BoolFlag("collector.stat.softirq")) return;
  static const char* kVectors[] = {"hi",           "timer",   "net_tx", "net_rx",  "block",
                                   "block_iopoll", "tasklet", "sched",  "hrtimer", "rcu"};
  for (size_t i = 0; i < 10; ++i) {
    sink.Counter("node_softirqs_total", "Number of softirq calls.", {{"vector", kVectors[i]}},
                 static_cast<double>(softirqs.vectors[i]));
  }
}

}  // namespace exporter
