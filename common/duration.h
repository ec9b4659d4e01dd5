// Prometheus duration syntax: a sequence of <number><unit> with units
// y, w, d, h, m, s, ms in decreasing order ("1h30m", "15d", "100y", "500ms").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

// Milliseconds, or InvalidArgument naming the bad text.
Result<int64_t> ParseDuration(std::string_view s);
// Shortest Prometheus-style rendering ("1h30m", "15s", "0s").
std::string FormatDuration(int64_t ms);

}  // namespace common
