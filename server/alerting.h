// Alerting: the server's recording and alerting rules and the delivery of
// their alerts to Alertmanagers, over the same store and engine as queries.
//
//   rule_files (config) -> rules::LoadRuleFiles -> rules::Manager (a thread
//   per group) -> results through the Ingester into tsdb; alerts ->
//   notifier::Notifier -> POST /api/v2/alerts on each Alertmanager.
//
// Routes: GET /api/v1/rules (?type=alert|record), GET /api/v1/alerts, in
// Prometheus 2.42's JSON, so Grafana's alerting views read them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/http_server.h"
#include "notifier/notifier.h"
#include "promql/engine.h"
#include "rules/manager.h"
#include "server/config.h"
#include "server/ingest/ingester.h"

namespace server {

struct AlertingOptions {
  int64_t resend_delay_ms = 60 * 1000;           // --rules.alert.resend-delay
  int64_t outage_tolerance_ms = 60 * 60 * 1000;  // --rules.alert.for-outage-tolerance
  int64_t for_grace_period_ms = 10 * 60 * 1000;  // --rules.alert.for-grace-period
  size_t notification_queue_capacity = 10'000;   // --alertmanager.notification-queue-capacity
  std::string external_url;                      // --web.external-url (no trailing '/')
};

class Alerting {
 public:
  Alerting(Ingester* ingester, const promql::Engine* engine, AlertingOptions opts);
  ~Alerting();

  // Reads and validates the config's rule files (nothing changes).
  static common::Result<std::vector<rules::RuleFile>> LoadRules(const Config& config);
  // Installs rules loaded by LoadRules and the config's Alertmanagers.
  common::Status Apply(const Config& config, const std::vector<rules::RuleFile>& files);
  // Stops evaluation, then sends the alerts still queued.
  void Stop();

  void RegisterApi(common::HttpServer& http);
  // prometheus_rule_* and prometheus_notifications_* in text format.
  std::string RenderMetrics() const;

  const rules::Manager& manager() const { return *manager_; }

 private:
  class StoreAppendable;
  void Notify(const std::string& expr, const std::vector<rules::Alert>& alerts);

  Ingester* ingester_;
  const promql::Engine* engine_;
  AlertingOptions opts_;
  std::unique_ptr<promql::Queryable> queryable_;
  std::unique_ptr<StoreAppendable> appendable_;
  std::unique_ptr<notifier::Notifier> notifier_;
  std::unique_ptr<rules::Manager> manager_;
};

// Prometheus's generator URL of an alert: external URL + the expression as
// a /graph link.
std::string GeneratorUrl(const std::string& external_url, const std::string& expr);

}  // namespace server
