// Tests of the sockstat collector on tests/fixtures/proc/net/sockstat{,6}.
#include <unistd.h>

#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(SockstatCollectorTest, Ipv4AndIpv6) {
  MetricSink s = RunCollector("sockstat");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_sockets_used"), 1843);
  EXPECT_EQ(s.Find("node_sockstat_sockets_used")->help, "Number of IPv4 sockets in use.");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP_inuse"), 127);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP_orphan"), 3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP_tw"), 41);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP_alloc"), 152);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP_mem"), 86);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP_mem_bytes"), 86.0 * sysconf(_SC_PAGESIZE));
  EXPECT_EQ(s.Find("node_sockstat_TCP_mem_bytes")->help,
            "Number of TCP sockets in state mem_bytes.");
  EXPECT_EQ(s.Find("node_sockstat_TCP_mem_bytes")->type, prometheus::MetricType::Gauge);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_UDP_mem_bytes"), 7.0 * sysconf(_SC_PAGESIZE));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_FRAG_memory"), 1536);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_RAW_inuse"), 2);
  EXPECT_EQ(s.Find("node_sockstat_RAW_orphan"), nullptr);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP6_inuse"), 38);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_UDP6_inuse"), 6);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_RAW6_inuse"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_FRAG6_memory"), 0);
  // sockets_used, TCP 6, UDP 3, UDPLITE 1, RAW 1, FRAG 2, five IPv6 inuse, FRAG6 memory.
  EXPECT_EQ(s.families().size(), 20u);
}

TEST(SockstatCollectorTest, MissingFilesAreSkipped) {
  ScratchDir d;
  d.Write("net/sockstat6", "TCP6: inuse 5\n");
  MetricSink s = RunCollector("sockstat", ProcAt(d));
  EXPECT_EQ(s.families().size(), 1u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_sockstat_TCP6_inuse"), 5);
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("sockstat", ProcAt(empty)).ok());
}

TEST(SockstatCollectorTest, MalformedLineFails) {
  ScratchDir d;
  d.Write("net/sockstat", "TCP: inuse 5 orphan\n");
  EXPECT_FALSE(UpdateStatus("sockstat", ProcAt(d)).ok());
}

}  // namespace
}  // namespace exporter::testing
