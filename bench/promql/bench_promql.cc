// Dashboard-query latency of the PromQL engine on a node_exporter-like
// workload held in MemoryStorage: 50 hosts x 8 CPUs x 8 modes of
// node_cpu_seconds_total (3,200 series), node_load1, and a classic histogram
// x_bucket (50 hosts x 12 buckets), scraped every 30 s for 24 h. Each
// benchmark is a range query over the 24 h with a 60 s step.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <string>

#include "promql/engine.h"
#include "promql/memory_storage.h"

namespace {

constexpr int64_t kStart = 1700000000000;  // ms
constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr int64_t kScrape = 30 * 1000;

promql::MemoryStorage* Storage() {
  static promql::MemoryStorage* st = [] {
    auto* s = new promql::MemoryStorage();
    uint64_t rng = 12345;
    auto next = [&rng] {
      rng = rng * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<double>(rng >> 40) / static_cast<double>(1ull << 24);
    };
    const char* modes[] = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                         "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
    const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, INFINITY};
    for (int host = 0; host < 50; ++host) {
      std::string inst = "host-" + std::to_string(host) + ":9100";
      for (int cpu = 0; cpu < 8; ++cpu) {
        for (const char* mode : modes) {
          model::Labels l({{"__name__", "node_cpu_seconds_total"},
                           {"cpu", std::to_string(cpu)},
                           {"instance", inst},
                           {"job", "node"},
                           {"mode", mode}});
          double v = next() * 1e5;
          promql::MemoryStorage::Samples samples;
          for (int64_t t = kStart; t <= kStart + kDay; t += kScrape) {
            v += next() * (mode[0] == 'i' && mode[1] == 'd' ? 25 : 3);
            samples.emplace_back(t, std::round(v * 100) / 100);
          }
          s->AddSeries(l, samples);
        }
      }
      model::Labels load({{"__name__", "node_load1"}, {"instance", inst}, {"job", "node"}});
      promql::MemoryStorage::Samples ls;
      for (int64_t t = kStart; t <= kStart + kDay; t += kScrape) ls.emplace_back(t, next() * 4);
      s->AddSeries(load, ls);
      std::vector<double> counts(12, 0);
      std::vector<promql::MemoryStorage::Samples> bs(12);
      for (int64_t t = kStart; t <= kStart + kDay; t += kScrape) {
        for (int k = 0; k < 10; ++k) {
          double x = std::pow(next(), 4) * 12;
          for (int b = 0; b < 12; ++b) counts[b] += x <= bounds[b] ? 1 : 0;
        }
        for (int b = 0; b < 12; ++b) bs[b].emplace_back(t, counts[b]);
      }
      for (int b = 0; b < 12; ++b) {
        s->AddSeries(
            model::Labels(
                {{"__name__", "x_bucket"}, {"instance", inst}, {"job", "node"}, {"le", les[b]}}),
            bs[b]);
      }
    }
    return s;
  }();
  return st;
}

void RunRange(benchmark::State& state, const char* query) {
  promql::MemoryStorage* st = Storage();
  promql::Engine engine;
  size_t series = 0;
  for (auto _ : state) {
    auto r = engine.RangeQuery(*st, query, kStart, kStart + kDay, 60 * 1000);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    series = r->matrix.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["series"] = static_cast<double>(series);
}

void BM_RateCpuNonIdle(benchmark::State& s) {
  RunRange(s, "rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])");
}
void BM_SumByModeRate(benchmark::State& s) {
  RunRange(s, "sum by (mode) (rate(node_cpu_seconds_total[5m]))");
}
void BM_Topk(benchmark::State& s) {
  RunRange(s, "topk(5, rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))");
}
void BM_HistogramQuantile(benchmark::State& s) {
  RunRange(s, "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))");
}
void BM_AvgOverTime1h(benchmark::State& s) { RunRange(s, "avg_over_time(node_load1[1h])"); }
void BM_SumOverTimeCpu1h(benchmark::State& s) {
  RunRange(s, "sum_over_time(node_cpu_seconds_total{cpu=\"0\"}[1h])");
}

BENCHMARK(BM_RateCpuNonIdle)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_SumByModeRate)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_Topk)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_HistogramQuantile)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_AvgOverTime1h)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_SumOverTimeCpu1h)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace

BENCHMARK_MAIN();
