#include "model/number.h"

#include <strings.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace model {

void AppendGoFloat(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  // Shortest round-trip digits in scientific form, e.g. "1.2345e+06".
  char sci[32];
  auto [end, ec] = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
  (void)ec;
  *end = '\0';  // to_chars does not terminate; atoi below needs it
  char* e = static_cast<char*>(std::memchr(sci, 'e', static_cast<size_t>(end - sci)));
  int exp = std::atoi(e + 1);
  bool neg = sci[0] == '-';
  // Mantissa digits without sign and dot.
  char digits[24];
  int nd = 0;
  for (char* p = sci + (neg ? 1 : 0); p < e; ++p) {
    if (*p != '.') digits[nd++] = *p;
  }
  // Go's 'g' with the shortest precision: exponent form when the decimal
  // exponent is < -4 or >= 6 (eprec is fixed at 6 for the shortest form).
  int dp = exp + 1;  // decimal point position relative to the digits
  if (neg) out->push_back('-');
  if (exp < -4 || exp >= 6) {
    // d.ddde±XX (at least two exponent digits, as Go).
    out->push_back(digits[0]);
    if (nd > 1) {
      out->push_back('.');
      out->append(digits + 1, static_cast<size_t>(nd - 1));
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int ax = std::abs(exp);
    if (ax < 10) out->push_back('0');
    out->append(std::to_string(ax));
    return;
  }
  if (dp <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-dp), '0');
    out->append(digits, static_cast<size_t>(nd));
  } else if (dp >= nd) {
    out->append(digits, static_cast<size_t>(nd));
    out->append(static_cast<size_t>(dp - nd), '0');
  } else {
    out->append(digits, static_cast<size_t>(dp));
    out->push_back('.');
    out->append(digits + dp, static_cast<size_t>(nd - dp));
  }
}

std::string FormatGoFloat(double v) {
  std::string s;
  AppendGoFloat(v, &s);
  return s;
}

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

namespace {

// Fast path for the common "123" / "123.456": with at most 19 digits, a
// mantissa m <= 2^53 and k <= 22 fraction digits, m and 10^k are exact
// doubles, so m / 10^k is one correctly rounded operation: the same double
// from_chars returns. Anything else (exponents, long mantissas) returns false
// and takes the general path.
bool ParseSimpleDecimal(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  uint64_t m = 0;
  int digits = 0;
  int frac = 0;
  bool dot = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      if (++digits > 19) return false;
      m = m * 10 + static_cast<uint64_t>(c - '0');
      frac += dot ? 1 : 0;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  if (digits == 0 || m > (uint64_t{1} << 53) || frac > 22) return false;
  *out = static_cast<double>(m) / kPow10[frac];
  return true;
}

// Go's hexadecimal float (after "0x"): hex digits with an optional point,
// then a mandatory binary exponent "p[+-]d+".
std::optional<double> ParseHexFloat(std::string_view s, bool neg) {
  const size_t p = s.find_first_of("pP");
  if (p == std::string_view::npos || p == 0 || p + 1 == s.size()) return std::nullopt;
  bool any_digit = false, dot = false;
  for (char c : s.substr(0, p)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      any_digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  std::string_view exp = s.substr(p + 1);
  if (exp[0] == '+' || exp[0] == '-') exp.remove_prefix(1);
  if (!any_digit || exp.empty()) return std::nullopt;
  for (char c : exp) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const double v = std::strtod(("0x" + std::string(s)).c_str(), nullptr);
  return neg ? -v : v;
}

}  // namespace

std::optional<double> ParseFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view body = s;
  bool neg = false;
  if (body.front() == '+' || body.front() == '-') {
    neg = body.front() == '-';
    body.remove_prefix(1);
  }
  if (double fast; ParseSimpleDecimal(body, &fast)) return neg ? -fast : fast;
  if (body.size() == 3 && strncasecmp(body.data(), "inf", 3) == 0) {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (body.size() == 8 && strncasecmp(body.data(), "infinity", 8) == 0) {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (body.size() == 3 && strncasecmp(body.data(), "nan", 3) == 0 && s.size() == 3) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    return ParseHexFloat(body.substr(2), neg);
  }
  double v = 0;
  // from_chars rejects a leading '+', so parse the unsigned body.
  if (body.empty() || body.front() == '+' || body.front() == '-') return std::nullopt;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (p != body.data() + body.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Overflow -> Inf, underflow -> 0, as Go's ParseFloat does (value-wise);
    // from_chars leaves v untouched here, strtod saturates (rare path).
    v = std::strtod(std::string(body).c_str(), nullptr);
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  // Decimal digits, point and exponent only: from_chars's other forms
  // ("inf" inside, "nan(...)") are not Go's.
  for (char c : body) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  return neg ? -v : v;
}

}  // namespace model
