// Helpers for collector tests: run one registered collector against the
// fixture trees under tests/fixtures/ and look samples up by name and labels.
#pragma once

#include <limits>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "exporter/collector.h"

namespace exporter::testing {

inline CollectorConfig FixtureConfig() {
  CollectorConfig c;
  c.paths.procfs = MS_SOURCE_DIR "/tests/fixtures/proc";
  c.paths.sysfs = MS_SOURCE_DIR "/tests/fixtures/sys";
  c.paths.rootfs = MS_SOURCE_DIR "/tests/fixtures/rootfs";
  c.paths.udev_data = MS_SOURCE_DIR "/tests/fixtures/rootfs/run/udev/data";
  return c;
}

// Runs the named collector; fails the test if it is unknown or returns an error.
inline MetricSink RunCollector(const std::string& name,
                               const CollectorConfig& config = FixtureConfig()) {
  MetricSink sink;
  auto it = RegisteredCollectors().find(name);
  EXPECT_NE(it, RegisteredCollectors().end()) << "collector not registered: " << name;
  if (it == RegisteredCollectors().end()) return sink;
  auto status = it->second.factory(config)->Update(sink);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return sink;
}

// The value of the sample name{labels...}; nullopt when absent.
inline std::optional<double> Value(const MetricSink& sink, const std::string& name,
                                   const LabelPairs& labels = {}) {
  const auto* f = sink.Find(name);
  if (!f) return std::nullopt;
  const auto* m = FindMetric(*f, labels);
  if (!m) return std::nullopt;
  return MetricValue(*f, *m);
}

// The value of name{labels...} where the test requires the sample: absent,
// it fails the test (naming the sample) and yields NaN, which fails any
// comparison, instead of dereferencing an empty optional.
inline double MustValue(const MetricSink& sink, const std::string& name,
                        const LabelPairs& labels = {}) {
  auto v = Value(sink, name, labels);
  if (!v) {
    std::string sel = name + "{";
    for (const auto& [k, val] : labels) sel += k + "=\"" + val + "\",";
    ADD_FAILURE() << "no sample " << sel << "}";
    return std::numeric_limits<double>::quiet_NaN();
  }
  return *v;
}

inline size_t SeriesCount(const MetricSink& sink, const std::string& name) {
  const auto* f = sink.Find(name);
  return f ? f->metric.size() : 0;
}

}  // namespace exporter::testing
