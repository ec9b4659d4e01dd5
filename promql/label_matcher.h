// LabelMatcher: one `name op "value"` condition of a vector selector, with
// Prometheus semantics: regular expressions are RE2, fully anchored; a missing
// label counts as the empty string (so `a=""` and `a!~".+"` match series
// without `a`).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/labels.h"
#include "common/status.h"

namespace re2 {
class RE2;
}

namespace promql {

class LabelMatcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  // Fails with InvalidArgument for an invalid regular expression.
  static common::Result<LabelMatcher> Make(Type type, std::string name, std::string value);

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // True if the label value v (empty when the label is missing) matches.
  bool Matches(std::string_view v) const;
  bool MatchesLabels(const common::Labels& labels) const { return Matches(labels.Get(name_)); }

  // `name="value"` with the operator and Go-style quoting.
  std::string String() const;
  static std::string_view TypeString(Type t);

 private:
  LabelMatcher(Type type, std::string name, std::string value)
      : type_(type), name_(std::move(name)), value_(std::move(value)) {}
  Type type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for regex types; shared, immutable
};

// Quotes s as a double-quoted string the PromQL lexer reads back unchanged.
std::string QuoteString(std::string_view s);

}  // namespace promql
