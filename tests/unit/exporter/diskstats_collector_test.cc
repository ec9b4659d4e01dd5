// Tests of the diskstats collector on tests/fixtures/proc/diskstats and the udev
// database under tests/fixtures/rootfs/run/udev/data.
#include <set>

#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const char* const kStatFamilies[] = {
    "node_disk_reads_completed_total",
    "node_disk_reads_merged_total",
    "node_disk_read_bytes_total",
    "node_disk_read_time_seconds_total",
    "node_disk_writes_completed_total",
    "node_disk_writes_merged_total",
    "node_disk_written_bytes_total",
    "node_disk_write_time_seconds_total",
    "node_disk_io_now",
    "node_disk_io_time_seconds_total",
    "node_disk_io_time_weighted_seconds_total",
    "node_disk_discards_completed_total",
    "node_disk_discards_merged_total",
    "node_disk_discarded_sectors_total",
    "node_disk_discard_time_seconds_total",
    "node_disk_flush_requests_total",
    "node_disk_flush_requests_time_seconds_total",
};

std::set<std::string> Devices(const MetricSink& s, const std::string& name) {
  std::set<std::string> out;
  if (const auto* f = s.Find(name)) {
    for (const auto& m : f->metric) out.emplace(LabelValue(m, "device"));
  }
  return out;
}

TEST(DiskstatsCollectorTest, ExcludesPartitionsLoopAndRam) {
  MetricSink s = RunCollector("diskstats");
  const std::set<std::string> want = {"sda", "nvme0n1", "dm-0", "sr0", "mmcblk0"};
  EXPECT_EQ(Devices(s, "node_disk_info"), want);
  for (const char* name : kStatFamilies) {
    SCOPED_TRACE(name);
    EXPECT_EQ(Devices(s, name), want);
    ASSERT_NE(s.Find(name), nullptr);
    EXPECT_EQ(s.Find(name)->type, std::string(name) == "node_disk_io_now"
                                      ? prometheus::MetricType::Gauge
                                      : prometheus::MetricType::Counter);
    for (const auto& m : s.Find(name)->metric) EXPECT_EQ(m.label.size(), 1u);
  }
  // info + 17 stats + filesystem_info + device_mapper_info + 3 ata.
  EXPECT_EQ(s.families().size(), 1u + 17u + 1u + 1u + 3u);
}

TEST(DiskstatsCollectorTest, UnitsAreBytesAndSeconds) {
  MetricSink s = RunCollector("diskstats");
  LabelPairs sda = {{"device", "sda"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_reads_completed_total", sda), 25354637);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_reads_merged_total", sda), 34367663);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_read_bytes_total", sda), 1003346126.0 * 512);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_read_time_seconds_total", sda), 18492.372);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_writes_completed_total", sda), 28444756);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_writes_merged_total", sda), 11134226);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_written_bytes_total", sda), 505697032.0 * 512);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_write_time_seconds_total", sda), 63877.96);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_io_now", sda), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_io_time_seconds_total", sda), 9653.88);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_io_time_weighted_seconds_total", sda), 82621.804);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_discards_completed_total", sda), 1022);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_discards_merged_total", sda), 3);
  // Discarded sectors stay sectors, as in node_exporter.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_discarded_sectors_total", sda), 67330680);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_discard_time_seconds_total", sda), 2.312);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_flush_requests_total", sda), 41250);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_flush_requests_time_seconds_total", sda), 18.722);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_io_now", {{"device", "nvme0n1"}}), 2);
}

TEST(DiskstatsCollectorTest, InfoFromUdevDatabase) {
  MetricSink s = RunCollector("diskstats");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_info",
                             {{"device", "sda"},
                              {"major", "8"},
                              {"minor", "0"},
                              {"path", "pci-0000:00:17.0-ata-1"},
                              {"wwn", "0x50014ee2b6d1e8f0"},
                              {"model", "WDC_WD40EFRX-68N32N0"},
                              {"serial", "WD-WCC7K1234567"},
                              {"revision", "82.00A82"}}),
                   1);
  // No udev entry: every udev label is present and empty.
  const auto* info = s.Find("node_disk_info");
  const auto* sr0 = FindMetric(*info, {{"device", "sr0"}});
  ASSERT_NE(sr0, nullptr);
  EXPECT_EQ(sr0->label.size(), 8u);
  EXPECT_EQ(LabelValue(*sr0, "major"), "11");
  EXPECT_EQ(LabelValue(*sr0, "serial"), "");
  EXPECT_EQ(LabelValue(*sr0, "model"), "");

  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_filesystem_info",
                             {{"device", "dm-0"},
                              {"type", "ext4"},
                              {"usage", "filesystem"},
                              {"uuid", "9d3c5a4e-3f1b-4c8a-9b7e-2a6d1f0c8e11"},
                              {"version", "1.0"}}),
                   1);
  EXPECT_EQ(SeriesCount(s, "node_disk_filesystem_info"), 1u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_device_mapper_info",
                             {{"device", "dm-0"},
                              {"name", "vg0-root"},
                              {"vg_name", "vg0"},
                              {"lv_name", "root"},
                              {"lv_layer", ""}}),
                   1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_ata_rotation_rate_rpm", {{"device", "sda"}}), 5400);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_ata_write_cache", {{"device", "sda"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_ata_write_cache_enabled", {{"device", "sda"}}), 1);
  EXPECT_EQ(SeriesCount(s, "node_disk_ata_rotation_rate_rpm"), 1u);
}

TEST(DiskstatsCollectorTest, OlderKernelsHaveFewerFields) {
  ScratchDir proc;
  proc.Write("diskstats",
             // Before 4.18: 11 stats.
             "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
             // 4.18 to 5.4: 15 stats.
             "   8      16 sdb 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n");
  MetricSink s = RunCollector("diskstats", ProcAt(proc));
  EXPECT_EQ(Devices(s, "node_disk_io_time_weighted_seconds_total"),
            (std::set<std::string>{"sda", "sdb"}));
  EXPECT_EQ(Devices(s, "node_disk_discard_time_seconds_total"), (std::set<std::string>{"sdb"}));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_disk_discard_time_seconds_total", {{"device", "sdb"}}),
                   0.015);
  EXPECT_EQ(s.Find("node_disk_flush_requests_total"), nullptr);
}

TEST(DiskstatsCollectorTest, EmptyExcludeKeepsEverything) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.diskstats.device-exclude"] = "";
  MetricSink s = RunCollector("diskstats", c);
  EXPECT_EQ(SeriesCount(s, "node_disk_info"), 11u);
}

TEST(DiskstatsCollectorTest, MalformedLinesFailTheCollector) {
  const char* const kBad[] = {
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10\n",      // too few fields
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10 x\n",    // not a number
      "   8       0 sda 1 2 3 4 5 6 7 8 -9 10 11\n",  // negative
      "   x       0 sda 1 2 3 4 5 6 7 8 9 10 11\n",   // bad major
      "sda\n",                                        // name only
  };
  for (const char* text : kBad) {
    SCOPED_TRACE(text);
    ScratchDir proc;
    proc.Write("diskstats", text);
    MetricSink s;
    auto st = RegisteredCollectors().at("diskstats").factory(ProcAt(proc))->Update(s);
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  }
  ScratchDir empty;
  MetricSink s;
  EXPECT_TRUE(RegisteredCollectors().at("diskstats").factory(ProcAt(empty))->Update(s).IsIOError());
}

}  // namespace
}  // namespace exporter::testing
