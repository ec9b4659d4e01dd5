// Deletion, retention, head-log trimming, flush/compaction, stats and the
// background maintenance thread.
#include <rocksdb/convenience.h>

#include <algorithm>

#include "tsdb/db_impl.h"
#include "tsdb/format.h"

namespace tsdb {

namespace {
const std::string kAllChunksBegin(uint64_t id) {
  return format::ChunkKey(id, std::numeric_limits<int64_t>::min());
}
}  // namespace

void DBImpl::DeleteChunks(uint64_t id, rocksdb::WriteBatch* wb) {
  wb->DeleteRange(cf_chunks(), kAllChunksBegin(id), kAllChunksBegin(id + 1));
}

void DBImpl::DeleteTierBlocks(uint64_t id, rocksdb::WriteBatch* wb) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (const DownsampleTier& t : options_.downsample_tiers) {
    wb->DeleteRange(cf_downsampled(), format::BlockKey(t.resolution_ms, id, kMin),
                    format::BlockKey(t.resolution_ms, id + 1, kMin));
  }
}

common::Status DBImpl::RemoveSeries(MemSeries& s, rocksdb::WriteBatch* wb) {
  s.deleted = true;
  series_.Remove(s);
  // After the removal is visible: a reader that sees the new generation
  // also sees the series gone (see DB::RemovalGeneration).
  removal_generation_.fetch_add(1, std::memory_order_acq_rel);
  wb->Delete(cf_series(), format::U64Key(s.id));
  s.labels.ForEach([&](std::string_view name, std::string_view value) {
    wb->Delete(cf_index(), format::PostingKey(name, value, s.id));
  });
  DeleteChunks(s.id, wb);
  DeleteTierBlocks(s.id, wb);
  // Its head-log samples are skipped on replay (unknown id) and trimmed later.
  s.head = XorChunk();
  s.wal_min_seq = std::numeric_limits<uint64_t>::max();
  return common::Status::OK();
}

common::Result<size_t> DBImpl::DeleteSeries(const std::vector<Matcher>& matchers) {
  // Series are removed from memory before the write: not while writes fail.
  if (common::Status s = RecoverFromWriteError(); !s.ok()) return s;
  common::MutexLock rl(&retention_mu_);
  auto ids = PostingsFor(matchers);
  if (!ids.ok()) return ids.status();
  rocksdb::WriteBatch wb;
  size_t n = 0;
  for (uint64_t id : *ids) {
    auto s = series_.GetById(id);
    if (s == nullptr) {
      model::Labels labels;
      if (LabelsOf(id, &labels)) {
        RemoveCold(id, labels, &wb);
        removal_generation_.fetch_add(1, std::memory_order_acq_rel);
        ++n;
      }
      continue;
    }
    common::MutexLock lock(&s->mu);
    if (s->deleted) continue;
    (void)RemoveSeries(*s, &wb);
    ++n;
  }
  if (wb.Count() > 0) {
    rocksdb::Status rs = db_->Write(write_options(), &wb);
    if (!rs.ok()) {
      NoteWriteFailure();
      return FromRocks(rs);
    }
  }
  return n;
}

common::Status DBImpl::ApplyRetention() {
  // Also what persists batches kept after a failed write when no new write
  // comes (this runs in the background).
  if (common::Status s = RecoverFromWriteError(); !s.ok()) return s;
  common::MutexLock rl(&retention_mu_);
  const int64_t cutoff = MinValidTime();
  if (cutoff == std::numeric_limits<int64_t>::min()) return TrimHeadLog();
  // A series goes when no tier can hold data of it either.
  const int64_t tier0_watermark =
      options_.downsample_tiers.empty() ? std::numeric_limits<int64_t>::min() : TierWatermark(0);
  int64_t series_cutoff = cutoff;
  for (const DownsampleTier& t : options_.downsample_tiers) {
    series_cutoff = std::min(series_cutoff, max_time_.load() - t.retention_ms);
  }
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_chunks()));
  for (const auto& s : series_.All()) {
    {
      // A series whose newest sample is older than the cutoff goes entirely.
      common::MutexLock lock(&s->mu);
      if (s->deleted) continue;
      if (s->has_samples && s->max_t < cutoff && s->pending.empty()) {
        if (s->max_t < series_cutoff) {
          (void)RemoveSeries(*s, &wb);
          continue;
        }
        // Kept for its tiers: once they hold all of it, its raw samples
        // go and it leaves memory (cold, db_cold.cc).
        if (s->max_t <= tier0_watermark) {
          ++s->version;
          if (common::Status st = Evict(*s); !st.ok()) return st;
          continue;
        }
      }
    }
    // Otherwise drop its leading chunks that end before the cutoff. Sealed
    // chunks are immutable, so no lock is needed for this part.
    std::string drop_end;
    for (it->Seek(kAllChunksBegin(s->id)); it->Valid(); it->Next()) {
      uint64_t id;
      int64_t mint;
      format::ParseChunkKey(it->key().ToStringView(), &id, &mint);
      if (id != s->id) break;
      format::ChunkValue cv;
      if (!format::DecodeChunkValue(it->value().ToStringView(), mint, &cv)) {
        return common::Status::Corruption("bad chunk value");
      }
      if (cv.max_time >= cutoff) break;
      drop_end = format::ChunkKey(id, mint + 1);
    }
    if (!it->status().ok()) return FromRocks(it->status());
    if (!drop_end.empty()) wb.DeleteRange(cf_chunks(), kAllChunksBegin(s->id), drop_end);
  }
  if (wb.Count() > 0) {
    rocksdb::Status rs = db_->Write(write_options(), &wb);
    if (!rs.ok()) {
      NoteWriteFailure();
      return FromRocks(rs);
    }
  }
  // Tiers no longer configured: the series kept for them go.
  if (options_.downsample_tiers.empty() && cold_series_.load() > 0) {
    auto cold = ColdIds();
    if (!cold.ok()) return cold.status();
    rocksdb::WriteBatch cwb;
    for (uint64_t id : *cold) {
      model::Labels labels;
      if (LabelsOf(id, &labels)) RemoveCold(id, labels, &cwb);
    }
    cold_series_.store(0);
    if (cwb.Count() > 0) {
      removal_generation_.fetch_add(1, std::memory_order_acq_rel);
      rocksdb::Status rs = db_->Write(write_options(), &cwb);
      if (!rs.ok()) {
        NoteWriteFailure();
        return FromRocks(rs);
      }
    }
  }
  if (common::Status s = SealIdleHeads(); !s.ok()) return s;
  return TrimHeadLog();
}

common::Status DBImpl::SealIdleHeads() {
  if (options_.idle_head_seal_ms <= 0) return common::Status::OK();
  const int64_t now = SteadyMs();
  rocksdb::WriteBatch wb;
  SealedChunks sealed;
  for (const auto& s : series_.All()) {
    common::MutexLock lock(&s->mu);
    if (s->deleted || s->head.num_samples() == 0) continue;
    if (now - s->last_append_ms < options_.idle_head_seal_ms) continue;
    std::shared_ptr<const PendingChunk> p = SealIfFull(*s, /*force=*/true);
    // A failed batch that appended to this head must not be undone now
    // (DBImpl::UndoBatch): its samples are in the chunk written here.
    ++s->version;
    auto [enc, bytes] = EncodeSealedChunk(p->chunk);
    wb.Put(cf_chunks(), format::ChunkKey(s->id, p->chunk.min_time()),
           format::EncodeChunkValue(enc, p->chunk.min_time(), p->chunk.max_time(), bytes));
    sealed.emplace_back(s, std::move(p));
  }
  if (sealed.empty()) return common::Status::OK();
  rocksdb::Status rs = db_->Write(write_options(), &wb);
  if (!rs.ok()) {
    // The chunks stay pending (readable; the head log keeps their samples)
    // and are written by the recovery, as a failed batch's are.
    NoteWriteFailure();
    common::MutexLock lock(&recovery_mu_);
    kept_batches_.push_back(KeptBatch{std::numeric_limits<uint64_t>::max(), std::move(wb),
                                      std::move(sealed), std::numeric_limits<int64_t>::min()});
    return FromRocks(rs);
  }
  for (auto& [s, p] : sealed) {
    common::MutexLock lock(&s->mu);
    std::erase(s->pending, p);
  }
  return common::Status::OK();
}

common::Status DBImpl::TrimHeadLog() {
  // Order matters: read the batch counter and in-flight set first. Any batch
  // that starts later has a higher number; any sample of an earlier,
  // committed batch is either in a head (wal_min_seq), in a pending chunk
  // being written by an in-flight batch (pending[].wal_min_seq), or durable
  // in a sealed chunk.
  uint64_t low;
  {
    common::MutexLock lock(&batch_mu_);
    low = inflight_.empty() ? next_seq_ : *inflight_.begin();
  }
  for (const auto& s : series_.All()) {
    common::MutexLock lock(&s->mu);
    low = std::min(low, s->wal_min_seq);
    for (const auto& p : s->pending) low = std::min(low, p->wal_min_seq);
  }
  rocksdb::WriteOptions wo;  // trimming needs no sync: redoing it is harmless
  // Log readers keep records reopening does not need: remember where replay
  // starts so that it does not read them all. Written before the records
  // below it are deleted, and it only ever grows.
  const uint64_t readers_low = LowestReaderPosition();
  if (readers_low < low && low > replay_from_persisted_) {
    rocksdb::Status rs = db_->Put(wo, cf_meta(), format::kHeadReplayFromKey, format::U64Key(low));
    if (!rs.ok()) {
      NoteWriteFailure();
      return FromRocks(rs);
    }
    replay_from_persisted_ = low;
  }
  low = std::min(low, readers_low);
  if (low <= 1) return common::Status::OK();
  rocksdb::Status rs = db_->DeleteRange(wo, cf_head_wal(), format::U64Key(0), format::U64Key(low));
  if (!rs.ok()) NoteWriteFailure();
  return FromRocks(rs);
}

void DBImpl::MaybeTrimHeadLog(uint64_t seq) {
  if (seq % kTrimEveryBatches != 0) return;
  if (!trim_mu_.TryLock()) return;
  (void)TrimHeadLog();
  trim_mu_.Unlock();
}

common::Status DBImpl::Flush() {
  common::Status s = TrimHeadLog();
  if (!s.ok()) return s;
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status rs = db_->Flush(fo, all_cfs_);
  if (!rs.ok()) NoteWriteFailure();
  return FromRocks(rs);
}

common::Status DBImpl::Compact() {
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (auto* cf : all_cfs_) {
    rocksdb::Status rs = db_->CompactRange(co, cf, nullptr, nullptr);
    if (!rs.ok()) return FromRocks(rs);
  }
  return common::Status::OK();
}

Stats DBImpl::GetStats() {
  Stats st;
  st.samples_appended = samples_appended_.load();
  st.chunks_sealed = chunks_sealed_.load();
  st.cold_series = cold_series_.load();
  int64_t mt = max_time_.load();
  st.max_time = mt == std::numeric_limits<int64_t>::min() ? 0 : mt;
  for (const auto& s : series_.All()) {
    ++st.num_series;
    common::MutexLock lock(&s->mu);
    st.head_bytes += s->head.MemoryUsage();
  }
  if (!all_cfs_.empty()) {
    uint64_t v = 0;
    if (db_->GetIntProperty(all_cfs_[0], rocksdb::DB::Properties::kBlockCacheUsage, &v)) {
      st.block_cache_bytes = v;
    }
  }
  for (auto* cf : all_cfs_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kTotalSstFilesSize, &v)) {
      st.sst_bytes += v;
      if (cf == cf_downsampled_) st.downsampled_sst_bytes = v;
    }
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) {
      st.memtable_bytes += v;
    }
  }
  return st;
}

void DBImpl::MaintenanceLoop() {
  common::MutexLock lock(&maint_mu_);
  while (!stop_) {
    maint_cv_.WaitFor(&maint_mu_, std::chrono::milliseconds(options_.maintenance_interval_ms));
    if (stop_) break;
    maint_mu_.Unlock();
    (void)ApplyRetention();
    maint_mu_.Lock();
  }
}

}  // namespace tsdb
