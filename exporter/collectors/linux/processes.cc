// processes collector: process and thread counts by state from <procfs>/<pid>/stat
// and <procfs>/<pid>/task/<tid>/stat, and the kernel's limits from
// <procfs>/sys/kernel/{threads-max,pid_max}, as node_exporter 1.5's
// processes_linux.go (node_processes_*; disabled by default).
//
// node_processes_threads sums the num_threads field of each process, while
// node_processes_threads_state counts the task directories; the two can differ
// on a live host, as they do in node_exporter.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exporter/collector.h"
#include "exporter/collectors/parse_util.h"

namespace exporter {
namespace {

namespace fs = std::filesystem;

struct ProcStat {
  std::string state;
  int64_t num_threads = 0;
};

enum class ReadResult { kOk, kGone, kError };

// Parses a /proc/<pid>/stat line the way procfs does: the command name sits
// between the first '(' and the last ')' (it may itself contain spaces and
// parentheses); the state and numeric fields follow.
ReadResult ReadProcStat(const std::string& path, ProcStat* out, std::string* err) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return ReadResult::kGone;  // the task exited meanwhile
  std::string text;
  if (!common::ReadFileToString(path, &text)) {
    // A process that exits between the listing and the read is not an error.
    if (!fs::exists(path, ec)) return ReadResult::kGone;
    *err = "cannot read " + path;
    return ReadResult::kError;
  }
  size_t l = text.find('(');
  size_t r = text.rfind(')');
  if (l == std::string::npos || r == std::string::npos || r < l) {
    *err = "unexpected format, couldn't extract comm in " + path;
    return ReadResult::kError;
  }
  std::string_view rest = std::string_view(text).substr(r + 1);
  auto f = parse::Fields(parse::Trim(rest));
  // procfs scans the state and the 39 numeric fields after it, up to
  // delayacct_blkio_ticks, each as a signed or an unsigned integer: a shorter
  // line, or a negative number where an unsigned one belongs, is an error.
  constexpr size_t kFields = 40;
  // ppid pgrp session tty_nr tpgid, cutime cstime priority nice num_threads
  // itrealvalue, rss, exit_signal processor
  constexpr size_t kSigned[] = {1, 2, 3, 4, 5, 13, 14, 15, 16, 17, 18, 21, 35, 36};
  if (f.size() < kFields) {
    *err = "unexpected EOF in " + path;
    return ReadResult::kError;
  }
  for (size_t i = 1; i < kFields; ++i) {
    bool is_signed = std::find(std::begin(kSigned), std::end(kSigned), i) != std::end(kSigned);
    if (is_signed ? !parse::ToInt(f[i]) : !parse::ToUint(f[i])) {
      *err = "bad field " + std::to_string(i + 3) + " in " + path;
      return ReadResult::kError;
    }
  }
  out->state = std::string(f[0]);
  out->num_threads = *parse::ToInt(f[17]);
  return ReadResult::kOk;
}

// The numeric entries of dir (pids or tids), in ascending order.
std::optional<std::vector<int64_t>> NumericEntries(const std::string& dir, std::string* err) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    *err = "cannot list " + dir + ": " + ec.message();
    return std::nullopt;
  }
  std::vector<int64_t> ids;
  for (const auto& e : it) {
    auto id = parse::ToInt(e.path().filename().string());
    if (id) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<uint64_t> ReadUintFile(const std::string& path) {
  std::string text;
  if (!common::ReadFileToString(path, &text)) return std::nullopt;
  return parse::ToUint(parse::Trim(text));
}

class ProcessesCollector : public Collector {
 public:
  explicit ProcessesCollector(const CollectorConfig& c) : paths_(c.paths) {}

  common::Status Update(MetricSink& sink) override {
    std::string err;
    auto pids = NumericEntries(paths_.procfs, &err);
    if (!pids)
      return common::Status::IOError("unable to retrieve number of allocated threads: " + err);

    int64_t npids = 0, threads = 0;
    std::map<std::string, int64_t> proc_states, thread_states;
    for (int64_t pid : *pids) {
      const std::string dir = paths_.Proc(std::to_string(pid));
      ProcStat st;
      ReadResult r = ReadProcStat(dir + "/stat", &st, &err);
      if (r == ReadResult::kGone) continue;
      if (r == ReadResult::kError) {
        return common::Status::Corruption("unable to retrieve number of allocated threads: " + err);
      }
      ++npids;
      ++proc_states[st.state];
      threads += st.num_threads;

      std::error_code ec;
      const std::string task_dir = dir + "/task";
      if (!fs::exists(task_dir, ec)) continue;  // exited meanwhile
      auto tids = NumericEntries(task_dir, &err);
      if (!tids) {
        if (!fs::exists(task_dir, ec)) continue;
        return common::Status::IOError("unable to retrieve number of allocated threads: " + err);
      }
      for (int64_t tid : *tids) {
        // The main thread's state is the process's, already read.
        if (tid == pid) {
          ++thread_states[st.state];
          continue;
        }
        ProcStat ts;
        r = ReadProcStat(task_dir + "/" + std::to_string(tid) + "/stat", &ts, &err);
        if (r == ReadResult::kGone) continue;
        if (r == ReadResult::kError) {
          return common::Status::Corruption("unable to retrieve number of allocated threads: " +
                                            err);
        }
        ++thread_states[ts.state];
      }
    }

    sink.Gauge("node_processes_threads", "Allocated threads in system", {},
               static_cast<double>(threads));
    const std::string threads_max_path = paths_.Proc("sys/kernel/threads-max");
    auto threads_max = ReadUintFile(threads_max_path);
    if (!threads_max) {
      return common::Status::IOError("unable to retrieve limit number of threads: cannot read " +
                                     threads_max_path);
    }
    sink.Gauge("node_processes_max_threads", "Limit of threads in the system", {},
               static_cast<double>(*threads_max));
    for (const auto& [state, n] : proc_states) {
      sink.Gauge("node_processes_state", "Number of processes in each state.", {{"state", state}},
                 static_cast<double>(n));
    }
    for (const auto& [state, n] : thread_states) {
      sink.Gauge("node_processes_threads_state", "Number of threads in each state.",
                 {{"thread_state", state}}, static_cast<double>(n));
    }
    const std::string pid_max_path = paths_.Proc("sys/kernel/pid_max");
    auto pid_max = ReadUintFile(pid_max_path);
    if (!pid_max) {
      return common::Status::IOError(
          "unable to retrieve limit number of maximum pids alloved: cannot read " + pid_max_path);
    }
    sink.Gauge("node_processes_pids", "Number of PIDs", {}, static_cast<double>(npids));
    sink.Gauge("node_processes_max_processes", "Number of max PIDs limit", {},
               static_cast<double>(*pid_max));
    return common::Status::OK();
  }

 private:
  common::HostPaths paths_;
};

REGISTER_COLLECTOR("processes", false, ProcessesCollector);

}  // namespace
}  // namespace exporter
