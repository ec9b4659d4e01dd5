// Tests of the textfile collector: tests/fixtures/textfile (also compared with
// node_exporter itself in tests/integration/node_exporter_diff_test.cc) and
// scratch directories for globs, missing directories and malformed files.
#include <cmath>

#include "tests/unit/exporter/collector_test_util.h"
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

const std::string kDir = MS_SOURCE_DIR "/tests/fixtures/textfile";

CollectorConfig TextfileAt(const std::string& dir) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.textfile.directory"] = dir;
  return c;
}

TEST(TextfileCollectorTest, FixtureFiles) {
  MetricSink s = RunCollector("textfile", TextfileAt(kDir));
  // A file that does not parse and a file with timestamps are skipped whole.
  EXPECT_DOUBLE_EQ(MustValue(s, "node_textfile_scrape_error"), 1);
  EXPECT_FALSE(Value(s, "raid_ok").has_value());
  EXPECT_FALSE(Value(s, "smart_temperature_celsius").has_value());
  EXPECT_EQ(SeriesCount(s, "node_textfile_mtime_seconds"), 2u);
  EXPECT_GT(MustValue(s, "node_textfile_mtime_seconds", {{"file", kDir + "/app.prom"}}), 1e9);

  // Every metric of a family carries every label name used in it.
  EXPECT_DOUBLE_EQ(MustValue(s, "backup_last_success_timestamp_seconds",
                             {{"job", "db"}, {"target", ""}}),
                   1.7011968e+09);
  const auto* f = s.Find("backup_last_success_timestamp_seconds");
  ASSERT_NE(f, nullptr);
  for (const auto& m : f->metric) EXPECT_EQ(m.label.size(), 2u);
  EXPECT_EQ(f->help, "Unix time of the last successful backup.");

  // No HELP: named after every file the family is in.
  const auto* apt = s.Find("apt_upgrades_pending");
  ASSERT_NE(apt, nullptr);
  EXPECT_EQ(apt->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(apt->help, "Metric read from " + kDir + "/app.prom, " + kDir + "/zz_conflict.prom");
  // zz_conflict.prom repeats one series (dropped) and adds another (kept);
  // its backup_bytes_total has another HELP (dropped): two gathering errors.
  EXPECT_DOUBLE_EQ(
      MustValue(s, "apt_upgrades_pending", {{"arch", "amd64"}, {"origin", "Debian:bookworm-security"}}),
      3);
  EXPECT_DOUBLE_EQ(MustValue(s, "apt_upgrades_pending", {{"arch", "arm64"}}), 1);
  EXPECT_EQ(SeriesCount(s, "backup_bytes_total"), 2u);
  EXPECT_FALSE(Value(s, "backup_bytes_total", {{"job", "nightly"}}).has_value());
  EXPECT_EQ(s.errors(), 2u);

  // Summaries and histograms are assembled from their lines.
  const auto* summary = s.Find("backup_duration_seconds");
  ASSERT_NE(summary, nullptr);
  ASSERT_EQ(summary->type, prometheus::MetricType::Summary);
  ASSERT_EQ(summary->metric.size(), 1u);
  EXPECT_EQ(summary->metric[0].summary.sample_count, 37u);
  EXPECT_DOUBLE_EQ(summary->metric[0].summary.sample_sum, 1830.25);
  ASSERT_EQ(summary->metric[0].summary.quantile.size(), 2u);
  EXPECT_DOUBLE_EQ(summary->metric[0].summary.quantile[1].quantile, 0.9);
  EXPECT_DOUBLE_EQ(summary->metric[0].summary.quantile[1].value, 88);
  const auto* hist = s.Find("backup_chunk_bytes");
  ASSERT_NE(hist, nullptr);
  ASSERT_EQ(hist->type, prometheus::MetricType::Histogram);
  ASSERT_EQ(hist->metric[0].histogram.bucket.size(), 3u);
  EXPECT_EQ(hist->metric[0].histogram.bucket[1].cumulative_count, 52u);
  EXPECT_TRUE(std::isinf(hist->metric[0].histogram.bucket[2].upper_bound));
  EXPECT_EQ(hist->metric[0].histogram.sample_count, 60u);
}

TEST(TextfileCollectorTest, NoDirectoryConfiguredIsNotAnError) {
  MetricSink s = RunCollector("textfile", TextfileAt(""));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_textfile_scrape_error"), 0);
  EXPECT_EQ(s.families().size(), 1u);
}

TEST(TextfileCollectorTest, MissingDirectoryIsAnError) {
  MetricSink s = RunCollector("textfile", TextfileAt("/nonexistent/textfiles"));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_textfile_scrape_error"), 1);
}

TEST(TextfileCollectorTest, GlobOfDirectoriesAndParserRules) {
  ScratchDir d;
  d.Write("a/one.prom", "# TYPE jobs_total counter\njobs_total{q=\"x\"} 4\n");
  d.Write("b/two.prom", "queue_depth 7\n");
  d.Write("b/ignored.txt", "not_read 1\n");
  // Go's expfmt rules: a second TYPE, or TYPE after samples, fails the file.
  d.Write("c/late_type.prom", "late 1\n# TYPE late gauge\n");
  d.Write("c/two_help.prom", "# HELP h one\n# HELP h two\nh 1\n");
  d.Write("c/bad_type.prom", "# TYPE t bogus\nt 1\n");
  MetricSink s = RunCollector("textfile", TextfileAt(d.path() + "/[ab]"));
  EXPECT_DOUBLE_EQ(MustValue(s, "jobs_total", {{"q", "x"}}), 4);
  EXPECT_DOUBLE_EQ(MustValue(s, "queue_depth"), 7);
  EXPECT_FALSE(Value(s, "not_read").has_value());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_textfile_scrape_error"), 0);
  EXPECT_EQ(SeriesCount(s, "node_textfile_mtime_seconds"), 2u);

  MetricSink bad = RunCollector("textfile", TextfileAt(d.path() + "/c"));
  EXPECT_DOUBLE_EQ(MustValue(bad, "node_textfile_scrape_error"), 1);
  EXPECT_FALSE(Value(bad, "late").has_value());
  EXPECT_FALSE(Value(bad, "h").has_value());
  EXPECT_FALSE(Value(bad, "t").has_value());
  EXPECT_EQ(SeriesCount(bad, "node_textfile_mtime_seconds"), 0u);
}

}  // namespace
}  // namespace exporter::testing
