// Series creation and the batch appender.
#include <algorithm>
#include <bit>
#include <numeric>

#include "common/clock.h"
#include "tsdb/db_impl.h"
#include "tsdb/format.h"

namespace tsdb {

std::shared_ptr<MemSeries> DBImpl::GetOrCreate(const model::Labels& labels,
                                               common::Status* status) {
  if (labels.empty()) {
    *status = common::Status::InvalidArgument("empty label set");
    return nullptr;
  }
  uint64_t hash = labels.Hash();
  if (auto s = series_.GetByLabels(labels, hash)) return s;
  if (common::Status rs = RecoverFromWriteError(); !rs.ok()) {
    *status = rs;
    return nullptr;
  }
  // Slow path: create under the label shard's lock, so two appenders never
  // create the same series twice. The series and its postings are persisted
  // before the series becomes visible, so every logged sample refers to a
  // durable series.
  return series_.GetOrCreate(labels, hash, [&]() -> std::shared_ptr<MemSeries> {
    if (options_.max_series > 0 && series_.size() >= options_.max_series) {
      *status = common::Status::ResourceExhausted("series limit reached (" +
                                                  std::to_string(options_.max_series) + ")");
      return nullptr;
    }
    // A series kept on disk for its tiers comes back with its id.
    auto cold = FindCold(labels, hash);
    if (!cold.ok()) {
      *status = cold.status();
      return nullptr;
    }
    if (*cold != 0) {
      rocksdb::WriteBatch wb;
      wb.Delete(cf_cold(), format::ColdIdKey(*cold));
      wb.Delete(cf_cold(), format::ColdHashKey(hash, *cold));
      rocksdb::Status rs = db_->Write(write_options(), &wb);
      if (!rs.ok()) {
        NoteWriteFailure();
        *status = FromRocks(rs).WithContext("series not revived");
        return nullptr;
      }
      cold_series_.fetch_sub(1);
      return std::make_shared<MemSeries>(*cold, labels);
    }
    uint64_t id = next_series_id_.fetch_add(1);
    rocksdb::WriteBatch wb;
    wb.Put(cf_series(), format::U64Key(id), format::EncodeLabels(labels));
    for (const auto& l : labels) wb.Put(cf_index(), format::PostingKey(l.name, l.value, id), "");
    wb.Put(cf_meta(), format::kNextSeriesIdKey, format::U64Key(id + 1));
    rocksdb::Status rs = db_->Write(write_options(), &wb);
    if (!rs.ok()) {
      NoteWriteFailure();
      *status =
          common::Status::IOError(FromRocks(rs).message()).WithContext("series not persisted");
      return nullptr;
    }
    return std::make_shared<MemSeries>(id, labels);
  });
}

common::Result<SeriesRef> DBImpl::GetOrCreateSeries(const model::Labels& labels) {
  common::Status st;
  auto s = GetOrCreate(labels, &st);
  if (s == nullptr) return st;
  return s->id;
}

bool DBImpl::HasSeries(SeriesRef ref) {
  auto s = series_.GetById(ref);
  if (s == nullptr) return false;
  common::MutexLock lock(&s->mu);
  return !s->deleted;
}

namespace {

class AppenderImpl final : public Appender {
 public:
  explicit AppenderImpl(DBImpl* db) : db_(db) {}

  void Add(const model::Labels& labels, int64_t t, double v) override {
    common::Status st;
    auto s = db_->GetOrCreate(labels, &st);
    if (s == nullptr) {
      if (st.IsResourceExhausted()) {
        ++pre_.series_limit;
      } else {
        ++pre_.invalid;
      }
      if (pre_.status.ok()) pre_.status = st;
      return;
    }
    samples_.push_back({s->id, t, v});
  }

  void AddRef(SeriesRef ref, int64_t t, double v) override { samples_.push_back({ref, t, v}); }

  void Rollback() override {
    samples_.clear();
    pre_ = AppendResult();
  }

  AppendResult Commit() override;

 private:
  void Reject(AppendResult* r, size_t* counter, const char* what, const MemSeries* s, int64_t t) {
    ++*counter;
    if (r->status.ok()) {
      std::string msg = std::string(what) + " for timestamp " + std::to_string(t);
      if (s != nullptr) msg += " in series " + s->labels.Unpack().ToString();
      r->status = common::Status::InvalidArgument(msg);
    }
  }

  DBImpl* db_;
  std::vector<RefSample> samples_;
  AppendResult pre_;  // rejections found while resolving labels in Add
};

AppendResult AppenderImpl::Commit() {
  AppendResult r = pre_;
  pre_ = AppendResult();
  std::vector<RefSample> samples;
  samples.swap(samples_);
  if (samples.empty()) return r;
  // After a failed write, nothing is applied to the head until the store is
  // writable again and the failed batches it could not undo are persisted:
  // the batch is refused whole, untouched (the caller retries it).
  if (common::Status rs = db_->RecoverFromWriteError(); !rs.ok()) {
    r.status = rs;
    return r;
  }

  // Group by series (stable, so each series keeps the caller's order) so each
  // series lock is taken once per batch. Batches mostly arrive as runs of one
  // series (a remote_write series, bulk import text), so the runs are sorted,
  // not the samples: O(n + runs log runs), and nothing at all when the runs
  // are already in ref order.
  {
    struct Run {
      SeriesRef ref;
      size_t begin, end;
    };
    std::vector<Run> runs;
    bool ordered = true;
    for (size_t i = 0; i < samples.size();) {
      size_t j = i + 1;
      while (j < samples.size() && samples[j].ref == samples[i].ref) ++j;
      if (!runs.empty() && runs.back().ref >= samples[i].ref) ordered = false;
      runs.push_back({samples[i].ref, i, j});
      i = j;
    }
    if (!ordered) {
      std::stable_sort(runs.begin(), runs.end(),
                       [](const Run& a, const Run& b) { return a.ref < b.ref; });
      std::vector<RefSample> grouped;
      grouped.reserve(samples.size());
      for (const Run& run : runs) {
        grouped.insert(grouped.end(), samples.begin() + static_cast<ptrdiff_t>(run.begin),
                       samples.begin() + static_cast<ptrdiff_t>(run.end));
      }
      samples.swap(grouped);
    }
  }

  const uint64_t seq = db_->BeginBatch();
  // Read after BeginBatch: a log reader registered before this batch got its
  // number sees every sample of it (DBImpl::OpenLogReader).
  const bool full_log = db_->full_log();
  const int64_t append_ms = DBImpl::SteadyMs();
  const int64_t min_valid = db_->MinValidTime();
  // Retention follows the newest sample: one stamped years ahead would
  // make everything stored "too old".
  const int64_t max_future = db_->options().max_future_ms;
  const int64_t max_valid =
      max_future > 0 ? common::NowMs() + max_future : std::numeric_limits<int64_t>::max();
  rocksdb::WriteBatch wb;
  std::string wal;
  DBImpl::SealedChunks sealed;
  std::vector<DBImpl::SeriesUndo> touched;  // to undo the batch if its write fails
  std::vector<int64_t> ts;
  std::vector<double> vs;
  int64_t batch_max_t = std::numeric_limits<int64_t>::min();

  for (size_t i = 0; i < samples.size();) {
    size_t j = i;
    while (j < samples.size() && samples[j].ref == samples[i].ref) ++j;
    auto s = db_->series().GetById(samples[i].ref);
    if (s == nullptr) {
      const bool removed = db_->WasAllocated(samples[i].ref);
      for (size_t k = i; k < j; ++k) {
        if (removed) {
          Reject(&r, &r.series_removed, "series removed (retention or deletion)", nullptr,
                 samples[k].t);
        } else {
          Reject(&r, &r.invalid, "unknown series ref", nullptr, samples[k].t);
        }
      }
      i = j;
      continue;
    }
    ts.clear();
    vs.clear();
    size_t accepted = 0;
    int64_t last_t = 0;
    {
      common::MutexLock lock(&s->mu);
      const bool had_samples = s->has_samples;
      const int64_t old_max_t = s->max_t;
      const double old_last_v = s->last_v;
      const uint64_t old_wal_min_seq = s->wal_min_seq;
      const size_t sealed_begin = sealed.size();
      for (size_t k = i; k < j; ++k) {
        const RefSample& smp = samples[k];
        if (s->deleted) {
          Reject(&r, &r.series_removed, "series removed (retention or deletion)", s.get(), smp.t);
        } else if (smp.t < min_valid) {
          Reject(&r, &r.too_old, "too old sample", s.get(), smp.t);
        } else if (smp.t > max_valid) {
          Reject(&r, &r.too_far_in_future, "sample too far in the future", s.get(), smp.t);
        } else if (s->has_samples && smp.t < s->max_t) {
          Reject(&r, &r.out_of_order, "out of order sample", s.get(), smp.t);
        } else if (s->has_samples && smp.t == s->max_t) {
          if (std::bit_cast<uint64_t>(smp.v) == std::bit_cast<uint64_t>(s->last_v)) {
            ++r.duplicate_ignored;
          } else {
            Reject(&r, &r.duplicate_conflict, "duplicate sample", s.get(), smp.t);
          }
        } else {
          auto seal = [&](std::shared_ptr<const PendingChunk> p) {
            if (p == nullptr) return;
            // Everything this batch appended to the series so far is in the
            // sealed chunk, which goes into the same atomic WriteBatch as
            // the head-log record: logging those samples too would only
            // double the bytes written (replay skips samples at or before
            // the newest sealed chunk anyway) -- unless log readers need
            // the complete log.
            if (!full_log) {
              ts.clear();
              vs.clear();
            }
            auto [enc, bytes] = EncodeSealedChunk(p->chunk);
            wb.Put(db_->cf_chunks(), format::ChunkKey(s->id, p->chunk.min_time()),
                   format::EncodeChunkValue(enc, p->chunk.min_time(), p->chunk.max_time(), bytes));
            sealed.emplace_back(s, std::move(p));
          };
          seal(db_->MaybeSeal(*s, smp.t));
          s->head.Append(smp.t, smp.v);
          s->has_samples = true;
          s->max_t = smp.t;
          s->last_v = smp.v;
          s->wal_min_seq = std::min(s->wal_min_seq, seq);
          ts.push_back(smp.t);
          vs.push_back(smp.v);
          seal(db_->SealIfFull(*s));
          ++accepted;
          last_t = smp.t;
        }
      }
      if (accepted > 0) {
        s->last_append_ms = append_ms;
        touched.push_back({s->id, ++s->version, had_samples, old_max_t, old_last_v, old_wal_min_seq,
                           sealed_begin, sealed.size()});
      }
    }
    // Only the samples still in the head need the log (all of them with
    // full_log).
    if (!ts.empty()) format::AppendWalSeries(&wal, s->id, ts.data(), vs.data(), ts.size());
    if (accepted > 0) {
      r.accepted += accepted;
      batch_max_t = std::max(batch_max_t, last_t);
    }
    i = j;
  }

  if (!wal.empty()) wb.Put(db_->cf_head_wal(), format::U64Key(seq), wal);
  if (wb.Count() > 0) {
    rocksdb::Status rs = db_->rocks()->Write(db_->write_options(), &wb);
    if (!rs.ok()) {
      // Nothing of the batch is acknowledged; its samples leave the head
      // again (or, if that is impossible, are persisted on recovery).
      db_->NoteWriteFailure();
      r.status = common::Status::IOError(FromRocks(rs).message())
                     .WithContext("append batch not persisted");
      r.accepted = 0;
      db_->HandleFailedBatch(seq, touched, std::move(sealed), std::move(wb), batch_max_t);
      db_->EndBatch(seq);
      return r;
    }
  }
  // The sealed chunks are now in RocksDB: readers no longer need the copies.
  for (auto& [s, p] : sealed) {
    common::MutexLock lock(&s->mu);
    std::erase(s->pending, p);
  }
  db_->EndBatch(seq);
  db_->MaybeTrimHeadLog(seq);
  if (r.accepted > 0) {
    db_->ObserveTime(batch_max_t);
    db_->AddAppended(r.accepted);
  }
  return r;
}

}  // namespace

std::unique_ptr<Appender> DBImpl::NewAppender() { return std::make_unique<AppenderImpl>(this); }

void DBImpl::WaitForNewerBatches(uint64_t seq) {
  common::MutexLock lock(&batch_mu_);
  const uint64_t begun = next_seq_;
  ++batch_waiters_;
  // Bounded: if a newer batch's write hangs, the failed batch is kept and
  // persisted on recovery instead of undone, which is also correct.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto it = inflight_.upper_bound(seq);
    if (it == inflight_.end() || *it >= begun) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    batch_ended_.WaitFor(&batch_mu_, deadline - now);
  }
  --batch_waiters_;
}

// The locks are held through std::unique_lock in a vector, which the
// thread-safety analysis cannot follow: every series field below is accessed
// with its series' lock held.
bool DBImpl::UndoBatch(const std::vector<SeriesUndo>& touched,
                       const SealedChunks& sealed) NO_THREAD_SAFETY_ANALYSIS {
  // All series at once (in id order, as the appender locks them one by one):
  // the batch is undone everywhere or nowhere. A series removed since lost
  // the batch's samples with the rest of its data.
  std::vector<std::shared_ptr<MemSeries>> series;
  series.reserve(touched.size());
  for (const SeriesUndo& u : touched) series.push_back(series_.GetById(u.id));
  std::vector<std::unique_lock<common::Mutex>> locks;
  locks.reserve(touched.size());
  for (const auto& s : series) {
    if (s != nullptr) locks.emplace_back(s->mu);
  }
  for (size_t k = 0; k < touched.size(); ++k) {
    if (series[k] != nullptr && !series[k]->deleted &&
        series[k]->version != touched[k].version_after) {
      return false;
    }
  }
  for (size_t k = 0; k < touched.size(); ++k) {
    if (series[k] == nullptr || series[k]->deleted) continue;
    const SeriesUndo& u = touched[k];
    MemSeries& s = *series[k];
    // The head before the batch: its samples are those at or before the
    // old max_t, now in the chunks the batch sealed and in the head.
    XorChunk head;
    if (u.has_samples) {
      auto keep = [&](const XorChunk& c) {
        if (c.num_samples() == 0) return;
        auto it = NewChunkIterator(Encoding::kXor, c.bytes());
        while (it->Next()) {
          auto [t, v] = it->At();
          if (t <= u.max_t) head.Append(t, v);
        }
      };
      for (size_t i = u.sealed_begin; i < u.sealed_end; ++i) keep(sealed[i].second->chunk);
      keep(s.head);
    }
    for (size_t i = u.sealed_begin; i < u.sealed_end; ++i) std::erase(s.pending, sealed[i].second);
    s.head = std::move(head);
    s.has_samples = u.has_samples;
    s.max_t = u.max_t;
    s.last_v = u.last_v;
    s.wal_min_seq = u.wal_min_seq;
    s.version = u.version_after - 1;
  }
  return true;
}

void DBImpl::HandleFailedBatch(uint64_t seq, const std::vector<SeriesUndo>& touched,
                               SealedChunks sealed, rocksdb::WriteBatch wb, int64_t max_t) {
  // Batches begun after this one may have appended on top of it; they fail
  // too (RocksDB refuses writes after a failed one) and undo themselves
  // first, newest first.
  WaitForNewerBatches(seq);
  if (UndoBatch(touched, sealed)) return;
  // A later batch built on this one and was persisted: keep the head as it
  // is and persist this batch on recovery. Until then its sealed chunks stay
  // pending (readable, and the head log keeps their samples' records).
  common::MutexLock lock(&recovery_mu_);
  kept_batches_.push_back(KeptBatch{seq, std::move(wb), std::move(sealed), max_t});
  needs_recovery_.store(true, std::memory_order_release);
}

common::Status DBImpl::RecoveryFailed(const rocksdb::Status& rs) {
  needs_recovery_.store(true, std::memory_order_release);
  recovery_error_ =
      common::Status::IOError("storage not writable since a failed write (" + rs.ToString() + ")");
  return recovery_error_;
}

common::Status DBImpl::RecoverFromWriteError() {
  if (!needs_recovery_.load(std::memory_order_acquire)) return common::Status::OK();
  common::MutexLock lock(&recovery_mu_);
  if (!needs_recovery_.load(std::memory_order_acquire)) return common::Status::OK();
  // Resuming flushes the memtables: on a disk that is still full, try at
  // most once a second and refuse writes at once in between.
  const auto now = std::chrono::steady_clock::now();
  if (now < next_recovery_try_) return recovery_error_;
  next_recovery_try_ = now + std::chrono::seconds(1);
  // Cleared first: a write failing from here on sets it again.
  needs_recovery_.store(false, std::memory_order_release);
  // OK at once if RocksDB is writable (it may have recovered by itself).
  rocksdb::Status rs = db_->Resume();
  if (!rs.ok()) return RecoveryFailed(rs);
  while (!kept_batches_.empty()) {
    KeptBatch& b = kept_batches_.front();
    rs = db_->Write(write_options(), &b.wb);
    if (!rs.ok()) return RecoveryFailed(rs);
    for (auto& [s, p] : b.sealed) {
      common::MutexLock series_lock(&s->mu);
      std::erase(s->pending, p);
    }
    if (b.max_t != std::numeric_limits<int64_t>::min()) ObserveTime(b.max_t);
    kept_batches_.erase(kept_batches_.begin());
  }
  next_recovery_try_ = {};
  return common::Status::OK();
}

}  // namespace tsdb
