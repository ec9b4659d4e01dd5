#include "server/api/tsdb_queryable.h"

namespace server {

namespace {

class IteratorAdapter : public promql::SeriesIterator {
 public:
  explicit IteratorAdapter(std::unique_ptr<tsdb::SampleIterator> it) : it_(std::move(it)) {}
  bool Next() override { return it_->Next(); }
  bool Seek(int64_t t) override { return it_->Seek(t); }
  std::pair<int64_t, double> At() const override { return it_->At(); }
  common::Status status() const override { return it_->status(); }
  // Forwards the bulk read: tsdb decodes the chunks straight into *out.
  common::Status AppendRange(int64_t mint, int64_t maxt,
                             std::vector<std::pair<int64_t, double>>* out) override {
    return it_->AppendRange(mint, maxt, out);
  }

 private:
  std::unique_ptr<tsdb::SampleIterator> it_;
};

class SeriesSetAdapter : public promql::SeriesSet {
 public:
  SeriesSetAdapter(std::unique_ptr<tsdb::Querier> q, std::unique_ptr<tsdb::SeriesSet> set)
      : querier_(std::move(q)), set_(std::move(set)) {}
  bool Next() override { return set_->Next(); }
  const common::Labels& labels() const override { return set_->labels(); }
  std::unique_ptr<promql::SeriesIterator> Iterator() override {
    return std::make_unique<IteratorAdapter>(set_->NewIterator());
  }
  common::Status status() const override { return set_->status(); }

 private:
  std::unique_ptr<tsdb::Querier> querier_;  // must outlive set_
  std::unique_ptr<tsdb::SeriesSet> set_;
};

tsdb::Matcher::Type ToTsdbType(promql::LabelMatcher::Type t) {
  switch (t) {
    case promql::LabelMatcher::Type::kEqual: return tsdb::Matcher::Type::kEqual;
    case promql::LabelMatcher::Type::kNotEqual: return tsdb::Matcher::Type::kNotEqual;
    case promql::LabelMatcher::Type::kRegexMatch: return tsdb::Matcher::Type::kRegexMatch;
    case promql::LabelMatcher::Type::kRegexNoMatch: return tsdb::Matcher::Type::kRegexNoMatch;
  }
  return tsdb::Matcher::Type::kEqual;
}

}  // namespace

common::Result<std::vector<tsdb::Matcher>> ToTsdbMatchers(
    const std::vector<promql::LabelMatcher>& matchers) {
  std::vector<tsdb::Matcher> out;
  out.reserve(matchers.size());
  for (const auto& m : matchers) {
    auto tm = tsdb::Matcher::Make(ToTsdbType(m.type()), m.name(), m.value());
    if (!tm.ok()) return tm.status();
    out.push_back(std::move(tm).value());
  }
  return out;
}

common::Result<std::unique_ptr<promql::SeriesSet>> TsdbQueryable::Select(
    int64_t mint_ms, int64_t maxt_ms, const std::vector<promql::LabelMatcher>& matchers) {
  auto tm = ToTsdbMatchers(matchers);
  if (!tm.ok()) return tm.status();
  if (mint_ms > maxt_ms) mint_ms = maxt_ms;
  auto q = db_->NewQuerier(mint_ms, maxt_ms);
  auto set = q->Select(*tm);
  return std::unique_ptr<promql::SeriesSet>(
      std::make_unique<SeriesSetAdapter>(std::move(q), std::move(set)));
}

}  // namespace server
