// Tests of the zfs collector on tests/fixtures/proc/spl/kstat/zfs.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(ZfsCollectorTest, ModuleKstats) {
  MetricSink s = RunCollector("zfs");
  const auto* hits = s.Find("node_zfs_arc_hits");
  ASSERT_NE(hits, nullptr);
  EXPECT_EQ(hits->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(hits->help, "kstat.zfs.misc.arcstats.hits");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_arc_hits"), 3);
  // Only uint64 kstats are exported, not int64 ones.
  EXPECT_EQ(s.Find("node_zfs_arc_memory_available_bytes"), nullptr);
  // '-' in kstat names becomes '_'; the HELP keeps the kstat name.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_fm_erpt_dropped"), 773932);
  EXPECT_EQ(s.Find("node_zfs_fm_erpt_dropped")->help, "kstat.zfs.misc.fm.erpt-dropped");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_zfetch_hits"), 746126922);
  EXPECT_NE(s.Find("node_zfs_abd_struct_size"), nullptr);
  EXPECT_NE(s.Find("node_zfs_dmu_tx_dmu_tx_assigned"), nullptr);
  EXPECT_NE(s.Find("node_zfs_dnode_dnode_hold_dbuf_hold"), nullptr);
  EXPECT_NE(s.Find("node_zfs_vdev_mirror_rotating_linear"), nullptr);
  EXPECT_NE(s.Find("node_zfs_zil_zil_commit_count"), nullptr);
  // node_exporter 1.5 looks for "dbuf_stats", not the kernel's dbufstats.
  EXPECT_EQ(s.Find("node_zfs_dbuf_hash_hits"), nullptr);
  // 157 module uint64 kstats, 12 io, 6 objset and the state family.
  EXPECT_EQ(s.families().size(), 176u);
}

TEST(ZfsCollectorTest, Pools) {
  MetricSink s = RunCollector("zfs");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_zpool_nwritten", {{"zpool", "backup"}}), 19);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_zpool_wlentime", {{"zpool", "backup"}}), 11970258);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_zpool_rcnt", {{"zpool", "backup"}}), 835);
  EXPECT_EQ(s.Find("node_zfs_zpool_rcnt")->help, "kstat.zfs.misc.io.rcnt");
  EXPECT_EQ(SeriesCount(s, "node_zfs_zpool_nread"), 2u);
  // Datasets: the dataset name is the first word of dataset_name.
  EXPECT_EQ(SeriesCount(s, "node_zfs_zpool_dataset_nread"), 4u);
  EXPECT_TRUE(
      Value(s, "node_zfs_zpool_dataset_nread", {{"zpool", "tank"}, {"dataset", "tank/vm"}}));
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_zfs_zpool_dataset_nread", {{"zpool", "tank"}, {"dataset", "tank/vm"}}),
      82967);
  EXPECT_EQ(s.Find("node_zfs_zpool_dataset_nread")->help, "kstat.zfs.misc.objset.nread");
  // States: one series per state node_exporter 1.5 knows, 1 for the pool's.
  EXPECT_EQ(SeriesCount(s, "node_zfs_zpool_state"), 12u);
  EXPECT_FALSE(Value(s, "node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "suspended"}}));
  EXPECT_EQ(s.Find("node_zfs_zpool_state")->type, prometheus::MetricType::Gauge);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "online"}}),
                   1);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_zfs_zpool_state", {{"zpool", "backup"}, {"state", "degraded"}}), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_zfs_zpool_state", {{"zpool", "backup"}, {"state", "online"}}),
                   0);
}

TEST(ZfsCollectorTest, NoZfsAndBadFiles) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("zfs", ProcAt(empty)).IsNotFound());
  // The directory alone: nothing to report, success.
  ScratchDir dir;
  dir.MakeDir("spl/kstat/zfs");
  EXPECT_TRUE(UpdateStatus("zfs", ProcAt(dir)).ok());
  ScratchDir noheader;
  noheader.Write("spl/kstat/zfs/arcstats", "hits 4 12\n");
  EXPECT_FALSE(UpdateStatus("zfs", ProcAt(noheader)).ok());
  ScratchDir badvalue;
  badvalue.Write("spl/kstat/zfs/arcstats", "name type data\nhits 4 x\n");
  EXPECT_FALSE(UpdateStatus("zfs", ProcAt(badvalue)).ok());
}

}  // namespace
}  // namespace exporter::testing
