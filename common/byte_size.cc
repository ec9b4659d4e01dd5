#include "common/byte_size.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace common {

Result<uint64_t> ParseByteSize(std::string_view s) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (n > (UINT64_MAX - d) / 10) return Status::InvalidArgument("size too large: " + std::string(s));
    n = n * 10 + d;
    ++i;
  }
  if (i == 0) {
    return Status::InvalidArgument("not a size: \"" + std::string(s) +
                                   "\" (use a number with B, KiB, MiB, GiB or TiB)");
  }
  std::string unit(s.substr(i));
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  struct Unit {
    const char* name;
    int shift;
  };
  static constexpr Unit kUnits[] = {{"", 0},    {"b", 0},    {"k", 10},  {"kb", 10},
                                    {"kib", 10}, {"m", 20},   {"mb", 20}, {"mib", 20},
                                    {"g", 30},   {"gb", 30},  {"gib", 30}, {"t", 40},
                                    {"tb", 40},  {"tib", 40}};
  int shift = -1;
  for (const Unit& u : kUnits) {
    if (unit == u.name) shift = u.shift;
  }
  if (shift < 0) {
    return Status::InvalidArgument("unknown size unit \"" + std::string(s.substr(i)) + "\" in \"" +
                                   std::string(s) + "\" (use B, KiB, MiB, GiB or TiB)");
  }
  if (shift > 0 && n > (UINT64_MAX >> shift)) {
    return Status::InvalidArgument("size too large: " + std::string(s));
  }
  return n << shift;
}

std::string FormatByteSize(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v == static_cast<double>(static_cast<uint64_t>(v)) ? "%.0f %s" : "%.1f %s", v,
                units[u]);
  return buf;
}

uint64_t UsableMemoryBytes(const char* cgroup_root, const char* proc_cgroup) {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  uint64_t mem = pages > 0 && page_size > 0
                     ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                     : 0;
  // "max" (v2) or a huge number (v1) mean no limit; both fail or lose below.
  std::vector<std::string> files = {"/memory.max", "/memory/memory.limit_in_bytes"};
  {
    // cgroup v2: "0::/system.slice/monitoring-server.service".
    std::ifstream in(proc_cgroup);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("0::/", 0) == 0 && line.size() > 4) files.push_back(line.substr(3) + "/memory.max");
    }
  }
  for (const std::string& file : files) {
    std::ifstream in(std::string(cgroup_root) + file);
    std::string v;
    if (!(in >> v)) continue;
    auto limit = ParseByteSize(v);
    if (limit.ok() && *limit > 0 && (mem == 0 || *limit < mem)) mem = *limit;
  }
  return mem;
}

}  // namespace common
