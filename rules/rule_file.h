// Prometheus rule files (rulefmt, Prometheus 2.42): groups of recording and
// alerting rules, validated the way `promtool check rules` validates them, so
// a file is accepted here exactly when promtool accepts it.
//
//   groups:
//     - name: host            # required, unique within the file
//       interval: 30s         # optional; default: global.evaluation_interval
//       limit: 0              # optional; max series/alerts per rule, 0 = none
//       rules:
//         - record: job:up:sum
//           expr: sum by (job) (up)
//           labels: {team: infra}
//         - alert: InstanceDown
//           expr: up == 0
//           for: 5m
//           keep_firing_for: 0s
//           labels: {severity: critical}
//           annotations: {summary: "{{ $labels.instance }} down"}
//
// Errors name the file, the group and the rule: the file is either taken
// whole or refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace rules {

// name -> template text, sorted by name, names unique. Values may be empty
// (an empty label value removes that label from the rule's output).
using TemplatePairs = std::vector<std::pair<std::string, std::string>>;

struct RuleNode {
  std::string record;  // exactly one of record and alert is set
  std::string alert;
  std::string expr;
  int64_t for_ms = 0;              // alerting rules only
  int64_t keep_firing_for_ms = 0;  // alerting rules only
  TemplatePairs labels;
  TemplatePairs annotations;  // alerting rules only
};

struct RuleGroupNode {
  std::string name;
  int64_t interval_ms = 0;  // 0: the global evaluation interval
  int64_t limit = 0;        // 0: no limit
  std::vector<RuleNode> rules;
};

struct RuleFile {
  std::string path;
  std::vector<RuleGroupNode> groups;
};

// Parses and validates one file's text. `path` is used in errors and kept.
common::Result<RuleFile> ParseRuleFile(std::string_view yaml_text, const std::string& path);
// Reads and parses one file.
common::Result<RuleFile> LoadRuleFile(const std::string& path);
// Expands each glob pattern (relative patterns against base_dir, as
// Prometheus resolves rule_files against the config file's directory),
// loads every matched file once, in pattern order and sorted within a
// pattern. A pattern matching nothing is not an error (as in Prometheus).
common::Result<std::vector<RuleFile>> LoadRuleFiles(const std::vector<std::string>& patterns,
                                                    const std::string& base_dir);

}  // namespace rules
