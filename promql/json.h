// Rendering query results as the Prometheus HTTP API does.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/body_writer.h"
#include "common/status.h"
#include "promql/value.h"

namespace promql {

// The `data` object of a successful /api/v1/query(_range) response:
// {"resultType": "...", "result": ...}. Values are strings formatted like
// Go's strconv.FormatFloat(v, 'f', -1, 64) ("+Inf", "-Inf", "NaN");
// timestamps are seconds with millisecond precision.
nlohmann::json RenderJsonData(const QueryResult& r);

// The whole success body, byte-for-byte equal to
//   json{{"status", "success"}, {"data", RenderJsonData(r)}}.dump()
// but written straight into one string (no JSON tree, a few allocations in
// total instead of several per point): the query API's fast path for large
// matrices. Falls back to the tree for label text that is not valid UTF-8 (so
// errors stay those of nlohmann::json::dump).
std::string RenderJsonSuccessBody(const QueryResult& r);

// Streams the success body of a range query through `write` in pieces of
// about `piece_bytes`, byte-for-byte equal to
// RenderJsonSuccessBody(ToQueryResult(m)), so a 100+ MB answer is never held
// whole and the client reads while the rest is formatted. Returns false if
// `write` did.
bool RenderJsonRange(const StepMatrix& m, const common::BodyWriter& write,
                     size_t piece_bytes = 256 * 1024);

// A whole response body: {"status":"success","data":...} for a result, or
// {"status":"error","errorType":"...","error":"..."} for a failure.
std::string RenderJsonResponse(const common::Result<QueryResult>& r);

// Timestamp in seconds as a JSON number (integer when whole).
nlohmann::json JsonTimestamp(int64_t t_ms);

}  // namespace promql
