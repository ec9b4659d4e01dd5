// ProcessMetrics: the standard process_* metrics of the running process
// (CPU, memory, file descriptors, start time), read from the real /proc/self,
// named as every Prometheus client library names them. Usable as a
// prometheus-cpp Collectable so any Registry can expose them.
#pragma once

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace common {

class ProcessMetrics : public prometheus::Collectable {
 public:
  // Never fails: metrics whose source cannot be read are left out.
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace common
