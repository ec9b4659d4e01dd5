// Mutex, MutexLock and CondVar with Clang thread-safety annotations, so that
// "this field is guarded by that mutex" is checked by the compiler rather
// than written in a comment. Clang builds compile with -Wthread-safety as an
// error (CMakeLists.txt; CI's fuzz build is such a build); GCC ignores the
// annotations.
//
//   common::Mutex mu_;
//   int n_ GUARDED_BY(mu_);
//   void Add() { common::MutexLock lock(&mu_); ++n_; }
//
// std::mutex itself carries no annotations in libstdc++, hence the wrappers
// (as LevelDB's port::Mutex). Lockable, so std::unique_lock works where a
// lock must move (then the analysis cannot follow it: see DBImpl::UndoBatch).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define MS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MS_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) MS_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY MS_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) MS_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) MS_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_AFTER(...) MS_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) MS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) MS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) MS_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) MS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) MS_THREAD_ANNOTATION(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS MS_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace common {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the caller holds the mutex (no runtime check).
  void AssertHeld() ASSERT_CAPABILITY(this) {}

  // Lockable, for std::unique_lock.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable; each wait names the Mutex the caller holds (always
// the same one for a given CondVar), which it releases while waiting.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // False if the deadline passed (the caller re-checks its condition anyway).
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  template <typename Rep, typename Period>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout) REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() + timeout);
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace common
