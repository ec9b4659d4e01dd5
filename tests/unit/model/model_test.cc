// The model layer: numbers and durations as Go and Prometheus write and
// read them, table-driven.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "model/duration.h"
#include "model/number.h"
#include "model/value.h"

namespace model {
namespace {

TEST(NumberTest, FormatsAsGo) {
  const struct {
    double v;
    const char* f;  // strconv.FormatFloat(v, 'f', -1, 64)
    const char* g;  // strconv.FormatFloat(v, 'g', -1, 64), fmt.Sprint
  } cases[] = {
      {1, "1", "1"},
      {0.1, "0.1", "0.1"},
      {-2.5, "-2.5", "-2.5"},
      {123456, "123456", "123456"},
      {1234567, "1234567", "1.234567e+06"},
      {1e21, "1000000000000000000000", "1e+21"},
      {0.0001, "0.0001", "0.0001"},
      {0.00001, "0.00001", "1e-05"},
      {1e-7, "0.0000001", "1e-07"},
      {INFINITY, "+Inf", "+Inf"},
      {-INFINITY, "-Inf", "-Inf"},
      {NAN, "NaN", "NaN"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatFloat(c.v), c.f) << c.v;
    EXPECT_EQ(FormatGoFloat(c.v), c.g) << c.v;
  }
}

TEST(NumberTest, ParsesAsGo) {
  const double inf = std::numeric_limits<double>::infinity();
  const struct {
    const char* s;
    bool ok;
    double v;
  } cases[] = {
      {"1e3", true, 1000}, {"-2.5", true, -2.5},   {"+7", true, 7},           {".5", true, 0.5},
      {"inf", true, inf},  {"+Inf", true, inf},    {"-Infinity", true, -inf}, {"1e999", true, inf},
      {"1e-999", true, 0}, {"0x1p-2", true, 0.25}, {"-0X1.8P1", true, -3},    {"", false, 0},
      {"--1", false, 0},   {"1,5", false, 0},      {" 1", false, 0},          {"1 ", false, 0},
      {"0x1", false, 0},   {"0xp1", false, 0},     {"+NaN", false, 0},        {"nan(1)", false, 0},
      {"1e", false, 0},
  };
  for (const auto& c : cases) {
    auto v = ParseFloat(c.s);
    ASSERT_EQ(v.has_value(), c.ok) << c.s;
    if (c.ok) {
      EXPECT_EQ(*v, c.v) << c.s;
    }
  }
  EXPECT_TRUE(std::isnan(*ParseFloat("NaN")));
  EXPECT_TRUE(std::isnan(*ParseFloat("nan")));
}

TEST(DurationTest, ParsesAndFormatsAsPrometheus) {
  const struct {
    const char* s;
    int64_t ms;        // -1: invalid
    const char* back;  // FormatDuration(ms)
  } cases[] = {
      {"1h30m", 5400000, "1h30m"},
      {"0", 0, "0s"},
      {"0s", 0, "0s"},
      {"1ms", 1, "1ms"},
      {"90s", 90000, "1m30s"},
      {"365d", 365LL * 86400000, "1y"},
      {"8d", 8LL * 86400000, "8d"},  // 1w1d is not how Prometheus prints it
      {"2w", 14LL * 86400000, "2w"},
      {"292y", 292LL * 365 * 86400000, "292y"},
      {"30m1h", -1, nullptr},
      {"1h1h", -1, nullptr},
      {"1.5h", -1, nullptr},
      {"-1s", -1, nullptr},
      {"", -1, nullptr},
      {"5", -1, nullptr},
      {"200000000y5000000000w", -1, nullptr},
  };
  for (const auto& c : cases) {
    auto d = ParseDuration(c.s);
    if (c.ms < 0) {
      EXPECT_FALSE(d.ok()) << c.s;
      continue;
    }
    ASSERT_TRUE(d.ok()) << c.s << ": " << d.status().ToString();
    EXPECT_EQ(*d, c.ms) << c.s;
    EXPECT_EQ(FormatDuration(*d), c.back) << c.s;
  }
}

TEST(ValueTest, StaleMarkerIsANaNNoArithmeticMakes) {
  EXPECT_TRUE(std::isnan(model::kStaleNaN));
  EXPECT_TRUE(model::IsStaleNaN(model::kStaleNaN));
  EXPECT_FALSE(model::IsStaleNaN(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(model::IsStaleNaN(model::kStaleNaN + 1));
}

}  // namespace
}  // namespace model
