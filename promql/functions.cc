// The function table: every PromQL function, its signature and how it is
// computed. Kernels live beside their kind: range_kernels.h (windows of a
// range vector), elementwise.h (one sample), call_functions.h (the rest).
#include "promql/functions.h"

#include <unordered_map>

#include "promql/call_functions.h"
#include "promql/elementwise.h"
#include "promql/range_kernels.h"

namespace promql {
namespace {

using namespace internal;  // the kernels
using VT = ValueType;
constexpr VT S = VT::kScalar;
constexpr VT V = VT::kVector;
constexpr VT M = VT::kMatrix;
constexpr VT Str = VT::kString;

FunctionInfo Range(std::string_view name, std::vector<VT> args, RangeKernel kernel,
                   uint32_t flags = 0) {
  FunctionInfo f{name, std::move(args)};
  f.kind = FunctionKind::kRange;
  f.range = kernel;
  f.range_flags = flags;
  return f;
}

// f(v) over one vector.
FunctionInfo Math(std::string_view name, double (*fn)(double)) {
  FunctionInfo f{name, {V}};
  f.kind = FunctionKind::kElementwise;
  f.math = fn;
  return f;
}

// f(v) of the time a sample's value holds (seconds); the argument defaults
// to vector(time()).
FunctionInfo Date(std::string_view name, double (*fn)(double)) {
  FunctionInfo f = Math(name, fn);
  f.variadic = 1;
  f.defaults_to_time = true;
  return f;
}

// f(v, scalar arguments at the step) over one vector.
FunctionInfo Element(std::string_view name, std::vector<VT> args, int variadic,
                     ElementKernel kernel) {
  FunctionInfo f{name, std::move(args), variadic};
  f.kind = FunctionKind::kElementwise;
  f.element = kernel;
  return f;
}

FunctionInfo Call(std::string_view name, std::vector<VT> args, int variadic, VT ret,
                  CallImpl impl) {
  FunctionInfo f{name, std::move(args), variadic, ret};
  f.kind = FunctionKind::kCall;
  f.call = impl;
  return f;
}

const std::vector<FunctionInfo>& AllFunctions() {
  static const std::vector<FunctionInfo> kFuncs = {
      Math("abs", Abs),
      Call("absent", {V}, 0, V, CallAbsent),
      Range("absent_over_time", {M}, KPresent, kRangeAbsentOverTime),
      Math("acos", Acos),
      Math("acosh", Acosh),
      Math("asin", Asin),
      Math("asinh", Asinh),
      Math("atan", Atan),
      Math("atanh", Atanh),
      Range("avg_over_time", {M}, KAvg, kRangeSlidingSum | kRangeMean),
      Math("ceil", Ceil),
      Range("changes", {M}, KChanges),
      Element("clamp", {V, S, S}, 0, Clamp),
      Element("clamp_max", {V, S}, 0, ClampMax),
      Element("clamp_min", {V, S}, 0, ClampMin),
      Math("cos", Cos),
      Math("cosh", Cosh),
      Range("count_over_time", {M}, KCount),
      Date("days_in_month", DaysInMonth),
      Date("day_of_month", DayOfMonth),
      Date("day_of_week", DayOfWeek),
      Date("day_of_year", DayOfYear),
      Math("deg", Deg),
      Range("delta", {M}, nullptr, kRangeExtrapolated),
      Range("deriv", {M}, KDeriv),
      Math("exp", Exp),
      Math("floor", Floor),
      Call("histogram_count", {V}, 0, V, CallNativeHistogramOnly),
      Call("histogram_sum", {V}, 0, V, CallNativeHistogramOnly),
      Call("histogram_fraction", {S, S, V}, 0, V, CallNativeHistogramOnly),
      Call("histogram_quantile", {S, V}, 0, V, CallHistogramQuantile),
      Range("holt_winters", {M, S, S}, KHoltWinters),
      Date("hour", Hour),
      Range("idelta", {M}, KIdelta),
      Range("increase", {M}, nullptr, kRangeExtrapolated | kRangeCounter),
      Range("irate", {M}, KIrate),
      Call("label_replace", {V, Str, Str, Str, Str}, 0, V, CallLabelReplace),
      Call("label_join", {V, Str, Str, Str}, -1, V, CallLabelJoin),
      Range("last_over_time", {M}, KLast, kRangeKeepName),
      Math("ln", Ln),
      Math("log10", Log10),
      Math("log2", Log2),
      Range("max_over_time", {M}, KMax),
      Range("min_over_time", {M}, KMin),
      Date("minute", Minute),
      Date("month", Month),
      Call("pi", {}, 0, S, CallPi),
      Range("predict_linear", {M, S}, KPredictLinear),
      Range("present_over_time", {M}, KPresent),
      Range("quantile_over_time", {S, M}, KQuantile),
      Math("rad", Rad),
      Range("rate", {M}, nullptr, kRangeExtrapolated | kRangeCounter | kRangePerSecond),
      Range("resets", {M}, KResets, kRangeCounter),
      Element("round", {V, S}, 1, Round),
      Call("scalar", {V}, 0, S, CallScalar),
      Math("sgn", Sgn),
      Math("sin", Sin),
      Math("sinh", Sinh),
      Call("sort", {V}, 0, V, CallSort),
      Call("sort_desc", {V}, 0, V, CallSortDesc),
      Math("sqrt", Sqrt),
      Range("stddev_over_time", {M}, KStddev),
      Range("stdvar_over_time", {M}, KStdvar),
      Range("sum_over_time", {M}, KSum, kRangeSlidingSum),
      Math("tan", Tan),
      Math("tanh", Tanh),
      Call("time", {}, 0, S, CallTime),
      Call("timestamp", {V}, 0, V, CallTimestamp),
      Call("vector", {S}, 0, V, CallVector),
      Date("year", Year),
  };
  return kFuncs;
}

}  // namespace

const FunctionInfo* LookupFunction(std::string_view name) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const FunctionInfo*>();
    for (const FunctionInfo& f : AllFunctions()) (*m)[f.name] = &f;
    return m;
  }();
  auto it = index->find(name);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace promql
