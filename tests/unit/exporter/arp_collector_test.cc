// Tests of the arp collector on tests/fixtures/proc/net/arp.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(ArpCollectorTest, EntriesPerDevice) {
  MetricSink s = RunCollector("arp");
  EXPECT_EQ(SeriesCount(s, "node_arp_entries"), 3u);
  EXPECT_EQ(s.Find("node_arp_entries")->help, "ARP entries by device");
  EXPECT_EQ(s.Find("node_arp_entries")->type, prometheus::MetricType::Gauge);
  // Incomplete entries (flags 0x0) count too.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_arp_entries", {{"device", "eth0"}}), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_arp_entries", {{"device", "docker0"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_arp_entries", {{"device", "wlan0"}}), 1);
}

TEST(ArpCollectorTest, DeviceFilters) {
  CollectorConfig inc = FixtureConfig();
  inc.flags["collector.arp.device-include"] = "^(eth|wlan)";
  MetricSink s = RunCollector("arp", inc);
  EXPECT_EQ(SeriesCount(s, "node_arp_entries"), 2u);
  EXPECT_FALSE(Value(s, "node_arp_entries", {{"device", "docker0"}}));
  CollectorConfig exc = FixtureConfig();
  exc.flags["collector.arp.device-exclude"] = "eth";
  MetricSink e = RunCollector("arp", exc);
  EXPECT_EQ(SeriesCount(e, "node_arp_entries"), 2u);
  EXPECT_FALSE(Value(e, "node_arp_entries", {{"device", "eth0"}}));
}

TEST(ArpCollectorTest, MissingOrMalformedFileFails) {
  ScratchDir empty;
  auto st = UpdateStatus("arp", ProcAt(empty));
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsNotFound());
  ScratchDir d;
  d.Write("net/arp", "IP address HW type Flags HW address Mask Device\n10.0.0.1 0x1 0x2 eth0\n");
  EXPECT_FALSE(UpdateStatus("arp", ProcAt(d)).ok());
}

}  // namespace
}  // namespace exporter::testing
