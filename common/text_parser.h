// TextParser: the Prometheus text exposition format (0.0.4) parser used by
// every text way in (scrape, POST /metrics, /api/v1/import/prometheus).
//
// It is a pull parser over a buffer of complete lines: Next() yields one
// sample at a time without allocating. A sample's series is returned as its
// raw text ("name{a=\"1\"}"), so callers can cache raw text -> series and skip
// label parsing for series they have seen (the hot path of bulk import);
// ParseSeriesLabels() turns it into model::Labels when needed.
//
// Grammar accepted (per the format spec): blank lines; "# HELP name text";
// "# TYPE name type"; other comments; samples
//   name[{label="value",...}] value [timestamp_ms]
// with value a Go-style float (incl. NaN, +Inf, -Inf) and an optional
// integer timestamp in milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/labels.h"

namespace common {

class TextParser {
 public:
  enum class Entry { kSample, kType, kHelp, kEnd, kError };

  // The buffer must outlive the parser and every string_view it returns.
  // first_line: the line number of the buffer's first line (for messages when
  // a stream is fed in pieces).
  explicit TextParser(std::string_view text, int64_t first_line = 1);

  // Advances to the next entry. kError leaves the error in status(); the
  // parser stops there (Next keeps returning kError).
  Entry Next();

  // For kSample:
  std::string_view series() const { return series_; }  // raw "name{...}"
  std::string_view metric_name() const { return name_; }
  double value() const { return value_; }
  std::optional<int64_t> timestamp_ms() const { return timestamp_; }
  // For kType / kHelp: the metric name and the type name or help text.
  std::string_view meta_name() const { return name_; }
  std::string_view meta_text() const { return meta_text_; }

  // Optional hint: the raw series text of a sample seen before (e.g. the
  // previous line's). A sample line that starts with exactly this text
  // followed by blanks and no label set takes it as its series without
  // rescanning it; the result is the same as a full scan, only faster on bulk
  // text that lists many samples of one series in a row. The text must
  // outlive its use as the hint; an empty hint disables this.
  void SetSeriesHint(std::string_view series);

  int64_t line_number() const { return line_no_; }
  const Status& status() const { return status_; }

 private:
  Entry Fail(const std::string& msg);

  std::string_view rest_;
  int64_t line_no_;
  std::string_view series_, name_, meta_text_;
  std::string_view hint_;
  size_t hint_name_len_ = 0;
  double value_ = 0;
  std::optional<int64_t> timestamp_;
  Status status_;
  bool failed_ = false;
};

// Parses the raw series text of a sample into labels (including __name__),
// unescaping label values. Fails on malformed text or duplicate label names.
Status ParseSeriesLabels(std::string_view series, model::Labels* out);

}  // namespace common
