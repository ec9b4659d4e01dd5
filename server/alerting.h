// Alerting: the server's recording and alerting rules and the delivery of
// their alerts to Alertmanagers, over the same store and engine as queries.
//
//   rule_files (config) -> rules::LoadRuleFiles -> rules::Manager (a thread
//   per group) -> results through the Ingester into tsdb; alerts ->
//   notifier::Notifier -> POST /api/v2/alerts on each Alertmanager.
//
// With a `notifications` section, alerts also go to the built-in notifier
// (Alertmanager's routing, grouping, silences and receivers in-process):
//   notifier::Dispatcher (routes, groups, timers, silences)
//     -> notifier::Outbox (one file per notification under <data>/outbox,
//        retried with backoff, resumed after a restart)
//     -> notifier::Deliver (webhook, Slack, ntfy, email).
//
// Routes: GET /api/v1/rules (?type=alert|record), GET /api/v1/alerts, in
// Prometheus 2.42's JSON, so Grafana's alerting views read them; with the
// built-in notifier, Alertmanager's API v2 for silences (GET/POST
// /api/v2/silences, GET/DELETE /api/v2/silence/<id>) and GET /api/v2/alerts.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/http_server.h"
#include "notifier/dispatcher.h"
#include "notifier/notifier.h"
#include "notifier/outbox.h"
#include "notifier/silences.h"
#include "promql/engine.h"
#include "rules/manager.h"
#include "server/config.h"
#include "server/http_util.h"
#include "server/ingest/ingester.h"

namespace server {

struct AlertingOptions {
  int64_t resend_delay_ms = 60 * 1000;           // --rules.alert.resend-delay
  int64_t outage_tolerance_ms = 60 * 60 * 1000;  // --rules.alert.for-outage-tolerance
  int64_t for_grace_period_ms = 10 * 60 * 1000;  // --rules.alert.for-grace-period
  size_t notification_queue_capacity = 10'000;   // --alertmanager.notification-queue-capacity
  std::string external_url;                      // --web.external-url (no trailing '/')
  std::string data_dir;  // silences.json and outbox/ of the built-in notifier
};

class Alerting {
 public:
  Alerting(Ingester* ingester, const promql::Engine* engine, AlertingOptions opts);
  ~Alerting();

  // Reads and validates the config's rule files (nothing changes).
  static common::Result<std::vector<rules::RuleFile>> LoadRules(const Config& config);
  // Installs rules loaded by LoadRules, the config's Alertmanagers and its
  // built-in notifier (opening its silences and outbox the first time).
  common::Status Apply(const Config& config, const std::vector<rules::RuleFile>& files);
  // Stops evaluation, then sends the alerts still queued.
  void Stop();

  // Writes (silences, POST /api/v2/alerts) need `write` rights.
  void RegisterApi(common::HttpServer& http, const WriteAccess& write);
  // prometheus_rule_* and prometheus_notifications_* in text format.
  std::string RenderMetrics() const;

  const rules::Manager& manager() const { return *manager_; }

 private:
  class StoreAppendable;
  void Notify(const std::string& expr, const std::vector<rules::Alert>& alerts);
  common::Status ApplyBuiltin(const std::optional<notifier::NotifierConfig>& config);
  common::Status DeliverBuiltin(const notifier::Notification& n);
  void RegisterBuiltinApi(common::HttpServer& http, const WriteAccess& write);
  std::string RenderBuiltinMetrics() const;

  Ingester* ingester_;
  const promql::Engine* engine_;
  AlertingOptions opts_;
  std::unique_ptr<promql::Queryable> queryable_;
  std::unique_ptr<StoreAppendable> appendable_;
  std::unique_ptr<notifier::Notifier> notifier_;
  std::unique_ptr<rules::Manager> manager_;

  // The built-in notifier. builtin_mu_ guards the config and the
  // dispatcher pointer (replaced or removed by a reload); the silences and
  // outbox stay once opened.
  mutable std::mutex builtin_mu_;
  std::optional<notifier::NotifierConfig> builtin_config_;
  model::Labels external_labels_;
  std::shared_ptr<notifier::Dispatcher> dispatcher_;
  std::unique_ptr<notifier::Silences> silences_;
  std::unique_ptr<notifier::Outbox> outbox_;
  std::atomic<uint64_t> outbox_write_failures_{0};
  std::atomic<bool> stopping_{false};
  std::thread ticker_;  // drives the dispatcher's timers
};

// Prometheus's generator URL of an alert: external URL + the expression as
// a /graph link.
std::string GeneratorUrl(const std::string& external_url, const std::string& expr);

}  // namespace server
