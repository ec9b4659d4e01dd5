// Tests of the cpu collector's --collector.cpu.info part (CollectCpuInfo) on
// tests/fixtures/proc/cpuinfo.
#include "exporter/collectors/linux/cpu_info.h"
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

MetricSink Collect(const CollectorConfig& c, common::Status* status = nullptr) {
  MetricSink s;
  common::Status st = CollectCpuInfo(c, s);
  if (status) {
    *status = st;
  } else {
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return s;
}

TEST(CpuInfoTest, OffByDefault) {
  MetricSink s = Collect(FixtureConfig());
  EXPECT_TRUE(s.families().empty());
}

TEST(CpuInfoTest, InfoPerProcessor) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.cpu.info"] = "true";
  MetricSink s = Collect(c);
  const auto* f = s.Find("node_cpu_info");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(f->help, "CPU information from /proc/cpuinfo.");
  ASSERT_EQ(f->metric.size(), 2u);
  EXPECT_EQ(MustValue(s, "node_cpu_info",
                      {{"package", "0"},
                       {"core", "1"},
                       {"cpu", "1"},
                       {"vendor", "GenuineIntel"},
                       {"family", "6"},
                       {"model", "79"},
                       {"model_name", "Intel(R) Xeon(R) CPU E5-2650 v4 @ 2.20GHz"},
                       {"microcode", "0xb000040"},
                       {"stepping", "1"},
                       {"cachesize", "30720 KB"}}),
            1);
  EXPECT_EQ(f->metric[0].label.size(), 10u);
  // Without include patterns there are no flag or bug series.
  EXPECT_EQ(s.Find("node_cpu_flag_info"), nullptr);
  EXPECT_EQ(s.Find("node_cpu_bug_info"), nullptr);
}

TEST(CpuInfoTest, IncludePatternsEnableInfoAndFilter) {
  CollectorConfig c = FixtureConfig();
  // A match anywhere counts: "avx" also selects avx2, "spectre" both variants.
  c.flags["collector.cpu.info.flags-include"] = "aes|avx";
  c.flags["collector.cpu.info.bugs-include"] = "spectre";
  MetricSink s = Collect(c);
  EXPECT_EQ(SeriesCount(s, "node_cpu_info"), 2u);
  EXPECT_EQ(SeriesCount(s, "node_cpu_flag_info"), 3u);
  EXPECT_EQ(MustValue(s, "node_cpu_flag_info", {{"flag", "aes"}}), 1);
  EXPECT_EQ(MustValue(s, "node_cpu_flag_info", {{"flag", "avx"}}), 1);
  EXPECT_EQ(MustValue(s, "node_cpu_flag_info", {{"flag", "avx2"}}), 1);
  EXPECT_EQ(SeriesCount(s, "node_cpu_bug_info"), 2u);
  EXPECT_EQ(MustValue(s, "node_cpu_bug_info", {{"bug", "spectre_v2"}}), 1);
  EXPECT_EQ(s.Find("node_cpu_bug_info")->help,
            "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.");
}

TEST(CpuInfoTest, FlagsOfTheFirstProcessorOnly) {
  ScratchDir proc;
  proc.Write("cpuinfo",
             "\nprocessor\t: 0\nflags\t\t: fpu sse\n\nprocessor\t: 0x1\nflags\t\t: fpu sse2\n");
  CollectorConfig c = ProcAt(proc);
  c.flags["collector.cpu.info.flags-include"] = ".";
  MetricSink s = Collect(c);
  EXPECT_EQ(SeriesCount(s, "node_cpu_flag_info"), 2u);
  EXPECT_FALSE(Value(s, "node_cpu_flag_info", {{"flag", "sse2"}}));
  // "0x1" is hexadecimal to procfs; fields absent from the file are "".
  EXPECT_EQ(MustValue(s, "node_cpu_info", {{"cpu", "1"}, {"vendor", ""}, {"package", ""}}), 1);
}

TEST(CpuInfoTest, Failures) {
  const std::string kBad[] = {
      "",
      "vendor_id\t: GenuineIntel\nprocessor\t: 0\n",
      "processor\t: zero\n",
      "processor\t: 0\ncpu MHz\t\t: fast\n",
      "processor\t: 0\nsiblings\t: -2\n",
  };
  for (const std::string& text : kBad) {
    SCOPED_TRACE(text);
    ScratchDir proc;
    proc.Write("cpuinfo", text);
    CollectorConfig c = ProcAt(proc);
    c.flags["collector.cpu.info"] = "true";
    common::Status st;
    MetricSink s = Collect(c, &st);
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(s.families().empty());
  }
  ScratchDir proc;  // no cpuinfo at all
  CollectorConfig c = ProcAt(proc);
  c.flags["collector.cpu.info"] = "true";
  common::Status st;
  Collect(c, &st);
  EXPECT_FALSE(st.ok());

  CollectorConfig bad_re = FixtureConfig();
  bad_re.flags["collector.cpu.info.bugs-include"] = "(";
  Collect(bad_re, &st);
  EXPECT_FALSE(st.ok());
}

TEST(CpuInfoTest, ArmLayout) {
  ScratchDir proc;
  proc.Write("cpuinfo",
             "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm crc32\n"
             "CPU implementer\t: 0x41\n\nprocessor\t: 1\nBogoMIPS\t: 48.00\n"
             "Features\t: fp asimd evtstrm aes crc32\nCPU implementer\t: 0x41\n");
  CollectorConfig c = ProcAt(proc);
  c.flags["collector.cpu.info.flags-include"] = "^(aes|fp)$";
  MetricSink s;
  ASSERT_TRUE(CollectCpuInfoAs(CpuInfoFormat::kArm, c, s).ok());
  EXPECT_EQ(SeriesCount(s, "node_cpu_info"), 2u);
  EXPECT_EQ(MustValue(s, "node_cpu_info", {{"cpu", "1"}, {"vendor", ""}, {"model_name", ""}}), 1);
  // Every CPU has the last Features line: aes shows up though cpu0 lacks it.
  EXPECT_EQ(SeriesCount(s, "node_cpu_flag_info"), 2u);
  EXPECT_EQ(MustValue(s, "node_cpu_flag_info", {{"flag", "aes"}}), 1);

  // Old 32-bit kernels: a "Processor" model header, one BogoMIPS line per CPU.
  proc.Write("cpuinfo",
             "Processor\t: ARMv7 Processor rev 4 (v7l)\nBogoMIPS\t: 38.40\n"
             "Features\t: half thumb fastmult vfp\nHardware\t: BCM2835\n");
  MetricSink old;
  ASSERT_TRUE(CollectCpuInfoAs(CpuInfoFormat::kArm, c, old).ok());
  EXPECT_EQ(MustValue(old, "node_cpu_info",
                      {{"cpu", "0"}, {"model_name", "ARMv7 Processor rev 4 (v7l)"}}),
            1);

  // No Features line: node_exporter crashes; here the collector fails.
  proc.Write("cpuinfo", "processor\t: 0\nBogoMIPS\t: 48.00\n");
  MetricSink none;
  EXPECT_FALSE(CollectCpuInfoAs(CpuInfoFormat::kArm, c, none).ok());
}

}  // namespace
}  // namespace exporter::testing
