#include "common/text_parser.h"
#include "model/number.h"

#include <cmath>

#include <gtest/gtest.h>

namespace common {
namespace {

TEST(TextParserTest, SamplesMetadataAndComments) {
  std::string text =
      "# HELP node_load1 1m load average.\n"
      "# TYPE node_load1 gauge\n"
      "node_load1 0.21\n"
      "# just a comment\n"
      "\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "  spaced { a = \"x\" , b=\"y\\\"z\\\\\\n\" , }  -Inf  \r\n"
      "nan_metric NaN\n"
      "last +Inf";
  TextParser p(text);
  ASSERT_EQ(p.Next(), TextParser::Entry::kHelp);
  EXPECT_EQ(p.meta_name(), "node_load1");
  EXPECT_EQ(p.meta_text(), "1m load average.");
  ASSERT_EQ(p.Next(), TextParser::Entry::kType);
  EXPECT_EQ(p.meta_text(), "gauge");
  ASSERT_EQ(p.Next(), TextParser::Entry::kSample);
  EXPECT_EQ(p.series(), "node_load1");
  EXPECT_DOUBLE_EQ(p.value(), 0.21);
  EXPECT_FALSE(p.timestamp_ms().has_value());
  ASSERT_EQ(p.Next(), TextParser::Entry::kSample);
  EXPECT_EQ(p.series(), "http_requests_total{method=\"post\",code=\"200\"}");
  EXPECT_EQ(p.metric_name(), "http_requests_total");
  EXPECT_EQ(*p.timestamp_ms(), 1395066363000);
  ASSERT_EQ(p.Next(), TextParser::Entry::kSample);
  EXPECT_EQ(p.line_number(), 7);
  EXPECT_TRUE(std::isinf(p.value()) && p.value() < 0);
  model::Labels l;
  ASSERT_TRUE(ParseSeriesLabels(p.series(), &l).ok());
  EXPECT_EQ(l.Get("__name__"), "spaced");
  EXPECT_EQ(l.Get("b"), "y\"z\\\n");
  ASSERT_EQ(p.Next(), TextParser::Entry::kSample);
  EXPECT_TRUE(std::isnan(p.value()));
  ASSERT_EQ(p.Next(), TextParser::Entry::kSample);
  EXPECT_TRUE(std::isinf(p.value()) && p.value() > 0);
  EXPECT_EQ(p.Next(), TextParser::Entry::kEnd);
}

TEST(TextParserTest, MalformedLinesNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"ok 1\n9bad 1\n", "line 2: invalid metric name"},
      {"m{a=\"1\" 1\n", "line 1: expected ',' or '}'"},
      {"m{a=1} 1\n", "line 1: expected '\"'"},
      {"m{a=\"1} 1\n", "line 1: unterminated label value"},
      {"m{=\"1\"} 1\n", "line 1: invalid label name"},
      {"m\n", "line 1: missing value"},
      {"m abc\n", "line 1: invalid value \"abc\""},
      {"m 1 12x\n", "line 1: invalid timestamp"},
      {"m 1 12 13\n", "line 1: unexpected text after timestamp"},
      {"m 0x1F\n", "line 1: invalid value"},
      {"# TYPE m bogus\n", "line 1: unknown metric type"},
  };
  for (const auto& c : cases) {
    TextParser p(c.text);
    TextParser::Entry e;
    while ((e = p.Next()) == TextParser::Entry::kSample) {
    }
    ASSERT_EQ(e, TextParser::Entry::kError) << c.text;
    EXPECT_NE(p.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << p.status().message();
    EXPECT_EQ(p.Next(), TextParser::Entry::kError);  // sticky
  }
}

TEST(TextParserTest, FirstLineOffsetForStreams) {
  TextParser p("good 1\nbad{ 1\n", 1001);
  EXPECT_EQ(p.Next(), TextParser::Entry::kSample);
  EXPECT_EQ(p.Next(), TextParser::Entry::kError);
  EXPECT_NE(p.status().message().find("line 1002"), std::string::npos);
}

TEST(TextParserTest, SeriesLabelsRejectDuplicates) {
  model::Labels l;
  Status s = ParseSeriesLabels("m{a=\"1\",a=\"2\"}", &l);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("duplicate label name \"a\""), std::string::npos);
  ASSERT_TRUE(ParseSeriesLabels("m{}", &l).ok());
  EXPECT_EQ(l.size(), 1u);
}

TEST(TextParserTest, FloatValues) {
  EXPECT_DOUBLE_EQ(*model::ParseFloat("1e3"), 1000);
  EXPECT_DOUBLE_EQ(*model::ParseFloat("-2.5"), -2.5);
  EXPECT_DOUBLE_EQ(*model::ParseFloat("+7"), 7);
  EXPECT_TRUE(std::isinf(*model::ParseFloat("inf")));
  EXPECT_TRUE(std::isinf(*model::ParseFloat("1e999")));
  EXPECT_FALSE(model::ParseFloat("").has_value());
  EXPECT_FALSE(model::ParseFloat("--1").has_value());
  EXPECT_FALSE(model::ParseFloat("1,5").has_value());
}

}  // namespace
}  // namespace common
