// filesystem collector: size, free space and inodes of each mounted filesystem,
// as node_exporter 1.5's filesystem_linux.go (node_filesystem_*). Mounts come
// from <procfs>/1/mounts (<procfs>/mounts when PID 1's is hidden), statfs() runs
// on the mount point joined onto the rootfs, and the mountpoint label is the
// host path.
#include <sys/vfs.h>

#include <cerrno>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

struct Mount {
  std::string device;
  std::string mount_point;  // host path, octal escapes undone
  std::string fs_type;
  std::string options;
};

// Parses /proc/<pid>/mounts. Every non-empty line needs at least four fields.
common::Result<std::vector<Mount>> ParseMounts(std::string_view text) {
  std::vector<Mount> out;
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.empty()) continue;
    if (f.size() < 4) {
      return common::Status::Corruption("malformed mount point information: " + std::string(line));
    }
    out.push_back(
        {std::string(f[0]), parse::UnescapeOctal(f[1]), std::string(f[2]), std::string(f[3])});
  }
  return out;
}

bool HasOption(std::string_view options, std::string_view want) {
  while (true) {
    size_t comma = options.find(',');
    if (options.substr(0, comma) == want) return true;
    if (comma == std::string_view::npos) return false;
    options.remove_prefix(comma + 1);
  }
}

// The mount point as the host sees it: when the exporter runs with its root
// elsewhere (rootfs /host) and reads its own mounts, they appear under the
// rootfs prefix, which is stripped. Only whole path components are stripped.
std::string StripRootfs(const std::string& rootfs, const std::string& path) {
  std::string root = rootfs;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty() || root == "/") return path;
  if (path.compare(0, root.size(), root) != 0) return path;
  if (path.size() == root.size()) return "/";
  if (path[root.size()] != '/') return path;
  return path.substr(root.size());
}

// node_exporter 1.5's defaults.
REGISTER_COLLECTOR_FLAG(
    mount_points_exclude, "collector.filesystem.mount-points-exclude",
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
    "Regexp of mount points to exclude for filesystem collector.");
REGISTER_COLLECTOR_FLAG(
    fs_types_exclude, "collector.filesystem.fs-types-exclude",
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
    "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
    "sysfs|tracefs)$",
    "Regexp of filesystem types to exclude for filesystem collector.");

class FilesystemCollector : public Collector {
 public:
  explicit FilesystemCollector(const CollectorConfig& c)
      : paths_(c.paths),
        mount_points_exclude_(c.Flag("collector.filesystem.mount-points-exclude"), RE2::Quiet),
        fs_types_exclude_(c.Flag("collector.filesystem.fs-types-exclude"), RE2::Quiet) {}

  common::Status Check() const override {
    if (!mount_points_exclude_.ok() || !fs_types_exclude_.ok()) {
      return common::Status::InvalidArgument("invalid filesystem exclude pattern");
    }
    return common::Status::OK();
  }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    std::string path = paths_.Proc("1/mounts");
    std::string text;
    if (!common::ReadFileToString(path, &text)) {
      // Like node_exporter: fall back when PID 1's mounts are missing (hidepid).
      path = paths_.Proc("mounts");
      if (!common::ReadFileToString(path, &text)) {
        return common::Status::IOError("cannot read " + path);
      }
    }
    auto mounts = ParseMounts(text);
    if (!mounts.ok()) return mounts.status().WithContext(path);

    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (Mount& m : *mounts) {
      m.mount_point = StripRootfs(paths_.rootfs, m.mount_point);
      if (RE2::PartialMatch(m.mount_point, mount_points_exclude_)) continue;
      if (RE2::PartialMatch(m.fs_type, fs_types_exclude_)) continue;
      // A mount point can be listed several times (bind mounts, stacked
      // mounts); each label set is exposed once.
      if (!seen.emplace(m.device, m.mount_point, m.fs_type).second) continue;

      LabelPairs labels = {
          {"device", m.device}, {"fstype", m.fs_type}, {"mountpoint", m.mount_point}};
      struct statfs st;
      std::string target = paths_.Root(m.mount_point);
      bool error = statfs(target.c_str(), &st) != 0;
      sink.Gauge("node_filesystem_device_error",
                 "Whether an error occurred while getting statistics for the given device.", labels,
                 error ? 1 : 0);
      if (error) continue;
      double bsize = static_cast<double>(st.f_bsize);
      sink.Gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", labels,
                 static_cast<double>(st.f_blocks) * bsize);
      sink.Gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", labels,
                 static_cast<double>(st.f_bfree) * bsize);
      sink.Gauge("node_filesystem_avail_bytes",
                 "Filesystem space available to non-root users in bytes.", labels,
                 static_cast<double>(st.f_bavail) * bsize);
      sink.Gauge("node_filesystem_files", "Filesystem total file nodes.", labels,
                 static_cast<double>(st.f_files));
      sink.Gauge("node_filesystem_files_free", "Filesystem total free file nodes.", labels,
                 static_cast<double>(st.f_ffree));
      sink.Gauge("node_filesystem_readonly", "Filesystem read-only status.", labels,
                 HasOption(m.options, "ro") ? 1 : 0);
    }
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
  RE2 mount_points_exclude_;
  RE2 fs_types_exclude_;
};

REGISTER_COLLECTOR("filesystem", true, FilesystemCollector);

}  // namespace
}  // namespace exporter
