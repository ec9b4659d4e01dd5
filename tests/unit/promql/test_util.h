// Helpers for promql engine tests: build a MemoryStorage and render results
// as stable, sorted text.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "model/number.h"
#include "promql/engine.h"
#include "promql/memory_storage.h"

namespace promql::testing {

inline model::Labels L(std::initializer_list<model::Label> l) { return model::Labels(l); }

// "metric => v" lines (sorted) for vectors, "metric => v@t v@t" for matrices.
inline std::string Render(const QueryResult& r) {
  std::vector<std::string> lines;
  switch (r.type) {
    case ValueType::kScalar:
      return "scalar " + model::FormatFloat(r.scalar.v);
    case ValueType::kString:
      return "string " + r.str;
    case ValueType::kVector:
      for (const Sample& s : r.vector) {
        lines.push_back(s.metric.ToString() + " => " + model::FormatFloat(s.point.v));
      }
      break;
    case ValueType::kMatrix:
      for (const Series& s : r.matrix) {
        std::string line = s.metric.ToString() + " =>";
        for (const Point& p : s.points) {
          line += " " + model::FormatFloat(p.v) + "@" + std::to_string(p.t / 1000);
        }
        lines.push_back(line);
      }
      break;
    default:
      return "none";
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += "\n";
    out += l;
  }
  return out;
}

}  // namespace promql::testing
