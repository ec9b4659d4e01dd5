#include "server/self_metrics.h"

#include <limits>

#include "common/text_writer.h"

namespace server {

namespace {
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

prometheus::MetricFamily Single(const char* name, const char* help, prometheus::MetricType type,
                                double v) {
  prometheus::MetricFamily f{name, help, type, {}};
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(m);
  return f;
}
}  // namespace

SelfMetrics::SelfMetrics(Ingester* ingester, tsdb::DB* db)
    : ingester_(ingester), db_(db), registry_(std::make_shared<prometheus::Registry>()) {
  query_duration_ = &prometheus::BuildHistogram()
                         .Name("monitor_query_duration_seconds")
                         .Help("Time spent answering query API requests, by endpoint.")
                         .Register(*registry_);
  scrape_duration_ = &prometheus::BuildHistogram()
                          .Name("monitor_scrape_duration_seconds")
                          .Help("Duration of target scrapes, by job.")
                          .Register(*registry_);
  requests_ = &prometheus::BuildCounter()
                   .Name("monitor_http_requests_total")
                   .Help("HTTP requests served, by handler and status code.")
                   .Register(*registry_);
  ingested_ = &prometheus::BuildCounter()
                   .Name("monitor_ingest_samples_total")
                   .Help("Samples received, by ingest path (before per-sample rejections).")
                   .Register(*registry_);
}

void SelfMetrics::ObserveQuery(const std::string& endpoint, double seconds) {
  query_duration_->Add({{"endpoint", endpoint}}, kLatencyBuckets).Observe(seconds);
}

void SelfMetrics::ObserveScrape(const std::string& job, double seconds) {
  scrape_duration_->Add({{"job", job}}, kLatencyBuckets).Observe(seconds);
}

void SelfMetrics::CountRequest(const std::string& handler, int code) {
  requests_->Add({{"handler", handler}, {"code", std::to_string(code)}}).Increment();
}

void SelfMetrics::CountIngested(const std::string& path, uint64_t samples) {
  ingested_->Add({{"path", path}}).Increment(static_cast<double>(samples));
}

std::string SelfMetrics::Render() const {
  auto families = registry_->Collect();
  const IngestCounters& c = ingester_->counters();
  families.push_back(Single("monitor_samples_appended_total",
                            "Samples stored in the time-series database.",
                            prometheus::MetricType::Counter, static_cast<double>(c.accepted)));
  prometheus::MetricFamily rejected{"monitor_samples_rejected_total",
                                    "Samples rejected by the store, by reason.",
                                    prometheus::MetricType::Counter,
                                    {}};
  auto add_reason = [&rejected](const char* reason, uint64_t v) {
    prometheus::ClientMetric m;
    m.label = {{"reason", reason}};
    m.counter.value = static_cast<double>(v);
    rejected.metric.push_back(m);
  };
  add_reason("out_of_order", c.out_of_order);
  add_reason("duplicate", c.duplicate);
  add_reason("too_old", c.too_old);
  add_reason("too_far_in_future", c.too_far_in_future);
  add_reason("series_limit", c.series_limit);
  add_reason("invalid", c.invalid);
  add_reason("series_removed", c.series_removed);
  add_reason("storage_error", c.storage_error);
  families.push_back(rejected);
  tsdb::Stats s = db_->GetStats();
  families.push_back(Single("monitor_tsdb_series", "Series in memory (with raw samples).",
                            prometheus::MetricType::Gauge, static_cast<double>(s.num_series)));
  families.push_back(Single("monitor_tsdb_cold_series",
                            "Series kept on disk only, for their downsampling tiers (no raw "
                            "samples left; not in memory).",
                            prometheus::MetricType::Gauge, static_cast<double>(s.cold_series)));
  families.push_back(Single("monitor_tsdb_disk_bytes",
                            "Size of the store's SST files on disk (RocksDB).",
                            prometheus::MetricType::Gauge, static_cast<double>(s.sst_bytes)));
  families.push_back(Single("monitor_tsdb_memtable_bytes", "Size of RocksDB's memtables.",
                            prometheus::MetricType::Gauge, static_cast<double>(s.memtable_bytes)));
  families.push_back(Single("monitor_tsdb_head_bytes", "Memory held by open head chunks.",
                            prometheus::MetricType::Gauge, static_cast<double>(s.head_bytes)));
  families.push_back(Single("monitor_tsdb_max_time_seconds", "Newest sample time in the store.",
                            prometheus::MetricType::Gauge, static_cast<double>(s.max_time) / 1000));
  // Downsampling tiers: how far each is written (the raw data after it is
  // downsampled at query time), and the work spent on it.
  if (const auto tiers = db_->DownsampleProgress(); !tiers.empty()) {
    prometheus::MetricFamily wm{
        "monitor_downsample_watermark_seconds",
        "Every bucket of the tier ending at or before this time is written.",
        prometheus::MetricType::Gauge,
        {}};
    prometheus::MetricFamily blocks{"monitor_downsample_blocks_written_total",
                                    "Tier blocks (one series, 96 buckets) written since start.",
                                    prometheus::MetricType::Counter,
                                    {}};
    prometheus::MetricFamily secs{"monitor_downsample_seconds_total",
                                  "Time the downsampling job spent on the tier since start.",
                                  prometheus::MetricType::Counter,
                                  {}};
    for (const tsdb::DownsampleStatus& t : tiers) {
      prometheus::ClientMetric m;
      m.label.push_back({"resolution", std::to_string(t.resolution_ms / 1000) + "s"});
      m.gauge.value = t.watermark == std::numeric_limits<int64_t>::min()
                          ? 0
                          : static_cast<double>(t.watermark) / 1000;
      wm.metric.push_back(m);
      m.gauge = {};
      m.counter.value = static_cast<double>(t.blocks_written);
      blocks.metric.push_back(m);
      m.counter.value = t.seconds;
      secs.metric.push_back(m);
    }
    families.push_back(std::move(wm));
    families.push_back(std::move(blocks));
    families.push_back(std::move(secs));
  }
  if (gate_ != nullptr) {
    const int active = gate_->active(), waiting = gate_->waiting();
    families.push_back(Single("monitor_engine_queries",
                              "Queries being evaluated or waiting for a slot.",
                              prometheus::MetricType::Gauge, active + waiting));
    families.push_back(Single("monitor_engine_queries_waiting",
                              "Queries waiting for a slot (--query.max-concurrency).",
                              prometheus::MetricType::Gauge, waiting));
    families.push_back(Single("monitor_engine_queries_concurrent_max",
                              "Most queries evaluated at once (--query.max-concurrency).",
                              prometheus::MetricType::Gauge, gate_->max_concurrent()));
  }
  for (auto& f : process_.Collect()) families.push_back(std::move(f));
  std::string out;
  common::AppendTextFormat(families, &out);
  return out;
}

}  // namespace server
