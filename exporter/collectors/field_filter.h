// FieldFilter: a collector's field-selection regexp (node_exporter's
// --collector.netstat.fields, --collector.vmstat.fields), matched once per
// field name: the names a kernel writes never change, and RE2 over every
// field of every scrape was a tenth of the scrape's CPU.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <re2/re2.h>

namespace exporter {

class FieldFilter {
 public:
  explicit FieldFilter(const std::string& regexp) : re_(regexp, RE2::Quiet) {}

  bool ok() const { return re_.ok(); }
  // RE2::PartialMatch of the field name, as node_exporter's MatchString.
  bool Wanted(std::string_view field) {
    auto it = cache_.find(field);
    if (it != cache_.end()) return it->second;
    bool wanted = RE2::PartialMatch(field, re_);
    cache_.emplace(std::string(field), wanted);
    return wanted;
  }

 private:
  RE2 re_;
  std::map<std::string, bool, std::less<>> cache_;
};

}  // namespace exporter
