#include "server/api/tsdb_queryable.h"

#include <cmath>
#include <string_view>

#include "model/value.h"

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

// What a selector's samples are made of when read from a tier.
enum class BucketField { kLast, kMax, kMin, kSum, kMean, kCounter };

bool FieldFor(std::string_view func, BucketField* f) {
  if (func.empty() || func == "last_over_time") {
    *f = BucketField::kLast;
  } else if (func == "max_over_time") {
    *f = BucketField::kMax;
  } else if (func == "min_over_time") {
    *f = BucketField::kMin;
  } else if (func == "sum_over_time") {
    *f = BucketField::kSum;
  } else if (func == "avg_over_time") {
    *f = BucketField::kMean;
  } else if (func == "rate" || func == "increase" || func == "irate") {
    *f = BucketField::kCounter;
  } else {
    return false;
  }
  return true;
}

class VectorIterator final : public model::SampleIterator {
 public:
  explicit VectorIterator(model::SampleVector pts) : pts_(std::move(pts)) {}
  bool Next() override { return ++pos_ < pts_.size(); }
  bool Seek(int64_t t) override {
    if (pos_ == kBefore) pos_ = 0;
    while (pos_ < pts_.size() && pts_[pos_].t < t) ++pos_;
    return pos_ < pts_.size();
  }
  std::pair<int64_t, double> At() const override { return {pts_[pos_].t, pts_[pos_].v}; }
  common::Status status() const override { return common::Status::OK(); }

 private:
  static constexpr size_t kBefore = static_cast<size_t>(-1);
  model::SampleVector pts_;
  size_t pos_ = kBefore;  // Next() from here wraps to 0
};

class BucketSeriesSetAdapter : public promql::SeriesSet {
 public:
  BucketSeriesSetAdapter(std::unique_ptr<tsdb::BucketSeriesSet> set, BucketField field,
                         int64_t resolution_ms)
      : set_(std::move(set)), field_(field), res_(resolution_ms) {}
  bool Next() override { return set_->Next(); }
  const model::Labels& labels() const override { return set_->labels(); }
  std::unique_ptr<model::SampleIterator> Iterator() override {
    const std::vector<tsdb::Bucket>& bs = set_->buckets();
    model::SampleVector pts;
    pts.reserve(bs.size());
    double counter = 0;
    bool first = true;
    int64_t prev_end = 0;
    for (const tsdb::Bucket& b : bs) {
      if (field_ == BucketField::kLast) {
        pts.push_back({b.end - 1, b.last});
        continue;
      }
      if (b.count == 0) continue;  // a staleness marker only
      switch (field_) {
        case BucketField::kMax:
          pts.push_back({b.end - 1, b.max});
          break;
        case BucketField::kMin:
          pts.push_back({b.end - 1, b.min});
          break;
        case BucketField::kSum:
          pts.push_back({b.end - 1, b.sum});
          break;
        case BucketField::kMean:
          pts.push_back({b.end - 1, b.sum / b.count});
          break;
        case BucketField::kCounter:
          // The counter's value at the end of the first bucket is its last
          // sample's (so extrapolation towards zero behaves as on raw data);
          // each later bucket adds its increase.
          if (first) {
            counter = std::isfinite(b.last) ? b.last : 0;
          } else {
            counter += b.increase;
          }
          // Where a run starts (the first bucket, or one after a gap), its
          // value before the bucket's increase at the bucket's start: a
          // window holding only this bucket has a rate, as on raw samples.
          if (first || b.end - prev_end > res_) pts.push_back({b.end - res_, counter - b.increase});
          first = false;
          prev_end = b.end;
          pts.push_back({b.end, counter});
          break;
        case BucketField::kLast:
          break;
      }
    }
    return std::make_unique<VectorIterator>(std::move(pts));
  }
  common::Status status() const override { return set_->status(); }

 private:
  std::unique_ptr<tsdb::BucketSeriesSet> set_;
  const BucketField field_;
  const int64_t res_;
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
    int max_shards, const promql::SelectHints* hints) {
  if (mint_ms > maxt_ms) mint_ms = maxt_ms;
  std::vector<std::unique_ptr<promql::SeriesSet>> out;
  BucketField field;
  if (hints != nullptr && hints->step > 0 && max_source_resolution_ms_ != 0 &&
      FieldFor(hints->func, &field)) {
    const std::vector<tsdb::DownsampleStatus> tiers = db_->DownsampleProgress();
    for (size_t i = tiers.size(); i-- > 0;) {
      const int64_t res = tiers[i].resolution_ms;
      if (max_source_resolution_ms_ > 0 && res > max_source_resolution_ms_) continue;
      if (hints->step < 5 * res || hints->step % res != 0 || hints->start % res != 0) continue;
      // Windows of whole buckets. Counters also take a range that is not
      // (Grafana's $__rate_interval adds a scrape interval): the rebuilt
      // counter's first point inside the window is at most a bucket from
      // its start, and rate extrapolates across that as it does on raw data.
      const bool whole = hints->range % res == 0;
      if (!whole && !(field == BucketField::kCounter && hints->range >= 2 * res)) continue;
      auto sets = db_->SelectBuckets(i, mint_ms, maxt_ms, matchers, max_shards);
      if (!sets.ok()) return sets.status();
      for (auto& set : *sets) {
        out.push_back(std::make_unique<BucketSeriesSetAdapter>(std::move(set), field, res));
      }
      int64_t seen = coarsest_used_.load();
      while (seen < res && !coarsest_used_.compare_exchange_weak(seen, res)) {
      }
      return out;
    }
  }
  std::shared_ptr<tsdb::Querier> q = db_->NewQuerier(mint_ms, maxt_ms);
  for (auto& set : q->SelectShards(matchers, max_shards)) {
    out.push_back(std::make_unique<SeriesSetAdapter>(q, std::move(set)));
  }
  return out;
}

}  // namespace server
