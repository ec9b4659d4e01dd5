// The macOS collectors' conversion layer: raw readings -> node_exporter 1.5's
// darwin metrics. Each darwin collector (exporter/collectors/darwin/<name>.cc)
// is a thin OS-call layer that copies what Apple's APIs return into the plain
// structs below and hands them to one of these functions; everything that
// decides a metric's name, help, type, labels, unit or filtering is here.
//
// This header and its .cc files use no Apple header and compile on every
// platform, so the conversions are unit-tested on Linux with fixture values
// (tests/unit/exporter/darwin/). The structs mirror the fields of Apple's
// documented structs (named after them) that node_exporter reads; the OS
// layer copies field by field, so a field added or widened on Apple's side
// changes only the copy.
//
// Contract for every Convert*: it appends samples to sink and nothing else;
// it never fails (inputs are already-read numbers); inputs are borrowed only
// for the duration of the call.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collectors/device_filter.h"
#include "exporter/metric_sink.h"

namespace exporter::darwin {

// ---- cpu: host_processor_info(PROCESSOR_CPU_LOAD_INFO) ----

// processor_cpu_load_info.cpu_ticks, indexed by CPU_STATE_USER (0),
// CPU_STATE_SYSTEM (1), CPU_STATE_IDLE (2), CPU_STATE_NICE (3).
struct CpuLoadInfo {
  std::array<uint32_t, 4> cpu_ticks{};
};
inline constexpr int kCpuStateUser = 0;
inline constexpr int kCpuStateSystem = 1;
inline constexpr int kCpuStateIdle = 2;
inline constexpr int kCpuStateNice = 3;

// node_cpu_seconds_total{cpu="<index>",mode=user|system|nice|idle}: ticks /
// ticks_per_second (CLK_TCK, 100 on macOS). REQUIRES: ticks_per_second > 0.
void ConvertCpu(const std::vector<CpuLoadInfo>& cpus, double ticks_per_second, MetricSink& sink);

// ---- meminfo: host_statistics64(HOST_VM_INFO64), hw.memsize, vm.swapusage ----

// The vm_statistics64 fields read, in pages (pageins/pageouts: pages since boot).
struct VmStatistics64 {
  uint64_t free_count = 0;
  uint64_t active_count = 0;
  uint64_t inactive_count = 0;
  uint64_t wire_count = 0;
  uint64_t compressor_page_count = 0;
  uint64_t internal_page_count = 0;
  uint64_t purgeable_count = 0;
  uint64_t pageins = 0;
  uint64_t pageouts = 0;
};
// struct xsw_usage (sys/sysctl.h), bytes.
struct XswUsage {
  uint64_t xsu_total = 0;
  uint64_t xsu_avail = 0;
  uint64_t xsu_used = 0;
};

// node_memory_<field> as node_exporter's meminfo_darwin.go: page counts times
// page_size (the host's vm page size, 16 KiB on Apple Silicon), memsize as
// node_memory_total_bytes, swap from xsw_usage; fields ending in _total are
// counters, the rest gauges.
void ConvertMeminfo(const VmStatistics64& vm, uint64_t page_size, uint64_t memsize,
                    const XswUsage& swap, MetricSink& sink);

// ---- loadavg: getloadavg(3) ----
void ConvertLoadavg(const std::array<double, 3>& load, MetricSink& sink);

// ---- boottime: sysctl kern.boottime (struct timeval) ----
struct Timeval {
  int64_t tv_sec = 0;
  int64_t tv_usec = 0;
};
// node_boot_time_seconds = tv_sec + tv_usec / 1e6.
void ConvertBootTime(const Timeval& boottime, MetricSink& sink);

// ---- uname: uname(3) (struct utsname) ----
struct Utsname {
  std::string sysname, nodename, release, version, machine;
};
// node_uname_info as uname_bsd.go: macOS has no domain name, so nodename is
// split at its first dot into nodename and domainname ("(none)" without one,
// as Linux reports an unset domain).
void ConvertUname(const Utsname& u, MetricSink& sink);

// ---- time ----
// node_time_seconds and node_time_zone_offset_seconds{time_zone}.
void ConvertTime(double now_seconds, const std::string& zone, int64_t gmt_offset_seconds,
                 MetricSink& sink);

// ---- thermal: IOPMCopyCPUPowerStatus ----
// The dictionary's integer values by key; a key absent on this Mac (Apple
// Silicon publishes none of them) is left out, as node_exporter does.
inline constexpr const char* kCpuSchedulerLimitKey = "CPU_Scheduler_Limit";  // percent
inline constexpr const char* kCpuAvailableCpusKey = "CPU_Available_CPUs";    // count
inline constexpr const char* kCpuSpeedLimitKey = "CPU_Speed_Limit";          // percent
void ConvertThermal(const std::map<std::string, int64_t>& power_status, MetricSink& sink);

// ---- filesystem: getmntinfo(3) (struct statfs) ----
struct Statfs {
  std::string f_mntfromname;  // device
  std::string f_mntonname;    // mount point
  std::string f_fstypename;   // "apfs", "devfs", ...
  uint32_t f_bsize = 0;       // fundamental block size: the unit of the counts
  uint64_t f_blocks = 0;
  uint64_t f_bfree = 0;
  uint64_t f_bavail = 0;
  uint64_t f_files = 0;
  uint64_t f_ffree = 0;
  uint32_t f_flags = 0;  // MNT_* (MNT_RDONLY = 0x1)
};
inline constexpr uint32_t kMntRdonly = 0x1;
// node_exporter 1.5's darwin defaults (filesystem_bsd.go).
inline constexpr const char* kDefaultMountPointsExclude = "^/(dev)($|/)";
inline constexpr const char* kDefaultFsTypesExclude = "^devfs$";

// node_filesystem_* for each mount not excluded (RE2 partial match on the
// mount point, resp. the type), each (device, mountpoint, fstype) once.
// REQUIRES: both regexps compiled (ok()).
void ConvertFilesystems(const std::vector<Statfs>& mounts, const RE2& mount_points_exclude,
                        const RE2& fs_types_exclude, MetricSink& sink);

// ---- netdev: sysctl {CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLIST2, 0} ----
// The if_data64 counters of one RTM_IFINFO2 message (64-bit: no wrap at 4 GiB).
struct IfData64 {
  uint64_t ifi_ipackets = 0;
  uint64_t ifi_ierrors = 0;
  uint64_t ifi_opackets = 0;
  uint64_t ifi_oerrors = 0;
  uint64_t ifi_collisions = 0;
  uint64_t ifi_ibytes = 0;
  uint64_t ifi_obytes = 0;
  uint64_t ifi_imcasts = 0;
  uint64_t ifi_omcasts = 0;
  uint64_t ifi_iqdrops = 0;
  uint64_t ifi_noproto = 0;
};
struct Interface {
  std::string name;  // "en0", from the message's interface index
  IfData64 data;
};
// node_network_{receive,transmit}_{packets,errs,bytes,multicast}_total{device}
// as node_exporter 1.5's netdev_darwin.go.
void ConvertNetdev(const std::vector<Interface>& interfaces, const DeviceFilter& filter,
                   MetricSink& sink);

// ---- diskstats: IOKit IOBlockStorageDriver "Statistics" ----
// One whole disk: the BSD name of the IOMedia below the driver ("disk0"),
// its "Preferred Block Size", and the driver's statistics dictionary
// (kIOBlockStorageDriverStatistics*Key: operations, bytes, total times in ns).
struct DriveStats {
  std::string name;
  uint64_t block_size = 0;
  uint64_t reads = 0;                // "Operations (Read)"
  uint64_t writes = 0;               // "Operations (Write)"
  uint64_t bytes_read = 0;           // "Bytes (Read)"
  uint64_t bytes_written = 0;        // "Bytes (Write)"
  uint64_t total_read_time_ns = 0;   // "Total Time (Read)"
  uint64_t total_write_time_ns = 0;  // "Total Time (Write)"
};
// node_disk_{reads,writes}_completed_total, node_disk_{read,written}_bytes_total,
// node_disk_{read,written}_sectors_total, node_disk_{read,write}_time_seconds_total,
// label device, as diskstats_darwin.go. Sectors are bytes / block size (0
// when the block size is unknown).
void ConvertDiskstats(const std::vector<DriveStats>& drives, const DeviceFilter& filter,
                      MetricSink& sink);

}  // namespace exporter::darwin
