#include "promql/memory_storage.h"

#include <algorithm>

namespace promql {
namespace {

class SpanIterator : public model::SampleIterator {
 public:
  SpanIterator(const std::pair<int64_t, double>* begin, const std::pair<int64_t, double>* end)
      : begin_(begin), end_(end), cur_(nullptr) {}
  bool Next() override {
    cur_ = cur_ == nullptr ? begin_ : (cur_ < end_ ? cur_ + 1 : end_);
    return cur_ < end_;
  }
  bool Seek(int64_t t) override {
    if (cur_ != nullptr && cur_ < end_ && cur_->first >= t) return true;
    const auto* from = cur_ == nullptr ? begin_ : cur_;
    cur_ = std::lower_bound(
        from, end_, t, [](const std::pair<int64_t, double>& s, int64_t x) { return s.first < x; });
    return cur_ < end_;
  }
  std::pair<int64_t, double> At() const override { return *cur_; }
  common::Status status() const override { return common::Status::OK(); }
  common::Status AppendRange(int64_t mint, int64_t maxt, model::SampleVector* out) override {
    if (!Seek(mint)) return common::Status::OK();
    const auto* hi = std::upper_bound(
        cur_, end_, maxt,
        [](int64_t x, const std::pair<int64_t, double>& s) { return x < s.first; });
    for (const auto* p = cur_; p < hi; ++p) out->push_back({p->first, p->second});
    cur_ = hi;
    return common::Status::OK();
  }

 private:
  const std::pair<int64_t, double>* begin_;
  const std::pair<int64_t, double>* end_;
  const std::pair<int64_t, double>* cur_;  // null before the first Next/Seek
};

class VectorSeriesSet : public SeriesSet {
 public:
  struct Item {
    const model::Labels* labels;
    const std::pair<int64_t, double>* begin;
    const std::pair<int64_t, double>* end;
  };
  explicit VectorSeriesSet(std::vector<Item> items) : items_(std::move(items)) {}
  bool Next() override {
    ++pos_;
    return pos_ < items_.size();
  }
  const model::Labels& labels() const override { return *items_[pos_].labels; }
  std::unique_ptr<model::SampleIterator> Iterator() override {
    return std::make_unique<SpanIterator>(items_[pos_].begin, items_[pos_].end);
  }
  common::Status status() const override { return common::Status::OK(); }
  std::vector<Item> TakeItems() { return std::move(items_); }

 private:
  std::vector<Item> items_;
  size_t pos_ = static_cast<size_t>(-1);
};

}  // namespace

void MemoryStorage::Add(const model::Labels& labels, int64_t t_ms, double v) {
  Entry& e = series_[labels];
  if (!e.samples.empty() && e.samples.back().first >= t_ms) e.sorted = false;
  e.samples.emplace_back(t_ms, v);
}

void MemoryStorage::AddSeries(const model::Labels& labels, const Samples& samples) {
  Entry& e = series_[labels];
  for (const auto& [t, v] : samples) {
    if (!e.samples.empty() && e.samples.back().first >= t) e.sorted = false;
    e.samples.emplace_back(t, v);
  }
}

size_t MemoryStorage::num_samples() const {
  size_t n = 0;
  for (const auto& [l, e] : series_) n += e.samples.size();
  return n;
}

void MemoryStorage::Normalize(Entry& e) {
  if (e.sorted) return;
  std::stable_sort(e.samples.begin(), e.samples.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Keep the last written sample for each timestamp.
  Samples out;
  for (const auto& s : e.samples) {
    if (!out.empty() && out.back().first == s.first) {
      out.back() = s;
    } else {
      out.push_back(s);
    }
  }
  e.samples = std::move(out);
  e.sorted = true;
}

common::Result<std::unique_ptr<SeriesSet>> MemoryStorage::Select(
    int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers) {
  std::vector<VectorSeriesSet::Item> items;
  for (auto& [labels, entry] : series_) {
    bool ok = true;
    for (const LabelMatcher& m : matchers) {
      if (!m.MatchesLabels(labels)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    Normalize(entry);
    const auto* data = entry.samples.data();
    const auto* end = data + entry.samples.size();
    auto cmp = [](const std::pair<int64_t, double>& s, int64_t x) { return s.first < x; };
    const auto* lo = std::lower_bound(data, end, mint_ms, cmp);
    const auto* hi = std::lower_bound(lo, end, maxt_ms + 1, cmp);
    if (lo == hi) continue;
    items.push_back({&labels, lo, hi});
  }
  return std::unique_ptr<SeriesSet>(std::make_unique<VectorSeriesSet>(std::move(items)));
}

common::Result<std::vector<std::unique_ptr<SeriesSet>>> MemoryStorage::SelectShards(
    int64_t mint_ms, int64_t maxt_ms, const std::vector<LabelMatcher>& matchers, int max_shards,
    const SelectHints*) {
  auto set = Select(mint_ms, maxt_ms, matchers);
  if (!set.ok()) return set.status();
  std::vector<VectorSeriesSet::Item> items = static_cast<VectorSeriesSet&>(**set).TakeItems();
  const size_t n = items.size();
  const size_t shards = std::clamp<size_t>(n / min_series_per_shard_, 1,
                                           static_cast<size_t>(std::max(1, max_shards)));
  std::vector<std::unique_ptr<SeriesSet>> out;
  size_t begin = 0;
  for (size_t i = 0; i < shards; ++i) {
    size_t end = n * (i + 1) / shards;
    out.push_back(std::make_unique<VectorSeriesSet>(
        std::vector<VectorSeriesSet::Item>(items.begin() + begin, items.begin() + end)));
    begin = end;
  }
  return out;
}

}  // namespace promql
