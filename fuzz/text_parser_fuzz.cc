// Fuzz target: the Prometheus text format parser (scrape bodies, POST
// /metrics, /api/v1/import/prometheus). Properties: no crash or UB on any
// bytes; the parser stops at its first error and keeps reporting it; every
// sample's raw series either parses into valid labels or fails cleanly; the
// series hint (the bulk-import fast path) never changes what is parsed.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/text_parser.h"
#include "model/labels.h"
#include "model/number.h"

namespace {

// One pass over the text; returns a summary that must not depend on the hint.
std::string Parse(std::string_view text, bool use_hint) {
  common::TextParser p(text);
  std::string summary;
  std::string hint;
  for (int i = 0; i < 100000; ++i) {
    const auto e = p.Next();
    if (e == common::TextParser::Entry::kEnd) break;
    if (e == common::TextParser::Entry::kError) {
      if (p.status().ok()) std::abort();                                // an error must say why
      if (p.Next() != common::TextParser::Entry::kError) std::abort();  // and stick
      summary += "E" + std::to_string(p.line_number());
      break;
    }
    if (e == common::TextParser::Entry::kSample) {
      summary.append(p.series());
      summary += std::isnan(p.value()) ? "nan" : std::to_string(p.value());
      if (p.timestamp_ms()) summary += "@" + std::to_string(*p.timestamp_ms());
      model::Labels labels;
      if (common::ParseSeriesLabels(p.series(), &labels).ok()) {
        if (labels.Get("__name__") != p.metric_name()) std::abort();
      }
      if (use_hint) {
        hint.assign(p.series());
        p.SetSeriesHint(hint);
      }
    } else {
      summary.append(p.meta_name());
      summary.append(p.meta_text());
    }
    summary += "\n";
  }
  return summary;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (Parse(text, false) != Parse(text, true)) std::abort();
  model::ParseFloat(text.substr(0, 64));
  return 0;
}
