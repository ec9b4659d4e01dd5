#include "rules/recording_rule.h"

#include <set>

namespace rules {

common::Result<std::vector<promql::Sample>> RecordingRule::Eval(const EvalContext& ctx,
                                                                int64_t ts_ms, int64_t limit) {
  auto v = QueryVector(ctx, expr(), ts_ms);
  if (!v.ok()) return v.status();
  std::set<model::Labels> seen;
  for (auto& s : *v) {
    model::Labels l = s.metric.With(model::kMetricNameLabel, name());
    for (const auto& [k, val] : labels()) l = l.With(k, val);
    s.metric = std::move(l);
    s.point.t = ts_ms;
    if (!seen.insert(s.metric).second) {
      return common::Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying rule labels");
    }
  }
  if (limit > 0 && static_cast<int64_t>(v->size()) > limit) {
    return common::Status::InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                                           std::to_string(v->size()) + " series");
  }
  return v;
}

}  // namespace rules
