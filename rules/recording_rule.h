// RecordingRule: stores the result of an expression under a new metric name
// (Prometheus 2.42 rules/recording.go): the name replaces __name__, the
// rule's labels are set (an empty value removes the label), and a result in
// which two series end up with the same labels fails the evaluation.
#pragma once

#include "rules/rule.h"

namespace rules {

class RecordingRule : public Rule {
 public:
  RecordingRule(std::string record, promql::ExprPtr expr, TemplatePairs labels)
      : Rule(std::move(record), std::move(expr), std::move(labels)) {}
  bool alerting() const override { return false; }
  common::Result<std::vector<promql::Sample>> Eval(const EvalContext& ctx, int64_t ts_ms,
                                                   int64_t limit) override;
};

}  // namespace rules
