// AlertingRule: Prometheus 2.42's alert state machine (rules/alerting.go).
//
// Each evaluation turns every series of the expression's result into an
// alert identified by its labels (the series' labels without __name__, the
// rule's templated labels, alertname). A new alert is pending; once it has
// been active for `for` it fires. An alert missing from the result is
// resolved (kept `keep_firing_for` first if it was firing); pending alerts
// are dropped at once, resolved ones after 15 minutes, so notifiers see the
// resolution. Each evaluation writes ALERTS{alertstate=...} = 1 and
// ALERTS_FOR_STATE = the alert's activation time (Unix seconds) for every
// pending or firing alert, but only once the rule is "restored": at server
// start the `for` state is first recovered from ALERTS_FOR_STATE
// (Group::RestoreForState) so that a restart does not reset it.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "rules/rule.h"

namespace rules {

enum class AlertState { kInactive, kPending, kFiring };
const char* AlertStateString(AlertState s);  // "inactive", "pending", "firing"

// Times in milliseconds since the epoch; 0 means "not set" (Go's zero time).
struct Alert {
  AlertState state = AlertState::kInactive;
  model::Labels labels;
  TemplatePairs annotations;  // in the rule's order, values may be empty
  double value = 0;
  int64_t active_at_ms = 0;
  int64_t fired_at_ms = 0;
  int64_t resolved_at_ms = 0;
  int64_t last_sent_at_ms = 0;
  bool sent = false;  // last_sent_at_ms is set
  int64_t valid_until_ms = 0;
  int64_t keep_firing_since_ms = 0;
};

// How long a resolved alert is kept (and re-sent) after resolution.
inline constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

class AlertingRule : public Rule {
 public:
  AlertingRule(std::string alert, promql::ExprPtr expr, int64_t hold_ms, int64_t keep_firing_for_ms,
               TemplatePairs labels, TemplatePairs annotations, bool restored);

  bool alerting() const override { return true; }
  common::Result<std::vector<promql::Sample>> Eval(const EvalContext& ctx, int64_t ts_ms,
                                                   int64_t limit) override;
  std::string Definition() const override;

  int64_t hold_ms() const { return hold_ms_; }
  int64_t keep_firing_for_ms() const { return keep_firing_for_ms_; }
  const TemplatePairs& annotations() const { return annotations_; }

  // The alerts to send at ts_ms (Prometheus's needsSending): firing alerts
  // not sent within resend_delay_ms, and alerts resolved since their last
  // send. Marks them sent and sets their validity (4 intervals or resend
  // delays, whichever is longer), as Prometheus does.
  std::vector<Alert> AlertsToSend(int64_t ts_ms, int64_t resend_delay_ms, int64_t interval_ms);

  // Pending and firing alerts (resolved ones excluded), sorted by labels.
  std::vector<Alert> ActiveAlerts() const;
  // The highest state of any alert.
  AlertState State() const;

  // Restart recovery (Group::RestoreForState calls these).
  bool restored() const;
  void SetRestored(bool r);
  // Applies fn to every alert that is not inactive, allowing changes.
  void ForEachActiveAlert(const std::function<void(Alert&)>& fn);
  // Takes over another rule's alerts (reload keeping state).
  void CopyAlertsFrom(AlertingRule& other);

 private:
  // ALERTS / ALERTS_FOR_STATE samples of one alert.
  static promql::Sample AlertsSample(const Alert& a, int64_t ts_ms);
  static promql::Sample ForStateSample(const Alert& a, int64_t ts_ms);

  const int64_t hold_ms_;
  const int64_t keep_firing_for_ms_;
  const TemplatePairs annotations_;

  mutable std::mutex mu_;
  std::map<model::Labels, Alert> active_;  // by alert labels
  bool restored_;
};

}  // namespace rules
