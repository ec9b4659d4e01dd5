// DBImpl: the DB implementation (internal to tsdb/). Split by verb:
// db_open.cc (open, replay), db_append.cc (series creation, appender),
// db_query.cc (postings, querier), db_maintenance.cc (retention, delete,
// flush, stats, background thread).
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "tsdb/db.h"
#include "tsdb/head.h"

namespace tsdb {

common::Status FromRocks(const rocksdb::Status& s);

// A chunk copied out for reading.
struct ChunkCopy {
  Encoding encoding;
  int64_t min_time;
  int64_t max_time;
  std::string bytes;
};

// A raw series set that also names the current series (internal).
class IdSeriesSet : public SeriesSet {
 public:
  // REQUIRES: the last Next() returned true.
  virtual uint64_t id() const = 0;
};

class DBImpl final : public DB {
 public:
  DBImpl(std::string dir, const Options& options);
  ~DBImpl() override;

  // Opens RocksDB, loads series, replays the head log, starts maintenance.
  common::Status Init();

  std::unique_ptr<Appender> NewAppender() override;
  common::Result<SeriesRef> GetOrCreateSeries(const model::Labels& labels) override;
  uint64_t RemovalGeneration() const override {
    return removal_generation_.load(std::memory_order_acquire);
  }
  bool HasSeries(SeriesRef ref) override;
  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) override;
  common::Result<size_t> DeleteSeries(const std::vector<Matcher>& matchers) override;
  common::Status ApplyRetention() override;
  common::Status Flush() override;
  common::Status Compact() override;
  Stats GetStats() override;
  CardinalityStats Cardinality(size_t limit) override;
  common::Result<LogPosition> OpenLogReader(const std::string& name) override;
  common::Status CommitLogReader(const std::string& name, const LogPosition& pos) override;
  common::Status RemoveLogReader(const std::string& name) override;
  std::vector<std::string> LogReaders() override;
  uint64_t LogEnd() override;
  common::Status ReadLog(uint64_t from, uint64_t end, size_t max_samples,
                         std::vector<LogRecord>* out, uint64_t* next) override;
  bool SeriesLabels(SeriesRef ref, model::Labels* labels) override;
  int64_t OldestRetainedTime() const override { return MinValidTime(); }
  int64_t MaxTime() const override {
    const int64_t mt = max_time_.load(std::memory_order_relaxed);
    return mt == std::numeric_limits<int64_t>::min() ? 0 : mt;
  }
  common::Status Downsample() override;
  std::vector<DownsampleStatus> DownsampleProgress() override;
  common::Result<std::vector<std::unique_ptr<BucketSeriesSet>>> SelectBuckets(
      size_t tier, int64_t mint, int64_t maxt, const std::vector<Matcher>& matchers,
      int max_shards) override;

  // True while log readers are registered: appenders then log every
  // accepted sample, including those that went straight into a sealed chunk.
  bool full_log() const { return full_log_.load(std::memory_order_acquire); }

  // --- used by the appender and querier (same library) ---
  const Options& options() const { return options_; }
  // See format::kChunkSpanBoundKey: every stored chunk spans less than this.
  int64_t chunk_span_bound_ms() const { return chunk_span_bound_ms_; }
  SeriesMap& series() { return series_; }
  rocksdb::DB* rocks() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf_series() { return cf_series_; }
  rocksdb::ColumnFamilyHandle* cf_index() { return cf_index_; }
  rocksdb::ColumnFamilyHandle* cf_chunks() { return cf_chunks_; }
  rocksdb::ColumnFamilyHandle* cf_head_wal() { return cf_head_wal_; }
  rocksdb::ColumnFamilyHandle* cf_meta() { return cf_meta_; }
  rocksdb::ColumnFamilyHandle* cf_downsampled() { return cf_downsampled_; }
  rocksdb::ColumnFamilyHandle* cf_cold() { return cf_cold_; }
  rocksdb::WriteOptions write_options() const;

  // Creates the series if needed; null with *status set on failure.
  std::shared_ptr<MemSeries> GetOrCreate(const model::Labels& labels, common::Status* status);

  // Batch sequence numbers for the head log. A batch is "in flight" from
  // BeginBatch until EndBatch; the log is never trimmed past an in-flight batch.
  uint64_t BeginBatch();
  void EndBatch(uint64_t seq);

  // --- write failures (a full disk, an I/O error) ---
  //
  // RocksDB refuses every write after a failed one until DB::Resume(); and an
  // appender has already put a batch's samples into the head when its write
  // fails. The appender then hands the batch to HandleFailedBatch, which
  // undoes its changes to the head, so the head again holds exactly what is
  // persisted and the client's retry (the batch was answered with an
  // IOError) is taken afresh instead of being mistaken for duplicates or
  // out-of-order samples of data that was never stored. A batch that cannot
  // be undone (a later batch appended on top of it and was persisted) is
  // kept and written again by RecoverFromWriteError. Every write first calls
  // RecoverFromWriteError, which resumes RocksDB and writes the kept batches;
  // while that fails (the disk is still full), writes fail without touching
  // the head. So writes resume by themselves once there is room again.
  using SealedChunks =
      std::vector<std::pair<std::shared_ptr<MemSeries>, std::shared_ptr<const PendingChunk>>>;
  // One series' state before a batch appended to it.
  struct SeriesUndo {
    uint64_t id;
    uint64_t version_after;  // the series' version right after the batch's appends
    bool has_samples;
    int64_t max_t;
    double last_v;
    uint64_t wal_min_seq;
    size_t sealed_begin, sealed_end;  // the batch's sealed chunks of this series
  };
  // `touched` in increasing series id order. Returns once the head no longer
  // holds the batch's samples, or they will be persisted by recovery.
  void HandleFailedBatch(uint64_t seq, const std::vector<SeriesUndo>& touched, SealedChunks sealed,
                         rocksdb::WriteBatch wb, int64_t max_t);
  // OK if the store is writable and nothing failed is left over; otherwise
  // tries (at most once a second) to make it so; an IOError if it cannot.
  common::Status RecoverFromWriteError();
  // Records that a write to RocksDB failed (recovery needed before the next).
  void NoteWriteFailure() { needs_recovery_.store(true, std::memory_order_release); }

  // Seals `s.head` if appending t would make it span more than
  // max_chunk_span_ms: moves it to s.pending and returns it (null otherwise).
  std::shared_ptr<const PendingChunk> MaybeSeal(MemSeries& s, int64_t t) REQUIRES(s.mu);
  // Seals `s.head` if it holds max_samples_per_chunk samples (called right
  // after an append, so a full chunk leaves the head and the head log at
  // once).
  std::shared_ptr<const PendingChunk> SealIfFull(MemSeries& s) REQUIRES(s.mu);

  // True if ref was handed out by this DB (ids are allocated in order).
  bool WasAllocated(SeriesRef ref) const { return ref > 0 && ref < next_series_id_.load(); }

  // Oldest sample timestamp still accepted (newest - retention).
  int64_t MinValidTime() const;
  void ObserveTime(int64_t t);
  static int64_t SteadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void AddAppended(uint64_t n) { samples_appended_.fetch_add(n, std::memory_order_relaxed); }

  // Sorted ids of series matching all matchers.
  common::Result<std::vector<uint64_t>> PostingsFor(const std::vector<Matcher>& matchers);
  // The raw samples in [mint, maxt] of the live series among `ids`, sorted
  // by labels (series without samples there are skipped).
  std::unique_ptr<IdSeriesSet> SelectIds(const std::vector<uint64_t>& ids, int64_t mint,
                                         int64_t maxt);
  // Watermark of tier i (DownsampleStatus::watermark).
  int64_t TierWatermark(size_t i) {
    common::MutexLock lock(&downsample_mu_);
    return tiers_[i].watermark;
  }

  // --- cold series: kept on disk only, for their downsampling tiers ---
  //
  // A series whose raw samples are all past the retention but whose tiers
  // hold data leaves memory (Evict): its labels stay in `series` and its
  // postings in `index` (tier queries find it), `cold_series` marks it. When
  // the same labels are appended again, GetOrCreate revives it with its id;
  // when no tier holds data of it any more, it is removed.
  //
  // Evicts s (ApplyRetention). REQUIRES: s.mu held, s has no head samples.
  common::Status Evict(MemSeries& s) REQUIRES(s.mu, retention_mu_);
  // The cold series with these labels (0 if none).
  common::Result<uint64_t> FindCold(const model::Labels& labels, uint64_t hash);
  // Labels of a series in memory or cold; false if neither.
  bool LabelsOf(uint64_t id, model::Labels* labels);
  // Ids of all cold series, in order.
  common::Result<std::vector<uint64_t>> ColdIds();
  // Deletes all of a series' raw chunks / tier blocks (into wb).
  void DeleteChunks(uint64_t id, rocksdb::WriteBatch* wb);
  void DeleteTierBlocks(uint64_t id, rocksdb::WriteBatch* wb);
  // Deletes a cold series with all it has on disk (into wb).
  void RemoveCold(uint64_t id, const model::Labels& labels, rocksdb::WriteBatch* wb);
  size_t cold_series() const { return cold_series_.load(); }

  // Trims the head log below the oldest batch still needed.
  common::Status TrimHeadLog();
  // Called by appenders: trims every kTrimEveryBatches batches so that a
  // fast bulk load does not wait for the maintenance thread. Non-blocking.
  void MaybeTrimHeadLog(uint64_t seq);
  static constexpr uint64_t kTrimEveryBatches = 512;

 private:
  std::shared_ptr<const PendingChunk> SealIfFull(MemSeries& s, bool force) REQUIRES(s.mu);
  // Samples at which s's head chunk is full (first_chunk_jitter_samples).
  int SealAt(const MemSeries& s) const REQUIRES(s.mu);
  common::Status OpenRocks();
  common::Status LoadChunkSpanBound();
  common::Status LoadSeries();
  common::Status ReplayHeadLog();
  common::Status LoadLogReaders();
  // Seals head chunks idle for Options::idle_head_seal_ms.
  common::Status SealIdleHeads() REQUIRES(retention_mu_);
  // Lowest position of any log reader (UINT64_MAX if none).
  uint64_t LowestReaderPosition();
  // Loads the newest sealed sample of s into s.max_t/last_v.
  common::Status LoadLastSealed(MemSeries& s);
  common::Status RemoveSeries(MemSeries& s, rocksdb::WriteBatch* wb) REQUIRES(s.mu, retention_mu_);
  // Marks recovery as still needed after `rs` failed; returns the error.
  common::Status RecoveryFailed(const rocksdb::Status& rs) REQUIRES(recovery_mu_);
  void MaintenanceLoop();
  void DownsampleLoop();
  common::Status LoadDownsampleProgress();
  // The oldest raw sample stored (min() if none): where a tier starts.
  common::Result<int64_t> OldestRawTime();
  // Writes tier i's blocks ending in (from, to] (from, to block-aligned)
  // and persists `to` as its watermark. Series are read and written in
  // groups, each under retention_mu_ (a series removed meanwhile leaves no
  // blocks behind).
  common::Status DownsampleWindow(size_t i, int64_t from, int64_t to);
  // Deletes tier blocks older than their tier's retention (at most once per
  // block span of each tier).
  common::Status ApplyTierRetention();
  // Waits (bounded) until the batches begun after `seq` that are still in
  // flight have ended, so that a failed batch sees whether they undid
  // themselves before it decides whether it can be undone.
  void WaitForNewerBatches(uint64_t seq);
  // Undoes a failed batch if no series it touched was changed since;
  // false (nothing changed) otherwise.
  bool UndoBatch(const std::vector<SeriesUndo>& touched, const SealedChunks& sealed);

  const std::string dir_;
  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  // Column families, in the order OpenRocks opens them.
  rocksdb::ColumnFamilyHandle* cf_series_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_index_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_chunks_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_head_wal_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_downsampled_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_cold_ = nullptr;
  // All six, for calls over every family (flush, compact, stats).
  std::vector<rocksdb::ColumnFamilyHandle*> all_cfs_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;

  SeriesMap series_;
  int64_t chunk_span_bound_ms_ = 0;  // set once in OpenRocks
  std::atomic<uint64_t> next_series_id_{1};
  std::atomic<int64_t> max_time_{std::numeric_limits<int64_t>::min()};
  std::atomic<uint64_t> samples_appended_{0};
  std::atomic<uint64_t> chunks_sealed_{0};
  std::atomic<uint64_t> removal_generation_{0};  // see DB::RemovalGeneration
  std::atomic<uint64_t> cold_series_{0};         // in cold_series (approximate)

  common::Mutex batch_mu_;  // held only to allocate/retire a batch number
  uint64_t next_seq_ GUARDED_BY(batch_mu_) = 1;
  std::set<uint64_t> inflight_ GUARDED_BY(batch_mu_);
  common::CondVar batch_ended_;  // on batch_mu_; signalled by EndBatch while batch_waiters_ > 0
  int batch_waiters_ GUARDED_BY(batch_mu_) = 0;

  // A batch whose write failed and that could not be undone.
  struct KeptBatch {
    uint64_t seq;  // its record is written on recovery: LogEnd() stays below
    rocksdb::WriteBatch wb;
    SealedChunks sealed;  // pending until wb is written
    int64_t max_t;        // its newest accepted sample (min() if none)
  };
  std::atomic<bool> needs_recovery_{false};
  common::Mutex recovery_mu_;
  std::vector<KeptBatch> kept_batches_ GUARDED_BY(recovery_mu_);
  std::chrono::steady_clock::time_point next_recovery_try_ GUARDED_BY(recovery_mu_){};
  common::Status recovery_error_ GUARDED_BY(recovery_mu_);

  common::Mutex maint_mu_;
  common::CondVar maint_cv_;  // on maint_mu_
  bool stop_ GUARDED_BY(maint_mu_) = false;
  std::thread maint_thread_;
  common::Mutex retention_mu_;  // serializes ApplyRetention/DeleteSeries
  common::Mutex trim_mu_;       // one opportunistic trim at a time

  // Log readers: name -> committed next_seq (DB::OpenLogReader).
  common::Mutex readers_mu_;
  std::map<std::string, uint64_t> readers_ GUARDED_BY(readers_mu_);
  std::atomic<bool> full_log_{false};

  // Downsampling (one entry per Options::downsample_tiers).
  common::Mutex downsample_mu_;
  std::vector<DownsampleStatus> tiers_ GUARDED_BY(downsample_mu_);
  std::vector<int64_t> tier_retention_done_ GUARDED_BY(downsample_mu_);  // last cutoff block
  common::Mutex downsample_run_mu_;  // one Downsample() at a time
  std::thread downsample_thread_;
  std::atomic<uint64_t> replay_from_persisted_{0};  // last kHeadReplayFromKey written
};

}  // namespace tsdb
