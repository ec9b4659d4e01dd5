// /system on macOS: a sink filled by the darwin conversions (node_exporter's
// darwin names) gives the same JSON fields as on Linux.
#include <gtest/gtest.h>

#include "exporter/collectors/darwin_convert/convert.h"
#include "exporter/system_snapshot.h"

namespace exporter::darwin {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

// A 16 GiB Apple Silicon Mac with two CPUs, one APFS volume, en0 and disk0.
MetricSink DarwinSink(uint32_t user_ticks, uint64_t rx_bytes, uint64_t read_bytes) {
  MetricSink sink;
  std::vector<CpuLoadInfo> cpus(2);
  cpus[0].cpu_ticks = {user_ticks, 100, 1000, 0};
  cpus[1].cpu_ticks = {user_ticks, 100, 1000, 0};
  ConvertCpu(cpus, 100, sink);
  VmStatistics64 vm;
  const uint64_t page = 16384;
  const uint64_t pages_per_gib = static_cast<uint64_t>(kGiB) / page;
  vm.free_count = 2 * pages_per_gib;
  vm.inactive_count = 4 * pages_per_gib;
  vm.active_count = 6 * pages_per_gib;
  vm.wire_count = 3 * pages_per_gib;
  ConvertMeminfo(vm, page, 16 * static_cast<uint64_t>(kGiB),
                 {.xsu_total = 2 * static_cast<uint64_t>(kGiB),
                  .xsu_avail = static_cast<uint64_t>(kGiB) * 3 / 2,
                  .xsu_used = static_cast<uint64_t>(kGiB) / 2},
                 sink);
  ConvertLoadavg({1, 2, 3}, sink);
  ConvertBootTime({.tv_sec = 1700000000, .tv_usec = 0}, sink);
  ConvertUname({.sysname = "Darwin",
                .nodename = "mac-mini.local",
                .release = "23.4.0",
                .version = "Darwin Kernel Version 23.4.0",
                .machine = "arm64"},
               sink);
  RE2 mp(kDefaultMountPointsExclude), fs(kDefaultFsTypesExclude);
  ConvertFilesystems({{"/dev/disk3s1s1", "/", "apfs", 4096, 1000, 250, 200, 10, 5, kMntRdonly},
                      {"devfs", "/dev", "devfs", 512, 1, 0, 0, 1, 0, 0}},
                     mp, fs, sink);
  IfData64 en0;
  en0.ifi_ibytes = rx_bytes;
  en0.ifi_obytes = 500;
  en0.ifi_ierrors = 3;
  const DeviceFilter all("", "", DeviceFilter::Mode::kExclusive);
  ConvertNetdev({{"en0", en0}}, all, sink);
  ConvertDiskstats({{.name = "disk0", .block_size = 4096, .bytes_read = read_bytes}}, all, sink);
  return sink;
}

TEST(DarwinSystem, SameFieldsAsLinux) {
  MetricSink before = DarwinSink(100, 1000, 4096);
  MetricSink now = DarwinSink(300, 3000, 8192);
  CounterReading r0 = ExtractCounters(before, 1700001000);
  CounterReading r1 = ExtractCounters(now, 1700001002);
  nlohmann::json j = BuildSystemSnapshot(now, r1, &r0);

  EXPECT_EQ(j["hostname"], "mac-mini");
  EXPECT_EQ(j["os"]["name"], "Darwin");
  EXPECT_EQ(j["os"]["kernel"], "23.4.0");
  EXPECT_EQ(j["os"]["machine"], "arm64");
  EXPECT_EQ(j["boot_time"], 1700000000.0);
  EXPECT_EQ(j["uptime_seconds"], 1002.0);

  EXPECT_EQ(j["cpu"]["count"], 2);
  // Each CPU: user 1 -> 3 s, system and idle unchanged: every new second busy.
  EXPECT_EQ(j["cpu"]["percent"], 100.0);
  EXPECT_EQ(j["cpu"]["per_core_percent"].size(), 2u);
  EXPECT_EQ(j["cpu"]["load_avg"]["5m"], 2.0);

  // Memory: available = free + inactive (psutil's macOS definition).
  EXPECT_EQ(j["memory"]["total"], 16 * kGiB);
  EXPECT_EQ(j["memory"]["free"], 2 * kGiB);
  EXPECT_EQ(j["memory"]["available"], 6 * kGiB);
  EXPECT_EQ(j["memory"]["used"], 10 * kGiB);
  EXPECT_EQ(j["memory"]["percent"], 62.5);
  EXPECT_TRUE(j["memory"]["cached"].is_null());
  EXPECT_TRUE(j["memory"]["buffers"].is_null());
  EXPECT_EQ(j["swap"]["total"], 2 * kGiB);
  EXPECT_EQ(j["swap"]["used"], 0.5 * kGiB);
  EXPECT_EQ(j["swap"]["free"], 1.5 * kGiB);
  EXPECT_EQ(j["swap"]["percent"], 25.0);

  ASSERT_EQ(j["disks"].size(), 1u);  // devfs excluded
  EXPECT_EQ(j["disks"][0]["mountpoint"], "/");
  EXPECT_EQ(j["disks"][0]["fstype"], "apfs");
  EXPECT_EQ(j["disks"][0]["total"], 4096.0 * 1000);
  EXPECT_EQ(j["disks"][0]["free"], 4096.0 * 200);
  EXPECT_EQ(j["disks"][0]["used"], 4096.0 * 750);
  EXPECT_EQ(j["disks"][0]["readonly"], true);

  EXPECT_EQ(j["network"]["en0"]["bytes_recv"], 3000.0);
  EXPECT_EQ(j["network"]["en0"]["bytes_sent"], 500.0);
  EXPECT_EQ(j["network"]["en0"]["errin"], 3.0);
  EXPECT_TRUE(j["network"]["en0"]["dropin"].is_null());
  EXPECT_EQ(j["network"]["en0"]["recv_bytes_per_sec"], 1000.0);
  EXPECT_EQ(j["disk_io"]["disk0"]["read_bytes"], 8192.0);
  EXPECT_EQ(j["disk_io"]["disk0"]["read_bytes_per_sec"], 2048.0);
  EXPECT_TRUE(j["temperatures"].empty());
}

}  // namespace
}  // namespace exporter::darwin
