// TsdbQueryable: the PromQL engine's read interface (promql::Queryable) over
// tsdb::DB. Each Select opens a tsdb querier for the requested range; the
// series set keeps it alive. Both sides use model::Matcher, so selectors
// pass through unchanged.
#pragma once

#include <memory>
#include <vector>

#include "promql/storage.h"
#include "tsdb/db.h"

namespace server {

class TsdbQueryable : public promql::Queryable {
 public:
  explicit TsdbQueryable(tsdb::DB* db) : db_(db) {}
  common::Result<std::unique_ptr<promql::SeriesSet>> Select(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers) override;
  common::Result<std::vector<std::unique_ptr<promql::SeriesSet>>> SelectShards(
      int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers,
      int max_shards) override;

 private:
  tsdb::DB* db_;
};

}  // namespace server
