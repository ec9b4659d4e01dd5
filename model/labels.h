// Labels: a series identity, a set of (name, value) pairs sorted by name with
// unique names. "__name__" holds the metric name. Empty values are treated as
// absent, as in Prometheus (a label with an empty value is dropped).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace model {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
  auto operator<=>(const Label&) const = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts, drops empty values; on duplicate names the last one wins.
  Labels(std::initializer_list<Label> labels);
  static Labels FromVector(std::vector<Label> labels);
  // REQUIRES: labels sorted by name, names unique, values non-empty.
  static Labels FromSortedUnchecked(std::vector<Label> labels);

  // Value of the named label, "" if absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return !Get(name).empty(); }
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  // Returns a copy with name set to value (removed when value is empty).
  Labels With(std::string_view name, std::string_view value) const;
  Labels Without(std::string_view name) const;

  const std::vector<Label>& items() const { return labels_; }
  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  auto begin() const { return labels_.begin(); }
  auto end() const { return labels_.end(); }

  // Stable 64-bit hash of the label set (same across processes and runs).
  uint64_t Hash() const;
  // Prometheus notation: name{a="1", b="2"} (or {a="1"} without a name).
  std::string ToString() const;

  bool operator==(const Labels&) const = default;
  auto operator<=>(const Labels&) const = default;

 private:
  std::vector<Label> labels_;
};

// Escapes a label value for exposition text: backslash, quote and newline.
std::string EscapeLabelValue(std::string_view v);
// True if s is a valid metric name [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsValidMetricName(std::string_view s);
// True if s is a valid label name [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view s);

}  // namespace model
