// thermal collector (macOS): the CPU power limits of IOPMCopyCPUPowerStatus
// (node_thermal_cpu_*), as node_exporter 1.5's thermal_darwin.go. Best
// effort: Macs that publish no CPU power status (Apple Silicon) report
// "no data" (NotFound), which is logged at debug level only.
#include <IOKit/pwr_mgt/IOPMLib.h>

#include <map>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/darwin/cf_util.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

class ThermalCollector : public Collector {
 public:
  explicit ThermalCollector(const CollectorConfig&) {}

  common::Status Update(MetricSink& sink) override {
    CFDictionaryRef status = nullptr;
    IOReturn ret = IOPMCopyCPUPowerStatus(&status);
    darwin::CFReleaser release(status);
    if (ret == kIOReturnNotFound) {
      return common::Status::NotFound("no CPU power status has been recorded");
    }
    if (ret != kIOReturnSuccess || status == nullptr) {
      return common::Status::IOError("IOPMCopyCPUPowerStatus: error " + std::to_string(ret));
    }
    CFIndex n = CFDictionaryGetCount(status);
    std::vector<const void*> keys(static_cast<size_t>(n)), values(static_cast<size_t>(n));
    CFDictionaryGetKeysAndValues(status, keys.data(), values.data());
    std::map<std::string, int64_t> limits;
    for (CFIndex i = 0; i < n; ++i) {
      auto key = darwin::CFToString(keys[i]);
      auto value = darwin::CFToInt64(values[i]);
      if (key && value) limits[*key] = *value;
    }
    darwin::ConvertThermal(limits, sink);
    return common::Status::OK();
  }
};

REGISTER_COLLECTOR("thermal", true, ThermalCollector);

}  // namespace
}  // namespace exporter
