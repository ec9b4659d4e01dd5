// Tests of the mdadm collector on tests/fixtures/proc/mdstat.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

double State(const MetricSink& s, const char* dev, const char* state) {
  return MustValue(s, "node_md_state", {{"device", dev}, {"state", state}});
}
double Disks(const MetricSink& s, const char* dev, const char* state) {
  return MustValue(s, "node_md_disks", {{"device", dev}, {"state", state}});
}

TEST(MdadmCollectorTest, Arrays) {
  MetricSink s = RunCollector("mdadm");
  EXPECT_EQ(SeriesCount(s, "node_md_blocks"), 7u);
  EXPECT_EQ(SeriesCount(s, "node_md_state"), 35u);
  EXPECT_EQ(s.Find("node_md_state")->help, "Indicates the state of md-device.");
  // md0: clean raid1 with a bitmap.
  EXPECT_DOUBLE_EQ(State(s, "md0", "active"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_disks_required", {{"device", "md0"}}), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_blocks_synced", {{"device", "md0"}}), 1046528);
  // md1: degraded raid5 recovering, one failed and one spare disk.
  EXPECT_DOUBLE_EQ(State(s, "md1", "recovering"), 1);
  EXPECT_DOUBLE_EQ(State(s, "md1", "active"), 0);
  EXPECT_DOUBLE_EQ(Disks(s, "md1", "active"), 3);
  EXPECT_DOUBLE_EQ(Disks(s, "md1", "failed"), 1);
  EXPECT_DOUBLE_EQ(Disks(s, "md1", "spare"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_disks_required", {{"device", "md1"}}), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_blocks", {{"device", "md1"}}), 5860270080);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_blocks_synced", {{"device", "md1"}}), 555128704);
  EXPECT_DOUBLE_EQ(State(s, "md2", "resync"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_blocks_synced", {{"device", "md2"}}), 252374016);
  EXPECT_DOUBLE_EQ(State(s, "md3", "check"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_blocks_synced", {{"device", "md3"}}), 2393741632);
  // raid0: member disks counted from the device line.
  EXPECT_DOUBLE_EQ(Disks(s, "md4", "active"), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_disks_required", {{"device", "md4"}}), 2);
  EXPECT_DOUBLE_EQ(State(s, "md5", "inactive"), 1);
  EXPECT_DOUBLE_EQ(Disks(s, "md5", "spare"), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_disks_required", {{"device", "md5"}}), 0);
  // resync=DELAYED: nothing synced yet.
  EXPECT_DOUBLE_EQ(State(s, "md6", "resync"), 1);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_md_blocks_synced", {{"device", "md6"}}), 0);
}

TEST(MdadmCollectorTest, MissingAndMalformed) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("mdadm", ProcAt(empty)).IsNotFound());
  ScratchDir bad;
  bad.Write("mdstat", "md0 : active raid1 sda1[0]\n      12 blocks [2/x] [U_]\n\n\n");
  auto st = UpdateStatus("mdadm", ProcAt(bad));
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsNotFound());
}

}  // namespace
}  // namespace exporter::testing
