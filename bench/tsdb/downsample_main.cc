// bench_tsdb_downsample: a synthetic year of a node_exporter fleet, the
// downsampling job over it, and 1-year dashboard queries answered from the
// tiers side by side with the same queries over the raw samples.
//
//   bench_tsdb_downsample --hosts 1 --days 365 [--dir DIR] [--keep]
//
// Reports, in one run:
//  - ingest time of the raw year (direct tsdb appends, 2 threads);
//  - the downsampling job's time per day of data (5m and 1h tiers);
//  - disk: raw bytes per series-day, tier bytes per series-year, and what
//    a 1,000-series host takes for raw 30 d + 5m 1 y + 1h 5 y;
//  - each query's time raw vs tiers (best of 3), the speedup, and the
//    largest difference between the two answers (relative).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/tsdb/ingest.h"
#include "bench/tsdb/workload.h"
#include "promql/engine.h"
#include "server/api/tsdb_queryable.h"
#include "tsdb/db.h"

namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct QueryRun {
  promql::StepMatrix result;
  int64_t resolution = 0;
  double seconds = 1e9;
};

QueryRun Run(tsdb::DB* db, const promql::Engine& engine, const std::string& q, int64_t start,
             int64_t end, int64_t step, int64_t max_source_resolution) {
  QueryRun best;
  for (int i = 0; i < 3; ++i) {
    server::TsdbQueryable storage(db, max_source_resolution);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = engine.RangeQuerySteps(storage, q, start, end, step);
    const double s = Seconds(t0);
    if (!r.ok()) {
      fprintf(stderr, "%s: %s\n", q.c_str(), r.status().ToString().c_str());
      exit(1);
    }
    if (s < best.seconds) {
      best.seconds = s;
      best.result = std::move(r).value();
      best.resolution = storage.coarsest_resolution_used();
    }
  }
  return best;
}

// Largest relative difference between two answers (same series and steps).
double MaxRelDiff(const promql::StepMatrix& a, const promql::StepMatrix& b, size_t* points) {
  double worst = 0;
  *points = 0;
  if (a.series.size() != b.series.size()) return INFINITY;
  for (size_t s = 0; s < a.series.size(); ++s) {
    if (!(a.series[s].metric == b.series[s].metric)) return INFINITY;
    for (int64_t i = 0; i < a.n; ++i) {
      const double x = a.series[s].v[i], y = b.series[s].v[i];
      const bool hx = promql::StepMatrix::HasValue(x), hy = promql::StepMatrix::HasValue(y);
      if (hx != hy) return INFINITY;
      if (!hx) continue;
      ++*points;
      if (x == y) continue;
      worst = std::max(worst, std::fabs(x - y) / std::max(std::fabs(x), std::fabs(y)));
    }
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_tsdb_downsample: a synthetic year, downsampled, queried raw vs tiers"};
  int hosts = 1, days = 365;
  std::string dir;
  bool keep = false;
  app.add_option("--hosts", hosts, "Hosts of ~100 series each")->capture_default_str();
  app.add_option("--days", days, "Days of data at 15 s")->capture_default_str();
  app.add_option("--dir", dir, "Data directory (default: a temp dir, removed)");
  app.add_flag("--keep", keep, "Keep the data directory");
  CLI11_PARSE(app, argc, argv);
  if (dir.empty()) {
    char tmpl[] = "/tmp/bench_downsample_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
  }

  bench::WorkloadOptions wo;
  wo.hosts = hosts;
  wo.duration_ms = days * kDay;
  // A day boundary, so that daily steps are whole buckets of every tier.
  wo.start_ms = 1672531200000;  // 2023-01-01T00:00:00Z
  // Samples a few seconds after the interval boundary, as scrapes land.
  wo.start_ms += 4321;
  bench::Workload w(wo);

  tsdb::Options o;
  o.retention_ms = (days + 1) * kDay;  // raw kept whole, to compare against
  o.maintenance_interval_ms = 0;       // the job is timed below, not in the background
  o.downsample_tiers = {{5 * kMinute, 5 * 365 * kDay}, {kHour, 5 * 365 * kDay}};
  o.block_cache_bytes = 256 << 20;
  auto db_r = tsdb::DB::Open(dir, o);
  if (!db_r.ok()) {
    fprintf(stderr, "%s\n", db_r.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<tsdb::DB> db = std::move(db_r).value();
  const size_t nseries = w.num_series();
  printf("workload: %d hosts, %zu series, %d days at 15 s: %.0fM samples\n", hosts, nseries, days,
         static_cast<double>(nseries) * w.num_steps() / 1e6);
  fflush(stdout);

  bench::IngestStats is = bench::Ingest(db.get(), w, 2, std::max(1, hosts));
  printf("ingest: %.1f s (%.2fM samples/s, %llu rejected)\n", is.seconds,
         static_cast<double>(is.samples) / is.seconds / 1e6,
         static_cast<unsigned long long>(is.rejected));
  fflush(stdout);

  auto t0 = std::chrono::steady_clock::now();
  if (auto s = db->Downsample(); !s.ok()) {
    fprintf(stderr, "downsample: %s\n", s.ToString().c_str());
    return 1;
  }
  const double job = Seconds(t0);
  const auto prog = db->DownsampleProgress();
  printf("downsampling job: %.1f s for %d days = %.3f s per day of data (%zu series)\n", job, days,
         job / days, nseries);
  for (const auto& t : prog) {
    printf("  tier %llds: %.1f s, %llu blocks, %.1f MB written\n",
           static_cast<long long>(t.resolution_ms / 1000), t.seconds,
           static_cast<unsigned long long>(t.blocks_written), t.bytes_written / 1e6);
  }
  fflush(stdout);

  t0 = std::chrono::steady_clock::now();
  (void)db->Flush();
  (void)db->Compact();
  tsdb::Stats st = db->GetStats();
  const double raw_bytes = static_cast<double>(st.sst_bytes - st.downsampled_sst_bytes);
  const double tier_bytes = static_cast<double>(st.downsampled_sst_bytes);
  // Split the tiers' SST bytes by their share of the bytes written.
  const double w5 = static_cast<double>(prog[0].bytes_written);
  const double w1 = static_cast<double>(prog[1].bytes_written);
  const double t5 = tier_bytes * w5 / (w5 + w1), t1 = tier_bytes * w1 / (w5 + w1);
  const double series_years = static_cast<double>(nseries) * days / 365.0;
  const double raw_per_series_day = raw_bytes / static_cast<double>(nseries) / days;
  const double per_host =
      raw_per_series_day * 1000 * 30 + t5 / series_years * 1000 + 5 * t1 / series_years * 1000;
  printf(
      "disk after compaction (%.1f s): raw %.1f MB (%.2f bytes/sample, %.1f KB per series-day)\n",
      Seconds(t0), raw_bytes / 1e6, raw_bytes / static_cast<double>(is.samples),
      raw_per_series_day / 1e3);
  printf(
      "  tiers %.1f MB: 5m %.2f MB per series-year (%.2f bytes/bucket), 1h %.3f MB per "
      "series-year\n",
      tier_bytes / 1e6, t5 / series_years / 1e6, t5 / series_years / (365.0 * 288),
      t1 / series_years / 1e6);
  printf("  a 1,000-series host, raw 30 d + 5m 1 y + 1h 5 y: %.3f GB (goal <= 0.5 GB)\n",
         per_host / 1e9);
  fflush(stdout);

  // 1-year dashboard queries: daily steps over the whole year, as Grafana
  // asks for a year at ~365 points.
  promql::EngineOptions eo;
  eo.max_samples = 2'000'000'000;
  promql::Engine engine(eo);
  const int64_t start = 1672531200000 + kDay;
  const int64_t end = 1672531200000 + static_cast<int64_t>(days) * kDay;
  const char* queries[] = {
      "avg by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[1d]))",
      "rate(node_network_receive_bytes_total[1d])",
      "max_over_time(node_load1[1d])",
      "min_over_time(node_memory_MemAvailable_bytes[1d])",
      "avg_over_time(node_memory_MemAvailable_bytes[1d])",
      "node_filesystem_avail_bytes",
  };
  printf("%-72s %9s %9s %8s %11s\n", "1-year query, step 1d", "raw s", "tiers s", "speedup",
         "max diff");
  double total_raw = 0, total_tier = 0;
  for (const char* q : queries) {
    QueryRun raw = Run(db.get(), engine, q, start, end, kDay, 0);
    QueryRun tier = Run(db.get(), engine, q, start, end, kDay, -1);
    size_t points = 0;
    const double diff = MaxRelDiff(raw.result, tier.result, &points);
    total_raw += raw.seconds;
    total_tier += tier.seconds;
    printf("%-72s %9.3f %9.4f %7.1fx %10.4f%% (%zu points, tier %llds)\n", q, raw.seconds,
           tier.seconds, raw.seconds / tier.seconds, diff * 100, points,
           static_cast<long long>(tier.resolution / 1000));
    fflush(stdout);
  }
  printf("all queries: raw %.2f s, tiers %.3f s: %.1fx faster\n", total_raw, total_tier,
         total_raw / total_tier);
  db.reset();
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
