#include "server/ingest/ingester.h"

#include <cstring>

namespace server {

Ingester::Ingester(tsdb::DB* db, const Limits& limits)
    : db_(db), limits_(limits), shards_(new Shard[kShards]) {}

common::Status Ingester::Validate(const model::Labels& labels) const {
  std::string_view name = labels.MetricName();
  if (name.empty()) {
    return common::Status::InvalidArgument("series " + labels.ToString() + " has no metric name");
  }
  if (!model::IsValidMetricName(name)) {
    return common::Status::InvalidArgument("invalid metric name \"" + std::string(name) + "\"");
  }
  if (labels.size() > limits_.max_labels_per_series) {
    return common::Status::InvalidArgument(
        "series " + labels.ToString() + " has " + std::to_string(labels.size()) +
        " labels, more than the limit of " + std::to_string(limits_.max_labels_per_series));
  }
  for (const auto& l : labels) {
    if (l.name != model::kMetricNameLabel && !model::IsValidLabelName(l.name)) {
      return common::Status::InvalidArgument("invalid label name \"" + l.name + "\" in series " +
                                             std::string(name));
    }
    if (l.name.size() > limits_.max_label_name_length) {
      return common::Status::InvalidArgument(
          "label name \"" + l.name.substr(0, 64) + "...\" longer than the limit of " +
          std::to_string(limits_.max_label_name_length) + " bytes");
    }
    if (l.value.size() > limits_.max_label_value_length) {
      return common::Status::InvalidArgument(
          "value of label \"" + l.name + "\" in series " + std::string(name) + " is " +
          std::to_string(l.value.size()) + " bytes, longer than the limit of " +
          std::to_string(limits_.max_label_value_length));
    }
  }
  return common::Status::OK();
}

// A fast non-cryptographic hash (8 bytes per multiply); keys are series
// text chosen by clients, but a skewed shard only costs speed, not
// correctness.
size_t Ingester::KeyHash::operator()(std::string_view s) const noexcept {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0xC2B2AE3D27D4EB4Full ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  auto mix = [](uint64_t x) {
    __uint128_t m = static_cast<__uint128_t>(x) * kMul;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  };
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix(h ^ w);
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = mix(h ^ w ^ (uint64_t{n} << 59));
  }
  return static_cast<size_t>(mix(h));
}

std::optional<tsdb::SeriesRef> Ingester::Cached(std::string_view key, uint64_t generation) {
  const HashedKey hk{key, KeyHash()(key)};
  // High bits pick the shard; the map's buckets use the low bits.
  Shard& shard = shards_[(hk.hash >> 32) % kShards];
  common::MutexLock lock(&shard.mu);
  auto it = shard.refs.find(hk);
  if (it == shard.refs.end()) return std::nullopt;
  Shard::Entry& e = it->second;
  if (e.generation == generation) return e.ref;
  if (db_->HasSeries(e.ref)) {
    e.generation = generation;
    return e.ref;
  }
  shard.refs.erase(it);
  return std::nullopt;
}

common::Result<tsdb::SeriesRef> Ingester::Create(std::string_view key, const model::Labels& labels,
                                                 uint64_t generation) {
  auto ref = db_->GetOrCreateSeries(labels);
  if (!ref.ok()) {
    if (ref.status().IsResourceExhausted()) counters_.series_limit.fetch_add(1);
    return ref.status();
  }
  Shard& shard = shards_[(KeyHash()(key) >> 32) % kShards];
  common::MutexLock lock(&shard.mu);
  // Bounded: a churning cardinality must not grow the cache forever.
  if (shard.refs.size() >= kMaxCachedPerShard) shard.refs.clear();
  shard.refs.insert_or_assign(std::string(key), Shard::Entry{*ref, generation});
  return *ref;
}

common::Result<tsdb::SeriesRef> Ingester::Resolve(
    std::string_view key, const std::function<common::Result<model::Labels>()>& make_labels) {
  // Read before the lookup: a removal that this load does not see can only
  // be caught by the append (counted as series_removed, answered 503 so the
  // client retries), and the retry sees the new generation.
  const uint64_t generation = db_->RemovalGeneration();
  if (auto ref = Cached(key, generation)) return *ref;
  auto labels = make_labels();
  if (!labels.ok()) return labels.status();
  if (auto s = Validate(*labels); !s.ok()) return s;
  return Create(key, *labels, generation);
}

Ingester::SeriesBatch::SeriesBatch(Ingester* ingester)
    : ingester_(ingester), generation_(ingester->db()->RemovalGeneration()) {}

common::Result<tsdb::SeriesRef> Ingester::SeriesBatch::Resolve(
    std::string_view key, const std::function<common::Result<model::Labels>()>& make_labels) {
  if (auto ref = ingester_->Cached(key, generation_)) return *ref;
  if (auto it = queued_.find(std::string(key)); it != queued_.end()) {
    return kQueuedBit | it->second;
  }
  auto labels = make_labels();
  if (!labels.ok()) return labels.status();
  if (auto s = ingester_->Validate(*labels); !s.ok()) return s;
  const size_t index = new_series_.size();
  new_series_.push_back({std::string(key), std::move(labels).value()});
  queued_.emplace(new_series_.back().key, index);
  return kQueuedBit | index;
}

common::Status Ingester::SeriesBatch::Create(std::vector<tsdb::RefSample>* samples,
                                             std::vector<tsdb::SeriesRef>* refs) {
  std::vector<tsdb::SeriesRef> created;
  created.reserve(new_series_.size());
  for (const NewSeries& n : new_series_) {
    auto ref = ingester_->Create(n.key, n.labels, generation_);
    if (!ref.ok()) return ref.status();
    created.push_back(*ref);
  }
  auto fix = [&created](tsdb::SeriesRef& r) {
    if (r & kQueuedBit) r = created[r & ~kQueuedBit];
  };
  for (tsdb::RefSample& s : *samples) fix(s.ref);
  if (refs != nullptr) {
    for (tsdb::SeriesRef& r : *refs) fix(r);
  }
  return common::Status::OK();
}

tsdb::AppendResult Ingester::Commit(std::vector<tsdb::RefSample>& batch) {
  auto app = db_->NewAppender();
  for (const tsdb::RefSample& s : batch) app->AddRef(s.ref, s.t, s.v);
  const size_t n = batch.size();
  batch.clear();
  tsdb::AppendResult r = app->Commit();
  // Nothing of a batch that could not be persisted is stored, except what
  // was refused for another reason (counted below) or was a duplicate.
  if (r.status.IsIOError()) {
    counters_.storage_error.fetch_add(n - r.rejected() - r.duplicate_ignored);
  }
  counters_.accepted.fetch_add(r.accepted);
  counters_.out_of_order.fetch_add(r.out_of_order);
  counters_.duplicate.fetch_add(r.duplicate_conflict);
  counters_.too_old.fetch_add(r.too_old);
  counters_.too_far_in_future.fetch_add(r.too_far_in_future);
  counters_.series_limit.fetch_add(r.series_limit);
  counters_.invalid.fetch_add(r.invalid);
  counters_.series_removed.fetch_add(r.series_removed);
  return r;
}

std::string DescribeRejections(const tsdb::AppendResult& r) {
  std::string out = std::to_string(r.rejected()) + " samples rejected:";
  auto add = [&out, first = true](size_t n, const char* what) mutable {
    if (n == 0) return;
    out += (first ? " " : ", ") + std::to_string(n) + " " + what;
    first = false;
  };
  add(r.out_of_order, "out of order");
  add(r.duplicate_conflict, "duplicate timestamp with a different value");
  add(r.too_old, "too old (outside retention)");
  add(r.too_far_in_future, "too far in the future (--limits.max-future)");
  add(r.series_limit, "over the series limit");
  add(r.invalid, "invalid");
  add(r.series_removed, "for series removed while the request was in flight (retry)");
  if (!r.status.ok()) out += " (first: " + r.status.message() + ")";
  return out;
}

}  // namespace server
