#include "common/text_writer.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

#include "common/text_parser.h"
#include "model/number.h"

namespace common {
namespace {

TEST(GoFloatTest, MatchesStrconvFormatFloatG) {
  // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
  struct Case {
    double v;
    const char* want;
  } cases[] = {
      {0, "0"},
      {1, "1"},
      {-2.5, "-2.5"},
      {0.1, "0.1"},
      {123456, "123456"},
      {1234567, "1.234567e+06"},
      {1e6, "1e+06"},
      {12345.67, "12345.67"},
      {8253186048, "8.253186048e+09"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {1e21, "1e+21"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {89.49, "89.49"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::nan(""), "NaN"},
  };
  for (const auto& c : cases) EXPECT_EQ(model::FormatGoFloat(c.v), c.want) << c.v;
}

TEST(GoFloatTest, RoundTripsThroughTheParser) {
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 10000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double v;
    std::memcpy(&v, &x, sizeof(v));
    if (!std::isfinite(v)) continue;
    auto back = model::ParseFloat(model::FormatGoFloat(v));
    ASSERT_TRUE(back.has_value()) << model::FormatGoFloat(v);
    EXPECT_EQ(*back, v) << model::FormatGoFloat(v);
  }
}

TEST(TextWriterTest, FamiliesWithEscapingAndTypes) {
  std::vector<prometheus::MetricFamily> fams;
  prometheus::MetricFamily c{
      "reqs_total", "Requests \\ with\nnewline.", prometheus::MetricType::Counter, {}};
  prometheus::ClientMetric m;
  m.label = {{"path", "/a\"b\\c\nd"}, {"code", "200"}};
  m.counter.value = 1027;
  c.metric.push_back(m);
  fams.push_back(c);
  prometheus::MetricFamily g{"temp", "T.", prometheus::MetricType::Gauge, {}};
  prometheus::ClientMetric gm;
  gm.gauge.value = -0.5;
  g.metric.push_back(gm);
  fams.push_back(g);
  prometheus::MetricFamily h{"lat", "L.", prometheus::MetricType::Histogram, {}};
  prometheus::ClientMetric hm;
  hm.histogram.bucket = {{3, 0.1}, {5, std::numeric_limits<double>::infinity()}};
  hm.histogram.sample_count = 5;
  hm.histogram.sample_sum = 1.25;
  h.metric.push_back(hm);
  fams.push_back(h);
  prometheus::MetricFamily empty{"none", "N.", prometheus::MetricType::Gauge, {}};
  fams.push_back(empty);
  std::string out;
  AppendTextFormat(fams, &out);
  EXPECT_EQ(out,
            "# HELP reqs_total Requests \\\\ with\\nnewline.\n"
            "# TYPE reqs_total counter\n"
            "reqs_total{path=\"/a\\\"b\\\\c\\nd\",code=\"200\"} 1027\n"
            "# HELP temp T.\n"
            "# TYPE temp gauge\n"
            "temp -0.5\n"
            "# HELP lat L.\n"
            "# TYPE lat histogram\n"
            "lat_bucket{le=\"0.1\"} 3\n"
            "lat_bucket{le=\"+Inf\"} 5\n"
            "lat_sum 1.25\n"
            "lat_count 5\n");
  // And our own parser reads it back.
  TextParser p(out);
  int samples = 0;
  TextParser::Entry e;
  while ((e = p.Next()) != TextParser::Entry::kEnd) {
    ASSERT_NE(e, TextParser::Entry::kError) << p.status().ToString();
    samples += e == TextParser::Entry::kSample;
  }
  EXPECT_EQ(samples, 6);
}

}  // namespace
}  // namespace common
