// PromQL functions that evaluate their call themselves (internal to
// promql/; FunctionKind::kCall in functions.cc's table): they read the
// evaluation time, relabel, reorder or group rather than map sample to
// sample. Defined in eval_functions.cc.
#pragma once

#include "common/status.h"
#include "promql/ast.h"
#include "promql/evaluator.h"

namespace promql::internal {

common::Result<Value> CallTime(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallPi(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallTimestamp(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallVector(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallScalar(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallAbsent(Evaluator& ev, const Call& call, const Grid& g);
// histogram_count/sum/fraction: defined on native histograms only, so float
// series yield nothing.
common::Result<Value> CallNativeHistogramOnly(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallHistogramQuantile(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallSort(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallSortDesc(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallLabelReplace(Evaluator& ev, const Call& call, const Grid& g);
common::Result<Value> CallLabelJoin(Evaluator& ev, const Call& call, const Grid& g);

}  // namespace promql::internal
