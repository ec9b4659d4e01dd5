#include "server/remote/remote_storage.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "model/number.h"

namespace server::remote {

namespace {

constexpr char kReaderPrefix[] = "remote_write/";

std::string Escape(const std::string& v) { return model::EscapeLabelValue(v); }

}  // namespace

std::string RemoteWriteConfig::RemoteName() const {
  if (!name.empty()) return name;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(model::Labels{{"url", url}}.Hash()));
  return std::string(buf, 6);
}

std::string RemoteWriteConfig::Key() const {
  std::string k = url + '\0' + name + '\0' + std::to_string(remote_timeout_ms) + '\0' +
                  http.Key() + '\0' + relabel_text + '\0';
  for (const auto& [h, v] : headers) k += h + '=' + v + '\0';
  const QueueConfig& q = queue;
  for (int64_t v : {int64_t{q.capacity}, int64_t{q.min_shards}, int64_t{q.max_shards},
                    int64_t{q.max_samples_per_send}, q.batch_send_deadline_ms, q.min_backoff_ms,
                    q.max_backoff_ms, int64_t{q.retry_on_http_429}}) {
    k += std::to_string(v) + ',';
  }
  return k;
}

RemoteStorage::RemoteStorage(tsdb::DB* db, std::string user_agent)
    : db_(db), user_agent_(std::move(user_agent)) {}

RemoteStorage::~RemoteStorage() { Stop(); }

void RemoteStorage::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, q] : queues_) q->Stop();
  queues_.clear();
}

common::Status RemoteStorage::ApplyConfig(const std::vector<RemoteWriteConfig>& configs,
                                          const model::Labels& external_labels) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::unique_ptr<QueueManager>> next;
  common::Status first_error;
  for (const auto& c : configs) {
    const std::string reader = c.ReaderName();
    auto it = queues_.find(reader);
    if (it != queues_.end() && it->second->config().Key() == c.Key() &&
        it->second->external_labels() == external_labels) {
      next[reader] = std::move(it->second);
      queues_.erase(it);
      continue;
    }
    if (it != queues_.end()) {
      it->second->Stop();  // its position stays: the new one resumes there
      queues_.erase(it);
    }
    auto q = std::make_unique<QueueManager>(db_, c, external_labels, user_agent_);
    if (auto s = q->Start(); !s.ok()) {
      spdlog::error("remote_write {}: {}", c.RemoteName(), s.ToString());
      if (first_error.ok()) first_error = s;
      continue;
    }
    spdlog::info("remote_write {}: sending to {}", c.RemoteName(), c.url);
    next[reader] = std::move(q);
  }
  for (auto& [name, q] : queues_) q->Stop();
  queues_ = std::move(next);
  // Positions of destinations no longer configured would hold the log back.
  for (const std::string& reader : db_->LogReaders()) {
    if (reader.rfind(kReaderPrefix, 0) != 0 || queues_.count(reader)) continue;
    spdlog::info("remote_write: {} is no longer configured; forgetting its position",
                 reader.substr(sizeof kReaderPrefix - 1));
    if (auto s = db_->RemoveLogReader(reader); !s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

std::string RemoteStorage::RenderMetrics() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto num = [](double v) { return model::FormatGoFloat(v); };
  family("prometheus_remote_storage_highest_timestamp_in_seconds", "gauge",
         "Highest timestamp that has come into the remote storage via the Appender interface, in "
         "seconds since epoch.");
  out += "prometheus_remote_storage_highest_timestamp_in_seconds " +
         num(static_cast<double>(db_->MaxTime() / 1000)) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  if (queues_.empty()) return out;
  struct Row {
    std::string labels;
    QueueStats stats;
    const QueueConfig* queue;
  };
  std::vector<Row> rows;
  for (const auto& [name, q] : queues_) {
    rows.push_back({"remote_name=\"" + Escape(q->config().RemoteName()) + "\",url=\"" +
                        Escape(q->config().url) + "\"",
                    q->Stats(), &q->config().queue});
  }
  auto per_queue = [&](const char* name, const char* type, const char* help, auto value) {
    family(name, type, help);
    for (const Row& r : rows) out += std::string(name) + "{" + r.labels + "} " + num(value(r)) + "\n";
  };
  per_queue("prometheus_remote_storage_bytes_total", "counter",
            "The total number of bytes of data (not metadata) sent by the queue after compression.",
            [](const Row& r) { return static_cast<double>(r.stats.bytes_sent); });
  family("prometheus_remote_storage_samples_dropped_total", "counter",
         "Total number of samples which were dropped before being sent to remote storage, by "
         "reason.");
  for (const Row& r : rows) {
    for (auto [reason, v] : {std::pair{"relabel", r.stats.dropped_relabel},
                             std::pair{"series_removed", r.stats.dropped_series_removed},
                             std::pair{"too_old", r.stats.dropped_too_old}}) {
      out += "prometheus_remote_storage_samples_dropped_total{reason=\"" + std::string(reason) +
             "\"," + r.labels + "} " + num(static_cast<double>(v)) + "\n";
    }
  }
  per_queue("prometheus_remote_storage_samples_failed_total", "counter",
            "Total number of samples which failed on send to remote storage, non-recoverable "
            "errors.",
            [](const Row& r) { return static_cast<double>(r.stats.samples_failed); });
  per_queue("prometheus_remote_storage_samples_pending", "gauge",
            "The number of samples pending in the queues shards to be sent to the remote storage.",
            [](const Row& r) { return static_cast<double>(r.stats.samples_pending); });
  per_queue("prometheus_remote_storage_samples_retried_total", "counter",
            "Total number of samples which failed on send to remote storage but were retried "
            "because the send error was recoverable.",
            [](const Row& r) { return static_cast<double>(r.stats.samples_retried); });
  per_queue("prometheus_remote_storage_samples_total", "counter",
            "Total number of samples sent to remote storage.",
            [](const Row& r) { return static_cast<double>(r.stats.samples_sent); });
  per_queue("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "gauge",
            "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, "
            "in seconds since epoch.",
            [](const Row& r) { return static_cast<double>(r.stats.highest_sent_ms / 1000); });
  family("prometheus_remote_storage_sent_batch_duration_seconds", "histogram",
         "Duration of send calls to the remote storage.");
  for (const Row& r : rows) {
    const std::string name = "prometheus_remote_storage_sent_batch_duration_seconds";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < std::size(QueueStats::kBuckets); ++b) {
      cumulative = r.stats.duration_buckets[b];
      out += name + "_bucket{" + r.labels + ",le=\"" + num(QueueStats::kBuckets[b]) + "\"} " +
             num(static_cast<double>(cumulative)) + "\n";
    }
    out += name + "_bucket{" + r.labels + ",le=\"+Inf\"} " +
           num(static_cast<double>(r.stats.duration_count)) + "\n";
    out += name + "_sum{" + r.labels + "} " + num(r.stats.duration_sum) + "\n";
    out += name + "_count{" + r.labels + "} " + num(static_cast<double>(r.stats.duration_count)) +
           "\n";
  }
  per_queue("prometheus_remote_storage_shard_capacity", "gauge",
            "The capacity of each shard of the queue used for parallel sending to the remote "
            "storage.",
            [](const Row& r) { return static_cast<double>(r.queue->capacity); });
  per_queue("prometheus_remote_storage_shards", "gauge",
            "The number of shards used for parallel sending to the remote storage.",
            [](const Row& r) { return static_cast<double>(r.stats.shards); });
  per_queue("prometheus_remote_storage_shards_desired", "gauge",
            "The number of shards that the queues shard calculation wants to run based on the "
            "rate of samples in vs. samples out.",
            [](const Row& r) { return static_cast<double>(r.stats.desired_shards); });
  per_queue("prometheus_remote_storage_shards_max", "gauge",
            "The maximum number of shards that the queue is allowed to run.",
            [](const Row& r) { return static_cast<double>(r.queue->max_shards); });
  per_queue("prometheus_remote_storage_shards_min", "gauge",
            "The minimum number of shards that the queue is allowed to run.",
            [](const Row& r) { return static_cast<double>(r.queue->min_shards); });
  per_queue("prometheus_remote_storage_max_samples_per_send", "gauge",
            "The maximum number of samples to be sent, in a single request, to the remote storage.",
            [](const Row& r) { return static_cast<double>(r.queue->max_samples_per_send); });
  return out;
}

}  // namespace server::remote
