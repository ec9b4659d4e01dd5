#include "exporter/service.h"

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "common/text_writer.h"

namespace exporter {

namespace {}  // namespace

common::Result<std::unique_ptr<ExporterService>> ExporterService::Create(
    const ServiceOptions& options) {
  auto names = options.enabled_collectors.empty() ? NodeCollector::DefaultCollectorNames()
                                                  : options.enabled_collectors;
  auto collector = NodeCollector::Create(options.collectors, names);
  if (!collector.ok()) return collector.status();
  std::unique_ptr<ExporterService> service(
      new ExporterService(std::move(collector).value(), options.version));
  // Prime the sampler so the first /system call already has a baseline.
  MetricSink sink;
  service->collector_->Collect(sink);
  (void)service->sampler_.Exchange(ExtractCounters(sink, common::NowSeconds()));
  return service;
}

std::string ExporterService::RenderMetrics() {
  MetricSink sink;
  collector_->Collect(sink);
  auto families = sink.TakeFamilies();
  for (auto& f : process_metrics_.Collect()) families.push_back(std::move(f));
  prometheus::MetricFamily build{"node_exporter_build_info",
                                 "A metric with a constant '1' value labeled by version, "
                                 "revision, branch, and goversion from which node_exporter "
                                 "was built.",
                                 prometheus::MetricType::Gauge,
                                 {}};
  prometheus::ClientMetric m;
  m.label = {
      {"branch", "main"}, {"goversion", "none"}, {"revision", "unknown"}, {"version", version_}};
  m.gauge.value = 1;
  build.metric.push_back(m);
  families.push_back(std::move(build));
  std::string out;
  out.reserve(32 << 10);
  common::AppendTextFormat(families, &out);
  return out;
}

nlohmann::json ExporterService::RenderSystem() {
  MetricSink sink;
  collector_->Collect(sink);
  CounterReading now = ExtractCounters(sink, common::NowSeconds());
  auto baseline = sampler_.Exchange(now);
  if (!baseline) {
    // Called within the sampler's minimum window of start-up: wait it out once
    // rather than answer without CPU percent and rates.
    std::this_thread::sleep_for(std::chrono::milliseconds(1050));
    sink = MetricSink();
    collector_->Collect(sink);
    now = ExtractCounters(sink, common::NowSeconds());
    baseline = sampler_.Exchange(now);
  }
  return BuildSystemSnapshot(sink, now, baseline ? &*baseline : nullptr);
}

void ExporterService::RegisterRoutes(common::HttpServer& server) {
  server.Handle("/metrics", [this](common::HttpRequest& req) {
    if (req.method() != "GET" && req.method() != "HEAD") {
      return common::HttpResponse::Text(405, "method not allowed; use GET\n");
    }
    common::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = RenderMetrics();
    return r;
  });
  server.Handle("/system", [this](common::HttpRequest& req) {
    if (req.method() != "GET" && req.method() != "HEAD") {
      return common::HttpResponse::Text(405, "method not allowed; use GET\n");
    }
    return common::HttpResponse::Json(200, RenderSystem().dump(2) + "\n");
  });
  server.Handle("/healthz",
                [](common::HttpRequest&) { return common::HttpResponse::Text(200, "ok\n"); });
  server.Handle("/", [this](common::HttpRequest&) {
    std::string collectors;
    for (const auto& n : collector_->names()) collectors += "<li>" + n + "</li>";
    common::HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body =
        "<!doctype html><html><head><title>system-stats-service</title></head><body>"
        "<h1>system-stats-service " +
        version_ +
        "</h1><ul><li><a href=\"/metrics\">/metrics</a> Prometheus metrics "
        "(node_exporter compatible)</li><li><a href=\"/system\">/system</a> JSON host "
        "snapshot</li><li><a href=\"/healthz\">/healthz</a> health</li></ul>"
        "<h2>Enabled collectors</h2><ul>" +
        collectors + "</ul></body></html>\n";
    return r;
  });
}

}  // namespace exporter
