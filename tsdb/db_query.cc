// Postings lookup, Querier, SeriesSet and the multi-chunk sample iterator.
#include <algorithm>

#include "tsdb/db_impl.h"
#include "tsdb/format.h"
#include "tsdb/postings.h"

namespace tsdb {

namespace {

// Calls fn(value, id) for every posting of label `name` (value == "" never
// occurs: empty values are not stored).
template <typename Fn>
common::Status ScanPostings(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                            const std::string& prefix, Fn&& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view name, value;
    uint64_t id;
    if (!format::ParsePostingKey(it->key().ToStringView(), &name, &value, &id)) {
      return common::Status::Corruption("bad posting key");
    }
    fn(value, id);
  }
  return FromRocks(it->status());
}

// Ids of series that have label m.name() with a value for which
// m.Matches(value) == want.
common::Result<std::vector<uint64_t>> IdsWithValue(DBImpl* db, const Matcher& m, bool want) {
  std::vector<uint64_t> ids;
  common::Status s;
  if (m.type() == Matcher::Type::kEqual && want && !m.value().empty()) {
    s = ScanPostings(db->rocks(), db->cf_index(), format::PostingValuePrefix(m.name(), m.value()),
                     [&](std::string_view, uint64_t id) { ids.push_back(id); });
  } else if (m.type() == Matcher::Type::kNotEqual && !want && !m.value().empty()) {
    s = ScanPostings(db->rocks(), db->cf_index(), format::PostingValuePrefix(m.name(), m.value()),
                     [&](std::string_view, uint64_t id) { ids.push_back(id); });
  } else {
    s = ScanPostings(db->rocks(), db->cf_index(), format::PostingNamePrefix(m.name()),
                     [&](std::string_view value, uint64_t id) {
                       if (m.Matches(value) == want) ids.push_back(id);
                     });
  }
  if (!s.ok()) return s;
  SortUnique(&ids);
  return ids;
}

// One series' chunks, copied out of RocksDB and the head for a query, in
// time order. All bytes live in one buffer, reused from series to series
// while no iterator holds it: no allocation per chunk.
struct SeriesChunks {
  struct Ref {
    Encoding encoding;
    int64_t min_time;
    int64_t max_time;
    size_t offset;
    size_t size;
  };
  std::string data;
  std::vector<Ref> refs;

  void Clear() {
    data.clear();
    refs.clear();
  }
  void Add(Encoding e, int64_t min_time, int64_t max_time, std::string_view bytes) {
    refs.push_back({e, min_time, max_time, data.size(), bytes.size()});
    data.append(bytes);
  }
  std::string_view bytes(size_t i) const { return {data.data() + refs[i].offset, refs[i].size}; }
};

// Iterates a series' chunks in time order, restricted to [mint, maxt]. The
// chunk bytes are shared with the SeriesSet, not copied per iterator;
// Next/Seek copy one chunk at a time into its decoder (NewChunkIterator owns
// its bytes), AppendRange decodes them in place.
class SeriesIterator final : public model::SampleIterator {
 public:
  SeriesIterator(std::shared_ptr<const SeriesChunks> chunks, int64_t mint, int64_t maxt)
      : chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (done_) return false;
    const std::vector<SeriesChunks::Ref>& chunks = chunks_->refs;
    for (;;) {
      if (cur_ == nullptr) {
        if (idx_ >= chunks.size()) return Finish();
        cur_ = NewChunkIterator(chunks[idx_].encoding, std::string(chunks_->bytes(idx_)));
        ++idx_;
        if (!cur_->Seek(mint_)) {
          if (!cur_->status().ok()) return Fail(cur_->status());
          cur_.reset();
          continue;
        }
      } else if (!cur_->Next()) {
        if (!cur_->status().ok()) return Fail(cur_->status());
        cur_.reset();
        continue;
      }
      at_ = cur_->At();
      if (at_.first > maxt_) return Finish();
      return true;
    }
  }

  bool Seek(int64_t t) override {
    if (done_) return false;
    if (cur_ != nullptr && at_.first >= t) return true;
    // Skip whole chunks that end before t.
    const std::vector<SeriesChunks::Ref>& chunks = chunks_->refs;
    if (cur_ == nullptr || idx_ == 0 || chunks[idx_ - 1].max_time < t) {
      cur_.reset();
      while (idx_ < chunks.size() && chunks[idx_].max_time < t) ++idx_;
    }
    while (Next()) {
      if (at_.first >= t) return true;
    }
    return false;
  }

  std::pair<int64_t, double> At() const override { return at_; }
  common::Status status() const override { return status_; }

  // Bulk path for a fresh iterator: decodes the overlapping chunks straight
  // into *out (one reserve, no per-sample virtual calls, no chunk copies).
  common::Status AppendRange(int64_t mint, int64_t maxt, model::SampleVector* out) override {
    if (done_ || cur_ != nullptr || idx_ != 0)
      return model::SampleIterator::AppendRange(mint, maxt, out);
    const std::vector<SeriesChunks::Ref>& chunks = chunks_->refs;
    const int64_t lo = std::max(mint, mint_), hi = std::min(maxt, maxt_);
    size_t first = 0;
    while (first < chunks.size() && chunks[first].max_time < lo) ++first;
    size_t last = first, count = 0;
    for (; last < chunks.size() && chunks[last].min_time <= hi; ++last) {
      const std::string_view b = chunks_->bytes(last);
      if (b.size() >= 2) {
        count += (static_cast<unsigned char>(b[0]) << 8) | static_cast<unsigned char>(b[1]);
      }
    }
    out->reserve(out->size() + count);
    for (size_t i = first; i < last; ++i) {
      common::Status s = AppendChunkSamples(chunks[i].encoding, chunks_->bytes(i), lo, hi, out);
      if (!s.ok()) {
        Fail(std::move(s));
        return status_;
      }
    }
    if (hi >= maxt_) {
      Finish();  // no sample after hi is within the iterator's range
    } else {
      Seek(maxt + 1);  // position on the first sample after maxt, as documented
    }
    return status_;
  }

 private:
  bool Finish() {
    done_ = true;
    cur_.reset();
    return false;
  }
  bool Fail(common::Status s) {
    status_ = std::move(s);
    return Finish();
  }

  std::shared_ptr<const SeriesChunks> chunks_;
  const int64_t mint_, maxt_;
  size_t idx_ = 0;
  std::unique_ptr<model::SampleIterator> cur_;
  std::pair<int64_t, double> at_{0, 0};
  bool done_ = false;
  common::Status status_;
};

struct Candidate {
  std::shared_ptr<MemSeries> series;
  model::Labels labels;        // unpacked once: sorted by, then handed out
  std::vector<ChunkCopy> mem;  // pending + head chunks overlapping the range
  int64_t mem_min = std::numeric_limits<int64_t>::max();  // start of first in-memory chunk
};

class SeriesSetImpl final : public IdSeriesSet {
 public:
  SeriesSetImpl(DBImpl* db, std::vector<Candidate> cands, int64_t mint, int64_t maxt,
                common::Status status)
      : db_(db),
        cands_(std::move(cands)),
        mint_(mint),
        maxt_(maxt),
        seek_from_(mint > std::numeric_limits<int64_t>::min() + db->chunk_span_bound_ms()
                       ? mint - db->chunk_span_bound_ms() + 1
                       : std::numeric_limits<int64_t>::min()),
        status_(std::move(status)) {
    // Created after the in-memory copies were taken: a chunk sealed after the
    // copy is still in the copy; one sealed before is visible here.
    if (!cands_.empty()) {
      it_.reset(db_->rocks()->NewIterator(rocksdb::ReadOptions(), db_->cf_chunks()));
    }
  }

  bool Next() override {
    if (!status_.ok()) return false;
    while (pos_ < cands_.size()) {
      Candidate& c = cands_[pos_++];
      // A fresh vector per series: iterators handed out earlier share the
      // previous one.
      if (current_ == nullptr || current_.use_count() > 1) {
        current_ = std::make_shared<SeriesChunks>();
      }
      current_->Clear();
      common::Status s = LoadSealed(c);
      if (!s.ok()) {
        status_ = s;
        return false;
      }
      for (const ChunkCopy& m : c.mem) current_->Add(m.encoding, m.min_time, m.max_time, m.bytes);
      if (!current_->refs.empty()) {
        labels_ = std::move(c.labels);
        return true;
      }
    }
    return false;
  }

  const model::Labels& labels() const override { return labels_; }
  uint64_t id() const override { return cands_[pos_ - 1].series->id; }

  std::unique_ptr<model::SampleIterator> NewIterator() const override {
    return std::make_unique<SeriesIterator>(current_, mint_, maxt_);  // shares current_
  }

  common::Status status() const override { return status_; }

 private:
  common::Status LoadSealed(const Candidate& c) {
    const uint64_t id = c.series->id;
    // A chunk overlapping mint starts after mint - span bound: one forward
    // Seek finds it. (SeekForPrev, then Next, costs a reverse seek plus a
    // direction switch of every sorted run: several times a Seek.)
    it_->Seek(format::ChunkKey(id, seek_from_));
    for (; it_->Valid(); it_->Next()) {
      uint64_t cid;
      int64_t cmin;
      format::ParseChunkKey(it_->key().ToStringView(), &cid, &cmin);
      if (cid != id || cmin > maxt_ || cmin >= c.mem_min) break;
      format::ChunkValue cv;
      if (!format::DecodeChunkValue(it_->value().ToStringView(), cmin, &cv)) {
        return common::Status::Corruption("bad chunk value");
      }
      if (cv.max_time < mint_) continue;
      current_->Add(cv.encoding, cmin, cv.max_time, cv.data);
    }
    return FromRocks(it_->status());
  }

  DBImpl* db_;
  std::vector<Candidate> cands_;
  const int64_t mint_, maxt_;
  const int64_t seek_from_;  // first chunk key that can overlap mint_
  common::Status status_;
  std::unique_ptr<rocksdb::Iterator> it_;
  size_t pos_ = 0;
  std::shared_ptr<SeriesChunks> current_;
  model::Labels labels_;  // the current series', unpacked
};

// The live series among ids, sorted by labels, with copies of their
// in-memory chunks overlapping [mint, maxt].
std::vector<Candidate> CandidatesFor(DBImpl* db, const std::vector<uint64_t>& ids, int64_t mint,
                                     int64_t maxt) {
  std::vector<Candidate> cands;
  cands.reserve(ids.size());
  for (uint64_t id : ids) {
    auto s = db->series().GetById(id);
    if (s == nullptr) continue;
    Candidate c;
    c.series = std::move(s);
    {
      common::MutexLock lock(&c.series->mu);
      if (c.series->deleted || !c.series->has_samples) continue;
      auto copy = [&](const XorChunk& ch) {
        c.mem_min = std::min(c.mem_min, ch.min_time());
        if (ch.max_time() >= mint && ch.min_time() <= maxt) {
          c.mem.push_back({Encoding::kXor, ch.min_time(), ch.max_time(), ch.bytes()});
        }
      };
      for (const auto& p : c.series->pending) copy(p->chunk);
      if (c.series->head.num_samples() > 0) copy(c.series->head);
    }
    c.labels = c.series->labels.Unpack();
    cands.push_back(std::move(c));
  }
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& a, const Candidate& b) { return a.labels < b.labels; });
  return cands;
}

class QuerierImpl final : public Querier {
 public:
  QuerierImpl(DBImpl* db, int64_t mint, int64_t maxt) : db_(db), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(const std::vector<Matcher>& matchers) override {
    auto shards = SelectShards(matchers, 1);
    return std::move(shards.front());
  }

  std::vector<std::unique_ptr<SeriesSet>> SelectShards(const std::vector<Matcher>& matchers,
                                                       int max_shards) override {
    std::vector<std::unique_ptr<SeriesSet>> out;
    auto cands = Candidates(matchers);
    if (!cands.ok()) {
      out.push_back(std::make_unique<SeriesSetImpl>(db_, std::vector<Candidate>{}, mint_, maxt_,
                                                    cands.status()));
      return out;
    }
    // A shard is worth a thread only with enough series to read.
    constexpr size_t kMinSeriesPerShard = 16;
    const size_t n = cands->size();
    size_t shards = std::clamp<size_t>(n / kMinSeriesPerShard, 1, std::max(1, max_shards));
    size_t begin = 0;
    for (size_t i = 0; i < shards; ++i) {
      size_t end = n * (i + 1) / shards;
      std::vector<Candidate> part(std::make_move_iterator(cands->begin() + begin),
                                  std::make_move_iterator(cands->begin() + end));
      out.push_back(std::make_unique<SeriesSetImpl>(db_, std::move(part), mint_, maxt_,
                                                    common::Status::OK()));
      begin = end;
    }
    return out;
  }

  // Series matching `matchers` with data that may overlap [mint, maxt],
  // sorted by labels, with copies of their in-memory chunks.
  common::Result<std::vector<Candidate>> Candidates(const std::vector<Matcher>& matchers) {
    auto ids = db_->PostingsFor(matchers);
    if (!ids.ok()) return ids.status();
    return CandidatesFor(db_, *ids, mint_, maxt_);
  }

  common::Result<std::vector<std::string>> LabelNames(
      const std::vector<Matcher>& matchers) override {
    std::vector<std::string> out;
    if (TimeBounded()) {
      return FromSelectedSeries(
          matchers,
          [&out](const model::Labels& l) {
            for (const auto& kv : l) out.push_back(kv.name);
          },
          &out);
    }
    if (matchers.empty()) {
      // Skip from one name to the next: name\0 ... < name\x01.
      std::unique_ptr<rocksdb::Iterator> it(
          db_->rocks()->NewIterator(rocksdb::ReadOptions(), db_->cf_index()));
      it->SeekToFirst();
      while (it->Valid()) {
        std::string_view k = it->key().ToStringView();
        std::string name(k.substr(0, k.find('\0')));
        out.push_back(name);
        it->Seek(name + '\x01');
      }
      if (!it->status().ok()) return FromRocks(it->status());
      return out;
    }
    auto ids = db_->PostingsFor(matchers);
    if (!ids.ok()) return ids.status();
    for (uint64_t id : *ids) {
      if (auto s = db_->series().GetById(id)) {
        s->labels.ForEach([&](std::string_view n, std::string_view) { out.emplace_back(n); });
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  common::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const std::vector<Matcher>& matchers) override {
    std::vector<std::string> out;
    if (TimeBounded()) {
      return FromSelectedSeries(
          matchers,
          [&out, &name](const model::Labels& l) {
            std::string_view v = l.Get(name);
            if (!v.empty()) out.emplace_back(v);
          },
          &out);
    }
    if (matchers.empty()) {
      std::string prefix = format::PostingNamePrefix(name);
      std::unique_ptr<rocksdb::Iterator> it(
          db_->rocks()->NewIterator(rocksdb::ReadOptions(), db_->cf_index()));
      it->Seek(prefix);
      while (it->Valid() && it->key().starts_with(prefix)) {
        std::string_view n, v;
        uint64_t id;
        if (!format::ParsePostingKey(it->key().ToStringView(), &n, &v, &id)) {
          return common::Status::Corruption("bad posting key");
        }
        out.emplace_back(v);
        // Next value: past every id of this one (name\0value\0 + 8 bytes).
        std::string next = format::PostingValuePrefix(n, v);
        next.append(8, '\xff');
        next.push_back('\0');
        it->Seek(next);
      }
      if (!it->status().ok()) return FromRocks(it->status());
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    }
    auto ids = db_->PostingsFor(matchers);
    if (!ids.ok()) return ids.status();
    for (uint64_t id : *ids) {
      if (auto s = db_->series().GetById(id)) {
        std::string_view v = s->labels.Get(name);
        if (!v.empty()) out.emplace_back(v);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // The label APIs answer from the index alone when the range is open;
  // with a real time range only series with samples in it count, which
  // needs the same data check as Select.
  bool TimeBounded() const { return mint_ > kOpenMin || maxt_ < kOpenMax; }

  template <typename Fn>
  common::Result<std::vector<std::string>> FromSelectedSeries(const std::vector<Matcher>& matchers,
                                                              Fn&& collect,
                                                              std::vector<std::string>* out) {
    static const Matcher kAnyName = Matcher::MustMake(Matcher::Type::kRegexMatch, "__name__", ".+");
    auto set = Select(matchers.empty() ? std::vector<Matcher>{kAnyName} : matchers);
    while (set->Next()) collect(set->labels());
    if (!set->status().ok()) return set->status();
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
    return std::move(*out);
  }

  // Ranges at or beyond these bounds count as open (no time restriction).
  static constexpr int64_t kOpenMin = -(int64_t{1} << 62);
  static constexpr int64_t kOpenMax = int64_t{1} << 62;

 private:
  DBImpl* db_;
  const int64_t mint_, maxt_;
};

}  // namespace

// Candidates up to which the remaining matchers are checked against the
// series' labels instead of their postings (about a posting scan's cost of
// 4k entries: well under a millisecond).
constexpr size_t kFilterInMemoryMaxCandidates = 4096;

common::Result<std::vector<uint64_t>> DBImpl::PostingsFor(const std::vector<Matcher>& matchers) {
  // Matchers that do not match "" select series having a matching value;
  // their postings are intersected. Matchers that match "" (which also select
  // series lacking the label) instead remove the series whose value does not
  // match. With no selecting matcher, start from all series.
  std::vector<uint64_t> ids;
  bool have = false;
  // Once the candidates are few, checking each one's labels in memory is
  // cheaper than scanning a matcher's postings, which may be long (a label
  // value shared by many series: job="node", group="eu"): rule evaluation
  // selecting 100 series by name and such a label spent most of its time
  // reading 10k postings. Falls back to the scan if a candidate is not in
  // the head (removed meanwhile).
  auto filter_in_memory = [&](const Matcher& m) {
    if (!have || ids.size() > kFilterInMemoryMaxCandidates) return false;
    std::vector<uint64_t> kept;
    kept.reserve(ids.size());
    for (uint64_t id : ids) {
      auto s = series_.GetById(id);
      if (!s) return false;
      if (m.Matches(s->labels.Get(m.name()))) kept.push_back(id);
    }
    ids = std::move(kept);
    return true;
  };
  // Selecting matchers in the order that makes the first scan short: the
  // metric name first (PromQL puts it last), then other equalities, then
  // regexps (which scan every value of their label).
  std::vector<const Matcher*> order;
  for (const Matcher& m : matchers) order.push_back(&m);
  auto rank = [](const Matcher* m) {
    if (m->type() != Matcher::Type::kEqual) return 2;
    return m->name() == model::kMetricNameLabel ? 0 : 1;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const Matcher* a, const Matcher* b) { return rank(a) < rank(b); });
  for (const Matcher* mp : order) {
    const Matcher& m = *mp;
    if (m.MatchesEmpty()) continue;
    if (filter_in_memory(m)) {
      if (ids.empty()) return ids;
      continue;
    }
    auto r = IdsWithValue(this, m, true);
    if (!r.ok()) return r.status();
    ids = have ? Intersect(ids, *r) : std::move(r).value();
    have = true;
    if (ids.empty()) return ids;
  }
  if (!have) {
    for (const auto& s : series_.All()) ids.push_back(s->id);
    SortUnique(&ids);
  }
  for (const Matcher& m : matchers) {
    if (!m.MatchesEmpty()) continue;
    if (filter_in_memory(m)) continue;
    auto r = IdsWithValue(this, m, false);
    if (!r.ok()) return r.status();
    ids = Without(ids, *r);
  }
  return ids;
}

std::unique_ptr<IdSeriesSet> DBImpl::SelectIds(const std::vector<uint64_t>& ids, int64_t mint,
                                               int64_t maxt) {
  return std::make_unique<SeriesSetImpl>(this, CandidatesFor(this, ids, mint, maxt), mint, maxt,
                                         common::Status::OK());
}

std::unique_ptr<Querier> DBImpl::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<QuerierImpl>(this, mint, maxt);
}

}  // namespace tsdb
