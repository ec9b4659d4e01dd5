// PromQL selectors parse into common::Matcher (see common/matcher.h for the
// Prometheus semantics, shared with tsdb).
#pragma once

#include "common/matcher.h"

namespace promql {

using LabelMatcher = common::Matcher;
using common::QuoteString;

}  // namespace promql
