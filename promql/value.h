// Query results: what InstantQuery/RangeQuery return and json.h renders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/labels.h"
#include "promql/ast.h"

namespace promql {

struct Point {
  int64_t t = 0;  // milliseconds
  double v = 0;
};

struct Series {
  common::Labels metric;
  std::vector<Point> points;  // ascending t
};

struct Sample {
  common::Labels metric;
  Point point;
};

struct QueryResult {
  // kVector (instant query of an instant vector), kMatrix (range queries and
  // instant queries of range vectors), kScalar or kString.
  ValueType type = ValueType::kNone;
  std::vector<Sample> vector;  // kVector, in Prometheus's output order
  std::vector<Series> matrix;  // kMatrix, sorted by labels for range queries
  Point scalar;                // kScalar
  std::string str;             // kString (its timestamp is scalar.t)
};

}  // namespace promql
