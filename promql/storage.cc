#include "promql/storage.h"

namespace promql {

common::Status SeriesIterator::AppendRange(int64_t mint, int64_t maxt,
                                           std::vector<std::pair<int64_t, double>>* out) {
  if (Seek(mint)) {
    do {
      auto s = At();
      if (s.first > maxt) break;
      out->push_back(s);
    } while (Next());
  }
  return status();
}

}  // namespace promql
