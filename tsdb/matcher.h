// Label matchers with Prometheus semantics.
//
// A series lacking a label is treated as having it with value "". So a
// matcher that matches the empty string (e.g. {a=""}, {a!="x"}, {a=~"x|"})
// also selects series without the label, and {a!=""} selects exactly the
// series that have label a. Regexes use RE2 syntax and are fully anchored:
// {a=~"fo"} does not match "foo".
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace re2 {
class RE2;
}

namespace tsdb {

class Matcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  // Returns InvalidArgument if a regex type is given an invalid pattern.
  static common::Result<Matcher> Make(Type type, std::string name, std::string value);
  // Convenience for tests and literals. REQUIRES: the pattern is valid if a
  // regex type (aborts otherwise).
  static Matcher MustMake(Type type, std::string name, std::string value);

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // True if `v` (use "" for a missing label) satisfies the matcher.
  bool Matches(std::string_view v) const;
  // True if the matcher selects series lacking the label.
  bool MatchesEmpty() const { return Matches(""); }
  // "name<op>\"value\"", e.g. job=~"node.*".
  std::string ToString() const;

 private:
  Matcher(Type type, std::string name, std::string value, std::shared_ptr<const re2::RE2> re);

  Type type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for regex types; shared so copies are cheap
};

}  // namespace tsdb
