// Spool: a bounded on-disk FIFO of readings waiting to be pushed.
//
// Each reading is one file named by a zero-padded sequence number, written to
// a temp name, fsynced and renamed, so a crash leaves either the whole reading
// or none. Readings come out oldest first. When the spool is full (count or
// bytes), the oldest readings are dropped to make room, and counted: the
// bound is what limits "no reading lost" during a long outage.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace forwarder {

class Spool {
 public:
  struct Options {
    std::string dir;
    size_t max_entries = 10000;           // ~3.5 days at the default 30 s interval
    uint64_t max_bytes = 256ull << 20;    // 256 MiB
  };
  struct Entry {
    uint64_t seq;
    std::string path;
  };

  // Creates dir if needed and indexes what an earlier run left there.
  static common::Result<Spool> Open(const Options& options);

  // Durably appends one reading. May drop the oldest entries to stay in bounds.
  common::Status Append(const std::string& payload);
  // The oldest entry, if any.
  std::optional<Entry> Front() const;
  common::Result<std::string> Read(const Entry& e) const;
  // Removes the oldest entry. REQUIRES: !empty()
  common::Status PopFront();

  // Not thread-safe: one forwarder loop owns the spool.
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  uint64_t bytes() const { return bytes_; }
  uint64_t dropped() const { return dropped_; }

 private:
  explicit Spool(Options o) : options_(std::move(o)) {}
  std::string PathFor(uint64_t seq) const;

  Options options_;
  std::deque<std::pair<uint64_t, uint64_t>> entries_;  // (seq, size), oldest first
  uint64_t next_seq_ = 1;
  uint64_t bytes_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace forwarder
