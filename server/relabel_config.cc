#include "server/relabel_config.h"

#include <yaml-cpp/yaml.h>

#include <cmath>

#include "model/matcher.h"

namespace server {

namespace {

using common::Status;

Status Err(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument(field + ": " + msg);
}

// A scalar as a string; null is "" (Go's zero value).
Status ReadString(const YAML::Node& node, const std::string& field, std::string* out) {
  if (node.IsNull()) {
    out->clear();
    return Status::OK();
  }
  if (!node.IsScalar()) return Err(field, "must be a string");
  *out = node.as<std::string>();
  return Status::OK();
}

// Go's YAML decoder takes any integer in range, and floats truncated toward
// zero (modulus: 1.5 is 1); strings, booleans and negatives are errors.
Status ReadModulus(const YAML::Node& node, const std::string& field, uint64_t* out) {
  if (node.IsNull()) {
    *out = 0;
    return Status::OK();
  }
  const std::string bad = "must be a non-negative integer";
  if (!node.IsScalar() || node.Tag() == "!") return Err(field, bad);  // quoted
  uint64_t n;
  if (YAML::convert<uint64_t>::decode(node, n)) {
    *out = n;
    return Status::OK();
  }
  double d;
  if (YAML::convert<double>::decode(node, d) && std::isfinite(d) && d >= 0 && d < 0x1p64) {
    *out = static_cast<uint64_t>(d);
    return Status::OK();
  }
  return Err(field, bad);
}

common::Result<model::RelabelConfig> ParseOne(const YAML::Node& node, const std::string& field) {
  if (!node || node.IsNull()) return Err(field, "empty or null relabeling rule");
  if (!node.IsMap()) return Err(field, "must be a mapping");
  model::RelabelConfig c;
  // Keys in document order, so the first bad one is reported, as Prometheus
  // does; the checks across fields come after (Compile).
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    const std::string f = field + "." + key;
    Status s;
    if (key == "source_labels") {
      c.source_labels_given = true;
      c.source_labels.clear();
      if (!v.IsNull()) {
        if (!v.IsSequence()) return Err(f, "must be a list of label names");
        for (size_t i = 0; i < v.size(); ++i) {
          std::string name;
          s = ReadString(v[i], f + "[" + std::to_string(i) + "]", &name);
          if (!s.ok()) return s;
          if (!model::IsValidLabelName(name)) {
            return Err(f, model::QuoteString(name) + " is not a valid label name");
          }
          c.source_labels.push_back(std::move(name));
        }
      }
    } else if (key == "separator") {
      s = ReadString(v, f, &c.separator);
    } else if (key == "regex") {
      c.regex_given = true;
      s = ReadString(v, f, &c.regex);
      if (s.ok()) {
        // Compile's first failure is the regex's; checking it here keeps
        // the document order of errors.
        model::RelabelConfig only_regex;  // drop checks no other field
        only_regex.action = model::RelabelAction::kDrop;
        only_regex.regex = c.regex;
        if (Status rs = only_regex.Compile(); !rs.ok()) return Err(f, rs.message());
      }
    } else if (key == "modulus") {
      s = ReadModulus(v, f, &c.modulus);
    } else if (key == "target_label") {
      s = ReadString(v, f, &c.target_label);
    } else if (key == "replacement") {
      s = ReadString(v, f, &c.replacement);
    } else if (key == "action") {
      if (v.IsNull()) return Err(f, "relabel action cannot be empty");
      std::string name;
      s = ReadString(v, f, &name);
      if (!s.ok()) return s;
      auto action = model::ParseRelabelAction(name);
      if (!action) return Err(f, "unknown relabel action " + model::QuoteString(name));
      c.action = *action;
    } else {
      return Err(f, "unknown field");
    }
    if (!s.ok()) return s;
  }
  if (Status s = c.Compile(); !s.ok()) return Err(field, s.message());
  return c;
}

}  // namespace

common::Result<std::vector<model::RelabelConfig>> ParseRelabelConfigs(const YAML::Node& node,
                                                                      const std::string& field) {
  std::vector<model::RelabelConfig> configs;
  if (!node || node.IsNull()) return configs;
  if (!node.IsSequence()) return Err(field, "must be a list of relabel configs");
  for (size_t i = 0; i < node.size(); ++i) {
    auto c = ParseOne(node[i], field + "[" + std::to_string(i) + "]");
    if (!c.ok()) return c.status();
    configs.push_back(std::move(c).value());
  }
  return configs;
}

}  // namespace server
