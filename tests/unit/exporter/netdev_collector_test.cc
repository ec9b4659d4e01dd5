// Tests of the netdev collector on tests/fixtures/proc/net/dev and the
// per-device statistics under tests/fixtures/sys/class/net.
#include <set>

#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const char* const kStats[] = {
    "receive_bytes",  "receive_packets",  "receive_errs",       "receive_drop",
    "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errs",      "transmit_drop",
    "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed",
};

std::set<std::string> Devices(const MetricSink& s, const std::string& name) {
  std::set<std::string> out;
  if (const auto* f = s.Find(name)) {
    for (const auto& m : f->metric) {
      EXPECT_EQ(m.label.size(), 1u);
      out.emplace(LabelValue(m, "device"));
    }
  }
  return out;
}

TEST(NetdevCollectorTest, AllDevicesAllColumns) {
  MetricSink s = RunCollector("netdev");
  const std::set<std::string> all = {"lo", "eth0", "wlan0", "docker0", "veth7d3a1f2"};
  for (const char* stat : kStats) {
    std::string name = std::string("node_network_") + stat + "_total";
    SCOPED_TRACE(name);
    ASSERT_NE(s.Find(name), nullptr);
    EXPECT_EQ(s.Find(name)->type, prometheus::MetricType::Counter);
    EXPECT_EQ(s.Find(name)->help, std::string("Network device statistic ") + stat + ".");
    EXPECT_EQ(Devices(s, name), all);
  }
  // rx_nohandler only where sysfs has it.
  EXPECT_EQ(Devices(s, "node_network_receive_nohandler_total"),
            (std::set<std::string>{"lo", "eth0"}));
  EXPECT_EQ(s.families().size(), 17u);
}

TEST(NetdevCollectorTest, ColumnValues) {
  MetricSink s = RunCollector("netdev");
  LabelPairs eth0 = {{"device", "eth0"}};
  const double want[] = {8846207716, 7432901, 12, 35, 1, 4, 0, 18420,
                         1247713021, 3518267, 0,  2,  0, 3, 1, 0};
  for (size_t i = 0; i < std::size(kStats); ++i) {
    SCOPED_TRACE(kStats[i]);
    EXPECT_DOUBLE_EQ(MustValue(s, std::string("node_network_") + kStats[i] + "_total", eth0),
                     want[i]);
  }
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_receive_nohandler_total", eth0), 7);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_transmit_drop_total", {{"device", "docker0"}}), 7);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_network_receive_bytes_total", {{"device", "veth7d3a1f2"}}),
                   4096012);
}

TEST(NetdevCollectorTest, ExcludePattern) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.netdev.device-exclude"] = "^(lo|veth.*)$";
  MetricSink s = RunCollector("netdev", c);
  EXPECT_EQ(Devices(s, "node_network_receive_bytes_total"),
            (std::set<std::string>{"eth0", "wlan0", "docker0"}));
  EXPECT_EQ(Devices(s, "node_network_receive_nohandler_total"), (std::set<std::string>{"eth0"}));
}

TEST(NetdevCollectorTest, MalformedInputFailsTheCollector) {
  const std::string header =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n";
  const char* const kBad[] = {
      "  eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",      // no colon
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",        // 15 columns
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",  // 17 columns
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n",      // not a number
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1\n",     // negative
      "      : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",     // no name
  };
  for (const char* line : kBad) {
    SCOPED_TRACE(line);
    ScratchDir proc;
    proc.Write("net/dev", header + line);
    auto st = UpdateStatus("netdev", ProcAt(proc));
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  }
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("netdev", ProcAt(empty)).IsIOError());
  CollectorConfig c = FixtureConfig();
  c.flags["collector.netdev.device-exclude"] = "[";
  EXPECT_TRUE(UpdateStatus("netdev", c).IsInvalidArgument());
}

TEST(NetdevCollectorTest, HeaderOnlyIsNoDevices) {
  ScratchDir proc;
  proc.Write("net/dev", "Inter-|   Receive\n face |bytes\n");
  MetricSink s = RunCollector("netdev", ProcAt(proc));
  EXPECT_TRUE(s.families().empty());
}

}  // namespace
}  // namespace exporter::testing
