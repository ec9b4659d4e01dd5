// Fuzz target: query API parameters: times (unix seconds or RFC 3339),
// durations (seconds or Prometheus durations), URL-encoded forms. Properties:
// no crash or UB; accepted times lie within +-2^62 ms so that end - start
// cannot overflow; durations print and parse back to themselves.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/http_server.h"
#include "model/duration.h"
#include "server/api/query_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1024) return 0;
  const std::string s(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kLimit = int64_t{1} << 62;
  if (auto t = server::ParseApiTime(s); t.ok() && (*t > kLimit || *t < -kLimit)) std::abort();
  (void)server::ParseApiDuration(s);
  if (auto d = model::ParseDuration(s); d.ok() && *d >= 0) {
    auto back = model::ParseDuration(model::FormatDuration(*d));
    if (!back.ok() || *back != *d) std::abort();
  }
  (void)common::ParseUrlEncoded(s);
  (void)common::UrlDecode(s, true);
  return 0;
}
