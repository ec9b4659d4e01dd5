// Operations on postings lists: sorted, strictly increasing series ids.
#pragma once

#include <cstdint>
#include <vector>

namespace tsdb {

// Ids in both a and b. REQUIRES: a and b sorted, unique.
std::vector<uint64_t> Intersect(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
// Ids in a but not in b. REQUIRES: a and b sorted, unique.
std::vector<uint64_t> Without(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
// Sorts and removes duplicates in place.
void SortUnique(std::vector<uint64_t>* ids);

}  // namespace tsdb
