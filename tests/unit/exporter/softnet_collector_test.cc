// Tests of the softnet collector on tests/fixtures/proc/net/softnet_stat.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(SoftnetCollectorTest, PerCpuCounters) {
  MetricSink s = RunCollector("softnet");
  EXPECT_EQ(s.families().size(), 3u);
  EXPECT_EQ(SeriesCount(s, "node_softnet_processed_total"), 4u);
  EXPECT_EQ(s.Find("node_softnet_processed_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(s.Find("node_softnet_times_squeezed_total")->help,
            "Number of times processing packets ran out of quota");
  // Hex columns 1-3.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_softnet_processed_total", {{"cpu", "0"}}), 0x0a1b2c3d);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_softnet_dropped_total", {{"cpu", "1"}}), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_softnet_times_squeezed_total", {{"cpu", "1"}}), 0x11);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_softnet_processed_total", {{"cpu", "3"}}), 0x0011fe07);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_softnet_dropped_total", {{"cpu", "3"}}), 0x19);
}

TEST(SoftnetCollectorTest, MissingOrShortFileFails) {
  ScratchDir empty;
  EXPECT_FALSE(UpdateStatus("softnet", ProcAt(empty)).ok());
  ScratchDir d;
  d.Write("net/softnet_stat", "00000001 00000000 00000000 00000000\n");
  EXPECT_FALSE(UpdateStatus("softnet", ProcAt(d)).ok());
}

}  // namespace
}  // namespace exporter::testing
