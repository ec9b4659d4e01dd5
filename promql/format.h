// Number and duration text forms shared by the AST printer, the JSON renderer
// and count_values, matching Go's strconv/fmt output used by Prometheus.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promql {

// strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip decimal, no
// exponent; "+Inf", "-Inf", "NaN".
std::string FormatFloat(double v);

// fmt.Sprint(v) for a float64: shortest digits, exponent form when the
// decimal exponent is >= 6 or < -4 (e.g. "1e+06", "123456", "1e-05");
// "+Inf", "-Inf", "NaN".
std::string FormatFloatGo(double v);

// Prometheus model.Duration.String(): "1h30m", "5m", "0s", "1w", "1y".
// REQUIRES: ms >= 0.
std::string FormatDuration(int64_t ms);

// Prometheus model.ParseDuration: units y w d h m s ms, each at most once and
// in that order, integer counts. nullopt if invalid.
std::optional<int64_t> ParseDuration(std::string_view s);

// Go strconv.ParseFloat-like parse of a whole string ("+Inf", "1e3", "0x1p3"
// are accepted; leading/trailing space is not). nullopt if invalid.
std::optional<double> ParseFloat(std::string_view s);

}  // namespace promql
