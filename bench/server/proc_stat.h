// /proc readings the server benchmarks take of the process under test.
#pragma once

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

namespace bench {

// utime + stime of `pid` in seconds; nullopt if the process is gone.
inline std::optional<double> ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = s.rfind(')');
  if (r == std::string::npos) return std::nullopt;
  std::istringstream fields(s.substr(r + 2));
  std::string f;
  double ut = 0, st = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) ut = std::stod(f);
    if (i == 15) st = std::stod(f);
  }
  return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace bench
