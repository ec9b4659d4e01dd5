#include "promql/format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace promql {

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string FormatFloatGo(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // e.g. "-1.5e+06" or "1e-07"
  size_t epos = sci.find('e');
  int exp = std::atoi(sci.c_str() + epos + 1);
  if (exp < -4 || exp >= 6) {
    // Go prints at least two exponent digits: 1e+06, 1e-07, 1e+100.
    std::string mant = sci.substr(0, epos);
    char sign = exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    std::string digits = std::to_string(a);
    if (digits.size() < 2) digits = "0" + digits;
    return mant + "e" + sign + digits;
  }
  auto f = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, f.ptr);
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string r;
  auto f = [&](const char* unit, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    int64_t v = ms / mult;
    if (v > 0) {
      r += std::to_string(v) + unit;
      ms -= v * mult;
    }
  };
  const int64_t day = 24LL * 3600 * 1000;
  f("y", 365 * day, true);
  f("w", 7 * day, true);
  f("d", day, false);
  f("h", 3600 * 1000, false);
  f("m", 60 * 1000, false);
  f("s", 1000, false);
  f("ms", 1, false);
  return r;
}

std::optional<int64_t> ParseDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  struct Unit {
    const char* name;
    int64_t mult;
  };
  const int64_t day = 24LL * 3600 * 1000;
  static const Unit kUnits[] = {{"y", 365 * day}, {"w", 7 * day}, {"d", day}, {"h", 3600000},
                                {"m", 60000},     {"s", 1000},    {"ms", 1}};
  size_t next_unit = 0;
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
    int64_t n = 0;
    for (size_t k = start; k < i; ++k) {
      if (n > (INT64_MAX - 9) / 10) return std::nullopt;
      n = n * 10 + (s[k] - '0');
    }
    size_t ulen = 0;
    if (i + 1 < s.size() && s[i] == 'm' && s[i + 1] == 's') {
      ulen = 2;
    } else if (i < s.size()) {
      ulen = 1;
    } else {
      return std::nullopt;
    }
    std::string_view u = s.substr(i, ulen);
    i += ulen;
    bool found = false;
    for (; next_unit < std::size(kUnits); ++next_unit) {
      if (u == kUnits[next_unit].name) {
        found = true;
        if (n != 0 && kUnits[next_unit].mult > INT64_MAX / n) return std::nullopt;
        // The sum can overflow too ("292y300w"): out of range, as in Go.
        if (total > INT64_MAX - n * kUnits[next_unit].mult) return std::nullopt;
        total += n * kUnits[next_unit].mult;
        ++next_unit;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  return total;
}

std::optional<double> ParseFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string str(s);
  if (std::isspace(static_cast<unsigned char>(str[0]))) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return std::nullopt;
  return v;
}

}  // namespace promql
