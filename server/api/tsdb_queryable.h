// TsdbQueryable: the PromQL engine's read interface (promql::Queryable) over
// tsdb::DB. Each Select opens a tsdb querier for the requested range; the
// series set keeps it alive. Both sides use model::Matcher, so selectors
// pass through unchanged.
//
// Downsampling tiers: a selector of a range query whose every step and
// window is whole buckets of a tier is read from that tier's buckets (the
// coarsest tier with resolution R such that step >= 5R, and start, step and
// the selector's range are multiples of R; for rate/increase/irate any range
// of at least 2R), presented to the engine as samples whose PromQL answer is
// the raw data's:
//   plain selector, last_over_time: the bucket's last sample, at end - 1 ms;
//   max_over_time / min_over_time: its max / min at end - 1 ms (exact);
//   sum_over_time: its sum; avg_over_time: its mean (sum / count: the raw
//     answer when buckets hold the same number of samples);
//   rate / increase / irate: a counter rebuilt from the buckets' increases,
//     at each bucket's end (so a window's increase is its buckets' sum).
// Every other function reads raw samples. Bucket ends are right-closed and
// stamped 1 ms before the end so that a window [t - range, t] takes exactly
// the buckets ending in (t - range, t].
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "promql/storage.h"
#include "tsdb/db.h"

namespace server {

class TsdbQueryable : public promql::Queryable {
 public:
  // max_source_resolution_ms (Thanos's parameter): -1 any tier, 0 raw
  // samples only, otherwise tiers of at most that resolution.
  explicit TsdbQueryable(tsdb::DB* db, int64_t max_source_resolution_ms = -1)
      : db_(db), max_source_resolution_ms_(max_source_resolution_ms) {}
  common::Result<std::unique_ptr<promql::SeriesSet>> Select(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers) override;
  common::Result<std::vector<std::unique_ptr<promql::SeriesSet>>> SelectShards(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers,
      int max_shards, const promql::SelectHints* hints = nullptr) override;

  // The coarsest resolution any selector was read at (0: raw samples only).
  int64_t coarsest_resolution_used() const { return coarsest_used_.load(); }

 private:
  tsdb::DB* db_;
  const int64_t max_source_resolution_ms_;
  std::atomic<int64_t> coarsest_used_{0};
};

}  // namespace server
