// Fuzz target: the /system JSON push parser (POST /metrics with JSON).
// Properties: no crash or UB on any bytes; an accepted reading has a
// hostname-free label set per sample that is valid (a metric name) and a
// timestamp within the range the store accepts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/ingest/system_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = server::ParseSystemJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  constexpr int64_t kLimit = int64_t{1} << 62;
  if (r->timestamp_ms >= kLimit || r->timestamp_ms <= -kLimit) std::abort();
  for (const auto& s : r->samples) {
    if (s.labels.MetricName().empty()) std::abort();
  }
  return 0;
}
