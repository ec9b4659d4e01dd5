// bench_tsdb_load: loads a generated node_exporter-fleet workload into a
// fresh tsdb and reports ingest rate, bytes/sample on disk after
// Flush+Compact, RSS per active series and query latencies.
//
//   bench_tsdb_load --hosts 100 --hours 24 --threads 2 [--dir DIR] [--keep]
#include <malloc.h>
#include <stdlib.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/tsdb/ingest.h"
#include "bench/tsdb/workload.h"
#include "tsdb/db.h"

namespace {

uint64_t RssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

struct QueryCase {
  const char* desc;
  std::vector<tsdb::Matcher> matchers;
  int64_t range_ms;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load a node_exporter-like workload into tsdb and measure it"};
  bench::WorkloadOptions wo;
  double hours = 24;
  int threads = 2, hosts_per_batch = 10;
  std::string dir;
  bool keep = false;
  app.add_option("--hosts", wo.hosts, "hosts (about 100 series each)");
  app.add_option("--hours", hours, "hours of data at 15 s interval");
  app.add_option("--threads", threads, "ingest threads");
  app.add_option("--hosts-per-batch", hosts_per_batch, "hosts per Commit()");
  size_t memtable_mib = 0;
  app.add_option("--memtable-mib", memtable_mib,
                 "memtable budget in MiB (tsdb::Options::memtable_budget_bytes; 0: none)");
  app.add_option("--dir", dir, "database directory (default: a new /tmp dir)");
  app.add_flag("--keep", keep, "keep the database directory");
  CLI11_PARSE(app, argc, argv);
  wo.duration_ms = static_cast<int64_t>(hours * 3600 * 1000);

  bool made_dir = dir.empty();
  if (made_dir) {
    char tmpl[] = "/tmp/tsdb_load_XXXXXX";
    dir = mkdtemp(tmpl);
  }
  bench::Workload w(wo);
  uint64_t rss0 = RssBytes();
  tsdb::Options opts;
  opts.retention_ms = 100LL * 365 * 24 * 3600 * 1000;
  opts.memtable_budget_bytes = memtable_mib << 20;
  auto db = tsdb::DB::Open(dir, opts);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  uint64_t rss_open = RssBytes();
  const uint64_t heap_open = mallinfo2().uordblks;
  bench::IngestStats st = bench::Ingest(db->get(), w, threads, hosts_per_batch);
  uint64_t rss_loaded = RssBytes();
  tsdb::Stats s1 = (*db)->GetStats();
  std::printf("series=%zu samples=%lu rejected=%lu threads=%d\n", w.num_series(),
              static_cast<unsigned long>(st.samples), static_cast<unsigned long>(st.rejected),
              threads);
  std::printf("ingest: %.2f s, %.0f samples/s\n", st.seconds, st.samples / st.seconds);
  std::printf(
      "rss: before open %.1f MiB, after open %.1f MiB, after load %.1f MiB; "
      "head chunks %.1f MiB; rss/series (load - open) %.0f B\n",
      rss0 / 1048576.0, rss_open / 1048576.0, rss_loaded / 1048576.0, s1.head_bytes / 1048576.0,
      static_cast<double>(rss_loaded - rss_open) / static_cast<double>(w.num_series()));

  // Where the memory goes: malloc'd bytes in use, of which RocksDB's
  // memtables and block cache and the head chunks are known; the rest is
  // the per-series structures (labels, maps, locks) and allocator slack.
  {
    const double n = static_cast<double>(w.num_series());
    const double heap = static_cast<double>(mallinfo2().uordblks - heap_open);
    const double head = static_cast<double>(s1.head_bytes);
    const double mem = static_cast<double>(s1.memtable_bytes);
    const double cache = static_cast<double>(s1.block_cache_bytes);
    std::printf(
        "memory per series: heap in use %.0f B = head chunks %.0f + memtables %.0f + block cache "
        "%.0f + series structures and the rest %.0f; rss %.0f B\n",
        heap / n, head / n, mem / n, cache / n, (heap - head - mem - cache) / n,
        static_cast<double>(rss_loaded - rss_open) / n);
  }

  // Query latency over the loaded data.
  const int64_t end = w.Timestamp(w.num_steps() - 1);
  using tsdb::Matcher;
  std::vector<QueryCase> cases = {
      {"cpu of one host, whole range",
       {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "node_cpu_seconds_total"),
        Matcher::MustMake(Matcher::Type::kEqual, "instance", "host-1:9100")},
       wo.duration_ms},
      {"node_load1 all hosts, 1h",
       {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "node_load1")},
       3600 * 1000},
      {"network rx =~ eth.*, all hosts, 1h",
       {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "node_network_receive_bytes_total"),
        Matcher::MustMake(Matcher::Type::kRegexMatch, "device", "eth.*")},
       3600 * 1000},
      {"one series, 1h",
       {Matcher::MustMake(Matcher::Type::kEqual, "__name__", "node_memory_MemFree_bytes"),
        Matcher::MustMake(Matcher::Type::kEqual, "instance", "host-0:9100")},
       3600 * 1000},
  };
  auto run_queries = [&](const char* when) {
    for (const auto& c : cases) {
      std::vector<double> ms;
      size_t series = 0, samples = 0;
      for (int rep = 0; rep < 7; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        auto set = (*db)->NewQuerier(end - c.range_ms, end)->Select(c.matchers);
        series = samples = 0;
        while (set->Next()) {
          ++series;
          auto it = set->NewIterator();
          while (it->Next()) ++samples;
        }
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
      }
      std::sort(ms.begin(), ms.end());
      std::printf("query %-8s %-40s series=%zu samples=%zu median %.2f ms\n", when, c.desc, series,
                  samples, ms[ms.size() / 2]);
    }
  };
  run_queries("(head)");

  auto t0 = std::chrono::steady_clock::now();
  if (auto s = (*db)->Flush(); !s.ok()) std::fprintf(stderr, "flush: %s\n", s.ToString().c_str());
  if (auto s = (*db)->Compact(); !s.ok())
    std::fprintf(stderr, "compact: %s\n", s.ToString().c_str());
  double fc = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  tsdb::Stats s2 = (*db)->GetStats();
  run_queries("(compact)");
  db->reset();
  uint64_t disk = DirBytes(dir);
  std::printf("flush+compact: %.2f s; sst %.1f MiB; dir after close %.1f MiB\n", fc,
              s2.sst_bytes / 1048576.0, disk / 1048576.0);
  std::printf("bytes/sample: sst %.3f, dir %.3f\n",
              static_cast<double>(s2.sst_bytes) / static_cast<double>(st.samples),
              static_cast<double>(disk) / static_cast<double>(st.samples));
  std::printf("RESULT ingest_sps=%.0f bytes_per_sample=%.3f rss_per_series=%.0f\n",
              st.samples / st.seconds, static_cast<double>(disk) / static_cast<double>(st.samples),
              static_cast<double>(rss_loaded - rss_open) / static_cast<double>(w.num_series()));
  if (made_dir && !keep) std::filesystem::remove_all(dir);
  return 0;
}
