// Durations as Prometheus's model.Duration reads and writes them: a sequence
// of <integer><unit> with units y, w, d, h, m, s, ms, each at most once and
// in that order ("1h30m", "15d", "100y", "500ms"), or "0". Used by flags,
// config files, the API's durations and PromQL's range and offset literals.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace model {

// Milliseconds, or InvalidArgument naming the bad text (also when the
// total overflows int64 milliseconds).
common::Result<int64_t> ParseDuration(std::string_view s);
// model.Duration.String(): "1h30m", "5m", "0s", "1w", "1y" (y and w only
// when they divide the duration exactly). REQUIRES: ms >= 0.
std::string FormatDuration(int64_t ms);

}  // namespace model
