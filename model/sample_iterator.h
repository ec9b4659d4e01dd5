// SampleIterator: walks one series' samples in increasing timestamp order.
// The one iterator interface of the tree: tsdb's chunk and series iterators
// implement it and the query engine reads through it (promql/storage.h).
//
// Usage:
//   while (it->Next()) { auto [t, v] = it->At(); ... }
//   if (!it->status().ok()) { ... }
// Next() returns false at the end or on error; status() tells which.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/sample.h"

namespace model {

class SampleIterator {
 public:
  virtual ~SampleIterator() = default;

  // Advances to the next sample. Returns false when exhausted or on error.
  virtual bool Next() = 0;
  // Positions at the first sample with timestamp >= t. A no-op returning true
  // if the iterator already sits on such a sample. Returns false when there is
  // none (or on error).
  virtual bool Seek(int64_t t) = 0;
  // REQUIRES: the last Next()/Seek() returned true.
  virtual std::pair<int64_t, double> At() const = 0;
  // OK unless iteration stopped because of an error (e.g. corrupt chunk).
  virtual common::Status status() const = 0;

  // Appends every sample with mint <= t <= maxt, starting from the current
  // position (seeking to mint first), and leaves the iterator on the first
  // sample after maxt (or exhausted). Returns status(). The default uses
  // Seek/Next/At; iterators over stored chunks override it to decode in bulk.
  virtual common::Status AppendRange(int64_t mint, int64_t maxt, model::SampleVector* out) {
    if (Seek(mint)) {
      do {
        auto [t, v] = At();
        if (t > maxt) break;
        out->push_back({t, v});
      } while (Next());
    }
    return status();
  }
};

}  // namespace model
