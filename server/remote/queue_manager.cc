#include "server/remote/queue_manager.h"

#include <spdlog/spdlog.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "common/coding.h"
#include "server/remote/write_request.h"

namespace server::remote {

namespace {

using Clock = std::chrono::steady_clock;

// Segment state persisted with the position: end, shard count, and per
// shard the entries finished, as varints.
std::string EncodeState(uint64_t end, const std::vector<uint64_t>& done) {
  std::string out;
  auto put = [&](uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  };
  put(end);
  put(done.size());
  for (uint64_t d : done) put(d);
  return out;
}

bool DecodeState(std::string_view in, uint64_t* end, std::vector<uint64_t>* done) {
  size_t i = 0;
  auto get = [&](uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && i < in.size(); shift += 7) {
      const auto b = static_cast<uint8_t>(in[i++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  };
  uint64_t n = 0;
  if (!get(end) || !get(&n) || n == 0 || n > 100000) return false;
  done->assign(n, 0);
  for (auto& d : *done) {
    if (!get(&d)) return false;
  }
  return i == in.size();
}

// Which shard a series goes to: a multiplicative hash of its ref, so that
// consecutive refs (series created together) spread over the shards.
int ShardOf(tsdb::SeriesRef ref, int shards) {
  return static_cast<int>(((ref * 0x9E3779B97F4A7C15ull) >> 32) % static_cast<uint64_t>(shards));
}

// Retry-After: delay-seconds or an HTTP-date; -1 if absent or unreadable.
int64_t RetryAfterMs(const std::string& v) {
  if (v.empty()) return -1;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return v.size() > 9 ? -1 : std::stoll(v) * 1000;
  }
  struct tm tm = {};
  if (strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
  const int64_t at = static_cast<int64_t>(timegm(&tm)) * 1000;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return std::max<int64_t>(0, at - now);
}

}  // namespace

QueueManager::QueueManager(tsdb::DB* db, RemoteWriteConfig config, model::Labels external_labels,
                           std::string user_agent)
    : db_(db),
      config_(std::move(config)),
      external_labels_(std::move(external_labels)),
      user_agent_(std::move(user_agent)),
      reader_(config_.ReaderName()) {}

QueueManager::~QueueManager() { Stop(); }

common::Status QueueManager::Start() {
  auto pos = db_->OpenLogReader(reader_);
  if (!pos.ok()) return pos.status().WithContext("remote_write " + config_.RemoteName());
  // Created by the shard that first needs one (most queues never use all).
  clients_.resize(static_cast<size_t>(config_.queue.max_shards));
  thread_ = std::thread([this] { Run(); });
  return common::Status::OK();
}

void QueueManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_.store(true, std::memory_order_release);
  }
  stop_cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(work_mu_);  // no worker misses the flag
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

bool QueueManager::Sleep(int64_t ms) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping(); });
  return !stopping();
}

bool QueueManager::Backoff(int64_t ms) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  const uint64_t epoch = success_epoch_;
  ++backing_off_;
  backing_off_mirror_.store(backing_off_, std::memory_order_release);
  stop_cv_.wait_for(lock, std::chrono::milliseconds(ms),
                    [&] { return stopping() || success_epoch_ != epoch; });
  --backing_off_;
  backing_off_mirror_.store(backing_off_, std::memory_order_release);
  return !stopping();
}

void QueueManager::NoteSuccess() {
  // Called by a shard that got through after failing: wake the shards
  // still backing off. The atomic mirror keeps it lock-free when none is.
  if (backing_off_mirror_.load(std::memory_order_acquire) == 0) return;
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    ++success_epoch_;
  }
  stop_cv_.notify_all();
}

QueueStats QueueManager::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

const QueueManager::Series* QueueManager::Lookup(tsdb::SeriesRef ref) {
  auto [it, inserted] = series_.try_emplace(ref);
  Series& s = it->second;
  if (!inserted) return &s;
  model::Labels labels;
  if (!db_->SeriesLabels(ref, &labels)) {
    s.state = Series::State::kRemoved;
    return &s;
  }
  if (!external_labels_.empty()) {
    // External labels are added where the series lacks them (the series'
    // own value wins), before relabeling, as Prometheus does.
    std::vector<model::Label> all = labels.items();
    for (const auto& l : external_labels_) {
      if (!labels.Has(l.name)) all.push_back(l);
    }
    labels = model::Labels::FromVector(std::move(all));
  }
  if (!config_.write_relabel_configs.empty() &&
      !model::Process(labels, config_.write_relabel_configs, &labels)) {
    s.state = Series::State::kDroppedByRelabel;
    return &s;
  }
  s.labels_field = LabelsField(labels);
  return &s;
}

void QueueManager::Split(const std::vector<tsdb::LogRecord>& records, Segment* seg) {
  // No entry of an earlier segment is alive here. Removed series' entries
  // would pile up (refs are never reused): start over when the store
  // removed series, and past a hard bound.
  const uint64_t generation = db_->RemovalGeneration();
  if (generation != cache_generation_ || series_.size() > kMaxCachedSeries) {
    series_.clear();
    cache_generation_ = generation;
  }
  // The parts keep their buffers from segment to segment.
  seg->parts.resize(static_cast<size_t>(seg->shards));
  for (auto& part : seg->parts) part.clear();
  for (const auto& r : records) {
    for (size_t k = 0; k < r.refs.size(); ++k) {
      const Series* s = Lookup(r.refs[k]);
      auto& part = seg->parts[static_cast<size_t>(ShardOf(r.refs[k], seg->shards))];
      for (uint32_t i = r.offsets[k]; i < r.offsets[k + 1]; ++i) {
        part.push_back({s, r.ts[i], r.vs[i]});
      }
    }
  }
}

common::Status QueueManager::ResumeSegment(const tsdb::LogPosition& pos, Segment* seg) {
  std::vector<uint64_t> done;
  if (!DecodeState(pos.state, &seg->end, &done) || seg->end < pos.next_seq) {
    return common::Status::Corruption("remote_write position of " + reader_ + " is unreadable");
  }
  seg->begin = pos.next_seq;
  seg->shards = static_cast<int>(done.size());
  std::vector<tsdb::LogRecord> records;
  uint64_t next = 0;
  // The segment was read once already: it ends at or below LogEnd().
  auto s = db_->ReadLog(seg->begin, std::min(seg->end, db_->LogEnd()),
                        std::numeric_limits<size_t>::max(), &records, &next);
  if (!s.ok()) return s;
  Split(records, seg);
  for (size_t i = 0; i < done.size(); ++i) {
    done[i] = std::min<uint64_t>(done[i], seg->parts[i].size());
  }
  seg->done = std::move(done);
  return common::Status::OK();
}

size_t QueueManager::MaxSegmentSamples() const {
  return static_cast<size_t>(config_.queue.capacity) *
         static_cast<size_t>(config_.queue.max_shards);
}

void QueueManager::Prefetch(uint64_t from, std::vector<tsdb::LogRecord>* records, uint64_t* next) {
  records->clear();
  *next = from;
  const uint64_t end = db_->LogEnd();
  if (end <= from) return;
  if (auto s = db_->ReadLog(from, end, MaxSegmentSamples(), records, next); !s.ok()) {
    records->clear();  // NextSegment reads (and reports) again
    *next = from;
  }
}

bool QueueManager::NextSegment(Segment* seg, std::vector<tsdb::LogRecord> records, uint64_t next) {
  const QueueConfig& q = config_.queue;
  const size_t max_samples = MaxSegmentSamples();
  size_t samples = 0;
  for (const auto& r : records) samples += r.num_samples();
  Clock::time_point first_data{};
  for (;;) {
    if (stopping()) return false;
    const uint64_t end = db_->LogEnd();
    if (end > next && samples < max_samples) {
      const size_t before = records.size();
      auto s = db_->ReadLog(next, end, max_samples - samples, &records, &next);
      if (!s.ok()) {
        spdlog::error("remote_write {}: reading the log: {}", config_.RemoteName(), s.ToString());
        if (!Sleep(1000)) return false;
        continue;
      }
      for (size_t i = before; i < records.size(); ++i) samples += records[i].num_samples();
    }
    if (samples > 0 && first_data == Clock::time_point{}) first_data = Clock::now();
    // Send when a request's worth is there, or the oldest sample has waited
    // batch_send_deadline. Records without samples (none are written) and
    // an empty log just advance.
    const bool full = samples >= static_cast<size_t>(q.max_samples_per_send);
    const bool due = samples > 0 && Clock::now() - first_data >=
                                        std::chrono::milliseconds(q.batch_send_deadline_ms);
    if (full || due || samples >= max_samples) break;
    if (!Sleep(samples > 0 ? 20 : 50)) return false;
  }
  seg->end = next;
  const int64_t want = static_cast<int64_t>((samples + static_cast<size_t>(q.capacity) - 1) /
                                            static_cast<size_t>(q.capacity));
  seg->shards = static_cast<int>(std::clamp<int64_t>(want, q.min_shards, q.max_shards));
  Split(records, seg);
  seg->done.assign(static_cast<size_t>(seg->shards), 0);
  return true;
}

void QueueManager::Commit(Segment* seg, int shard, uint64_t done) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  seg->done[static_cast<size_t>(shard)] = done;
  tsdb::LogPosition pos;
  pos.next_seq = seg->begin;
  pos.state = EncodeState(seg->end, seg->done);
  if (auto s = db_->CommitLogReader(reader_, pos); !s.ok()) {
    spdlog::error("remote_write {}: saving the position: {}", config_.RemoteName(), s.ToString());
  }
}

void QueueManager::Commit(const Segment& seg, bool finished) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  tsdb::LogPosition pos;
  if (finished) {
    pos.next_seq = seg.end;
  } else {
    pos.next_seq = seg.begin;
    pos.state = EncodeState(seg.end, seg.done);
  }
  if (auto s = db_->CommitLogReader(reader_, pos); !s.ok()) {
    spdlog::error("remote_write {}: saving the position: {}", config_.RemoteName(), s.ToString());
  }
}

void QueueManager::SendPart(Segment* seg, int shard, std::mt19937_64* rng_ptr) {
  std::mt19937_64& rng = *rng_ptr;
  const QueueConfig& q = config_.queue;
  const auto& part = seg->parts[static_cast<size_t>(shard)];
  auto& client_slot = clients_[static_cast<size_t>(shard)];
  if (client_slot == nullptr) {
    client_slot = std::make_unique<common::HttpClient>();
    client_slot->SetConfig(config_.http);
  }
  common::HttpClient& client = *client_slot;
  const common::HttpClient::Headers headers = [&] {
    common::HttpClient::Headers h = {{"Content-Encoding", "snappy"},
                                     {"User-Agent", user_agent_},
                                     {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    for (const auto& kv : config_.headers) h.push_back(kv);
    return h;
  }();
  WriteRequestEncoder enc;
  std::vector<int64_t> ts;
  std::vector<double> vs;
  int64_t backoff = q.min_backoff_ms;
  Clock::time_point last_warning{};
  uint64_t done = seg->done[static_cast<size_t>(shard)];  // written under commit_mu_
  while (done < part.size()) {
    // Build the request from `done` on: up to max_samples_per_send samples,
    // skipping (and counting, once the request is finished) dropped ones.
    const int64_t cutoff = db_->OldestRetainedTime();
    uint64_t relabel = 0, removed = 0, too_old = 0;
    size_t j = done;
    size_t n = 0;
    int64_t max_t = 0;
    enc.Reset();
    while (j < part.size() && n < static_cast<size_t>(q.max_samples_per_send)) {
      const Entry& e = part[j];
      if (e.series->state == Series::State::kDroppedByRelabel) {
        ++relabel;
        ++j;
        continue;
      }
      if (e.series->state == Series::State::kRemoved) {
        ++removed;
        ++j;
        continue;
      }
      if (e.t < cutoff) {
        ++too_old;
        ++j;
        continue;
      }
      // A run of one series' samples becomes one TimeSeries.
      ts.clear();
      vs.clear();
      const Series* s = e.series;
      while (j < part.size() && part[j].series == s &&
             n + ts.size() < static_cast<size_t>(q.max_samples_per_send)) {
        if (part[j].t >= cutoff) {
          ts.push_back(part[j].t);
          vs.push_back(part[j].v);
          max_t = std::max(max_t, part[j].t);
        } else {
          ++too_old;
        }
        ++j;
      }
      enc.AddSeries(s->labels_field, ts.data(), vs.data(), ts.size());
      n += ts.size();
    }
    auto finish = [&](bool sent_ok, bool failed, size_t bytes, double seconds) {
      {
        std::lock_guard<std::mutex> lock(stats_mu_);
        stats_.dropped_relabel += relabel;
        stats_.dropped_series_removed += removed;
        stats_.dropped_too_old += too_old;
        if (sent_ok) {
          stats_.samples_sent += n;
          stats_.bytes_sent += bytes;
          stats_.highest_sent_ms = std::max(stats_.highest_sent_ms, max_t);
        }
        if (failed) stats_.samples_failed += n;
        if (n > 0) {
          ++stats_.requests_sent;
          stats_.duration_sum += seconds;
          ++stats_.duration_count;
          for (size_t b = 0; b < std::size(QueueStats::kBuckets); ++b) {
            if (seconds <= QueueStats::kBuckets[b]) ++stats_.duration_buckets[b];
          }
        }
        stats_.samples_pending -= std::min<uint64_t>(stats_.samples_pending, j - done);
      }
      done = j;
      Commit(seg, shard, done);
    };
    if (n == 0) {
      finish(false, false, 0, 0);
      continue;
    }
    const std::string& body = enc.Finish();
    const auto start = Clock::now();
    auto r = client.Post(config_.url, body, "application/x-protobuf",
                         static_cast<double>(config_.remote_timeout_ms) / 1000, headers);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::string problem;
    int64_t retry_after = -1;
    if (r.ok() && r->status / 100 == 2) {
      finish(true, false, body.size(), seconds);
      if (backoff != q.min_backoff_ms) NoteSuccess();
      backoff = q.min_backoff_ms;
      continue;
    }
    if (!r.ok()) {
      problem = r.status().ToString();
    } else {
      problem = "HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 256);
      const bool retry = r->status / 100 == 5 || (r->status == 429 && q.retry_on_http_429);
      if (!retry) {
        // Prometheus drops what the destination refuses outright.
        spdlog::error("remote_write {}: {} samples refused, dropped: {}", config_.RemoteName(), n,
                      problem);
        finish(false, true, 0, seconds);
        continue;
      }
      retry_after = RetryAfterMs(r->retry_after);
    }
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.samples_retried += n;
    }
    int64_t wait = backoff / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(backoff / 2 + 1));
    if (retry_after >= 0) wait = std::min<int64_t>(retry_after, 15 * 60 * 1000);
    if (Clock::now() - last_warning > std::chrono::seconds(10)) {
      last_warning = Clock::now();
      spdlog::warn("remote_write {}: sending {} samples failed, retrying in {} ms: {}",
                   config_.RemoteName(), n, wait, problem);
    }
    backoff = std::min(backoff * 2, q.max_backoff_ms);
    // Woken early when another shard gets through: the destination is
    // back, and a segment waits for its slowest shard.
    if (!Backoff(wait)) return;
  }
}

void QueueManager::Worker(int shard) {
  // Seeded once: backoff jitter per shard.
  std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(shard));
  uint64_t seen = 0;
  for (;;) {
    Segment* seg;
    {
      std::unique_lock<std::mutex> lock(work_mu_);
      work_cv_.wait(lock, [&] { return stopping() || work_generation_ != seen; });
      if (stopping()) return;
      seen = work_generation_;
      // Not part of this segment: Run may already be building the next one
      // in *work_, so do not look at it.
      if (shard >= work_shards_) continue;
      seg = work_;
    }
    if (seg->done[static_cast<size_t>(shard)] < seg->parts[static_cast<size_t>(shard)].size()) {
      SendPart(seg, shard, &rng);
    }
    std::lock_guard<std::mutex> lock(work_mu_);
    if (--work_pending_ == 0) work_done_cv_.notify_all();
  }
}

void QueueManager::Run() {
  auto pos = db_->OpenLogReader(reader_);
  if (!pos.ok()) {
    spdlog::error("remote_write {}: {}", config_.RemoteName(), pos.status().ToString());
    return;
  }
  Segment seg;
  seg.begin = pos->next_seq;
  if (!pos->state.empty()) {
    if (auto s = ResumeSegment(*pos, &seg); !s.ok()) {
      // Unreadable progress: resend the segment rather than skip it.
      spdlog::error("remote_write {}: {}; resending from the segment start", config_.RemoteName(),
                    s.ToString());
      seg = Segment();
      seg.begin = pos->next_seq;
      if (!NextSegment(&seg, {}, seg.begin)) return;
    }
  } else if (!NextSegment(&seg, {}, seg.begin)) {
    return;
  }
  std::vector<tsdb::LogRecord> prefetched;
  while (!stopping()) {
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.shards = seg.shards;
      stats_.desired_shards = seg.shards;
      uint64_t pending = 0;
      for (size_t i = 0; i < seg.parts.size(); ++i) pending += seg.parts[i].size() - seg.done[i];
      stats_.samples_pending = pending;
    }
    // Hand the segment to the shard threads (started on first need, kept).
    while (static_cast<int>(workers_.size()) < seg.shards) {
      const int shard = static_cast<int>(workers_.size());
      workers_.emplace_back([this, shard] { Worker(shard); });
    }
    {
      std::lock_guard<std::mutex> lock(work_mu_);
      work_ = &seg;
      work_shards_ = seg.shards;
      work_pending_ = seg.shards;
      ++work_generation_;
    }
    work_cv_.notify_all();
    // Meanwhile read what comes next, so the shards do not wait for the log
    // between segments.
    uint64_t prefetched_next = seg.end;
    Prefetch(seg.end, &prefetched, &prefetched_next);
    {
      std::unique_lock<std::mutex> lock(work_mu_);
      work_done_cv_.wait(lock, [&] { return work_pending_ == 0; });
    }
    if (stopping()) break;
    Commit(seg, /*finished=*/true);
    const uint64_t next_begin = seg.end;
    seg.begin = next_begin;
    if (!NextSegment(&seg, std::move(prefetched), prefetched_next)) break;
    prefetched = {};
  }
}

}  // namespace server::remote
