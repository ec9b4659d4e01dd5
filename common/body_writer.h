// BodyWriter: takes a response body piece by piece, so that a large body
// (a query result of 100+ MB) is never held whole. Returns false once the
// reader is gone (the producer should stop). The HTTP server hands one to a
// streaming response; the PromQL JSON renderer writes into one.
#pragma once

#include <functional>
#include <string_view>

namespace common {

using BodyWriter = std::function<bool(std::string_view piece)>;

}  // namespace common
