#include "promql/quantile.h"

#include <algorithm>
#include <cmath>

namespace promql {

double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return NAN;
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  // NaNs sort first, as Prometheus's Less puts them.
  auto mid =
      std::stable_partition(values->begin(), values->end(), [](double v) { return std::isnan(v); });
  std::sort(mid, values->end());
  double n = static_cast<double>(values->size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return (*values)[static_cast<size_t>(lower)] * (1 - weight) +
         (*values)[static_cast<size_t>(upper)] * weight;
}

double BucketQuantile(double q, std::vector<Bucket>* bp) {
  std::vector<Bucket>& b = *bp;
  if (std::isnan(q)) return NAN;  // Prometheus: no interpolation for q = NaN
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  auto by_bound = [](const Bucket& x, const Bucket& y) { return x.upper_bound < y.upper_bound; };
  // Callers usually pass buckets in order already (one sort per histogram,
  // not per step).
  if (!std::is_sorted(b.begin(), b.end(), by_bound)) std::sort(b.begin(), b.end(), by_bound);
  if (b.empty() || !(std::isinf(b.back().upper_bound) && b.back().upper_bound > 0)) return NAN;
  // Coalesce buckets with the same upper bound, in place.
  size_t kept = 0;
  for (size_t j = 0; j < b.size(); ++j) {
    if (kept > 0 && b[kept - 1].upper_bound == b[j].upper_bound) {
      b[kept - 1].count += b[j].count;
    } else {
      b[kept++] = b[j];
    }
  }
  b.resize(kept);
  std::vector<Bucket>& c = b;
  // Ensure monotonic counts.
  double max = -INFINITY;
  for (Bucket& x : c) {
    if (x.count > max) {
      max = x.count;
    } else if (x.count < max) {
      x.count = max;
    }
  }
  if (c.size() < 2) return NAN;
  double observations = c.back().count;
  if (observations == 0) return NAN;
  double rank = q * observations;
  // sort.Search over [0, len-1): first bucket with count >= rank.
  size_t lo = 0, hi = c.size() - 1;
  while (lo < hi) {
    size_t h = lo + (hi - lo) / 2;
    if (!(c[h].count >= rank)) {
      lo = h + 1;
    } else {
      hi = h;
    }
  }
  size_t i = lo;
  if (i == c.size() - 1) return c[c.size() - 2].upper_bound;
  if (i == 0 && c[0].upper_bound <= 0) return c[0].upper_bound;
  double bucket_start = 0;
  double bucket_end = c[i].upper_bound;
  double count = c[i].count;
  if (i > 0) {
    bucket_start = c[i - 1].upper_bound;
    count -= c[i - 1].count;
    rank -= c[i - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

}  // namespace promql
