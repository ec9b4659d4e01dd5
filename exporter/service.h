// ExporterService: the HTTP face of the exporter. Registers on an HttpServer:
//   GET /metrics  Prometheus text format 0.0.4 (node_exporter-compatible names)
//   GET /system   JSON snapshot of the host (see system_snapshot.h)
//   GET /healthz  "ok"
//   GET /         an index page with links
// Each request runs the collectors afresh (no cache), as node_exporter does.
#pragma once

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
  std::vector<std::string> enabled_collectors;  // empty: the default set
  std::string version = "dev";
};

class ExporterService {
 public:
  static common::Result<std::unique_ptr<ExporterService>> Create(const ServiceOptions& options);

  // REQUIRES: server not started yet. The service must outlive the server.
  void RegisterRoutes(common::HttpServer& server);

  // The /metrics body: collectors, scrape metadata and process_* metrics.
  std::string RenderMetrics();
  // The /system document.
  nlohmann::json RenderSystem();

  const std::vector<std::string>& collector_names() const { return collector_->names(); }

 private:
  explicit ExporterService(std::unique_ptr<NodeCollector> collector, std::string version)
      : collector_(std::move(collector)), version_(std::move(version)) {}

  std::unique_ptr<NodeCollector> collector_;
  common::ProcessMetrics process_metrics_;
  SystemSampler sampler_;
  std::string version_;
};

}  // namespace exporter
