// Deterministic node_exporter-fleet-shaped workload for benchmarks.
//
// hosts x ~100 series: CPU seconds counters (per cpu and mode), memory and
// filesystem byte gauges, network and disk counters, load averages, ... with
// realistic magnitudes. Values are 2-decimal or integer random walks /
// monotone counters, as exporters emit them. Every series has its own random
// stream, so any subset of series can be generated independently (e.g. one
// per ingest thread) and the output never depends on the order of calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"

namespace bench {

struct WorkloadOptions {
  int hosts = 100;
  int64_t start_ms = 1700000000000;  // 2023-11-14T22:13:20Z
  int64_t duration_ms = 24LL * 3600 * 1000;
  int64_t interval_ms = 15000;
  uint64_t seed = 42;
  // Opt-in: per host, one classic histogram node_request_duration_seconds
  // (12 cumulative _bucket series incl. le="+Inf", _sum, _count) so that
  // histogram_quantile has data. Off by default: existing users keep the
  // same series set.
  bool histograms = false;
};

enum class SeriesKind {
  kCounterDecimal,   // e.g. cpu seconds: + random 2-decimal increments
  kCounterInteger,   // e.g. bytes/packets: + random integer increments
  kGaugeDecimal,     // e.g. load1: 2-decimal random walk, kept >= 0
  kGaugeInteger,     // e.g. memory bytes: random walk in 4 KiB pages
  kHistogramBucket,  // cumulative count of observations <= bound (+Inf: _count)
  kHistogramSum,     // sum of observations (3 decimals)
};

class Workload {
 public:
  explicit Workload(const WorkloadOptions& options);

  const WorkloadOptions& options() const { return options_; }
  size_t num_series() const { return series_.size(); }
  int series_per_host() const { return per_host_; }
  int num_steps() const { return static_cast<int>(options_.duration_ms / options_.interval_ms); }
  int64_t Timestamp(int step) const { return options_.start_ms + step * options_.interval_ms; }
  const model::Labels& labels(size_t i) const { return series_[i].labels; }
  SeriesKind kind(size_t i) const { return series_[i].kind; }
  // "counter" or "gauge" for exposition TYPE lines.
  const char* type_name(size_t i) const;

  // Per-series generator state: Next() returns the value at the next step.
  class Cursor {
   public:
    double Next();

   private:
    friend class Workload;
    SeriesKind kind_;
    uint64_t rng_;
    int64_t mantissa_;  // value = mantissa_ / 100 (decimal) or mantissa_ (integer)
    int64_t scale_;     // typical step size in mantissa units
    int64_t unit_;      // integer kinds: value = mantissa_ * unit_
    // Histogram kinds: every series of one host's histogram replays the same
    // observation stream, so buckets stay consistent (le-cumulative).
    uint64_t obs_rng_ = 0;
    double bound_ = 0;
  };
  // A cursor positioned before step 0 of series i.
  Cursor Start(size_t i) const;

 private:
  struct Series {
    model::Labels labels;
    SeriesKind kind;
    int64_t initial;  // mantissa
    int64_t scale;
    int64_t unit;
    double bound = 0;  // histogram kinds: upper bound (le)
    int host = 0;
  };
  WorkloadOptions options_;
  std::vector<Series> series_;
  int per_host_ = 0;
};

// Formats v in the shortest form that parses back to the same double.
std::string FormatValue(double v);

}  // namespace bench
