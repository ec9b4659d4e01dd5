// StackPool: a fixed set of threads with a stack size of our choosing, on
// which callers run work synchronously.
//
// Why: civetweb runs request handlers on its own worker threads, whose stack
// size is fixed when the library is built (Debian's is small: a PromQL query
// nested ~45 levels deep overflowed it and crashed the server). Handlers that
// recurse over client input (the PromQL parser, evaluator and printer, whose
// depth the parser bounds) run here instead, on stacks sized for that bound.
//
//   StackPool pool(8, 64 << 20);
//   pool.Run([&] { response = handler(request); });  // blocks until done
//
// Thread-safe. Run() may be called from any number of threads; work waits in
// arrival order when every pool thread is busy.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "common/mutex.h"

namespace common {

class StackPool {
 public:
  // Starts `threads` threads with stacks of `stack_bytes` (virtual memory:
  // pages are committed only as deep as the stack is used).
  StackPool(int threads, size_t stack_bytes);
  ~StackPool();  // waits for running work, then stops the threads
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // Runs fn on a pool thread and returns when it has returned. fn must not
  // throw (exceptions are caught and rethrown here is not supported: catch
  // inside fn).
  void Run(const std::function<void()>& fn);

  size_t stack_bytes() const { return stack_bytes_; }

 private:
  struct Task {
    const std::function<void()>* fn;
    bool done = false;  // under mu_
  };
  static void* ThreadMain(void* self);
  void Loop();

  const size_t stack_bytes_;
  common::Mutex mu_;
  common::CondVar work_cv_;  // on mu_: a task was queued, or stop
  common::CondVar done_cv_;  // on mu_: a task finished
  std::deque<Task*> queue_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<pthread_t> threads_;
};

}  // namespace common
