// Parser: PromQL text -> type-checked syntax tree, following Prometheus 2.42's
// grammar and precedence (or < and/unless < comparisons < +,- < *,/,%,atan2
// < ^ (right-assoc); unary minus binds like *).
#pragma once

#include <string_view>

#include "common/status.h"
#include "promql/ast.h"

namespace promql {

// Parses and type-checks a query. On failure the status is InvalidArgument
// with a Prometheus-style message, e.g. `1:5: parse error: unexpected end of
// input`, where 1:5 is line:column (1-based) of the offending token.
common::Result<ExprPtr> ParseExpr(std::string_view query);

}  // namespace promql
