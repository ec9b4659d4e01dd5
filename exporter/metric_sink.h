// MetricSink: where collectors put what they read. It groups samples into
// metric families (one HELP/TYPE block per name) in the order first seen, and
// is the only model the exporter has: /metrics serializes it and /system is
// derived from it, so both endpoints always agree.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <prometheus/metric_family.h>

namespace exporter {

using LabelPairs = std::vector<prometheus::ClientMetric::Label>;

class MetricSink {
 public:
  // Adds one sample. A name's help and type are taken from its first sample;
  // later samples of the same name only add label sets. A later sample whose
  // help or type differs is dropped and counted in errors(), as the Go
  // client's registry drops an inconsistent metric when gathering.
  void Gauge(std::string_view name, std::string_view help, LabelPairs labels, double value);
  void Counter(std::string_view name, std::string_view help, LabelPairs labels, double value);
  // node_exporter exposes some raw kernel tables (netstat, vmstat, sockstat)
  // as untyped; a drop-in keeps their TYPE.
  void Untyped(std::string_view name, std::string_view help, LabelPairs labels, double value);
  // Any type, including summaries and histograms (the textfile collector).
  // Returns false when the sample was dropped as inconsistent.
  bool Add(std::string_view name, std::string_view help, prometheus::MetricType type,
           prometheus::ClientMetric metric);
  // Samples dropped because their help or type disagreed with their family's,
  // or (textfile) because they repeated a series already collected.
  size_t errors() const { return errors_; }
  void CountError() { ++errors_; }

  const std::vector<prometheus::MetricFamily>& families() const { return families_; }
  std::vector<prometheus::MetricFamily> TakeFamilies();

  // Looks a family up by name; nullptr when absent.
  const prometheus::MetricFamily* Find(std::string_view name) const;

 private:
  void AddValue(std::string_view name, std::string_view help, prometheus::MetricType type,
                LabelPairs labels, double value);
  // nullptr when the name exists with another help or type.
  prometheus::MetricFamily* Family(std::string_view name, std::string_view help,
                                   prometheus::MetricType type);

  std::vector<prometheus::MetricFamily> families_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in families_
  size_t errors_ = 0;
};

// Value of a sample in a family (gauge, counter or untyped), or nullptr.
// Returns the first metric whose labels include every pair in match.
const prometheus::ClientMetric* FindMetric(const prometheus::MetricFamily& family,
                                           const LabelPairs& match);
double MetricValue(const prometheus::MetricFamily& family, const prometheus::ClientMetric& m);
// Label value of a metric, "" when absent.
std::string_view LabelValue(const prometheus::ClientMetric& m, std::string_view name);

}  // namespace exporter
