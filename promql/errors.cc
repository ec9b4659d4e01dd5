#include "promql/errors.h"

#include <string>

namespace promql {

common::Status TooManySamplesError() {
  return common::Status::ResourceExhausted(kTooManySamplesMsg);
}

common::Status TimeoutError(std::string_view where) {
  return common::Status::Unavailable("query timed out in " + std::string(where));
}

common::Status CanceledError(std::string_view where) {
  return common::Status::Unavailable("query was canceled in " + std::string(where));
}

common::Status ExecutionError(std::string_view msg) { return common::Status::Internal(msg); }

ErrorType ClassifyError(const common::Status& s) {
  if (s.ok()) return ErrorType::kNone;
  if (s.IsInvalidArgument()) return ErrorType::kBadData;
  if (s.IsUnavailable()) {
    return s.message().starts_with("query timed out") ? ErrorType::kTimeout : ErrorType::kCanceled;
  }
  return ErrorType::kExecution;
}

std::string_view ErrorTypeString(ErrorType t) {
  switch (t) {
    case ErrorType::kNone:
      return "";
    case ErrorType::kBadData:
      return "bad_data";
    case ErrorType::kExecution:
      return "execution";
    case ErrorType::kTimeout:
      return "timeout";
    case ErrorType::kCanceled:
      return "canceled";
  }
  return "";
}

}  // namespace promql
