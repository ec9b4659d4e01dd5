#include "rules/rule.h"

#include "model/duration.h"
#include "promql/parser.h"
#include "rules/alerting_rule.h"
#include "rules/recording_rule.h"

namespace rules {

common::Result<std::vector<promql::Sample>> QueryVector(const EvalContext& ctx,
                                                        const promql::Expr& expr, int64_t ts_ms) {
  auto r = ctx.engine->InstantQueryExpr(*ctx.queryable, expr, ts_ms);
  if (!r.ok()) return r.status();
  switch (r->type) {
    case promql::ValueType::kVector:
      return std::move(r->vector);
    case promql::ValueType::kScalar:
      return std::vector<promql::Sample>{promql::Sample{model::Labels{}, r->scalar}};
    default:
      return common::Status::InvalidArgument("rule result is not a vector or scalar");
  }
}

common::Result<std::vector<promql::Sample>> QueryVector(const EvalContext& ctx,
                                                        const std::string& expr, int64_t ts_ms) {
  auto e = promql::ParseExpr(expr);
  if (!e.ok()) return e.status();
  return QueryVector(ctx, **e, ts_ms);
}

const char* RuleHealthString(RuleHealth h) {
  switch (h) {
    case RuleHealth::kGood:
      return "ok";
    case RuleHealth::kBad:
      return "err";
    default:
      return "unknown";
  }
}

Rule::Rule(std::string name, promql::ExprPtr expr, TemplatePairs labels)
    : name_(std::move(name)),
      expr_(std::move(expr)),
      query_(expr_->String()),
      labels_(std::move(labels)) {}

std::string Rule::NameAndLabels() const {
  std::string s = name_ + "{";
  for (const auto& [k, v] : labels_) {
    if (v.empty()) continue;  // as Prometheus's labels.Labels, which drops them
    if (s.back() != '{') s += ", ";
    s += k + "=\"" + model::EscapeLabelValue(v) + "\"";
  }
  return s + "}";
}

std::string Rule::Definition() const {
  std::string s = (alerting() ? "alert: " : "record: ") + name_ + "\nexpr: " + query_ + "\n";
  for (const auto& [k, v] : labels_) s += "label " + k + "=" + v + "\n";
  return s;
}

RuleStatus Rule::status() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

void Rule::SetStatus(RuleStatus s) {
  std::lock_guard<std::mutex> lock(status_mu_);
  status_ = std::move(s);
}

common::Result<std::unique_ptr<Rule>> NewRule(const RuleNode& node, bool restored) {
  auto e = promql::ParseExpr(node.expr);
  if (!e.ok()) return e.status();
  if (!node.record.empty()) {
    return std::unique_ptr<Rule>(
        std::make_unique<RecordingRule>(node.record, std::move(e).value(), node.labels));
  }
  return std::unique_ptr<Rule>(std::make_unique<AlertingRule>(
      node.alert, std::move(e).value(), node.for_ms, node.keep_firing_for_ms, node.labels,
      node.annotations, restored));
}

}  // namespace rules
