// Internal to promql/: the step-vectorised evaluator behind Engine.
//
// Every instant-vector value is a set of StepSeries: a label set plus one
// double per evaluation step, with kAbsent marking steps without a sample.
// Range-vector arguments are streamed series by series (RangeSource) and
// windows slide over each series' samples once.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/shard_runner.h"
#include "promql/storage.h"
#include "promql/value.h"

namespace promql::internal {

// A signalling NaN no arithmetic produces: "no sample at this step".
inline constexpr uint64_t kAbsentBits = StepMatrix::kNoValueBits;
inline double Absent() { return std::bit_cast<double>(kAbsentBits); }
inline bool IsAbsent(double v) { return std::bit_cast<uint64_t>(v) == kAbsentBits; }

// Evaluation timestamps start, start+step, ..., n of them.
struct Grid {
  int64_t start = 0;
  int64_t step = 1;
  int64_t n = 1;
  int64_t At(int64_t i) const { return start + i * step; }
  int64_t end() const { return start + (n - 1) * step; }
};

struct StepSeries {
  model::Labels metric;
  std::vector<double> v;  // size == grid.n
};

struct Value {
  ValueType type = ValueType::kNone;
  std::vector<StepSeries> series;  // kVector
  std::vector<double> scalar;      // kScalar: one per step
  std::string str;                 // kString
  // Present values in `series`, when the producer counted them (-1: count).
  // Eval() consumes it, so a value handed to a parent node never carries a
  // count that the parent's changes could make stale.
  int64_t points = -1;
};

// One series of a range-vector argument: all non-stale samples any window of
// the query can see, ascending.
class RangeSource {
 public:
  virtual ~RangeSource() = default;
  virtual bool Next(model::Labels* labels, model::SampleVector* points) = 0;
  virtual common::Status status() const = 0;
  // True if the last series Next() returned is known to have no value below
  // its predecessor (no counter reset): counter functions then skip their
  // own scan. False means unknown.
  virtual bool KnownNonDecreasing() const { return false; }
};

struct RangeArg {
  // The argument's series, split into shards that may be read concurrently
  // (one thread each); concatenated in order they are sorted by labels.
  std::vector<std::unique_ptr<RangeSource>> shards;
  int64_t range_ms = 0;
  int64_t offset_ms = 0;
  bool has_at = false;
  int64_t at_ms = 0;
  // Window end for step time t.
  int64_t WindowEnd(int64_t t) const { return (has_at ? at_ms : t) - offset_ms; }
};

// Shards requested per thread: enough that uneven progress evens out, few
// enough that per-shard setup (a storage iterator each) stays negligible.
inline constexpr int kShardsPerThread = 4;

// Merge rules for series that end up with identical labels.
enum class MergeMode {
  kPerStep,  // error only if both have a value at the same step
  kWhole,    // error if both have any value (matrix-function and unary results)
};

class Evaluator {
 public:
  // REQUIRES: q and cancel (if non-null) outlive the evaluator.
  Evaluator(Queryable& q, const EngineOptions& opts, int64_t query_start, int64_t query_end,
            const std::atomic<bool>* cancel);

  common::Result<Value> Eval(const Expr& e, const Grid& g);
  // Raw windows of a range-vector expression at one time (instant queries).
  common::Result<std::vector<Series>> EvalRangeAt(const Expr& e, int64_t ts);

  // Used by the per-operator files.
  common::Status CheckInterrupt();
  int64_t ResolveAt(const AtModifier& at) const;
  // func: the function the range is an argument of ("" for none).
  common::Result<RangeArg> OpenRange(const Expr& e, const Grid& g, std::string_view func = {});
  common::Result<Value> EvalVectorSelector(const VectorSelector& vs, const Grid& g,
                                           bool timestamps);
  common::Result<Value> EvalBinary(const BinaryExpr& b, const Grid& g);
  common::Result<Value> EvalAggregate(const AggregateExpr& a, const Grid& g);
  common::Result<Value> EvalCall(const Call& c, const Grid& g);
  // With `sink`, the result series are handed to it in label order instead of
  // being returned (the result holds only the point count), always on the
  // calling thread: a shard it runs while every earlier shard has been handed
  // over goes straight to the sink, the others when it reaches them (between
  // its own shards and at the end).
  // REQUIRES with sink: the selector cannot yield two series that are equal
  // after dropping __name__ (see StreamableRangeCall).
  common::Result<Value> EvalRangeFunction(const Call& c, size_t matrix_arg, const Grid& g,
                                          const std::function<void(StepSeries&&)>* sink = nullptr);
  common::Status AccountSamples(int64_t n);

  const EngineOptions& opts() const { return opts_; }
  // Threads one selector's series are read and computed on.
  int parallelism() const { return parallelism_; }
  // Shards to ask the storage for: one per thread suffices without helper
  // threads; with them, kShardsPerThread each.
  int MaxShards() const { return parallelism_ > 1 ? parallelism_ * kShardsPerThread : 1; }

 private:
  common::Result<Value> EvalNode(const Expr& e, const Grid& g);
  common::Result<Value> EvalSubqueryInner(const SubqueryExpr& sq, const Grid& g, Grid* inner);

  Queryable& q_;
  EngineOptions opts_;
  int64_t query_start_;
  int64_t query_end_;
  const std::atomic<bool>* cancel_;
  std::chrono::steady_clock::time_point deadline_;
  bool has_deadline_;
  int parallelism_;
  int64_t current_samples_ = 0;
};

// If e is a call of a range function whose series can be streamed into a
// sink (a matrix selector with a __name__ equality matcher, so no two results
// collide once the name is dropped; not absent_over_time), returns the index
// of its range argument, else -1.
int StreamableRangeCall(const Expr& e);

// Helpers shared by the operator files.
model::Labels DropMetricName(const model::Labels& l);
common::Status MergeSameLabels(std::vector<StepSeries>* s, MergeMode mode);
int64_t CountPoints(const Value& v);
bool AnyPresent(const std::vector<double>& v);
common::Status SameLabelsetError();
// Labels for absent()/absent_over_time(): the argument selector's equality
// matchers, minus names matched more than once or otherwise.
model::Labels AbsentLabels(const Expr* arg);

}  // namespace promql::internal
