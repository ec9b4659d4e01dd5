#include "promql/label_matcher.h"

#include <re2/re2.h>

#include <cstdio>

#include "promql/storage.h"

namespace promql {

common::Result<LabelMatcher> LabelMatcher::Make(Type type, std::string name, std::string value) {
  LabelMatcher m(type, std::move(name), std::move(value));
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Go's regexp in Prometheus uses (?s)
    auto re = std::make_shared<RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return common::Status::InvalidArgument("error parsing regexp: " + re->error());
    }
    m.re_ = std::move(re);
  }
  return m;
}

bool LabelMatcher::Matches(std::string_view v) const {
  switch (type_) {
    case Type::kEqual:
      return v == value_;
    case Type::kNotEqual:
      return v != value_;
    case Type::kRegexMatch:
      return RE2::FullMatch(v, *re_);
    case Type::kRegexNoMatch:
      return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string_view LabelMatcher::TypeString(Type t) {
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

std::string LabelMatcher::String() const {
  return name_ + std::string(TypeString(type_)) + QuoteString(value_);
}

common::Status SeriesIterator::AppendRange(int64_t mint, int64_t maxt,
                                           std::vector<std::pair<int64_t, double>>* out) {
  if (Seek(mint)) {
    do {
      auto s = At();
      if (s.first > maxt) break;
      out->push_back(s);
    } while (Next());
  }
  return status();
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

}  // namespace promql
