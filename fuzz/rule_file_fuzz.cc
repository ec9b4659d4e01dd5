// Fuzz target: rule files (rules::ParseRuleFile: YAML events, PromQL
// expressions, Go templates) and template expansion of what parses.
// Properties: no crash, UB, hang or uncaught exception on any bytes; every
// refusal carries a message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/rule_file.h"
#include "rules/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto f = rules::ParseRuleFile(text, "fuzz.yml");
  if (!f.ok() && f.status().message().empty()) std::abort();
  // The same bytes as a template: parse, and expand what parses (no query
  // function: `query` fails cleanly).
  auto c = rules::CheckTemplate("__alert_fuzz", text);
  if (!c.ok() && c.message().empty()) std::abort();
  if (c.ok()) {
    rules::TemplateData d;
    d.labels = model::Labels{{"instance", "h1"}, {"job", "node"}};
    d.value = 0.5;
    auto r = rules::ExpandTemplate("__alert_fuzz", text, d, 0, {});
    if (!r.ok() && r.status().message().empty()) std::abort();
  }
  return 0;
}
