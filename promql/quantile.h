// Quantile estimation as Prometheus does it: over raw values (quantile,
// quantile_over_time) and over classic cumulative `le` buckets
// (histogram_quantile).
#pragma once

#include <vector>

namespace promql {

// The q-quantile of values by linear interpolation between closest ranks.
// q < 0 gives -Inf, q > 1 +Inf. Sorts *values in place.
// REQUIRES: !values->empty().
double Quantile(double q, std::vector<double>* values);

struct Bucket {
  double upper_bound;
  double count;  // cumulative
};
// histogram_quantile over classic buckets; NaN if there is no +Inf bucket,
// fewer than two buckets or no observations. Sorts (if they are not in order
// already) and modifies *buckets.
double BucketQuantile(double q, std::vector<Bucket>* buckets);

}  // namespace promql
