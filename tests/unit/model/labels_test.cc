#include "model/labels.h"

#include <gtest/gtest.h>

namespace model {
namespace {

TEST(LabelsTest, SortsDropsEmptyAndLastDuplicateWins) {
  Labels l{{"b", "2"}, {"a", "1"}, {"c", ""}, {"b", "3"}};
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l.items()[0], (Label{"a", "1"}));
  EXPECT_EQ(l.items()[1], (Label{"b", "3"}));
  EXPECT_EQ(l.Get("c"), "");
}

TEST(LabelsTest, WithAndWithout) {
  Labels l{{"__name__", "up"}, {"job", "node"}};
  EXPECT_EQ(l.With("instance", "h:1").ToString(), R"(up{instance="h:1", job="node"})");
  EXPECT_EQ(l.With("job", "x").Get("job"), "x");
  EXPECT_EQ(l.Without("job").ToString(), "up{}");
  EXPECT_EQ(l.With("zzz", "").size(), 2u);
}

TEST(LabelsTest, HashIsStableAndOrderInsensitive) {
  Labels a{{"x", "1"}, {"y", "2"}};
  Labels b{{"y", "2"}, {"x", "1"}};
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_NE(a.Hash(), Labels({{"x", "1"}, {"y", "3"}}).Hash());
  // Concatenation ambiguity must not collide: {ab=""c} vs {a="bc"}.
  EXPECT_NE(Labels({{"ab", "c"}}).Hash(), Labels({{"a", "bc"}}).Hash());
}

TEST(LabelsTest, EscapingAndNameValidation) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_TRUE(IsValidMetricName("node:cpu_seconds_total"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidLabelName("_x9"));
  EXPECT_FALSE(IsValidLabelName(""));
}

}  // namespace
}  // namespace model
