// schedstat collector: per-CPU scheduler time from <procfs>/schedstat, as
// node_exporter 1.5's schedstat_linux.go. No such file (kernel without
// CONFIG_SCHEDSTATS) is NotFound (ErrNoData).
#include <cerrno>
#include <string>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class SchedstatCollector : public Collector {
 public:
  explicit SchedstatCollector(const CollectorConfig& c) : path_(c.paths.Proc("schedstat")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    errno = 0;
    if (!common::ReadFileToString(path_, &text)) {
      if (errno == ENOENT) return common::Status::NotFound("schedstat file does not exist");
      return common::Status::IOError("cannot read " + path_);
    }
    // "cpuN" and nine numbers, matched anywhere in a line as procfs does; the
    // 7th to 9th numbers are running ns, waiting ns and timeslices.
    static const RE2 kCpuLine(R"(cpu(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+))");
    for (std::string_view line : parse::Lines(text)) {
      std::string cpu, skip[6], running, waiting, slices;
      if (!RE2::PartialMatch(line, kCpuLine, &cpu, &skip[0], &skip[1], &skip[2], &skip[3], &skip[4],
                             &skip[5], &running, &waiting, &slices)) {
        continue;
      }
      auto r = parse::ToUint(running), w = parse::ToUint(waiting), t = parse::ToUint(slices);
      if (!r || !w || !t) continue;  // out of range: procfs skips the line
      LabelPairs labels = {{"cpu", cpu}};
      sink.Counter("node_schedstat_running_seconds_total",
                   "Number of seconds CPU spent running a process.", labels,
                   static_cast<double>(*r) / 1e9);
      sink.Counter("node_schedstat_waiting_seconds_total",
                   "Number of seconds spent by processing waiting for this CPU.", labels,
                   static_cast<double>(*w) / 1e9);
      sink.Counter("node_schedstat_timeslices_total", "Number of timeslices executed by CPU.",
                   labels, static_cast<double>(*t));
    }
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("schedstat", true, SchedstatCollector);

}  // namespace
}  // namespace exporter
