// DeviceFilter: a collector's --collector.<name>.device-include/-exclude
// regexp pair (node_exporter's deviceFilter), shared by the Linux and darwin
// collectors. An empty pattern is unset; patterns match anywhere in the
// device name (RE2::PartialMatch, as Go's MatchString).
#pragma once

#include <string>
#include <string_view>

#include <re2/re2.h>

#include "common/status.h"

namespace exporter {

class DeviceFilter {
 public:
  enum class Mode {
    kExclusive,               // both set is a configuration error (netdev)
    kIncludeReplacesExclude,  // a set include ignores the exclude (diskstats' default exclude)
    kBoth,                    // a device must pass both (arp)
  };

  DeviceFilter(const std::string& include, const std::string& exclude, Mode mode)
      : include_(include, RE2::Quiet), exclude_(exclude, RE2::Quiet), mode_(mode) {}

  // InvalidArgument "invalid <what> include or exclude pattern" for a bad
  // regexp, or when both are set under kExclusive.
  common::Status Check(std::string_view what) const {
    if (!include_.ok() || !exclude_.ok()) {
      return common::Status::InvalidArgument("invalid " + std::string(what) +
                                             " include or exclude pattern");
    }
    if (mode_ == Mode::kExclusive && !include_.pattern().empty() && !exclude_.pattern().empty()) {
      return common::Status::InvalidArgument(
          "device-exclude & device-include are mutually exclusive");
    }
    return common::Status::OK();
  }

  bool Ignored(std::string_view device) const {
    const bool has_include = !include_.pattern().empty();
    if (mode_ == Mode::kIncludeReplacesExclude && has_include) {
      return !RE2::PartialMatch(device, include_);
    }
    if (!exclude_.pattern().empty() && RE2::PartialMatch(device, exclude_)) return true;
    return has_include && !RE2::PartialMatch(device, include_);
  }

 private:
  RE2 include_;
  RE2 exclude_;
  Mode mode_;
};

}  // namespace exporter
