// The exporter's /system JSON (as pushed by system-stats-forwarder) ->
// samples. Quantities that node_exporter also exposes keep node_exporter's
// names and labels (node_memory_MemTotal_bytes, node_load1,
// node_filesystem_size_bytes{device,fstype,mountpoint},
// node_network_receive_bytes_total{device}, ...), so dashboards query pushed
// and scraped hosts alike; the rest gets system_* names (system_cpu_percent,
// system_cpu_core_percent{cpu}, system_cpu_count, system_uptime_seconds).
// Host identity comes from the payload's "hostname"; the time from its
// "timestamp_ms" (or "timestamp" seconds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"

namespace server {

struct JsonSample {
  model::Labels labels;  // without job/instance
  double value;
};

struct SystemReading {
  std::string hostname;
  int64_t timestamp_ms = 0;  // 0 when the payload has none
  std::vector<JsonSample> samples;
};

// InvalidArgument naming the field on malformed JSON or wrongly typed fields.
common::Result<SystemReading> ParseSystemJson(std::string_view body);

}  // namespace server
