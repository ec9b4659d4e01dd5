// kill -9 durability: a forked child appends batches and reports each
// acknowledged batch number through a pipe; the parent SIGKILLs it mid-run,
// reopens the database and checks every acknowledged sample is present
// exactly once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include "test_util.h"
#include "tsdb/db.h"

namespace tsdb {
namespace {

using model::Labels;
using testing::Eq;
using testing::Query;
using testing::TempDir;

constexpr int kSeries = 20;

Labels SeriesLabels(int s) { return Labels{{"__name__", "crash"}, {"s", std::to_string(s)}}; }

// Batch b holds, for each series, samples at timestamps b*3 .. b*3+2 (and a
// few series skip some batches, so chunks of different series seal at
// different times).
bool InBatch(int s, int b) { return (s % 4 != 0) || (b % 3 != 0); }
double Value(int s, int64_t t) { return s * 1000000.0 + t * 0.5; }

[[noreturn]] void Child(const std::string& dir, int fd) {
  Options o = testing::TestOptions();
  o.max_samples_per_chunk = 30;   // seal often
  o.maintenance_interval_ms = 5;  // trim the head log concurrently
  auto db = DB::Open(dir, o);
  if (!db.ok()) _exit(2);
  std::vector<SeriesRef> refs;
  for (int s = 0; s < kSeries; ++s) refs.push_back(*(*db)->GetOrCreateSeries(SeriesLabels(s)));
  auto app = (*db)->NewAppender();
  for (int b = 0;; ++b) {
    for (int s = 0; s < kSeries; ++s) {
      if (!InBatch(s, b)) continue;
      for (int k = 0; k < 3; ++k) app->AddRef(refs[s], b * 3 + k, Value(s, b * 3 + k));
    }
    AppendResult r = app->Commit();
    if (!r.status.ok()) _exit(3);
    if (write(fd, &b, sizeof(b)) != sizeof(b)) _exit(4);
    if (b % 50 == 0) (void)(*db)->ApplyRetention();
  }
}

TEST(tsdb_Crash, AcknowledgedSamplesSurviveKill9ExactlyOnce) {
  for (int round = 0; round < 3; ++round) {
    TempDir dir;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Child(dir.path(), fds[1]);
    }
    close(fds[1]);
    // Let it run until it acknowledged a few hundred batches (bounded time).
    int last_acked = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const int target = 150 + 120 * round;
    while (last_acked < target && std::chrono::steady_clock::now() < deadline) {
      int b;
      ssize_t n = read(fds[0], &b, sizeof(b));
      if (n != sizeof(b)) break;
      last_acked = b;
    }
    kill(pid, SIGKILL);
    // Drain acknowledgements written before the kill landed.
    int b;
    while (read(fds[0], &b, sizeof(b)) == sizeof(b)) last_acked = b;
    close(fds[0]);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
    ASSERT_GE(last_acked, 10) << "child made no progress";

    auto db = DB::Open(dir.path(), testing::TestOptions());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto res = Query(db->get(), {Eq("__name__", "crash")}, INT64_MIN, INT64_MAX);
    ASSERT_EQ(res.size(), static_cast<size_t>(kSeries));
    std::map<std::string, int> index;
    for (int s = 0; s < kSeries; ++s) index[SeriesLabels(s).ToString()] = s;
    for (auto& [name, samples] : res) {
      int s = index.at(name);
      // Expected: every sample of batches 0..last_acked; possibly more from
      // the unacknowledged batch in flight, but never duplicates or gaps.
      testing::Samples want;
      for (int bb = 0; bb <= last_acked; ++bb) {
        if (!InBatch(s, bb)) continue;
        for (int k = 0; k < 3; ++k) want.push_back({bb * 3 + k, Value(s, bb * 3 + k)});
      }
      ASSERT_GE(samples.size(), want.size()) << name << " round " << round;
      testing::Samples prefix(samples.begin(), samples.begin() + want.size());
      ASSERT_TRUE(testing::SameSamples(want, prefix)) << name << " round " << round;
      for (size_t i = want.size(); i < samples.size(); ++i) {
        ASSERT_GT(samples[i].first, static_cast<int64_t>(last_acked) * 3 + 2);
        ASSERT_EQ(samples[i].second, Value(s, samples[i].first));
      }
      for (size_t i = 1; i < samples.size(); ++i) {
        ASSERT_LT(samples[i - 1].first, samples[i].first) << name;
      }
    }
  }
}

}  // namespace
}  // namespace tsdb
