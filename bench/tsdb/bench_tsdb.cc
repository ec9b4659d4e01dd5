// Google Benchmark suite for tsdb: ingest throughput (1 and 2 threads) and
// select + read latency for a few selectors.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "bench/tsdb/ingest.h"
#include "bench/tsdb/workload.h"
#include "tsdb/db.h"

namespace {

std::string MakeTempDir() {
  char tmpl[] = "/tmp/bench_tsdb_XXXXXX";
  return mkdtemp(tmpl);
}

tsdb::Options BenchOptions() {
  tsdb::Options o;
  o.retention_ms = 100LL * 365 * 24 * 3600 * 1000;
  return o;
}

// Ingest of 10 hosts x ~100 series x 2 h per iteration into a fresh DB.
void BM_Ingest(benchmark::State& state) {
  bench::WorkloadOptions wo;
  wo.hosts = 10;
  wo.duration_ms = 2LL * 3600 * 1000;
  bench::Workload w(wo);
  uint64_t samples = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string dir = MakeTempDir();
    auto db = tsdb::DB::Open(dir, BenchOptions());
    if (!db.ok()) state.SkipWithError(db.status().ToString().c_str());
    state.ResumeTiming();
    auto st = bench::Ingest(db->get(), w, static_cast<int>(state.range(0)), 5);
    samples += st.samples;
    state.PauseTiming();
    db->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ingest)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// A DB with 20 hosts x ~100 series x 6 h, shared by the query benchmarks.
struct QueryFixture {
  QueryFixture()
      : dir(MakeTempDir()), w([] {
          bench::WorkloadOptions wo;
          wo.hosts = 20;
          wo.duration_ms = 6LL * 3600 * 1000;
          return wo;
        }()) {
    db = std::move(tsdb::DB::Open(dir, BenchOptions())).value();
    bench::Ingest(db.get(), w, 2, 10);
    (void)db->Flush();
    (void)db->Compact();
  }
  ~QueryFixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  bench::Workload w;
  std::unique_ptr<tsdb::DB> db;
};

QueryFixture& Fixture() {
  static QueryFixture* f = new QueryFixture();  // leaked: lives for the process
  return *f;
}

void RunSelect(benchmark::State& state, const std::vector<tsdb::Matcher>& ms, int64_t range_ms) {
  auto& f = Fixture();
  int64_t end = f.w.Timestamp(f.w.num_steps() - 1);
  uint64_t samples = 0;
  for (auto _ : state) {
    auto set = f.db->NewQuerier(end - range_ms, end)->Select(ms);
    while (set->Next()) {
      auto it = set->NewIterator();
      while (it->Next()) ++samples;
    }
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

using tsdb::Matcher;

void BM_SelectOneSeries1h(benchmark::State& state) {
  RunSelect(state,
            {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "node_load1"),
             Matcher::MustMake(Matcher::Type::kEqual, "instance", "host-3:9100")},
            3600 * 1000);
}
BENCHMARK(BM_SelectOneSeries1h)->Unit(benchmark::kMicrosecond);

void BM_SelectCpuOneHost6h(benchmark::State& state) {
  RunSelect(state,
            {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "node_cpu_seconds_total"),
             Matcher::MustMake(Matcher::Type::kEqual, "instance", "host-3:9100")},
            6 * 3600 * 1000);
}
BENCHMARK(BM_SelectCpuOneHost6h)->Unit(benchmark::kMicrosecond);

void BM_SelectRegexAllHosts1h(benchmark::State& state) {
  RunSelect(
      state,
      {Matcher::MustMake(Matcher::Type::kRegexMatch, "__name__", "node_network_.*_bytes_total"),
       Matcher::MustMake(Matcher::Type::kNotEqual, "device", "lo")},
      3600 * 1000);
}
BENCHMARK(BM_SelectRegexAllHosts1h)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
