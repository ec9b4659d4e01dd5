// PromQL's functions (Prometheus 2.42, floats): one table, in functions.cc,
// from name to signature, kind and implementation, as Prometheus's
// promql/functions.go. The parser type-checks calls against the signature;
// the evaluator runs the implementation the entry names. A new function is
// added there and nowhere else (its kernel written beside its kind's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/sample.h"
#include "promql/ast.h"

namespace promql {

namespace internal {
class Evaluator;
struct Grid;
struct KernelCtx;
struct Value;

// One window of a range-vector argument to one value (range_kernels.h);
// false: no value for this window.
using RangeKernel = bool (*)(const model::Sample* b, const model::Sample* e, const KernelCtx& c,
                             double* out);
// One sample of an instant vector to one value, given the scalar arguments
// at that step (args[0] is the function's second argument); false: the
// sample is dropped.
using ElementKernel = bool (*)(double v, const double* args, size_t nargs, double* out);
// Everything else evaluates the call itself (eval_functions.cc).
using CallImpl = common::Result<Value> (*)(Evaluator& ev, const Call& call, const Grid& g);
}  // namespace internal

enum class FunctionKind {
  kRange,        // over a range vector, window by window
  kElementwise,  // sample by sample over one instant vector; drops __name__
  kCall,         // evaluates its call itself
};

// How a range function treats its series (FunctionInfo::range_flags).
enum RangeFlags : uint32_t {
  kRangeKeepName = 1,         // keeps __name__ (last_over_time)
  kRangeCounter = 2,          // counter resets are added back (rate, increase, resets)
  kRangeExtrapolated = 4,     // rate/increase/delta: all steps at once (ExtrapolatedSteps)
  kRangePerSecond = 8,        // rate: per second
  kRangeSlidingSum = 16,      // sum/avg_over_time: prefix sums (SlidingSum)
  kRangeMean = 32,            // avg_over_time
  kRangeAbsentOverTime = 64,  // 1 where no window has a sample, no series otherwise
};

struct FunctionInfo {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments; n > 0: the last n are optional
  // (between size - n and size arguments); -1: at least size - 1 arguments,
  // extra ones of the last type (label_join).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;

  FunctionKind kind = FunctionKind::kCall;
  // kRange: the window kernel (null for kRangeExtrapolated) and flags.
  internal::RangeKernel range = nullptr;
  uint32_t range_flags = 0;
  // kElementwise: exactly one of these. `math` takes only the sample;
  // called without arguments, a date function (defaults_to_time) reads the
  // evaluation time instead, as vector(time()).
  double (*math)(double) = nullptr;
  internal::ElementKernel element = nullptr;
  bool defaults_to_time = false;
  // kCall.
  internal::CallImpl call = nullptr;
};

// nullptr if there is no function with that name.
const FunctionInfo* LookupFunction(std::string_view name);

}  // namespace promql
