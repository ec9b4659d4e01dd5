// Fuzz target: the POST /api/v1/read request path before any storage read:
// snappy, the ReadRequest protobuf, response type negotiation and the
// conversion of every query's matchers (types, regexps, external label
// stripping). Nothing may crash; a request that decodes must re-encode and
// decode to the same message, and no converted matcher may be an equality
// on an external label's own value (those are stripped). The first input
// byte picks whether the rest is the body as sent (snappy) or the raw
// protobuf, compressed here so the parser sees arbitrary bytes.
#include <snappy.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/labels.h"
#include "server/api/remote_read.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string body;
  if (data[0] & 1) {
    body.assign(rest);
  } else {
    snappy::Compress(rest.data(), rest.size(), &body);
  }
  auto req = server::DecodeReadRequest(body, 8u << 20);
  if (!req.ok()) return 0;
  std::string again;
  if (!req->SerializeToString(&again)) std::abort();
  ms::remote::ReadRequest reparsed;
  if (!reparsed.ParseFromString(again) || reparsed.SerializeAsString() != again) std::abort();
  (void)server::NegotiateReadResponseType(*req);
  const model::Labels external{{"dc", "eu"}, {"replica", "a"}};
  for (const auto& q : req->queries()) {
    auto matchers = server::ReadQueryMatchers(q, external);
    if (!matchers.ok()) continue;
    if (matchers->size() > static_cast<size_t>(q.matchers_size())) std::abort();
    for (const auto& m : *matchers) {
      if (m.type() == model::Matcher::Type::kEqual && !m.value().empty() &&
          external.Get(m.name()) == m.value()) {
        std::abort();
      }
      (void)m.Matches("eu");
    }
  }
  return 0;
}
