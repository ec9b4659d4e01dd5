// Relabeling as Prometheus 2.42 does it (its model/relabel package): the
// relabel_config of scrape configs (metric_relabel_configs) and of remote
// write (write_relabel_configs), its validation rules and messages, and
// Process, which rewrites or drops one label set.
//
// Semantics that differ from a naive reading, all as in Prometheus 2.42:
//   - regex is fully anchored: "fo" does not match "foo"; '.' does not match
//     a newline (Go's default flags, not PromQL's).
//   - replacement and a replace action's target_label are expanded as Go's
//     regexp.Expand: $1, ${1}, $name, ${name}; a name is the longest run of
//     letters, digits and '_', so "$1x" is the group named "1x" (empty: no
//     such group), "$$" is a '$', and a '$' not followed by a name stays.
//   - a label whose value becomes "" is deleted (a replace whose expanded
//     replacement is empty deletes target_label as written).
//   - a label set that is empty after the last step counts as dropped; one
//     emptied by an earlier step goes on through the later ones.
//
// Thread safety: a compiled RelabelConfig is immutable and may be shared by
// any number of threads calling Process.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"

namespace re2 {
class RE2;
}

namespace model {

enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
  kKeepEqual,
  kDropEqual,
};

// The configuration name of an action ("replace", "hashmod", ...).
std::string_view RelabelActionName(RelabelAction action);
// The action named s, compared case-insensitively as Prometheus does;
// nullopt for an unknown name.
std::optional<RelabelAction> ParseRelabelAction(std::string_view s);

inline constexpr std::string_view kDefaultRelabelSeparator = ";";
inline constexpr std::string_view kDefaultRelabelRegex = "(.*)";
inline constexpr std::string_view kDefaultRelabelReplacement = "$1";

// One relabel_config. The field defaults are Prometheus's; every field has
// an initializer, so designated initializers may name any subset.
struct RelabelConfig {
  // Values of these labels ("" for absent ones) joined by separator form the
  // string the regex is matched against.
  std::vector<std::string> source_labels{};
  std::string separator = std::string(kDefaultRelabelSeparator);
  // Unanchored source text; Compile() anchors it as ^(?:regex)$.
  std::string regex = std::string(kDefaultRelabelRegex);
  uint64_t modulus = 0;  // hashmod only; required there
  std::string target_label{};
  std::string replacement = std::string(kDefaultRelabelReplacement);
  RelabelAction action = RelabelAction::kReplace;

  // Whether the configuration file named source_labels / regex at all (even
  // as [] or the default pattern): Prometheus rejects labeldrop/labelkeep
  // with any source_labels key and keepequal/dropequal with any regex key,
  // because it compares them by identity, not by value. Set by parsers;
  // configs built in code may leave them false.
  bool source_labels_given = false;
  bool regex_given = false;

  // The anchored regex, set by Compile(); shared and immutable, so copying a
  // config is cheap and copies may be used concurrently.
  std::shared_ptr<const re2::RE2> compiled_regex{};

  // Checks the config against Prometheus's rules (InvalidArgument with
  // Prometheus's message, e.g. "relabel configuration for hashmod requires
  // non-zero modulus" or "error parsing regexp: ...") and compiles regex.
  // Call again after changing regex.
  [[nodiscard]] common::Status Compile();
};

// Applies configs in order to in. Returns false if the series is dropped (a
// keep/drop/keepequal/dropequal step said so, or no label is left at the end);
// otherwise true with the result, sorted, in *out. out may alias &in.
// The result may hold names that are not valid label names (labelmap writes
// what its replacement expands to, as Prometheus does): callers validate.
// REQUIRES: every config was Compile()d successfully (aborts otherwise).
bool Process(const Labels& in, const std::vector<RelabelConfig>& configs, Labels* out);

}  // namespace model
