// RunShards: every shard once, the caller's part, failures, and progress when
// every helper is busy elsewhere.
#include "promql/shard_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace promql::internal {
namespace {

using common::Status;

TEST(PromqlShardRunnerTest, RunsEveryShardOnceAndTheCallerRunsShardZero) {
  for (size_t n : {1u, 2u, 7u, 64u}) {
    std::vector<std::atomic<int>> runs(n);
    std::atomic<int> zero_on_caller{0};
    std::atomic<int> betweens{0};
    const auto caller = std::this_thread::get_id();
    Status s = RunShards(
        n, 4,
        [&](size_t k, bool on_caller) {
          EXPECT_EQ(on_caller, std::this_thread::get_id() == caller);
          if (k == 0 && on_caller) zero_on_caller.fetch_add(1);
          runs[k].fetch_add(1);
          return Status::OK();
        },
        [&] {
          EXPECT_EQ(std::this_thread::get_id(), caller);
          betweens.fetch_add(1);
        });
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (size_t k = 0; k < n; ++k) EXPECT_EQ(runs[k].load(), 1) << "shard " << k << " of " << n;
    EXPECT_EQ(zero_on_caller.load(), 1);
    EXPECT_GE(betweens.load(), 1);  // after each shard the caller ran
  }
}

TEST(PromqlShardRunnerTest, ReturnsTheFirstFailureInIndexOrder) {
  Status s = RunShards(16, 4, [](size_t k, bool) {
    if (k == 5) return Status::InvalidArgument("five");
    if (k == 9) return Status::InvalidArgument("nine");
    return Status::OK();
  });
  ASSERT_FALSE(s.ok());
  // Shard 9 may not have run (no new shard starts after a failure), but if
  // both failed, 5 is reported.
  EXPECT_EQ(s.message(), "five");
}

TEST(PromqlShardRunnerTest, CallerFinishesAloneWhileHelpersAreBusy) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "no helper threads on one CPU";
  // Occupy a helper: its shard of a first run blocks until released. The
  // first run's caller holds its own shard 0 until a helper is stuck.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> blocked{0};
  auto busy = std::async(std::launch::async, [&] {
    return RunShards(2, 2, [&](size_t, bool on_caller) {
      if (on_caller) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (blocked.load() == 0 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      } else {
        blocked.fetch_add(1);
        released.wait();
      }
      return Status::OK();
    });
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (blocked.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(blocked.load(), 1);
  // On two CPUs the only helper is stuck; a second run still completes.
  std::atomic<int> ran{0}, on_helpers{0};
  Status s = RunShards(8, 2, [&](size_t, bool on_caller) {
    ran.fetch_add(1);
    if (!on_caller) on_helpers.fetch_add(1);
    return Status::OK();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(ran.load(), 8);
  if (std::thread::hardware_concurrency() == 2) {
    EXPECT_EQ(on_helpers.load(), 0);
  }
  release.set_value();
  EXPECT_TRUE(busy.get().ok());
}

}  // namespace
}  // namespace promql::internal
