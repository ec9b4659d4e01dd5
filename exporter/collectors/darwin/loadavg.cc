// loadavg collector (macOS): node_load1/5/15 from getloadavg(3).
#include <stdlib.h>

#include <array>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    std::array<double, 3> load{};
    if (getloadavg(load.data(), 3) != 3) return common::Status::IOError("getloadavg failed");
    darwin::ConvertLoadavg(load, sink);
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("loadavg", true, LoadavgCollector);

}  // namespace
}  // namespace exporter
