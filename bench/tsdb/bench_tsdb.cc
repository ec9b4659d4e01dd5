// Google Benchmark suite for tsdb: ingest throughput (1 and 2 threads),
// select + read latency for a few selectors, and bulk decode of sealed chunks.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/tsdb/ingest.h"
#include "bench/tsdb/workload.h"
#include "model/sample.h"
#include "tsdb/chunk.h"
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

// Bulk decode (AppendChunkSamples, the range-query read path) of sealed
// 120-sample chunks (Prometheus's size; half Options::max_samples_per_chunk) at a 15 s scrape
// interval with a few ms of scrape jitter on half the chunks. 64 different
// chunks per iteration so the branch predictor cannot learn one chunk.
enum class ChunkKind { kCounter, kGauge2Dec, kFloatGauge };

struct EncodedChunk {
  tsdb::Encoding enc;
  std::string bytes;
};

std::vector<EncodedChunk> MakeChunks(ChunkKind kind, tsdb::Encoding want) {
  std::mt19937_64 rng(42 + static_cast<int>(kind));
  std::vector<EncodedChunk> chunks;
  for (int c = 0; c < 64; ++c) {
    tsdb::XorChunk x;
    int64_t t = 1700000000000LL + c * 7;
    double v = kind == ChunkKind::kCounter ? 1e6 * static_cast<double>(c) : 50;
    const bool jitter = c % 2 == 1;
    for (int i = 0; i < 120; ++i) {
      t += 15000 + (jitter ? static_cast<int64_t>(rng() % 7) - 3 : 0);
      switch (kind) {
        case ChunkKind::kCounter:  // e.g. a bytes counter
          v += static_cast<double>(rng() % 200000);
          break;
        case ChunkKind::kGauge2Dec:  // e.g. a temperature or load average
          v = std::round((v + (static_cast<double>(rng() % 201) - 100) / 100.0) * 100) / 100;
          break;
        case ChunkKind::kFloatGauge:  // e.g. a ratio: full-precision floats
          v = static_cast<double>(rng() % 1000000) / 3.0;
          break;
      }
      x.Append(t, v);
    }
    auto [enc, bytes] = tsdb::EncodeSealedChunk(x);
    if (want == tsdb::Encoding::kXor) {
      enc = tsdb::Encoding::kXor;
      bytes = x.bytes();
    }
    if (enc != want) std::abort();  // the data must produce the wanted encoding
    chunks.push_back({enc, std::move(bytes)});
  }
  return chunks;
}

void RunDecode(benchmark::State& state, ChunkKind kind, tsdb::Encoding want) {
  const std::vector<EncodedChunk> chunks = MakeChunks(kind, want);
  model::SampleVector out;
  out.reserve(120 * chunks.size());
  size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.bytes.size();
  uint64_t samples = 0;
  for (auto _ : state) {
    out.clear();
    for (const auto& c : chunks) {
      common::Status s = tsdb::AppendChunkSamples(c.enc, c.bytes, INT64_MIN, INT64_MAX, &out);
      if (!s.ok()) state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.data());
    samples += out.size();
  }
  state.counters["ns/sample"] = benchmark::Counter(
      static_cast<double>(samples), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes/chunk"] = static_cast<double>(bytes) / static_cast<double>(chunks.size());
}

void BM_DecodeDecimalCounter(benchmark::State& state) {
  RunDecode(state, ChunkKind::kCounter, tsdb::Encoding::kDecimal);
}
BENCHMARK(BM_DecodeDecimalCounter);
void BM_DecodeDecimalGauge(benchmark::State& state) {
  RunDecode(state, ChunkKind::kGauge2Dec, tsdb::Encoding::kDecimal);
}
BENCHMARK(BM_DecodeDecimalGauge);
void BM_DecodeXorCounter(benchmark::State& state) {
  RunDecode(state, ChunkKind::kCounter, tsdb::Encoding::kXor);
}
BENCHMARK(BM_DecodeXorCounter);
void BM_DecodeXorGauge(benchmark::State& state) {
  RunDecode(state, ChunkKind::kFloatGauge, tsdb::Encoding::kXor);
}
BENCHMARK(BM_DecodeXorGauge);

}  // namespace

BENCHMARK_MAIN();
