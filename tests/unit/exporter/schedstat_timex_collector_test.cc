// Tests of the schedstat collector on tests/fixtures/proc/schedstat, and of
// the timex collector against the live kernel.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(SchedstatCollectorTest, PerCpuSeconds) {
  MetricSink s = RunCollector("schedstat");
  EXPECT_EQ(s.families().size(), 3u);
  EXPECT_EQ(SeriesCount(s, "node_schedstat_running_seconds_total"), 4u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_schedstat_running_seconds_total", {{"cpu", "0"}}),
                   2045936.778163039);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_schedstat_waiting_seconds_total", {{"cpu", "0"}}),
                   343796.328169361);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_schedstat_timeslices_total", {{"cpu", "0"}}), 4767485306);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_schedstat_running_seconds_total", {{"cpu", "3"}}),
                   1690477.123044621);
  EXPECT_EQ(s.Find("node_schedstat_timeslices_total")->type, prometheus::MetricType::Counter);
}

TEST(SchedstatCollectorTest, MissingFileIsNotFound) {
  ScratchDir empty;
  EXPECT_TRUE(UpdateStatus("schedstat", ProcAt(empty)).IsNotFound());
}

TEST(TimexCollectorTest, Families) {
  MetricSink s = RunCollector("timex");
  EXPECT_EQ(s.families().size(), 17u);
  double sync = MustValue(s, "node_timex_sync_status");
  EXPECT_TRUE(sync == 0 || sync == 1);
  EXPECT_GT(MustValue(s, "node_timex_tick_seconds"), 0);
  EXPECT_EQ(s.Find("node_timex_pps_jitter_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(s.Find("node_timex_offset_seconds")->type, prometheus::MetricType::Gauge);
}

}  // namespace
}  // namespace exporter::testing
