// Engine: evaluates PromQL instant and range queries against a Queryable, with
// Prometheus 2.42 semantics (floats only).
//
//   promql::Engine engine(promql::EngineOptions{});
//   auto r = engine.RangeQuery(storage, "sum by (mode) (rate(x[5m]))",
//                              start_ms, end_ms, 60000);
//   if (r.ok()) std::string body = promql::RenderJsonData(*r).dump();
//
// Evaluation is step-vectorised: each selector is read once per query (one
// Select, each series decoded once), and every operator works on whole
// per-step columns instead of re-evaluating per step.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "promql/ast.h"
#include "promql/query_gate.h"
#include "promql/storage.h"
#include "promql/value.h"

namespace promql {

struct EngineOptions {
  // How far back an instant selector looks for the latest sample.
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Upper bound on samples held in memory by one query (--query.max-samples).
  int64_t max_samples = 50'000'000;
  // Wall-clock limit of one query (--query.timeout); <= 0 disables it.
  int64_t timeout_ms = 2 * 60 * 1000;
  // Subquery step when the query leaves it out (the global evaluation
  // interval in Prometheus).
  int64_t default_subquery_step_ms = 60 * 1000;
  // Threads that read and compute one selector's series in parallel (shards
  // in label order, so results do not depend on it); 0 = one per CPU.
  int parallelism = 0;
  // Queries evaluated at once (--query.max-concurrency); more wait in
  // arrival order, the wait counting against timeout_ms. <= 0: no limit.
  int max_concurrency = 0;
};

class Engine {
 public:
  explicit Engine(EngineOptions opts = {})
      : opts_(opts), gate_(std::make_shared<QueryGate>(opts.max_concurrency)) {}

  const EngineOptions& options() const { return opts_; }
  // Queries evaluating and waiting now (self-metrics).
  const QueryGate& gate() const { return *gate_; }

  // Evaluates the query at ts_ms. If `cancel` is non-null and becomes true,
  // evaluation stops with a "canceled" error. Errors: see errors.h.
  // REQUIRES: `cancel` (if any) outlives the call.
  common::Result<QueryResult> InstantQuery(Queryable& q, std::string_view query, int64_t ts_ms,
                                           const std::atomic<bool>* cancel = nullptr) const;

  // Evaluates at start, start+step, ... <= end. The result is a matrix sorted
  // by labels; scalar expressions yield one series without labels.
  // REQUIRES: step_ms > 0, end_ms >= start_ms.
  common::Result<QueryResult> RangeQuery(Queryable& q, std::string_view query, int64_t start_ms,
                                         int64_t end_ms, int64_t step_ms,
                                         const std::atomic<bool>* cancel = nullptr) const;

  // RangeQuery's result before conversion to points: what the query API
  // renders (json.h RenderJsonRange) without a Point per value.
  common::Result<StepMatrix> RangeQuerySteps(Queryable& q, std::string_view query, int64_t start_ms,
                                             int64_t end_ms, int64_t step_ms,
                                             const std::atomic<bool>* cancel = nullptr) const;

  // The same on an already parsed expression (borrowed for the call).
  common::Result<QueryResult> InstantQueryExpr(Queryable& q, const Expr& e, int64_t ts_ms,
                                               const std::atomic<bool>* cancel = nullptr) const;
  common::Result<QueryResult> RangeQueryExpr(Queryable& q, const Expr& e, int64_t start_ms,
                                             int64_t end_ms, int64_t step_ms,
                                             const std::atomic<bool>* cancel = nullptr) const;
  common::Result<StepMatrix> RangeQueryStepsExpr(Queryable& q, const Expr& e, int64_t start_ms,
                                                 int64_t end_ms, int64_t step_ms,
                                                 const std::atomic<bool>* cancel = nullptr) const;

 private:
  // Waits for a slot; `run_opts` gets the time left of the timeout.
  common::Result<QueryGate::Slot> Admit(const std::atomic<bool>* cancel,
                                        EngineOptions* run_opts) const;

  EngineOptions opts_;
  std::shared_ptr<QueryGate> gate_;
};

}  // namespace promql
