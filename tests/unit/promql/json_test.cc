#include "promql/json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "promql/errors.h"
#include "promql/format.h"

namespace promql {
namespace {

TEST(PromqlFormatTest, GoFloatFormatting) {
  EXPECT_EQ(FormatFloat(1), "1");
  EXPECT_EQ(FormatFloat(0.1), "0.1");
  EXPECT_EQ(FormatFloat(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatFloat(1e-7), "0.0000001");
  EXPECT_EQ(FormatFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatFloat(INFINITY), "+Inf");
  EXPECT_EQ(FormatFloat(-INFINITY), "-Inf");
  EXPECT_EQ(FormatFloat(NAN), "NaN");
  EXPECT_EQ(FormatFloatGo(123456), "123456");
  EXPECT_EQ(FormatFloatGo(1234567), "1.234567e+06");
  EXPECT_EQ(FormatFloatGo(0.0001), "0.0001");
  EXPECT_EQ(FormatFloatGo(0.00001), "1e-05");
  EXPECT_EQ(FormatDuration(90000), "1m30s");
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(86400000LL * 365), "1y");
  EXPECT_EQ(FormatDuration(1), "1ms");
  EXPECT_EQ(ParseDuration("1h30m").value(), 5400000);
  EXPECT_FALSE(ParseDuration("30m1h").has_value());
  EXPECT_FALSE(ParseDuration("1.5h").has_value());
}

TEST(PromqlJsonTest, RendersApiData) {
  QueryResult v;
  v.type = ValueType::kVector;
  v.vector.push_back({common::Labels({{"__name__", "up"}, {"job", "x"}}), {1700000000500, 1}});
  EXPECT_EQ(RenderJsonData(v).dump(),
            R"({"result":[{"metric":{"__name__":"up","job":"x"},"value":[1700000000.5,"1"]}],)"
            R"("resultType":"vector"})");
  QueryResult m;
  m.type = ValueType::kMatrix;
  m.matrix.push_back({common::Labels(), {{0, NAN}, {60000, INFINITY}}});
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

}  // namespace
}  // namespace promql
