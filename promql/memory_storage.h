// MemoryStorage: an in-memory Queryable (labels -> samples sorted by time),
// for unit tests, the differential test and benchmarks. Not thread-safe for
// writes; concurrent Selects are fine once loading is done.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "promql/storage.h"

namespace promql {

class MemoryStorage : public Queryable {
 public:
  using Samples = std::vector<std::pair<int64_t, double>>;

  // Adds one sample. Samples may arrive in any order; a later sample with the
  // same timestamp replaces the earlier one.
  void Add(const model::Labels& labels, int64_t t_ms, double v);
  // Adds many samples of one series.
  void AddSeries(const model::Labels& labels, const Samples& samples);

  size_t num_series() const { return series_.size(); }
  size_t num_samples() const;

  // Returned sets and iterators borrow from this storage: it must outlive
  // them and not be modified meanwhile.
  common::Result<std::unique_ptr<SeriesSet>> Select(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers) override;
  // Splits into shards of at least min_series_per_shard() series (default 1,
  // so tests exercise the engine's parallel paths even on small data).
  common::Result<std::vector<std::unique_ptr<SeriesSet>>> SelectShards(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers, int max_shards,
      const SelectHints* hints = nullptr) override;
  void set_min_series_per_shard(size_t n) { min_series_per_shard_ = n < 1 ? 1 : n; }
  size_t min_series_per_shard() const { return min_series_per_shard_; }

 private:
  struct Entry {
    Samples samples;
    bool sorted = true;
  };
  void Normalize(Entry& e);
  std::map<model::Labels, Entry> series_;
  size_t min_series_per_shard_ = 1;
};

}  // namespace promql
