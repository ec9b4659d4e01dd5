// The head: in-memory state of every known series (internal to tsdb/).
//
// Each MemSeries holds its open XOR chunk plus chunks that have been sealed
// by a batch that is not yet committed to RocksDB (so readers never miss
// them). SeriesMap is sharded: lookups by label hash and by id lock one of
// kShards small mutexes, never a global one.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "model/labels.h"
#include "tsdb/chunk.h"
#include "tsdb/packed_labels.h"

namespace tsdb {

// A head chunk sealed by a batch still in flight.
struct PendingChunk {
  XorChunk chunk;
  uint64_t wal_min_seq;  // oldest head-log batch holding samples of it
};

struct MemSeries {
  MemSeries(uint64_t id_in, const model::Labels& labels_in) : id(id_in), labels(labels_in) {}

  const uint64_t id;
  const PackedLabels labels;

  common::Mutex mu;
  XorChunk head GUARDED_BY(mu);
  std::vector<std::shared_ptr<const PendingChunk>> pending GUARDED_BY(mu);
  bool has_samples GUARDED_BY(mu) = false;  // any sample ever (head or sealed)
  int64_t max_t GUARDED_BY(mu) = std::numeric_limits<int64_t>::min();  // newest sample
  double last_v GUARDED_BY(mu) = 0;                                    // its value
  // Oldest head-log batch with samples in `head`; UINT64_MAX if head empty.
  uint64_t wal_min_seq GUARDED_BY(mu) = std::numeric_limits<uint64_t>::max();
  bool deleted GUARDED_BY(mu) = false;  // removed from SeriesMap; refs to it are stale
  // Bumped by every batch that appends to the series (and set back when a
  // batch whose write failed is undone): a failed batch may undo its changes
  // only while no other batch built on them (DBImpl::HandleFailedBatch).
  uint64_t version GUARDED_BY(mu) = 0;
  // A chunk of the series was ever sealed (loaded: one is on disk); until
  // then its head seals early by DBImpl::SealAt's jitter.
  bool sealed_once GUARDED_BY(mu) = false;
  // Steady-clock ms of the last append (Options::idle_head_seal_ms).
  int64_t last_append_ms GUARDED_BY(mu) = 0;
};

class SeriesMap {
 public:
  static constexpr int kShards = 128;

  // Returns the series with exactly these labels, or null.
  std::shared_ptr<MemSeries> GetByLabels(const model::Labels& labels, uint64_t hash);
  std::shared_ptr<MemSeries> GetById(uint64_t id);
  // Inserts `s` unless a series with the same labels exists; returns the one
  // in the map. `create` is called (under the label shard's lock) only when
  // no series exists, and may return null to insert nothing.
  template <typename CreateFn>
  std::shared_ptr<MemSeries> GetOrCreate(const model::Labels& labels, uint64_t hash,
                                         CreateFn&& create);
  // Removes the series from both indexes. `under_lock` (if set) runs first,
  // under the lock GetOrCreate creates this label set's series under (no
  // series with the same labels can be created while it runs); if it
  // returns false nothing is removed.
  void Remove(const MemSeries& s, const std::function<bool()>& under_lock = nullptr);
  // Snapshot of all series (unsorted).
  std::vector<std::shared_ptr<MemSeries>> All();
  size_t size();

 private:
  struct HashShard {
    common::Mutex mu;
    std::unordered_map<uint64_t, std::vector<std::shared_ptr<MemSeries>>> by_hash GUARDED_BY(mu);
  };
  struct IdShard {
    common::Mutex mu;
    std::unordered_map<uint64_t, std::shared_ptr<MemSeries>> by_id GUARDED_BY(mu);
  };
  void InsertId(std::shared_ptr<MemSeries> s);

  HashShard hash_shards_[kShards];
  IdShard id_shards_[kShards];
};

template <typename CreateFn>
std::shared_ptr<MemSeries> SeriesMap::GetOrCreate(const model::Labels& labels, uint64_t hash,
                                                  CreateFn&& create) {
  HashShard& sh = hash_shards_[hash % kShards];
  common::MutexLock lock(&sh.mu);
  auto& vec = sh.by_hash[hash];
  for (const auto& s : vec) {
    if (s->labels.Equals(labels)) return s;
  }
  std::shared_ptr<MemSeries> s = create();
  if (s == nullptr) {
    if (vec.empty()) sh.by_hash.erase(hash);
    return nullptr;
  }
  vec.push_back(s);
  InsertId(s);
  return s;
}

}  // namespace tsdb
