// Query results: what InstantQuery/RangeQuery return and json.h renders.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/sample.h"
#include "promql/ast.h"

namespace promql {

// {t (milliseconds), v}; the type the storage's bulk reads produce, so range
// functions read decoded samples in place. No member initialisers (see
// common/sample.h): write Point{} for a zero point.
using Point = model::Sample;

struct Series {
  model::Labels metric;
  std::vector<Point> points;  // ascending t
};

struct Sample {
  model::Labels metric;
  Point point{};
};

struct QueryResult {
  // kVector (instant query of an instant vector), kMatrix (range queries and
  // instant queries of range vectors), kScalar or kString.
  ValueType type = ValueType::kNone;
  std::vector<Sample> vector;  // kVector, in Prometheus's output order
  std::vector<Series> matrix;  // kMatrix, sorted by labels for range queries
  Point scalar{};              // kScalar
  std::string str;             // kString (its timestamp is scalar.t)
};

// A range query's result as evaluated: one value per evaluation step
// (start_ms + i * step_ms, i < n) for each series. Steps without a sample hold
// a NaN with a payload no arithmetic produces (HasValue() is false); rendering
// straight from this layout skips building a Point per value.
struct StepMatrix {
  int64_t start_ms = 0;
  int64_t step_ms = 1;
  int64_t n = 0;
  struct Row {
    model::Labels metric;
    std::vector<double> v;  // size n
  };
  std::vector<Row> series;  // sorted by labels; every row has a value

  // "No sample at this step".
  static constexpr uint64_t kNoValueBits = 0x7ff00000000000a5ull;
  static double NoValue() { return std::bit_cast<double>(kNoValueBits); }
  static bool HasValue(double v) { return std::bit_cast<uint64_t>(v) != kNoValueBits; }
  int64_t At(int64_t i) const { return start_ms + i * step_ms; }
};

// The matrix form of a range result (one Point per present value).
QueryResult ToQueryResult(StepMatrix m);

}  // namespace promql
