// QueryGate: admission control for the engine (--query.max-concurrency).
//
// At most `max_concurrent` queries evaluate at once; the others wait in
// arrival order until a slot frees, their deadline passes or they are
// canceled. Waiting counts against the query's timeout, as in Prometheus,
// where the timeout covers the queue ("query timed out in query queue").
// One gate is shared by all copies of an Engine. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

#include "common/status.h"

namespace promql {

class QueryGate {
 public:
  // max_concurrent <= 0: no limit (Acquire never waits).
  explicit QueryGate(int max_concurrent) : max_(max_concurrent) {}

  // Holds one slot until destroyed.
  class Slot {
   public:
    Slot() = default;
    explicit Slot(QueryGate* gate) : gate_(gate) {}
    Slot(Slot&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot() {
      if (gate_) gate_->Release();
    }

   private:
    QueryGate* gate_ = nullptr;
  };

  // Waits for a slot. Errors: TimeoutError("query queue") once `deadline`
  // passes, CanceledError("query queue") when *cancel becomes true (polled
  // every 50 ms while waiting).
  common::Result<Slot> Acquire(std::chrono::steady_clock::time_point deadline, bool has_deadline,
                               const std::atomic<bool>* cancel);

  int active() const;
  int waiting() const;
  int max_concurrent() const { return max_; }

 private:
  void Release();
  void SkipAbandoned();  // REQUIRES: mu_ held

  const int max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
  // Tickets give FIFO order: a query enters when its ticket is the next one
  // served and a slot is free.
  uint64_t next_ticket_ = 0;
  uint64_t serving_ = 0;
  std::set<uint64_t> abandoned_;  // tickets that left the queue unserved
};

}  // namespace promql
