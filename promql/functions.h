// The signatures of PromQL's functions (Prometheus 2.42, floats). The parser
// type-checks calls against them; the evaluator implements them by name.
#pragma once

#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace promql {

struct FunctionInfo {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments; n > 0: the last n... see
  // Prometheus: between size-1 and size+variadic-1 arguments; -1: at least
  // size-1 arguments, extra ones of the last type.
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
};

// nullptr if there is no function with that name.
const FunctionInfo* LookupFunction(std::string_view name);

}  // namespace promql
