#include "common/stack_pool.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace common {

StackPool::StackPool(int threads, size_t stack_bytes) : stack_bytes_(stack_bytes) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  for (int i = 0; i < threads; ++i) {
    pthread_t t;
    if (pthread_create(&t, &attr, &StackPool::ThreadMain, this) != 0) {
      pthread_attr_destroy(&attr);
      throw std::runtime_error("cannot start a thread with a " + std::to_string(stack_bytes) +
                               "-byte stack");
    }
    threads_.push_back(t);
  }
  pthread_attr_destroy(&attr);
}

StackPool::~StackPool() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  work_cv_.SignalAll();
  for (pthread_t t : threads_) pthread_join(t, nullptr);
}

void* StackPool::ThreadMain(void* self) {
  static_cast<StackPool*>(self)->Loop();
  return nullptr;
}

void StackPool::Loop() {
  MutexLock lock(&mu_);
  for (;;) {
    while (!stop_ && queue_.empty()) work_cv_.Wait(&mu_);
    if (queue_.empty()) return;  // stop_ and nothing left to run
    Task* task = queue_.front();
    queue_.pop_front();
    mu_.Unlock();
    (*task->fn)();
    mu_.Lock();
    task->done = true;
    done_cv_.SignalAll();
  }
}

void StackPool::Run(const std::function<void()>& fn) {
  Task task{&fn};
  MutexLock lock(&mu_);
  queue_.push_back(&task);
  work_cv_.Signal();
  while (!task.done) done_cv_.Wait(&mu_);
}

}  // namespace common
