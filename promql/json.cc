#include "promql/json.h"

#include "promql/errors.h"
#include "promql/format.h"

namespace promql {
namespace {

nlohmann::json JsonMetric(const common::Labels& l) {
  nlohmann::json m = nlohmann::json::object();
  for (const common::Label& lb : l) m[lb.name] = lb.value;
  return m;
}

nlohmann::json JsonPoint(const Point& p) {
  return nlohmann::json::array({JsonTimestamp(p.t), FormatFloat(p.v)});
}

}  // namespace

nlohmann::json JsonTimestamp(int64_t t_ms) {
  if (t_ms % 1000 == 0) return nlohmann::json(t_ms / 1000);
  return nlohmann::json(static_cast<double>(t_ms) / 1000.0);
}

nlohmann::json RenderJsonData(const QueryResult& r) {
  nlohmann::json data;
  data["resultType"] = ValueTypeName(r.type);
  switch (r.type) {
    case ValueType::kScalar:
      data["result"] = JsonPoint(r.scalar);
      break;
    case ValueType::kString:
      data["result"] = nlohmann::json::array({JsonTimestamp(r.scalar.t), r.str});
      break;
    case ValueType::kVector: {
      nlohmann::json arr = nlohmann::json::array();
      for (const Sample& s : r.vector) {
        arr.push_back({{"metric", JsonMetric(s.metric)}, {"value", JsonPoint(s.point)}});
      }
      data["result"] = std::move(arr);
      break;
    }
    case ValueType::kMatrix: {
      nlohmann::json arr = nlohmann::json::array();
      for (const Series& s : r.matrix) {
        nlohmann::json vals = nlohmann::json::array();
        for (const Point& p : s.points) vals.push_back(JsonPoint(p));
        arr.push_back({{"metric", JsonMetric(s.metric)}, {"values", std::move(vals)}});
      }
      data["result"] = std::move(arr);
      break;
    }
    case ValueType::kNone:
      data["result"] = nlohmann::json::array();
      break;
  }
  return data;
}

std::string RenderJsonResponse(const common::Result<QueryResult>& r) {
  nlohmann::json body;
  if (r.ok()) {
    body["status"] = "success";
    body["data"] = RenderJsonData(*r);
  } else {
    body["status"] = "error";
    body["errorType"] = std::string(ErrorTypeString(ClassifyError(r.status())));
    body["error"] = r.status().message();
  }
  return body.dump();
}

}  // namespace promql
