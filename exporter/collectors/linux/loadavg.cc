// loadavg collector: node_load1/5/15 from /proc/loadavg (node_exporter loadavg).
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const CollectorConfig& c) : path_(c.paths.Proc("loadavg")) {}

  common::Status Update(MetricSink& sink) override {
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    auto f = parse::Fields(parse::Trim(text));
    if (f.size() < 3) return common::Status::Corruption("unexpected content in " + path_);
    static const char* kNames[] = {"node_load1", "node_load5", "node_load15"};
    static const char* kHelp[] = {"1m load average.", "5m load average.", "15m load average."};
    double vals[3];
    for (int i = 0; i < 3; ++i) {
      auto v = parse::ToDouble(f[i]);
      if (!v) return common::Status::Corruption("bad load average in " + path_);
      vals[i] = *v;
    }
    for (int i = 0; i < 3; ++i) sink.Gauge(kNames[i], kHelp[i], {}, vals[i]);
    return common::Status::OK();
  }

 private:
  std::string path_;
};

REGISTER_COLLECTOR("loadavg", true, LoadavgCollector);

}  // namespace
}  // namespace exporter
