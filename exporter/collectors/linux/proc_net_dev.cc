#include "exporter/collectors/linux/proc_net_dev.h"

#include "exporter/collectors/parse_util.h"

namespace exporter {

common::Result<std::vector<NetDevStats>> ParseProcNetDev(std::string_view text) {
  std::vector<NetDevStats> out;
  auto lines = parse::Lines(text);
  // Two header lines ("Inter-|   Receive ..." and " face |bytes ...").
  for (size_t i = 2; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (parse::Trim(line).empty()) continue;
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      return common::Status::Corruption("missing colon: " + std::string(line));
    }
    NetDevStats d{std::string(parse::Trim(line.substr(0, colon))), {}};
    if (d.name.empty()) return common::Status::Corruption("no device name: " + std::string(line));
    auto f = parse::Fields(line.substr(colon + 1));
    if (f.size() != kNetDevColumns) {
      return common::Status::Corruption("expected 16 counters: " + std::string(line));
    }
    for (size_t k = 0; k < kNetDevColumns; ++k) {
      auto v = parse::ToUint(f[k]);
      if (!v) return common::Status::Corruption("bad counter: " + std::string(line));
      d.values[k] = *v;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace exporter
