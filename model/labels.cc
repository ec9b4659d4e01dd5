#include "model/labels.h"

#include <algorithm>

namespace model {

Labels::Labels(std::initializer_list<Label> labels)
    : Labels(FromVector(std::vector<Label>(labels))) {}

Labels Labels::FromVector(std::vector<Label> labels) {
  // Stable sort so that, among duplicates, the last given stays last.
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  std::vector<Label> out;
  out.reserve(labels.size());
  for (auto& l : labels) {
    if (!out.empty() && out.back().name == l.name) {
      out.back().value = std::move(l.value);
    } else {
      out.push_back(std::move(l));
    }
  }
  std::erase_if(out, [](const Label& l) { return l.value.empty(); });
  Labels result;
  result.labels_ = std::move(out);
  return result;
}

Labels Labels::FromSortedUnchecked(std::vector<Label> labels) {
  Labels result;
  result.labels_ = std::move(labels);
  return result;
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) return it->value;
  return {};
}

Labels Labels::With(std::string_view name, std::string_view value) const {
  std::vector<Label> out;
  out.reserve(labels_.size() + 1);
  bool placed = false;
  for (const Label& l : labels_) {
    if (!placed && l.name >= name) {
      if (!value.empty()) out.push_back({std::string(name), std::string(value)});
      placed = true;
      if (l.name == name) continue;
    }
    out.push_back(l);
  }
  if (!placed && !value.empty()) out.push_back({std::string(name), std::string(value)});
  return FromSortedUnchecked(std::move(out));
}

Labels Labels::Without(std::string_view name) const { return With(name, ""); }

uint64_t Labels::Hash() const {
  // FNV-1a over name\xff value\xff pairs: stable, cheap, good enough for maps.
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  for (const Label& l : labels_) {
    mix(l.name);
    mix(l.value);
  }
  return h;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Labels::ToString() const {
  std::string out(MetricName());
  out += '{';
  bool first = true;
  for (const Label& l : labels_) {
    if (l.name == kMetricNameLabel) continue;
    if (!first) out += ", ";
    first = false;
    out += l.name + "=\"" + EscapeLabelValue(l.value) + "\"";
  }
  out += '}';
  return out;
}

namespace {
bool IsNameStart(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
bool IsValidName(std::string_view s, bool colon) {
  if (s.empty() || !IsNameStart(s[0], colon)) return false;
  for (char c : s.substr(1)) {
    if (!IsNameStart(c, colon) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}
}  // namespace

bool IsValidMetricName(std::string_view s) { return IsValidName(s, true); }
bool IsValidLabelName(std::string_view s) { return IsValidName(s, false); }

}  // namespace model
