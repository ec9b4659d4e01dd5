// filesystem collector (macOS): size, free space and inodes of each mounted
// filesystem from getmntinfo(3), with node_exporter 1.5's darwin exclusions
// (filesystem_bsd.go: mount points under /dev, type devfs) under the same flags.
#include <sys/mount.h>
#include <sys/param.h>

#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(mount_points_exclude, "collector.filesystem.mount-points-exclude",
                        darwin::kDefaultMountPointsExclude,
                        "Regexp of mount points to exclude for filesystem collector.");
REGISTER_COLLECTOR_FLAG(fs_types_exclude, "collector.filesystem.fs-types-exclude",
                        darwin::kDefaultFsTypesExclude,
                        "Regexp of filesystem types to exclude for filesystem collector.");

class FilesystemCollector : public Collector {
 public:
  explicit FilesystemCollector(const CollectorConfig& c)
      : mount_points_exclude_(c.Flag("collector.filesystem.mount-points-exclude"), RE2::Quiet),
        fs_types_exclude_(c.Flag("collector.filesystem.fs-types-exclude"), RE2::Quiet) {}

  common::Status Check() const override {
    if (!mount_points_exclude_.ok() || !fs_types_exclude_.ok()) {
      return common::Status::InvalidArgument("invalid filesystem exclude pattern");
    }
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    // getmntinfo's array belongs to libc and is rewritten by the next call;
    // NodeCollector serializes scrapes, and it is copied out at once.
    // MNT_NOWAIT: the kernel's cached figures, no stall on a hung network mount.
    struct statfs* mnt = nullptr;
    int n = getmntinfo(&mnt, MNT_NOWAIT);
    if (n <= 0 || mnt == nullptr) return common::Status::IOError("getmntinfo() failed");
    std::vector<darwin::Statfs> mounts;
    mounts.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const struct statfs& s = mnt[i];
      mounts.push_back({.f_mntfromname = s.f_mntfromname,
                        .f_mntonname = s.f_mntonname,
                        .f_fstypename = s.f_fstypename,
                        .f_bsize = s.f_bsize,
                        .f_blocks = s.f_blocks,
                        .f_bfree = s.f_bfree,
                        .f_bavail = s.f_bavail,
                        .f_files = s.f_files,
                        .f_ffree = s.f_ffree,
                        .f_flags = s.f_flags});
    }
    darwin::ConvertFilesystems(mounts, mount_points_exclude_, fs_types_exclude_, sink);
    return common::Status::OK();
  }

 private:
  RE2 mount_points_exclude_;
  RE2 fs_types_exclude_;
};

REGISTER_COLLECTOR("filesystem", true, FilesystemCollector);

}  // namespace
}  // namespace exporter
