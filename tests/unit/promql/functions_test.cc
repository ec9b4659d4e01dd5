// Each function on small hand-made series with hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "promql/engine.h"
#include "promql/memory_storage.h"
#include "tests/unit/promql/test_util.h"

namespace promql {
namespace {

using testing::L;
using testing::Render;

constexpr int64_t kS = 1000;

class PromqlFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctr: +1/s, sampled every 15 s over [0, 600].
    for (int64_t t = 0; t <= 600; t += 15) st_.Add(L({{"__name__", "ctr"}}), t * kS, t);
    // rst: counter with a reset: 10, 20, 5, 15 at 0, 60, 120, 180 s.
    const double rst[] = {10, 20, 5, 15};
    for (int i = 0; i < 4; ++i) st_.Add(L({{"__name__", "rst"}}), i * 60 * kS, rst[i]);
    // g: gauge 1, 3, 2, 5, 4 at 0..240 s.
    const double g[] = {1, 3, 2, 5, 4};
    for (int i = 0; i < 5; ++i) st_.Add(L({{"__name__", "g"}, {"k", "v"}}), i * 60 * kS, g[i]);
    // neg: -2.5, 0, 2.5 in three series.
    st_.Add(L({{"__name__", "n"}, {"i", "a"}}), 0, -2.5);
    st_.Add(L({{"__name__", "n"}, {"i", "b"}}), 0, 0.5);
    st_.Add(L({{"__name__", "n"}, {"i", "c"}}), 0, 2.5);
    // Classic histogram: le buckets 0.1, 0.5, 1, +Inf with cumulative counts.
    const std::pair<const char*, double> buckets[] = {
        {"0.1", 10}, {"0.5", 30}, {"1", 40}, {"+Inf", 50}};
    for (const auto& [le, c] : buckets) {
      st_.Add(L({{"__name__", "h_bucket"}, {"le", le}, {"job", "j"}}), 0, c);
    }
  }
  std::string At(const std::string& q, int64_t t_s) {
    auto r = engine_.InstantQuery(st_, q, t_s * kS);
    if (!r.ok()) return "error: " + r.status().message();
    return Render(*r);
  }
  MemoryStorage st_;
  Engine engine_;
};

TEST_F(PromqlFunctionsTest, RateIncreaseDelta) {
  // Window [300, 600] holds 21 samples 300..600: no extrapolation needed.
  EXPECT_EQ(At("rate(ctr[5m])", 600), "{} => 1");
  EXPECT_EQ(At("increase(ctr[5m])", 600), "{} => 300");
  EXPECT_EQ(At("delta(ctr[5m])", 600), "{} => 300");
  // Window [-90, 210] of ctr: samples 0..210; to start 90 s > 1.1*15, so
  // extrapolate half an interval; counter zero point at 0 s -> capped at 0.
  EXPECT_EQ(At("increase(ctr[5m])", 210), "{} => 210");
  // rst at 180 s over [-120, 180]: 25 raw increase (with reset), zero point
  // 72 s before the first sample >= 1.1*60, so +30 s: 25 * 210/180.
  EXPECT_EQ(At("increase(rst[5m])", 180), "{} => 29.166666666666668");
  EXPECT_EQ(At("rate(rst[5m])", 180), "{} => 0.09722222222222222");
  EXPECT_EQ(At("resets(rst[5m])", 180), "{} => 1");
  EXPECT_EQ(At("changes(g[5m])", 240), "{k=\"v\"} => 4");
  EXPECT_EQ(At("irate(rst[5m])", 180), "{} => 0.16666666666666666");
  EXPECT_EQ(At("irate(rst[5m])", 120), "{} => 0.08333333333333333");  // reset: 5/60
  EXPECT_EQ(At("idelta(g[5m])", 240), "{k=\"v\"} => -1");
  EXPECT_EQ(At("rate(ctr[1m] offset 1m)", 600), "{} => 1");
  EXPECT_EQ(At("rate(g[1m])", 0), "");  // one sample: no rate
}

TEST_F(PromqlFunctionsTest, OverTime) {
  EXPECT_EQ(At("avg_over_time(g[5m])", 240), "{k=\"v\"} => 3");
  EXPECT_EQ(At("sum_over_time(g[5m])", 240), "{k=\"v\"} => 15");
  EXPECT_EQ(At("min_over_time(g[5m])", 240), "{k=\"v\"} => 1");
  EXPECT_EQ(At("max_over_time(g[5m])", 240), "{k=\"v\"} => 5");
  EXPECT_EQ(At("count_over_time(g[5m])", 240), "{k=\"v\"} => 5");
  EXPECT_EQ(At("last_over_time(g[5m])", 240), "g{k=\"v\"} => 4");
  EXPECT_EQ(At("present_over_time(g[5m])", 240), "{k=\"v\"} => 1");
  EXPECT_EQ(At("stdvar_over_time(g[5m])", 240), "{k=\"v\"} => 2");
  EXPECT_EQ(At("stddev_over_time(g[5m])", 240), "{k=\"v\"} => 1.4142135623730951");
  EXPECT_EQ(At("quantile_over_time(0.5, g[5m])", 240), "{k=\"v\"} => 3");
  EXPECT_EQ(At("quantile_over_time(0.25, g[5m])", 240), "{k=\"v\"} => 2");
  EXPECT_EQ(At("absent_over_time(g[5m])", 240), "");
  EXPECT_EQ(At("absent_over_time(nope{a=\"b\"}[5m])", 240), "{a=\"b\"} => 1");
  // Window [60, 120] closed at both ends.
  EXPECT_EQ(At("count_over_time(g[1m])", 120), "{k=\"v\"} => 2");
}

TEST_F(PromqlFunctionsTest, DerivPredictHoltWinters) {
  // ctr is exactly linear: slope 1/s.
  EXPECT_EQ(At("deriv(ctr[5m])", 600), "{} => 1");
  EXPECT_EQ(At("predict_linear(ctr[5m], 60)", 600), "{} => 660");
  // holt_winters on 1,3,2,5,4 with sf=0.5, tf=0.5:
  // s=1,b=2; i=1: s=.5*3+.5*(1+2)=3; i=2: b=.5*(3-1)+.5*2=2, s=.5*2+.5*(3+2)=3.5;
  // i=3: b=.5*.5+.5*2=1.25, s=2.5+.5*4.75=4.875; i=4: b=.5*1.375+.5*1.25=1.3125,
  // s=2+.5*6.1875=5.09375.
  EXPECT_EQ(At("holt_winters(g[5m], 0.5, 0.5)", 240), "{k=\"v\"} => 5.09375");
  EXPECT_EQ(At("holt_winters(g[5m], 1, 0.5)", 240),
            "error: invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000");
}

TEST_F(PromqlFunctionsTest, MathFunctions) {
  EXPECT_EQ(At("abs(n)", 0), "{i=\"a\"} => 2.5\n{i=\"b\"} => 0.5\n{i=\"c\"} => 2.5");
  EXPECT_EQ(At("ceil(n)", 0), "{i=\"a\"} => -2\n{i=\"b\"} => 1\n{i=\"c\"} => 3");
  EXPECT_EQ(At("floor(n)", 0), "{i=\"a\"} => -3\n{i=\"b\"} => 0\n{i=\"c\"} => 2");
  EXPECT_EQ(At("round(n)", 0), "{i=\"a\"} => -2\n{i=\"b\"} => 1\n{i=\"c\"} => 3");
  EXPECT_EQ(At("round(n, 2)", 0), "{i=\"a\"} => -2\n{i=\"b\"} => 0\n{i=\"c\"} => 2");
  EXPECT_EQ(At("sgn(n)", 0), "{i=\"a\"} => -1\n{i=\"b\"} => 1\n{i=\"c\"} => 1");
  EXPECT_EQ(At("clamp(n, -1, 1)", 0), "{i=\"a\"} => -1\n{i=\"b\"} => 0.5\n{i=\"c\"} => 1");
  EXPECT_EQ(At("clamp(n, 1, -1)", 0), "");
  EXPECT_EQ(At("clamp_min(n, 0)", 0), "{i=\"a\"} => 0\n{i=\"b\"} => 0.5\n{i=\"c\"} => 2.5");
  EXPECT_EQ(At("clamp_max(n, 0)", 0), "{i=\"a\"} => -2.5\n{i=\"b\"} => 0\n{i=\"c\"} => 0");
  EXPECT_EQ(At("sqrt(n{i=\"c\"} * 10)", 0), "{i=\"c\"} => 5");
  EXPECT_EQ(At("exp(n{i=\"b\"} - 0.5)", 0), "{i=\"b\"} => 1");
  EXPECT_EQ(At("ln(n{i=\"b\"} * 0)", 0), "{i=\"b\"} => -Inf");
  EXPECT_EQ(At("log2(n{i=\"b\"} * 16)", 0), "{i=\"b\"} => 3");
  EXPECT_EQ(At("log10(n{i=\"b\"} * 200)", 0), "{i=\"b\"} => 2");
  EXPECT_EQ(At("sqrt(n{i=\"a\"})", 0), "{i=\"a\"} => NaN");
  EXPECT_EQ(At("deg(vector(pi()))", 0), "{} => 180");
  EXPECT_EQ(At("rad(vector(180))", 0), "{} => 3.141592653589793");
  EXPECT_EQ(At("cos(vector(0))", 0), "{} => 1");
  EXPECT_EQ(At("sin(vector(0))", 0), "{} => 0");
  EXPECT_EQ(At("atanh(vector(0))", 0), "{} => 0");
}

TEST_F(PromqlFunctionsTest, TimeAndDate) {
  EXPECT_EQ(At("time()", 90), "scalar 90");
  EXPECT_EQ(At("timestamp(g)", 90), "{k=\"v\"} => 60");
  EXPECT_EQ(At("timestamp(g * 1)", 90), "{k=\"v\"} => 90");
  // 2024-02-29T13:45:00Z = 1709214300.
  EXPECT_EQ(At("year(vector(1709214300))", 0), "{} => 2024");
  EXPECT_EQ(At("month(vector(1709214300))", 0), "{} => 2");
  EXPECT_EQ(At("day_of_month(vector(1709214300))", 0), "{} => 29");
  EXPECT_EQ(At("day_of_week(vector(1709214300))", 0), "{} => 4");
  EXPECT_EQ(At("day_of_year(vector(1709214300))", 0), "{} => 60");
  EXPECT_EQ(At("days_in_month(vector(1709214300))", 0), "{} => 29");
  EXPECT_EQ(At("hour(vector(1709214300))", 0), "{} => 13");
  EXPECT_EQ(At("minute(vector(1709214300))", 0), "{} => 45");
  EXPECT_EQ(At("year()", 0), "{} => 1970");
  EXPECT_EQ(At("day_of_week()", 0), "{} => 4");
}

TEST_F(PromqlFunctionsTest, VectorScalarAbsentSort) {
  EXPECT_EQ(At("vector(3)", 0), "{} => 3");
  EXPECT_EQ(At("scalar(g)", 0), "scalar 1");
  EXPECT_EQ(At("scalar(n)", 0), "scalar NaN");
  EXPECT_EQ(At("absent(g)", 0), "");
  EXPECT_EQ(At("absent(nope{job=\"a\", x=~\"y\"})", 0), "{job=\"a\"} => 1");
  auto r = engine_.InstantQuery(st_, "sort_desc(n)", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 3u);
  EXPECT_EQ(r->vector[0].point.v, 2.5);
  EXPECT_EQ(r->vector[2].point.v, -2.5);
  r = engine_.InstantQuery(st_, "sort(n)", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->vector[0].point.v, -2.5);
  EXPECT_EQ(r->vector[0].metric.MetricName(), "n");
}

TEST_F(PromqlFunctionsTest, Labels) {
  EXPECT_EQ(At("label_replace(g, \"dst\", \"x-$1\", \"k\", \"(.*)\")", 0),
            "g{dst=\"x-v\", k=\"v\"} => 1");
  EXPECT_EQ(At("label_replace(g, \"dst\", \"$1\", \"k\", \"nomatch\")", 0), "g{k=\"v\"} => 1");
  EXPECT_EQ(At("label_replace(g, \"k\", \"\", \"k\", \".*\")", 0), "g{} => 1");
  EXPECT_EQ(At("label_replace(g, \"d\", \"${name}s$$\", \"k\", \"(?P<name>v)\")", 0),
            "g{d=\"vs$\", k=\"v\"} => 1");
  EXPECT_EQ(At("label_replace(g, \"0d\", \"\", \"k\", \".*\")", 0),
            "error: invalid destination label name in label_replace(): 0d");
  EXPECT_EQ(At("label_replace(g, \"d\", \"\", \"k\", \"(\")", 0),
            "error: invalid regular expression in label_replace(): (");
  EXPECT_EQ(At("label_join(g, \"j\", \"-\", \"__name__\", \"k\")", 0),
            "g{j=\"g-v\", k=\"v\"} => 1");
  EXPECT_EQ(At("label_replace(n, \"i\", \"same\", \"i\", \".*\")", 0),
            "error: vector cannot contain metrics with the same labelset");
}

TEST_F(PromqlFunctionsTest, HistogramQuantile) {
  // 50 observations: rank 25 falls in (0.1, 0.5] holding 20: 0.1 + 0.4*15/20.
  EXPECT_EQ(At("histogram_quantile(0.5, h_bucket)", 0), "{job=\"j\"} => 0.4");
  // rank 45 lands in +Inf: the highest finite bound.
  EXPECT_EQ(At("histogram_quantile(0.9, h_bucket)", 0), "{job=\"j\"} => 1");
  EXPECT_EQ(At("histogram_quantile(0.1, h_bucket)", 0), "{job=\"j\"} => 0.05");
  EXPECT_EQ(At("histogram_quantile(-1, h_bucket)", 0), "{job=\"j\"} => -Inf");
  EXPECT_EQ(At("histogram_quantile(0.5, h_bucket{le!=\"+Inf\"})", 0), "{job=\"j\"} => NaN");
  EXPECT_EQ(At("histogram_quantile(0.5, sum by (le) (h_bucket))", 0), "{} => 0.4");
}

}  // namespace
}  // namespace promql
