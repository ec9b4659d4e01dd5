// The darwin collectors' conversions (exporter/collectors/darwin_convert):
// raw values shaped like Apple's structs in, exposition text out, compared
// with what node_exporter 1.5 writes on a Mac for the same readings.
#include <string>

#include <gtest/gtest.h>

#include "common/text_writer.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter::darwin {
namespace {

std::string Text(const MetricSink& sink) {
  std::string out;
  common::AppendTextFormat(sink.families(), &out);
  return out;
}

TEST(DarwinConvert, CpuTicksToSecondsPerMode) {
  // Two CPUs; ticks indexed user, system, idle, nice (CPU_STATE_*).
  std::vector<CpuLoadInfo> cpus(2);
  cpus[0].cpu_ticks = {1234, 567, 89000, 10};
  cpus[1].cpu_ticks = {100, 200, 300, 0};
  MetricSink sink;
  ConvertCpu(cpus, 100, sink);
  EXPECT_EQ(Text(sink),
            "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
            "# TYPE node_cpu_seconds_total counter\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12.34\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 5.67\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0.1\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 890\n"
            "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 1\n"
            "node_cpu_seconds_total{cpu=\"1\",mode=\"system\"} 2\n"
            "node_cpu_seconds_total{cpu=\"1\",mode=\"nice\"} 0\n"
            "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 3\n");
}

TEST(DarwinConvert, MeminfoPagesToBytesAndSwap) {
  VmStatistics64 vm;
  vm.free_count = 10;
  vm.active_count = 20;
  vm.inactive_count = 30;
  vm.wire_count = 40;
  vm.compressor_page_count = 5;
  vm.internal_page_count = 6;
  vm.purgeable_count = 7;
  vm.pageins = 1000;
  vm.pageouts = 2;
  XswUsage swap{.xsu_total = 2147483648, .xsu_avail = 1073741824, .xsu_used = 1073741824};
  MetricSink sink;
  ConvertMeminfo(vm, 16384, 17179869184, swap, sink);
  std::string text = Text(sink);
  auto has = [&](const std::string& line) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\nin\n" << text;
  };
  has("node_memory_free_bytes 163840");
  has("node_memory_active_bytes 327680");
  has("node_memory_inactive_bytes 491520");
  has("node_memory_wired_bytes 655360");
  has("node_memory_compressed_bytes 81920");
  has("node_memory_internal_bytes 98304");
  has("node_memory_purgeable_bytes 114688");
  has("node_memory_total_bytes 1.7179869184e+10");
  has("node_memory_swap_total_bytes 2.147483648e+09");
  has("node_memory_swap_used_bytes 1.073741824e+09");
  has("# TYPE node_memory_swapped_in_bytes_total counter");
  has("node_memory_swapped_in_bytes_total 1.6384e+07");
  has("# TYPE node_memory_swapped_out_bytes_total counter");
  has("node_memory_swapped_out_bytes_total 32768");
  has("# TYPE node_memory_free_bytes gauge");
  has("# HELP node_memory_wired_bytes Memory information field wired_bytes.");
  EXPECT_EQ(sink.families().size(), 12u);
}

TEST(DarwinConvert, LoadBootTimeAndTime) {
  MetricSink sink;
  ConvertLoadavg({1.5, 2.25, 3}, sink);
  ConvertBootTime({.tv_sec = 1700000000, .tv_usec = 250000}, sink);
  ConvertTime(1700000123.5, "CET", 3600, sink);
  EXPECT_EQ(Text(sink),
            "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 1.5\n"
            "# HELP node_load5 5m load average.\n# TYPE node_load5 gauge\nnode_load5 2.25\n"
            "# HELP node_load15 15m load average.\n# TYPE node_load15 gauge\nnode_load15 3\n"
            "# HELP node_boot_time_seconds Unix time of last boot, including microseconds.\n"
            "# TYPE node_boot_time_seconds gauge\nnode_boot_time_seconds 1.70000000025e+09\n"
            "# HELP node_time_seconds System time in seconds since epoch (1970).\n"
            "# TYPE node_time_seconds gauge\nnode_time_seconds 1.7000001235e+09\n"
            "# HELP node_time_zone_offset_seconds System time zone offset in seconds.\n"
            "# TYPE node_time_zone_offset_seconds gauge\n"
            "node_time_zone_offset_seconds{time_zone=\"CET\"} 3600\n");
}

TEST(DarwinConvert, UnameSplitsDomainFromNodename) {
  MetricSink sink;
  ConvertUname({.sysname = "Darwin",
                .nodename = "mac-mini.corp.example",
                .release = "23.4.0",
                .version = "Darwin Kernel Version 23.4.0",
                .machine = "arm64"},
               sink);
  EXPECT_EQ(Text(sink),
            "# HELP node_uname_info Labeled system information as provided by the uname system "
            "call.\n# TYPE node_uname_info gauge\n"
            "node_uname_info{domainname=\"corp.example\",machine=\"arm64\",nodename=\"mac-mini\","
            "release=\"23.4.0\",sysname=\"Darwin\",version=\"Darwin Kernel Version 23.4.0\"} 1\n");
  MetricSink plain;
  ConvertUname({.sysname = "Darwin", .nodename = "mbp", .machine = "x86_64"}, plain);
  EXPECT_NE(Text(plain).find("domainname=\"(none)\",machine=\"x86_64\",nodename=\"mbp\""),
            std::string::npos);
}

TEST(DarwinConvert, ThermalRatiosAndMissingKeys) {
  MetricSink sink;
  ConvertThermal({{kCpuSchedulerLimitKey, 100}, {kCpuAvailableCpusKey, 8}, {kCpuSpeedLimitKey, 75}},
                 sink);
  std::string text = Text(sink);
  EXPECT_NE(text.find("node_thermal_cpu_scheduler_limit_ratio 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_thermal_cpu_available_cpu 8\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_thermal_cpu_speed_limit_ratio 0.75\n"), std::string::npos) << text;
  // Apple Silicon publishes no CPU power limits: nothing, and no error.
  MetricSink none;
  ConvertThermal({}, none);
  EXPECT_TRUE(none.families().empty());
}

TEST(DarwinConvert, FilesystemsWithDarwinExclusions) {
  std::vector<Statfs> mounts = {
      {"/dev/disk3s1s1", "/", "apfs", 4096, 1000, 400, 300, 5000, 4000, kMntRdonly | 0x4000},
      {"devfs", "/dev", "devfs", 512, 10, 0, 0, 700, 0, 0},
      {"/dev/disk3s5", "/System/Volumes/Data", "apfs", 4096, 1000, 400, 300, 5000, 4000, 0},
      {"map auto_home", "/System/Volumes/Data/home", "autofs", 4096, 0, 0, 0, 0, 0, 0},
      // The same mount listed twice is exposed once.
      {"/dev/disk3s5", "/System/Volumes/Data", "apfs", 4096, 1000, 400, 300, 5000, 4000, 0},
  };
  RE2 mp(kDefaultMountPointsExclude), fs(kDefaultFsTypesExclude);
  MetricSink sink;
  ConvertFilesystems(mounts, mp, fs, sink);
  std::string text = Text(sink);
  const std::string root = "{device=\"/dev/disk3s1s1\",fstype=\"apfs\",mountpoint=\"/\"}";
  EXPECT_NE(text.find("node_filesystem_size_bytes" + root + " 4.096e+06\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("node_filesystem_free_bytes" + root + " 1.6384e+06\n"), std::string::npos);
  EXPECT_NE(text.find("node_filesystem_avail_bytes" + root + " 1.2288e+06\n"), std::string::npos);
  EXPECT_NE(text.find("node_filesystem_files" + root + " 5000\n"), std::string::npos);
  EXPECT_NE(text.find("node_filesystem_files_free" + root + " 4000\n"), std::string::npos);
  EXPECT_NE(text.find("node_filesystem_readonly" + root + " 1\n"), std::string::npos);
  EXPECT_NE(text.find("node_filesystem_device_error" + root + " 0\n"), std::string::npos);
  EXPECT_NE(text.find("node_filesystem_readonly{device=\"/dev/disk3s5\",fstype=\"apfs\","
                      "mountpoint=\"/System/Volumes/Data\"} 0\n"),
            std::string::npos);
  // devfs on /dev is excluded; autofs is not, on darwin (node_exporter 1.5).
  EXPECT_EQ(text.find("devfs"), std::string::npos);
  EXPECT_NE(text.find("fstype=\"autofs\""), std::string::npos);
  const auto* size = sink.Find("node_filesystem_size_bytes");
  ASSERT_NE(size, nullptr);
  EXPECT_EQ(size->metric.size(), 3u);
}

TEST(DarwinConvert, NetdevCountersAndFilter) {
  IfData64 en0;
  en0.ifi_ipackets = 10;
  en0.ifi_opackets = 20;
  en0.ifi_ierrors = 1;
  en0.ifi_oerrors = 2;
  en0.ifi_ibytes = 6000000000;  // past 4 GiB: if_data64, no 32-bit wrap
  en0.ifi_obytes = 3000;
  en0.ifi_imcasts = 5;
  en0.ifi_omcasts = 6;
  en0.ifi_iqdrops = 99;
  std::vector<Interface> ifs = {{"en0", en0}, {"lo0", IfData64{}}, {"utun3", IfData64{}}};

  MetricSink sink;
  ConvertNetdev(ifs, DeviceFilter("", "^utun", DeviceFilter::Mode::kExclusive), sink);
  std::string text = Text(sink);
  EXPECT_NE(text.find("# HELP node_network_receive_bytes_total Network device statistic "
                      "receive_bytes.\n# TYPE node_network_receive_bytes_total counter\n"
                      "node_network_receive_bytes_total{device=\"en0\"} 6e+09\n"
                      "node_network_receive_bytes_total{device=\"lo0\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("node_network_transmit_bytes_total{device=\"en0\"} 3000\n"),
            std::string::npos);
  EXPECT_NE(text.find("node_network_receive_errs_total{device=\"en0\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("node_network_transmit_errs_total{device=\"en0\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("node_network_receive_packets_total{device=\"en0\"} 10\n"),
            std::string::npos);
  EXPECT_NE(text.find("node_network_transmit_multicast_total{device=\"en0\"} 6\n"),
            std::string::npos);
  EXPECT_EQ(text.find("utun3"), std::string::npos);
  EXPECT_EQ(text.find("drop"), std::string::npos);  // not in node_exporter 1.5's darwin set
  EXPECT_EQ(sink.families().size(), 8u);

  MetricSink only_en;
  ConvertNetdev(ifs, DeviceFilter("^en", "", DeviceFilter::Mode::kExclusive), only_en);
  EXPECT_EQ(Text(only_en).find("lo0"), std::string::npos);
}

TEST(DarwinConvert, DiskstatsFromBlockStorageStatistics) {
  DriveStats disk0{.name = "disk0",
                   .block_size = 4096,
                   .reads = 1000,
                   .writes = 500,
                   .bytes_read = 40960000,
                   .bytes_written = 8192,
                   .total_read_time_ns = 2500000000,
                   .total_write_time_ns = 125000000};
  DriveStats disk4{.name = "disk4", .block_size = 0, .bytes_read = 512};

  MetricSink sink;
  ConvertDiskstats({disk0, disk4},
                   DeviceFilter("", "", DeviceFilter::Mode::kIncludeReplacesExclude), sink);
  std::string text = Text(sink);
  const std::string d = "{device=\"disk0\"}";
  EXPECT_NE(text.find("node_disk_reads_completed_total" + d + " 1000\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("node_disk_writes_completed_total" + d + " 500\n"), std::string::npos);
  EXPECT_NE(text.find("node_disk_read_bytes_total" + d + " 4.096e+07\n"), std::string::npos);
  EXPECT_NE(text.find("node_disk_written_bytes_total" + d + " 8192\n"), std::string::npos);
  EXPECT_NE(text.find("node_disk_read_sectors_total" + d + " 10000\n"), std::string::npos);
  EXPECT_NE(text.find("node_disk_written_sectors_total" + d + " 2\n"), std::string::npos);
  EXPECT_NE(text.find("node_disk_read_time_seconds_total" + d + " 2.5\n"), std::string::npos);
  EXPECT_NE(text.find("node_disk_write_time_seconds_total" + d + " 0.125\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE node_disk_read_bytes_total counter\n"), std::string::npos);
  // An unknown block size gives 0 sectors, not a division by zero.
  EXPECT_NE(text.find("node_disk_read_sectors_total{device=\"disk4\"} 0\n"), std::string::npos);

  MetricSink filtered;
  ConvertDiskstats({disk0, disk4},
                   DeviceFilter("", "^disk4$", DeviceFilter::Mode::kIncludeReplacesExclude),
                   filtered);
  EXPECT_EQ(Text(filtered).find("disk4"), std::string::npos);
}

}  // namespace
}  // namespace exporter::darwin
