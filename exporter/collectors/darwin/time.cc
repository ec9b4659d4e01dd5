// time collector (macOS): the system clock and the local time zone's offset
// (node_time_seconds, node_time_zone_offset_seconds); macOS has no
// clocksource listing, so node_exporter's Linux-only clocksource info is absent.
#include <time.h>

#include <chrono>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    auto now = std::chrono::system_clock::now();
    double secs = std::chrono::duration<double>(now.time_since_epoch()).count();
    time_t t = std::chrono::system_clock::to_time_t(now);
    struct tm local {};
    localtime_r(&t, &local);
    darwin::ConvertTime(secs, local.tm_zone ? local.tm_zone : "", local.tm_gmtoff, sink);
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("time", true, TimeCollector);

}  // namespace
}  // namespace exporter
