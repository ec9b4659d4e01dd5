// tsdb: a RocksDB-backed time-series store with the Prometheus data model.
//
// A series is a sorted label set (model::Labels, including "__name__"); a
// sample is (int64 milliseconds, double). Values are stored bit-exactly: NaN
// payloads such as the staleness marker 0x7ff0000000000002, +-Inf and -0.0
// round-trip.
//
// Writing:
//   auto app = db->NewAppender();
//   app->Add(labels, t, v);                  // or: ref = db->GetOrCreateSeries(labels)
//   app->AddRef(ref, t, v);                  //     then AddRef (no label hashing)
//   AppendResult r = app->Commit();          // durable + visible when it returns
// Appenders are single-threaded; use one per thread. Any number of appenders
// and queriers may be used concurrently.
//
// Per-series rules (as Prometheus): a sample older than the series' newest
// sample is rejected (out_of_order); the same timestamp with bit-identical
// value is ignored (duplicate_ignored); the same timestamp with another value
// is rejected (duplicate_conflict); samples older than the newest sample in
// the database minus the retention are rejected (too_old). Rejections do not
// fail the batch: the good samples are kept and counted in AppendResult.
//
// Reading:
//   auto q = db->NewQuerier(mint, maxt);     // inclusive bounds
//   auto set = q->Select({Matcher::MustMake(Matcher::Type::kEqual, "job", "node")});
//   while (set->Next()) {
//     const Labels& l = set->labels();
//     auto it = set->NewIterator();
//     while (it->Next()) { auto [t, v] = it->At(); }
//     // check it->status()
//   }
//   // check set->status()
// Series come back sorted by labels; only series with samples in
// [mint, maxt] are returned.
//
// Durability: Commit() returns only after the batch is in RocksDB's
// write-ahead log. With SyncPolicy::kNone (default) the log is written but not
// fsynced: every acknowledged batch survives a crash or kill -9 of the process
// (the data is in the OS page cache), and at most the last few seconds of
// acknowledged batches (the kernel's dirty-page writeback window) can be lost
// on power failure or kernel crash. SyncPolicy::kEveryBatch fsyncs the log
// before acknowledging (no loss on power failure, much slower).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "model/sample_iterator.h"
#include "tsdb/downsample.h"
#include "tsdb/matcher.h"

namespace tsdb {

// Identifies a series inside one open DB (stable across reopen unless the
// series is deleted). 0 is never a valid ref.
using SeriesRef = uint64_t;

enum class SyncPolicy { kNone, kEveryBatch };

// A downsampling tier: buckets of one resolution (tsdb/downsample.h) kept
// for their own retention, beside the raw samples.
struct DownsampleTier {
  int64_t resolution_ms;
  int64_t retention_ms;
};

struct Options {
  // Samples older than (newest sample - retention_ms) are dropped.
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;
  SyncPolicy sync = SyncPolicy::kNone;
  // RocksDB block cache shared by all column families.
  size_t block_cache_bytes = 64 << 20;
  // All column families' memtables together: past it the largest is flushed
  // (RocksDB's db_write_buffer_size), and no family's write buffer is
  // larger than a quarter of it (the head log's half). 0: no shared budget,
  // each family's own write buffers only (up to ~640 MiB in all).
  size_t memtable_budget_bytes = 0;
  // Samples stamped more than this after the wall clock are rejected
  // (too_far_in_future): the retention follows the newest sample, so one
  // stamped years ahead would expire everything stored. 0: no limit.
  int64_t max_future_ms = 0;
  // Maximum number of series; creating more fails with series_limit. 0 = no limit.
  size_t max_series = 0;
  // Period of the background retention + head-log trimming; 0 disables the
  // background thread (call ApplyRetention() yourself).
  int64_t maintenance_interval_ms = 60 * 1000;
  // A head chunk is sealed (written to RocksDB) at this many samples or when
  // a sample would make it span more than max_chunk_span_ms. Every sealed
  // chunk is one RocksDB entry whose read costs about as much as decoding
  // ~100 samples, so chunks hold twice Prometheus's 120 (measured: range
  // queries over 24 h 7% faster, 6% less disk); the 2 h span still bounds
  // what a short query decodes beyond its range.
  int max_samples_per_chunk = 240;
  int64_t max_chunk_span_ms = 2LL * 3600 * 1000;
  // A head chunk whose series got no sample for this long (wall clock) is
  // sealed by the maintenance (ApplyRetention). Without it, the head of a
  // series that stopped (a host that went away) stays open until the
  // retention removes the series: its memory stays, and the head log cannot
  // be trimmed past its first sample, so the log grows with everything
  // written after it. 0: never.
  int64_t idle_head_seal_ms = 0;
  // A series' first chunk is sealed up to this many samples early (by a hash
  // of the series id; later chunks are full). Series created together (a
  // fleet after a restart, a bulk load, a benchmark) otherwise all reach
  // max_samples_per_chunk at the same sample and seal in the same writes:
  // measured, 200k series sealing at once stalled ingest for ~10 s and
  // queries for up to a minute. With jitter their seals spread over that many
  // samples and stay spread. 0: off. REQUIRES: < max_samples_per_chunk.
  int first_chunk_jitter_samples = 0;
  // Downsampling tiers, finest first; each resolution a multiple of the
  // previous one's, each retention at least the previous one's. A series
  // is kept (labels, index) while any tier may hold data of it. Empty: none.
  std::vector<DownsampleTier> downsample_tiers;
  // A tier's block (kBucketsPerBlock buckets) is written once the newest
  // sample in the store is this far past the block's end: samples arriving
  // later than that for an already written block (a forwarder emptying a
  // long spool) are in the raw data but not in the tiers. Queries combine
  // the written blocks with buckets computed from the newer data.
  int64_t downsample_delay_ms = 3600 * 1000;
  // Called by the downsampling job after each window it writes (a day or
  // more of one tier), with the tier's new watermark and where it is going
  // (so a long catch-up, e.g. after an upgrade, can report progress). On
  // the job's thread; must not call back into the DB.
  std::function<void(int64_t resolution_ms, int64_t watermark, int64_t target)>
      on_downsample_window;
};

struct AppendResult {
  size_t accepted = 0;
  size_t out_of_order = 0;        // older than the series' newest sample
  size_t duplicate_ignored = 0;   // same timestamp, same value bits
  size_t duplicate_conflict = 0;  // same timestamp, different value
  size_t too_old = 0;             // outside the retention window
  size_t too_far_in_future = 0;   // beyond Options::max_future_ms from now
  size_t series_limit = 0;        // series could not be created (max_series)
  size_t invalid = 0;             // empty label set or a ref this DB never handed out
  // The ref's series was removed (by retention or DeleteSeries) after the
  // caller resolved it. Retrying with a freshly resolved ref stores the
  // sample; see DB::RemovalGeneration.
  size_t series_removed = 0;
  // The first problem seen: InvalidArgument for rejected samples,
  // ResourceExhausted for series_limit, IOError if the batch could not be
  // persisted (then nothing of it was acknowledged). OK if all accepted or
  // ignored as duplicates.
  common::Status status;

  size_t rejected() const {
    return out_of_order + duplicate_conflict + too_old + too_far_in_future + series_limit +
           invalid + series_removed;
  }
};

// A sample of a series known by its ref (Prometheus's record.RefSample):
// what the ingest path buffers and the appender applies.
struct RefSample {
  SeriesRef ref;
  int64_t t;
  double v;
};

class Appender {
 public:
  virtual ~Appender() = default;
  // Buffers a sample for `labels` (creating the series on first use).
  virtual void Add(const model::Labels& labels, int64_t t, double v) = 0;
  // Buffers a sample for a ref from DB::GetOrCreateSeries.
  virtual void AddRef(SeriesRef ref, int64_t t, double v) = 0;
  // Applies the buffered samples in order, persists the accepted ones and
  // makes them visible to queries. The appender is empty afterwards and may
  // be reused.
  virtual AppendResult Commit() = 0;
  // Drops the buffered samples.
  virtual void Rollback() = 0;
};

class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Advances to the next series. Returns false at the end or on error.
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true. Valid until the next Next().
  virtual const model::Labels& labels() const = 0;
  // Samples of the current series within the querier's [mint, maxt].
  // The iterator owns its data and may outlive the set.
  // REQUIRES: the last Next() returned true.
  virtual std::unique_ptr<model::SampleIterator> NewIterator() const = 0;
  virtual common::Status status() const = 0;
};

class Querier {
 public:
  virtual ~Querier() = default;
  // Series matching all matchers with samples in [mint, maxt], sorted.
  virtual std::unique_ptr<SeriesSet> Select(const std::vector<Matcher>& matchers) = 0;
  // Select's series split into at most max_shards sets (fewer when there are
  // few series) that, concatenated in order, yield exactly what Select
  // yields. Each set may be read on its own thread while the querier lives.
  virtual std::vector<std::unique_ptr<SeriesSet>> SelectShards(const std::vector<Matcher>& matchers,
                                                               int max_shards) = 0;
  // Sorted distinct label names of series matching `matchers` (all series if
  // empty) that have samples in [mint, maxt]. A querier whose range reaches
  // +-2^62 is treated as unbounded and answered from the index alone (fast).
  virtual common::Result<std::vector<std::string>> LabelNames(
      const std::vector<Matcher>& matchers) = 0;
  // Sorted distinct values of label `name` among the same series.
  virtual common::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const std::vector<Matcher>& matchers) = 0;
};

// One committed batch as the sample log holds it (DB::ReadLog): the accepted
// samples grouped by series, each series' samples in time order. Flat
// arrays: series i is refs[i] with samples [offsets[i], offsets[i + 1]) of
// ts/vs (a scrape's batch holds one sample of each of thousands of series).
struct LogRecord {
  uint64_t seq;  // commit-order number of the batch
  std::vector<SeriesRef> refs;
  std::vector<uint32_t> offsets;  // refs.size() + 1 entries
  std::vector<int64_t> ts;
  std::vector<double> vs;
  size_t num_samples() const { return ts.size(); }
};

// Where a log reader stands (DB::OpenLogReader / CommitLogReader).
struct LogPosition {
  uint64_t next_seq = 0;  // every record below it is consumed
  std::string state;      // the reader's own bytes, persisted with next_seq
};

struct Stats {
  size_t num_series = 0;               // in memory
  size_t cold_series = 0;              // kept on disk only, for their downsampling tiers
  uint64_t samples_appended = 0;       // accepted since Open
  uint64_t sst_bytes = 0;              // total SST file size over all column families
  uint64_t downsampled_sst_bytes = 0;  // of which the downsampling tiers' blocks
  uint64_t memtable_bytes = 0;
  uint64_t block_cache_bytes = 0;  // in use (shared by every family)
  uint64_t head_bytes = 0;         // in-memory open chunks
  uint64_t chunks_sealed = 0;      // head chunks sealed since Open
  int64_t max_time = 0;            // newest sample timestamp (0 if none)
};

// Cardinality statistics of the series in the store (Prometheus's
// /api/v1/status/tsdb): each list holds the `limit` largest entries,
// largest first (ties by name).
struct CardinalityStats {
  struct Entry {
    std::string name;
    uint64_t value;
    bool operator==(const Entry&) const = default;
  };
  size_t num_series = 0;
  size_t num_label_pairs = 0;  // distinct name=value pairs
  size_t head_chunks = 0;      // open in-memory chunks
  int64_t min_time = 0;        // oldest sample in the head chunks (0 if none)
  int64_t max_time = 0;        // newest sample stored (0 if none)
  std::vector<Entry> series_count_by_metric_name;
  std::vector<Entry> label_value_count_by_label_name;
  std::vector<Entry> memory_in_bytes_by_label_name;     // sum of distinct values' lengths
  std::vector<Entry> series_count_by_label_value_pair;  // name "label=value"
};

// One series' buckets of one tier (DB::SelectBuckets).
class BucketSeriesSet {
 public:
  virtual ~BucketSeriesSet() = default;
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true. Valid until the next Next().
  virtual const model::Labels& labels() const = 0;
  // In time order, non-empty. Valid until the next Next().
  virtual const std::vector<Bucket>& buckets() const = 0;
  virtual common::Status status() const = 0;
};

// Progress of one downsampling tier.
struct DownsampleStatus {
  int64_t resolution_ms = 0;
  // Every bucket ending at or before it is written (min() before the first
  // block of the tier was written).
  int64_t watermark = std::numeric_limits<int64_t>::min();
  uint64_t blocks_written = 0;  // since Open
  uint64_t bytes_written = 0;   // keys and values of those blocks (before compression)
  double seconds = 0;           // spent writing this tier since Open
};

class DB {
 public:
  // Opens (creating if needed) the database in directory `dir`. Replays the
  // head log, so every sample acknowledged before a crash is visible again.
  static common::Result<std::unique_ptr<DB>> Open(const std::string& dir, const Options& options);
  // Closes the database; stops the background thread.
  virtual ~DB() = default;

  virtual std::unique_ptr<Appender> NewAppender() = 0;
  // Resolves labels to a ref, creating (and persisting) the series if new.
  // Returns InvalidArgument for an empty label set, ResourceExhausted when
  // max_series is reached.
  virtual common::Result<SeriesRef> GetOrCreateSeries(const model::Labels& labels) = 0;
  // Refs of removed series are never reused, but a caller that caches refs
  // must notice removals: the generation is bumped after every removal
  // (retention, DeleteSeries) has taken effect. A cached ref known to be
  // alive at generation G is still alive while RemovalGeneration() == G;
  // otherwise ask HasSeries again.
  virtual uint64_t RemovalGeneration() const = 0;
  // True if ref names a series that exists now.
  virtual bool HasSeries(SeriesRef ref) = 0;
  // REQUIRES: mint <= maxt.
  virtual std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) = 0;

  // Deletes every series matching all matchers (with all its samples).
  // Returns the number of series deleted.
  virtual common::Result<size_t> DeleteSeries(const std::vector<Matcher>& matchers) = 0;
  // Drops chunks older than the retention and series with no data left;
  // trims the head log. Also runs periodically in the background.
  virtual common::Status ApplyRetention() = 0;
  // Flushes memtables to SST files (after trimming the head log).
  virtual common::Status Flush() = 0;
  // Fully compacts all column families.
  virtual common::Status Compact() = 0;
  virtual Stats GetStats() = 0;
  // Walks every series' labels: O(series x labels), for an on-demand page.
  virtual CardinalityStats Cardinality(size_t limit) = 0;

  // --- The sample log: what remote_write sends ---
  //
  // Every committed batch is a numbered record of the head log. A named log
  // reader (one per remote_write destination) reads the records in order
  // and commits its position; positions are persisted in the store. While
  // at least one reader is registered, every accepted sample is logged
  // (otherwise samples that went straight into a sealed chunk are not) and
  // no record at or after the lowest reader position is trimmed: a reader
  // that stops committing holds the log (disk) back until it is removed.
  // Readers are expected to skip what is older than OldestRetainedTime().

  // Registers reader `name` (persisted) or returns its committed position.
  // A new reader starts at LogEnd(): it sees batches committed from now on.
  virtual common::Result<LogPosition> OpenLogReader(const std::string& name) = 0;
  // Persists the reader's position. REQUIRES: the reader is open.
  virtual common::Status CommitLogReader(const std::string& name, const LogPosition& pos) = 0;
  // Forgets the reader; the log it held is trimmed by the next maintenance.
  virtual common::Status RemoveLogReader(const std::string& name) = 0;
  // Registered readers (persisted ones included), sorted.
  virtual std::vector<std::string> LogReaders() = 0;
  // Every batch numbered below LogEnd() is final: its record exists or never
  // will. Batches at or after it may still be in flight.
  virtual uint64_t LogEnd() = 0;
  // Appends to *out the records with from <= seq < end in order, stopping
  // after the first record that brings the samples read to max_samples.
  // *next is set past the last record read (to `end` when all were read).
  // REQUIRES: end <= LogEnd().
  virtual common::Status ReadLog(uint64_t from, uint64_t end, size_t max_samples,
                                 std::vector<LogRecord>* out, uint64_t* next) = 0;
  // Labels of a series; false if it was removed (or never existed).
  virtual bool SeriesLabels(SeriesRef ref, model::Labels* labels) = 0;
  // Samples older than this are outside the retention (min() if no data).
  virtual int64_t OldestRetainedTime() const = 0;
  // The newest sample timestamp stored (0 if none); cheap, unlike GetStats.
  virtual int64_t MaxTime() const = 0;

  // --- Downsampling tiers (Options::downsample_tiers) ---
  //
  // A background thread writes each tier's blocks as they complete (tier 0
  // from raw samples, tier i from tier i - 1) and persists how far it got
  // after every window, so a restart resumes there; blocks older than a
  // tier's retention are deleted. Downsample() runs that work now, until
  // caught up (tests, tools).
  virtual common::Status Downsample() = 0;
  virtual std::vector<DownsampleStatus> DownsampleProgress() = 0;
  // The buckets of tier `tier` ending in [mint, BucketEnd(maxt)] of the
  // series matching all matchers, sorted by labels, split into at most
  // max_shards sets as Querier::SelectShards. Buckets past the tier's
  // watermark are computed from the finer tiers and raw samples, so the
  // answer does not depend on how far the background work got.
  // REQUIRES: tier < Options::downsample_tiers.size(), mint <= maxt.
  virtual common::Result<std::vector<std::unique_ptr<BucketSeriesSet>>> SelectBuckets(
      size_t tier, int64_t mint, int64_t maxt, const std::vector<Matcher>& matchers,
      int max_shards) = 0;
};

}  // namespace tsdb
