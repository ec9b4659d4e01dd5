// Tests of the ipvs collector on tests/fixtures/proc/net/ip_vs{,_stats}.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(IpvsCollectorTest, TotalsAndBackends) {
  MetricSink s = RunCollector("ipvs");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_connections_total"), 0x2B9F1C);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_incoming_packets_total"), 0xC3E90A7);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_outgoing_packets_total"), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_incoming_bytes_total"), 0x1F3A2B4C5D6);
  EXPECT_EQ(s.Find("node_ipvs_incoming_bytes_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(SeriesCount(s, "node_ipvs_backend_weight"), 9u);
  LabelPairs first = {
      {"local_address", "10.0.0.10"}, {"local_port", "443"}, {"remote_address", "10.0.1.21"},
      {"remote_port", "443"},         {"proto", "TCP"},      {"local_mark", ""}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_connections_active", first), 412);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_connections_inactive", first), 37);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_weight", first), 100);
  LabelPairs v6 = {{"local_address", "2001:db8::10"},
                   {"remote_address", "2001:db8::1:21"},
                   {"remote_port", "443"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_connections_active", v6), 33);
  LabelPairs fwm = {{"local_address", ""},
                    {"local_port", "0"},
                    {"proto", "FWM"},
                    {"local_mark", "00000064"},
                    {"remote_address", "10.0.1.25"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_connections_active", fwm), 7);
  const auto* f = s.Find("node_ipvs_backend_weight");
  for (const auto& m : f->metric) EXPECT_EQ(m.label.size(), 6u);
}

TEST(IpvsCollectorTest, BackendLabelsFlagSums) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.ipvs.backend-labels"] = "local_port,local_address";
  MetricSink s = RunCollector("ipvs", c);
  EXPECT_EQ(SeriesCount(s, "node_ipvs_backend_weight"), 5u);
  LabelPairs https = {{"local_address", "10.0.0.10"}, {"local_port", "443"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_connections_active", https), 1011);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_connections_inactive", https), 87);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_weight", https), 250);
  LabelPairs fwm = {{"local_address", ""}, {"local_port", "0"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_ipvs_backend_weight", fwm), 40);
  for (const auto& m : s.Find("node_ipvs_backend_weight")->metric) {
    EXPECT_EQ(m.label.size(), 2u);
  }
  c.flags["collector.ipvs.backend-labels"] = "local_port,bogus";
  EXPECT_FALSE(UpdateStatus("ipvs", c).ok());
}

TEST(IpvsCollectorTest, NoIpvs) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("ipvs", ProcAt(empty)).IsNotFound());
  ScratchDir short_stats;
  short_stats.Write("net/ip_vs_stats", "header\n");
  EXPECT_FALSE(UpdateStatus("ipvs", ProcAt(short_stats)).ok());
}

}  // namespace
}  // namespace exporter::testing
