#include "rules/alerting_rule.h"

#include <algorithm>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "model/duration.h"
#include "model/number.h"
#include "model/value.h"

namespace rules {

const char* AlertStateString(AlertState s) {
  switch (s) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    default:
      return "inactive";
  }
}

AlertingRule::AlertingRule(std::string alert, promql::ExprPtr expr, int64_t hold_ms,
                           int64_t keep_firing_for_ms, TemplatePairs labels,
                           TemplatePairs annotations, bool restored)
    : Rule(std::move(alert), std::move(expr), std::move(labels)),
      hold_ms_(hold_ms),
      keep_firing_for_ms_(keep_firing_for_ms),
      annotations_(std::move(annotations)),
      restored_(restored) {}

std::string AlertingRule::Definition() const {
  std::string s = Rule::Definition() + "for: " + std::to_string(hold_ms_) +
                  "\nkeep_firing_for: " + std::to_string(keep_firing_for_ms_) + "\n";
  for (const auto& [k, v] : annotations_) s += "annotation " + k + "=" + v + "\n";
  return s;
}

promql::Sample AlertingRule::AlertsSample(const Alert& a, int64_t ts_ms) {
  model::Labels l = a.labels.With(model::kMetricNameLabel, "ALERTS")
                        .With("alertstate", AlertStateString(a.state));
  return promql::Sample{std::move(l), promql::Point{ts_ms, 1}};
}

promql::Sample AlertingRule::ForStateSample(const Alert& a, int64_t ts_ms) {
  model::Labels l = a.labels.With(model::kMetricNameLabel, "ALERTS_FOR_STATE");
  // Go's ActiveAt.Unix(): whole seconds, rounded down.
  int64_t secs = a.active_at_ms >= 0 ? a.active_at_ms / 1000 : -((-a.active_at_ms + 999) / 1000);
  return promql::Sample{std::move(l), promql::Point{ts_ms, static_cast<double>(secs)}};
}

common::Result<std::vector<promql::Sample>> AlertingRule::Eval(const EvalContext& ctx,
                                                               int64_t ts_ms, int64_t limit) {
  auto res = QueryVector(ctx, expr(), ts_ms);
  if (!res.ok()) return res.status();

  TemplateQueryFunc query_fn =
      [&ctx, ts_ms](const std::string& q) -> common::Result<std::vector<QuerySample>> {
    auto v = QueryVector(ctx, q, ts_ms);
    if (!v.ok()) return v.status();
    std::vector<QuerySample> out;
    out.reserve(v->size());
    for (auto& s : *v) out.push_back(QuerySample{std::move(s.metric), s.point.v});
    return out;
  };
  const std::string tmpl_name = "__alert_" + name();

  // The alerts this evaluation's result describes, by their labels.
  std::map<model::Labels, Alert> alerts;
  for (const auto& smpl : *res) {
    TemplateData data;
    data.labels = smpl.metric;
    data.external_labels = ctx.external_labels;
    data.external_url = ctx.external_url;
    data.value = smpl.point.v;
    auto expand = [&](const std::string& text) {
      auto r = ExpandTemplate(tmpl_name, text, data, ts_ms, query_fn);
      if (r.ok()) return std::move(r).value();
      spdlog::warn("expanding alert template failed: rule {}: {}", name(), r.status().message());
      return "<error expanding template: " + r.status().message() + ">";
    };
    model::Labels l = smpl.metric.Without(model::kMetricNameLabel);
    for (const auto& [k, v] : labels()) l = l.With(k, expand(v));
    l = l.With("alertname", name());
    TemplatePairs annotations;
    annotations.reserve(annotations_.size());
    for (const auto& [k, v] : annotations_) annotations.emplace_back(k, expand(v));
    Alert a;
    a.labels = l;
    a.annotations = std::move(annotations);
    a.active_at_ms = ts_ms;
    a.state = AlertState::kPending;
    a.value = smpl.point.v;
    if (!alerts.emplace(std::move(l), std::move(a)).second) {
      return common::Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying alert labels");
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [l, a] : alerts) {
    auto it = active_.find(l);
    if (it != active_.end() && it->second.state != AlertState::kInactive) {
      it->second.value = a.value;
      it->second.annotations = a.annotations;
      continue;
    }
    active_[l] = a;
  }

  std::vector<promql::Sample> vec;
  int64_t num_active = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& a = it->second;
    bool erase = false;
    if (alerts.find(it->first) == alerts.end()) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && keep_firing_for_ms_ > 0) {
        if (a.keep_firing_since_ms == 0) a.keep_firing_since_ms = ts_ms;
        if (ts_ms - a.keep_firing_since_ms < keep_firing_for_ms_) keep_firing = true;
      }
      // A pending alert that went away is forgotten; a resolved one is kept
      // for kResolvedRetentionMs so that it is sent as resolved.
      if (a.state == AlertState::kPending ||
          (a.resolved_at_ms != 0 && ts_ms - a.resolved_at_ms > kResolvedRetentionMs)) {
        erase = true;
      }
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at_ms = ts_ms;
      }
      if (!keep_firing) {
        it = erase ? active_.erase(it) : std::next(it);
        continue;
      }
    } else {
      a.keep_firing_since_ms = 0;
    }
    ++num_active;
    if (a.state == AlertState::kPending && ts_ms - a.active_at_ms >= hold_ms_) {
      a.state = AlertState::kFiring;
      a.fired_at_ms = ts_ms;
    }
    if (restored_) {
      vec.push_back(AlertsSample(a, ts_ms));
      vec.push_back(ForStateSample(a, ts_ms));
    }
    it = erase ? active_.erase(it) : std::next(it);
  }
  if (limit > 0 && num_active > limit) {
    active_.clear();
    return common::Status::InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                                           std::to_string(num_active) + " alerts");
  }
  return vec;
}

std::vector<Alert> AlertingRule::AlertsToSend(int64_t ts_ms, int64_t resend_delay_ms,
                                              int64_t interval_ms) {
  std::vector<Alert> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [l, a] : active_) {
    if (a.state == AlertState::kPending) continue;
    // Inactive here means resolved and still retained.
    bool send = !a.sent || a.resolved_at_ms > a.last_sent_at_ms ||
                a.last_sent_at_ms + resend_delay_ms < ts_ms;
    if (!send) continue;
    a.last_sent_at_ms = ts_ms;
    a.sent = true;
    // Valid for two failed evaluations or sends.
    a.valid_until_ms = ts_ms + 4 * std::max(resend_delay_ms, interval_ms);
    out.push_back(a);
  }
  return out;
}

std::vector<Alert> AlertingRule::ActiveAlerts() const {
  std::vector<Alert> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [l, a] : active_) {
    if (a.state != AlertState::kInactive) out.push_back(a);
  }
  return out;
}

AlertState AlertingRule::State() const {
  AlertState s = AlertState::kInactive;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [l, a] : active_) s = std::max(s, a.state);
  return s;
}

bool AlertingRule::restored() const {
  std::lock_guard<std::mutex> lock(mu_);
  return restored_;
}

void AlertingRule::SetRestored(bool r) {
  std::lock_guard<std::mutex> lock(mu_);
  restored_ = r;
}

void AlertingRule::ForEachActiveAlert(const std::function<void(Alert&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [l, a] : active_) {
    if (a.state != AlertState::kInactive) fn(a);
  }
}

void AlertingRule::CopyAlertsFrom(AlertingRule& other) {
  if (&other == this) return;
  std::scoped_lock lock(mu_, other.mu_);
  for (const auto& [l, a] : other.active_) active_[l] = a;
}

}  // namespace rules
