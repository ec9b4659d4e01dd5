// Downsampling: fixed-resolution buckets of a series' samples, how they are
// built from raw samples, merged into coarser ones, and encoded in blocks.
//
// A bucket of resolution R with end E covers the samples with
// E - R < t <= E (right-closed, so that a PromQL window (t - range, t] with
// t and range multiples of R is exactly a run of whole buckets). Bucket ends
// are multiples of R (from the Unix epoch). Empty buckets do not exist.
//
// Counter increase: the increase of a sample over the previous one is
// v - prev, or v when v < prev (a counter reset, as PromQL's rate counts
// it); it belongs to the bucket holding the later sample. A sample more than
// kMaxCounterGapMs after the previous one, or after a staleness marker,
// starts a new run: it adds no increase (a host that was away for a day adds
// nothing to the bucket it comes back in, as a raw rate window after the gap
// would not see the gap either). So the increase of a coarse bucket is the
// sum of its fine buckets' increases at every resolution, and summing the
// buckets of a window gives the window's increase.
//
// Staleness markers count as no sample in count/min/max/sum, but a bucket's
// last value may be the marker (the series ended in that bucket), and a
// bucket holding only a marker exists with count 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tsdb {

inline constexpr int64_t kMaxCounterGapMs = 5 * 60 * 1000;

struct Bucket {
  int64_t end = 0;                   // covers (end - resolution, end]
  double count = 0;                  // samples, staleness markers excluded
  double min = 0, max = 0, sum = 0;  // of those samples (0 when count == 0)
  double last = 0;                   // value of the bucket's last sample (may be a marker)
  double increase = 0;               // reset-aware counter increase (see above)
};

// End of the bucket of resolution `res` holding t: the smallest multiple of
// res that is >= t.
int64_t BucketEnd(int64_t t, int64_t res);

// Builds a series' buckets from its raw samples, fed in time order.
class BucketBuilder {
 public:
  explicit BucketBuilder(int64_t resolution_ms) : res_(resolution_ms) {}
  // A sample before the range being built: only remembered as the previous
  // sample of the first one Add()ed (its increase).
  void Prime(int64_t t, double v);
  // Adds a sample; buckets completed by it are appended to *out.
  void Add(int64_t t, double v, std::vector<Bucket>* out);
  // Appends the open bucket, if any.
  void Finish(std::vector<Bucket>* out);

 private:
  void Close(std::vector<Bucket>* out);

  const int64_t res_;
  bool open_ = false;
  Bucket cur_;
  double sum_comp_ = 0, increase_comp_ = 0;  // compensated sums of cur_
  bool has_prev_ = false;
  int64_t prev_t_ = 0;
  double prev_v_ = 0;
};

// Merges buckets (in time order, resolutions dividing `res`) into buckets of
// resolution res, appended to *out.
void Rebucket(const std::vector<Bucket>& in, int64_t res, std::vector<Bucket>* out);

// A block: one series' buckets of one tier within an aligned span of
// kBucketsPerBlock buckets, stored as one value.
inline constexpr int kBucketsPerBlock = 96;

// Start of the block of resolution res holding the bucket ending at end:
// blocks cover (start, start + kBucketsPerBlock * res].
int64_t BlockStart(int64_t bucket_end, int64_t res);

// Layout: uvarint n; a presence bitmap of kBucketsPerBlock bits (bucket i
// ends at start + (i + 1) * res); then the columns count, min, max, sum,
// last, increase, each a u8 tag: 0, a Gorilla XOR stream of the n values
// follows; 7, a kDecimal chunk (tsdb/chunk.h) of (bucket end, value)
// follows, for columns of short decimals; either prefixed by its uvarint
// byte length; 1..6: equal to column tag - 1, nothing follows (a counter's
// max is its last, a constant gauge's min its max).
// REQUIRES: 0 < n, buckets in time order within one block of (start, res).
std::string EncodeBlock(const Bucket* b, size_t n, int64_t start, int64_t res);
// Appends the block's buckets with min_end <= end <= max_end to *out.
common::Status DecodeBlock(std::string_view in, int64_t start, int64_t res, int64_t min_end,
                           int64_t max_end, std::vector<Bucket>* out);

}  // namespace tsdb
