#include "model/duration.h"

#include <charconv>

namespace model {

namespace {
struct Unit {
  std::string_view name;
  int64_t ms;
};
// Longest names first so "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ms", 1},       {"y", 365LL * 86400000}, {"w", 7LL * 86400000},
                           {"d", 86400000}, {"h", 3600000},          {"m", 60000},
                           {"s", 1000}};
int Rank(std::string_view unit) {
  static constexpr std::string_view kOrder[] = {"y", "w", "d", "h", "m", "s", "ms"};
  for (int i = 0; i < 7; ++i) {
    if (kOrder[i] == unit) return i;
  }
  return -1;
}
}  // namespace

common::Result<int64_t> ParseDuration(std::string_view s) {
  if (s.empty()) return common::Status::InvalidArgument("empty duration string");
  if (s == "0") return int64_t{0};
  std::string_view rest = s;
  int64_t total = 0;
  int last_rank = -1;
  while (!rest.empty()) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec != std::errc() || p == rest.data() || n < 0) {
      return common::Status::InvalidArgument("not a valid duration string: \"" + std::string(s) +
                                             "\"");
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
      return common::Status::InvalidArgument("not a valid duration string: \"" + std::string(s) +
                                             "\"");
    }
    int rank = Rank(unit->name);
    if (rank <= last_rank) {
      return common::Status::InvalidArgument("not a valid duration string: \"" + std::string(s) +
                                             "\" (units must be in decreasing order)");
    }
    last_rank = rank;
    rest.remove_prefix(unit->name.size());
    if (n > INT64_MAX / unit->ms || total > INT64_MAX - n * unit->ms) {
      return common::Status::InvalidArgument("duration out of range: \"" + std::string(s) + "\"");
    }
    total += n * unit->ms;
  }
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string r;
  auto f = [&](const char* unit, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    int64_t v = ms / mult;
    if (v > 0) {
      r += std::to_string(v) + unit;
      ms -= v * mult;
    }
  };
  const int64_t day = 24LL * 3600 * 1000;
  f("y", 365 * day, true);
  f("w", 7 * day, true);
  f("d", day, false);
  f("h", 3600 * 1000, false);
  f("m", 60 * 1000, false);
  f("s", 1000, false);
  f("ms", 1, false);
  return r;
}

}  // namespace model
