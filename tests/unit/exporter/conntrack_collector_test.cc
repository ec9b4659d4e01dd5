// Tests of the conntrack collector on tests/fixtures/proc/sys/net/netfilter and
// tests/fixtures/proc/net/stat/nf_conntrack.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(ConntrackCollectorTest, EntriesAndSummedStats) {
  MetricSink s = RunCollector("conntrack");
  EXPECT_EQ(s.families().size(), 10u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_entries"), 2319);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_entries_limit"), 262144);
  EXPECT_EQ(s.Find("node_nf_conntrack_entries_limit")->help,
            "Maximum size of connection tracking table.");
  // Summed over the four CPU lines (hex).
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_found"), 166205);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_invalid"), 13099);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_ignore"), 496862);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_insert"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_insert_failed"), 3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_drop"), 3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_early_drop"), 3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_stat_search_restart"), 134);
  EXPECT_EQ(s.Find("node_nf_conntrack_stat_found")->type, prometheus::MetricType::Gauge);
}

TEST(ConntrackCollectorTest, NotLoadedIsNotFound) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("conntrack", ProcAt(empty)).IsNotFound());
  // Count and limit present but no stat file: still NotFound, after the two.
  ScratchDir d;
  d.Write("sys/net/netfilter/nf_conntrack_count", "12\n");
  d.Write("sys/net/netfilter/nf_conntrack_max", "65536\n");
  MetricSink s;
  auto st = RegisteredCollectors().at("conntrack").factory(ProcAt(d))->Update(s);
  EXPECT_TRUE(st.IsNotFound());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_nf_conntrack_entries"), 12);
  ScratchDir bad;
  bad.Write("sys/net/netfilter/nf_conntrack_count", "x\n");
  auto st2 = UpdateStatus("conntrack", ProcAt(bad));
  EXPECT_FALSE(st2.ok());
  EXPECT_FALSE(st2.IsNotFound());
}

}  // namespace
}  // namespace exporter::testing
