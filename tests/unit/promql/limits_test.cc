// Resource limits of the engine: grids beyond --query.max-samples are refused
// before they are allocated, and --query.max-concurrency admits queries in
// arrival order, the wait counting against the timeout.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "promql/engine.h"
#include "promql/errors.h"
#include "promql/memory_storage.h"
#include "promql/query_gate.h"
#include "tests/unit/promql/test_util.h"

namespace promql {
namespace {

using namespace std::chrono_literals;

// Bytes of address space the process maps now (VmSize).
uint64_t MappedBytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmSize:") {
      uint64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

// AddressSanitizer maps terabytes of shadow memory: an address-space cap
// cannot be applied under it (the sanitizer build skips the capped runs).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Runs `query` in a child whose address space may grow by only 64 MiB: a
// query that allocated its grid (2 GB for 259M steps) dies of bad_alloc
// there instead of swapping the test machine. Exit codes: 0 refused with the
// sample-limit error, 1 answered, 2 another error, 3 out of memory.
int RunUnderMemoryCap(const std::string& query, bool range) {
  pid_t pid = fork();
  if (pid == 0) {
    rlimit lim{};
    lim.rlim_cur = lim.rlim_max = MappedBytes() + (64u << 20);
    setrlimit(RLIMIT_AS, &lim);
    try {
      MemoryStorage st;
      st.Add(testing::L({{"__name__", "up"}}), 0, 1);
      EngineOptions o;
      o.parallelism = 1;  // no helper threads in a forked child
      Engine engine(o);
      const int64_t day = 86'400'000;
      auto r = range ? engine.RangeQuery(st, query, 0, 3 * day, 1)
                     : engine.InstantQuery(st, query, 3 * day);
      if (r.ok()) _exit(1);
      _exit(r.status().message() == kTooManySamplesMsg ? 0 : 2);
    } catch (const std::bad_alloc&) {
      _exit(3);
    } catch (const std::length_error&) {
      _exit(3);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(QueryLimitsTest, HugeSubqueryGridIsRefusedBeforeAllocating) {
  if (kSanitized) GTEST_SKIP() << "address-space cap not possible under a sanitizer";
  EXPECT_EQ(RunUnderMemoryCap("count_over_time(vector(1)[3d:1ms])", false), 0);
  EXPECT_EQ(RunUnderMemoryCap("count_over_time(up[3d:1ms])", false), 0);
  // The inner grid of a nested subquery spans the outer range too.
  EXPECT_EQ(RunUnderMemoryCap("max_over_time(count_over_time(vector(1)[1h:1ms])[3d:1h])", false),
            0);
}

TEST(QueryLimitsTest, HugeRangeQueryGridIsRefusedBeforeAllocating) {
  if (kSanitized) GTEST_SKIP() << "address-space cap not possible under a sanitizer";
  // 3 days at a 1 ms step: the API refuses > 11,000 points, but the engine is
  // a library too (rules, tests) and must not trust its caller.
  EXPECT_EQ(RunUnderMemoryCap("vector(1)", true), 0);
}

TEST(QueryLimitsTest, SmallSubqueriesStillWork) {
  MemoryStorage st;
  Engine engine;
  auto r = engine.InstantQuery(st, "count_over_time(vector(1)[1m:1s])", 600'000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].point.v, 61);  // 2.42 windows are closed: [540 s, 600 s]
}

TEST(QueryLimitsTest, TreesAtTheHeightLimitEvaluate) {
  // The evaluator and the printer recurse once per level: at the parser's
  // limit they must still fit in a thread's stack (the sanitizer build, with
  // its larger frames, runs this too).
  MemoryStorage st;
  st.Add(testing::L({{"__name__", "x"}}), 0, 2);
  std::string chain = "x";
  for (int i = 0; i < kMaxExprHeight - 2; ++i) chain += " * 1";
  std::string nested;
  for (int i = 0; i < kMaxExprHeight / 2 - 1; ++i) nested += "-(";
  nested += "x";
  for (int i = 0; i < kMaxExprHeight / 2 - 1; ++i) nested += ")";
  Engine engine;
  for (const std::string& q : {chain, nested}) {
    auto r = engine.RangeQuery(st, q, 0, 60'000, 15'000);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->matrix.size(), 1u);
    EXPECT_EQ(std::fabs(r->matrix[0].points[0].v), 2);
  }
}

TEST(QueryGateTest, AdmitsUpToTheLimitThenTimesOutInTheQueue) {
  QueryGate gate(2);
  auto far = std::chrono::steady_clock::now() + 10s;
  auto a = gate.Acquire(far, true, nullptr);
  auto b = gate.Acquire(far, true, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(gate.active(), 2);
  auto c = gate.Acquire(std::chrono::steady_clock::now() + 100ms, true, nullptr);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "query timed out in query queue");
  EXPECT_EQ(ClassifyError(c.status()), ErrorType::kTimeout);
  EXPECT_EQ(gate.waiting(), 0);
  { auto released = std::move(a).value(); }
  EXPECT_EQ(gate.active(), 1);
  auto d = gate.Acquire(far, true, nullptr);
  EXPECT_TRUE(d.ok());
}

TEST(QueryGateTest, ServesWaitersInArrivalOrderAndHonoursCancel) {
  QueryGate gate(1);
  auto far = std::chrono::steady_clock::now() + 20s;
  auto held = std::make_unique<common::Result<QueryGate::Slot>>(gate.Acquire(far, true, nullptr));
  ASSERT_TRUE(held->ok());
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> threads;
  std::atomic<bool> cancel_second{false};
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto s = gate.Acquire(far, true, i == 1 ? &cancel_second : nullptr);
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(s.ok() ? i : -1 - i);
    });
    // Each thread is in the queue before the next one starts.
    for (int spin = 0; spin < 1000 && gate.waiting() < i + 1; ++spin) {
      std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(gate.waiting(), i + 1);
  }
  cancel_second = true;  // the middle one leaves the queue
  for (int spin = 0; spin < 1000 && gate.waiting() > 2; ++spin) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(gate.waiting(), 2);
  held.reset();  // frees the slot: 0 enters, then (after it ends) 2
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{-2, 0, 2}));
  EXPECT_EQ(gate.active(), 0);
}

// A Queryable whose Select blocks until released: holds a query inside the
// engine so the gate's effect on the next one can be observed.
class BlockingQueryable : public Queryable {
 public:
  common::Result<std::unique_ptr<SeriesSet>> Select(int64_t mint, int64_t maxt,
                                                    const std::vector<LabelMatcher>& m) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return inner_.Select(mint, maxt, m);
  }
  void WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return entered_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard<std::mutex> lock(mu_);
    return entered_;
  }

 private:
  MemoryStorage inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool released_ = false;
};

// The timeout (and so a cancel: the same check) stops a query inside one
// series, not only between series: here one series whose 11,001 windows
// hold 1.7M samples each, minutes of work. The child gets 60 s before
// SIGALRM ends it (exit 128+14: the timeout was not honoured).
TEST(QueryLimitsTest, TimeoutStopsWorkInsideOneSeries) {
  pid_t pid = fork();
  if (pid == 0) {
    alarm(60);
    EngineOptions o;
    o.parallelism = 1;  // no helper threads in a forked child
    o.timeout_ms = 300;
    Engine engine(o);
    MemoryStorage st;
    auto r =
        engine.RangeQuery(st, "quantile_over_time(0.5, vector(1)[20d:1s])", 0, 660'000'000, 60'000);
    _exit(r.ok() ? 1 : ClassifyError(r.status()) == ErrorType::kTimeout ? 0 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status)
                                 << " (SIGALRM: still running after 60 s)";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: answered, 2: another error";
}

TEST(QueryGateTest, EngineQueuesQueriesBeyondMaxConcurrency) {
  EngineOptions o;
  o.max_concurrency = 1;
  o.timeout_ms = 300;
  o.parallelism = 1;
  Engine engine(o);
  BlockingQueryable st;
  common::Result<QueryResult> first = common::Status::Internal("unset");
  std::thread t([&] { first = engine.InstantQuery(st, "up", 0); });
  st.WaitEntered(1);
  EXPECT_EQ(engine.gate().active(), 1);
  // The second query waits for the slot, not in storage, and times out there.
  auto second = engine.InstantQuery(st, "up", 0);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), "query timed out in query queue");
  EXPECT_EQ(st.entered(), 1);
  st.Release();
  t.join();
  EXPECT_EQ(engine.gate().active(), 0);
  auto third = engine.InstantQuery(st, "up", 0);
  EXPECT_TRUE(third.ok()) << third.status().message();
}

}  // namespace
}  // namespace promql
