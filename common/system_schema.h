// The /system JSON document (the shape of the original Python service's
// endpoint) and the metric behind each of its fields: the one place that
// says which field is which metric. The exporter writes /system from these
// metrics (exporter/system_snapshot.cc); the server turns a pushed /system
// back into them (server/ingest/system_json.cc), so pushed and scraped hosts
// are queried with the same names. A field added here is written and read.
//
// Document (fields absent or null when unknown):
//   hostname, timestamp (s), timestamp_ms, sample_window_seconds, boot_time,
//   uptime_seconds,
//   os {name, kernel, version, machine}                node_uname_info labels
//   cpu {percent, count, per_core_percent[i], load_avg {1m, 5m, 15m}}
//   memory {total, available, free, used, cached, buffers, percent}
//   swap {total, free, used, percent}
//   disks [{mountpoint, device, fstype, total, free, used, percent, readonly}]
//   disk_io {<device>: {read_bytes, write_bytes, *_per_sec}}
//   network {<device>: {bytes_recv, bytes_sent, packets_*, err*, drop*,
//            *_bytes_per_sec}}
//   temperatures [{chip, sensor, celsius}]
//   tcp {established, time_wait, inuse}            netstat, sockstat
//   file_descriptors {allocated, maximum}          filefd
//   oom_kills (since boot)                         vmstat
// Percentages and *_per_sec rates are computed by the exporter from two
// readings; of them only cpu and memory percentages are stored as metrics
// (system_* names, which node_exporter has no equivalent of).
#pragma once

namespace common::system_schema {

// A JSON field and the metric holding the same quantity.
struct FieldMetric {
  const char* field;
  const char* metric;
};

// Top level.
inline constexpr FieldMetric kBootTime{"boot_time", "node_boot_time_seconds"};
inline constexpr FieldMetric kUptime{"uptime_seconds", "system_uptime_seconds"};

// "os": the labels of node_uname_info (its "nodename" label is "hostname").
inline constexpr const char* kUnameMetric = "node_uname_info";
inline constexpr const char* kUnameHostnameLabel = "nodename";
inline constexpr FieldMetric kOsFields[] = {
    {"name", "sysname"}, {"kernel", "release"}, {"version", "version"}, {"machine", "machine"}};

// "cpu".
inline constexpr FieldMetric kCpuPercent{"percent", "system_cpu_percent"};
inline constexpr FieldMetric kCpuCount{"count", "system_cpu_count"};
// per_core_percent[i] is system_cpu_core_percent{cpu="i"}.
inline constexpr FieldMetric kCpuCorePercent{"per_core_percent", "system_cpu_core_percent"};
inline constexpr FieldMetric kLoadFields[] = {
    {"1m", "node_load1"}, {"5m", "node_load5"}, {"15m", "node_load15"}};

// "memory" and "swap" (used = total - available, resp. total - free).
inline constexpr FieldMetric kMemTotal{"total", "node_memory_MemTotal_bytes"};
inline constexpr FieldMetric kMemAvailable{"available", "node_memory_MemAvailable_bytes"};
inline constexpr FieldMetric kMemoryFields[] = {kMemTotal,
                                                kMemAvailable,
                                                {"free", "node_memory_MemFree_bytes"},
                                                {"cached", "node_memory_Cached_bytes"},
                                                {"buffers", "node_memory_Buffers_bytes"}};
inline constexpr FieldMetric kMemoryPercent{"percent", "system_memory_used_percent"};
inline constexpr FieldMetric kSwapTotal{"total", "node_memory_SwapTotal_bytes"};
inline constexpr FieldMetric kSwapFree{"free", "node_memory_SwapFree_bytes"};
inline constexpr FieldMetric kSwapFields[] = {kSwapTotal, kSwapFree};

// macOS: node_exporter's darwin meminfo has other names and no "available";
// the exporter reads these when the Linux names are absent. total is
// node_memory_total_bytes, free node_memory_free_bytes, available free +
// inactive (what psutil, and so the original service, reports on macOS),
// cached and buffers are null; swap free is swap total - swap used. The
// server's JSON ingest stores the document's fields under the Linux names.
inline constexpr const char* kDarwinMemTotalMetric = "node_memory_total_bytes";
inline constexpr const char* kDarwinMemFreeMetric = "node_memory_free_bytes";
inline constexpr const char* kDarwinMemInactiveMetric = "node_memory_inactive_bytes";
inline constexpr const char* kDarwinSwapTotalMetric = "node_memory_swap_total_bytes";
inline constexpr const char* kDarwinSwapUsedMetric = "node_memory_swap_used_bytes";

// "disks": one per mounted filesystem, labelled by these fields. "free" is
// what df calls available; "used" is size - node_filesystem_free_bytes.
inline constexpr const char* kDiskLabels[] = {"device", "fstype", "mountpoint"};
inline constexpr FieldMetric kDiskTotal{"total", "node_filesystem_size_bytes"};
inline constexpr FieldMetric kDiskAvail{"free", "node_filesystem_avail_bytes"};
inline constexpr FieldMetric kDiskReadonly{"readonly", "node_filesystem_readonly"};
inline constexpr FieldMetric kDiskFields[] = {kDiskTotal, kDiskAvail, kDiskReadonly};
inline constexpr const char* kDiskFreeMetric = "node_filesystem_free_bytes";

// "disk_io" and "network": objects keyed by device (label "device").
inline constexpr FieldMetric kDiskRead{"read_bytes", "node_disk_read_bytes_total"};
inline constexpr FieldMetric kDiskWritten{"write_bytes", "node_disk_written_bytes_total"};
inline constexpr FieldMetric kDiskIoFields[] = {kDiskRead, kDiskWritten};
inline constexpr FieldMetric kNetRecv{"bytes_recv", "node_network_receive_bytes_total"};
inline constexpr FieldMetric kNetSent{"bytes_sent", "node_network_transmit_bytes_total"};
inline constexpr FieldMetric kNetworkFields[] = {
    kNetRecv,
    kNetSent,
    {"packets_recv", "node_network_receive_packets_total"},
    {"packets_sent", "node_network_transmit_packets_total"},
    {"errin", "node_network_receive_errs_total"},
    {"errout", "node_network_transmit_errs_total"},
    {"dropin", "node_network_receive_drop_total"},
    {"dropout", "node_network_transmit_drop_total"}};

// "temperatures": node_hwmon_temp_celsius{chip, sensor}.
inline constexpr FieldMetric kTemperature{"celsius", "node_hwmon_temp_celsius"};
inline constexpr const char* kTemperatureLabels[] = {"chip", "sensor"};

// "tcp": connection counts (node_exporter's netstat and sockstat collectors).
inline constexpr FieldMetric kTcpFields[] = {
    {"established", "node_netstat_Tcp_CurrEstab"},
    {"time_wait", "node_sockstat_TCP_tw"},
    {"inuse", "node_sockstat_TCP_inuse"}};

// "file_descriptors": the kernel's open file handles (filefd collector).
inline constexpr FieldMetric kFileDescriptorFields[] = {
    {"allocated", "node_filefd_allocated"}, {"maximum", "node_filefd_maximum"}};

// Top level: OOM killer invocations since boot (vmstat collector).
inline constexpr FieldMetric kOomKills{"oom_kills", "node_vmstat_oom_kill"};

}  // namespace common::system_schema
