// tsdb selects series with common::Matcher (see common/matcher.h for the
// Prometheus semantics); the alias keeps tsdb's public names short.
#pragma once

#include "common/matcher.h"

namespace tsdb {

using Matcher = common::Matcher;

}  // namespace tsdb
