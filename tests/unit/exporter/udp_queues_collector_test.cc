// Tests of the udp_queues collector on tests/fixtures/proc/net/udp{,6}.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(UdpQueuesCollectorTest, SummedQueues) {
  MetricSink s = RunCollector("udp_queues");
  EXPECT_EQ(SeriesCount(s, "node_udp_queues"), 4u);
  EXPECT_EQ(s.Find("node_udp_queues")->help,
            "Number of allocated memory in the kernel for UDP datagrams in bytes.");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_udp_queues", {{"ip", "v4"}, {"queue", "tx"}}), 0x340);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_udp_queues", {{"ip", "v4"}, {"queue", "rx"}}),
                   0xa80 + 0x1100);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_udp_queues", {{"ip", "v6"}, {"queue", "tx"}}), 0x10);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_udp_queues", {{"ip", "v6"}, {"queue", "rx"}}), 0x600);
}

TEST(UdpQueuesCollectorTest, MissingTables) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("udp_queues", ProcAt(empty)).IsNotFound());
  ScratchDir v4;
  v4.Write("net/udp",
           "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
           "timeout inode ref pointer drops\n"
           "    1: 00000000:0044 00000000:0000 07 00000001:00000002 00 00000000:00000000 "
           "00000000     0        0 100 2 0000000000000000 0\n");
  MetricSink s = RunCollector("udp_queues", ProcAt(v4));
  EXPECT_EQ(SeriesCount(s, "node_udp_queues"), 2u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_udp_queues", {{"ip", "v4"}, {"queue", "rx"}}), 2);
  ScratchDir bad;
  bad.Write("net/udp", "header\n 1: 00000000:0044 00000000:0000 07\n");
  EXPECT_FALSE(UpdateStatus("udp_queues", ProcAt(bad)).ok());
}

}  // namespace
}  // namespace exporter::testing
