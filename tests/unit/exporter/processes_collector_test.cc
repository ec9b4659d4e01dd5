// Tests of the processes collector on tests/fixtures/proc/<pid>/{stat,task}.
#include "tests/unit/exporter/scratch_dir.h"

namespace exporter::testing {
namespace {

TEST(ProcessesCollectorTest, CountsByState) {
  MetricSink s = RunCollector("processes");
  // 13 PID directories; "self" is not a PID.
  EXPECT_EQ(MustValue(s, "node_processes_pids"), 13);
  // The sum of num_threads (field 20) over the processes.
  EXPECT_EQ(MustValue(s, "node_processes_threads"), 22);
  EXPECT_EQ(MustValue(s, "node_processes_max_threads"), 29853);
  EXPECT_EQ(MustValue(s, "node_processes_max_processes"), 4194304);

  EXPECT_EQ(SeriesCount(s, "node_processes_state"), 5u);
  EXPECT_EQ(MustValue(s, "node_processes_state", {{"state", "S"}}), 9);
  EXPECT_EQ(MustValue(s, "node_processes_state", {{"state", "R"}}), 1);
  EXPECT_EQ(MustValue(s, "node_processes_state", {{"state", "D"}}), 1);
  EXPECT_EQ(MustValue(s, "node_processes_state", {{"state", "Z"}}), 1);
  EXPECT_EQ(MustValue(s, "node_processes_state", {{"state", "I"}}), 1);

  // Threads by the state in task/<tid>/stat: rsyslogd has a running and a
  // blocked worker, node_exporter's PID two running threads.
  EXPECT_EQ(SeriesCount(s, "node_processes_threads_state"), 5u);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "S"}}), 15);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "R"}}), 3);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "D"}}), 2);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "Z"}}), 1);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "I"}}), 1);

  for (const auto& f : s.families()) {
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge) << f.name;
  }
  EXPECT_EQ(s.Find("node_processes_state")->help, "Number of processes in each state.");
  EXPECT_EQ(s.Find("node_processes_pids")->help, "Number of PIDs");
}

std::string StatLine(int pid, const std::string& comm, char state, int threads) {
  return std::to_string(pid) + " (" + comm + ") " + state +
         " 1 1 1 0 -1 4194560 10 0 0 0 5 6 0 0 20 0 " + std::to_string(threads) +
         " 0 100 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
}

TEST(ProcessesCollectorTest, CommWithSpacesAndParens) {
  ScratchDir proc;
  proc.Write("sys/kernel/threads-max", "100\n");
  proc.Write("sys/kernel/pid_max", "32768\n");
  // The state follows the last ')', whatever the name holds.
  proc.Write("7/stat", StatLine(7, "a) R (b", 'D', 2));
  proc.Write("7/task/7/stat", StatLine(7, "a) R (b", 'D', 2));
  proc.Write("7/task/8/stat", StatLine(8, "a) R (b", 'S', 2));
  // A PID directory whose process is gone (no stat) is skipped.
  proc.MakeDir("9");
  MetricSink s = RunCollector("processes", ProcAt(proc));
  EXPECT_EQ(MustValue(s, "node_processes_pids"), 1);
  EXPECT_EQ(MustValue(s, "node_processes_state", {{"state", "D"}}), 1);
  EXPECT_EQ(SeriesCount(s, "node_processes_state"), 1u);
  EXPECT_EQ(MustValue(s, "node_processes_threads"), 2);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "D"}}), 1);
  EXPECT_EQ(MustValue(s, "node_processes_threads_state", {{"thread_state", "S"}}), 1);
}

TEST(ProcessesCollectorTest, MissingLimitsFailAfterTheCounts) {
  ScratchDir proc;
  proc.Write("7/stat", StatLine(7, "init", 'S', 1));
  proc.Write("7/task/7/stat", StatLine(7, "init", 'S', 1));
  MetricSink s;
  auto st = RegisteredCollectors().at("processes").factory(ProcAt(proc))->Update(s);
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsNotFound());
  // node_exporter sends the thread count before it reads threads-max.
  EXPECT_EQ(MustValue(s, "node_processes_threads"), 1);
  EXPECT_EQ(s.Find("node_processes_pids"), nullptr);

  proc.Write("sys/kernel/threads-max", "100\n");
  MetricSink s2;
  st = RegisteredCollectors().at("processes").factory(ProcAt(proc))->Update(s2);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(MustValue(s2, "node_processes_state", {{"state", "S"}}), 1);
  EXPECT_EQ(s2.Find("node_processes_max_processes"), nullptr);
}

TEST(ProcessesCollectorTest, MalformedStatFails) {
  ScratchDir proc;
  proc.Write("sys/kernel/threads-max", "100\n");
  proc.Write("sys/kernel/pid_max", "32768\n");
  proc.Write("7/stat", "7 init S 1 1\n");
  MetricSink s;
  auto st = RegisteredCollectors().at("processes").factory(ProcAt(proc))->Update(s);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(s.families().empty());
}

}  // namespace
}  // namespace exporter::testing
