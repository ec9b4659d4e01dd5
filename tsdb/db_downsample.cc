// Downsampling tiers: the background job that writes each tier's blocks
// (tier 0 from raw samples, tier i from tier i - 1) with its persisted
// watermarks, the tiers' retention, and SelectBuckets, which reads a tier
// and completes it past its watermark from the finer data.
#include <algorithm>
#include <chrono>

#include "common/clock.h"
#include "tsdb/db_impl.h"
#include "tsdb/format.h"

namespace tsdb {

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
// Series read and written per group (and per hold of retention_mu_): bounds
// the in-memory chunk copies and the write batch.
constexpr size_t kSeriesPerGroup = 4096;
// A write batch is written when it reaches this size.
constexpr size_t kBatchBytes = 4 << 20;

int64_t BlockSpan(int64_t res) { return res * kBucketsPerBlock; }

int64_t FloorTo(int64_t t, int64_t span) {
  int64_t q = t / span;
  if (t % span != 0 && t < 0) --q;
  return q * span;
}

// Appends the buckets (one series, time order) as blocks to wb.
void PutBlocks(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, int64_t res, uint64_t id,
               const std::vector<Bucket>& buckets, uint64_t* blocks, uint64_t* bytes) {
  size_t i = 0;
  while (i < buckets.size()) {
    const int64_t start = BlockStart(buckets[i].end, res);
    size_t j = i;
    while (j < buckets.size() && BlockStart(buckets[j].end, res) == start) ++j;
    const std::string key = format::BlockKey(res, id, start);
    const std::string value = EncodeBlock(buckets.data() + i, j - i, start, res);
    (void)wb->Put(cf, key, value);
    ++*blocks;
    *bytes += key.size() + value.size();
    i = j;
  }
}

// Reads the blocks of (res, id) and appends their buckets ending in
// [min_end, max_end]. `it` is positioned anywhere.
common::Status ReadBlocks(rocksdb::Iterator* it, int64_t res, uint64_t id, int64_t min_end,
                          int64_t max_end, std::vector<Bucket>* out) {
  if (min_end > max_end) return common::Status::OK();
  it->Seek(format::BlockKey(res, id, BlockStart(min_end, res)));
  for (; it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.size() != 24) return common::Status::Corruption("bad downsampled key");
    int64_t r, start;
    uint64_t kid;
    format::ParseBlockKey(key, &r, &kid, &start);
    if (r != res || kid != id || start >= max_end) break;
    common::Status s = DecodeBlock(it->value().ToStringView(), start, res, min_end, max_end, out);
    if (!s.ok()) return s;
  }
  return FromRocks(it->status());
}

}  // namespace

common::Status DBImpl::LoadDownsampleProgress() {
  common::MutexLock lock(&downsample_mu_);
  tiers_.clear();
  for (const DownsampleTier& t : options_.downsample_tiers) {
    DownsampleStatus st;
    st.resolution_ms = t.resolution_ms;
    std::string v;
    rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), cf_meta(),
                                  format::kDownsamplePrefix + std::to_string(t.resolution_ms), &v);
    if (rs.ok()) {
      if (v.size() != 8) return common::Status::Corruption("bad downsample watermark");
      st.watermark = format::DecodeOrderedTimeKey(v);
    } else if (!rs.IsNotFound()) {
      return FromRocks(rs);
    }
    tiers_.push_back(st);
  }
  tier_retention_done_.assign(tiers_.size(), kMin);
  return common::Status::OK();
}

std::vector<DownsampleStatus> DBImpl::DownsampleProgress() {
  common::MutexLock lock(&downsample_mu_);
  return tiers_;
}

common::Status DBImpl::Downsample() {
  common::MutexLock run(&downsample_run_mu_);
  const size_t ntiers = options_.downsample_tiers.size();
  if (ntiers == 0 || max_time_.load() == kMin) return common::Status::OK();
  for (size_t i = 0; i < ntiers; ++i) {
    const int64_t res = options_.downsample_tiers[i].resolution_ms;
    const int64_t span = BlockSpan(res);
    // Windows of at least a day (several blocks of a fine tier).
    const int64_t window = std::max<int64_t>(1, (24LL * 3600 * 1000 + span - 1) / span) * span;
    for (;;) {
      {
        common::MutexLock lock(&maint_mu_);
        if (stop_) return common::Status::OK();
      }
      // Tier 0 follows the newest sample (minus the delay), but not past
      // tomorrow by the wall clock: one sample stamped decades ahead must not
      // send the job through decades of empty windows. Tier i follows its
      // source tier's watermark.
      const int64_t tomorrow = common::NowMs() + 24LL * 3600 * 1000;
      const int64_t limit =
          i == 0 ? std::min(max_time_.load() - options_.downsample_delay_ms, tomorrow)
                 : TierWatermark(i - 1);
      if (limit == kMin) break;
      const int64_t target = FloorTo(limit, span);
      int64_t from = TierWatermark(i);
      if (from == kMin) {
        // First run: start at the oldest raw sample stored.
        auto oldest = OldestRawTime();
        if (!oldest.ok()) return oldest.status();
        if (*oldest == kMin) break;  // no samples
        from = FloorTo(*oldest, span) - span;
      }
      if (from >= target) break;
      const int64_t to = std::min(target, from + window);
      const auto t0 = std::chrono::steady_clock::now();
      if (common::Status s = DownsampleWindow(i, from, to); !s.ok()) return s;
      {
        common::MutexLock lock(&downsample_mu_);
        tiers_[i].seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
      if (options_.on_downsample_window && TierWatermark(i) == to) {
        options_.on_downsample_window(res, to, target);
      }
    }
  }
  return ApplyTierRetention();
}

common::Result<int64_t> DBImpl::OldestRawTime() {
  int64_t oldest = std::numeric_limits<int64_t>::max();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_chunks()));
  for (const auto& s : series_.All()) {
    {
      common::MutexLock lock(&s->mu);
      for (const auto& p : s->pending) oldest = std::min(oldest, p->chunk.min_time());
      if (s->head.num_samples() > 0) oldest = std::min(oldest, s->head.min_time());
    }
    it->Seek(format::ChunkKey(s->id, kMin));
    if (!it->Valid() || it->key().size() != 16) continue;
    uint64_t id;
    int64_t mint;
    format::ParseChunkKey(it->key().ToStringView(), &id, &mint);
    if (id == s->id) oldest = std::min(oldest, mint);
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return oldest == std::numeric_limits<int64_t>::max() ? kMin : oldest;
}

common::Status DBImpl::DownsampleWindow(size_t i, int64_t from, int64_t to) {
  const int64_t res = options_.downsample_tiers[i].resolution_ms;
  std::vector<uint64_t> ids;
  for (const auto& s : series_.All()) ids.push_back(s->id);
  if (i > 0) {
    // Cold series (db_cold.cc) have no raw samples, but finer tiers.
    auto cold = ColdIds();
    if (!cold.ok()) return cold.status();
    ids.insert(ids.end(), cold->begin(), cold->end());
  }
  std::sort(ids.begin(), ids.end());
  uint64_t blocks = 0, bytes = 0;
  std::vector<Bucket> fine, buckets;
  model::SampleVector pts;
  std::unique_ptr<rocksdb::Iterator> it;
  if (i > 0) it.reset(db_->NewIterator(rocksdb::ReadOptions(), cf_downsampled()));
  const int64_t src_res = i > 0 ? options_.downsample_tiers[i - 1].resolution_ms : 0;
  for (size_t g = 0; g < ids.size(); g += kSeriesPerGroup) {
    {
      // Closing: the window is left unfinished (its watermark unwritten) and
      // redone after the next open.
      common::MutexLock lock(&maint_mu_);
      if (stop_) return common::Status::OK();
    }
    const std::vector<uint64_t> group(ids.begin() + g,
                                      ids.begin() + std::min(ids.size(), g + kSeriesPerGroup));
    common::MutexLock rl(&retention_mu_);
    rocksdb::WriteBatch wb;
    auto flush = [&]() -> common::Status {
      if (wb.Count() == 0) return common::Status::OK();
      rocksdb::Status rs = db_->Write(write_options(), &wb);
      if (!rs.ok()) {
        NoteWriteFailure();
        return FromRocks(rs);
      }
      wb.Clear();
      return common::Status::OK();
    };
    if (i == 0) {
      // Samples up to kMaxCounterGapMs before the window give the first
      // sample in it its increase.
      auto set = SelectIds(group, from - kMaxCounterGapMs, to);
      while (set->Next()) {
        pts.clear();
        auto sit = set->NewIterator();
        if (common::Status s = sit->AppendRange(from - kMaxCounterGapMs, to, &pts); !s.ok()) {
          return s;
        }
        BucketBuilder bb(res);
        buckets.clear();
        for (const model::Sample& p : pts) {
          if (p.t <= from) {
            bb.Prime(p.t, p.v);
          } else {
            bb.Add(p.t, p.v, &buckets);
          }
        }
        bb.Finish(&buckets);
        PutBlocks(&wb, cf_downsampled(), res, set->id(), buckets, &blocks, &bytes);
        if (wb.GetDataSize() >= kBatchBytes) {
          if (common::Status s = flush(); !s.ok()) return s;
        }
      }
      if (common::Status s = set->status(); !s.ok()) return s;
    } else {
      model::Labels unused;
      for (uint64_t id : group) {
        if (!series_.GetById(id) && !LabelsOf(id, &unused)) continue;  // removed meanwhile
        fine.clear();
        if (common::Status s = ReadBlocks(it.get(), src_res, id, from + 1, to, &fine); !s.ok()) {
          return s;
        }
        if (fine.empty()) continue;
        buckets.clear();
        Rebucket(fine, res, &buckets);
        PutBlocks(&wb, cf_downsampled(), res, id, buckets, &blocks, &bytes);
        if (wb.GetDataSize() >= kBatchBytes) {
          if (common::Status s = flush(); !s.ok()) return s;
        }
      }
    }
    if (common::Status s = flush(); !s.ok()) return s;
  }
  {
    common::MutexLock lock(&maint_mu_);
    if (stop_) return common::Status::OK();
  }
  // The watermark last: a window cut short by a crash is redone (its blocks
  // are written again with the same contents).
  rocksdb::Status rs =
      db_->Put(write_options(), cf_meta(), format::kDownsamplePrefix + std::to_string(res),
               format::OrderedTimeKey(to));
  if (!rs.ok()) {
    NoteWriteFailure();
    return FromRocks(rs);
  }
  common::MutexLock lock(&downsample_mu_);
  tiers_[i].watermark = to;
  tiers_[i].blocks_written += blocks;
  tiers_[i].bytes_written += bytes;
  return common::Status::OK();
}

common::Status DBImpl::ApplyTierRetention() {
  const int64_t newest = max_time_.load();
  if (newest == kMin) return common::Status::OK();
  bool deleted_any = false;
  for (size_t i = 0; i < options_.downsample_tiers.size(); ++i) {
    const DownsampleTier& t = options_.downsample_tiers[i];
    // Blocks that end before the cutoff go: those starting a span earlier.
    const int64_t cutoff_start =
        FloorTo(newest - t.retention_ms, BlockSpan(t.resolution_ms)) - BlockSpan(t.resolution_ms);
    {
      common::MutexLock lock(&downsample_mu_);
      if (tier_retention_done_[i] >= cutoff_start) continue;
    }
    common::MutexLock rl(&retention_mu_);
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf_downsampled()));
    std::vector<uint64_t> ids;
    for (const auto& s : series_.All()) ids.push_back(s->id);
    auto cold = ColdIds();
    if (!cold.ok()) return cold.status();
    ids.insert(ids.end(), cold->begin(), cold->end());
    for (uint64_t sid : ids) {
      it->Seek(format::BlockKey(t.resolution_ms, sid, kMin));
      if (!it->Valid() || it->key().size() != 24) continue;
      int64_t r, start;
      uint64_t id;
      format::ParseBlockKey(it->key().ToStringView(), &r, &id, &start);
      if (r != t.resolution_ms || id != sid || start > cutoff_start) continue;
      wb.DeleteRange(cf_downsampled(), format::BlockKey(t.resolution_ms, sid, kMin),
                     format::BlockKey(t.resolution_ms, sid, cutoff_start + 1));
    }
    deleted_any = deleted_any || wb.Count() > 0;
    if (!it->status().ok()) return FromRocks(it->status());
    if (wb.Count() > 0) {
      rocksdb::Status rs = db_->Write(write_options(), &wb);
      if (!rs.ok()) {
        NoteWriteFailure();
        return FromRocks(rs);
      }
    }
    common::MutexLock lock(&downsample_mu_);
    tier_retention_done_[i] = cutoff_start;
  }
  if (!deleted_any) return common::Status::OK();
  // Cold series no tier holds data of any more go entirely.
  common::MutexLock rl(&retention_mu_);
  auto cold = ColdIds();
  if (!cold.ok()) return cold.status();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_downsampled()));
  rocksdb::WriteBatch wb;
  for (uint64_t id : *cold) {
    bool any = false;
    for (const DownsampleTier& t : options_.downsample_tiers) {
      it->Seek(format::BlockKey(t.resolution_ms, id, kMin));
      if (!it->Valid()) continue;
      int64_t r, start;
      uint64_t kid;
      format::ParseBlockKey(it->key().ToStringView(), &r, &kid, &start);
      any = any || (r == t.resolution_ms && kid == id);
    }
    model::Labels labels;
    if (!any && LabelsOf(id, &labels)) RemoveCold(id, labels, &wb);
  }
  if (!it->status().ok()) return FromRocks(it->status());
  if (wb.Count() == 0) return common::Status::OK();
  removal_generation_.fetch_add(1, std::memory_order_acq_rel);
  rocksdb::Status rs = db_->Write(write_options(), &wb);
  if (!rs.ok()) NoteWriteFailure();
  return FromRocks(rs);
}

void DBImpl::DownsampleLoop() {
  common::MutexLock lock(&maint_mu_);
  while (!stop_) {
    maint_mu_.Unlock();
    (void)Downsample();
    maint_mu_.Lock();
    if (stop_) break;
    maint_cv_.WaitFor(&maint_mu_, std::chrono::milliseconds(options_.maintenance_interval_ms));
  }
}

// --- reading ---

namespace {

class BucketSeriesSetImpl final : public BucketSeriesSet {
 public:
  struct Cand {
    uint64_t id;
    model::Labels labels;
  };
  // Reads tier `tier` (resolutions res[0..tier], watermarks wm[0..tier]).
  BucketSeriesSetImpl(DBImpl* db, std::vector<Cand> cands, std::vector<int64_t> res,
                      std::vector<int64_t> wm, int64_t mint, int64_t maxt)
      : db_(db), cands_(std::move(cands)), res_(std::move(res)), wm_(std::move(wm)) {
    const size_t k = res_.size() - 1;
    lo_ = BucketEnd(mint, res_[k]);
    hi_ = BucketEnd(maxt, res_[k]);
    // Finer data fills (c, hi], c = the tier's watermark (or the start).
    const int64_t start = lo_ - res_[k];
    raw_from_ = std::max(start, wm_[0]);
    it_.reset(db_->rocks()->NewIterator(rocksdb::ReadOptions(), db_->cf_downsampled()));
    if (hi_ > raw_from_) {
      std::vector<uint64_t> ids;
      for (const Cand& c : cands_) ids.push_back(c.id);
      raw_ = db_->SelectIds(ids, raw_from_ - kMaxCounterGapMs, hi_);
      raw_valid_ = raw_->Next();
    }
  }

  bool Next() override {
    if (!status_.ok()) return false;
    const size_t k = res_.size() - 1;
    while (pos_ < cands_.size()) {
      Cand& c = cands_[pos_++];
      buckets_.clear();
      fine_.clear();
      // The tier's own blocks.
      int64_t done = lo_ - res_[k];
      if (wm_[k] > done) {
        status_ = ReadBlocks(it_.get(), res_[k], c.id, lo_, std::min(hi_, wm_[k]), &buckets_);
        if (!status_.ok()) return false;
        done = wm_[k];
      }
      // Finer tiers past it.
      for (size_t j = k; j-- > 0;) {
        if (wm_[j] <= done) continue;
        status_ = ReadBlocks(it_.get(), res_[j], c.id, done + 1, std::min(hi_, wm_[j]), &fine_);
        if (!status_.ok()) return false;
        done = wm_[j];
      }
      // Raw samples past the finest tier.
      if (raw_valid_ && raw_->id() == c.id) {
        pts_.clear();
        auto sit = raw_->NewIterator();
        status_ = sit->AppendRange(raw_from_ - kMaxCounterGapMs, hi_, &pts_);
        if (!status_.ok()) return false;
        BucketBuilder bb(res_[0]);
        for (const model::Sample& p : pts_) {
          if (p.t <= done) {
            bb.Prime(p.t, p.v);
          } else {
            bb.Add(p.t, p.v, &fine_);
          }
        }
        bb.Finish(&fine_);
        raw_valid_ = raw_->Next();
        if (!raw_valid_ && !raw_->status().ok()) {
          status_ = raw_->status();
          return false;
        }
      }
      if (!fine_.empty()) Rebucket(fine_, res_[k], &buckets_);
      if (buckets_.empty()) continue;
      labels_ = std::move(c.labels);
      return true;
    }
    return false;
  }

  const model::Labels& labels() const override { return labels_; }
  const std::vector<Bucket>& buckets() const override { return buckets_; }
  common::Status status() const override { return status_; }

 private:
  DBImpl* db_;
  std::vector<Cand> cands_;
  const std::vector<int64_t> res_, wm_;
  int64_t lo_, hi_, raw_from_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::unique_ptr<IdSeriesSet> raw_;
  bool raw_valid_ = false;
  size_t pos_ = 0;
  std::vector<Bucket> buckets_, fine_;
  model::SampleVector pts_;
  model::Labels labels_;
  common::Status status_;
};

}  // namespace

common::Result<std::vector<std::unique_ptr<BucketSeriesSet>>> DBImpl::SelectBuckets(
    size_t tier, int64_t mint, int64_t maxt, const std::vector<Matcher>& matchers, int max_shards) {
  if (tier >= options_.downsample_tiers.size() || mint > maxt) {
    return common::Status::InvalidArgument("tsdb: no such downsampling tier");
  }
  auto ids = PostingsFor(matchers);
  if (!ids.ok()) return ids.status();
  std::vector<BucketSeriesSetImpl::Cand> cands;
  cands.reserve(ids->size());
  for (uint64_t id : *ids) {
    model::Labels labels;
    if (LabelsOf(id, &labels)) cands.push_back({id, std::move(labels)});  // in memory or cold
  }
  std::sort(cands.begin(), cands.end(),
            [](const auto& a, const auto& b) { return a.labels < b.labels; });
  std::vector<int64_t> res, wm;
  {
    common::MutexLock lock(&downsample_mu_);
    for (size_t i = 0; i <= tier; ++i) {
      res.push_back(options_.downsample_tiers[i].resolution_ms);
      wm.push_back(tiers_[i].watermark);
    }
  }
  constexpr size_t kMinSeriesPerShard = 16;
  const size_t n = cands.size();
  const size_t shards = std::clamp<size_t>(n / kMinSeriesPerShard, 1, std::max(1, max_shards));
  std::vector<std::unique_ptr<BucketSeriesSet>> out;
  size_t begin = 0;
  for (size_t i = 0; i < shards; ++i) {
    const size_t end = n * (i + 1) / shards;
    std::vector<BucketSeriesSetImpl::Cand> part(std::make_move_iterator(cands.begin() + begin),
                                                std::make_move_iterator(cands.begin() + end));
    out.push_back(
        std::make_unique<BucketSeriesSetImpl>(this, std::move(part), res, wm, mint, maxt));
    begin = end;
  }
  return out;
}

}  // namespace tsdb
