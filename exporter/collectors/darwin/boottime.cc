// boottime collector (macOS): node_boot_time_seconds from sysctl
// kern.boottime, as node_exporter 1.5's boot_time_bsd.go.
#include <sys/sysctl.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class BoottimeCollector : public Collector {
 public:
  explicit BoottimeCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    int mib[2] = {CTL_KERN, KERN_BOOTTIME};
    struct timeval tv {};
    size_t len = sizeof(tv);
    if (sysctl(mib, 2, &tv, &len, nullptr, 0) != 0) {
      return common::Status::IOError(std::string("sysctl kern.boottime: ") + strerror(errno));
    }
    darwin::ConvertBootTime({.tv_sec = tv.tv_sec, .tv_usec = tv.tv_usec}, sink);
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("boottime", true, BoottimeCollector);

}  // namespace
}  // namespace exporter
