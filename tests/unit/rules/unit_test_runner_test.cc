// Rule unit tests against promtool's own runner: every test file of the
// corpus in tests/fixtures/rules/unittests/{pass,fail} (rule files in
// rules/) goes through `promtool test rules` (Prometheus 2.42) and through
// RunRuleTestFile, and the verdicts must agree; the directory states
// promtool's verdict, so the corpus stays honest without promtool too. Where
// the failure comes from the comparison itself (not from a parser's error
// wording) the output must be promtool's byte for byte. Then the deployed
// rules' own tests, and table tests of the series notation.
#include "rules/unit_test_runner.h"

#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/value.h"
#include "tests/integration/test_util.h"

namespace rules {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = MS_SOURCE_DIR "/tests/fixtures/rules/unittests";
const std::string kDeployedTests = MS_SOURCE_DIR "/deploy/rules/host_test.yml";

// Files whose failure message is a parser's or loader's own wording (the
// verdict agrees, the text need not).
const std::set<std::string> kOwnWording = {
    "bad_values.yml",
    "invalid_rule_file.yml",
};

std::vector<std::string> CorpusFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kCorpus + "/" + dir)) {
    if (e.is_regular_file() && e.path().extension() == ".yml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(RuleTestCorpus, IsBroad) {
  EXPECT_GE(CorpusFiles("pass").size(), 8u);
  EXPECT_GE(CorpusFiles("fail").size(), 20u);
}

TEST(RuleTestCorpus, VerdictsMatchTheDirectories) {
  for (const char* dir : {"pass", "fail"}) {
    for (const auto& f : CorpusFiles(dir)) {
      auto r = RunRuleTestFile(f);
      ASSERT_TRUE(r.ok()) << f << ": " << r.status().message();
      EXPECT_EQ(r->passed, std::string(dir) == "pass") << r->output;
      EXPECT_EQ(r->output.rfind("Unit Testing:  " + f + "\n", 0), 0u) << r->output;
    }
  }
}

TEST(RuleTestCorpus, AgreesWithPromtool) {
  if (!testutil::HaveCommand("promtool")) GTEST_SKIP() << "promtool is not installed";
  int checked = 0;
  for (const char* dir : {"pass", "fail"}) {
    for (const auto& f : CorpusFiles(dir)) {
      std::string out;
      int rc = testutil::RunCommand("promtool test rules '" + f + "'", &out);
      ASSERT_GE(rc, 0) << "cannot run promtool";
      const bool promtool_ok = rc == 0;
      EXPECT_EQ(promtool_ok, std::string(dir) == "pass")
          << f << " is in the wrong directory: promtool says\n"
          << out;
      auto ours = RunRuleTestFile(f);
      ASSERT_TRUE(ours.ok()) << ours.status().message();
      EXPECT_EQ(ours->passed, promtool_ok) << "promtool:\n" << out << "ours:\n" << ours->output;
      if (!kOwnWording.count(fs::path(f).filename().string())) {
        EXPECT_EQ(ours->output, out) << f;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 28);
}

// The tests shipped with the deployed rules.
TEST(RuleTestCorpus, DeployedRuleTests) {
  if (!fs::exists(kDeployedTests)) GTEST_SKIP() << kDeployedTests << " does not exist";
  auto ours = RunRuleTestFile(kDeployedTests);
  ASSERT_TRUE(ours.ok()) << ours.status().message();
  if (testutil::HaveCommand("promtool")) {
    std::string out;
    int rc = testutil::RunCommand("promtool test rules '" + kDeployedTests + "'", &out);
    EXPECT_EQ(ours->passed, rc == 0) << "promtool:\n" << out << "ours:\n" << ours->output;
    EXPECT_EQ(rc, 0) << out;
  }
  EXPECT_TRUE(ours->passed) << ours->output;
}

TEST(RunRuleTestFile, UnreadableFileIsAnError) {
  auto r = RunRuleTestFile(kCorpus + "/does_not_exist.yml");
  EXPECT_FALSE(r.ok());
}

TEST(RunRuleTestFile, SuccessOutput) {
  const std::string f = kCorpus + "/pass/external.yml";
  auto r = RunRuleTestFile(f);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed);
  EXPECT_EQ(r->output, "Unit Testing:  " + f + "\n  SUCCESS\n\n");
}

TEST(RunRuleTestFile, AlertFailureOutput) {
  const std::string f = kCorpus + "/fail/alert_still_pending.yml";
  auto r = RunRuleTestFile(f);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->output,
            "Unit Testing:  " + f +
                "\n  FAILED:\n"
                "    name: pending is not firing,\n"
                "    alertname: InstanceDown, time: 3m, \n"
                "        exp:[\n"
                "            0:\n"
                "              Labels:{alertname=\"InstanceDown\", instance=\"a\", job=\"node\", "
                "severity=\"critical\", team=\"node-oncall\"}\n"
                "              Annotations:{description=\"a of job node has been down for more "
                "than 2 minutes (value 0).\", summary=\"Instance a down\"}\n"
                "            ], \n"
                "        got:[]\n\n\n");
}

TEST(RunRuleTestFile, ExprFailureOutput) {
  const std::string f = kCorpus + "/fail/expr_wrong_value.yml";
  auto r = RunRuleTestFile(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "Unit Testing:  " + f +
                           "\n  FAILED:\n"
                           "    expr: \"job:requests:rate1m\", time: 5m,\n"
                           "        exp: {__name__=\"job:requests:rate1m\", job=\"web\"} 2E+00\n"
                           "        got: {__name__=\"job:requests:rate1m\", job=\"web\"} 1E+00\n\n"
                           "    expr: \"requests_total\", time: 5m,\n"
                           "        exp: {__name__=\"requests_total\", instance=\"1\", "
                           "job=\"web\"} 2.99E+02\n"
                           "        got: {__name__=\"requests_total\", instance=\"1\", "
                           "job=\"web\"} 3E+02\n\n\n");
}

// ---------------------------------------------------------------------------

std::string Expand(const std::string& values) {
  auto r = ExpandSeriesValues(values);
  if (!r.ok()) return "error";
  std::string out;
  for (const auto& v : *r) {
    if (!out.empty()) out += " ";
    if (v.omitted) {
      out += "_";
    } else if (model::IsStaleNaN(v.value)) {
      out += "stale";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.value);
      out += buf;
    }
  }
  return out;
}

TEST(ExpandSeriesValues, Notation) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {"  1   2\t3 ", "1 2 3"},
      {"1+1x3", "1 2 3 4"},
      {"-2+4x3", "-2 2 6 10"},
      {" 1-2x4", "1 -1 -3 -5 -7"},
      {"5x2", "5 5 5"},
      {"5x0", "5"},
      {"_", "_"},
      {"_x3", "_ _ _"},
      {"_x0", ""},
      {"1 _ stale 2", "1 _ stale 2"},
      {"Inf -Inf +5 -0.5 .5 1e3 1.5E-1", "inf -inf 5 -0.5 0.5 1000 0.14999999999999999"},
      {"0.5+0.1x3", "0.5 0.59999999999999998 0.69999999999999996 0.79999999999999993"},
      {"010", "8"},        // Go's base-0 integer parse
      {"0x3", "0 0 0 0"},  // no hex in series values: 0, three times more
      {"Inf+1x1", "inf inf"},
      {"nan", "nan"},
      // Refused by Prometheus's series-description parser.
      {"three", "error"},
      {"1+2", "error"},
      {"1x", "error"},
      {"1x-2", "error"},
      {"1+-2x2", "error"},
      {"_1", "error"},
      {"_ x3", "error"},
      {"stalex3", "error"},
      {"Infx3", "error"},
      {"Stale", "error"},
      {"-stale", "error"},
      {"1,2", "error"},
      {"0x", "error"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Expand(c.in), c.want) << "values: '" << c.in << "'";
  }
}

std::string Notation(const std::string& in) {
  auto r = ParseSeriesNotation(in);
  if (!r.ok()) return "error";
  std::string out;
  for (const auto& l : *r) out += l.name + "=" + l.value + ";";
  return out;
}

TEST(ParseSeriesNotation, Table) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {"{}", ""},
      {"up", "__name__=up;"},
      {"job:up:sum{job=\"a\"}", "__name__=job:up:sum;job=a;"},
      {"x{b=\"2\", a='1',}", "__name__=x;a=1;b=2;"},
      {" x { a = `r\\aw` } ", "__name__=x;a=r\\aw;"},
      {"{__name__=\"x\", e=\"\"}", "__name__=x;e=;"},
      {"x{a=\"q\\\"\\n\\u00e9\"}", "__name__=x;a=q\"\n\xc3\xa9;"},
      {"sum{by=\"x\"}", "__name__=sum;by=x;"},
      {"x{a=1}", "error"},
      {"x{a!=\"1\"}", "error"},
      {"x{a=\"1\"", "error"},
      {"x{1a=\"1\"}", "error"},
      {"x y", "error"},
      {"x{a=\"1\"} 1 2", "error"},
      {"-x", "error"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Notation(c.in), c.want) << "series: " << c.in;
  }
}

}  // namespace
}  // namespace rules
