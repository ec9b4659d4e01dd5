// Fuzz target: the bodies of the built-in notifier's write endpoints, POST
// /api/v2/alerts (notifier::AlertsFromJson) and POST /api/v2/silences
// (notifier::SilenceFromJson + ValidateSilence). The first byte picks the
// parser. Properties: no crash, UB or uncaught exception on any bytes; every
// refusal carries a message; an accepted alert has labels.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "notifier/notifier.h"
#include "notifier/silences.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto alerts = notifier::AlertsFromJson(body);
    if (!alerts.ok() && alerts.status().message().empty()) std::abort();
    if (alerts.ok()) {
      for (const auto& a : *alerts) {
        if (a.labels.empty()) std::abort();
      }
    }
  } else {
    auto s = notifier::SilenceFromJson(body);
    if (!s.ok() && s.status().message().empty()) std::abort();
    if (s.ok()) {
      auto v = notifier::ValidateSilence(*s);
      if (!v.ok() && v.message().empty()) std::abort();
    }
  }
  return 0;
}
