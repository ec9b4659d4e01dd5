// monitoring-server: receives pushes, scrapes targets, stores samples in an
// embedded RocksDB time-series store and answers the Prometheus query API.
// Thin main: flags/env, logging, signals. See server/server.h.
#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "common/byte_size.h"
#include "common/process.h"
#include "model/duration.h"
#include "server/server.h"

#ifndef MS_VERSION
#define MS_VERSION "dev"
#endif

int main(int argc, char** argv) {
  // Queries allocate large short-lived blocks (sample buffers, per-step
  // values, response bodies of 100+ MiB). By default glibc serves blocks above
  // 128 KiB-32 MiB with mmap and unmaps them on free, so every query
  // page-faults all of its memory in again (measured: most of the time of a
  // query returning 1M points). Never mmap: large blocks come from the heap
  // and stay mapped (up to 512 MiB of free heap) for the next query.
  // One arena per CPU, not glibc's 8 per CPU: each request thread and query
  // helper would otherwise keep its own arena of freed blocks (measured after
  // three concurrent 143 MB range queries: RSS 251 MiB with per-thread
  // arenas, 178 MiB with one, at the same latency). Not one either: under
  // ingest plus 10 concurrent dashboard queries on 2 cores (bench soak),
  // thread dumps showed up to 11 threads queued on the single arena's lock;
  // two arenas gave 1.5-2x the queries per minute at half the median
  // latency, for ~9% more RSS. Small blocks come from each thread's
  // lock-free tcache either way.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  common::BlockTerminationSignals();
  // A write past RLIMIT_FSIZE (a file size quota) must fail with EFBIG, which
  // the store handles like a full disk (writes answered 503 and retried, and
  // taken again once there is room), instead of SIGXFSZ's default action:
  // killing the server and every request in flight.
  signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "monitoring-server: stores host metrics (push, scrape, remote_write, import) and "
      "answers the Prometheus HTTP API; dashboard at /dashboard."};
  app.set_version_flag("--version", MS_VERSION);
  server::ServerOptions o;
  std::string retention = "15d", log_level = "info", lookback = "5m", query_timeout = "2m";
  app.add_option("--port", o.port, "HTTP port")
      ->envname("MONITOR_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--host", o.host, "Bind address")->envname("MONITOR_HOST")->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "Storage directory (RocksDB)")
      ->envname("MONITOR_DATA_DIR")
      ->capture_default_str();
  app.add_option("--retention", retention, "How long to keep samples (e.g. 15d, 100y)")
      ->envname("MONITOR_RETENTION")
      ->capture_default_str();
  app.add_option("--config", o.config_path,
                 "YAML config file (scrape targets, rule files, Alertmanagers)")
      ->envname("MONITOR_CONFIG");
  app.add_option("--write-token", o.write_token, "Bearer token required on write endpoints")
      ->envname("MONITOR_WRITE_TOKEN");
  app.add_option("--web.config.file", o.web_config_file,
                 "Prometheus web config file (YAML) enabling TLS and/or basic auth; re-read "
                 "when it changes")
      ->envname("MONITOR_WEB_CONFIG_FILE");
  app.add_option("--web.write-users", o.write_users,
                 "With basic auth: the users who may write (push, import, remote_write, "
                 "reload); the others may only read. Default: every user")
      ->delimiter(',')
      ->envname("MONITOR_WRITE_USERS");
  app.add_flag("--web.health-without-auth", o.health_without_auth,
               "Answer /healthz, /-/healthy and /-/ready without basic auth")
      ->envname("MONITOR_HEALTH_WITHOUT_AUTH");
  app.add_option("--web-dir", o.web_dir, "Dashboard assets directory")->envname("MONITOR_WEB_DIR");
  app.add_option("--http-threads", o.http_threads,
                 "HTTP worker threads: connections served at once (an open keep-alive "
                 "connection holds one)")
      ->envname("MONITOR_HTTP_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_flag("--sync-every-batch", o.sync_every_batch,
               "fsync the log before acknowledging each write (no loss on power failure; slower)")
      ->envname("MONITOR_SYNC_EVERY_BATCH");
  app.add_option("--limits.max-body-bytes", o.limits.max_body_bytes,
                 "Largest push/remote_write body (decompressed)")
      ->envname("MONITOR_MAX_BODY_BYTES")
      ->capture_default_str();
  app.add_option("--limits.max-labels", o.limits.max_labels_per_series, "Most labels per series")
      ->envname("MONITOR_MAX_LABELS")
      ->capture_default_str();
  app.add_option("--limits.max-label-name-length", o.limits.max_label_name_length,
                 "Longest label name")
      ->capture_default_str();
  app.add_option("--limits.max-label-value-length", o.limits.max_label_value_length,
                 "Longest label value")
      ->envname("MONITOR_MAX_LABEL_VALUE_LENGTH")
      ->capture_default_str();
  app.add_option("--limits.max-series", o.limits.max_series,
                 "Most series stored (cardinality limit)")
      ->envname("MONITOR_MAX_SERIES")
      ->capture_default_str();
  std::string block_cache_size = "auto", memtable_size = "auto";
  app.add_option("--storage.block-cache-size", block_cache_size,
                 "RocksDB block cache (e.g. 256MiB); auto: 1/256 of the memory, 32 MiB to 256 MiB")
      ->envname("MONITOR_BLOCK_CACHE_SIZE")
      ->capture_default_str();
  app.add_option("--storage.memtable-size", memtable_size,
                 "All RocksDB memtables together (e.g. 512MiB); auto: 1/64 of the memory, 128 MiB "
                 "to 640 MiB")
      ->envname("MONITOR_MEMTABLE_SIZE")
      ->capture_default_str();
  std::string downsample_tiers = "5m:1y,1h:5y", downsample_delay = "1h", max_future = "1h";
  app.add_option("--limits.max-future", max_future,
                 "Refuse samples stamped further ahead of this server's clock (0: no limit); "
                 "retention follows the newest sample, so one stamped years ahead would expire "
                 "everything")
      ->envname("MONITOR_MAX_FUTURE")
      ->capture_default_str();
  app.add_option("--storage.downsample.tiers", downsample_tiers,
                 "Downsampling tiers beside the raw samples, resolution:retention finest first "
                 "(range queries with a step of 5x a tier's resolution read it); none: no tiers")
      ->envname("MONITOR_DOWNSAMPLE_TIERS")
      ->capture_default_str();
  app.add_option("--storage.downsample.delay", downsample_delay,
                 "How far behind the newest sample the tiers are written (samples arriving later "
                 "stay in the raw data only)")
      ->envname("MONITOR_DOWNSAMPLE_DELAY")
      ->capture_default_str();
  app.add_option("--query.lookback-delta", lookback, "PromQL lookback delta")
      ->capture_default_str();
  app.add_option("--query.timeout", query_timeout, "Longest a query may run")
      ->envname("MONITOR_QUERY_TIMEOUT")
      ->capture_default_str();
  app.add_option("--query.max-samples", o.query_max_samples, "Most samples one query may load")
      ->envname("MONITOR_QUERY_MAX_SAMPLES")
      ->capture_default_str();
  app.add_option("--query.parallelism", o.query_parallelism,
                 "Threads one query reads and computes a selector's series on (0: one per CPU)")
      ->envname("MONITOR_QUERY_PARALLELISM")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--query.max-concurrency", o.query_max_concurrency,
                 "Queries evaluated at once; more wait in line (the wait counts against "
                 "--query.timeout)")
      ->envname("MONITOR_QUERY_MAX_CONCURRENCY")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--storage.remote.read-sample-limit", o.remote_read_sample_limit,
                 "Most samples one remote read request may return (SAMPLES responses; 0: no "
                 "limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--storage.remote.read-concurrent-limit", o.remote_read_concurrent_limit,
                 "Remote read requests served at once; more wait for a slot")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  std::string resend_delay = "1m", outage_tolerance = "1h", grace_period = "10m";
  app.add_option("--rules.alert.resend-delay", resend_delay,
                 "Minimum time between resending an alert to Alertmanager")
      ->capture_default_str();
  app.add_option("--rules.alert.for-outage-tolerance", outage_tolerance,
                 "Longest outage after which the 'for' state of alerts is still restored")
      ->capture_default_str();
  app.add_option("--rules.alert.for-grace-period", grace_period,
                 "Least time between a restart and an alert with a restored 'for' state "
                 "firing")
      ->capture_default_str();
  app.add_option("--alertmanager.notification-queue-capacity", o.notification_queue_capacity,
                 "Alerts queued for Alertmanagers before the oldest are dropped")
      ->capture_default_str();
  app.add_option("--web.external-url", o.external_url,
                 "URL users reach this server at (alert links, $externalURL); default "
                 "http://<hostname>:<port>")
      ->envname("MONITOR_EXTERNAL_URL");
  app.add_option("--log.level", log_level, "trace, debug, info, warn, error or off")
      ->envname("MONITOR_LOG_LEVEL")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (auto s = common::SetupLogging(log_level); !s.ok()) {
    fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  struct {
    const char* flag;
    const std::string& text;
    int64_t* out;
  } durations[] = {
      {"--retention", retention, &o.retention_ms},
      {"--query.lookback-delta", lookback, &o.lookback_delta_ms},
      {"--query.timeout", query_timeout, &o.query_timeout_ms},
      {"--rules.alert.resend-delay", resend_delay, &o.rules_resend_delay_ms},
      {"--rules.alert.for-outage-tolerance", outage_tolerance, &o.rules_outage_tolerance_ms},
      {"--rules.alert.for-grace-period", grace_period, &o.rules_for_grace_period_ms},
      {"--storage.downsample.delay", downsample_delay, &o.downsample_delay_ms}};
  for (auto& d : durations) {
    auto v = model::ParseDuration(d.text);
    if (!v.ok() || *v <= 0) {
      spdlog::error("{}: {}", d.flag, v.ok() ? "must be positive" : v.status().message());
      return 2;
    }
    *d.out = *v;
  }

  if (auto v = model::ParseDuration(max_future); !v.ok() || *v < 0) {
    spdlog::error("--limits.max-future: {}",
                  v.ok() ? "must not be negative" : v.status().message());
    return 2;
  } else {
    o.limits.max_future_ms = *v;
  }
  if (auto tiers = server::ParseDownsampleTiers(downsample_tiers); !tiers.ok()) {
    spdlog::error("--storage.downsample.tiers: {}", tiers.status().message());
    return 2;
  } else {
    o.downsample_tiers = std::move(tiers).value();
  }

  // Storage memory: explicit sizes, or shares of what this process may use
  // (the machine's memory, or its cgroup's limit in a container).
  const uint64_t memory = common::UsableMemoryBytes();
  struct {
    const char* flag;
    const std::string& text;
    uint64_t share_divisor, min, max;
    size_t* out;
  } sizes[] = {{"--storage.block-cache-size", block_cache_size, 256, 32ull << 20, 256ull << 20,
                &o.block_cache_bytes},
               {"--storage.memtable-size", memtable_size, 64, 128ull << 20, 640ull << 20,
                &o.memtable_budget_bytes}};
  for (auto& sz : sizes) {
    if (sz.text == "auto") {
      *sz.out = static_cast<size_t>(std::clamp(memory / sz.share_divisor, sz.min, sz.max));
      continue;
    }
    auto v = common::ParseByteSize(sz.text);
    if (!v.ok() || *v < (1 << 20)) {
      spdlog::error("{}: {}", sz.flag, v.ok() ? "must be at least 1MiB" : v.status().message());
      return 2;
    }
    *sz.out = static_cast<size_t>(*v);
  }
  spdlog::info("storage memory: block cache {}, memtables {} (usable memory {})",
               common::FormatByteSize(o.block_cache_bytes),
               common::FormatByteSize(o.memtable_budget_bytes), common::FormatByteSize(memory));

  auto srv = server::MonitoringServer::Open(o);
  if (!srv.ok()) {
    spdlog::error("{}", srv.status().message());
    return 2;
  }
  if (auto s = (*srv)->Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  spdlog::info("monitoring-server {} listening on http://{}:{} (data {}, retention {}, tiers {})",
               MS_VERSION, o.host, (*srv)->port(), o.data_dir, retention,
               o.downsample_tiers.empty() ? "none" : downsample_tiers);
  spdlog::info("dashboard: http://localhost:{}/dashboard/  query API: /api/v1/query",
               (*srv)->port());
  int sig = common::WaitForTermination([&] { (void)(*srv)->Reload(); });
  spdlog::info("received signal {}, flushing and shutting down", sig);
  (*srv)->Stop();
  spdlog::info("stopped cleanly");
  return 0;
}
