#include "common/text_writer.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "model/number.h"

namespace common {

namespace {

void AppendEscaped(std::string_view s, bool quote, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '"':
        if (quote) {
          out->append("\\\"");
        } else {
          out->push_back(c);
        }
        break;
      default:
        out->push_back(c);
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
  model::AppendGoFloat(value, out);
  if (timestamp_ms != 0) {
    out->push_back(' ');
    out->append(std::to_string(timestamp_ms));
  }
  out->push_back('\n');
}

const char* TypeName(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Summary:
      return "summary";
    case prometheus::MetricType::Histogram:
      return "histogram";
    default:
      return "untyped";
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
            std::string qs = model::FormatGoFloat(q.quantile);
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
            std::string le = model::FormatGoFloat(b.upper_bound);
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
