// Comparison of secrets (tokens, password hashes) whose time does not tell
// where the first difference is.
#pragma once

#include <algorithm>
#include <string_view>

namespace common {

// a == b, looking at every byte of the longer one whatever the contents.
inline bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace common
