// Tests of the cpu, loadavg, meminfo, stat, time and uname collectors on the
// fixture tree tests/fixtures/proc.
#include <sys/utsname.h>

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "tests/unit/exporter/collector_test_util.h"
#include "tests/unit/exporter/scratch_dir.h"

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

TEST(CpuCollectorTest, ThrottlesAndIsolated) {
  MetricSink s = RunCollector("cpu");
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_core_throttles_total", {{"package", "0"}, {"core", "0"}}),
                   7);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_core_throttles_total", {{"package", "0"}, {"core", "1"}}),
                   12);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_package_throttles_total", {{"package", "0"}}), 41);
  EXPECT_EQ(SeriesCount(s, "node_cpu_package_throttles_total"), 1u);
  EXPECT_EQ(s.Find("node_cpu_core_throttles_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(SeriesCount(s, "node_cpu_isolated"), 1u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_isolated", {{"cpu", "1"}}), 1);
}

TEST(CpuCollectorTest, GuestFlag) {
  CollectorConfig c = FixtureConfig();
  c.flags["collector.cpu.guest"] = "false";
  MetricSink s = RunCollector("cpu", c);
  EXPECT_EQ(s.Find("node_cpu_guest_seconds_total"), nullptr);
  EXPECT_EQ(SeriesCount(s, "node_cpu_seconds_total"), 16u);
}

TEST(CpuCollectorTest, ThrottleCountersReadOncePerCoreAndPackage) {
  ScratchDir sys;
  // Two hyperthreads of core 0 and one CPU of another package; a CPU without
  // topology is skipped.
  for (const auto& [cpu, pkg, core, core_count, pkg_count] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>>{
           {"cpu0", "0", "0", "3", "10"},
           {"cpu1", "1", "0", "4", "20"},
           {"cpu2", "0", "0", "99", "99"}}) {
    sys.Write("devices/system/cpu/" + cpu + "/topology/physical_package_id", pkg + "\n");
    sys.Write("devices/system/cpu/" + cpu + "/topology/core_id", core + "\n");
    sys.Write("devices/system/cpu/" + cpu + "/thermal_throttle/core_throttle_count",
              core_count + "\n");
    sys.Write("devices/system/cpu/" + cpu + "/thermal_throttle/package_throttle_count",
              pkg_count + "\n");
  }
  sys.MakeDir("devices/system/cpu/cpu3");
  sys.Write("devices/system/cpu/isolated", "2-4,7\n");
  MetricSink s = RunCollector("cpu", SysAt(sys));
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_core_throttles_total", {{"package", "0"}, {"core", "0"}}),
                   3);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_package_throttles_total", {{"package", "1"}}), 20);
  EXPECT_EQ(SeriesCount(s, "node_cpu_core_throttles_total"), 2u);
  EXPECT_EQ(SeriesCount(s, "node_cpu_isolated"), 4u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_cpu_isolated", {{"cpu", "7"}}), 1);

  ScratchDir empty;  // no sysfs cpu tree at all: only the /proc/stat series
  MetricSink e = RunCollector("cpu", SysAt(empty));
  EXPECT_EQ(e.Find("node_cpu_isolated"), nullptr);
  EXPECT_EQ(e.Find("node_cpu_core_throttles_total"), nullptr);
  EXPECT_EQ(SeriesCount(e, "node_cpu_seconds_total"), 16u);
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

TEST(TimeCollectorTest, Clocksources) {
  MetricSink s = RunCollector("time");
  EXPECT_EQ(SeriesCount(s, "node_time_clocksource_available_info"), 3u);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_time_clocksource_available_info",
                             {{"device", "0"}, {"clocksource", "hpet"}}),
                   1);
  EXPECT_DOUBLE_EQ(
      MustValue(s, "node_time_clocksource_current_info", {{"device", "0"}, {"clocksource", "tsc"}}),
      1);

  ScratchDir sys;  // an unreadable clocksource fails the collector
  sys.Write("devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
  EXPECT_FALSE(UpdateStatus("time", SysAt(sys)).ok());
}

TEST(UnameCollectorTest, IdentityFromUnameSyscall) {
  MetricSink s = RunCollector("uname");
  struct utsname u;
  ASSERT_EQ(uname(&u), 0);
  EXPECT_DOUBLE_EQ(MustValue(s, "node_uname_info",
                             {{"nodename", u.nodename},
                              {"domainname", u.domainname},
                              {"release", u.release},
                              {"sysname", u.sysname},
                              {"version", u.version},
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

// node_exporter refuses to start on a collector flag it cannot use; so does
// NodeCollector::Create (it used to succeed and fail every scrape instead).
TEST(CollectorFailureTest, BadCollectorFlagsFailAtCreate) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> flags;
    std::string collector, message;
  };
  const Case cases[] = {
      {{{"collector.netclass.ignored-devices", "("}}, "netclass", "collector netclass: invalid"},
      {{{"collector.vmstat.fields", "[a"}}, "vmstat", "collector vmstat: invalid"},
      {{{"collector.filesystem.fs-types-exclude", "(?<x"}}, "filesystem", "collector filesystem"},
      {{{"collector.netdev.device-include", "eth.*"}, {"collector.netdev.device-exclude", "lo"}},
       "netdev",
       "mutually exclusive"},
      {{{"collector.cpu.info.flags-include", "("}}, "cpu", "fail to compile"},
  };
  for (const Case& c : cases) {
    CollectorConfig config = FixtureConfig();
    for (const auto& [k, v] : c.flags) config.flags[k] = v;
    auto nc = NodeCollector::Create(config, {"loadavg", c.collector});
    ASSERT_FALSE(nc.ok()) << c.collector;
    EXPECT_NE(nc.status().message().find(c.message), std::string::npos) << nc.status().message();
    // The same flags on another collector's name are no error.
    EXPECT_TRUE(NodeCollector::Create(config, {"loadavg"}).ok()) << c.collector;
  }
}

}  // namespace
}  // namespace exporter::testing
