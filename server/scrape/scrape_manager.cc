#include "server/scrape/scrape_manager.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/http_client.h"
#include "model/value.h"
#include "server/ingest/text_ingest.h"

namespace server {

class ScrapeManager::Loop {
 public:
  Loop(ScrapeTarget target, Ingester* ingester, MetadataStore* metadata,
       const DurationObserver* observer)
      : target_(std::move(target)), ingester_(ingester), metadata_(metadata), observer_(observer) {
    client_.SetConfig(target_.http);
    thread_ = std::thread([this] { Run(); });
  }

  // Stops the loop and marks the target's series stale.
  ~Loop() {
    {
      common::MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    thread_.join();
    // Prometheus marks the target's synthetic series stale on removal too.
    std::vector<tsdb::SeriesRef> all = last_refs_;
    all.insert(all.end(), report_refs_.begin(), report_refs_.end());
    MarkStale(all, common::NowMs());
  }

  TargetStatus status() const {
    common::MutexLock lock(&mu_);
    return status_;
  }

 private:
  void Run() {
    {
      common::MutexLock lock(&mu_);
      status_.target = target_;
    }
    // Steady-state scrapes happen when the wall clock (in ms) is congruent to
    // a per-target offset modulo the interval: targets spread over the
    // interval and each keeps its phase across restarts. The first scrape
    // comes within a second so a new target shows up at once.
    auto interval = std::chrono::milliseconds(target_.interval_ms);
    const int64_t iv = target_.interval_ms;
    const int64_t offset =
        static_cast<int64_t>(std::hash<std::string>()(target_.Key()) % static_cast<uint64_t>(iv));
    const int64_t to_phase = ((offset - common::NowMs() % iv) % iv + iv) % iv;
    auto start = std::chrono::steady_clock::now();
    auto next =
        start + std::min(std::chrono::milliseconds(to_phase), std::chrono::milliseconds(1000));
    bool first = true;
    for (;;) {
      {
        common::MutexLock lock(&mu_);
        while (!stop_ && std::chrono::steady_clock::now() < next) cv_.WaitUntil(&mu_, next);
        if (stop_) return;
      }
      ScrapeOnce();
      if (first) {
        next = start + std::chrono::milliseconds(to_phase);
        first = false;
      }
      auto now = std::chrono::steady_clock::now();
      while (next <= now) next += interval;
    }
  }

  void ScrapeOnce() {
    int64_t start_ms = common::NowMs();
    auto t0 = std::chrono::steady_clock::now();
    auto resp = client_.Get(target_.url, static_cast<double>(target_.timeout_ms) / 1000.0,
                            {{"Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1"},
                             {"X-Prometheus-Scrape-Timeout-Seconds",
                              std::to_string(static_cast<double>(target_.timeout_ms) / 1000.0)}});
    std::string error;
    size_t scraped = 0, added = 0;
    std::vector<tsdb::SeriesRef> refs;
    if (!resp.ok()) {
      error = resp.status().message();
    } else if (resp->status != 200) {
      error = "server returned HTTP status " + std::to_string(resp->status);
    } else {
      TextIngestOptions opts;
      opts.target_labels = target_.honor_labels ? model::Labels() : target_.labels;
      opts.default_timestamp_ms = start_ms;
      opts.metadata = metadata_;
      auto r = IngestText(*ingester_, resp->body, opts, /*collect_refs=*/true);
      if (!r.ok()) {
        error = r.status().message();
      } else {
        scraped = r->samples;
        refs = std::move(r->refs);
        std::sort(refs.begin(), refs.end());
        refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
        for (auto ref : refs)
          added += !std::binary_search(last_refs_.begin(), last_refs_.end(), ref);
      }
    }
    double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bool up = error.empty();
    // Series gone since the last scrape (all of them when the scrape failed).
    std::vector<tsdb::SeriesRef> gone;
    std::set_difference(last_refs_.begin(), last_refs_.end(), refs.begin(), refs.end(),
                        std::back_inserter(gone));
    MarkStale(gone, start_ms);
    last_refs_ = std::move(refs);

    WriteReport(start_ms, up, duration, scraped, added);
    if (observer_ && *observer_) (*observer_)(target_.job, duration);
    if (!up) spdlog::debug("scrape {} failed: {}", target_.url, error);
    common::MutexLock lock(&mu_);
    if (status_.up != up && status_.last_scrape_ms != 0) {
      spdlog::info("target {} (job {}) is {}{}", target_.address, target_.job, up ? "up" : "down",
                   up ? "" : ": " + error);
    }
    status_.up = up;
    status_.last_error = error;
    status_.last_scrape_ms = start_ms;
    status_.last_duration_seconds = duration;
  }

  void WriteReport(int64_t ts, bool up, double duration, size_t scraped, size_t added) {
    std::vector<tsdb::RefSample> batch;
    auto add = [&](const char* name, double v) {
      auto ref = ingester_->Resolve(
          std::string("\x03") + name + "|" + target_.Key(),
          [&]() -> common::Result<model::Labels> { return target_.labels.With("__name__", name); });
      if (ref.ok()) batch.push_back({*ref, ts, v});
    };
    add("up", up ? 1 : 0);
    add("scrape_duration_seconds", duration);
    add("scrape_samples_scraped", static_cast<double>(scraped));
    add("scrape_samples_post_metric_relabeling", static_cast<double>(scraped));
    add("scrape_series_added", static_cast<double>(added));
    if (report_refs_.empty()) {
      for (const auto& s : batch) report_refs_.push_back(s.ref);
    }
    (void)ingester_->Commit(batch);
  }

  void MarkStale(const std::vector<tsdb::SeriesRef>& refs, int64_t ts) {
    if (refs.empty()) return;
    std::vector<tsdb::RefSample> batch;
    batch.reserve(refs.size());
    for (auto ref : refs) batch.push_back({ref, ts, model::kStaleNaN});
    (void)ingester_->Commit(batch);
  }

  const ScrapeTarget target_;
  Ingester* ingester_;
  MetadataStore* metadata_;
  const DurationObserver* observer_;
  common::HttpClient client_;                 // used by the loop thread only
  std::vector<tsdb::SeriesRef> last_refs_;    // sorted; loop thread (then destructor) only
  std::vector<tsdb::SeriesRef> report_refs_;  // up, scrape_*; loop thread only
  mutable common::Mutex mu_;
  common::CondVar cv_;  // on mu_: stop
  bool stop_ GUARDED_BY(mu_) = false;
  TargetStatus status_ GUARDED_BY(mu_);
  std::thread thread_;
};

ScrapeManager::ScrapeManager(Ingester* ingester, MetadataStore* metadata)
    : ingester_(ingester), metadata_(metadata) {}

ScrapeManager::~ScrapeManager() { Stop(); }

void ScrapeManager::ApplyConfig(const Config& config) {
  std::map<std::string, ScrapeTarget> wanted;
  for (auto& t : config.Targets()) wanted.emplace(t.Key(), t);
  std::vector<std::unique_ptr<Loop>> removed;
  {
    common::MutexLock lock(&mu_);
    for (auto it = loops_.begin(); it != loops_.end();) {
      if (!wanted.count(it->first)) {
        removed.push_back(std::move(it->second));
        it = loops_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [key, t] : wanted) {
      if (!loops_.count(key)) {
        loops_.emplace(key, std::make_unique<Loop>(t, ingester_, metadata_, &observer_));
      }
    }
    spdlog::info("scraping {} targets ({} stopped)", loops_.size(), removed.size());
  }
  removed.clear();  // joins outside the lock
}

void ScrapeManager::Stop() {
  std::map<std::string, std::unique_ptr<Loop>> loops;
  {
    common::MutexLock lock(&mu_);
    loops.swap(loops_);
  }
  loops.clear();
}

std::vector<ScrapeManager::TargetStatus> ScrapeManager::Targets() const {
  common::MutexLock lock(&mu_);
  std::vector<TargetStatus> out;
  for (const auto& [_, loop] : loops_) out.push_back(loop->status());
  return out;
}

}  // namespace server
