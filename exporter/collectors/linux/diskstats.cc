// diskstats collector: block device I/O counters from <procfs>/diskstats, as
// node_exporter 1.5's diskstats_linux.go (node_disk_*), plus node_disk_info and
// the udev-derived info metrics read from <rootfs>/run/udev/data/b<maj>:<min>.
#include <map>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/device_filter.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

// The kernel counts sectors in 512-byte units whatever the device's block size.
constexpr double kSectorSize = 512.0;
constexpr double kSecondsPerTick = 1.0 / 1000.0;

// Field N (after major, minor and name) of a diskstats line and how it is exposed.
struct StatField {
  const char* name;
  const char* help;
  double scale;
  bool counter;
};

constexpr StatField kFields[] = {
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.", 1,
     true},
    {"node_disk_reads_merged_total", "The total number of reads merged.", 1, true},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.", kSectorSize,
     true},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
     kSecondsPerTick, true},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.", 1,
     true},
    {"node_disk_writes_merged_total", "The number of writes merged.", 1, true},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.",
     kSectorSize, true},
    {"node_disk_write_time_seconds_total",
     "This is the total number of seconds spent by all writes.", kSecondsPerTick, true},
    {"node_disk_io_now", "The number of I/Os currently in progress.", 1, false},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", kSecondsPerTick, true},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
     kSecondsPerTick, true},
    {"node_disk_discards_completed_total", "The total number of discards completed successfully.",
     1, true},
    {"node_disk_discards_merged_total", "The total number of discards merged.", 1, true},
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", 1,
     true},
    {"node_disk_discard_time_seconds_total",
     "This is the total number of seconds spent by all discards.", kSecondsPerTick, true},
    {"node_disk_flush_requests_total", "The total number of flush requests completed successfully",
     1, true},
    {"node_disk_flush_requests_time_seconds_total",
     "This is the total number of seconds spent by all flush requests.", kSecondsPerTick, true},
};
constexpr size_t kMaxFields = std::size(kFields);
// Kernels before 4.18 report 11 fields; 4.18 adds 4 discard fields, 5.5 two flush fields.
constexpr size_t kMinFields = 11;

struct DiskLine {
  std::string major, minor, device;
  std::vector<double> values;  // raw kernel counters, kMinFields..kMaxFields of them
};

common::Result<std::vector<DiskLine>> ParseDiskstats(std::string_view text) {
  std::vector<DiskLine> out;
  for (std::string_view line : parse::Lines(text)) {
    auto f = parse::Fields(line);
    if (f.empty()) continue;
    if (f.size() < 3 + kMinFields) {
      return common::Status::Corruption("short diskstats line: " + std::string(line));
    }
    if (!parse::ToUint(f[0]) || !parse::ToUint(f[1])) {
      return common::Status::Corruption("bad device number: " + std::string(line));
    }
    DiskLine d{std::string(f[0]), std::string(f[1]), std::string(f[2]), {}};
    size_t n = std::min(f.size() - 3, kMaxFields);
    for (size_t i = 0; i < n; ++i) {
      auto v = parse::ToUint(f[3 + i]);
      if (!v) return common::Status::Corruption("bad counter: " + std::string(line));
      d.values.push_back(static_cast<double>(*v));
    }
    out.push_back(std::move(d));
  }
  return out;
}

// E:KEY=VALUE properties of a udev database entry; empty when unreadable.
std::map<std::string, std::string> UdevProperties(const std::string& path) {
  std::map<std::string, std::string> out;
  std::string text;
  if (!common::ReadFileToString(path, &text)) return out;
  for (std::string_view line : parse::Lines(text)) {
    if (line.substr(0, 2) != "E:") continue;
    line.remove_prefix(2);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    out[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return out;
}

REGISTER_COLLECTOR_FLAG(device_include, "collector.diskstats.device-include", "",
                        "Regexp of diskstats devices to include (mutually exclusive to "
                        "device-exclude).");
REGISTER_COLLECTOR_FLAG(device_exclude, "collector.diskstats.device-exclude",
                        "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
                        "Regexp of diskstats devices to exclude (mutually exclusive to "
                        "device-include).");

class DiskstatsCollector : public Collector {
 public:
  explicit DiskstatsCollector(const CollectorConfig& c)
      : paths_(c.paths),
        path_(c.paths.Proc("diskstats")),
        devices_(c.Flag("collector.diskstats.device-include"),
                 c.Flag("collector.diskstats.device-exclude"),
                 DeviceFilter::Mode::kIncludeReplacesExclude) {}

  common::Status Check() const override { return devices_.Check("diskstats"); }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    std::string text;
    if (!common::ReadFileToString(path_, &text)) {
      return common::Status::IOError("cannot read " + path_);
    }
    auto disks = ParseDiskstats(text);
    if (!disks.ok()) return disks.status().WithContext(path_);
    for (const DiskLine& d : *disks) {
      // As node_exporter: an include pattern replaces the exclude default.
      if (devices_.Ignored(d.device)) continue;
      auto udev = UdevProperties(paths_.UdevData("b" + d.major + ":" + d.minor));
      auto prop = [&udev](const char* key) {
        auto it = udev.find(key);
        return it == udev.end() ? std::string() : it->second;
      };
      // node_exporter 1.5 reads only ID_SERIAL_SHORT (SCSI_IDENT_SERIAL came later).
      std::string serial = prop("ID_SERIAL_SHORT");
      if (serial.empty()) serial = prop("ID_SERIAL");
      sink.Gauge("node_disk_info", "Info of /sys/block/<block_device>.",
                 {{"device", d.device},
                  {"major", d.major},
                  {"minor", d.minor},
                  {"path", prop("ID_PATH")},
                  {"wwn", prop("ID_WWN")},
                  {"model", prop("ID_MODEL")},
                  {"serial", serial},
                  {"revision", prop("ID_REVISION")}},
                 1);
      for (size_t i = 0; i < d.values.size(); ++i) {
        const StatField& f = kFields[i];
        double v = d.values[i] * f.scale;
        if (f.counter) {
          sink.Counter(f.name, f.help, {{"device", d.device}}, v);
        } else {
          sink.Gauge(f.name, f.help, {{"device", d.device}}, v);
        }
      }
      if (std::string fs = prop("ID_FS_TYPE"); !fs.empty()) {
        sink.Gauge("node_disk_filesystem_info", "Info about disk filesystem.",
                   {{"device", d.device},
                    {"type", fs},
                    {"usage", prop("ID_FS_USAGE")},
                    {"uuid", prop("ID_FS_UUID")},
                    {"version", prop("ID_FS_VERSION")}},
                   1);
      }
      if (std::string dm = prop("DM_NAME"); !dm.empty()) {
        sink.Gauge("node_disk_device_mapper_info", "Info about disk device mapper.",
                   {{"device", d.device},
                    {"name", dm},
                    {"uuid", prop("DM_UUID")},
                    {"vg_name", prop("DM_VG_NAME")},
                    {"lv_name", prop("DM_LV_NAME")},
                    {"lv_layer", prop("DM_LV_LAYER")}},
                   1);
      }
      if (!prop("ID_ATA").empty()) {
        static const struct {
          const char* key;
          const char* name;
          const char* help;
        } kAta[] = {
            {"ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache", "ATA disk has a write cache."},
            {"ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled",
             "ATA disk has its write cache enabled."},
            {"ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm",
             "ATA disk rotation rate in RPMs (0 for SSDs)."},
        };
        for (const auto& a : kAta) {
          auto it = udev.find(a.key);
          if (it == udev.end()) continue;
          if (auto v = parse::ToDouble(it->second)) {
            sink.Gauge(a.name, a.help, {{"device", d.device}}, *v);
          }
        }
      }
    }
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
  std::string path_;
  DeviceFilter devices_;
};

REGISTER_COLLECTOR("diskstats", true, DiskstatsCollector);

}  // namespace
}  // namespace exporter
