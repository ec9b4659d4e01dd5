// Ingester: the single write path into tsdb. Every way in (scrape, JSON push,
// text push, remote_write, import) resolves its series through a
// SeriesBatch, which validates each series against the Limits and resolves it
// to a tsdb series ref, then commits the samples once (Commit). Validation happens before anything
// is stored, so a request with an invalid series stores nothing (unless the caller commits partial
// batches on purpose, as the streaming import does).
//
// Series refs are cached by a caller-chosen key (for text: the raw series
// text plus the extra labels), so series seen before skip label parsing and
// hashing entirely. The cache is sharded for concurrent requests. A cached
// ref is re-checked against the store after the store removed any series
// (tsdb::DB::RemovalGeneration), so a host that comes back after retention
// or deletion removed its series gets them created anew, never a dead ref.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "model/labels.h"
#include "server/ingest/limits.h"
#include "tsdb/db.h"

namespace server {

struct IngestCounters {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> out_of_order{0};
  std::atomic<uint64_t> duplicate{0};
  std::atomic<uint64_t> too_old{0};
  std::atomic<uint64_t> too_far_in_future{0};
  std::atomic<uint64_t> series_limit{0};
  std::atomic<uint64_t> invalid{0};
  std::atomic<uint64_t> series_removed{0};
  // Refused because the store could not persist them (disk full, I/O
  // error); the request is answered 503 and the client retries.
  std::atomic<uint64_t> storage_error{0};
};

class Ingester {
 public:
  Ingester(tsdb::DB* db, const Limits& limits);

  // Checks a series against the limits and the data model (valid names,
  // __name__ present). InvalidArgument with a message naming the series.
  common::Status Validate(const model::Labels& labels) const;

  // Looks up a cached ref for key, or builds labels with make_labels,
  // validates them and creates the series. make_labels is only called on a
  // cache miss.
  common::Result<tsdb::SeriesRef> Resolve(
      std::string_view key, const std::function<common::Result<model::Labels>()>& make_labels);

  // The series of one request, created only once the whole request has been
  // validated, so that a request refused for any of its series leaves
  // nothing behind, not even an empty series in the index (which label and
  // series listings would show). Cached series resolve at once; a new
  // series gets a placeholder ref that Create() replaces. One per request,
  // not thread-safe.
  class SeriesBatch {
   public:
    explicit SeriesBatch(Ingester* ingester);
    // As Ingester::Resolve, without creating anything: the ref may be a
    // placeholder until Create().
    common::Result<tsdb::SeriesRef> Resolve(
        std::string_view key, const std::function<common::Result<model::Labels>()>& make_labels);
    // Creates the queued series and puts their refs in place of the
    // placeholders in *samples (and *refs). Errors: series limit
    // (ResourceExhausted, counted), storage (IOError); series created before
    // the failing one stay (only near the series limit or on a failing disk).
    common::Status Create(std::vector<tsdb::RefSample>* samples,
                          std::vector<tsdb::SeriesRef>* refs = nullptr);

   private:
    // Series ids are far below 2^63: the top bit marks a placeholder.
    static constexpr tsdb::SeriesRef kQueuedBit = tsdb::SeriesRef{1} << 63;
    struct NewSeries {
      std::string key;
      model::Labels labels;
    };
    Ingester* ingester_;
    uint64_t generation_;
    std::vector<NewSeries> new_series_;
    std::unordered_map<std::string, size_t> queued_;  // key -> index in new_series_
  };
  // Appends resolved samples and updates the counters. The batch is
  // cleared.
  tsdb::AppendResult Commit(std::vector<tsdb::RefSample>& batch);

  const IngestCounters& counters() const { return counters_; }
  // Counts samples a caller without a client to answer (rule evaluation)
  // could not store because their series failed Validate.
  void CountInvalid(uint64_t n) { counters_.invalid.fetch_add(n); }
  const Limits& limits() const { return limits_; }
  tsdb::DB* db() const { return db_; }

 private:
  // The cached ref of key if its series is alive under `generation`.
  std::optional<tsdb::SeriesRef> Cached(std::string_view key, uint64_t generation);
  // Creates (or finds) the series of validated labels and caches its ref.
  common::Result<tsdb::SeriesRef> Create(std::string_view key, const model::Labels& labels,
                                         uint64_t generation);

  static constexpr size_t kShards = 64;
  static constexpr size_t kMaxCachedPerShard = 1 << 16;
  // The cache is probed once per sample on the text paths, so lookups take
  // the caller's string_view with its hash computed once (it also picks the
  // shard): no std::string is built and no key is hashed twice.
  struct HashedKey {
    std::string_view key;
    size_t hash;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const HashedKey& k) const noexcept { return k.hash; }
    size_t operator()(std::string_view s) const noexcept;
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    bool operator()(const HashedKey& a, std::string_view b) const noexcept { return a.key == b; }
    bool operator()(std::string_view a, const HashedKey& b) const noexcept { return a == b.key; }
  };
  struct Shard {
    common::Mutex mu;
    struct Entry {
      tsdb::SeriesRef ref;
      uint64_t generation;  // the store's RemovalGeneration when ref was last known alive
    };
    std::unordered_map<std::string, Entry, KeyHash, KeyEq> refs GUARDED_BY(mu);
  };

  tsdb::DB* db_;
  Limits limits_;
  std::unique_ptr<Shard[]> shards_;
  IngestCounters counters_;
};

// Turns a non-OK AppendResult into the message a 400 answer carries, e.g.
// "2 samples rejected: 1 out of order, 1 duplicate timestamp with a different value".
std::string DescribeRejections(const tsdb::AppendResult& r);

}  // namespace server
