// Parsing Prometheus's relabel_config lists (write_relabel_configs,
// metric_relabel_configs) from YAML into model::RelabelConfig.
//
//   - source_labels: [a, b]   # valid label names; values joined by separator
//     separator: ";"          # default ";"
//     regex: "(.*)"           # default (.*); anchored; null means ""
//     modulus: 8              # hashmod only (required there)
//     target_label: t
//     replacement: "$1"       # default $1
//     action: replace         # default replace; case-insensitive
//
// Prometheus 2.42's acceptance and messages: defaults as above, a key given
// as null takes the field's zero value (as Go's YAML decoder does), unknown
// keys are errors, and every config is validated and compiled
// (model::RelabelConfig::Compile). Errors name the item:
// "<field>[2]: relabel configuration for hashmod requires non-zero modulus".
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "model/relabel.h"

namespace YAML {
class Node;
}

namespace server {

// node: the list (null or absent means no configs); field: its name for
// error messages. The result's configs are compiled, ready for
// model::Process.
common::Result<std::vector<model::RelabelConfig>> ParseRelabelConfigs(const YAML::Node& node,
                                                                      const std::string& field);

}  // namespace server
