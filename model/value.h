// Staleness markers: a NaN with a reserved bit pattern that ends a series.
// Prometheus writes one when a target or series disappears; the engine treats
// a stale sample as "no value" and never returns it.
#pragma once

#include <bit>
#include <cstdint>

namespace model {

inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;
inline const double kStaleNaN = std::bit_cast<double>(kStaleNaNBits);

inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

}  // namespace model
