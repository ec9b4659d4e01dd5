// The Prometheus text exposition format (0.0.4) writer used by every
// /metrics in the tree (the exporter's and the server's own). It takes
// prometheus-cpp's metric model and appends to a string; about 5x cheaper
// than prometheus-cpp's iostream serializer, escapes HELP text correctly, and
// formats numbers exactly as Go's client_golang does (model/number.h),
// so output is byte-compatible with node_exporter's for the same values.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace common {

// Appends the families to *out. Counters and gauges are written as is;
// summaries and histograms with their _sum/_count/_bucket/quantile series.
void AppendTextFormat(const std::vector<prometheus::MetricFamily>& families, std::string* out);

}  // namespace common
