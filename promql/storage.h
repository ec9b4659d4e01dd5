// The narrow read interface the engine evaluates against. The engine never
// sees how samples are stored: a Queryable hands out series (sorted by labels)
// and per-series sample iterators (model/sample_iterator.h).
//
// Implementations: MemoryStorage (tests, benchmarks); the server adapts tsdb.
#pragma once

#include <cstdint>
#include <memory>
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
      int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers, int max_shards);
};

}  // namespace promql
