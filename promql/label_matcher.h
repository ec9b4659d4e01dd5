// PromQL selectors parse into model::Matcher (see common/matcher.h for the
// Prometheus semantics, shared with tsdb).
#pragma once

#include "model/matcher.h"

namespace promql {

using LabelMatcher = model::Matcher;
using model::QuoteString;

}  // namespace promql
