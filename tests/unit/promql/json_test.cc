#include "promql/json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "promql/errors.h"

namespace promql {
namespace {

TEST(PromqlJsonTest, RendersApiData) {
  QueryResult v;
  v.type = ValueType::kVector;
  v.vector.push_back({model::Labels({{"__name__", "up"}, {"job", "x"}}), {1700000000500, 1}});
  EXPECT_EQ(RenderJsonData(v).dump(),
            R"({"result":[{"metric":{"__name__":"up","job":"x"},"value":[1700000000.5,"1"]}],)"
            R"("resultType":"vector"})");
  QueryResult m;
  m.type = ValueType::kMatrix;
  m.matrix.push_back({model::Labels(), {{0, NAN}, {60000, INFINITY}}});
  EXPECT_EQ(RenderJsonData(m).dump(),
            R"({"result":[{"metric":{},"values":[[0,"NaN"],[60,"+Inf"]]}],"resultType":"matrix"})");
  QueryResult s;
  s.type = ValueType::kScalar;
  s.scalar = {1000, 0.25};
  EXPECT_EQ(RenderJsonData(s).dump(), R"({"result":[1,"0.25"],"resultType":"scalar"})");
  common::Result<QueryResult> err(common::Status::InvalidArgument("1:1: parse error: x"));
  EXPECT_EQ(RenderJsonResponse(err),
            R"({"error":"1:1: parse error: x","errorType":"bad_data","status":"error"})");
  EXPECT_EQ(ErrorTypeString(ClassifyError(TimeoutError("x"))), "timeout");
}

std::string TreeBody(const QueryResult& r) {
  nlohmann::json env = {{"status", "success"}, {"data", RenderJsonData(r)}};
  return env.dump();
}

TEST(PromqlJsonTest, DirectSuccessBodyEqualsTree) {
  std::vector<model::Labels> metrics = {
      model::Labels(),
      model::Labels({{"__name__", "up"}, {"job", "x"}}),
      model::Labels({{"a", "quote\" back\\slash"}, {"b", "ctl\n\t\x01\x1f\x7f end"}}),
      model::Labels({{"le", "+Inf"}, {"unicode", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}}),
  };
  std::vector<Point> points = {{0, 0},
                               {60000, -0.0},
                               {1700000000500, 1.5},
                               {-5000, NAN},
                               {-1500, INFINITY},
                               {1000, -INFINITY},
                               {2000, 1e-300},
                               {3000, 1.7976931348623157e308},
                               {4000, 0.1 + 0.2},
                               {5001, -123456789.125}};
  QueryResult m;
  m.type = ValueType::kMatrix;
  for (const auto& l : metrics) m.matrix.push_back({l, points});
  m.matrix.push_back({model::Labels({{"empty", "points"}}), {}});
  EXPECT_EQ(RenderJsonSuccessBody(m), TreeBody(m));
  QueryResult v;
  v.type = ValueType::kVector;
  for (size_t i = 0; i < metrics.size(); ++i) v.vector.push_back({metrics[i], points[i * 2]});
  EXPECT_EQ(RenderJsonSuccessBody(v), TreeBody(v));
  QueryResult empty;
  empty.type = ValueType::kMatrix;
  EXPECT_EQ(RenderJsonSuccessBody(empty), TreeBody(empty));
  QueryResult s;
  s.type = ValueType::kScalar;
  s.scalar = {1000, 0.25};
  EXPECT_EQ(RenderJsonSuccessBody(s), TreeBody(s));
  QueryResult str;
  str.type = ValueType::kString;
  str.str = "x";
  EXPECT_EQ(RenderJsonSuccessBody(str), TreeBody(str));
  // Invalid UTF-8: the direct writer defers to the tree, whose dump() throws.
  QueryResult bad;
  bad.type = ValueType::kMatrix;
  bad.matrix.push_back({model::Labels({{"a", "\xff"}}), {{0, 1}}});
  EXPECT_THROW(RenderJsonSuccessBody(bad), nlohmann::json::exception);
}

// Streams m through RenderJsonRange in pieces of piece_bytes.
std::string Streamed(const StepMatrix& m, size_t piece_bytes, size_t* pieces = nullptr) {
  std::string out;
  size_t n = 0;
  EXPECT_TRUE(RenderJsonRange(
      m,
      [&](std::string_view p) {
        out.append(p);
        ++n;
        return true;
      },
      piece_bytes));
  if (pieces != nullptr) *pieces = n;
  return out;
}

TEST(PromqlJsonTest, StreamedRangeBodyEqualsDirectBody) {
  StepMatrix m;
  m.start_ms = 1700000000000;
  m.step_ms = 15500;  // half the steps land on fractional seconds
  m.n = 7;
  const double x = StepMatrix::NoValue();
  m.series.push_back({model::Labels(), {0, -0.0, x, NAN, INFINITY, -INFINITY, 1e-300}});
  m.series.push_back({model::Labels({{"__name__", "up"}, {"a", "quote\" \\ \n"}}),
                      {x, x, 0.1 + 0.2, x, 1.7976931348623157e308, x, -123456789.125}});
  m.series.push_back({model::Labels({{"u", "caf\xc3\xa9"}}), {x, x, x, x, x, x, 42}});
  const std::string want = RenderJsonSuccessBody(ToQueryResult(m));
  EXPECT_EQ(ToQueryResult(m).matrix[2].points.size(), 1u);
  EXPECT_EQ(Streamed(m, 256 * 1024), want);
  // Tiny pieces: every flush boundary inside and between series.
  size_t pieces = 0;
  EXPECT_EQ(Streamed(m, 1, &pieces), want);
  EXPECT_GT(pieces, 3u);
  StepMatrix empty;
  EXPECT_EQ(Streamed(empty, 64), RenderJsonSuccessBody(ToQueryResult(empty)));

  // A large matrix goes out in many pieces of bounded size.
  StepMatrix big;
  big.start_ms = 0;
  big.step_ms = 60000;
  big.n = 1440;
  for (int k = 0; k < 50; ++k) {
    StepMatrix::Row row{model::Labels({{"k", std::to_string(k)}}), {}};
    for (int i = 0; i < big.n; ++i) row.v.push_back(i % 7 == 0 ? x : (k + 1) * 0.001 * i);
    big.series.push_back(std::move(row));
  }
  size_t max_piece = 0;
  std::string got;
  ASSERT_TRUE(RenderJsonRange(
      big,
      [&](std::string_view p) {
        max_piece = std::max(max_piece, p.size());
        got.append(p);
        return true;
      },
      8192));
  EXPECT_EQ(got, RenderJsonSuccessBody(ToQueryResult(big)));
  EXPECT_LE(max_piece, 8192u + 424u);

  // A writer that fails stops the rendering.
  size_t calls = 0;
  EXPECT_FALSE(RenderJsonRange(
      big,
      [&](std::string_view) {
        ++calls;
        return false;
      },
      8192));
  EXPECT_EQ(calls, 1u);

  // Invalid UTF-8 defers to the tree, as RenderJsonSuccessBody does.
  StepMatrix bad;
  bad.n = 1;
  bad.series.push_back({model::Labels({{"a", "\xff"}}), {1}});
  EXPECT_THROW(Streamed(bad, 64), nlohmann::json::exception);
}

}  // namespace
}  // namespace promql
