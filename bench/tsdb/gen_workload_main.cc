// bench_gen_workload: writes the benchmark workload as text for peers.
//
//   bench_gen_workload --format vm --hosts 20 --hours 6 --out FILE
//     Prometheus text lines with millisecond timestamps, time-major
//     (for VictoriaMetrics /api/v1/import/prometheus).
//   bench_gen_workload --format openmetrics ... --out FILE
//     OpenMetrics with second timestamps, each metric family contiguous,
//     ending in "# EOF" (for promtool tsdb create-blocks-from openmetrics).
//   --interval SECONDS (default 15), --histograms (adds one classic histogram
//   per host, node_request_duration_seconds_{bucket,sum,count}).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/tsdb/workload.h"

namespace {

std::string SeriesText(const model::Labels& l) {
  std::string s(l.MetricName());
  s += '{';
  bool first = true;
  for (const auto& x : l) {
    if (x.name == model::kMetricNameLabel) continue;
    if (!first) s += ',';
    first = false;
    s += x.name + "=\"" + model::EscapeLabelValue(x.value) + "\"";
  }
  s += '}';
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generate the tsdb benchmark workload as text"};
  bench::WorkloadOptions wo;
  double hours = 24, interval_s = 15;
  std::string format = "vm", out;
  app.add_option("--hosts", wo.hosts);
  app.add_option("--hours", hours);
  app.add_option("--interval", interval_s, "seconds between samples")->check(CLI::PositiveNumber);
  app.add_flag("--histograms", wo.histograms, "add a classic histogram per host");
  app.add_option("--format", format, "vm | openmetrics")
      ->check(CLI::IsMember({"vm", "openmetrics"}));
  app.add_option("--out", out)->required();
  CLI11_PARSE(app, argc, argv);
  wo.duration_ms = static_cast<int64_t>(hours * 3600 * 1000);
  wo.interval_ms = static_cast<int64_t>(interval_s * 1000);
  bench::Workload w(wo);
  FILE* f = std::fopen(out.c_str(), "w");
  if (f == nullptr) {
    std::perror(out.c_str());
    return 1;
  }
  std::vector<std::string> names(w.num_series());
  for (size_t i = 0; i < w.num_series(); ++i) names[i] = SeriesText(w.labels(i));
  if (format == "vm") {
    std::vector<bench::Workload::Cursor> cur;
    for (size_t i = 0; i < w.num_series(); ++i) cur.push_back(w.Start(i));
    for (int step = 0; step < w.num_steps(); ++step) {
      std::string ts = std::to_string(w.Timestamp(step));
      for (size_t i = 0; i < w.num_series(); ++i) {
        std::fprintf(f, "%s %s %s\n", names[i].c_str(), bench::FormatValue(cur[i].Next()).c_str(),
                     ts.c_str());
      }
    }
  } else {
    // Group series by family; every family declared as gauge (OpenMetrics
    // counters would need the _total suffix split off; storage is the same).
    std::map<std::string, std::vector<size_t>> families;
    for (size_t i = 0; i < w.num_series(); ++i) {
      families[std::string(w.labels(i).MetricName())].push_back(i);
    }
    for (const auto& [fam, idx] : families) {
      std::fprintf(f, "# TYPE %s gauge\n", fam.c_str());
      for (size_t i : idx) {
        auto c = w.Start(i);
        for (int step = 0; step < w.num_steps(); ++step) {
          int64_t t = w.Timestamp(step);
          std::fprintf(f, "%s %s %lld.%03lld\n", names[i].c_str(),
                       bench::FormatValue(c.Next()).c_str(), static_cast<long long>(t / 1000),
                       static_cast<long long>(t % 1000));
        }
      }
    }
    std::fprintf(f, "# EOF\n");
  }
  return std::fclose(f) == 0 ? 0 : 1;
}
