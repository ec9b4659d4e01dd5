// DB::Open, head-log replay and the small shared helpers of DBImpl.
#include <algorithm>
#include <map>

#include "common/coding.h"
#include "tsdb/db_impl.h"
#include "tsdb/format.h"
#include "tsdb/rocks_options.h"

namespace tsdb {

common::Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return common::Status::OK();
  std::string msg = "rocksdb: " + s.ToString();
  if (s.IsNotFound()) return common::Status::NotFound(msg);
  if (s.IsCorruption()) return common::Status::Corruption(msg);
  if (s.IsInvalidArgument()) return common::Status::InvalidArgument(msg);
  if (s.IsBusy() || s.IsTryAgain()) return common::Status::Unavailable(msg);
  return common::Status::IOError(msg);
}

common::Result<std::unique_ptr<DB>> DB::Open(const std::string& dir, const Options& options) {
  if (options.max_samples_per_chunk < 2 || options.max_samples_per_chunk > 65535 ||
      options.first_chunk_jitter_samples < 0 ||
      options.first_chunk_jitter_samples >= options.max_samples_per_chunk ||
      options.max_chunk_span_ms <= 0 || options.retention_ms <= 0) {
    return common::Status::InvalidArgument("tsdb: bad chunk or retention options");
  }
  for (size_t i = 0; i < options.downsample_tiers.size(); ++i) {
    const DownsampleTier& t = options.downsample_tiers[i];
    const DownsampleTier* prev = i > 0 ? &options.downsample_tiers[i - 1] : nullptr;
    if (t.resolution_ms <= 0 || t.retention_ms <= 0 ||
        (prev != nullptr &&
         (t.resolution_ms <= prev->resolution_ms || t.resolution_ms % prev->resolution_ms != 0 ||
          t.retention_ms < prev->retention_ms))) {
      return common::Status::InvalidArgument(
          "tsdb: downsampling tiers must have growing resolutions, each a multiple of the "
          "previous, and retentions at least the previous one's");
    }
  }
  if (options.downsample_delay_ms < 0) {
    return common::Status::InvalidArgument("tsdb: negative downsample delay");
  }
  auto db = std::make_unique<DBImpl>(dir, options);
  common::Status s = db->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<DB>(std::move(db));
}

DBImpl::DBImpl(std::string dir, const Options& options) : dir_(std::move(dir)), options_(options) {}

DBImpl::~DBImpl() {
  {
    common::MutexLock lock(&maint_mu_);
    stop_ = true;
  }
  maint_cv_.SignalAll();
  if (maint_thread_.joinable()) maint_thread_.join();
  if (downsample_thread_.joinable()) downsample_thread_.join();
  if (db_ != nullptr) {
    // Persist what failed writes left in the head, if the disk has room now.
    {
      common::MutexLock lock(&recovery_mu_);
      next_recovery_try_ = {};
    }
    (void)RecoverFromWriteError();
    (void)TrimHeadLog();
    for (auto* cf : all_cfs_) (void)db_->DestroyColumnFamilyHandle(cf);
    if (default_cf_ != nullptr) (void)db_->DestroyColumnFamilyHandle(default_cf_);
    (void)db_->Close();
  }
}

common::Status DBImpl::Init() {
  common::Status s = OpenRocks();
  if (s.ok()) s = LoadSeries();
  if (s.ok()) s = LoadLogReaders();
  if (s.ok()) s = ReplayHeadLog();
  if (s.ok()) s = LoadDownsampleProgress();
  if (!s.ok()) return s.WithContext("tsdb open " + dir_);
  if (options_.maintenance_interval_ms > 0) {
    maint_thread_ = std::thread([this] { MaintenanceLoop(); });
    if (!options_.downsample_tiers.empty()) {
      downsample_thread_ = std::thread([this] { DownsampleLoop(); });
    }
  }
  return s;
}

common::Status DBImpl::OpenRocks() {
  auto descriptors = MakeColumnFamilies(options_);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs =
      rocksdb::DB::Open(MakeDBOptions(options_), dir_, descriptors, &handles, &raw);
  if (!rs.ok()) return FromRocks(rs);
  db_.reset(raw);
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    const std::string& name = h->GetName();
    if (name == rocksdb::kDefaultColumnFamilyName) {
      default_cf_ = h;
      continue;
    }
    all_cfs_.push_back(h);
    if (name == format::kSeriesCF) cf_series_ = h;
    if (name == format::kIndexCF) cf_index_ = h;
    if (name == format::kChunksCF) cf_chunks_ = h;
    if (name == format::kHeadWalCF) cf_head_wal_ = h;
    if (name == format::kMetaCF) cf_meta_ = h;
    if (name == format::kDownsampledCF) cf_downsampled_ = h;
    if (name == format::kColdSeriesCF) cf_cold_ = h;
  }

  std::string v;
  rs = db_->Get(rocksdb::ReadOptions(), cf_meta(), format::kFormatVersionKey, &v);
  if (rs.IsNotFound()) {
    rs = db_->Put(rocksdb::WriteOptions(), cf_meta(), format::kFormatVersionKey,
                  format::U64Key(format::kFormatVersion));
  } else if (rs.ok() && (v.size() != 8 || format::DecodeU64Key(v) != format::kFormatVersion)) {
    return common::Status::Corruption("unsupported tsdb format version");
  }
  if (!rs.ok()) return FromRocks(rs);
  return LoadChunkSpanBound();
}

common::Status DBImpl::LoadChunkSpanBound() {
  // Data dirs written before the bound was recorded only ever had the
  // default span (it was not configurable outside the library's tests).
  int64_t stored = Options().max_chunk_span_ms;
  std::string v;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), cf_meta(), format::kChunkSpanBoundKey, &v);
  if (rs.ok()) {
    if (v.size() != 8) return common::Status::Corruption("bad chunk span bound");
    stored = static_cast<int64_t>(format::DecodeU64Key(v));
  } else if (!rs.IsNotFound()) {
    return FromRocks(rs);
  }
  chunk_span_bound_ms_ = std::max(stored, options_.max_chunk_span_ms);
  if (rs.ok() && chunk_span_bound_ms_ == stored) return common::Status::OK();
  // Recorded before any chunk with the larger span can be written.
  return FromRocks(db_->Put(rocksdb::WriteOptions(), cf_meta(), format::kChunkSpanBoundKey,
                            format::U64Key(static_cast<uint64_t>(chunk_span_bound_ms_))));
}

common::Status DBImpl::LoadSeries() {
  uint64_t next_id = 1;
  std::string v;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), cf_meta(), format::kNextSeriesIdKey, &v);
  if (rs.ok() && v.size() == 8) next_id = format::DecodeU64Key(v);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_series()));
  // Cold series (kept for their tiers only) stay on disk: both families are
  // in id order, so one pass skips them.
  std::unique_ptr<rocksdb::Iterator> cold(db_->NewIterator(rocksdb::ReadOptions(), cf_cold()));
  cold->Seek(format::ColdIdKey(0));
  uint64_t cold_count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return common::Status::Corruption("bad series key");
    uint64_t id = format::DecodeU64Key(it->key().ToStringView());
    next_id = std::max(next_id, id + 1);
    while (cold->Valid() && cold->key().starts_with("i") && cold->key().size() == 9 &&
           format::DecodeU64Key(cold->key().ToStringView().substr(1)) < id) {
      cold->Next();
    }
    if (cold->Valid() && cold->key().starts_with("i") && cold->key().size() == 9 &&
        format::DecodeU64Key(cold->key().ToStringView().substr(1)) == id) {
      ++cold_count;
      continue;
    }
    model::Labels labels;
    if (!format::DecodeLabels(it->value().ToStringView(), &labels)) {
      return common::Status::Corruption("bad series labels");
    }
    auto series = std::make_shared<MemSeries>(id, labels);
    common::Status s = LoadLastSealed(*series);
    if (!s.ok()) return s;
    series_.GetOrCreate(labels, labels.Hash(), [&] { return series; });
  }
  if (!it->status().ok()) return FromRocks(it->status());
  if (!cold->status().ok()) return FromRocks(cold->status());
  next_series_id_ = next_id;
  cold_series_.store(cold_count);
  return common::Status::OK();
}

common::Status DBImpl::LoadLastSealed(MemSeries& s) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_chunks()));
  it->SeekForPrev(format::ChunkKey(s.id, std::numeric_limits<int64_t>::max()));
  if (!it->Valid()) return FromRocks(it->status());
  if (it->key().size() != 16) return common::Status::Corruption("bad chunk key");
  uint64_t id;
  int64_t mint;
  format::ParseChunkKey(it->key().ToStringView(), &id, &mint);
  if (id != s.id) return common::Status::OK();
  format::ChunkValue cv;
  if (!format::DecodeChunkValue(it->value().ToStringView(), mint, &cv)) {
    return common::Status::Corruption("bad chunk value");
  }
  auto ci = NewChunkIterator(cv.encoding, std::string(cv.data));
  common::MutexLock lock(&s.mu);  // uncontended: the DB is still opening
  s.sealed_once = true;
  while (ci->Next()) {
    s.has_samples = true;
    std::tie(s.max_t, s.last_v) = ci->At();
  }
  if (!ci->status().ok()) return ci->status();
  ObserveTime(s.max_t);
  return common::Status::OK();
}

common::Status DBImpl::ReplayHeadLog() {
  // Collect every logged sample per series with the batch that logged it.
  struct Logged {
    int64_t t;
    double v;
    uint64_t seq;
  };
  std::map<uint64_t, std::vector<Logged>> per_series;
  uint64_t last_seq = 0;
  // Records older than the replay start are kept only for log readers.
  uint64_t replay_from = 0;
  {
    std::string v;
    rocksdb::Status rs =
        db_->Get(rocksdb::ReadOptions(), cf_meta(), format::kHeadReplayFromKey, &v);
    if (rs.ok() && v.size() == 8) replay_from = format::DecodeU64Key(v);
    if (!rs.ok() && !rs.IsNotFound()) return FromRocks(rs);
    replay_from_persisted_ = replay_from;
    last_seq = replay_from > 0 ? replay_from - 1 : 0;
  }
  // Batch numbers must not go back below a reader's position (its records
  // may all be trimmed): new batches would be invisible to it.
  {
    common::MutexLock lock(&readers_mu_);
    for (const auto& [name, seq] : readers_) last_seq = std::max(last_seq, seq - 1);
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_head_wal()));
  std::vector<format::WalSeries> rec;
  for (it->Seek(format::U64Key(replay_from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return common::Status::Corruption("bad head log key");
    uint64_t seq = format::DecodeU64Key(it->key().ToStringView());
    last_seq = std::max(last_seq, seq);
    rec.clear();
    if (!format::DecodeWalRecord(it->value().ToStringView(), &rec)) {
      return common::Status::Corruption("bad head log record");
    }
    for (const auto& ws : rec) {
      auto& dst = per_series[ws.id];
      for (size_t i = 0; i < ws.ts.size(); ++i) dst.push_back({ws.ts[i], ws.vs[i], seq});
    }
  }
  if (!it->status().ok()) return FromRocks(it->status());
  {
    common::MutexLock lock(&batch_mu_);  // uncontended: the DB is still opening
    next_seq_ = last_seq + 1;
  }

  // Concurrent batches may have logged one series' samples out of timestamp
  // order, but the accepted samples of a series were strictly increasing, so
  // sorting by time restores the head exactly. Samples at or before the
  // newest sealed sample are already in a chunk.
  rocksdb::WriteBatch wb;
  for (auto& [id, samples] : per_series) {
    auto s = series_.GetById(id);
    if (s == nullptr) continue;  // deleted series
    std::stable_sort(samples.begin(), samples.end(),
                     [](const Logged& a, const Logged& b) { return a.t < b.t; });
    common::MutexLock lock(&s->mu);
    auto write_sealed = [&](const std::shared_ptr<const PendingChunk>& sealed) {
      if (sealed == nullptr) return;
      auto [enc, bytes] = EncodeSealedChunk(sealed->chunk);
      wb.Put(
          cf_chunks(), format::ChunkKey(s->id, sealed->chunk.min_time()),
          format::EncodeChunkValue(enc, sealed->chunk.min_time(), sealed->chunk.max_time(), bytes));
    };
    for (const Logged& l : samples) {
      if (s->has_samples && l.t <= s->max_t) continue;
      write_sealed(MaybeSeal(*s, l.t));
      s->head.Append(l.t, l.v);
      s->has_samples = true;
      s->max_t = l.t;
      s->last_v = l.v;
      s->wal_min_seq = std::min(s->wal_min_seq, l.seq);
      s->last_append_ms = SteadyMs();  // idle from now on, not since the epoch
      ObserveTime(l.t);
      write_sealed(SealIfFull(*s));
    }
    // Chunks sealed during replay are written below; before that the log
    // still holds their samples, so nothing is pending once wb is written.
    for (const auto& p : s->pending) s->wal_min_seq = std::min(s->wal_min_seq, p->wal_min_seq);
    s->pending.clear();
  }
  if (wb.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status rs = db_->Write(wo, &wb);
    if (!rs.ok()) return FromRocks(rs);
  }
  return common::Status::OK();
}

rocksdb::WriteOptions DBImpl::write_options() const {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync == SyncPolicy::kEveryBatch;
  return wo;
}

uint64_t DBImpl::BeginBatch() {
  common::MutexLock lock(&batch_mu_);
  uint64_t seq = next_seq_++;
  inflight_.insert(seq);
  return seq;
}

void DBImpl::EndBatch(uint64_t seq) {
  common::MutexLock lock(&batch_mu_);
  inflight_.erase(seq);
  if (batch_waiters_ > 0) batch_ended_.SignalAll();
}

std::shared_ptr<const PendingChunk> DBImpl::MaybeSeal(MemSeries& s, int64_t t) {
  if (s.head.num_samples() == 0) return nullptr;
  bool full = s.head.num_samples() >= SealAt(s);
  bool too_long = static_cast<uint64_t>(t) - static_cast<uint64_t>(s.head.min_time()) >=
                  static_cast<uint64_t>(options_.max_chunk_span_ms);
  if (!full && !too_long) return nullptr;
  return SealIfFull(s, /*force=*/true);
}

int DBImpl::SealAt(const MemSeries& s) const {
  const int jitter = options_.first_chunk_jitter_samples;
  if (s.sealed_once || jitter == 0) return options_.max_samples_per_chunk;
  // A multiplicative hash: consecutive ids (series created together) land far
  // apart in [0, jitter].
  const uint64_t h = (s.id * 0x9E3779B97F4A7C15ull) >> 32;
  return options_.max_samples_per_chunk - static_cast<int>(h % static_cast<uint64_t>(jitter + 1));
}

std::shared_ptr<const PendingChunk> DBImpl::SealIfFull(MemSeries& s) {
  return SealIfFull(s, /*force=*/false);
}

std::shared_ptr<const PendingChunk> DBImpl::SealIfFull(MemSeries& s, bool force) {
  if (s.head.num_samples() == 0) return nullptr;
  if (!force && s.head.num_samples() < SealAt(s)) return nullptr;
  auto p = std::make_shared<PendingChunk>(PendingChunk{std::move(s.head), s.wal_min_seq});
  s.sealed_once = true;
  chunks_sealed_.fetch_add(1, std::memory_order_relaxed);
  s.head = XorChunk();
  s.wal_min_seq = std::numeric_limits<uint64_t>::max();
  s.pending.push_back(p);
  return p;
}

int64_t DBImpl::MinValidTime() const {
  int64_t mt = max_time_.load(std::memory_order_relaxed);
  if (mt == std::numeric_limits<int64_t>::min()) return mt;
  if (mt < std::numeric_limits<int64_t>::min() + options_.retention_ms) {
    return std::numeric_limits<int64_t>::min();
  }
  return mt - options_.retention_ms;
}

void DBImpl::ObserveTime(int64_t t) {
  int64_t cur = max_time_.load(std::memory_order_relaxed);
  while (t > cur && !max_time_.compare_exchange_weak(cur, t, std::memory_order_relaxed)) {
  }
}

}  // namespace tsdb
