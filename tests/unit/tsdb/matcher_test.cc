#include "test_util.h"
#include "tsdb/db.h"

namespace tsdb {
namespace {

using model::Labels;
using testing::Eq;
using testing::Neq;
using testing::Nre;
using testing::Re;

TEST(tsdb_Matcher, RegexIsFullyAnchoredAndBadRegexIsInvalidArgument) {
  EXPECT_TRUE(Re("a", "fo+").Matches("foo"));
  EXPECT_FALSE(Re("a", "fo").Matches("foo"));
  EXPECT_FALSE(Re("a", "oo").Matches("foo"));
  EXPECT_TRUE(Re("a", "a|b").Matches("b"));
  EXPECT_FALSE(Re("a", "a|b").Matches("ab"));
  EXPECT_TRUE(Re("a", ".*").Matches(""));
  EXPECT_TRUE(Re("a", "x.y").Matches("x\ny"));
  EXPECT_TRUE(Nre("a", "fo").Matches("foo"));
  auto bad = Matcher::Make(Matcher::Type::kRegexMatch, "a", "(");
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(Re("job", "n.*").String(), R"(job=~"n.*")");
}

TEST(tsdb_Matcher, MatchesEmpty) {
  EXPECT_TRUE(Eq("a", "").MatchesEmpty());
  EXPECT_FALSE(Eq("a", "x").MatchesEmpty());
  EXPECT_TRUE(Neq("a", "x").MatchesEmpty());
  EXPECT_FALSE(Neq("a", "").MatchesEmpty());
  EXPECT_TRUE(Re("a", "x|").MatchesEmpty());
  EXPECT_FALSE(Re("a", "x+").MatchesEmpty());
  EXPECT_TRUE(Nre("a", "x+").MatchesEmpty());
  EXPECT_FALSE(Nre("a", ".*").MatchesEmpty());
}

class tsdb_MatcherDB : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = DB::Open(dir_.path(), testing::TestOptions());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
    auto app = db_->NewAppender();
    // Series 1..5 as in the table below.
    app->Add(Labels{{"__name__", "m"}, {"a", "1"}, {"b", "x"}}, 1, 1);
    app->Add(Labels{{"__name__", "m"}, {"a", "2"}}, 1, 2);
    app->Add(Labels{{"__name__", "m"}, {"b", "y"}}, 1, 3);
    app->Add(Labels{{"__name__", "m"}, {"a", "12"}}, 1, 4);
    app->Add(Labels{{"__name__", "n"}, {"a", "1"}}, 1, 5);
    ASSERT_EQ(app->Commit().accepted, 5u);
  }

  std::vector<std::string> Select(std::vector<Matcher> ms) {
    std::vector<std::string> out;
    for (auto& [name, samples] : testing::Query(db_.get(), ms, 0, 10)) out.push_back(name);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<DB> db_;
};

using V = std::vector<std::string>;
const char kM1[] = R"(m{a="1", b="x"})";
const char kM2[] = R"(m{a="2"})";
const char kM3[] = R"(m{b="y"})";
const char kM12[] = R"(m{a="12"})";
const char kN1[] = R"(n{a="1"})";

TEST_F(tsdb_MatcherDB, Equal) {
  EXPECT_EQ(Select({Eq("a", "1")}), (V{kM1, kN1}));
  EXPECT_EQ(Select({Eq("__name__", "m"), Eq("a", "1")}), (V{kM1}));
  EXPECT_EQ(Select({Eq("a", "nope")}), V{});
  // a="" selects the series without label a.
  EXPECT_EQ(Select({Eq("__name__", "m"), Eq("a", "")}), (V{kM3}));
  EXPECT_EQ(Select({Eq("zzz", "")}), (V{kM1, kM12, kM2, kM3, kN1}));
}

TEST_F(tsdb_MatcherDB, NotEqual) {
  // a!="1" includes series without label a.
  EXPECT_EQ(Select({Eq("__name__", "m"), Neq("a", "1")}), (V{kM12, kM2, kM3}));
  // a!="" means "has label a".
  EXPECT_EQ(Select({Neq("a", "")}), (V{kM1, kM12, kM2, kN1}));
  EXPECT_EQ(Select({Eq("__name__", "m"), Neq("b", "")}), (V{kM1, kM3}));
}

TEST_F(tsdb_MatcherDB, RegexMatch) {
  EXPECT_EQ(Select({Re("a", "1")}), (V{kM1, kN1}));  // anchored: not "12"
  EXPECT_EQ(Select({Re("a", "1.*")}), (V{kM1, kM12, kN1}));
  EXPECT_EQ(Select({Eq("__name__", "m"), Re("a", "2|")}), (V{kM2, kM3}));  // "" matches missing
  EXPECT_EQ(Select({Re("a", ".+")}), (V{kM1, kM12, kM2, kN1}));
  EXPECT_EQ(Select({Re("__name__", "m|n"), Re("b", ".*")}), (V{kM1, kM12, kM2, kM3, kN1}));
}

TEST_F(tsdb_MatcherDB, RegexNoMatch) {
  EXPECT_EQ(Select({Eq("__name__", "m"), Nre("a", "1.*")}), (V{kM2, kM3}));
  // !~ ".+" selects series lacking the label.
  EXPECT_EQ(Select({Nre("a", ".+")}), (V{kM3}));
  // !~ ".*" selects nothing.
  EXPECT_EQ(Select({Eq("__name__", "m"), Nre("a", ".*")}), V{});
  EXPECT_EQ(Select({Eq("__name__", "m"), Nre("b", "x"), Neq("a", "2")}), (V{kM12, kM3}));
}

}  // namespace
}  // namespace tsdb
