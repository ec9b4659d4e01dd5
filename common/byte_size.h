// Memory sizes given on the command line ("256MiB", "1GB", "auto") and the
// machine's memory, from which the server derives its storage budgets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

// A byte count: digits with an optional unit B, K/KB/KiB, M/MB/MiB, G/GB/GiB,
// T/TB/TiB (case-insensitive). Every unit is a power of 1024, as
// Prometheus's size flags (--storage.tsdb.retention.size) read "512MB".
// InvalidArgument naming the problem otherwise (overflow included).
Result<uint64_t> ParseByteSize(std::string_view s);

// "512 MiB", "1.5 GiB": for logs.
std::string FormatByteSize(uint64_t bytes);

// Memory this process can use: the machine's physical memory, or a cgroup
// limit when lower (a container, a systemd unit's MemoryMax): v2 memory.max
// of the process's own cgroup (from `proc_cgroup`) and of the mount's root,
// v1 memory.limit_in_bytes. `cgroup_root` is where cgroups are mounted.
uint64_t UsableMemoryBytes(const char* cgroup_root = "/sys/fs/cgroup",
                           const char* proc_cgroup = "/proc/self/cgroup");

}  // namespace common
