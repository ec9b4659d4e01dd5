// Tests of the netstat collector on tests/fixtures/proc/net/{netstat,snmp,snmp6}.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(NetstatCollectorTest, DefaultFieldsFromAllThreeFiles) {
  MetricSink s = RunCollector("netstat");
  // 40 fields of the fixture match node_exporter's default regexp.
  EXPECT_EQ(s.families().size(), 40u);
  const auto* f = s.Find("node_netstat_TcpExt_ListenDrops");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(f->help, "Statistic TcpExtListenDrops.");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_TcpExt_ListenDrops"), 4639611);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_TcpExt_TCPTimeouts"), 2997213);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_IpExt_InOctets"), 456089514682);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Tcp_InErrs"), 5968806);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Tcp_RetransSegs"), 9976293);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Udp_NoPorts"), 332293);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Icmp_InMsgs"), 6573527);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Ip_Forwarding"), 1);
  // snmp6: the protocol ends at the first '6'.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Ip6_InOctets"), 934940350413);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Udp6_RcvbufErrors"), 7288977);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_UdpLite6_InErrors"), 673);
  EXPECT_EQ(s.Find("node_netstat_Icmp6_InMsgs")->help, "Statistic Icmp6InMsgs.");
  // Not matched by the default regexp.
  EXPECT_EQ(s.Find("node_netstat_Tcp_MaxConn"), nullptr);
  EXPECT_EQ(s.Find("node_netstat_Ip6_InReceives"), nullptr);
}

TEST(NetstatCollectorTest, FieldsFlag) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.netstat.fields"] = "^Tcp_(MaxConn|RtoMin)$";
  MetricSink s = RunCollector("netstat", c);
  EXPECT_EQ(s.families().size(), 2u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Tcp_MaxConn"), -1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Tcp_RtoMin"), 200);
}

TEST(NetstatCollectorTest, Snmp6IsOptionalOthersAreNot) {
  ScratchDir d;
  d.Write("net/netstat", "TcpExt: ListenDrops TCPTimeouts\nTcpExt: 3 4\n");
  d.Write("net/snmp", "Udp: InDatagrams NoPorts\nUdp: 10 2\n");
  MetricSink s = RunCollector("netstat", ProcAt(d));
  EXPECT_EQ(s.families().size(), 4u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_netstat_Udp_InDatagrams"), 10);

  ScratchDir no_snmp;
  no_snmp.Write("net/netstat", "TcpExt: ListenDrops\nTcpExt: 3\n");
  EXPECT_FALSE(UpdateStatus("netstat", ProcAt(no_snmp)).ok());
  EXPECT_FALSE(UpdateStatus("netstat", ProcAt(no_snmp)).IsNotFound());
  ScratchDir empty;
  EXPECT_FALSE(UpdateStatus("netstat", ProcAt(empty)).ok());
}

TEST(NetstatCollectorTest, MismatchedColumnsFail) {
  ScratchDir d;
  d.Write("net/netstat", "TcpExt: ListenDrops TCPTimeouts\nTcpExt: 3\n");
  d.Write("net/snmp", "Udp: InDatagrams\nUdp: 10\n");
  EXPECT_FALSE(UpdateStatus("netstat", ProcAt(d)).ok());
  ScratchDir bad;
  bad.Write("net/netstat", "TcpExt: ListenDrops\nTcpExt: x\n");
  bad.Write("net/snmp", "Udp: InDatagrams\nUdp: 10\n");
  EXPECT_FALSE(UpdateStatus("netstat", ProcAt(bad)).ok());
}

}  // namespace
}  // namespace exporter::testing
