// Fuzz target: the server's YAML config parser (--config, SIGHUP, /-/reload).
// Properties: no crash, UB or uncaught exception on any bytes; every refusal
// carries a message.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  auto c = server::ParseConfig(std::string(reinterpret_cast<const char*>(data), size));
  if (!c.ok() && c.status().message().empty()) std::abort();
  return 0;
}
