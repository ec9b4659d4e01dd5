// Outbox: the built-in notifier's durable delivery queue. A notification is
// on disk before Enqueue returns, so a crash or restart loses none: Open
// resumes what the last process left.
//
// One file per notification, <dir>/<id>.json: {"version":1, "seq",
// "next_attempt_ms", "notification": NotificationToJson}. Written to
// <id>.json.tmp, fsynced, renamed over, and the directory fsynced. Open
// removes left-over .tmp files (an Enqueue that never returned) and renames
// files it cannot read to <name>.corrupt (kept for inspection, counted once,
// never read again).
//
// One worker thread delivers, oldest first (created_ms, then enqueue order),
// the notifications whose next attempt is due; one whose delivery keeps
// failing does not hold back the others. After each attempt:
//   OK                      the file is removed (delivered_total);
//   retryable (IsRetryable) attempts and the next attempt time are written
//                           to the file (retried_total); the delay doubles
//                           from min_backoff up to max_backoff, with jitter
//                           (a uniform draw in [delay/2, delay]), and is at
//                           least what the failure asked for
//                           (RetryAfterSeconds);
//   other failures          the file is removed, dropped_total{"permanent"}.
// A notification older than max_age (by created_ms) is dropped without
// another attempt: dropped_total{"expired"}. Delivery is at least once: a
// crash between a successful attempt and the file's removal sends it again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "notifier/notification.h"

namespace notifier {

// Notification <-> JSON (the outbox's file content; every field kept,
// annotation order included). FromJson fails with Corruption on anything
// that is not such a document.
std::string NotificationToJson(const Notification& n);
common::Result<Notification> NotificationFromJson(std::string_view json);

struct OutboxOptions {
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{5 * 60 * 1000};
  std::chrono::milliseconds max_age{24 * 60 * 60 * 1000};
};

class Outbox {
 public:
  // Called on the worker thread, one call at a time; its Status is judged
  // as above. Must not call back into the Outbox.
  using DeliverFn = std::function<common::Status(const Notification&)>;

  // Creates dir if needed, loads the notifications in it and starts the
  // worker. Fails if dir cannot be created or read.
  static common::Result<std::unique_ptr<Outbox>> Open(const std::string& dir, OutboxOptions opts,
                                                      DeliverFn deliver);
  ~Outbox();  // Stop()
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Writes n durably, then queues it. An empty id gets a fresh one, a zero
  // created_ms the current time. Fails with InvalidArgument for an id that
  // is not a file name ([A-Za-z0-9._-], at most 200 characters, not
  // starting with '.') or already queued, IOError if the file cannot be
  // written (then nothing is queued). After Stop() the file is still
  // written (the next Open delivers it) but not delivered by this Outbox.
  common::Status Enqueue(Notification n) EXCLUDES(mu_);

  // Lets the attempt in progress finish, then stops the worker; the files
  // stay. Idempotent.
  void Stop() EXCLUDES(mu_);

  struct Stats {
    size_t queued = 0;  // notifications waiting (the one in flight included)
    uint64_t enqueued_total = 0;
    uint64_t delivered_total = 0;
    uint64_t retried_total = 0;  // failed attempts that will be retried
    // "permanent", "expired", "corrupt" (unreadable files found by Open).
    std::map<std::string, uint64_t> dropped_total;
    uint64_t loaded_total = 0;  // notifications Open resumed
  };
  Stats stats() const EXCLUDES(mu_);

  // The ids queued, in delivery order (for tests and the status page).
  std::vector<std::string> QueuedIds() const EXCLUDES(mu_);

 private:
  struct Item {
    Notification n;
    uint64_t seq = 0;
    int64_t next_attempt_ms = 0;
  };

  Outbox(std::string dir, OutboxOptions opts, DeliverFn deliver);
  common::Status Load() EXCLUDES(mu_);
  void Run() EXCLUDES(mu_);
  // Writes the item's file atomically (temp, fsync, rename, fsync dir).
  common::Status WriteItem(const Item& item) const;
  void RemoveFile(const std::string& id) const;
  std::string PathOf(const std::string& id) const { return dir_ + "/" + id + ".json"; }
  int64_t Backoff(int attempts, const common::Status& failure);

  const std::string dir_;
  const OutboxOptions opts_;
  const DeliverFn deliver_;

  mutable common::Mutex mu_;
  common::CondVar cv_;
  // By (created_ms, seq): the delivery order.
  std::map<std::pair<int64_t, uint64_t>, Item> items_ GUARDED_BY(mu_);
  std::set<std::string> ids_ GUARDED_BY(mu_);  // of items_, and of Enqueues writing
  uint64_t next_seq_ GUARDED_BY(mu_) = 1;
  bool stopping_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);
  std::mt19937_64 rng_;  // backoff jitter; the worker's only
  std::thread worker_;
};

}  // namespace notifier
