#include "server/api/tsdb_queryable.h"

namespace server {

namespace {

class SeriesSetAdapter : public promql::SeriesSet {
 public:
  SeriesSetAdapter(std::shared_ptr<tsdb::Querier> q, std::unique_ptr<tsdb::SeriesSet> set)
      : querier_(std::move(q)), set_(std::move(set)) {}
  bool Next() override { return set_->Next(); }
  const model::Labels& labels() const override { return set_->labels(); }
  std::unique_ptr<model::SampleIterator> Iterator() override {
    return set_->NewIterator();  // tsdb's iterators are model iterators
  }
  common::Status status() const override { return set_->status(); }

 private:
  std::shared_ptr<tsdb::Querier> querier_;  // must outlive set_ (shared by shards)
  std::unique_ptr<tsdb::SeriesSet> set_;
};

}  // namespace

common::Result<std::unique_ptr<promql::SeriesSet>> TsdbQueryable::Select(
    int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers) {
  if (mint_ms > maxt_ms) mint_ms = maxt_ms;
  std::shared_ptr<tsdb::Querier> q = db_->NewQuerier(mint_ms, maxt_ms);
  auto set = q->Select(matchers);
  return std::unique_ptr<promql::SeriesSet>(
      std::make_unique<SeriesSetAdapter>(std::move(q), std::move(set)));
}

common::Result<std::vector<std::unique_ptr<promql::SeriesSet>>> TsdbQueryable::SelectShards(
    int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers,
    int max_shards) {
  if (mint_ms > maxt_ms) mint_ms = maxt_ms;
  std::shared_ptr<tsdb::Querier> q = db_->NewQuerier(mint_ms, maxt_ms);
  std::vector<std::unique_ptr<promql::SeriesSet>> out;
  for (auto& set : q->SelectShards(matchers, max_shards)) {
    out.push_back(std::make_unique<SeriesSetAdapter>(q, std::move(set)));
  }
  return out;
}

}  // namespace server
