// Host filesystem roots. Collectors never name /proc or /sys literally: they
// join a path onto these roots so tests (and containers that mount the host's
// trees elsewhere, e.g. /host/proc) can point them at other trees.
#pragma once

#include <string>
#include <string_view>

namespace common {

struct HostPaths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
  // udev's database (node_exporter's --path.udev.data): not under rootfs.
  std::string udev_data = "/run/udev/data";

  std::string Proc(std::string_view rel) const { return Join(procfs, rel); }
  std::string Sys(std::string_view rel) const { return Join(sysfs, rel); }
  // A path as seen from the host's root (for mount points inside a container).
  std::string Root(std::string_view rel) const { return Join(rootfs, rel); }
  std::string UdevData(std::string_view rel) const { return Join(udev_data, rel); }

  static std::string Join(std::string_view root, std::string_view rel);
};

// Reads a whole (small, pseudo) file. Returns false and leaves out empty when
// it cannot be opened or read.
bool ReadFileToString(const std::string& path, std::string* out);

}  // namespace common
