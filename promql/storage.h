// The narrow read interface the engine evaluates against. The engine never
// sees how samples are stored: a Queryable hands out series (sorted by labels)
// and per-series sample iterators (model/sample_iterator.h).
//
// Implementations: MemoryStorage (tests, benchmarks); the server adapts tsdb.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "model/sample_iterator.h"
#include "promql/label_matcher.h"

namespace promql {

// A set of series ordered by labels.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true. Valid until the next Next().
  virtual const model::Labels& labels() const = 0;
  // REQUIRES: the last Next() returned true. The iterator may outlive Next()
  // calls but not the SeriesSet.
  virtual std::unique_ptr<model::SampleIterator> Iterator() = 0;
  virtual common::Status status() const = 0;
};

// What the engine will do with the series of one selector (as Prometheus's
// storage.SelectHints): a storage may answer from pre-aggregated data (the
// server's downsampling tiers) when that gives the same values.
struct SelectHints {
  // The evaluation times the selector is read at (after offset): start,
  // start + step, ..., end. step is 0 for instant queries.
  int64_t start = 0;
  int64_t end = 0;
  int64_t step = 0;
  // The range of a range selector (0 for a plain selector) and the name of
  // the function it is the argument of.
  int64_t range = 0;
  std::string_view func;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  // Series matching all matchers that may have samples in [mint_ms, maxt_ms].
  // Iterators may return samples outside that range; the engine filters.
  // REQUIRES: matchers non-empty.
  virtual common::Result<std::unique_ptr<SeriesSet>> Select(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers) = 0;

  // Select's series split into at most max_shards sets that, concatenated in
  // order, yield exactly what Select yields; the engine reads each on its own
  // thread. Sets must be independent (no shared mutable state). The default
  // is one set: Select.
  virtual common::Result<std::vector<std::unique_ptr<SeriesSet>>> SelectShards(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers, int max_shards,
      const SelectHints* hints = nullptr);
};

}  // namespace promql
