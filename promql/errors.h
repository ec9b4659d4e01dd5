// Query error kinds and their mapping to the HTTP API's errorType.
//
// The engine reports failures as common::Status:
//   InvalidArgument   -> bad_data   (parse errors, invalid parameters)
//   ResourceExhausted -> execution  (too many samples)
//   Unavailable       -> timeout or canceled (see IsTimeout/IsCanceled)
//   anything else     -> execution  (evaluation errors, storage errors)
#pragma once

#include <string_view>

#include "common/status.h"

namespace promql {

enum class ErrorType { kNone, kBadData, kExecution, kTimeout, kCanceled };

inline constexpr std::string_view kTooManySamplesMsg =
    "query processing would load too many samples into memory in query execution";

common::Status TooManySamplesError();
common::Status TimeoutError(std::string_view where);   // "query timed out in <where>"
common::Status CanceledError(std::string_view where);  // "query was canceled in <where>"
common::Status ExecutionError(std::string_view msg);

ErrorType ClassifyError(const common::Status& s);
// "bad_data", "execution", "timeout", "canceled" ("" for kNone).
std::string_view ErrorTypeString(ErrorType t);

}  // namespace promql
