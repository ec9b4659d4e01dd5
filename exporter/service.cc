#include "exporter/service.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/text_writer.h"

namespace exporter {

namespace {}  // namespace

// node_exporter_build_info's goarch: Go's name for this build's architecture.
#if defined(__x86_64__)
#define MS_GOARCH "amd64"
#elif defined(__aarch64__)
#define MS_GOARCH "arm64"
#elif defined(__i386__)
#define MS_GOARCH "386"
#elif defined(__arm__)
#define MS_GOARCH "arm"
#else
#define MS_GOARCH "unknown"
#endif
#if defined(__APPLE__)
#define MS_GOOS "darwin"
#else
#define MS_GOOS "linux"
#endif

common::Result<std::unique_ptr<ExporterService>> ExporterService::Create(
    const ServiceOptions& options) {
  if (options.telemetry_path.empty() || options.telemetry_path[0] != '/') {
    return common::Status::InvalidArgument("--web.telemetry-path must start with '/', got '" +
                                           options.telemetry_path + "'");
  }
  auto collector = NodeCollector::Create(options.collectors, options.enabled_collectors);
  if (!collector.ok()) return collector.status();
  std::unique_ptr<ExporterService> service(
      new ExporterService(std::move(collector).value(), options));
  // Prime the sampler so the first /system call already has a baseline.
  MetricSink sink;
  service->collector_->Collect(sink);
  (void)service->sampler_.Exchange(ExtractCounters(sink, common::NowSeconds()));
  return service;
}

void ExporterService::AppendExporterMetrics(std::vector<prometheus::MetricFamily>* families) {
  auto family = [families](const char* name, const char* help, prometheus::MetricType type) {
    families->push_back(prometheus::MetricFamily{name, help, type, {}});
    return &families->back();
  };
  auto sample = [](prometheus::MetricFamily* f, prometheus::ClientMetric::Label label, double v) {
    prometheus::ClientMetric m;
    m.label = {std::move(label)};
    if (f->type == prometheus::MetricType::Counter)
      m.counter.value = v;
    else
      m.gauge.value = v;
    f->metric.push_back(std::move(m));
  };
  // promhttp registers its error counter whether or not the exporter's own
  // metrics are on. Gathering errors are samples dropped as inconsistent
  // (e.g. a textfile repeating a series); encoding cannot fail here.
  auto* errors = family("promhttp_metric_handler_errors_total",
                        "Total number of internal errors encountered by the promhttp metric "
                        "handler.",
                        prometheus::MetricType::Counter);
  sample(errors, {"cause", "encoding"}, 0);
  sample(errors, {"cause", "gathering"}, static_cast<double>(gathering_errors_.load()));
  if (options_.disable_exporter_metrics) return;
  for (auto& f : process_metrics_.Collect()) families->push_back(std::move(f));
  auto* in_flight =
      family("promhttp_metric_handler_requests_in_flight",
             "Current number of scrapes being served.", prometheus::MetricType::Gauge);
  prometheus::ClientMetric m;
  m.gauge.value = in_flight_.load();
  in_flight->metric.push_back(m);
  auto* total =
      family("promhttp_metric_handler_requests_total",
             "Total number of scrapes by HTTP status code.", prometheus::MetricType::Counter);
  sample(total, {"code", "200"}, static_cast<double>(responses_200_.load()));
  sample(total, {"code", "500"}, static_cast<double>(responses_500_.load()));
  sample(total, {"code", "503"}, static_cast<double>(responses_503_.load()));
}

namespace {
// The order client_golang's registry writes (NormalizeMetricFamilies): each
// metric's labels by name (collectors may add them in any order); a family's
// metrics by their label values, compared in label-name order, fewer labels
// first; families by name.
void SortAsGatherer(std::vector<prometheus::MetricFamily>* families) {
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  for (auto& f : *families) {
    for (auto& m : f.metric) {
      if (!std::is_sorted(m.label.begin(), m.label.end(), by_name)) {
        std::sort(m.label.begin(), m.label.end(), by_name);
      }
    }
    std::stable_sort(f.metric.begin(), f.metric.end(), [](const auto& a, const auto& b) {
      if (a.label.size() != b.label.size()) return a.label.size() < b.label.size();
      for (size_t i = 0; i < a.label.size(); ++i) {
        if (a.label[i].value != b.label[i].value) return a.label[i].value < b.label[i].value;
      }
      return false;
    });
  }
  std::stable_sort(families->begin(), families->end(), by_name);
}
}  // namespace

std::string ExporterService::RenderMetrics(const std::vector<std::string>* only) {
  MetricSink sink;
  collector_->Collect(sink, only);
  auto families = sink.TakeFamilies();
  AppendExporterMetrics(&families);
  // Counted after this scrape's own metrics, as promhttp does: the count
  // shows from the next scrape on.
  if (sink.errors() > 0) {
    gathering_errors_.fetch_add(sink.errors());
    spdlog::error("error gathering metrics: {} inconsistent or duplicate samples dropped",
                  sink.errors());
  }
  prometheus::MetricFamily build{"node_exporter_build_info",
                                 "A metric with a constant '1' value labeled by version, "
                                 "revision, branch, goversion from which node_exporter was "
                                 "built, and the goos and goarch for the build.",
                                 prometheus::MetricType::Gauge,
                                 {}};
  prometheus::ClientMetric m;
  m.label = {{"branch", "main"},    {"goarch", MS_GOARCH},   {"goos", MS_GOOS},
             {"goversion", "none"}, {"revision", "unknown"}, {"version", options_.version}};
  m.gauge.value = 1;
  build.metric.push_back(m);
  families.push_back(std::move(build));
  SortAsGatherer(&families);
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

common::HttpResponse ExporterService::ServeMetrics(common::HttpRequest& req) {
  if (req.method() != "GET" && req.method() != "HEAD") {
    return common::HttpResponse::Text(405, "method not allowed; use GET\n");
  }
  // promhttp's MaxRequestsInFlight: refuse rather than queue, so a scrape
  // storm cannot pile up collector runs.
  int running = in_flight_.fetch_add(1) + 1;
  struct Leave {
    std::atomic<int>& n;
    ~Leave() { n.fetch_sub(1); }
  } leave{in_flight_};
  if (options_.max_requests > 0 && running > options_.max_requests) {
    responses_503_.fetch_add(1);
    return common::HttpResponse::Text(503, "Limit of concurrent requests reached (" +
                                               std::to_string(options_.max_requests) +
                                               "), try again later.\n");
  }
  std::vector<std::string> only = req.QueryParams("collect[]");
  if (!only.empty()) {
    if (auto s = collector_->CheckFilter(only); !s.ok()) {
      return common::HttpResponse::Text(
          400, "Couldn't create filtered metrics handler: " + s.message() + "\n");
    }
  }
  common::HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  // Counted after rendering, as promhttp's instrumentation does: a scrape
  // shows the requests answered before it.
  r.body = RenderMetrics(only.empty() ? nullptr : &only);
  responses_200_.fetch_add(1);
  return r;
}

void ExporterService::RegisterRoutes(common::HttpServer& server) {
  server.Handle(options_.telemetry_path,
                [this](common::HttpRequest& req) { return ServeMetrics(req); });
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
        options_.version + "</h1><ul><li><a href=\"" + options_.telemetry_path + "\">" +
        options_.telemetry_path +
        "</a> Prometheus metrics "
        "(node_exporter compatible)</li><li><a href=\"/system\">/system</a> JSON host "
        "snapshot</li><li><a href=\"/healthz\">/healthz</a> health</li></ul>"
        "<h2>Enabled collectors</h2><ul>" +
        collectors + "</ul></body></html>\n";
    return r;
  });
}

}  // namespace exporter
