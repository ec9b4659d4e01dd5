// The /system JSON snapshot, derived from the same metric families /metrics
// serves (so the two never disagree). Percentages and rates need two readings:
// SystemSampler keeps the previous reading and computes CPU percent, network
// and disk rates over the window between the previous and the current one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/mutex.h"
#include "exporter/metric_sink.h"

namespace exporter {

// Counters needed for rates, pulled out of one collection.
struct CounterReading {
  double time_seconds = 0;                               // wall clock when collected (unix seconds)
  std::map<std::string, std::pair<double, double>> cpu;  // cpu -> (busy, total) seconds
  std::map<std::string, std::pair<double, double>> net;  // device -> (rx, tx) bytes
  std::map<std::string, std::pair<double, double>> disk;  // device -> (read, written) bytes
};

CounterReading ExtractCounters(const MetricSink& sink, double time_seconds);

// Builds the snapshot. prev may be null (or from a different host state);
// then percentages and rates are null in the JSON.
nlohmann::json BuildSystemSnapshot(const MetricSink& sink, const CounterReading& now,
                                   const CounterReading* prev);

// Keeps the reading that the next snapshot's rates are computed against.
// Rates cover the time since the previous /system call (what a forwarder
// polling every N seconds wants: averages over its whole interval), but
// never less than min_window: a call too soon after the last reuses the older
// baseline instead of dividing by a tiny interval.
class SystemSampler {
 public:
  explicit SystemSampler(double min_window_seconds = 1.0) : min_window_(min_window_seconds) {}
  // Returns the baseline to compute `now`'s rates against (nullopt when there
  // is none at least min_window old) and records `now` as the next baseline
  // when it is min_window past the last one. Thread-safe.
  std::optional<CounterReading> Exchange(const CounterReading& now);

 private:
  double min_window_;
  common::Mutex mu_;
  std::optional<CounterReading> prev_ GUARDED_BY(mu_);    // the baseline before latest_
  std::optional<CounterReading> latest_ GUARDED_BY(mu_);  // newest recorded reading
};

}  // namespace exporter
