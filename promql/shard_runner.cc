#include "promql/shard_runner.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace promql::internal {

namespace {

// A fixed set of threads taking tasks from one queue.
class HelperPool {
 public:
  static HelperPool& Instance() {
    static HelperPool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
    return pool;
  }

  size_t size() const { return threads_.size(); }

  void Submit(std::function<void()> task) {
    {
      common::MutexLock lock(&mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.Signal();
  }

  ~HelperPool() {
    {
      common::MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    for (std::thread& t : threads_) t.join();
  }

 private:
  explicit HelperPool(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      threads_.emplace_back([this] { Loop(); });
      pthread_setname_np(threads_.back().native_handle(), "query-helper");
    }
  }

  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        common::MutexLock lock(&mu_);
        while (!stop_ && tasks_.empty()) cv_.Wait(&mu_);
        if (tasks_.empty()) return;  // stop_
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  common::Mutex mu_;
  common::CondVar cv_;  // on mu_: a task was queued, or stop
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// What the caller and its helpers share. Helpers hold it by shared_ptr: one
// that is dequeued after the caller returned finds it closed and leaves.
struct ShardRun {
  size_t n = 0;
  const std::function<common::Status(size_t, bool)>* fn = nullptr;
  std::vector<common::Status> status;
  std::atomic<size_t> next{1};  // shard 0 belongs to the caller
  std::atomic<bool> failed{false};
  common::Mutex mu;
  common::CondVar idle;                // on mu: active dropped to 0
  int active GUARDED_BY(mu) = 0;       // helpers inside Work()
  bool closed GUARDED_BY(mu) = false;  // no helper may enter any more

  void Work(bool on_caller, const std::function<void()>* between) {
    for (size_t k = on_caller ? 0 : next.fetch_add(1); k < n && !failed.load();
         k = next.fetch_add(1)) {
      status[k] = (*fn)(k, on_caller);
      if (!status[k].ok()) failed.store(true);
      if (on_caller && between != nullptr && *between) (*between)();
    }
  }
};

}  // namespace

common::Status RunShards(size_t n, int threads,
                         const std::function<common::Status(size_t, bool)>& fn,
                         const std::function<void()>& between) {
  if (n == 0) return common::Status::OK();
  auto run = std::make_shared<ShardRun>();
  run->n = n;
  run->fn = &fn;
  run->status.resize(n);
  HelperPool& pool = HelperPool::Instance();
  const size_t helpers =
      std::min({n - 1, static_cast<size_t>(std::max(threads, 1)) - 1, pool.size()});
  for (size_t i = 0; i < helpers; ++i) {
    pool.Submit([run] {
      {
        common::MutexLock lock(&run->mu);
        if (run->closed) return;
        ++run->active;
      }
      run->Work(false, nullptr);
      common::MutexLock lock(&run->mu);
      if (--run->active == 0) run->idle.SignalAll();
    });
  }
  run->Work(true, &between);
  {
    // Every shard is claimed; wait for helpers still running theirs.
    common::MutexLock lock(&run->mu);
    run->closed = true;
    while (run->active != 0) run->idle.Wait(&run->mu);
  }
  for (common::Status& s : run->status) {
    if (!s.ok()) return s;
  }
  return common::Status::OK();
}

}  // namespace promql::internal
