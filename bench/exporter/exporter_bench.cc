// One full scrape of the live host, as /metrics does it: run every default
// collector, then serialize to the text format. Also the /system path.
#include <benchmark/benchmark.h>

#include "exporter/service.h"

namespace {

std::unique_ptr<exporter::ExporterService> NewService() {
  exporter::ServiceOptions options;
  auto s = exporter::ExporterService::Create(options);
  if (!s.ok()) abort();
  return std::move(s).value();
}

void BM_CollectAndSerialize(benchmark::State& state) {
  auto service = NewService();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = service->RenderMetrics();
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_CollectAndSerialize)->Unit(benchmark::kMicrosecond);

void BM_CollectOnly(benchmark::State& state) {
  exporter::CollectorConfig config;
  auto nc = exporter::NodeCollector::Create(config, exporter::NodeCollector::DefaultCollectorNames());
  if (!nc.ok()) abort();
  size_t series = 0;
  for (auto _ : state) {
    exporter::MetricSink sink;
    (*nc)->Collect(sink);
    series = 0;
    for (const auto& f : sink.families()) series += f.metric.size();
    benchmark::DoNotOptimize(sink);
  }
  state.counters["series"] = static_cast<double>(series);
}
BENCHMARK(BM_CollectOnly)->Unit(benchmark::kMicrosecond);

void BM_SystemSnapshot(benchmark::State& state) {
  auto service = NewService();
  for (auto _ : state) {
    auto j = service->RenderSystem();
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK(BM_SystemSnapshot)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
