// monitoring-rules: promtool's `check rules` and `test rules` for this
// project's rule engine.
//
//   monitoring-rules check alerts.yml recording.yml
//   monitoring-rules test tests/*.yml
//
// Both print what promtool prints (results on stdout, failures on stderr)
// and exit 1 if any file failed.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "rules/rule_file.h"
#include "rules/unit_test_runner.h"

namespace {

// promtool's duplicate-rules lint: rules with the same name (record or
// alert) and the same labels (as written, templates unexpanded). The
// message, or "" when there are none.
std::string DuplicateRules(const rules::RuleFile& file) {
  using Key = std::pair<std::string, rules::TemplatePairs>;
  std::vector<Key> all;
  for (const auto& g : file.groups) {
    for (const auto& r : g.rules) all.emplace_back(r.alert.empty() ? r.record : r.alert, r.labels);
  }
  std::sort(all.begin(), all.end());
  std::vector<Key> dups;
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i] == all[i - 1] && (dups.empty() || dups.back() != all[i])) dups.push_back(all[i]);
  }
  if (dups.empty()) return "";
  std::string msg = "lint error " + std::to_string(dups.size()) + " duplicate rule(s) found.\n";
  for (const auto& [metric, labels] : dups) {
    msg += "Metric: " + metric + "\nLabel(s):\n";
    for (const auto& [k, v] : labels) msg += "\t" + k + ": " + v + "\n";
  }
  return msg + "Might cause inconsistency while recording expressions";
}

// Exit status as promtool's: 1 if a file failed to load; lint findings are
// reported as failures but do not change the status.
int CheckRules(const std::vector<std::string>& files) {
  bool failed = false;
  for (const auto& f : files) {
    std::printf("Checking %s\n", f.c_str());
    std::fflush(stdout);
    auto r = rules::LoadRuleFile(f);
    std::string lint;
    if (!r.ok()) {
      std::fprintf(stderr, "  FAILED:\n%s\n", r.status().message().c_str());
      std::fflush(stderr);
      failed = true;
    } else if (lint = DuplicateRules(*r); !lint.empty()) {
      std::fprintf(stderr, "  FAILED:\n%s\n", lint.c_str());
      std::fflush(stderr);
    } else {
      size_t n = 0;
      for (const auto& g : r->groups) n += g.rules.size();
      std::printf("  SUCCESS: %zu rules found\n", n);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}

int TestRules(const std::vector<std::string>& files) {
  bool failed = false;
  for (const auto& f : files) {
    auto r = rules::RunRuleTestFile(f);
    if (!r.ok()) {
      std::printf("Unit Testing:  %s\n", f.c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "  FAILED:\n%s\n", r.status().message().c_str());
      std::fflush(stderr);
      std::printf("\n\n");
      failed = true;
      continue;
    }
    // Failures go to stderr as promtool writes them; the rest to stdout.
    const std::string& out = r->output;
    const size_t at = r->passed ? std::string::npos : out.find("  FAILED:\n");
    if (at == std::string::npos) {
      std::fputs(out.c_str(), stdout);
    } else {
      std::fputs(out.substr(0, at).c_str(), stdout);
      std::fflush(stdout);
      std::fputs(out.substr(at).c_str(), stderr);
      std::fflush(stderr);
      failed = true;
    }
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Checks and unit-tests Prometheus rule files (as promtool check/test rules)."};
  app.set_version_flag("--version", MS_VERSION);
  app.require_subcommand(1);

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "Check rule files for syntax and validity.");
  check->add_option("files", check_files, "Rule files")->required();

  std::vector<std::string> test_files;
  auto* test = app.add_subcommand("test", "Run rule unit tests (promtool's test file format).");
  test->add_option("files", test_files, "Unit test files")->required();

  CLI11_PARSE(app, argc, argv);
  // Rule evaluation warnings are reported as test failures, not logged.
  spdlog::set_level(spdlog::level::off);

  if (check->parsed()) return CheckRules(check_files);
  return TestRules(test_files);
}
