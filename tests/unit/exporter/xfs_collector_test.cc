// Tests of the xfs collector on tests/fixtures/sys/fs/xfs.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(XfsCollectorTest, PerFilesystemCounters) {
  MetricSink s = RunCollector("xfs");
  EXPECT_EQ(s.families().size(), 39u);
  // sda1 and dm-2; the global fs/xfs/stats/stats is no filesystem.
  EXPECT_EQ(SeriesCount(s, "node_xfs_read_calls_total"), 2u);
  EXPECT_EQ(s.Find("node_xfs_read_calls_total")->type, prometheus::MetricType::Counter);
  LabelPairs dm2 = {{"device", "dm-2"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_extent_allocation_extents_freed_total", dm2), 34025974);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_extent_allocation_blocks_freed_total", dm2), 809179);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_allocation_btree_compares_total", dm2), 87945632);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_block_mapping_writes_total", dm2), 74049899);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_block_mapping_extent_list_lookups_total", dm2), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_block_map_btree_records_deleted_total", dm2), 98344419);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_directory_operation_remove_total", dm2), 86354);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_inode_operation_found_total", dm2), 71839454);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_inode_operation_missed_total", dm2), 53397563);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_inode_operation_attribute_changes_total", dm2), 3);
  // "rw <writes> <reads>".
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_read_calls_total", dm2), 8222);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_write_calls_total", dm2), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_vnode_active_total", dm2), 895727);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_vnode_hold_total", dm2), 95799);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_vnode_remove_total", dm2), 2);
  LabelPairs sda1 = {{"device", "sda1"}};
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_read_calls_total", sda1), 280);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_write_calls_total", sda1), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_xfs_inode_operation_reclaims_total", sda1), 29157283);
  EXPECT_EQ(s.Find("node_xfs_vnode_get_total")->help,
            "Number of times vn_get called for a filesystem.");
}

TEST(XfsCollectorTest, NoXfsAndBadFiles) {
  ScratchDir empty;
  MetricSink s = RunCollector("xfs", SysAt(empty));
  EXPECT_TRUE(s.families().empty());
  ScratchDir bad;
  bad.Write("fs/xfs/sdb/stats/stats", "rw 1 2 3\n");
  EXPECT_FALSE(UpdateStatus("xfs", SysAt(bad)).ok());
  ScratchDir big;
  big.Write("fs/xfs/sdb/stats/stats", "rw 1 4294967296\n");
  EXPECT_FALSE(UpdateStatus("xfs", SysAt(big)).ok());
}

}  // namespace
}  // namespace exporter::testing
