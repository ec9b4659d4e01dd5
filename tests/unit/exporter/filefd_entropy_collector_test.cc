// Tests of the filefd and entropy collectors on tests/fixtures/proc/sys.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(FilefdCollectorTest, AllocatedAndMaximum) {
  MetricSink s = RunCollector("filefd");
  EXPECT_EQ(s.families().size(), 2u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_filefd_allocated"), 7328);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_filefd_maximum"), 9223372036854775807.0);
  EXPECT_EQ(s.Find("node_filefd_maximum")->help, "File descriptor statistics: maximum.");
  EXPECT_EQ(s.Find("node_filefd_allocated")->type, prometheus::MetricType::Gauge);
}

TEST(FilefdCollectorTest, MissingOrShortFileFails) {
  ScratchDir empty;
  EXPECT_FALSE(UpdateStatus("filefd", ProcAt(empty)).ok());
  ScratchDir d;
  d.Write("sys/fs/file-nr", "12\t0\n");
  EXPECT_FALSE(UpdateStatus("filefd", ProcAt(d)).ok());
}

TEST(EntropyCollectorTest, AvailableAndPoolSize) {
  MetricSink s = RunCollector("entropy");
  EXPECT_EQ(s.families().size(), 2u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_entropy_available_bits"), 3517);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_entropy_pool_size_bits"), 4096);
  EXPECT_EQ(s.Find("node_entropy_pool_size_bits")->help, "Bits of entropy pool.");
}

TEST(EntropyCollectorTest, MissingFiles) {
  ScratchDir empty;
  EXPECT_FALSE(UpdateStatus("entropy", ProcAt(empty)).ok());
  // Without poolsize the available bits are still reported, and it fails.
  ScratchDir d;
  d.Write("sys/kernel/random/entropy_avail", "256\n");
  MetricSink s;
  auto st = RegisteredCollectors().at("entropy").factory(ProcAt(d))->Update(s);
  EXPECT_FALSE(st.ok());
  EXPECT_DOUBLE_EQ(MustValue(s, "node_entropy_available_bits"), 256);
  EXPECT_EQ(s.Find("node_entropy_pool_size_bits"), nullptr);
}

}  // namespace
}  // namespace exporter::testing
