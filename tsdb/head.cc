#include "tsdb/head.h"

namespace tsdb {

std::shared_ptr<MemSeries> SeriesMap::GetByLabels(const model::Labels& labels, uint64_t hash) {
  HashShard& sh = hash_shards_[hash % kShards];
  common::MutexLock lock(&sh.mu);
  auto it = sh.by_hash.find(hash);
  if (it == sh.by_hash.end()) return nullptr;
  for (const auto& s : it->second) {
    if (s->labels.Equals(labels)) return s;
  }
  return nullptr;
}

std::shared_ptr<MemSeries> SeriesMap::GetById(uint64_t id) {
  IdShard& sh = id_shards_[id % kShards];
  common::MutexLock lock(&sh.mu);
  auto it = sh.by_id.find(id);
  return it == sh.by_id.end() ? nullptr : it->second;
}

void SeriesMap::InsertId(std::shared_ptr<MemSeries> s) {
  IdShard& sh = id_shards_[s->id % kShards];
  common::MutexLock lock(&sh.mu);
  sh.by_id[s->id] = std::move(s);
}

void SeriesMap::Remove(const MemSeries& s, const std::function<bool()>& under_lock) {
  uint64_t hash = s.labels.Unpack().Hash();
  {
    HashShard& sh = hash_shards_[hash % kShards];
    common::MutexLock lock(&sh.mu);
    if (under_lock && !under_lock()) return;
    auto it = sh.by_hash.find(hash);
    if (it != sh.by_hash.end()) {
      auto& vec = it->second;
      std::erase_if(vec, [&s](const auto& p) { return p.get() == &s; });
      if (vec.empty()) sh.by_hash.erase(it);
    }
  }
  IdShard& sh = id_shards_[s.id % kShards];
  common::MutexLock lock(&sh.mu);
  auto it = sh.by_id.find(s.id);
  if (it != sh.by_id.end() && it->second.get() == &s) sh.by_id.erase(it);
}

std::vector<std::shared_ptr<MemSeries>> SeriesMap::All() {
  std::vector<std::shared_ptr<MemSeries>> out;
  for (auto& sh : id_shards_) {
    common::MutexLock lock(&sh.mu);
    for (const auto& [id, s] : sh.by_id) out.push_back(s);
  }
  return out;
}

size_t SeriesMap::size() {
  size_t n = 0;
  for (auto& sh : id_shards_) {
    common::MutexLock lock(&sh.mu);
    n += sh.by_id.size();
  }
  return n;
}

}  // namespace tsdb
