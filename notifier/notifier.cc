#include "notifier/notifier.h"

#include <chrono>
#include <ctime>
#include <future>

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include "notifier/silences.h"

namespace notifier {

namespace {

constexpr size_t kMaxBatchSize = 64;

std::string AlertmanagerUrl(const AlertmanagerSet& s, const std::string& target) {
  std::string prefix = s.path_prefix;
  if (prefix.empty() || prefix.front() != '/') prefix = "/" + prefix;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return s.scheme + "://" + target + prefix + "/api/" + s.api_version + "/alerts";
}

}  // namespace

std::string FormatRfc3339Millis(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int64_t frac = ms - secs * 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

std::string AlertsToJson(const std::vector<Alert>& alerts) {
  // Go's zero time.Time, which Prometheus sends for unset times.
  constexpr int64_t kGoZeroTimeMs = -62135596800000LL;
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& a : alerts) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& l : a.labels) labels[l.name] = l.value;
    nlohmann::json annotations = nlohmann::json::object();
    for (const auto& [k, v] : a.annotations) annotations[k] = v;
    arr.push_back({
        {"annotations", annotations},
        {"endsAt", FormatRfc3339Millis(a.ends_at_ms != 0 ? a.ends_at_ms : kGoZeroTimeMs)},
        {"startsAt", FormatRfc3339Millis(a.starts_at_ms != 0 ? a.starts_at_ms : kGoZeroTimeMs)},
        {"generatorURL", a.generator_url},
        {"labels", labels},
    });
  }
  return arr.dump();
}

common::Result<std::vector<Alert>> AlertsFromJson(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return common::Status::InvalidArgument("the body must be a JSON array of alerts");
  }
  std::vector<Alert> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& a = j[i];
    const std::string where = "alert " + std::to_string(i) + ": ";
    if (!a.is_object() || !a.contains("labels") || !a["labels"].is_object() ||
        a["labels"].empty()) {
      return common::Status::InvalidArgument(where + "labels are required");
    }
    Alert alert;
    std::vector<model::Label> labels;
    for (const auto& [k, v] : a["labels"].items()) {
      if (!model::IsValidLabelName(k) || !v.is_string() || v.get<std::string>().empty()) {
        return common::Status::InvalidArgument(where + "invalid label " + k);
      }
      labels.push_back({k, v.get<std::string>()});
    }
    alert.labels = model::Labels::FromVector(std::move(labels));
    if (a.contains("annotations") && a["annotations"].is_object()) {
      for (const auto& [k, v] : a["annotations"].items()) {
        if (!v.is_string()) return common::Status::InvalidArgument(where + "annotation " + k);
        alert.annotations.emplace_back(k, v.get<std::string>());
      }
    }
    for (const char* field : {"startsAt", "endsAt"}) {
      if (!a.contains(field) || a[field].is_null()) continue;
      if (!a[field].is_string()) return common::Status::InvalidArgument(where + field);
      auto t = ParseRfc3339Millis(a[field].get<std::string>());
      if (!t.ok())
        return common::Status::InvalidArgument(where + field + ": " + t.status().message());
      // Go's zero time means "unset".
      int64_t ms = *t <= -62135596800000LL ? 0 : *t;
      (std::string_view(field) == "startsAt" ? alert.starts_at_ms : alert.ends_at_ms) = ms;
    }
    if (a.contains("generatorURL") && a["generatorURL"].is_string()) {
      alert.generator_url = a["generatorURL"].get<std::string>();
    }
    out.push_back(std::move(alert));
  }
  return out;
}

Notifier::Notifier(NotifierOptions opts) : opts_(std::move(opts)) {
  stats_.queue_capacity = opts_.queue_capacity;
  stats_.alertmanagers = 0;
  for (const auto& s : opts_.alertmanagers) stats_.alertmanagers += s.targets.size();
  thread_ = std::thread([this] { Run(); });
}

Notifier::~Notifier() { Stop(); }

void Notifier::ApplyConfig(const model::Labels& external_labels,
                           std::vector<AlertmanagerSet> sets) {
  std::lock_guard<std::mutex> lock(mu_);
  opts_.external_labels = external_labels;
  opts_.alertmanagers = std::move(sets);
  stats_.alertmanagers = 0;
  for (const auto& s : opts_.alertmanagers) stats_.alertmanagers += s.targets.size();
}

void Notifier::Send(std::vector<Alert> alerts) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& a : alerts) {
      for (const auto& l : opts_.external_labels) {
        if (!a.labels.Has(l.name)) a.labels = a.labels.With(l.name, l.value);
      }
      if (a.labels.empty()) continue;  // as Prometheus: nothing identifies it
      ++stats_.queued_total;
      queue_.push_back(std::move(a));
    }
    // Over capacity: the oldest go first, the latest state is what matters.
    while (queue_.size() > opts_.queue_capacity) {
      queue_.pop_front();
      ++stats_.dropped_total;
    }
    stats_.queue_length = queue_.size();
  }
  cv_.notify_one();
}

bool Notifier::SendBatch(const std::vector<Alert>& batch) {
  std::vector<std::pair<std::string, AlertmanagerSet>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& s : opts_.alertmanagers) {
      for (const auto& t : s.targets) targets.emplace_back(AlertmanagerUrl(s, t), s);
    }
  }
  if (targets.empty()) return false;
  const std::string body = AlertsToJson(batch);
  std::vector<std::future<bool>> results;
  for (const auto& [url, set] : targets) {
    results.push_back(std::async(std::launch::async, [this, url = url, set = set, &body,
                                                      n = batch.size()] {
      common::HttpClient client;
      client.SetConfig(set.http);
      auto t0 = std::chrono::steady_clock::now();
      auto r = client.Post(url, body, "application/json", set.timeout_ms / 1000.0,
                           {{"User-Agent", opts_.user_agent}});
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      bool ok = r.ok() && r->status / 100 == 2;
      std::lock_guard<std::mutex> lock(mu_);
      stats_.latency_seconds_sum[url] += secs;
      if (ok) {
        stats_.sent[url] += n;
      } else {
        stats_.errors[url] += n;
        spdlog::error("sending {} alerts to Alertmanager {}: {}", n, url,
                      r.ok() ? "HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 200)
                             : r.status().message());
      }
      return ok;
    }));
  }
  bool any = false;
  for (auto& f : results) any = f.get() || any;
  return any;
}

void Notifier::Run() {
  for (;;) {
    std::vector<Alert> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < kMaxBatchSize) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.queue_length = queue_.size();
    }
    if (!SendBatch(batch)) {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.dropped_total += batch.size();
    }
  }
}

void Notifier::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Notifier::Stats Notifier::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::vector<std::string> Notifier::AlertmanagerUrls() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& s : opts_.alertmanagers) {
    for (const auto& t : s.targets) out.push_back(AlertmanagerUrl(s, t));
  }
  return out;
}

}  // namespace notifier
