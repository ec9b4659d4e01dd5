#include "promql/engine.h"

#include <algorithm>
#include <chrono>

#include "promql/errors.h"
#include "promql/evaluator.h"
#include "promql/parser.h"

namespace promql {

using common::Result;
using common::Status;
using internal::Evaluator;
using internal::Grid;
using internal::IsAbsent;

Result<QueryResult> Engine::InstantQuery(Queryable& q, std::string_view query, int64_t ts_ms,
                                         const std::atomic<bool>* cancel) const {
  auto e = ParseExpr(query);
  if (!e.ok()) return e.status();
  return InstantQueryExpr(q, **e, ts_ms, cancel);
}

Result<QueryResult> Engine::RangeQuery(Queryable& q, std::string_view query, int64_t start_ms,
                                       int64_t end_ms, int64_t step_ms,
                                       const std::atomic<bool>* cancel) const {
  auto e = ParseExpr(query);
  if (!e.ok()) return e.status();
  return RangeQueryExpr(q, **e, start_ms, end_ms, step_ms, cancel);
}

Result<QueryGate::Slot> Engine::Admit(const std::atomic<bool>* cancel,
                                      EngineOptions* run_opts) const {
  using Clock = std::chrono::steady_clock;
  const auto arrived = Clock::now();
  auto slot = gate_->Acquire(arrived + std::chrono::milliseconds(opts_.timeout_ms),
                             opts_.timeout_ms > 0, cancel);
  if (!slot.ok()) return slot.status();
  *run_opts = opts_;
  if (opts_.timeout_ms > 0) {
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - arrived).count();
    run_opts->timeout_ms = std::max<int64_t>(1, opts_.timeout_ms - waited);
  }
  return slot;
}

Result<QueryResult> Engine::InstantQueryExpr(Queryable& q, const Expr& e, int64_t ts_ms,
                                             const std::atomic<bool>* cancel) const {
  EngineOptions run_opts;
  auto slot = Admit(cancel, &run_opts);
  if (!slot.ok()) return slot.status();
  Evaluator ev(q, run_opts, ts_ms, ts_ms, cancel);
  QueryResult res;
  res.type = e.type();
  if (res.type == ValueType::kMatrix) {
    auto m = ev.EvalRangeAt(e, ts_ms);
    if (!m.ok()) return m.status();
    res.matrix = std::move(m).value();
    return res;
  }
  auto v = ev.Eval(e, Grid{ts_ms, 1, 1});
  if (!v.ok()) return v.status();
  switch (res.type) {
    case ValueType::kScalar:
      res.scalar = {ts_ms, v->scalar[0]};
      break;
    case ValueType::kString:
      res.str = v->str;
      res.scalar = {ts_ms, 0};
      break;
    default:
      res.type = ValueType::kVector;
      res.vector.reserve(v->series.size());
      for (auto& s : v->series) {
        if (IsAbsent(s.v[0])) continue;
        res.vector.push_back({std::move(s.metric), {ts_ms, s.v[0]}});
      }
  }
  return res;
}

Result<StepMatrix> Engine::RangeQuerySteps(Queryable& q, std::string_view query, int64_t start_ms,
                                           int64_t end_ms, int64_t step_ms,
                                           const std::atomic<bool>* cancel) const {
  auto e = ParseExpr(query);
  if (!e.ok()) return e.status();
  return RangeQueryStepsExpr(q, **e, start_ms, end_ms, step_ms, cancel);
}

Result<QueryResult> Engine::RangeQueryExpr(Queryable& q, const Expr& e, int64_t start_ms,
                                           int64_t end_ms, int64_t step_ms,
                                           const std::atomic<bool>* cancel) const {
  auto m = RangeQueryStepsExpr(q, e, start_ms, end_ms, step_ms, cancel);
  if (!m.ok()) return m.status();
  return ToQueryResult(std::move(m).value());
}

Result<StepMatrix> Engine::RangeQueryStepsExpr(Queryable& q, const Expr& e, int64_t start_ms,
                                               int64_t end_ms, int64_t step_ms,
                                               const std::atomic<bool>* cancel) const {
  if (step_ms <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if (end_ms < start_ms)
    return Status::InvalidArgument("end timestamp must not be before start time");
  ValueType t = e.type();
  if (t != ValueType::kScalar && t != ValueType::kVector) {
    return Status::InvalidArgument(std::string("invalid expression type \"") + DocumentedType(t) +
                                   "\" for range query, must be Scalar or instant Vector");
  }
  Grid g{start_ms, step_ms, (end_ms - start_ms) / step_ms + 1};
  // A grid longer than the sample budget cannot succeed: refused before a
  // single column of it is allocated.
  if (g.n > opts_.max_samples) return TooManySamplesError();
  EngineOptions run_opts;
  auto slot = Admit(cancel, &run_opts);
  if (!slot.ok()) return slot.status();
  Evaluator ev(q, run_opts, start_ms, end_ms, cancel);
  auto v = ev.Eval(e, g);
  if (!v.ok()) return v.status();
  StepMatrix m;
  m.start_ms = g.start;
  m.step_ms = g.step;
  m.n = g.n;
  if (t == ValueType::kScalar) {
    m.series.push_back({model::Labels(), std::move(v->scalar)});
  } else {
    m.series.reserve(v->series.size());
    for (auto& s : v->series) m.series.push_back({std::move(s.metric), std::move(s.v)});
  }
  std::erase_if(m.series, [](const StepMatrix::Row& r) {
    return std::none_of(r.v.begin(), r.v.end(), StepMatrix::HasValue);
  });
  std::sort(m.series.begin(), m.series.end(),
            [](const StepMatrix::Row& a, const StepMatrix::Row& b) { return a.metric < b.metric; });
  return m;
}

QueryResult ToQueryResult(StepMatrix m) {
  QueryResult res;
  res.type = ValueType::kMatrix;
  res.matrix.reserve(m.series.size());
  for (StepMatrix::Row& row : m.series) {
    Series s;
    s.metric = std::move(row.metric);
    size_t present = 0;
    for (double v : row.v) present += StepMatrix::HasValue(v) ? 1 : 0;
    s.points.reserve(present);
    for (int64_t i = 0; i < m.n; ++i) {
      if (StepMatrix::HasValue(row.v[i])) s.points.push_back({m.At(i), row.v[i]});
    }
    if (!s.points.empty()) res.matrix.push_back(std::move(s));
  }
  return res;
}

}  // namespace promql
