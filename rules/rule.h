// Rule: what a rule group evaluates, one recording or alerting rule (Prometheus
// 2.42's rules.Rule). Evaluation queries the PromQL engine at one timestamp
// and returns the samples to store; the group appends them and writes stale
// markers for series a rule stopped returning.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/storage.h"
#include "promql/value.h"
#include "rules/rule_file.h"
#include "rules/template.h"

namespace rules {

// What every rule evaluation reads from.
struct EvalContext {
  const promql::Engine* engine = nullptr;
  promql::Queryable* queryable = nullptr;
  model::Labels external_labels;  // for templates ($externalLabels)
  std::string external_url;       // for templates ($externalURL)
};

// An instant query as rules see it (Prometheus's EngineQueryFunc): a vector,
// or a scalar as one sample without labels; any other type is an error.
common::Result<std::vector<promql::Sample>> QueryVector(const EvalContext& ctx,
                                                        const promql::Expr& expr, int64_t ts_ms);
// The same from query text (the templates' `query` function).
common::Result<std::vector<promql::Sample>> QueryVector(const EvalContext& ctx,
                                                        const std::string& expr, int64_t ts_ms);

enum class RuleHealth { kUnknown, kGood, kBad };
const char* RuleHealthString(RuleHealth h);  // "unknown", "ok", "err"

// The last evaluation of a rule, for /api/v1/rules.
struct RuleStatus {
  RuleHealth health = RuleHealth::kUnknown;
  std::string last_error;
  int64_t last_evaluation_ms = 0;  // 0: never
  double evaluation_seconds = 0;
};

class Rule {
 public:
  virtual ~Rule() = default;

  // The record or alert name.
  const std::string& name() const { return name_; }
  const promql::Expr& expr() const { return *expr_; }
  // The expression as Prometheus prints it (the API's "query").
  const std::string& query() const { return query_; }
  const TemplatePairs& labels() const { return labels_; }
  virtual bool alerting() const = 0;

  // Evaluates at ts_ms; the samples to append (all at ts_ms). limit > 0
  // fails the evaluation when it would return more series (or alerts).
  virtual common::Result<std::vector<promql::Sample>> Eval(const EvalContext& ctx, int64_t ts_ms,
                                                           int64_t limit) = 0;

  // Rule identity across reloads (Prometheus: name plus labels).
  std::string NameAndLabels() const;
  // The rule as its file states it, for "has the group changed" on reload.
  virtual std::string Definition() const;

  RuleStatus status() const;
  void SetStatus(RuleStatus s);

 protected:
  Rule(std::string name, promql::ExprPtr expr, TemplatePairs labels);

 private:
  std::string name_;
  promql::ExprPtr expr_;
  std::string query_;
  TemplatePairs labels_;
  mutable std::mutex status_mu_;
  RuleStatus status_;
};

// Parses a validated rule node into a RecordingRule or AlertingRule.
common::Result<std::unique_ptr<Rule>> NewRule(const RuleNode& node, bool restored);

}  // namespace rules
