// Tests of the pressure collector on tests/fixtures/proc/pressure.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(PressureCollectorTest, TotalsInSeconds) {
  MetricSink s = RunCollector("pressure");
  EXPECT_EQ(MustValue(s, "node_pressure_cpu_waiting_seconds_total"), 9968922.0 / 1000 / 1000);
  EXPECT_EQ(MustValue(s, "node_pressure_io_waiting_seconds_total"), 4603010.0 / 1000 / 1000);
  EXPECT_EQ(MustValue(s, "node_pressure_io_stalled_seconds_total"), 4288842.0 / 1000 / 1000);
  EXPECT_EQ(MustValue(s, "node_pressure_memory_waiting_seconds_total"), 152340.0 / 1000 / 1000);
  EXPECT_EQ(MustValue(s, "node_pressure_memory_stalled_seconds_total"), 98211.0 / 1000 / 1000);
  // node_exporter 1.5 exposes no cpu "full" line.
  EXPECT_EQ(s.Find("node_pressure_cpu_stalled_seconds_total"), nullptr);
  EXPECT_EQ(s.families().size(), 5u);
  for (const auto& f : s.families()) {
    EXPECT_EQ(f.type, prometheus::MetricType::Counter) << f.name;
    ASSERT_EQ(f.metric.size(), 1u) << f.name;
    EXPECT_TRUE(f.metric[0].label.empty()) << f.name;
  }
  EXPECT_EQ(s.Find("node_pressure_io_stalled_seconds_total")->help,
            "Total time in seconds no process could make progress due to IO congestion");
}

TEST(PressureCollectorTest, KernelWithoutPsiIsNoData) {
  ScratchDir proc;  // no pressure/ directory
  auto st = UpdateStatus("pressure", ProcAt(proc));
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();

  // Through the runner: success 0, no pressure metrics, other collectors unaffected.
  proc.Write("loadavg", "0.21 0.37 0.39 1/155 4242\n");
  auto nc = NodeCollector::Create(ProcAt(proc), {"pressure", "loadavg"});
  ASSERT_TRUE(nc.ok());
  MetricSink s;
  (*nc)->Collect(s);
  EXPECT_EQ(MustValue(s, "node_scrape_collector_success", {{"collector", "pressure"}}), 0);
  EXPECT_EQ(MustValue(s, "node_scrape_collector_success", {{"collector", "loadavg"}}), 1);
  EXPECT_EQ(s.Find("node_pressure_cpu_waiting_seconds_total"), nullptr);
}

TEST(PressureCollectorTest, MalformedFilesFailTheCollector) {
  const std::string ok_full = "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
  const std::string ok_some = "some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n";
  const std::string kBadIo[] = {
      "some avg10=0.00 avg60=0.00 avg300=0.00 total=x\n" + ok_full,
      "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n" + ok_full,
      "some avg10=0.00 avg60=0.00 total=12\n" + ok_full,
      "some avg10=0.00 avg60=0.00 avg300=0.00 sum=12\n" + ok_full,
      "some avg10=zero avg60=0.00 avg300=0.00 total=12\n" + ok_full,
      "some avg10=0.00 avg60=0.00 avg300=0.00 total=1 extra=2\n" + ok_full,
      ok_some,  // no "full" line for io
      ok_full,  // no "some" line
      "",
  };
  for (const std::string& io : kBadIo) {
    SCOPED_TRACE(io);
    ScratchDir proc;
    proc.Write("pressure/cpu", ok_some);
    proc.Write("pressure/io", io);
    proc.Write("pressure/memory", ok_some + ok_full);
    auto st = UpdateStatus("pressure", ProcAt(proc));
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  }
}

TEST(PressureCollectorTest, UnknownLinesAreIgnored) {
  ScratchDir proc;
  const std::string body =
      "some avg10=0.00 avg60=0.00 avg300=0.00 total=2000000\n"
      "full avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n"
      "future avg10=1 whatever\n";
  for (const char* r : {"cpu", "io", "memory"}) proc.Write(std::string("pressure/") + r, body);
  MetricSink s = RunCollector("pressure", ProcAt(proc));
  EXPECT_EQ(MustValue(s, "node_pressure_io_waiting_seconds_total"), 2);
  EXPECT_EQ(MustValue(s, "node_pressure_memory_stalled_seconds_total"), 1);
}

}  // namespace
}  // namespace exporter::testing
