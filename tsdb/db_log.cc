// The sample log's readers (DB::OpenLogReader ...): positions persisted in
// the meta column family, records read from the head log.
#include <limits>

#include "tsdb/db_impl.h"
#include "tsdb/format.h"

namespace tsdb {

namespace {

std::string ReaderKey(const std::string& name) { return format::kLogReaderPrefix + name; }

std::string EncodePosition(const LogPosition& pos) {
  return format::U64Key(pos.next_seq) + pos.state;
}

}  // namespace

common::Status DBImpl::LoadLogReaders() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_meta()));
  const std::string prefix = format::kLogReaderPrefix;
  common::MutexLock lock(&readers_mu_);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->value().size() < 8) return common::Status::Corruption("bad log reader position");
    readers_[it->key().ToString().substr(prefix.size())] =
        format::DecodeU64Key(it->value().ToStringView());
  }
  if (!it->status().ok()) return FromRocks(it->status());
  full_log_.store(!readers_.empty(), std::memory_order_release);
  return common::Status::OK();
}

uint64_t DBImpl::LowestReaderPosition() {
  common::MutexLock lock(&readers_mu_);
  uint64_t low = std::numeric_limits<uint64_t>::max();
  for (const auto& [name, seq] : readers_) low = std::min(low, seq);
  return low;
}

common::Result<LogPosition> DBImpl::OpenLogReader(const std::string& name) {
  if (name.empty()) return common::Status::InvalidArgument("empty log reader name");
  common::MutexLock lock(&readers_mu_);
  std::string v;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), cf_meta(), ReaderKey(name), &v);
  if (rs.ok()) {
    if (v.size() < 8) return common::Status::Corruption("bad log reader position");
    LogPosition pos{format::DecodeU64Key(v), v.substr(8)};
    readers_[name] = pos.next_seq;
    full_log_.store(true, std::memory_order_release);
    return pos;
  }
  if (!rs.IsNotFound()) return FromRocks(rs);
  // Set before the position is taken: every batch numbered at or after it
  // reads the flag after taking its number, so it logs every sample.
  full_log_.store(true, std::memory_order_release);
  LogPosition pos;
  {
    common::MutexLock batch_lock(&batch_mu_);
    pos.next_seq = next_seq_;
  }
  rs = db_->Put(write_options(), cf_meta(), ReaderKey(name), EncodePosition(pos));
  if (!rs.ok()) {
    NoteWriteFailure();
    full_log_.store(!readers_.empty(), std::memory_order_release);
    return FromRocks(rs);
  }
  readers_[name] = pos.next_seq;
  return pos;
}

common::Status DBImpl::CommitLogReader(const std::string& name, const LogPosition& pos) {
  {
    common::MutexLock lock(&readers_mu_);
    auto it = readers_.find(name);
    if (it == readers_.end()) return common::Status::NotFound("log reader " + name);
    it->second = pos.next_seq;
  }
  // Not synced even under SyncPolicy::kEveryBatch: after a power loss the
  // reader resends from an older position, which at-least-once allows.
  rocksdb::Status rs =
      db_->Put(rocksdb::WriteOptions(), cf_meta(), ReaderKey(name), EncodePosition(pos));
  if (!rs.ok()) NoteWriteFailure();
  return FromRocks(rs);
}

common::Status DBImpl::RemoveLogReader(const std::string& name) {
  common::MutexLock lock(&readers_mu_);
  rocksdb::Status rs = db_->Delete(write_options(), cf_meta(), ReaderKey(name));
  if (!rs.ok()) {
    NoteWriteFailure();
    return FromRocks(rs);
  }
  readers_.erase(name);
  full_log_.store(!readers_.empty(), std::memory_order_release);
  return common::Status::OK();
}

std::vector<std::string> DBImpl::LogReaders() {
  common::MutexLock lock(&readers_mu_);
  std::vector<std::string> names;
  for (const auto& [name, seq] : readers_) names.push_back(name);
  return names;
}

uint64_t DBImpl::LogEnd() {
  uint64_t end;
  {
    common::MutexLock lock(&batch_mu_);
    end = inflight_.empty() ? next_seq_ : *inflight_.begin();
  }
  // A batch whose write failed and that is kept for recovery left the
  // in-flight set, but its record is written only when recovery succeeds.
  if (needs_recovery_.load(std::memory_order_acquire)) {
    common::MutexLock lock(&recovery_mu_);
    for (const auto& b : kept_batches_) end = std::min(end, b.seq);
  }
  return end;
}

common::Status DBImpl::ReadLog(uint64_t from, uint64_t end, size_t max_samples,
                               std::vector<LogRecord>* out, uint64_t* next) {
  *next = std::max(from, end);
  if (from >= end) return common::Status::OK();
  rocksdb::ReadOptions ro;
  const std::string upper = format::U64Key(end);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_head_wal()));
  size_t read = 0;
  for (it->Seek(format::U64Key(from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return common::Status::Corruption("bad head log key");
    const uint64_t seq = format::DecodeU64Key(it->key().ToStringView());
    LogRecord& r = out->emplace_back();
    r.seq = seq;
    if (!format::DecodeWalRecordFlat(it->value().ToStringView(), &r.refs, &r.offsets, &r.ts,
                                     &r.vs)) {
      return common::Status::Corruption("bad head log record");
    }
    read += r.num_samples();
    if (read >= max_samples) {
      *next = seq + 1;
      return common::Status::OK();
    }
  }
  return FromRocks(it->status());
}

bool DBImpl::SeriesLabels(SeriesRef ref, model::Labels* labels) {
  auto s = series_.GetById(ref);
  if (s == nullptr) return false;
  *labels = s->labels.Unpack();
  return true;
}

}  // namespace tsdb
