// Tests of the meminfo_numa collector on tests/fixtures/sys/devices/system/node.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(MeminfoNumaCollectorTest, PerNodeMeminfoAndNumastat) {
  MetricSink s = RunCollector("meminfo_numa");
  // 35 meminfo fields and 6 numastat counters per node.
  EXPECT_EQ(s.families().size(), 41u);
  EXPECT_EQ(MustValue(s, "node_memory_numa_MemTotal", {{"node", "0"}}), 1918848.0 * 1024);
  EXPECT_EQ(MustValue(s, "node_memory_numa_MemTotal", {{"node", "1"}}), 1823300.0 * 1024);
  EXPECT_EQ(MustValue(s, "node_memory_numa_Active_anon", {{"node", "1"}}), 520340.0 * 1024);
  EXPECT_EQ(MustValue(s, "node_memory_numa_Inactive_file", {{"node", "0"}}), 457208.0 * 1024);
  // Page counts have no unit: not scaled.
  EXPECT_EQ(MustValue(s, "node_memory_numa_HugePages_Free", {{"node", "0"}}), 12);
  EXPECT_EQ(MustValue(s, "node_memory_numa_numa_hit_total", {{"node", "0"}}), 193460335);
  EXPECT_EQ(MustValue(s, "node_memory_numa_numa_foreign_total", {{"node", "1"}}), 126245);
  EXPECT_EQ(MustValue(s, "node_memory_numa_other_node_total", {{"node", "1"}}), 620495);

  const auto* mt = s.Find("node_memory_numa_MemTotal");
  ASSERT_NE(mt, nullptr);
  EXPECT_EQ(mt->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(mt->help, "Memory information field MemTotal.");
  const auto* hit = s.Find("node_memory_numa_numa_hit_total");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->type, prometheus::MetricType::Counter);
  EXPECT_EQ(hit->help, "Memory information field numa_hit_total.");
  EXPECT_EQ(hit->metric.size(), 2u);
}

TEST(MeminfoNumaCollectorTest, NoNodesIsNoSamplesButSuccess) {
  ScratchDir sys;
  MetricSink s = RunCollector("meminfo_numa", SysAt(sys));
  EXPECT_TRUE(s.families().empty());
}

TEST(MeminfoNumaCollectorTest, LabelsComeFromLineAndDirectory) {
  ScratchDir sys;
  // The meminfo line names node 3; numastat takes the directory's number.
  sys.Write("devices/system/node/node12/meminfo",
            "Node 3 MemFree:   10 kB\nNode 3 Active(file):  7 kB\n");
  sys.Write("devices/system/node/node12/numastat", "numa_hit 5\n");
  sys.Write("devices/system/node/nodeX/meminfo", "garbage\n");  // not node[0-9]*
  MetricSink s = RunCollector("meminfo_numa", SysAt(sys));
  EXPECT_EQ(MustValue(s, "node_memory_numa_MemFree", {{"node", "3"}}), 10240);
  EXPECT_EQ(MustValue(s, "node_memory_numa_Active_file", {{"node", "3"}}), 7168);
  EXPECT_EQ(MustValue(s, "node_memory_numa_numa_hit_total", {{"node", "12"}}), 5);
}

TEST(MeminfoNumaCollectorTest, BadFilesFailWithoutSamples) {
  const std::pair<std::string, std::string> kBad[] = {
      {"Node 0 MemFree: 10 MB\n", "numa_hit 5\n"},
      {"Node 0 MemFree: ten kB\n", "numa_hit 5\n"},
      {"Node 0 MemFree: 10 kB\n", "numa_hit 5 6\n"},
      {"Node 0 MemFree: 10 kB\n", "numa_hit x\n"},
  };
  for (const auto& [meminfo, numastat] : kBad) {
    SCOPED_TRACE(meminfo + numastat);
    ScratchDir sys;
    sys.Write("devices/system/node/node0/meminfo", "Node 0 MemTotal: 20 kB\n");
    sys.Write("devices/system/node/node0/numastat", "numa_hit 1\n");
    sys.Write("devices/system/node/node1/meminfo", meminfo);
    sys.Write("devices/system/node/node1/numastat", numastat);
    MetricSink s;
    auto st = RegisteredCollectors().at("meminfo_numa").factory(SysAt(sys))->Update(s);
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(s.families().empty());
  }
  ScratchDir sys;
  sys.Write("devices/system/node/node0/meminfo", "Node 0 MemTotal: 20 kB\n");
  EXPECT_FALSE(UpdateStatus("meminfo_numa", SysAt(sys)).ok());  // no numastat
}

}  // namespace
}  // namespace exporter::testing
