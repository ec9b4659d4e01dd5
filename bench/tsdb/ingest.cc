#include "bench/tsdb/ingest.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace bench {

IngestStats Ingest(tsdb::DB* db, const Workload& w, int threads, int hosts_per_batch) {
  std::atomic<uint64_t> accepted{0}, rejected{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  const int per_host = w.series_per_host();
  for (int th = 0; th < threads; ++th) {
    pool.emplace_back([&, th] {
      std::vector<size_t> mine;
      for (int h = th; h < w.options().hosts; h += threads) {
        for (int s = 0; s < per_host; ++s) mine.push_back(static_cast<size_t>(h) * per_host + s);
      }
      std::vector<tsdb::SeriesRef> refs;
      std::vector<Workload::Cursor> cursors;
      for (size_t i : mine) {
        auto r = db->GetOrCreateSeries(w.labels(i));
        refs.push_back(r.ok() ? *r : 0);
        cursors.push_back(w.Start(i));
      }
      auto app = db->NewAppender();
      const size_t batch = static_cast<size_t>(hosts_per_batch) * per_host;
      uint64_t acc = 0, rej = 0;
      for (int step = 0; step < w.num_steps(); ++step) {
        int64_t t = w.Timestamp(step);
        for (size_t k = 0; k < mine.size(); ++k) {
          app->AddRef(refs[k], t, cursors[k].Next());
          if ((k + 1) % batch == 0 || k + 1 == mine.size()) {
            tsdb::AppendResult r = app->Commit();
            acc += r.accepted;
            rej += r.rejected();
          }
        }
      }
      accepted += acc;
      rejected += rej;
    });
  }
  for (auto& t : pool) t.join();
  IngestStats st;
  st.samples = accepted;
  st.rejected = rejected;
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return st;
}

}  // namespace bench
