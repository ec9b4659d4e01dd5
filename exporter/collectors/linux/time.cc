// time collector: the system clock and time zone offset (node_exporter time.go).
#include <time.h>

#include <chrono>

#include "exporter/collector.h"

namespace exporter {
namespace {

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    auto now = std::chrono::system_clock::now();
    double secs = std::chrono::duration<double>(now.time_since_epoch()).count();
    time_t t = std::chrono::system_clock::to_time_t(now);
    struct tm local;
    localtime_r(&t, &local);
    sink.Gauge("node_time_seconds", "System time in seconds since epoch (1970).", {}, secs);
    sink.Gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
               {{"time_zone", local.tm_zone ? local.tm_zone : "UTC"}},
               static_cast<double>(local.tm_gmtoff));
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("time", true, TimeCollector);

}  // namespace
}  // namespace exporter
