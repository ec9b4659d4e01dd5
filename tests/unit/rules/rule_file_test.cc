// Rule files against Prometheus's own checker: every file of the corpus in
// tests/fixtures/rules/{valid,invalid} goes through `promtool check rules`
// (Prometheus 2.42) and through ParseRuleFile, and the verdicts must agree.
// The corpus directory states what promtool says, so the files stay honest
// without promtool too. Then the fields we keep, the errors' wording, and
// the glob expansion of LoadRuleFiles.
#include "rules/rule_file.h"
#include "tests/integration/test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rules {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = MS_SOURCE_DIR "/tests/fixtures/rules";

std::vector<std::string> CorpusFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kCorpus + "/" + dir)) {
    if (e.is_regular_file() && e.path().extension() == ".yml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Describe(const common::Result<RuleFile>& r) {
  return r.ok() ? "accepted" : "refused: " + r.status().message();
}

TEST(RuleFileCorpus, IsBroad) {
  EXPECT_GE(CorpusFiles("valid").size(), 30u);
  EXPECT_GE(CorpusFiles("invalid").size(), 60u);
}

// The directory a file sits in is promtool's verdict (checked below).
TEST(RuleFileCorpus, VerdictsMatchTheDirectories) {
  for (const auto& f : CorpusFiles("valid")) {
    auto r = LoadRuleFile(f);
    EXPECT_TRUE(r.ok()) << f << ": " << Describe(r);
  }
  for (const auto& f : CorpusFiles("invalid")) {
    auto r = LoadRuleFile(f);
    ASSERT_FALSE(r.ok()) << f << " was accepted";
    // Every error starts with the file's name.
    EXPECT_EQ(r.status().message().rfind(f, 0), 0u) << r.status().message();
  }
}

TEST(RuleFileCorpus, AgreesWithPromtool) {
  if (!testutil::HaveCommand("promtool")) GTEST_SKIP() << "promtool is not installed";
  std::string version;
  testutil::RunCommand("promtool --version", &version);
  int checked = 0;
  for (const char* dir : {"valid", "invalid"}) {
    for (const auto& f : CorpusFiles(dir)) {
      std::string out;
      int rc = testutil::RunCommand("promtool check rules '" + f + "'", &out);
      ASSERT_GE(rc, 0) << "cannot run promtool";
      bool promtool_ok = rc == 0;
      EXPECT_EQ(promtool_ok, std::string(dir) == "valid")
          << f << " is in the wrong directory: promtool says\n"
          << out;
      auto ours = LoadRuleFile(f);
      EXPECT_EQ(ours.ok(), promtool_ok)
          << f << "\npromtool (" << version.substr(0, version.find('\n')) << ", exit " << rc
          << "):\n"
          << out << "ours: " << Describe(ours);
      ++checked;
    }
  }
  EXPECT_GE(checked, 90);
}

// ---------------------------------------------------------------------------

TEST(ParseRuleFile, KeepsTheFields) {
  auto f = ParseRuleFile(R"(groups:
  - name: first
    interval: 1m30s
    limit: 7
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {team: infra, a: "1"}
      - alert: Down
        expr: up == 0
        for: 5m
        keep_firing_for: 30s
        labels: {severity: page, empty: ""}
        annotations:
          summary: "{{ $labels.instance }} down"
          description: text
  - name: second
)",
                         "dir/r.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->path, "dir/r.yml");
  ASSERT_EQ(f->groups.size(), 2u);
  const RuleGroupNode& g = f->groups[0];
  EXPECT_EQ(g.name, "first");
  EXPECT_EQ(g.interval_ms, 90000);
  EXPECT_EQ(g.limit, 7);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0].record, "job:up:sum");
  EXPECT_EQ(g.rules[0].alert, "");
  EXPECT_EQ(g.rules[0].expr, "sum by (job) (up)");
  EXPECT_EQ(g.rules[0].labels, (TemplatePairs{{"a", "1"}, {"team", "infra"}}));
  EXPECT_EQ(g.rules[1].alert, "Down");
  EXPECT_EQ(g.rules[1].for_ms, 300000);
  EXPECT_EQ(g.rules[1].keep_firing_for_ms, 30000);
  EXPECT_EQ(g.rules[1].labels, (TemplatePairs{{"empty", ""}, {"severity", "page"}}));
  EXPECT_EQ(g.rules[1].annotations,
            (TemplatePairs{{"description", "text"}, {"summary", "{{ $labels.instance }} down"}}));
  EXPECT_EQ(f->groups[1].name, "second");
  EXPECT_EQ(f->groups[1].interval_ms, 0);
  EXPECT_TRUE(f->groups[1].rules.empty());
}

TEST(ParseRuleFile, EmptyFilesHaveNoGroups) {
  for (const char* text : {"", "# comment\n", "groups:\n", "groups: []\n", "---\n"}) {
    auto f = ParseRuleFile(text, "e.yml");
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().message();
    EXPECT_TRUE(f->groups.empty()) << text;
  }
}

TEST(ParseRuleFile, NumbersAndNullsAsYamlV3ReadsThem) {
  auto f = ParseRuleFile(R"(groups:
  - {name: a, limit: 1.9}
  - {name: b, limit: 0x10}
  - {name: c, limit: 1_000}
  - {name: d, limit: 017}
  - {name: e, limit: ~}
  - name: f
    rules:
      - record: x
        expr: up
        labels: {~: dropped, kept: ~}
      -
)",
                         "n.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->groups.size(), 6u);
  EXPECT_EQ(f->groups[0].limit, 1);
  EXPECT_EQ(f->groups[1].limit, 16);
  EXPECT_EQ(f->groups[2].limit, 1000);
  EXPECT_EQ(f->groups[3].limit, 15);
  EXPECT_EQ(f->groups[4].limit, 0);
  ASSERT_EQ(f->groups[5].rules.size(), 1u);  // the null item is not a rule
  EXPECT_EQ(f->groups[5].rules[0].labels, (TemplatePairs{{"kept", ""}}));
}

TEST(ParseRuleFile, MergeKeysAndAliases) {
  auto f = ParseRuleFile(R"(groups:
  - name: m
    rules:
      - &base
        alert: Base
        expr: up == 0
        for: 5m
        labels: &common {team: infra, severity: warning}
      - <<: *base
        alert: Derived
        labels:
          <<: *common
          severity: critical
      - record: named
        expr: *common
)",
                         "m.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const auto& rules = f->groups[0].rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[1].alert, "Derived");
  EXPECT_EQ(rules[1].expr, "up == 0");
  EXPECT_EQ(rules[1].for_ms, 300000);
  EXPECT_EQ(rules[1].labels, (TemplatePairs{{"severity", "critical"}, {"team", "infra"}}));
  // rulefmt reads expr as a yaml.Node: an alias is the anchor's name.
  EXPECT_EQ(rules[2].expr, "common");
}

TEST(ParseRuleFile, OnlyTheFirstDocumentCounts) {
  auto f = ParseRuleFile("groups: [{name: a}]\n---\ngroups: [{name: b, bogus: 1}]\n", "d.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->groups.size(), 1u);
  EXPECT_EQ(f->groups[0].name, "a");
}

// What an error must name, for a few kinds of mistake.
struct ErrorCase {
  const char* yaml;
  std::vector<std::string> wants;  // substrings of the message
};

TEST(ParseRuleFile, ErrorsNameFileGroupAndRule) {
  const ErrorCase kCases[] = {
      {"groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n"
       "  - name: b\n    rules:\n      - record: y\n        expr: up\n"
       "      - alert: HighLoad\n        expr: 'node_load1 >'\n",
       {"f.yml:11:15: ", "group 2 (\"b\")", "rule 2 (\"HighLoad\")", "could not parse expression"}},
      {"groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n",
       {"f.yml:", "group 1 (\"a\")", "rule 1 (\"x\")", "invalid field 'for' in recording rule"}},
      {"groups:\n  - name: a\n    rules:\n      - alert: x\n        expr: up\n        for: 5\n",
       {"f.yml:6:14: ", "group 1 (\"a\"), rule 1: for", "not a valid duration string: \"5\""}},
      {"groups:\n  - name: a\n  - rules: []\n", {"f.yml:3:5: ", "group 2 (unnamed)", "empty"}},
      {"groups:\n  - name: a\n  - name: a\n", {"f.yml:3:5: ", "group 2 (\"a\")", "repeated"}},
      {"groups:\n  - name: a\n    bogus: 1\n", {"f.yml:3:5: ", "group 1 (\"a\")", "field bogus"}},
      {"groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        severity: "
       "x\n",
       {"f.yml:6:9: ", "rule 1", "field severity not found"}},
      {"groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n"
       "        labels: {a: b, a: c}\n",
       {"f.yml:6:24: ", "mapping key \"a\" already defined"}},
      {"groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n"
       "        annotations: {s: '{{ nosuchfn }}'}\n",
       {"f.yml:", "rule 1 (\"A\")", "annotation \"s\""}},
      {"groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n"
       "        labels: {__name__: y}\n",
       {"rule 1 (\"x\")", "invalid label name: __name__"}},
      {"groups: [\n", {"f.yml:2:1: yaml: "}},
      {"groups:\n  - name: a\n    limit: '5'\n",
       {"f.yml:3:12: ", "cannot unmarshal !!str `5` into int"}},
  };
  for (const ErrorCase& c : kCases) {
    auto f = ParseRuleFile(c.yaml, "f.yml");
    ASSERT_FALSE(f.ok()) << c.yaml;
    EXPECT_TRUE(f.status().IsInvalidArgument());
    for (const std::string& want : c.wants) {
      EXPECT_NE(f.status().message().find(want), std::string::npos)
          << "want \"" << want << "\" in: " << f.status().message();
    }
  }
}

TEST(ParseRuleFile, ReportsEveryError) {
  auto f = ParseRuleFile(
      "groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 1m\n"
      "      - record: 1x\n        expr: up\n",
      "f.yml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("invalid field 'for'"), std::string::npos);
  EXPECT_NE(f.status().message().find("invalid recording rule name: 1x"), std::string::npos);
}

// ---------------------------------------------------------------------------

class LoadRuleFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "rule_files_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/sub");
    fs::create_directories(dir_ + "/sub-b");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& group) {
    std::ofstream(dir_ + "/" + name) << "groups:\n  - name: " << group << "\n";
  }
  static std::vector<std::string> Groups(const std::vector<RuleFile>& files) {
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.groups.at(0).name);
    return names;
  }
  std::string dir_;
};

TEST_F(LoadRuleFilesTest, ExpandsSortsAndDeduplicates) {
  Write("b.yml", "b");
  Write("a.yml", "a");
  Write(".hidden.yml", "hidden");
  Write("sub/c.yml", "c");
  Write("sub-b/c.yml", "c2");
  Write("notes.txt", "ignored");
  auto files =
      LoadRuleFiles({"*.yml", "a.yml", "*/c.yml", dir_ + "/sub/c.yml", "none/*.yml"}, dir_);
  ASSERT_TRUE(files.ok()) << files.status().message();
  // As Go's filepath.Glob: '*' matches a leading dot, and directories are
  // read in order ("sub" before "sub-b").
  EXPECT_EQ(Groups(*files), (std::vector<std::string>{"hidden", "a", "b", "c", "c2"}));
  EXPECT_EQ((*files)[1].path, dir_ + "/a.yml");
}

TEST_F(LoadRuleFilesTest, ErrorsNameTheFile) {
  Write("a.yml", "a");
  std::ofstream(dir_ + "/bad.yml") << "groups:\n  - name: x\n    rules: [{record: y}]\n";
  auto files = LoadRuleFiles({"*.yml"}, dir_);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find(dir_ + "/bad.yml:"), std::string::npos)
      << files.status().message();
  EXPECT_FALSE(LoadRuleFiles({"[a"}, dir_).ok());  // Go's ErrBadPattern
}

TEST_F(LoadRuleFilesTest, MissingFiles) {
  auto files = LoadRuleFiles({"missing.yml", "*.nothing"}, dir_);
  ASSERT_TRUE(files.ok()) << files.status().message();  // a literal path is a pattern too
  EXPECT_TRUE(files->empty());
  auto one = LoadRuleFile(dir_ + "/missing.yml");
  ASSERT_FALSE(one.ok());
  EXPECT_TRUE(one.status().IsNotFound());
  EXPECT_NE(one.status().message().find(dir_ + "/missing.yml"), std::string::npos);
}

}  // namespace
}  // namespace rules
