#include "promql/query_gate.h"

#include "promql/errors.h"

namespace promql {

common::Result<QueryGate::Slot> QueryGate::Acquire(std::chrono::steady_clock::time_point deadline,
                                                   bool has_deadline,
                                                   const std::atomic<bool>* cancel) {
  if (max_ <= 0) return Slot(nullptr);
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = next_ticket_++;
  auto admitted = [&] { return serving_ == ticket && active_ < max_; };
  while (!admitted()) {
    const auto now = std::chrono::steady_clock::now();
    const bool canceled = cancel != nullptr && cancel->load(std::memory_order_relaxed);
    if (canceled || (has_deadline && now >= deadline)) {
      // Leave the queue: if it was our turn, pass it on; otherwise mark the
      // ticket so the one before us skips it. Tickets are served in order,
      // so a leaver ahead of the line is handled by advancing serving_ past
      // every abandoned ticket.
      abandoned_.insert(ticket);
      SkipAbandoned();
      cv_.notify_all();
      return canceled ? CanceledError("query queue") : TimeoutError("query queue");
    }
    auto wake = now + std::chrono::milliseconds(50);
    if (has_deadline && deadline < wake) wake = deadline;
    cv_.wait_until(lock, wake);
  }
  ++serving_;
  SkipAbandoned();
  ++active_;
  cv_.notify_all();  // the next ticket may enter too if a slot is left
  return Slot(this);
}

void QueryGate::SkipAbandoned() {
  while (!abandoned_.empty() && *abandoned_.begin() == serving_) {
    abandoned_.erase(abandoned_.begin());
    ++serving_;
  }
}

void QueryGate::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  --active_;
  cv_.notify_all();
}

int QueryGate::active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_;
}

int QueryGate::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(next_ticket_ - serving_ - abandoned_.size());
}

}  // namespace promql
