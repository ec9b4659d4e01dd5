#include "promql/parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/duration.h"
#include "promql/lexer.h"

namespace promql {
namespace {

struct RoundTrip {
  const char* in;
  const char* out;  // expected String(); nullptr: same as in
};

TEST(PromqlParserTest, RoundTripPrinting) {
  const RoundTrip cases[] = {
      {"1", nullptr},
      {"-1", nullptr},
      {"+1", "1"},
      {"1.5e3", "1500"},
      {"0x1F", "31"},
      {"010", "8"},
      {"1000000", "1e+06"},
      {".5", "0.5"},
      {"Inf", "+Inf"},
      {"-inf", "-Inf"},
      {"NaN", nullptr},
      {"\"a\\nb\"", nullptr},
      {"'single'", "\"single\""},
      {"`raw\\n`", "\"raw\\\\n\""},
      {"foo", nullptr},
      {"foo:bar_baz", nullptr},
      {"foo{}", "foo"},
      {"foo{a=\"b\"}", nullptr},
      {"foo{a=\"b\",c!=\"d\",e=~\"f.*\",g!~\"h\",}",
       "foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~\"h\"}"},
      {"{__name__=~\"foo|bar\"}", nullptr},
      {"{on=\"x\"}", nullptr},
      {"foo[5m]", nullptr},
      {"foo[90s]", "foo[1m30s]"},
      {"foo[1h30m]", nullptr},
      {"foo[7d]", "foo[1w]"},
      {"foo offset 5m", nullptr},
      {"foo offset -5m", nullptr},
      {"foo[5m] offset 1h", nullptr},
      {"foo @ 100", "foo @ 100.000"},
      {"foo @ 1.5 offset 1m", "foo @ 1.500 offset 1m"},
      {"foo offset 1m @ start()", "foo @ start() offset 1m"},
      {"foo[5m] @ end()", nullptr},
      {"foo[5m:]", nullptr},
      {"foo[5m:1m]", nullptr},
      {"rate(foo[5m])[30m:1m] offset 5m", nullptr},
      {"sum(rate(foo[5m]))", nullptr},
      {"sum by (a, b) (foo)", nullptr},
      {"sum(foo) by (a)", "sum by (a) (foo)"},
      {"SUM without (a) (foo)", "sum without (a) (foo)"},
      {"sum without () (foo)", nullptr},
      {"topk(5, foo)", nullptr},
      {"quantile(0.9, foo)", nullptr},
      {"count_values(\"v\", foo)", nullptr},
      {"a + b * c", nullptr},
      {"(a + b) * c", nullptr},
      {"a - b - c", nullptr},
      {"a ^ b ^ c", nullptr},
      {"a == bool b", nullptr},
      {"a > on (x) group_left (y) b", nullptr},
      {"a * ignoring (x) group_right b", "a * ignoring (x) group_right () b"},
      {"a and on (x) b", nullptr},
      {"a or b unless c", nullptr},
      {"a atan2 b", nullptr},
      {"-foo", nullptr},
      {"-(1)", nullptr},
      {"label_replace(foo, \"dst\", \"$1\", \"src\", \"(.*)\")", nullptr},
      {"time()", nullptr},
      {"hour()", nullptr},
      {"round(foo, 5)", nullptr},
      {"foo # a comment\n + bar", "foo + bar"},
      {"start", nullptr},
      // Found by fuzz/promql_fuzz.cc: "-+Inf ^ 2" parsed back with an extra
      // unary plus, so printing was not a fixed point.
      {"-21e308 ^ 2", "-Inf ^ 2"},
      {"-Inf ^ 2", nullptr},
  };
  for (const auto& c : cases) {
    auto e = ParseExpr(c.in);
    ASSERT_TRUE(e.ok()) << c.in << ": " << e.status().ToString();
    std::string want = c.out ? c.out : c.in;
    EXPECT_EQ((*e)->String(), want) << c.in;
    // Printing is a fixed point.
    auto again = ParseExpr((*e)->String());
    ASSERT_TRUE(again.ok()) << (*e)->String();
    EXPECT_EQ((*again)->String(), (*e)->String());
  }
}

std::string Tree(const Expr& e);

std::string Tree(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return "(" + Tree(*b.lhs) + " " + BinOpString(b.op) + " " + Tree(*b.rhs) + ")";
    }
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return "(" + std::string(BinOpString(u.op)) + Tree(*u.expr) + ")";
    }
    default:
      return e.String();
  }
}

// Found by fuzz/promql_fuzz.cc: 4,000 unary minuses overflowed the stack of
// the recursive-descent parser. Trees above kMaxExprHeight are refused by
// every route to them (recursion, left-associative chains, calls,
// aggregations), and a tree at the limit still evaluates.
TEST(PromqlParserTest, RefusesTreesNestedTooDeeply) {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  const int n = 200000;  // far beyond any thread stack
  const std::string too_deep[] = {
      repeat("-", n) + "1",
      repeat("(", n) + "1" + repeat(")", n),
      "1" + repeat(" + 1", n),
      repeat("abs(", n) + "x" + repeat(")", n),
      repeat("sum(", n) + "x" + repeat(")", n),
      "x" + repeat(" or x", kMaxExprHeight),
      "x" + repeat(" or x", n) + " +",  // invalid at the end, after a long chain
  };
  for (const std::string& q : too_deep) {
    auto e = ParseExpr(q);
    ASSERT_FALSE(e.ok()) << q.substr(0, 40);
    if (q.back() != '+') {
      EXPECT_NE(e.status().message().find("nested too deeply"), std::string::npos)
          << e.status().message();
    }
  }
  auto ok = ParseExpr("x" + repeat(" or x", kMaxExprHeight - 2));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)->height, kMaxExprHeight - 1);
  auto nested =
      ParseExpr(repeat("-(", kMaxExprHeight / 2 - 1) + "1" + repeat(")", kMaxExprHeight / 2 - 1));
  ASSERT_TRUE(nested.ok()) << nested.status().message();
  auto again = ParseExpr((*nested)->String());
  EXPECT_TRUE(again.ok());
}

// Found by fuzz/api_params_fuzz.cc (UBSan): each unit fit in int64 but
// their sum overflowed.
TEST(PromqlParserTest, DurationSumsOutOfRangeAreRefused) {
  EXPECT_EQ(model::ParseDuration("292y").value(), 292LL * 365 * 24 * 3600 * 1000);
  EXPECT_FALSE(model::ParseDuration("200000000y5000000000w").ok());
  EXPECT_FALSE(model::ParseDuration("290000000y1000000000000w").ok());
  EXPECT_FALSE(ParseExpr("x[200000000y5000000000w]").ok());
}

TEST(PromqlParserTest, Precedence) {
  const std::pair<const char*, const char*> cases[] = {
      {"a + b * c", "(a + (b * c))"},
      {"a * b + c", "((a * b) + c)"},
      {"a - b - c", "((a - b) - c)"},
      {"a ^ b ^ c", "(a ^ (b ^ c))"},
      {"a * b ^ c", "(a * (b ^ c))"},
      {"-a ^ b", "(-(a ^ b))"},
      {"-a * b", "((-a) * b)"},
      {"-2 ^ 2", "(-(2 ^ 2))"},
      {"a or b and c", "(a or (b and c))"},
      {"a and b unless c", "((a and b) unless c)"},
      {"a > b + c", "(a > (b + c))"},
      {"a == b or c", "((a == b) or c)"},
      {"a % b atan2 c", "((a % b) atan2 c)"},
      {"a + b offset 5m", "(a + b offset 5m)"},
  };
  for (const auto& [in, want] : cases) {
    auto e = ParseExpr(in);
    ASSERT_TRUE(e.ok()) << in << ": " << e.status().ToString();
    EXPECT_EQ(Tree(**e), want) << in;
  }
}

TEST(PromqlParserTest, NumberValues) {
  auto e = ParseExpr("-0x10");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(static_cast<NumberLiteral&>(**e).value, -16);
  e = ParseExpr("1e-3");
  ASSERT_TRUE(e.ok());
  EXPECT_DOUBLE_EQ(static_cast<NumberLiteral&>(**e).value, 0.001);
  e = ParseExpr("nan");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::isnan(static_cast<NumberLiteral&>(**e).value));
}

TEST(PromqlParserTest, Types) {
  EXPECT_EQ((*ParseExpr("1 + 1"))->type(), ValueType::kScalar);
  EXPECT_EQ((*ParseExpr("foo + 1"))->type(), ValueType::kVector);
  EXPECT_EQ((*ParseExpr("foo[5m]"))->type(), ValueType::kMatrix);
  EXPECT_EQ((*ParseExpr("\"x\""))->type(), ValueType::kString);
  EXPECT_EQ((*ParseExpr("scalar(foo)"))->type(), ValueType::kScalar);
  EXPECT_EQ((*ParseExpr("(foo[5m])"))->type(), ValueType::kMatrix);
}

TEST(PromqlParserTest, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "1:1: parse error: no expression found in input"},
      {"foo +", "1:6: parse error: unexpected end of input"},
      {"(foo", "1:5: parse error: unclosed left parenthesis"},
      {"foo)", "1:4: parse error: unexpected right parenthesis ')'"},
      {"foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces"},
      {"foo{a=b}",
       "1:7: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{a=~\".*\"}",
       "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"foo{__name__=\"bar\"}",
       "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"foo + bool bar",
       "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"1 and foo",
       "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"foo and on(a) group_left bar",
       "1:1: parse error: no grouping allowed for \"and\" operation"},
      {"foo * on(a) group_left(a) bar",
       "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once"},
      {"rate(foo)",
       "1:6: parse error: expected type range vector in call to function \"rate\", got instant "
       "vector"},
      {"rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"},
      {"round()", "1:1: parse error: expected at least 1 argument(s) in call to \"round\", got 0"},
      {"hour(a, b)", "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 2"},
      {"nosuchfn(foo)", "1:1: parse error: unknown function with name \"nosuchfn\""},
      {"sum(foo[5m])",
       "1:5: parse error: expected type instant vector in aggregation expression, got range "
       "vector"},
      {"topk(foo, bar)",
       "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"},
      {"topk(bar)",
       "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, "
       "got 1"},
      {"count_values(1, foo)",
       "1:14: parse error: expected type string in aggregation parameter, got scalar"},
      {"foo[5m][5m:1m]",
       "1:1: parse error: subquery is only allowed on instant vector, got matrix in \"foo[5m]\" "
       "instead"},
      {"(foo)[5m]", "1:1: parse error: ranges only allowed for vector selectors"},
      {"foo offset 5m[5m]", "1:1: parse error: no offset modifiers allowed before range"},
      {"foo offset 1m offset 2m", "1:15: parse error: offset may not be set multiple times"},
      {"sum(foo) offset 1m",
       "1:10: parse error: offset modifier must be preceded by an instant vector selector or range "
       "vector selector or a subquery"},
      {"foo @ 1 @ 2", "1:9: parse error: @ <timestamp> may not be set multiple times"},
      {"foo[5x]", "1:5: parse error: bad number or duration syntax: \"5x\""},
      {"foo[5m3h]", "1:5: parse error: not a valid duration string: \"5m3h\""},
      {"-\"a\"",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant "
       "vector, got \"string\""},
      {"foo[5m] + 1",
       "1:1: parse error: binary expression must contain only scalar and instant vector types"},
      {"\"abc", "1:1: parse error: unterminated quoted string"},
      {"foo ~ bar", "1:5: parse error: unexpected character: '~'"},
      {"foo\n  +", "2:4: parse error: unexpected end of input"},
      {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
      {"foo{a=~\"(\"}", "1:5: parse error: error parsing regexp: missing ): ^(?:()$"},
  };
  for (const auto& [in, want] : cases) {
    auto e = ParseExpr(in);
    ASSERT_FALSE(e.ok()) << in;
    EXPECT_TRUE(e.status().IsInvalidArgument());
    EXPECT_EQ(e.status().message(), want) << in;
  }
}

TEST(PromqlLexerTest, UnescapeGoStrings) {
  std::string out;
  ASSERT_TRUE(UnescapeString("a\\x41\\u00e9\\101\\t", '"', &out));
  EXPECT_EQ(out,
            "aA\xc3\xa9"
            "A\t");
  EXPECT_FALSE(UnescapeString("\\q", '"', &out));
  EXPECT_FALSE(UnescapeString("\\'", '"', &out));
}

}  // namespace
}  // namespace promql
