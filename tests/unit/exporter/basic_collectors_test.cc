// Tests of the cpu, loadavg, meminfo, stat, time and uname collectors on the
// fixture tree tests/fixtures/proc.
#include <sys/utsname.h>

#include <chrono>

#include "tests/unit/exporter/collector_test_util.h"

namespace exporter::testing {
namespace {

TEST(CpuCollectorTest, SecondsPerCpuAndMode) {
  MetricSink s = RunCollector("cpu");
  EXPECT_EQ(SeriesCount(s, "node_cpu_seconds_total"), 16u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}),
                   444.90);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}}),
                   11107.87);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "softirq"}}),
                   34.10);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "steal"}}), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_guest_seconds_total", {{"cpu", "1"}, {"mode", "user"}}),
                   0.42);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_guest_seconds_total", {{"cpu", "1"}, {"mode", "nice"}}),
                   0.33);
  EXPECT_EQ(s.Find("node_cpu_seconds_total")->type, prometheus::MetricType::Counter);
}

TEST(LoadavgCollectorTest, ThreeAverages) {
  MetricSink s = RunCollector("loadavg");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_load1"), 0.21);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_load5"), 0.37);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_load15"), 0.39);
}

TEST(MeminfoCollectorTest, NodeExporterNames) {
  MetricSink s = RunCollector("meminfo");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_memory_MemTotal_bytes"), 3742148.0 * 1024);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_memory_MemAvailable_bytes"), 1425312.0 * 1024);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_memory_Active_anon_bytes"), 1807036.0 * 1024);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_memory_VmallocTotal_bytes"), 34359738367.0 * 1024);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_memory_HugePages_Total"), 0);
  EXPECT_FALSE(Value(s, "node_memory_HugePages_Total_bytes").has_value());
  EXPECT_EQ(s.families().size(), 37u);
}

TEST(StatCollectorTest, KernelCounters) {
  MetricSink s = RunCollector("stat");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_boot_time_seconds"), 1418183276);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_context_switches_total"), 38014093);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_forks_total"), 26442);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_intr_total"), 8885917);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_procs_running"), 2);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_procs_blocked"), 1);
}

TEST(TimeCollectorTest, ClockIsNow) {
  double before =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  MetricSink s = RunCollector("time");
  double after =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double t = MustValue(s, "node_time_seconds");
  EXPECT_GE(t, before);
  EXPECT_LE(t, after);
  EXPECT_EQ(SeriesCount(s, "node_time_zone_offset_seconds"), 1u);
}

TEST(UnameCollectorTest, IdentityFromProcSysKernel) {
  MetricSink s = RunCollector("uname");
  struct utsname u;
  ASSERT_EQ(uname(&u), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_uname_info",
                             {{"nodename", "fixture-host"},
                              {"domainname", "(none)"},
                              {"release", "6.1.0-fixture-amd64"},
                              {"sysname", "Linux"},
                              {"version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-01)"},
                              {"machine", u.machine}}),
                   1);
}

TEST(CollectorFailureTest, MissingFileFailsCollectorNotScrape) {
  CollectorConfig c = FixtureConfig();
  c.paths.procfs = "/nonexistent";
  auto nc = NodeCollector::Create(c, {"loadavg", "time"});
  ASSERT_TRUE(nc.ok());
  MetricSink s;
  (*nc)->Collect(s);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_scrape_collector_success", {{"collector", "loadavg"}}), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_scrape_collector_success", {{"collector", "time"}}), 1);
  EXPECT_TRUE(Value(s, "node_time_seconds").has_value());
  EXPECT_FALSE(Value(s, "node_load1").has_value());
}

TEST(CollectorFailureTest, UnknownCollectorNameIsRejected) {
  auto nc = NodeCollector::Create(FixtureConfig(), {"cpu", "nope"});
  ASSERT_FALSE(nc.ok());
  EXPECT_NE(nc.status().message().find("unknown collector 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace exporter::testing
