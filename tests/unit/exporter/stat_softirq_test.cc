// Tests of the stat collector's --collector.stat.softirq part on
// tests/fixtures/proc/stat.
#include "exporter/collectors/linux/stat_softirq.h"
#include "tests/unit/exporter/collector_test_util.h"

namespace exporter::testing {
namespace {

TEST(StatSoftirqTest, VectorsWhenEnabled) {
  std::string text;
  ASSERT_TRUE(common::ReadFileToString(FixtureConfig().paths.Proc("stat"), &text));
  auto parsed = ParseStatSoftirqs(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->total, 5057579u);

  MetricSink off;
  EmitStatSoftirqs(FixtureConfig(), *parsed, off);
  EXPECT_TRUE(off.families().empty());

  CollectorConfig c = FixtureConfig();
  c.flags["collector.stat.softirq"] = "true";
  MetricSink s;
  EmitStatSoftirqs(c, *parsed, s);
  const auto* f = s.Find("node_softirqs_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, prometheus::MetricType::Counter);
  EXPECT_EQ(f->help, "Number of softirq calls.");
  EXPECT_EQ(f->metric.size(), 10u);
  EXPECT_EQ(MustValue(s, "node_softirqs_total", {{"vector", "hi"}}), 250191);
  EXPECT_EQ(MustValue(s, "node_softirqs_total", {{"vector", "net_tx"}}), 1647);
  EXPECT_EQ(MustValue(s, "node_softirqs_total", {{"vector", "block_iopoll"}}), 0);
  EXPECT_EQ(MustValue(s, "node_softirqs_total", {{"vector", "tasklet"}}), 1783454);
  EXPECT_EQ(MustValue(s, "node_softirqs_total", {{"vector", "sched"}}), 622196);
  EXPECT_EQ(MustValue(s, "node_softirqs_total", {{"vector", "rcu"}}), 508444);
}

TEST(StatSoftirqTest, MissingLineIsZeroMalformedIsError) {
  auto none = ParseStatSoftirqs("ctxt 12\n");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->total, 0u);
  EXPECT_FALSE(ParseStatSoftirqs("softirq 1 2 3\n").ok());
  EXPECT_FALSE(ParseStatSoftirqs("softirq 1 2 3 4 5 6 7 8 9 10 x\n").ok());
  EXPECT_TRUE(ParseStatSoftirqs("softirq 1 2 3 4 5 6 7 8 9 10 11 12\n").ok());
}

}  // namespace
}  // namespace exporter::testing
