#include "common/text_parser.h"

#include <strings.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "model/number.h"

namespace common {

namespace {

// Character classes by table lookup: name scanning runs for every byte of
// every sample line of a bulk import. Bit 0: may start a metric name; bit 1:
// may continue one.
constexpr std::array<unsigned char, 256> kNameClass = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    t[static_cast<size_t>(c)] =
        static_cast<unsigned char>((alpha ? 1 : 0) | (alpha || digit ? 2 : 0));
  }
  return t;
}();

bool IsNameChar(char c, bool first) {
  return (kNameClass[static_cast<unsigned char>(c)] & (first ? 1 : 2)) != 0;
}

void SkipBlanks(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// Scans a label set "{...}" at the start of s; returns its length or 0 on error.
size_t ScanLabelSet(std::string_view s, std::string* err) {
  size_t i = 1;  // after '{'
  for (;;) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && s[i] == '}') return i + 1;
    size_t name_start = i;
    while (i < s.size() && IsNameChar(s[i], i == name_start) && s[i] != ':') ++i;
    if (i == name_start) {
      *err = "invalid label name";
      return 0;
    }
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size() || s[i] != '=') {
      *err = "expected '=' after label name";
      return 0;
    }
    ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size() || s[i] != '"') {
      *err = "expected '\"' to start label value";
      return 0;
    }
    ++i;
    for (;;) {
      if (i >= s.size()) {
        *err = "unterminated label value";
        return 0;
      }
      if (s[i] == '\\') {
        i += 2;
        continue;
      }
      if (s[i] == '"') break;
      ++i;
    }
    ++i;  // closing quote
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}') return i + 1;
    *err = "expected ',' or '}' after label value";
    return 0;
  }
}

}  // namespace

namespace {}  // namespace

TextParser::TextParser(std::string_view text, int64_t first_line)
    : rest_(text), line_no_(first_line - 1) {}

void TextParser::SetSeriesHint(std::string_view series) {
  size_t i = 0;
  while (i < series.size() && IsNameChar(series[i], i == 0)) ++i;
  // A hint that is not a series a full scan could have produced is ignored.
  if (i == 0) {
    hint_ = {};
    return;
  }
  hint_ = series;
  hint_name_len_ = i;
}

TextParser::Entry TextParser::Fail(const std::string& msg) {
  failed_ = true;
  status_ = Status::InvalidArgument("line " + std::to_string(line_no_) + ": " + msg);
  return Entry::kError;
}

TextParser::Entry TextParser::Next() {
  if (failed_) return Entry::kError;
  for (;;) {
    if (rest_.empty()) return Entry::kEnd;
    size_t nl = rest_.find('\n');
    std::string_view line = rest_.substr(0, nl);
    rest_ = nl == std::string_view::npos ? std::string_view() : rest_.substr(nl + 1);
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SkipBlanks(line);
    if (line.empty()) continue;

    if (line.front() == '#') {
      line.remove_prefix(1);
      SkipBlanks(line);
      bool is_type = line.substr(0, 5) == "TYPE " || line.substr(0, 5) == "TYPE\t";
      bool is_help = line.substr(0, 5) == "HELP " || line.substr(0, 5) == "HELP\t";
      if (!is_type && !is_help) continue;  // plain comment
      line.remove_prefix(5);
      SkipBlanks(line);
      size_t i = 0;
      while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
      if (i == 0) return Fail("invalid metric name in " + std::string(is_type ? "TYPE" : "HELP"));
      name_ = line.substr(0, i);
      line.remove_prefix(i);
      SkipBlanks(line);
      meta_text_ = line;
      if (is_type) {
        while (!meta_text_.empty() && (meta_text_.back() == ' ' || meta_text_.back() == '\t')) {
          meta_text_.remove_suffix(1);
        }
        static const std::string_view kTypes[] = {"counter", "gauge", "histogram", "summary",
                                                  "untyped"};
        bool known = false;
        for (auto t : kTypes) known |= meta_text_ == t;
        if (!known) return Fail("unknown metric type \"" + std::string(meta_text_) + "\"");
        return Entry::kType;
      }
      return Entry::kHelp;
    }

    // Sample line.
    std::string_view after;
    // Hinted series: the scan of the series text would stop at the same
    // place it did when the hint was produced (the name scan stops at the
    // blank, a label set ends at its '}'), unless a label set follows the
    // blanks of a bare name.
    if (!hint_.empty() && line.size() > hint_.size() &&
        (line[hint_.size()] == ' ' || line[hint_.size()] == '\t') &&
        std::memcmp(line.data(), hint_.data(), hint_.size()) == 0) {
      after = line.substr(hint_.size());
      SkipBlanks(after);
      if (!after.empty() && after.front() == '{') after = {};
    }
    if (!after.empty()) {
      name_ = line.substr(0, hint_name_len_);
      series_ = line.substr(0, hint_.size());
    } else {
      size_t i = 0;
      while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
      if (i == 0) return Fail("invalid metric name at \"" + std::string(line.substr(0, 40)) + "\"");
      name_ = line.substr(0, i);
      size_t series_end = i;
      after = line.substr(i);
      SkipBlanks(after);
      if (!after.empty() && after.front() == '{') {
        std::string err;
        size_t n = ScanLabelSet(after, &err);
        if (n == 0) return Fail(err + " in \"" + std::string(line.substr(0, 80)) + "\"");
        series_end = static_cast<size_t>(after.data() - line.data()) + n;
        after.remove_prefix(n);
      }
      series_ = line.substr(0, series_end);
      SkipBlanks(after);
    }
    size_t vend = 0;
    while (vend < after.size() && after[vend] != ' ' && after[vend] != '\t') ++vend;
    if (vend == 0) return Fail("missing value for " + std::string(name_));
    auto v = model::ParseFloat(after.substr(0, vend));
    if (!v) {
      return Fail("invalid value \"" + std::string(after.substr(0, vend)) + "\" for " +
                  std::string(name_));
    }
    value_ = *v;
    after.remove_prefix(vend);
    SkipBlanks(after);
    timestamp_.reset();
    if (!after.empty()) {
      size_t tend = 0;
      while (tend < after.size() && after[tend] != ' ' && after[tend] != '\t') ++tend;
      int64_t ts = 0;
      auto [p, ec] = std::from_chars(after.data(), after.data() + tend, ts);
      if (ec != std::errc() || p != after.data() + tend) {
        return Fail("invalid timestamp \"" + std::string(after.substr(0, tend)) + "\"");
      }
      timestamp_ = ts;
      after.remove_prefix(tend);
      SkipBlanks(after);
      if (!after.empty()) return Fail("unexpected text after timestamp");
    }
    return Entry::kSample;
  }
}

Status ParseSeriesLabels(std::string_view series, model::Labels* out) {
  size_t i = 0;
  while (i < series.size() && IsNameChar(series[i], i == 0)) ++i;
  if (i == 0) return Status::InvalidArgument("invalid metric name");
  std::vector<model::Label> labels;
  labels.push_back({std::string(model::kMetricNameLabel), std::string(series.substr(0, i))});
  std::string_view s = series.substr(i);
  SkipBlanks(s);
  if (!s.empty()) {
    if (s.front() != '{') return Status::InvalidArgument("expected '{' after metric name");
    s.remove_prefix(1);
    for (;;) {
      SkipBlanks(s);
      if (!s.empty() && s.front() == '}') break;
      size_t n = 0;
      while (n < s.size() && IsNameChar(s[n], n == 0) && s[n] != ':') ++n;
      if (n == 0) return Status::InvalidArgument("invalid label name");
      std::string name(s.substr(0, n));
      s.remove_prefix(n);
      SkipBlanks(s);
      if (s.empty() || s.front() != '=') return Status::InvalidArgument("expected '='");
      s.remove_prefix(1);
      SkipBlanks(s);
      if (s.empty() || s.front() != '"') return Status::InvalidArgument("expected '\"'");
      s.remove_prefix(1);
      std::string value;
      for (;;) {
        if (s.empty()) return Status::InvalidArgument("unterminated label value");
        char c = s.front();
        s.remove_prefix(1);
        if (c == '"') break;
        if (c == '\\') {
          if (s.empty()) return Status::InvalidArgument("unterminated escape");
          char e = s.front();
          s.remove_prefix(1);
          value.push_back(e == 'n' ? '\n' : e);  // \\ -> \, \" -> ", \n -> newline
          continue;
        }
        value.push_back(c);
      }
      for (const model::Label& l : labels) {
        if (l.name == name) return Status::InvalidArgument("duplicate label name \"" + name + "\"");
      }
      labels.push_back({std::move(name), std::move(value)});
      SkipBlanks(s);
      if (!s.empty() && s.front() == ',') {
        s.remove_prefix(1);
        continue;
      }
      if (!s.empty() && s.front() == '}') break;
      return Status::InvalidArgument("expected ',' or '}'");
    }
  }
  *out = model::Labels::FromVector(std::move(labels));
  return Status::OK();
}

}  // namespace common
