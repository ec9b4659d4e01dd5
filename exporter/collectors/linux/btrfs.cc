// btrfs collector: Btrfs filesystems from <sysfs>/fs/btrfs/<uuid>/ (labels,
// allocation, device sizes), and per-device sizes and error counters from the
// BTRFS_IOC_{FS_INFO,DEV_INFO,GET_DEV_STATS} ioctls on the mounted filesystems
// listed in <procfs>/1/mounts, as node_exporter 1.5's btrfs_linux.go over
// procfs' btrfs package and dennwc/btrfs (node_btrfs_*{uuid,...}).
#include <fcntl.h>
#include <linux/btrfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/linux/sysfs_util.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

constexpr long kBtrfsMagic = 0x9123683e;
constexpr ino_t kSubvolumeRootIno = 256;  // BTRFS_FIRST_FREE_OBJECTID

struct Layout {
  uint64_t total = 0, used = 0;
  double ratio = 0;
};

struct Allocation {
  uint64_t reserved = 0;
  std::map<std::string, Layout> layouts;
};

struct Fs {
  std::string uuid, label;
  uint64_t global_rsv_size = 0;
  Allocation data, metadata, system;
  std::map<std::string, uint64_t> device_sizes;  // name -> bytes
};

struct IoctlDev {
  std::string path, uuid;
  uint64_t bytes_used = 0, total_bytes = 0;
  uint64_t errs[5] = {0, 0, 0, 0, 0};  // write, read, flush, corruption, generation
};

// procfs' reader: a missing file reads as "" (and numbers as 0), any other
// read failure is kept as the error; unparsable numbers are 0.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}
  std::string File(const std::string& rel) {
    sysfs::Attr a = sysfs::ReadAttr(path_ + "/" + rel);
    if (!a.ok()) {
      if (a.err != ENOENT) err_ = "cannot read " + path_ + "/" + rel;
      return "";
    }
    return a.value;
  }
  uint64_t Value(const std::string& rel) {
    std::string s = File(rel);
    if (!err_.empty()) return 0;
    return parse::ToUint(s).value_or(0);
  }
  std::vector<std::string> List(const std::string& rel, bool dirs_only = false) {
    std::vector<std::string> out;
    std::string dir = rel.empty() ? path_ : path_ + "/" + rel;
    auto names = sysfs::ListDir(dir);
    if (!names.ok()) {
      err_ = names.status().ToString();
      return out;
    }
    for (const std::string& n : *names) {
      if (dirs_only) {
        struct stat st;
        if (lstat((dir + "/" + n).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      }
      out.push_back(n);
    }
    return out;
  }
  std::string err_;

 private:
  std::string path_;
};

double Ratio(const std::string& mode, size_t devs) {
  double n = static_cast<double>(devs);
  if (mode == "single" || mode == "raid0") return 1;
  if (mode == "dup" || mode == "raid1" || mode == "raid10") return 2;
  if (mode == "raid5") return n / (n - 1);
  if (mode == "raid6") return n / (n - 2);
  return 0;
}

Allocation ReadAllocation(const std::string& dir, size_t devs, std::string* err) {
  Reader r(dir);
  Allocation a;
  for (const char* f : {"bytes_may_use", "bytes_pinned", "bytes_readonly"}) r.Value(f);
  a.reserved = r.Value("bytes_reserved");
  for (const char* f :
       {"bytes_used", "disk_used", "disk_total", "flags", "total_bytes", "total_bytes_pinned"}) {
    r.Value(f);
  }
  for (const std::string& mode : r.List("", true)) {
    Layout l;
    l.total = r.Value(mode + "/total_bytes");
    l.used = r.Value(mode + "/used_bytes");
    l.ratio = Ratio(mode, devs);
    a.layouts[mode] = l;
  }
  // As procfs: the subdirectory's outcome replaces the filesystem's.
  *err = r.err_;
  return a;
}

common::Status ReadFs(const std::string& dir, Fs* fs) {
  Reader r(dir);
  for (const std::string& dev : r.List("devices")) {
    fs->device_sizes[dev] = 512 * r.Value("devices/" + dev + "/size");
  }
  size_t devs = fs->device_sizes.size();
  fs->label = r.File("label");
  fs->uuid = r.File("metadata_uuid");
  r.List("features");
  for (const char* f : {"clone_alignment", "nodesize", "quota_override", "sectorsize",
                        "allocation/global_rsv_reserved"}) {
    r.Value(f);
  }
  fs->global_rsv_size = r.Value("allocation/global_rsv_size");
  fs->data = ReadAllocation(dir + "/allocation/data", devs, &r.err_);
  fs->metadata = ReadAllocation(dir + "/allocation/metadata", devs, &r.err_);
  fs->system = ReadAllocation(dir + "/allocation/system", devs, &r.err_);
  if (!r.err_.empty()) {
    return common::Status::IOError("failed to retrieve Btrfs stats from procfs: " + r.err_);
  }
  if (fs->uuid.empty()) fs->uuid = sysfs::BaseName(dir);
  return common::Status::OK();
}

std::string Hex(const unsigned char* b, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[b[i] >> 4]);
    s.push_back(kDigits[b[i] & 15]);
  }
  return s;
}

// dennwc/btrfs' UUID.String(): 8-4-4-4-12 hex groups, "<zero>" for all zeros.
// (Filesystem ids, FSID.String(), are plain hex.)
std::string DashedUuid(const unsigned char (&b)[16]) {
  bool zero = true;
  for (unsigned char c : b) zero = zero && c == 0;
  if (zero) return "<zero>";
  return Hex(b, 4) + "-" + Hex(b + 4, 2) + "-" + Hex(b + 6, 2) + "-" + Hex(b + 8, 2) + "-" +
         Hex(b + 10, 6);
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

class BtrfsCollector : public Collector {
 public:
  explicit BtrfsCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    std::string dir = paths_.Sys("fs/btrfs");
    std::vector<Fs> filesystems;
    if (auto names = sysfs::ListDir(dir); names.ok()) {
      for (const std::string& n : *names) {
        if (n.find('-') == std::string::npos) continue;  // the "*-*" glob: filesystem UUIDs
        Fs fs;
        if (auto s = ReadFs(dir + "/" + n, &fs); !s.ok()) return s;
        filesystems.push_back(std::move(fs));
      }
    }
    // Failing to query the mounted filesystems only loses the ioctl metrics.
    std::map<std::string, std::vector<IoctlDev>> ioctl = IoctlStats();
    for (const Fs& fs : filesystems) {
      auto it = ioctl.find(Replace(fs.uuid, "-", ""));
      Emit(sink, fs, it == ioctl.end() ? nullptr : &it->second);
    }
    return common::Status::OK();
  }

 private:
  // fsid (hex, no dashes) -> devices, for each btrfs filesystem mounted.
  std::map<std::string, std::vector<IoctlDev>> IoctlStats() {
    std::map<std::string, std::vector<IoctlDev>> out;
    sysfs::Attr mounts = sysfs::ReadWhole(paths_.Proc("1/mounts"));
    if (mounts.err == ENOENT) mounts = sysfs::ReadWhole(paths_.Proc("mounts"));
    if (!mounts.ok()) return out;
    std::set<std::string> devices_done;
    for (std::string_view line : parse::Lines(mounts.value)) {
      auto f = parse::Fields(line);
      if (f.size() < 4) return out;  // node_exporter rejects the whole list
      if (f[2] != "btrfs") continue;
      std::string device(f[0]);
      if (devices_done.count(device)) continue;
      std::string mount_point = Replace(Replace(std::string(f[1]), "\\040", " "), "\\011", "\t");
      std::string root = paths_.rootfs;
      if (root != "/" && mount_point.compare(0, root.size(), root) == 0) {
        mount_point = mount_point.substr(root.size());
        if (mount_point.empty()) mount_point = "/";
      }
      std::string path = paths_.Root(mount_point);
      struct statfs sfs;
      struct stat st;
      if (statfs(path.c_str(), &sfs) != 0 || static_cast<long>(sfs.f_type) != kBtrfsMagic ||
          stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_ino != kSubvolumeRootIno) {
        continue;
      }
      int fd = open(path.c_str(), O_RDONLY | O_NOATIME | O_CLOEXEC);
      if (fd < 0) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      struct btrfs_ioctl_fs_info_args info;
      std::memset(&info, 0, sizeof(info));
      if (ioctl(fd, BTRFS_IOC_FS_INFO, &info) != 0) {
        close(fd);
        continue;
      }
      std::string fsid = Hex(info.fsid, sizeof(info.fsid));
      if (out.count(fsid)) {
        close(fd);
        continue;
      }
      std::vector<IoctlDev> devs;
      bool failed = false;
      for (uint64_t id = 0; id <= info.max_id; ++id) {
        struct btrfs_ioctl_dev_info_args di;
        std::memset(&di, 0, sizeof(di));
        di.devid = id;
        if (ioctl(fd, BTRFS_IOC_DEV_INFO, &di) != 0) {
          if (errno == ENODEV) continue;  // device ids have gaps
          failed = true;
          break;
        }
        struct btrfs_ioctl_get_dev_stats ds;
        std::memset(&ds, 0, sizeof(ds));
        ds.devid = id;
        ds.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
        if (ioctl(fd, BTRFS_IOC_GET_DEV_STATS, &ds) != 0) {
          failed = true;
          break;
        }
        IoctlDev d;
        d.path = reinterpret_cast<const char*>(di.path);
        d.uuid = DashedUuid(di.uuid);
        d.bytes_used = di.bytes_used;
        d.total_bytes = di.total_bytes;
        for (int i = 0; i < 5; ++i) d.errs[i] = ds.values[i];
        devs.push_back(std::move(d));
        if (devs.size() == info.num_devices) break;
      }
      close(fd);
      if (failed) continue;
      devices_done.insert(device);
      out[fsid] = std::move(devs);
    }
    return out;
  }

  void Emit(MetricSink& sink, const Fs& fs, const std::vector<IoctlDev>* devs) {
    sink.Gauge("node_btrfs_info", "Filesystem information",
               {{"label", fs.label}, {"uuid", fs.uuid}}, 1);
    sink.Gauge("node_btrfs_global_rsv_size_bytes", "Size of global reserve.", {{"uuid", fs.uuid}},
               static_cast<double>(fs.global_rsv_size));
    for (const auto& [type, a] : {std::pair<const char*, const Allocation*>{"data", &fs.data},
                                  {"metadata", &fs.metadata},
                                  {"system", &fs.system}}) {
      sink.Gauge("node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
                 {{"block_group_type", type}, {"uuid", fs.uuid}}, static_cast<double>(a->reserved));
      for (const auto& [mode, l] : a->layouts) {
        LabelPairs labels = {{"block_group_type", type}, {"mode", mode}, {"uuid", fs.uuid}};
        sink.Gauge("node_btrfs_used_bytes", "Amount of used space by a layout/data type", labels,
                   static_cast<double>(l.used));
        sink.Gauge("node_btrfs_size_bytes", "Amount of space allocated for a layout/data type",
                   labels, static_cast<double>(l.total));
        sink.Gauge("node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type",
                   labels, l.ratio);
      }
    }
    if (!devs) {
      for (const auto& [name, size] : fs.device_sizes) {
        sink.Gauge("node_btrfs_device_size_bytes",
                   "Size of a device that is part of the filesystem.",
                   {{"device", name}, {"uuid", fs.uuid}}, static_cast<double>(size));
      }
      return;
    }
    static const char* kErrTypes[] = {"write", "read", "flush", "corruption", "generation"};
    for (const IoctlDev& d : *devs) {
      std::string device = sysfs::BaseName(d.path);
      if (!d.path.empty() && d.path.back() == '/') device = "";
      LabelPairs labels = {{"btrfs_dev_uuid", d.uuid}, {"device", device}, {"uuid", fs.uuid}};
      sink.Gauge("node_btrfs_device_size_bytes", "Size of a device that is part of the filesystem.",
                 labels, static_cast<double>(d.total_bytes));
      sink.Gauge("node_btrfs_device_unused_bytes",
                 "Unused bytes unused on a device that is part of the filesystem.", labels,
                 static_cast<double>(d.total_bytes - d.bytes_used));
      for (int i = 0; i < 5; ++i) {
        sink.Counter("node_btrfs_device_errors_total", "Errors reported for the device",
                     {{"btrfs_dev_uuid", d.uuid},
                      {"device", device},
                      {"type", kErrTypes[i]},
                      {"uuid", fs.uuid}},
                     static_cast<double>(d.errs[i]));
      }
    }
  }

  common::HostPaths paths_;
};

REGISTER_COLLECTOR("btrfs", true, BtrfsCollector);

}  // namespace
}  // namespace exporter
