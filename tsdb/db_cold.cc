// Cold series: series kept only for their downsampling tiers leave memory
// and come back when they are appended to again (see db_impl.h).
#include "tsdb/db_impl.h"
#include "tsdb/format.h"

namespace tsdb {

common::Status DBImpl::Evict(MemSeries& s) {
  const model::Labels labels = s.labels.Unpack();
  const uint64_t hash = labels.Hash();
  rocksdb::WriteBatch wb;
  wb.Put(cf_cold(), format::ColdIdKey(s.id), "");
  wb.Put(cf_cold(), format::ColdHashKey(hash, s.id), "");
  // Every raw chunk ends before the retention (its newest sample does).
  DeleteChunks(s.id, &wb);
  common::Status st;
  // Marked cold before it leaves the map, under the lock creation of these
  // labels takes: an appender that misses it in memory then finds it cold.
  series_.Remove(s, [&] {
    rocksdb::Status rs = db_->Write(write_options(), &wb);
    if (!rs.ok()) {
      NoteWriteFailure();
      st = FromRocks(rs);
      return false;  // stays in memory as it was
    }
    return true;
  });
  if (!st.ok()) return st;
  s.deleted = true;
  s.head = XorChunk();
  s.wal_min_seq = std::numeric_limits<uint64_t>::max();
  cold_series_.fetch_add(1);
  // Appenders holding the series resolve its labels again (and revive it).
  removal_generation_.fetch_add(1, std::memory_order_acq_rel);
  return common::Status::OK();
}

common::Result<uint64_t> DBImpl::FindCold(const model::Labels& labels, uint64_t hash) {
  if (cold_series_.load() == 0) return uint64_t{0};
  const std::string prefix = format::ColdHashPrefix(hash);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_cold()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 17) return common::Status::Corruption("bad cold series key");
    const uint64_t id = format::DecodeU64Key(it->key().ToStringView().substr(9));
    std::string v;
    rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), cf_series(), format::U64Key(id), &v);
    if (rs.IsNotFound()) continue;
    if (!rs.ok()) return FromRocks(rs);
    model::Labels l;
    if (!format::DecodeLabels(v, &l)) return common::Status::Corruption("bad series labels");
    if (l == labels) return id;
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return uint64_t{0};
}

bool DBImpl::LabelsOf(uint64_t id, model::Labels* labels) {
  if (auto s = series_.GetById(id)) {
    *labels = s->labels.Unpack();
    return true;
  }
  if (cold_series_.load() == 0) return false;
  std::string v;
  if (!db_->Get(rocksdb::ReadOptions(), cf_cold(), format::ColdIdKey(id), &v).ok()) return false;
  if (!db_->Get(rocksdb::ReadOptions(), cf_series(), format::U64Key(id), &v).ok()) return false;
  return format::DecodeLabels(v, labels);
}

common::Result<std::vector<uint64_t>> DBImpl::ColdIds() {
  std::vector<uint64_t> ids;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_cold()));
  for (it->Seek(format::ColdIdKey(0)); it->Valid() && it->key().starts_with("i"); it->Next()) {
    if (it->key().size() != 9) return common::Status::Corruption("bad cold series key");
    ids.push_back(format::DecodeU64Key(it->key().ToStringView().substr(1)));
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return ids;
}

void DBImpl::RemoveCold(uint64_t id, const model::Labels& labels, rocksdb::WriteBatch* wb) {
  wb->Delete(cf_cold(), format::ColdIdKey(id));
  wb->Delete(cf_cold(), format::ColdHashKey(labels.Hash(), id));
  wb->Delete(cf_series(), format::U64Key(id));
  for (const auto& l : labels) wb->Delete(cf_index(), format::PostingKey(l.name, l.value, id));
  DeleteTierBlocks(id, wb);
  if (cold_series_.load() > 0) cold_series_.fetch_sub(1);
}

}  // namespace tsdb
