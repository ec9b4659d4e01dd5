// ExporterService: the HTTP face of the exporter. Registers on an HttpServer:
//   GET /metrics  Prometheus text format 0.0.4 (node_exporter-compatible names;
//                 the path is --web.telemetry-path). collect[]=name (repeated)
//                 runs only those collectors, as node_exporter; an unknown or
//                 disabled name is a 400. At most max_requests scrapes run at
//                 once; more are answered 503, as promhttp does.
//   GET /system   JSON snapshot of the host (see system_snapshot.h)
//   GET /healthz  "ok"
//   GET /         an index page with links
// Each request runs the collectors afresh (no cache), as node_exporter does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/http_server.h"
#include "common/process_metrics.h"
#include "common/status.h"
#include "exporter/collector.h"
#include "exporter/system_snapshot.h"

namespace exporter {

struct ServiceOptions {
  CollectorConfig collectors;
  // The collectors to run (may be empty: then only the exporter's own metrics).
  std::vector<std::string> enabled_collectors = NodeCollector::DefaultCollectorNames();
  std::string version = "dev";
  std::string telemetry_path = "/metrics";
  int max_requests = 40;  // 0: unlimited
  // Leaves out process_* and promhttp_* request metrics (node_exporter's
  // --web.disable-exporter-metrics).
  bool disable_exporter_metrics = false;
};

class ExporterService {
 public:
  static common::Result<std::unique_ptr<ExporterService>> Create(const ServiceOptions& options);

  // REQUIRES: server not started yet. The service must outlive the server.
  void RegisterRoutes(common::HttpServer& server);

  // The /metrics body: collectors (all, or those in only), scrape metadata
  // and the exporter's own metrics.
  std::string RenderMetrics(const std::vector<std::string>* only = nullptr);
  // The /system document.
  nlohmann::json RenderSystem();

  const std::vector<std::string>& collector_names() const { return collector_->names(); }

 private:
  ExporterService(std::unique_ptr<NodeCollector> collector, const ServiceOptions& options)
      : collector_(std::move(collector)), options_(options) {}

  common::HttpResponse ServeMetrics(common::HttpRequest& req);
  void AppendExporterMetrics(std::vector<prometheus::MetricFamily>* families);

  std::unique_ptr<NodeCollector> collector_;
  common::ProcessMetrics process_metrics_;
  SystemSampler sampler_;
  const ServiceOptions options_;
  // promhttp_metric_handler_* (what promhttp counts for node_exporter).
  std::atomic<int> in_flight_{0};
  std::atomic<uint64_t> responses_200_{0}, responses_500_{0}, responses_503_{0};
  std::atomic<uint64_t> gathering_errors_{0};  // samples dropped as inconsistent
};

}  // namespace exporter
