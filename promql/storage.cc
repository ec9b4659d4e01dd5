#include "promql/storage.h"

namespace promql {

common::Result<std::vector<std::unique_ptr<SeriesSet>>> Queryable::SelectShards(
    int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers, int,
    const SelectHints*) {
  auto set = Select(mint_ms, maxt_ms, matchers);
  if (!set.ok()) return set.status();
  std::vector<std::unique_ptr<SeriesSet>> out;
  out.push_back(std::move(set).value());
  return out;
}

}  // namespace promql
