#include "common/text_writer.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace common {

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

namespace {

void AppendEscaped(std::string_view s, bool quote, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '"':
        if (quote) {
          out->append("\\\"");
        } else {
          out->push_back(c);
        }
        break;
      default: out->push_back(c);
    }
  }
}

void AppendSample(std::string_view name, std::string_view suffix,
                  const std::vector<prometheus::ClientMetric::Label>& labels,
                  const char* extra_name, const std::string* extra_value, double value,
                  int64_t timestamp_ms, std::string* out) {
  out->append(name);
  out->append(suffix);
  if (!labels.empty() || extra_name) {
    out->push_back('{');
    bool first = true;
    for (const auto& l : labels) {
      if (!first) out->push_back(',');
      first = false;
      out->append(l.name);
      out->append("=\"");
      AppendEscaped(l.value, true, out);
      out->push_back('"');
    }
    if (extra_name) {
      if (!first) out->push_back(',');
      out->append(extra_name);
      out->append("=\"");
      out->append(*extra_value);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendGoFloat(value, out);
  if (timestamp_ms != 0) {
    out->push_back(' ');
    out->append(std::to_string(timestamp_ms));
  }
  out->push_back('\n');
}

const char* TypeName(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Histogram: return "histogram";
    default: return "untyped";
  }
}

}  // namespace

void AppendTextFormat(const std::vector<prometheus::MetricFamily>& families, std::string* out) {
  for (const auto& f : families) {
    if (f.metric.empty()) continue;
    out->append("# HELP ");
    out->append(f.name);
    out->push_back(' ');
    AppendEscaped(f.help, false, out);
    out->append("\n# TYPE ");
    out->append(f.name);
    out->push_back(' ');
    out->append(TypeName(f.type));
    out->push_back('\n');
    for (const auto& m : f.metric) {
      switch (f.type) {
        case prometheus::MetricType::Counter:
          AppendSample(f.name, "", m.label, nullptr, nullptr, m.counter.value, m.timestamp_ms, out);
          break;
        case prometheus::MetricType::Gauge:
          AppendSample(f.name, "", m.label, nullptr, nullptr, m.gauge.value, m.timestamp_ms, out);
          break;
        case prometheus::MetricType::Summary: {
          for (const auto& q : m.summary.quantile) {
            std::string qs = FormatGoFloat(q.quantile);
            AppendSample(f.name, "", m.label, "quantile", &qs, q.value, m.timestamp_ms, out);
          }
          AppendSample(f.name, "_sum", m.label, nullptr, nullptr, m.summary.sample_sum,
                       m.timestamp_ms, out);
          AppendSample(f.name, "_count", m.label, nullptr, nullptr,
                       static_cast<double>(m.summary.sample_count), m.timestamp_ms, out);
          break;
        }
        case prometheus::MetricType::Histogram: {
          for (const auto& b : m.histogram.bucket) {
            std::string le = FormatGoFloat(b.upper_bound);
            AppendSample(f.name, "_bucket", m.label, "le", &le,
                         static_cast<double>(b.cumulative_count), m.timestamp_ms, out);
          }
          AppendSample(f.name, "_sum", m.label, nullptr, nullptr, m.histogram.sample_sum,
                       m.timestamp_ms, out);
          AppendSample(f.name, "_count", m.label, nullptr, nullptr,
                       static_cast<double>(m.histogram.sample_count), m.timestamp_ms, out);
          break;
        }
        default:
          AppendSample(f.name, "", m.label, nullptr, nullptr, m.untyped.value, m.timestamp_ms, out);
      }
    }
  }
}

}  // namespace common
