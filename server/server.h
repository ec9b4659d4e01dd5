// MonitoringServer: the monitoring-server process as a library. Owns the
// tsdb, the ingest paths, the scrape manager, the query API and the HTTP
// routes; main.cc only parses flags and handles signals.
//
// Routes (see README.md for the full reference):
//   POST /metrics                     push: /system JSON or exposition text
//   POST /api/v1/write                Prometheus remote_write 1.0
//   POST /api/v1/import/prometheus    bulk text import (ms timestamps)
//   GET|POST /api/v1/query, /api/v1/query_range, /api/v1/series,
//     /api/v1/labels, /api/v1/label/<name>/values, /api/v1/metadata,
//     /api/v1/status/buildinfo, /api/v1/targets, /api/v1/rules,
//     /api/v1/alerts, /api/v1/alertmanagers
//   GET|POST /federate                latest samples for Prometheus federation
//   POST /api/v1/read                 Prometheus remote_read
//   GET /metrics                      the server's own metrics
//   GET /healthz, /ready, /-/healthy, /-/ready; POST /-/reload
//   GET /dashboard/...                built-in dashboard (static assets)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/ingest/limits.h"

namespace server {

// One downsampling tier: bucket resolution and how long its buckets are kept.
struct DownsampleTierOption {
  int64_t resolution_ms;
  int64_t retention_ms;
};
// 5m buckets kept a year, 1h buckets kept five years.
std::vector<DownsampleTierOption> DefaultDownsampleTiers();
// "5m:1y,1h:5y" (resolution:retention, finest first); "none" or "": no
// tiers. Each resolution a multiple of the previous one's, each retention at
// least the previous one's.
common::Result<std::vector<DownsampleTierOption>> ParseDownsampleTiers(const std::string& text);

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 5000;
  // Connections served at once: civetweb keeps a worker thread per open
  // (keep-alive) connection, so this must exceed the clients that stay
  // connected (Grafana, forwarders, dashboards) plus --query.max-concurrency,
  // or new requests, health checks included, wait for a connection to close.
  int http_threads = 64;
  std::string data_dir = "./data";
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;
  // Downsampling tiers beside the raw samples (ParseDownsampleTiers); empty:
  // none. Blocks are written once the newest sample is downsample_delay_ms
  // past them.
  std::vector<DownsampleTierOption> downsample_tiers = DefaultDownsampleTiers();
  int64_t downsample_delay_ms = 3600 * 1000;
  // RocksDB's block cache and memtable budget (main.cc derives them from the
  // machine's memory unless given).
  size_t block_cache_bytes = 64 << 20;
  size_t memtable_budget_bytes = 0;
  std::string config_path;  // empty: no scraping
  std::string write_token;  // empty: writes need no token (without basic auth)
  // With basic auth (web_config_file): the users who may write; empty: all.
  std::vector<std::string> write_users;
  std::string web_dir;  // dashboard assets; empty: the built-in search path
  // Prometheus's web config file (TLS, basic auth, headers); empty: none.
  std::string web_config_file;
  // Health endpoints answer without basic auth (for load balancers).
  bool health_without_auth = false;
  bool sync_every_batch = false;
  Limits limits;
  // Query engine.
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  int64_t query_timeout_ms = 2 * 60 * 1000;
  int64_t query_max_samples = 50'000'000;
  int query_parallelism = 0;       // promql::EngineOptions::parallelism
  int query_max_concurrency = 20;  // promql::EngineOptions::max_concurrency
  // POST /api/v1/read (Prometheus's flags of the same names).
  int64_t remote_read_sample_limit = 50'000'000;  // --storage.remote.read-sample-limit; 0: none
  int remote_read_concurrent_limit = 10;          // --storage.remote.read-concurrent-limit
  // Rules and alerts (Prometheus's flags of the same names).
  int64_t rules_resend_delay_ms = 60 * 1000;           // --rules.alert.resend-delay
  int64_t rules_outage_tolerance_ms = 60 * 60 * 1000;  // --rules.alert.for-outage-tolerance
  int64_t rules_for_grace_period_ms = 10 * 60 * 1000;  // --rules.alert.for-grace-period
  size_t notification_queue_capacity = 10'000;         // --alertmanager.notification-queue-capacity
  // The URL users reach this server at (alert generator links, templates'
  // $externalURL); empty: http://<hostname>:<port>.
  std::string external_url;
};

class MonitoringServer {
 public:
  // Opens the store and loads the config (failing on an invalid one).
  static common::Result<std::unique_ptr<MonitoringServer>> Open(const ServerOptions& options);
  virtual ~MonitoringServer() = default;

  // Starts HTTP, scraping and rule evaluation.
  virtual common::Status Start() = 0;
  // Re-reads the config file and its rule files; on any error keeps the
  // running config and rules.
  virtual common::Status Reload() = 0;
  // Stops HTTP and scraping (marking scraped series stale), flushes and
  // closes the store. Idempotent.
  virtual void Stop() = 0;
  // REQUIRES: started.
  virtual int port() const = 0;
};

}  // namespace server
