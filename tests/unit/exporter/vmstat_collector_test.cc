// Tests of the vmstat collector on tests/fixtures/proc/vmstat.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(VmstatCollectorTest, DefaultFields) {
  MetricSink s = RunCollector("vmstat");
  // oom_kill, pgpgin, pgpgout, pswpin, pswpout, pgfault, pgmajfault.
  EXPECT_EQ(s.families().size(), 7u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_vmstat_pgpgin"), 270);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_vmstat_pgpgout"), 537);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_vmstat_pgmajfault"), 45534);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_vmstat_oom_kill"), 0);
  EXPECT_EQ(s.Find("node_vmstat_pgfault")->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(s.Find("node_vmstat_pgfault")->help, "/proc/vmstat information field pgfault.");
  EXPECT_EQ(s.Find("node_vmstat_nr_free_pages"), nullptr);
}

TEST(VmstatCollectorTest, FieldsFlagAndErrors) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.vmstat.fields"] = "^nr_(free|zone_inactive)";
  MetricSink s = RunCollector("vmstat", c);
  EXPECT_NE(s.Find("node_vmstat_nr_free_pages"), nullptr);
  EXPECT_NE(s.Find("node_vmstat_nr_zone_inactive_anon"), nullptr);
  EXPECT_EQ(s.Find("node_vmstat_pgpgin"), nullptr);

  ScratchDir empty;
  EXPECT_FALSE(UpdateStatus("vmstat", ProcAt(empty)).ok());
  ScratchDir bad;
  bad.Write("vmstat", "nr_free_pages abc\npgpgin 5\n");
  EXPECT_FALSE(UpdateStatus("vmstat", ProcAt(bad)).ok());
}

}  // namespace
}  // namespace exporter::testing
