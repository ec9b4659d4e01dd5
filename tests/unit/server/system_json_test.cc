// /system JSON -> samples: node_exporter names where the quantity is the
// same (so dashboards query pushed and scraped hosts alike), refusals that
// name the field.
#include "server/ingest/system_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

namespace server {
namespace {

std::map<std::string, double> ByLabels(const SystemReading& r) {
  std::map<std::string, double> out;
  for (const JsonSample& s : r.samples) {
    std::string key = s.labels.ToString();
    if (key.ends_with("{}")) key.resize(key.size() - 2);  // name only
    out[key] = s.value;
  }
  return out;
}

constexpr const char* kReading = R"({
  "hostname": "web-1", "timestamp_ms": 1700000000123, "boot_time": 1699990000,
  "uptime_seconds": 10000,
  "cpu": {"count": 2, "percent": 12.5, "per_core_percent": [10, null, 15],
          "load_avg": {"1m": 0.5, "5m": 0.25, "15m": 0.125}},
  "memory": {"total": 8000, "available": 6000, "free": 1000, "cached": 3000, "buffers": 500,
             "percent": 25},
  "swap": {"total": 100, "free": 40},
  "os": {"name": "Linux", "kernel": "6.1.0", "version": "#1 SMP", "machine": "x86_64"},
  "network": {"eth0": {"bytes_recv": 11, "bytes_sent": 22, "errin": 0, "dropout": 1}},
  "disk_io": {"vda": {"read_bytes": 33, "write_bytes": 44}},
  "disks": [{"device": "/dev/vda1", "fstype": "ext4", "mountpoint": "/", "total": 1000,
             "used": 300, "free": 600, "readonly": false}],
  "temperatures": [],
  "tcp": {"established": 42, "time_wait": 7, "inuse": 50},
  "file_descriptors": {"allocated": 2048, "maximum": 9223372036854775807},
  "oom_kills": 3
})";

TEST(SystemJsonTest, MapsToNodeExporterNames) {
  auto r = ParseSystemJson(kReading);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hostname, "web-1");
  EXPECT_EQ(r->timestamp_ms, 1700000000123);
  auto m = ByLabels(*r);
  const std::map<std::string, double> want = {
      {"node_boot_time_seconds", 1699990000},
      {"system_uptime_seconds", 10000},
      {"system_cpu_count", 2},
      {"system_cpu_percent", 12.5},
      {"system_cpu_core_percent{cpu=\"0\"}", 10},
      {"system_cpu_core_percent{cpu=\"2\"}", 15},
      {"node_load1", 0.5},
      {"node_load5", 0.25},
      {"node_load15", 0.125},
      {"node_memory_MemTotal_bytes", 8000},
      {"node_memory_MemAvailable_bytes", 6000},
      {"node_memory_MemFree_bytes", 1000},
      {"node_memory_Cached_bytes", 3000},
      {"node_memory_Buffers_bytes", 500},
      {"system_memory_used_percent", 25},
      {"node_memory_SwapTotal_bytes", 100},
      {"node_memory_SwapFree_bytes", 40},
      {"node_network_receive_bytes_total{device=\"eth0\"}", 11},
      {"node_network_transmit_bytes_total{device=\"eth0\"}", 22},
      {"node_network_receive_errs_total{device=\"eth0\"}", 0},
      {"node_network_transmit_drop_total{device=\"eth0\"}", 1},
      {"node_disk_read_bytes_total{device=\"vda\"}", 33},
      {"node_disk_written_bytes_total{device=\"vda\"}", 44},
      {"node_filesystem_size_bytes{device=\"/dev/vda1\", fstype=\"ext4\", mountpoint=\"/\"}", 1000},
      {"node_filesystem_avail_bytes{device=\"/dev/vda1\", fstype=\"ext4\", mountpoint=\"/\"}", 600},
      {"node_filesystem_free_bytes{device=\"/dev/vda1\", fstype=\"ext4\", mountpoint=\"/\"}", 700},
      {"node_filesystem_readonly{device=\"/dev/vda1\", fstype=\"ext4\", mountpoint=\"/\"}", 0},
      {"node_netstat_Tcp_CurrEstab", 42},
      {"node_sockstat_TCP_tw", 7},
      {"node_sockstat_TCP_inuse", 50},
      {"node_filefd_allocated", 2048},
      {"node_filefd_maximum", 9223372036854775807.0},
      {"node_vmstat_oom_kill", 3},
  };
  for (const auto& [k, v] : want) {
    auto it = m.find(k);
    ASSERT_NE(it, m.end()) << "missing " << k;
    EXPECT_DOUBLE_EQ(it->second, v) << k;
  }
  // The null core is skipped, not stored as 0.
  EXPECT_EQ(m.count("system_cpu_core_percent{cpu=\"1\"}"), 0u);
  bool uname = false;
  for (const auto& [k, v] : m) uname |= k.rfind("node_uname_info{", 0) == 0;
  EXPECT_TRUE(uname);
}

TEST(SystemJsonTest, WrongTypesAreRefusedByField) {
  struct Case {
    std::string body, want;
  };
  const Case cases[] = {
      {R"({"hostname": 5})", "hostname"},
      {R"({"hostname": "h", "cpu": []})", "cpu"},
      {R"({"hostname": "h", "memory": {"total": "8 GB"}})", "memory.total"},
      {R"({"hostname": "h", "cpu": {"per_core_percent": [1, "x"]}})", "cpu.per_core_percent[1]"},
      {R"({"hostname": "h", "disks": [{"device": "d", "total": 1}]})", "disks[0].mountpoint"},
      {R"({"hostname": "h", "disks": [7]})", "disks[0]"},
      {R"({"hostname": "h", "network": {"eth0": {"bytes_recv": {}}}})", "network.eth0.bytes_recv"},
      {R"({"hostname": "h", "timestamp_ms": "now"})", "timestamp_ms"},
      {R"([1, 2])", "JSON object"},
      {R"({"hostname": )", "not valid JSON"},
  };
  for (const Case& tc : cases) {
    auto r = ParseSystemJson(tc.body);
    ASSERT_FALSE(r.ok()) << tc.body;
    EXPECT_NE(r.status().message().find(tc.want), std::string::npos)
        << tc.body << " => " << r.status().message();
  }
}

}  // namespace
}  // namespace server
