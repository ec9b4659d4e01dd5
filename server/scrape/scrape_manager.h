// ScrapeManager: one loop per configured target, as Prometheus's scrape
// package. Each loop scrapes at a per-target phase of the interval (a hash of
// the target, so loads spread evenly and stay stable across restarts); every
// interval it GETs the target with the timeout, ingests the text with the
// target's labels at the scrape's start time, and writes the synthetic series
// up, scrape_duration_seconds, scrape_samples_scraped,
// scrape_samples_post_metric_relabeling and scrape_series_added.
//
// Staleness: a series present in the previous scrape but missing from this
// one gets a staleness marker (NaN 0x7ff0000000000002); when a scrape fails
// every series of the last good scrape does; when a target is removed (reload
// or shutdown) its series are marked stale too.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "server/config.h"
#include "server/ingest/ingester.h"
#include "server/metadata.h"

namespace server {

struct ScrapeStats;

class ScrapeManager {
 public:
  ScrapeManager(Ingester* ingester, MetadataStore* metadata);
  ~ScrapeManager();  // stops all loops

  // Starts loops for new targets, stops removed ones, keeps unchanged ones.
  void ApplyConfig(const Config& config);
  void Stop();

  struct TargetStatus {
    ScrapeTarget target;
    bool up = false;
    std::string last_error;
    int64_t last_scrape_ms = 0;
    double last_duration_seconds = 0;
  };
  std::vector<TargetStatus> Targets() const;

  // Observed scrape durations, for the server's own metrics.
  using DurationObserver = std::function<void(const std::string& job, double seconds)>;
  void set_duration_observer(DurationObserver o) { observer_ = std::move(o); }

 private:
  class Loop;
  Ingester* ingester_;
  MetadataStore* metadata_;
  DurationObserver observer_;
  mutable common::Mutex mu_;
  std::map<std::string, std::unique_ptr<Loop>> loops_ GUARDED_BY(mu_);  // by target key
};

}  // namespace server
