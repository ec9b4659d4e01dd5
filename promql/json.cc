#include "promql/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

#include "model/number.h"
#include "promql/errors.h"

namespace promql {
namespace {

nlohmann::json JsonMetric(const model::Labels& l) {
  nlohmann::json m = nlohmann::json::object();
  for (const model::Label& lb : l) m[lb.name] = lb.value;
  return m;
}

nlohmann::json JsonPoint(const Point& p) {
  return nlohmann::json::array({JsonTimestamp(p.t), model::FormatFloat(p.v)});
}

// True if s is valid UTF-8 (what nlohmann::json::dump accepts unchanged).
bool ValidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
      return false;
    }
    i += len;
  }
  return true;
}

// Appends s as a JSON string exactly as nlohmann::json::dump() does
// (ensure_ascii off): escapes ", \, and control characters.
// REQUIRES: ValidUtf8(s).
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        static const char kHex[] = "0123456789abcdef";
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(u, 6);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendMetric(const model::Labels& l, std::string* out) {
  // nlohmann objects are std::maps: keys in byte order, as Labels are kept.
  out->push_back('{');
  bool first = true;
  for (const model::Label& lb : l) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(lb.name, out);
    out->push_back(':');
    AppendJsonString(lb.value, out);
  }
  out->push_back('}');
}

// Writes [timestamp,"value"] as JsonPoint renders it at e; returns the end.
// REQUIRES: 420 bytes of room (fixed notation of a double is at most ~330
// characters, a timestamp 20).
char* WritePoint(int64_t t, double v, char* e) {
  char* const limit = e + 420;
  *e++ = '[';
  if (t % 1000 == 0) {
    e = std::to_chars(e, limit, t / 1000).ptr;
  } else {
    std::string ts = JsonTimestamp(t).dump();  // rare: keep nlohmann's double format
    e = std::copy(ts.begin(), ts.end(), e);
  }
  *e++ = ',';
  *e++ = '"';
  if (std::isnan(v)) {
    e = std::copy_n("NaN", 3, e);
  } else if (std::isinf(v)) {
    e = std::copy_n(v > 0 ? "+Inf" : "-Inf", 4, e);
  } else {
    // FormatFloat: shortest round-trip, fixed notation.
    e = std::to_chars(e, limit - 2, v, std::chars_format::fixed).ptr;
  }
  *e++ = '"';
  *e++ = ']';
  return e;
}

void AppendPoint(const Point& p, std::string* out) {
  char buf[420];
  out->append(buf, WritePoint(p.t, p.v, buf));
}

// True if the direct writer renders l exactly as the JSON tree would: valid
// UTF-8 and names strictly increasing (a std::map's key order).
bool DirectRenderable(const model::Labels& l) {
  const std::string* prev = nullptr;
  for (const model::Label& lb : l) {
    if (!ValidUtf8(lb.name) || !ValidUtf8(lb.value)) return false;
    if (prev != nullptr && !(*prev < lb.name)) return false;
    prev = &lb.name;
  }
  return true;
}

}  // namespace

std::string RenderJsonSuccessBody(const QueryResult& r) {
  auto slow = [&r] {
    nlohmann::json env = {{"status", "success"}, {"data", RenderJsonData(r)}};
    return env.dump();
  };
  std::string out;
  if (r.type == ValueType::kMatrix) {
    size_t points = 0;
    for (const Series& s : r.matrix) {
      if (!DirectRenderable(s.metric)) return slow();
      points += s.points.size();
    }
    // Generous: "[1700000040,\"0.0373703703703709\"]," is ~36 bytes; unused
    // capacity is never touched (no page faults), regrowing copies it all.
    size_t label_bytes = 0;
    for (const Series& s : r.matrix) {
      for (const model::Label& lb : s.metric) label_bytes += lb.name.size() + lb.value.size() + 6;
    }
    out.reserve(64 + r.matrix.size() * 32 + label_bytes + points * 48);
    out.append(R"({"data":{"result":[)");
    bool first = true;
    for (const Series& s : r.matrix) {
      if (!first) out.push_back(',');
      first = false;
      out.append(R"({"metric":)");
      AppendMetric(s.metric, &out);
      out.append(R"(,"values":[)");
      for (size_t i = 0; i < s.points.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendPoint(s.points[i], &out);
      }
      out.append("]}");
    }
    out.append(R"(],"resultType":"matrix"},"status":"success"})");
    return out;
  }
  if (r.type == ValueType::kVector) {
    for (const Sample& s : r.vector) {
      if (!DirectRenderable(s.metric)) return slow();
    }
    out.reserve(64 + r.vector.size() * 180);
    out.append(R"({"data":{"result":[)");
    bool first = true;
    for (const Sample& s : r.vector) {
      if (!first) out.push_back(',');
      first = false;
      out.append(R"({"metric":)");
      AppendMetric(s.metric, &out);
      out.append(R"(,"value":)");
      AppendPoint(s.point, &out);
      out.push_back('}');
    }
    out.append(R"(],"resultType":"vector"},"status":"success"})");
    return out;
  }
  return slow();  // scalar, string, none: small
}

bool RenderJsonRange(const StepMatrix& m, const common::BodyWriter& write, size_t piece_bytes) {
  for (const StepMatrix::Row& row : m.series) {
    if (!DirectRenderable(row.metric)) return write(RenderJsonSuccessBody(ToQueryResult(m)));
  }
  // Points are formatted in place into one reused buffer that is handed to
  // `write` whenever fewer than kPointRoom bytes are left.
  constexpr size_t kPointRoom = 424;
  const size_t cap = std::max<size_t>(piece_bytes, 1) + kPointRoom;
  std::unique_ptr<char[]> buf(new char[cap]);
  size_t used = 0;
  bool ok = true;
  auto flush = [&] {
    if (used > 0 && ok) ok = write(std::string_view(buf.get(), used));
    used = 0;
    return ok;
  };
  auto append = [&](std::string_view s) {
    if (used + s.size() > cap && !flush()) return false;
    if (s.size() > cap) return ok = write(s);
    std::memcpy(buf.get() + used, s.data(), s.size());
    used += s.size();
    return true;
  };
  std::string metric;
  if (!append(R"({"data":{"result":[)")) return false;
  bool first_series = true;
  for (const StepMatrix::Row& row : m.series) {
    metric.clear();
    if (!first_series) metric.push_back(',');
    first_series = false;
    metric.append(R"({"metric":)");
    AppendMetric(row.metric, &metric);
    metric.append(R"(,"values":[)");
    if (!append(metric)) return false;
    bool first_point = true;
    for (int64_t i = 0; i < m.n; ++i) {
      const double v = row.v[i];
      if (!StepMatrix::HasValue(v)) continue;
      if (used + kPointRoom > cap && !flush()) return false;
      char* e = buf.get() + used;
      if (!first_point) *e++ = ',';
      first_point = false;
      used = WritePoint(m.At(i), v, e) - buf.get();
    }
    if (!append("]}")) return false;
  }
  if (!append(R"(],"resultType":"matrix"},"status":"success"})")) return false;
  return flush();
}

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
