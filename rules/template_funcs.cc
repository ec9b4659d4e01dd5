// Prometheus 2.42's template functions that are more than a call (the
// humanize family, time conversion, string escapes, regexp replacement) and
// text/template's comparisons, for template.cc's function map.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "model/number.h"
#include "model/regexp_expand.h"
#include "rules/template_internal.h"

namespace rules::tmpl {

// ---- Prometheus's number helpers --------------------------------------------

common::Result<double> ConvertToFloat(const Value& v) {
  switch (v.kind) {
    case Kind::kFloat:
      return v.f;
    case Kind::kInt:
      return static_cast<double>(v.i);
    case Kind::kString: {
      auto f = model::ParseFloat(v.s);
      if (!f) {
        return common::Status::InvalidArgument("strconv.ParseFloat: parsing " + GoQuote(v.s) +
                                               ": invalid syntax");
      }
      if (std::isinf(*f)) {
        // Go reports overflow; only the spelled-out infinities are infinite.
        std::string lower;
        for (char c : v.s) {
          if (c != '+' && c != '-') lower.push_back(static_cast<char>(std::tolower(c)));
        }
        if (lower != "inf" && lower != "infinity") {
          return common::Status::InvalidArgument("strconv.ParseFloat: parsing " + GoQuote(v.s) +
                                                 ": value out of range");
        }
      }
      return *f;
    }
    default:
      return common::Status::InvalidArgument("can't convert " + TypeName(v) + " to float");
  }
}

std::string Sprintf4g(double v, std::string_view suffix) {
  return FormatFloatVerb(v, 'g', 4) + std::string(suffix);
}

std::string Humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return Sprintf4g(v);
  static const char* const kBig[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
  static const char* const kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  const char* prefix = "";
  if (std::fabs(v) >= 1) {
    for (const char* p : kBig) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return Sprintf4g(v, prefix);
  }
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return Sprintf4g(v, prefix);
}

std::string Humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return Sprintf4g(v);
  static const char* const kPrefixes[] = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
  const char* prefix = "";
  for (const char* p : kPrefixes) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return Sprintf4g(v, prefix);
}

namespace {
// Go's int64(f) on amd64: out-of-range values become math.MinInt64.
int64_t GoInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(f);
}
}  // namespace

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return Sprintf4g(v);
  if (v == 0) return Sprintf4g(v, "s");
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    int64_t d = GoInt64(v);
    int64_t seconds = d % 60;
    int64_t minutes = (d / 60) % 60;
    int64_t hours = (d / 60 / 60) % 24;
    int64_t days = d / 60 / 60 / 24;
    auto s = [](int64_t x) { return std::to_string(x); };
    if (days != 0) {
      return sign + s(days) + "d " + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    }
    if (hours != 0) return sign + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    if (minutes != 0) return sign + s(minutes) + "m " + s(seconds) + "s";
    return sign + Sprintf4g(v, "s");
  }
  static const char* const kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  const char* prefix = "";
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return Sprintf4g(v, std::string(prefix) + "s");
}

// Prometheus's floatToTime: seconds to a time with millisecond precision
// (model.TimeFromUnixNano truncates), UTC.
common::Result<GoTime> FloatToTime(double v) {
  if (std::isnan(v) || std::isinf(v)) return common::Status::InvalidArgument("value is NaN or Inf");
  double ts = v * 1e9;
  if (ts > 9223372036854775807.0 || ts < -9223372036854775808.0) {
    return common::Status::InvalidArgument(
        model::FormatGoFloat(v) +
        " cannot be represented as a nanoseconds timestamp since it overflows int64");
  }
  int64_t ms = GoInt64(ts) / 1000000;
  GoTime t;
  t.sec = ms / 1000;
  t.nsec = static_cast<int32_t>(ms % 1000 * 1000000);
  if (t.nsec < 0) {
    t.nsec += 1000000000;
    --t.sec;
  }
  return t;
}

// ---- Strings ----------------------------------------------------------------

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {
uint32_t DecodeRuneAt(std::string_view s, size_t i, size_t* width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  *width = 1;
  if (c < 0x80) return c;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0xFFFD;
  uint32_t r = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0xFFFD;
    r = (r << 6) | (cc & 0x3F);
  }
  *width = n;
  return r;
}
}  // namespace

std::string JsEscape(std::string_view s) {
  std::string out;
  char buf[16];
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (c < ' ') {
            std::snprintf(buf, sizeof(buf), "\\u00%02X", c);
            out += buf;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      continue;
    }
    size_t w;
    uint32_t r = DecodeRuneAt(s, i, &w);
    bool printable = !(r >= 0x80 && r < 0xA0) && r != 0xAD && !(r >= 0x2028 && r <= 0x202E) &&
                     !(r >= 0xE000 && r < 0xF900) && (w > 1 || r != 0xFFFD);
    if (printable) {
      out.append(s.substr(i, w));
    } else {
      std::snprintf(buf, sizeof(buf), "\\u%04X", r);
      out += buf;
    }
    i += w;
  }
  return out;
}

// url.QueryEscape.
std::string QueryEscape(std::string_view s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

namespace {
// unicode.ToUpper/ToLower for ASCII, Latin-1, Greek and Cyrillic; other
// scripts pass through unchanged.
uint32_t MapCase(uint32_t r, bool upper) {
  if (upper) {
    if (r >= 'a' && r <= 'z') return r - 32;
    if (r == 0xB5) return 0x39C;
    if (r >= 0xE0 && r <= 0xFE && r != 0xF7) return r - 32;
    if (r == 0xFF) return 0x178;
    if (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) return r - 32;
    if (r == 0x3C2) return 0x3A3;
    if (r >= 0x430 && r <= 0x44F) return r - 32;
    if (r >= 0x450 && r <= 0x45F) return r - 80;
    return r;
  }
  if (r >= 'A' && r <= 'Z') return r + 32;
  if (r >= 0xC0 && r <= 0xDE && r != 0xD7) return r + 32;
  if (r == 0x178) return 0xFF;
  if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) return r + 32;
  if (r >= 0x410 && r <= 0x42F) return r + 32;
  if (r >= 0x400 && r <= 0x40F) return r + 80;
  return r;
}
}  // namespace

std::string MapString(std::string_view s, bool upper) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRuneAt(s, i, &w);
    if (w == 1 && r == 0xFFFD && static_cast<unsigned char>(s[i]) >= 0x80) {
      out += "\xEF\xBF\xBD";  // Go maps invalid UTF-8 to U+FFFD
    } else {
      AppendUtf8(MapCase(r, upper), &out);
    }
    i += w;
  }
  return out;
}

namespace {
bool IsLetterOrDigit(uint32_t r) {
  if (r < 0x80) return std::isalnum(static_cast<int>(r)) != 0;
  // Latin-1 letters; everything above is taken as a letter (no separator).
  if (r < 0x100)
    return r == 0xAA || r == 0xB5 || r == 0xBA || (r >= 0xC0 && r != 0xD7 && r != 0xF7);
  return true;
}
}  // namespace

// strings.Title: the first letter of each word upper-cased, where words
// are separated by anything but letters, digits and '_'.
std::string Title(std::string_view s) {
  std::string out;
  uint32_t prev = ' ';
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRuneAt(s, i, &w);
    bool sep;
    if (prev < 0x80) {
      sep = !(std::isalnum(static_cast<int>(prev)) || prev == '_');
    } else {
      sep = !IsLetterOrDigit(prev) && prev != 0x2019;  // Go: letters, digits are not separators
      if (prev >= 0x80 && prev < 0x100 && (prev == 0xA0 || prev == 0x85)) sep = true;
    }
    if (sep) {
      AppendUtf8(MapCase(r, true), &out);
    } else {
      out.append(s.substr(i, w));
    }
    prev = r;
    i += w;
  }
  return out;
}

namespace {
// Go's regexp/syntax wording for RE2's error codes.
const char* RegexpErrorCode(re2::RE2::ErrorCode code) {
  switch (code) {
    case re2::RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case re2::RE2::ErrorBadCharClass:
      return "invalid character class";
    case re2::RE2::ErrorBadCharRange:
      return "invalid character class range";
    case re2::RE2::ErrorMissingBracket:
      return "missing closing ]";
    case re2::RE2::ErrorMissingParen:
      return "missing closing )";
    case re2::RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case re2::RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case re2::RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case re2::RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case re2::RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case re2::RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case re2::RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case re2::RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case re2::RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "internal error";
  }
}
}  // namespace

// Go's regexp.Compile error: "error parsing regexp: CODE: `FRAGMENT`".
common::Result<std::shared_ptr<re2::RE2>> CompileRegexp(const std::string& pattern) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<re2::RE2>(pattern, opts);
  if (!re->ok()) {
    return common::Status::InvalidArgument(std::string("error parsing regexp: ") +
                                           RegexpErrorCode(re->error_code()) + ": `" +
                                           re->error_arg() + "`");
  }
  return re;
}

// regexp.MustCompile's panic quotes the pattern with strconv.Quote, or in
// backquotes when it can.
std::string QuoteRegexp(const std::string& s) {
  for (char c : s) {
    if (c == '`' || (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
      return GoQuote(s);
    }
  }
  return "`" + s + "`";
}

// Regexp.ReplaceAllString: leftmost-first matches, an empty match right
// after a previous match is not replaced.
std::string ReplaceAll(const re2::RE2& re, std::string_view src, std::string_view repl) {
  int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> m(static_cast<size_t>(ngroups));
  std::string out;
  size_t last_end = 0, search = 0;
  while (search <= src.size()) {
    if (!re.Match(re2::StringPiece(src.data(), src.size()), search, src.size(),
                  re2::RE2::UNANCHORED, m.data(), ngroups)) {
      break;
    }
    size_t a0 = static_cast<size_t>(m[0].data() - src.data());
    size_t a1 = a0 + m[0].size();
    out.append(src.substr(last_end, a0 - last_end));
    if (a1 > last_end || a0 == 0) model::ExpandRegexpTemplate(repl, re, m, &out);
    last_end = a1;
    size_t width = 0;
    if (search < src.size()) DecodeRuneAt(src, search, &width);
    if (search + width > a1) {
      search += width;
    } else if (search + 1 > a1) {
      ++search;
    } else {
      search = a1;
    }
  }
  out.append(src.substr(std::min(last_end, src.size())));
  return out;
}

// The path of a URL as url.Parse gives it (percent-decoded).
std::string UrlPath(std::string_view url) {
  size_t end = url.find_first_of("?#");
  std::string_view s = url.substr(0, end);
  size_t scheme = s.find("://");
  if (scheme != std::string_view::npos) {
    s.remove_prefix(scheme + 3);
    size_t slash = s.find('/');
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ---- Comparison (text/template's funcs.go) ----------------------------------

namespace {
enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString };
}  // namespace

namespace {
BasicKind BasicKindOf(const Value& v) {
  switch (v.kind) {
    case Kind::kBool:
      return BasicKind::kBool;
    case Kind::kInt:
      return BasicKind::kInt;
    case Kind::kFloat:
      return BasicKind::kFloat;
    case Kind::kString:
      return BasicKind::kString;
    default:
      return BasicKind::kInvalid;
  }
}
}  // namespace

namespace {
constexpr const char* kBadComparison = "incompatible types for comparison";
constexpr const char* kBadComparisonType = "invalid type for comparison";
}  // namespace

common::Result<bool> Eq(const Value& a, const std::vector<Value>& others) {
  if (others.empty()) return common::Status::InvalidArgument("missing argument for comparison");
  BasicKind k1 = BasicKindOf(a);
  for (const Value& b : others) {
    BasicKind k2 = BasicKindOf(b);
    bool truth = false;
    if (k1 != k2 || (k1 == BasicKind::kInvalid && a.kind != b.kind)) {
      if (a.valid() && b.valid()) return common::Status::InvalidArgument(kBadComparison);
    } else {
      switch (k1) {
        case BasicKind::kBool:
          truth = a.b == b.b;
          break;
        case BasicKind::kInt:
          truth = a.i == b.i;
          break;
        case BasicKind::kFloat:
          truth = a.f == b.f;
          break;
        case BasicKind::kString:
          truth = a.s == b.s;
          break;
        case BasicKind::kInvalid:
          if (!a.valid() || !b.valid()) {
            truth = a.valid() == b.valid();
          } else if (a.kind == Kind::kSample) {
            truth = a.sample == b.sample;
          } else if (a.kind == Kind::kTime || a.kind == Kind::kData) {
            return common::Status::InvalidArgument("non-comparable types");
          } else {
            return common::Status::InvalidArgument("non-comparable type " + PrintValue(b) + ": " +
                                                   TypeName(b));
          }
          break;
      }
    }
    if (truth) return true;
  }
  return false;
}

common::Result<bool> Lt(const Value& a, const Value& b) {
  BasicKind k1 = BasicKindOf(a), k2 = BasicKindOf(b);
  if (k1 == BasicKind::kInvalid || k2 == BasicKind::kInvalid) {
    return common::Status::InvalidArgument(kBadComparisonType);
  }
  if (k1 != k2) return common::Status::InvalidArgument(kBadComparison);
  switch (k1) {
    case BasicKind::kBool:
      return common::Status::InvalidArgument(kBadComparisonType);
    case BasicKind::kInt:
      return a.i < b.i;
    case BasicKind::kFloat:
      return a.f < b.f;
    case BasicKind::kString:
      return a.s < b.s;
    default:
      return common::Status::InvalidArgument(kBadComparisonType);
  }
}

common::Result<int64_t> IndexArg(const Value& index, size_t cap) {
  if (index.kind == Kind::kInvalid) {
    return common::Status::InvalidArgument("cannot index slice/array with nil");
  }
  if (index.kind != Kind::kInt) {
    return common::Status::InvalidArgument("cannot index slice/array with type " + TypeName(index));
  }
  if (index.i < 0 || static_cast<uint64_t>(index.i) > cap) {
    return common::Status::InvalidArgument("index out of range: " + std::to_string(index.i));
  }
  return index.i;
}

}  // namespace rules::tmpl
