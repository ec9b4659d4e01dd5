#include "common/duration.h"

#include <charconv>

namespace common {

namespace {
struct Unit {
  std::string_view name;
  int64_t ms;
};
// Longest names first so "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ms", 1},          {"y", 365LL * 86400000}, {"w", 7LL * 86400000},
                           {"d", 86400000},    {"h", 3600000},         {"m", 60000},
                           {"s", 1000}};
int Rank(std::string_view unit) {
  static constexpr std::string_view kOrder[] = {"y", "w", "d", "h", "m", "s", "ms"};
  for (int i = 0; i < 7; ++i) {
    if (kOrder[i] == unit) return i;
  }
  return -1;
}
}  // namespace

Result<int64_t> ParseDuration(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("empty duration string");
  if (s == "0") return int64_t{0};
  std::string_view rest = s;
  int64_t total = 0;
  int last_rank = -1;
  while (!rest.empty()) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec != std::errc() || p == rest.data() || n < 0) {
      return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\"");
    }
    rest.remove_prefix(static_cast<size_t>(p - rest.data()));
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (rest.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (!unit) {
      return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) + "\"");
    }
    int rank = Rank(unit->name);
    if (rank <= last_rank) {
      return Status::InvalidArgument("not a valid duration string: \"" + std::string(s) +
                                     "\" (units must be in decreasing order)");
    }
    last_rank = rank;
    rest.remove_prefix(unit->name.size());
    if (n > INT64_MAX / unit->ms || total > INT64_MAX - n * unit->ms) {
      return Status::InvalidArgument("duration out of range: \"" + std::string(s) + "\"");
    }
    total += n * unit->ms;
  }
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  for (const Unit& u : {kUnits[1], kUnits[2], kUnits[3], kUnits[4], kUnits[5], kUnits[6],
                        kUnits[0]}) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + std::string(u.name);
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace common
