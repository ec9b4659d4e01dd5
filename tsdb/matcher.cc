#include "tsdb/matcher.h"

#include <re2/re2.h>

#include <cstdlib>

namespace tsdb {

Matcher::Matcher(Type type, std::string name, std::string value, std::shared_ptr<const re2::RE2> re)
    : type_(type), name_(std::move(name)), value_(std::move(value)), re_(std::move(re)) {}

common::Result<Matcher> Matcher::Make(Type type, std::string name, std::string value) {
  std::shared_ptr<const re2::RE2> re;
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Prometheus: '.' matches newlines too
    // Anchor fully: (?: ) keeps alternations inside the anchors.
    auto compiled = std::make_shared<const re2::RE2>("^(?:" + value + ")$", opts);
    if (!compiled->ok()) {
      return common::Status::InvalidArgument("invalid regex " + value + ": " + compiled->error());
    }
    re = std::move(compiled);
  }
  return Matcher(type, std::move(name), std::move(value), std::move(re));
}

Matcher Matcher::MustMake(Type type, std::string name, std::string value) {
  auto m = Make(type, std::move(name), std::move(value));
  if (!m.ok()) std::abort();
  return std::move(m).value();
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case Type::kEqual:
      return v == value_;
    case Type::kNotEqual:
      return v != value_;
    case Type::kRegexMatch:
      return re2::RE2::FullMatch(v, *re_);
    case Type::kRegexNoMatch:
      return !re2::RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string Matcher::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "=~", "!~"};
  return name_ + kOps[static_cast<int>(type_)] + "\"" + value_ + "\"";
}

}  // namespace tsdb
