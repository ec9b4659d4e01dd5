// Numbers as text, the way Go (and so Prometheus) writes and reads them.
// One implementation for the whole tree: the exposition text writer and
// parser, the PromQL printer and JSON renderer, histogram `le` labels.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace model {

// strconv.FormatFloat(v, 'g', -1, 64), which is also fmt.Sprint's: shortest
// round-trip digits, exponent form when the decimal exponent is < -4 or
// >= 6 ("1e+06", "123456", "1e-05"); "+Inf", "-Inf", "NaN".
void AppendGoFloat(double v, std::string* out);
std::string FormatGoFloat(double v);

// strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip decimal without
// an exponent; "+Inf", "-Inf", "NaN".
std::string FormatFloat(double v);

// strconv.ParseFloat(s, 64) of a whole string: decimal and hexadecimal
// ("0x1p-2") forms, an optional sign, "Inf"/"Infinity" with optional sign
// and "NaN" in any case; out of range saturates to +-Inf or 0 as Go's
// value does. nullopt if s is not a number (no surrounding space).
std::optional<double> ParseFloat(std::string_view s);

}  // namespace model
