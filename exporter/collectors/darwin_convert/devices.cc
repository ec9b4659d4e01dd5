// Conversions of the per-device darwin readings: filesystem, netdev,
// diskstats (see convert.h).
#include <set>
#include <string>
#include <tuple>

#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter::darwin {

void ConvertFilesystems(const std::vector<Statfs>& mounts, const RE2& mount_points_exclude,
                        const RE2& fs_types_exclude, MetricSink& sink) {
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const Statfs& m : mounts) {
    if (RE2::PartialMatch(m.f_mntonname, mount_points_exclude)) continue;
    if (RE2::PartialMatch(m.f_fstypename, fs_types_exclude)) continue;
    if (!seen.emplace(m.f_mntfromname, m.f_mntonname, m.f_fstypename).second) continue;
    LabelPairs labels = {
        {"device", m.f_mntfromname}, {"fstype", m.f_fstypename}, {"mountpoint", m.f_mntonname}};
    const double bsize = static_cast<double>(m.f_bsize);
    // getmntinfo's entries are already statfs results: no per-mount error.
    sink.Gauge("node_filesystem_device_error",
               "Whether an error occurred while getting statistics for the given device.", labels,
               0);
    sink.Gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", labels,
               static_cast<double>(m.f_blocks) * bsize);
    sink.Gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", labels,
               static_cast<double>(m.f_bfree) * bsize);
    sink.Gauge("node_filesystem_avail_bytes",
               "Filesystem space available to non-root users in bytes.", labels,
               static_cast<double>(m.f_bavail) * bsize);
    sink.Gauge("node_filesystem_files", "Filesystem total file nodes.", labels,
               static_cast<double>(m.f_files));
    sink.Gauge("node_filesystem_files_free", "Filesystem total free file nodes.", labels,
               static_cast<double>(m.f_ffree));
    sink.Gauge("node_filesystem_readonly", "Filesystem read-only status.", labels,
               (m.f_flags & kMntRdonly) != 0 ? 1 : 0);
  }
}

void ConvertNetdev(const std::vector<Interface>& interfaces, const DeviceFilter& filter,
                   MetricSink& sink) {
  struct Stat {
    const char* name;
    uint64_t IfData64::*field;
  };
  // node_exporter 1.5's darwin set (netdev_darwin.go); drops, collisions and
  // noproto are read but not exposed by that version.
  static constexpr Stat kStats[] = {
      {"receive_packets", &IfData64::ifi_ipackets},  {"transmit_packets", &IfData64::ifi_opackets},
      {"receive_errs", &IfData64::ifi_ierrors},      {"transmit_errs", &IfData64::ifi_oerrors},
      {"receive_bytes", &IfData64::ifi_ibytes},      {"transmit_bytes", &IfData64::ifi_obytes},
      {"receive_multicast", &IfData64::ifi_imcasts}, {"transmit_multicast", &IfData64::ifi_omcasts},
  };
  for (const Interface& i : interfaces) {
    if (filter.Ignored(i.name)) continue;
    for (const Stat& s : kStats) {
      std::string stat = s.name;
      sink.Counter("node_network_" + stat + "_total", "Network device statistic " + stat + ".",
                   {{"device", i.name}}, static_cast<double>(i.data.*s.field));
    }
  }
}

void ConvertDiskstats(const std::vector<DriveStats>& drives, const DeviceFilter& filter,
                      MetricSink& sink) {
  for (const DriveStats& d : drives) {
    if (filter.Ignored(d.name)) continue;
    LabelPairs device = {{"device", d.name}};
    // node_exporter 1.5 divides the operation count by the block size here,
    // which is not a sector count; ours is the bytes in block-size units.
    auto sectors = [&d](uint64_t bytes) {
      return d.block_size == 0 ? 0.0
                               : static_cast<double>(bytes) / static_cast<double>(d.block_size);
    };
    sink.Counter("node_disk_reads_completed_total",
                 "The total number of reads completed successfully.", device,
                 static_cast<double>(d.reads));
    sink.Counter("node_disk_read_sectors_total", "The total number of sectors read successfully.",
                 device, sectors(d.bytes_read));
    sink.Counter("node_disk_read_time_seconds_total",
                 "The total number of seconds spent by all reads.", device,
                 static_cast<double>(d.total_read_time_ns) / 1e9);
    sink.Counter("node_disk_writes_completed_total",
                 "The total number of writes completed successfully.", device,
                 static_cast<double>(d.writes));
    sink.Counter("node_disk_written_sectors_total",
                 "The total number of sectors written successfully.", device,
                 sectors(d.bytes_written));
    sink.Counter("node_disk_write_time_seconds_total",
                 "This is the total number of seconds spent by all writes.", device,
                 static_cast<double>(d.total_write_time_ns) / 1e9);
    sink.Counter("node_disk_read_bytes_total", "The total number of bytes read successfully.",
                 device, static_cast<double>(d.bytes_read));
    sink.Counter("node_disk_written_bytes_total", "The total number of bytes written successfully.",
                 device, static_cast<double>(d.bytes_written));
  }
}

}  // namespace exporter::darwin
