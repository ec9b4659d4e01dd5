// Wall-clock helpers: "now" in the units the data model uses.
#pragma once

#include <chrono>
#include <cstdint>

namespace common {

// Milliseconds since the Unix epoch (sample timestamps).
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Seconds since the Unix epoch, fractional.
inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace common
