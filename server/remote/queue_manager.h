// QueueManager: sends everything the store accepts to one remote_write
// destination, reading the store's sample log (tsdb::DB::ReadLog), never
// memory alone, so a destination that is down for hours -- across server
// restarts and kill -9 -- loses nothing; the bound is the retention.
//
// The log is read in segments: a run of committed batches, split over N
// shards by series (each series' samples stay in order on one shard). Each
// shard sends its part in requests of at most max_samples_per_send samples,
// one request in flight, and after each answered request the position is
// committed to the store as (segment start, segment end, N, samples each
// shard has finished). After a restart the same segment is read again, split
// the same way, and each shard skips what it had finished: samples are sent
// once (the one exception: a crash between a 2xx and the commit of that
// request, microseconds, sends that request again). A segment is done when
// every shard is; the next one starts from its end.
//
// Answers: 2xx sent; 5xx, network errors and 429 (unless
// retry_on_http_429: false) retried with jittered exponential backoff from
// min_backoff to max_backoff, or after Retry-After; other 4xx dropped and
// counted as failed. Samples are dropped and counted under a reason when
// write_relabel_configs drop their series ("relabel"), their series was
// removed ("series_removed"), or they fell out of the retention while
// waiting ("too_old"). Shards: N = clamp(ceil(segment samples / capacity),
// min_shards, max_shards), so the number of concurrent requests follows the
// backlog.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"
#include "model/labels.h"
#include "server/remote/remote_write_config.h"
#include "tsdb/db.h"

namespace server::remote {

// Counters of one destination, as the self-metrics report them.
struct QueueStats {
  uint64_t samples_sent = 0;
  uint64_t samples_failed = 0;
  uint64_t samples_retried = 0;
  uint64_t dropped_relabel = 0;
  uint64_t dropped_series_removed = 0;
  uint64_t dropped_too_old = 0;
  uint64_t bytes_sent = 0;
  uint64_t requests_sent = 0;
  uint64_t samples_pending = 0;
  int64_t highest_sent_ms = 0;  // 0 if nothing was sent
  int shards = 0;               // of the current segment
  int desired_shards = 0;
  // Sent-request durations: Prometheus's buckets.
  static constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                        2.5,   5,    10,    25,   60,  120, 300};
  uint64_t duration_buckets[std::size(kBuckets)] = {};
  uint64_t duration_count = 0;
  double duration_sum = 0;
};

class QueueManager {
 public:
  QueueManager(tsdb::DB* db, RemoteWriteConfig config, model::Labels external_labels,
               std::string user_agent);
  ~QueueManager();
  QueueManager(const QueueManager&) = delete;
  QueueManager& operator=(const QueueManager&) = delete;

  // Opens (or registers) the destination's log reader and starts sending.
  common::Status Start();
  // Stops sending (a request in flight is finished or times out first);
  // the position stays in the store.
  void Stop();

  const RemoteWriteConfig& config() const { return config_; }
  const model::Labels& external_labels() const { return external_labels_; }
  QueueStats Stats() const;

 private:
  // A series as this destination sends it.
  struct Series {
    enum class State : uint8_t { kSend, kDroppedByRelabel, kRemoved } state = State::kSend;
    std::string labels_field;  // LabelsField() of the relabeled labels
  };
  struct Entry {
    const Series* series;
    int64_t t;
    double v;
  };
  struct Segment {
    uint64_t begin = 0, end = 0;
    int shards = 0;
    std::vector<std::vector<Entry>> parts;  // per shard
    std::vector<uint64_t> done;             // per shard: entries finished
  };

  void Run();
  // Shard thread: sends its part of every segment Run hands out.
  void Worker(int shard);
  // Reads the segment starting at seg->begin (waiting for data), given the
  // records already read from there up to `next`; false when stopping.
  bool NextSegment(Segment* seg, std::vector<tsdb::LogRecord> records, uint64_t next);
  // Reads what is in the log from `from` now, without waiting.
  void Prefetch(uint64_t from, std::vector<tsdb::LogRecord>* records, uint64_t* next);
  size_t MaxSegmentSamples() const;
  // Re-reads the segment the persisted state describes.
  common::Status ResumeSegment(const tsdb::LogPosition& pos, Segment* seg);
  void Split(const std::vector<tsdb::LogRecord>& records, Segment* seg);
  const Series* Lookup(tsdb::SeriesRef ref);
  void SendPart(Segment* seg, int shard, std::mt19937_64* rng);
  // Records that `shard` finished `done` entries and commits the position
  // with the segment's progress.
  void Commit(Segment* seg, int shard, uint64_t done);
  // Commits the position: the segment finished (or, if not, its progress).
  void Commit(const Segment& seg, bool finished);
  // Sleeps up to ms; false if stopping.
  bool Sleep(int64_t ms);
  // A retry's backoff: like Sleep, but ends early when another shard's
  // request succeeds (NoteSuccess).
  bool Backoff(int64_t ms);
  void NoteSuccess();
  bool stopping() const { return stop_.load(std::memory_order_acquire); }

  tsdb::DB* const db_;
  const RemoteWriteConfig config_;
  const model::Labels external_labels_;
  const std::string user_agent_;
  const std::string reader_;

  // Reader thread only; entries of the segment being sent point into it.
  std::unordered_map<tsdb::SeriesRef, Series> series_;
  uint64_t cache_generation_ = 0;  // DB::RemovalGeneration() series_ was built under
  static constexpr size_t kMaxCachedSeries = 4'000'000;
  std::vector<std::unique_ptr<common::HttpClient>> clients_;  // one per shard
  std::mutex commit_mu_;

  mutable std::mutex stats_mu_;
  QueueStats stats_;

  // Run hands each segment to the shard threads through these.
  std::mutex work_mu_;
  std::condition_variable work_cv_;       // a new segment, or stopping
  std::condition_variable work_done_cv_;  // work_pending_ reached 0
  Segment* work_ = nullptr;
  int work_shards_ = 0;
  uint64_t work_generation_ = 0;
  int work_pending_ = 0;
  std::vector<std::thread> workers_;  // shard i is workers_[i]

  std::atomic<bool> stop_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;  // stopping, or success_epoch_ moved
  uint64_t success_epoch_ = 0;       // guarded by stop_mu_
  int backing_off_ = 0;              // guarded by stop_mu_
  std::atomic<int> backing_off_mirror_{0};
  std::thread thread_;
};

}  // namespace server::remote
