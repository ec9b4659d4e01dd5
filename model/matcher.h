// Matcher: one `name op "value"` label condition with Prometheus semantics,
// shared by the store (tsdb selects series with it) and the query engine
// (PromQL selectors parse into it).
//
// A series lacking a label is treated as having it with value "". So a
// matcher that matches the empty string (e.g. {a=""}, {a!="x"}, {a=~"x|"})
// also selects series without the label, and {a!=""} selects exactly the
// series that have label a. Regexes use RE2 syntax, are fully anchored
// ({a=~"fo"} does not match "foo") and let '.' match newlines, as Prometheus.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/labels.h"

namespace re2 {
class RE2;
}

namespace model {

class Matcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  // InvalidArgument ("error parsing regexp: ...") for an invalid pattern.
  static common::Result<Matcher> Make(Type type, std::string name, std::string value);
  // For literals in code and tests. REQUIRES: a valid pattern (aborts otherwise).
  static Matcher MustMake(Type type, std::string name, std::string value);

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // True if the label value v ("" for a missing label) satisfies the matcher.
  bool Matches(std::string_view v) const;
  bool MatchesLabels(const Labels& labels) const { return Matches(labels.Get(name_)); }
  // True if the matcher selects series lacking the label.
  bool MatchesEmpty() const { return Matches(""); }

  // `name="value"` with the operator and PromQL (Go) string quoting.
  std::string String() const;
  static std::string_view TypeString(Type t);

 private:
  Matcher(Type type, std::string name, std::string value, std::shared_ptr<const re2::RE2> re);

  Type type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for regex types; shared, immutable
};

// Quotes s as a double-quoted string the PromQL lexer reads back unchanged.
std::string QuoteString(std::string_view s);

}  // namespace model
