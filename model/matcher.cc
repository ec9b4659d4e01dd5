#include "model/matcher.h"

#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>

namespace model {

Matcher::Matcher(Type type, std::string name, std::string value, std::shared_ptr<const re2::RE2> re)
    : type_(type), name_(std::move(name)), value_(std::move(value)), re_(std::move(re)) {}

common::Result<Matcher> Matcher::Make(Type type, std::string name, std::string value) {
  std::shared_ptr<const re2::RE2> re;
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Go's regexp in Prometheus uses (?s)
    // Anchor fully: (?: ) keeps alternations inside the anchors.
    auto compiled = std::make_shared<const re2::RE2>("^(?:" + value + ")$", opts);
    if (!compiled->ok()) {
      return common::Status::InvalidArgument("error parsing regexp: " + compiled->error());
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

std::string_view Matcher::TypeString(Type t) {
  switch (t) {
    case Type::kEqual:
      return "=";
    case Type::kNotEqual:
      return "!=";
    case Type::kRegexMatch:
      return "=~";
    case Type::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

std::string Matcher::String() const {
  return name_ + std::string(TypeString(type_)) + QuoteString(value_);
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace model
