// tsdb selects series with model::Matcher (see common/matcher.h for the
// Prometheus semantics); the alias keeps tsdb's public names short.
#pragma once

#include "model/matcher.h"

namespace tsdb {

using Matcher = model::Matcher;

}  // namespace tsdb
