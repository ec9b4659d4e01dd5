// Notifier: sends alerts to Alertmanagers as Prometheus 2.42 does
// (notifier/notifier.go).
//
// Send() adds the external labels an alert lacks and queues it; a queue over
// capacity drops its oldest alerts (counted). One thread takes up to 64
// alerts at a time and POSTs them as JSON to every configured Alertmanager
// (`/api/v2/alerts` under its path prefix) at once; a batch counts as sent
// when one Alertmanager accepted it. Failed batches are not retried here:
// the rules re-send firing alerts every resend delay and resolved ones for
// 15 minutes, and each alert's endsAt tells Alertmanager how long it stays
// valid without news.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"
#include "model/labels.h"

namespace notifier {

struct Alert {
  model::Labels labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  int64_t starts_at_ms = 0;  // 0: unset
  int64_t ends_at_ms = 0;
  std::string generator_url;
};

// One `alerting.alertmanagers` entry (static targets).
struct AlertmanagerSet {
  std::string scheme = "http";
  std::string path_prefix = "/";
  std::string api_version = "v2";  // only v2 (Alertmanager 0.16+; v1 is gone in 0.27)
  int64_t timeout_ms = 10'000;
  std::vector<std::string> targets;  // host:port
  common::HttpClientConfig http;
};

struct NotifierOptions {
  size_t queue_capacity = 10'000;  // --alertmanager.notification-queue-capacity
  model::Labels external_labels;
  std::vector<AlertmanagerSet> alertmanagers;
  std::string user_agent = "monitoring-server";
};

// The request body Prometheus sends: a JSON array of
// {labels, annotations, startsAt, endsAt, generatorURL}, times as RFC 3339
// with milliseconds in UTC.
std::string AlertsToJson(const std::vector<Alert>& alerts);
// The reverse, for an Alertmanager-compatible POST /api/v2/alerts: labels
// required (valid names, non-empty), times optional. InvalidArgument naming
// the alert and field otherwise.
common::Result<std::vector<Alert>> AlertsFromJson(std::string_view body);
// RFC 3339 with milliseconds, UTC ("2026-12-03T13:04:05.123Z").
std::string FormatRfc3339Millis(int64_t ms);

class Notifier {
 public:
  explicit Notifier(NotifierOptions opts);
  ~Notifier();

  // Replaces external labels and Alertmanagers (config reload).
  void ApplyConfig(const model::Labels& external_labels, std::vector<AlertmanagerSet> sets);
  // Queues alerts (external labels added).
  void Send(std::vector<Alert> alerts);
  // Sends what is queued, then stops.
  void Stop();

  struct Stats {
    uint64_t queued_total = 0;   // prometheus_notifications_total... (alerts handed in)
    uint64_t dropped_total = 0;  // dropped: queue overflow or every Alertmanager failed
    size_t queue_length = 0;
    size_t queue_capacity = 0;
    size_t alertmanagers = 0;
    // Per Alertmanager URL.
    std::map<std::string, uint64_t> sent;
    std::map<std::string, uint64_t> errors;
    std::map<std::string, double> latency_seconds_sum;
  };
  Stats stats() const;
  // The Alertmanager URLs alerts go to.
  std::vector<std::string> AlertmanagerUrls() const;

 private:
  void Run();
  // POSTs one batch to every Alertmanager; true if any accepted it.
  bool SendBatch(const std::vector<Alert>& batch);

  NotifierOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Alert> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace notifier
