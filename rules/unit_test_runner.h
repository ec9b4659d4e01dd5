// Rule unit tests in the format of `promtool test rules` (Prometheus 2.42,
// cmd/promtool/unittest.go and docs/configuration/unit_testing_rules.md):
//
//   rule_files: [alerts.yml]          # relative to the test file, globs
//   evaluation_interval: 1m           # default 1m
//   group_eval_order: [g1, g2]        # optional partial order of groups
//   tests:
//     - interval: 1m                  # spacing of the input samples
//       name: disk                    # optional, shown in failures
//       external_labels: {dc: eu}     # for templates ($externalLabels)
//       external_url: http://x        # for templates ($externalURL)
//       input_series:
//         - series: 'node_load1{instance="a"}'
//           values: '0+1x10 _ stale 5x3'
//       alert_rule_test:
//         - eval_time: 5m
//           alertname: HighLoad
//           exp_alerts:
//             - exp_labels: {instance: a, severity: page}
//               exp_annotations: {summary: "a is loaded"}
//       promql_expr_test:
//         - expr: node_load1 > 3
//           eval_time: 5m
//           exp_samples:
//             - labels: 'node_load1{instance="a"}'
//               value: 5
//
// Each test group is evaluated the way promtool evaluates it: the input
// series are loaded into a promql::MemoryStorage up to each evaluation time,
// every rule group of the rule files is evaluated (in group_eval_order) at
// 0, evaluation_interval, ... up to the largest eval_time, writing its
// results back into the same storage, alerting rules start "restored" (no
// `for` recovery wait), the firing alerts are compared after the evaluation
// at ts for every alert eval_time t with ts <= t < ts + evaluation_interval,
// and the PromQL expressions are queried at their eval_time afterwards.
// Failures are reported in promtool's words and layout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"

namespace rules {

struct RuleTestResult {
  bool passed = false;
  // What `promtool test rules FILE` prints for the file, stdout and stderr
  // interleaved as on a terminal: "Unit Testing:  FILE\n", then
  // "  SUCCESS\n\n" or "  FAILED:\n" followed by each failure and a blank
  // line.
  std::string output;
};

// Runs one test file. A file that cannot be read is the only error; every
// other problem (bad YAML, a rule file that does not load, a failed
// expectation) is a failed result, as promtool reports it.
common::Result<RuleTestResult> RunRuleTestFile(const std::string& path);

// One value of an input series after expansion: omitted ('_') or a value
// (possibly the staleness marker, for 'stale').
struct SeriesValue {
  bool omitted = false;
  double value = 0;
};

// Expands promtool's value notation (space-separated items):
//   'a'      one value (a float, Inf, NaN, with an optional sign)
//   'axN'    a repeated N+1 times
//   'a+bxN'  a, a+b, ..., N additions of b (accumulated as floats)
//   'a-bxN'  the same subtracting
//   '_'      one missing sample;  '_xN' N missing samples
//   'stale'  a staleness marker
// InvalidArgument on anything else.
common::Result<std::vector<SeriesValue>> ExpandSeriesValues(std::string_view values);

// Parses series notation `name{label="value", ...}` (name or braces may be
// left out; values in "", '' or ``). Returns the labels sorted by name,
// __name__ included, keeping empty values (as Prometheus's parser does, so
// that an expected label with an empty value never matches).
common::Result<std::vector<model::Label>> ParseSeriesNotation(std::string_view text);

}  // namespace rules
