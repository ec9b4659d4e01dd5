#include "server/server.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/http_server.h"
#include "model/duration.h"
#include "promql/engine.h"
#include "server/alerting.h"
#include "server/api/federate.h"
#include "server/api/query_api.h"
#include "server/api/remote_read.h"
#include "server/config.h"
#include "server/http_util.h"
#include "server/ingest/ingester.h"
#include "server/ingest_routes.h"
#include "server/metadata.h"
#include "server/remote/remote_storage.h"
#include "server/scrape/scrape_manager.h"
#include "server/self_metrics.h"
#include "server/web_assets.h"
#include "tsdb/db.h"

#ifndef MS_VERSION
#define MS_VERSION "dev"
#endif

namespace server {

std::vector<DownsampleTierOption> DefaultDownsampleTiers() {
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  return {{5 * 60 * 1000, 365 * kDay}, {3600 * 1000, 5 * 365 * kDay}};
}

common::Result<std::vector<DownsampleTierOption>> ParseDownsampleTiers(const std::string& text) {
  std::vector<DownsampleTierOption> out;
  if (text.empty() || text == "none") return out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    const size_t colon = item.find(':');
    auto bad = [&](const std::string& why) {
      return common::Status::InvalidArgument("downsampling tier \"" + item + "\": " + why +
                                             " (want resolution:retention, e.g. 5m:1y)");
    };
    if (colon == std::string::npos) return bad("no ':'");
    auto res = model::ParseDuration(item.substr(0, colon));
    if (!res.ok()) return bad(res.status().message());
    auto ret = model::ParseDuration(item.substr(colon + 1));
    if (!ret.ok()) return bad(ret.status().message());
    if (*res <= 0 || *ret <= 0) return bad("durations must be positive");
    if (*res % 1000 != 0) return bad("the resolution must be whole seconds");
    if (!out.empty()) {
      const DownsampleTierOption& prev = out.back();
      if (*res <= prev.resolution_ms || *res % prev.resolution_ms != 0) {
        return bad("each resolution must be a multiple of the previous tier's");
      }
      if (*ret < prev.retention_ms) return bad("retention shorter than the previous tier's");
    }
    out.push_back({*res, *ret});
    pos = comma + 1;
  }
  return out;
}

namespace {

WriteAccess WriteAccessOf(const ServerOptions& o) {
  return WriteAccess{o.write_token,
                     std::set<std::string>(o.write_users.begin(), o.write_users.end())};
}

// Prometheus's default external URL: http://<hostname>:<port>, without a
// trailing slash.
std::string ExternalUrl(const ServerOptions& o) {
  std::string u = o.external_url;
  if (u.empty()) {
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    u = "http://" + std::string(host) + ":" + std::to_string(o.port);
  }
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

class ServerImpl : public MonitoringServer {
 public:
  explicit ServerImpl(const ServerOptions& o) : options_(o) {}
  ~ServerImpl() override { Stop(); }

  common::Status Init() {
    if (!options_.config_path.empty()) {
      auto c = LoadConfigFile(options_.config_path);
      if (!c.ok()) return c.status();
      config_ = *c;
      auto r = Alerting::LoadRules(config_);
      if (!r.ok()) return r.status();
      rule_files_ = std::move(r).value();
    }
    tsdb::Options topts;
    topts.retention_ms = options_.retention_ms;
    topts.max_series = options_.limits.max_series;
    topts.max_future_ms = options_.limits.max_future_ms;
    topts.block_cache_bytes = options_.block_cache_bytes;
    topts.memtable_budget_bytes = options_.memtable_budget_bytes;
    for (const DownsampleTierOption& t : options_.downsample_tiers) {
      topts.downsample_tiers.push_back({t.resolution_ms, t.retention_ms});
    }
    topts.downsample_delay_ms = options_.downsample_delay_ms;
    // A catch-up (the first start on a data dir with history, or after a
    // long stop) is logged every 10 s while a tier is more than a day behind.
    topts.on_downsample_window = [last = std::chrono::steady_clock::time_point{}](
                                     int64_t res, int64_t watermark, int64_t target) mutable {
      constexpr int64_t kDay = 24LL * 3600 * 1000;
      const auto now = std::chrono::steady_clock::now();
      if (target - watermark <= kDay) {
        if (target == watermark && last != std::chrono::steady_clock::time_point{}) {
          spdlog::info("downsampling {}s: caught up", res / 1000);
          last = {};
        }
        return;
      }
      if (now - last < std::chrono::seconds(10)) return;
      last = now;
      spdlog::info("downsampling {}s: catching up, {:.1f} days left", res / 1000,
                   static_cast<double>(target - watermark) / kDay);
    };
    // Hosts that start together (every host after a server restart, a fleet
    // rolled out at once) would otherwise seal all their chunks in the same
    // scrape: spread the first seals over a quarter of a chunk.
    topts.first_chunk_jitter_samples = topts.max_samples_per_chunk / 4;
    // A host that went away must not pin its head chunks (and the head log
    // behind them) until the retention: sealed after an hour without samples.
    topts.idle_head_seal_ms = 3600 * 1000;
    topts.sync =
        options_.sync_every_batch ? tsdb::SyncPolicy::kEveryBatch : tsdb::SyncPolicy::kNone;
    std::error_code ec;
    std::filesystem::create_directories(options_.data_dir, ec);
    auto db = tsdb::DB::Open(options_.data_dir, topts);
    if (!db.ok()) return db.status().WithContext("opening " + options_.data_dir);
    db_ = std::move(db).value();
    ingester_ = std::make_unique<Ingester>(db_.get(), options_.limits);
    metrics_ = std::make_unique<SelfMetrics>(ingester_.get(), db_.get());
    scraper_ = std::make_unique<ScrapeManager>(ingester_.get(), &metadata_);
    scraper_->set_duration_observer(
        [this](const std::string& job, double s) { metrics_->ObserveScrape(job, s); });
    promql::EngineOptions eopts;
    eopts.lookback_delta_ms = options_.lookback_delta_ms;
    eopts.timeout_ms = options_.query_timeout_ms;
    eopts.max_samples = options_.query_max_samples;
    eopts.parallelism = options_.query_parallelism;
    eopts.max_concurrency = options_.query_max_concurrency;
    engine_ = std::make_unique<promql::Engine>(eopts);
    metrics_->SetQueryGate(&engine_->gate());
    AlertingOptions aopts;
    aopts.resend_delay_ms = options_.rules_resend_delay_ms;
    aopts.outage_tolerance_ms = options_.rules_outage_tolerance_ms;
    aopts.for_grace_period_ms = options_.rules_for_grace_period_ms;
    aopts.notification_queue_capacity = options_.notification_queue_capacity;
    aopts.external_url = ExternalUrl(options_);
    aopts.data_dir = options_.data_dir;
    alerting_ = std::make_unique<Alerting>(ingester_.get(), engine_.get(), aopts);
    remote_ = std::make_unique<remote::RemoteStorage>(db_.get(), "monitoring-server/" MS_VERSION);
    RegisterRoutes();
    return common::Status::OK();
  }

  common::Status Start() override {
    common::HttpServer::Options h;
    h.host = options_.host;
    h.port = options_.port;
    h.threads = options_.http_threads;
    h.web_config_file = options_.web_config_file;
    if (options_.health_without_auth) {
      h.auth_exempt_paths = {"/healthz", "/-/healthy", "/ready", "/-/ready"};
    }
    // Handlers parse and evaluate PromQL, which recurses once per level of
    // the query (at most promql::kMaxExprHeight = 512): civetweb's own
    // worker stacks overflowed at ~90 levels. 8 MiB holds 512 levels even
    // in the sanitizer build (tests/unit/promql/limits_test.cc); the pages
    // are committed only as deep as a request uses them.
    h.handler_stack_bytes = 8 << 20;
    if (auto s = http_.Start(h); !s.ok()) return s;
    if (auto s = remote_->ApplyConfig(config_.remote_write, config_.external_labels); !s.ok()) {
      return s;
    }
    scraper_->ApplyConfig(config_);
    return alerting_->Apply(config_, rule_files_);
  }

  common::Status Reload() override {
    std::lock_guard<std::mutex> lock(reload_mu_);
    if (options_.config_path.empty()) {
      return common::Status::InvalidArgument("no config file given (--config / MONITOR_CONFIG)");
    }
    auto c = LoadConfigFile(options_.config_path);
    if (!c.ok()) {
      spdlog::error("config reload failed, keeping the running config: {}", c.status().message());
      return c.status();
    }
    auto r = Alerting::LoadRules(*c);
    if (!r.ok()) {
      spdlog::error("config reload failed, keeping the running config and rules: {}",
                    r.status().message());
      return r.status();
    }
    if (auto s = alerting_->Apply(*c, *r); !s.ok()) {
      spdlog::error("config reload failed, keeping the running rules: {}", s.message());
      return s;
    }
    if (auto s = remote_->ApplyConfig(c->remote_write, c->external_labels); !s.ok()) {
      spdlog::error("config reload: remote_write: {}", s.message());
    }
    config_ = *c;
    rule_files_ = std::move(r).value();
    scraper_->ApplyConfig(config_);
    spdlog::info("config reloaded from {}", options_.config_path);
    return common::Status::OK();
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    http_.Stop();
    if (scraper_) scraper_->Stop();
    // Rules read and write the store: stop them before it closes.
    if (alerting_) alerting_->Stop();
    if (remote_) remote_->Stop();
    if (db_) {
      if (auto s = db_->Flush(); !s.ok()) spdlog::error("flush on shutdown: {}", s.ToString());
      db_.reset();
    }
  }

  int port() const override { return http_.port(); }

 private:
  void RegisterRoutes() {
    IngestContext ictx{ingester_.get(), &metadata_, metrics_.get(), WriteAccessOf(options_)};
    RegisterIngestRoutes(http_, ictx, [this](common::HttpRequest&) {
      common::HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics_->Render() + alerting_->RenderMetrics() + remote_->RenderMetrics();
      return r;
    });
    QueryApiContext qctx;
    qctx.db = db_.get();
    qctx.engine = engine_.get();
    qctx.metadata = &metadata_;
    qctx.metrics = metrics_.get();
    qctx.targets = [this] { return scraper_->Targets(); };
    qctx.version = MS_VERSION;
    RegisterQueryApi(http_, qctx);
    auto external_labels = [this] {
      std::lock_guard<std::mutex> lock(reload_mu_);  // Reload replaces config_
      return config_.external_labels;
    };
    RegisterFederate(http_, FederateContext{db_.get(), metrics_.get(), options_.lookback_delta_ms,
                                            external_labels});
    RemoteReadContext rctx{db_.get(), metrics_.get(), external_labels};
    rctx.sample_limit = options_.remote_read_sample_limit;
    rctx.concurrent_limit = options_.remote_read_concurrent_limit;
    RegisterRemoteRead(http_, rctx);
    alerting_->RegisterApi(http_, WriteAccessOf(options_));

    auto ok = [](common::HttpRequest&) { return common::HttpResponse::Text(200, "ok\n"); };
    http_.Handle("/healthz", ok);
    http_.Handle("/-/healthy", ok);
    http_.Handle("/ready", ok);
    http_.Handle("/-/ready", ok);
    http_.Handle("/-/reload", [this](common::HttpRequest& req) {
      if (req.method() != "POST" && req.method() != "PUT") {
        return common::HttpResponse::Text(405, "use POST\n");
      }
      // Reloading changes what the server scrapes: a write, so it needs
      // write rights like the ingest endpoints.
      if (auto denied = CheckWrite(req, WriteAccessOf(options_))) return *denied;
      auto s = Reload();
      return s.ok() ? common::HttpResponse::Text(200, "config reloaded\n")
                    : common::HttpResponse::Text(400,
                                                 "failed to reload config: " + s.message() + "\n");
    });
    RegisterWebAssets(http_, options_.web_dir);
  }

  ServerOptions options_;
  Config config_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<Ingester> ingester_;
  std::unique_ptr<SelfMetrics> metrics_;
  std::unique_ptr<ScrapeManager> scraper_;
  std::unique_ptr<promql::Engine> engine_;
  std::unique_ptr<Alerting> alerting_;
  std::unique_ptr<remote::RemoteStorage> remote_;
  std::vector<rules::RuleFile> rule_files_;
  MetadataStore metadata_;
  common::HttpServer http_;
  std::mutex reload_mu_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

common::Result<std::unique_ptr<MonitoringServer>> MonitoringServer::Open(
    const ServerOptions& options) {
  auto impl = std::make_unique<ServerImpl>(options);
  if (auto s = impl->Init(); !s.ok()) return s;
  return std::unique_ptr<MonitoringServer>(std::move(impl));
}

}  // namespace server
