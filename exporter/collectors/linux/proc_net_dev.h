// Parser of /proc/net/dev (and /proc/<pid>/net/dev), shared by the netdev
// collector (host interfaces) and the cgroup collector (container netns).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace exporter {

// The file's 16 counter columns, in file order.
enum NetDevColumn {
  kRxBytes,
  kRxPackets,
  kRxErrs,
  kRxDrop,
  kRxFifo,
  kRxFrame,
  kRxCompressed,
  kRxMulticast,
  kTxBytes,
  kTxPackets,
  kTxErrs,
  kTxDrop,
  kTxFifo,
  kTxColls,
  kTxCarrier,
  kTxCompressed,
  kNetDevColumns
};

struct NetDevStats {
  std::string name;
  std::array<uint64_t, kNetDevColumns> values;
};

// Skips the two header lines; Corruption naming the line on malformed input.
common::Result<std::vector<NetDevStats>> ParseProcNetDev(std::string_view text);

}  // namespace exporter
