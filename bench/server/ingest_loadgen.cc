// HTTP ingest load generator for side-by-side runs (see compare_ingest.sh).
//
// Pre-builds every request body in memory from the deterministic fleet
// workload (bench/tsdb/workload.h), then POSTs them from N threads over
// keep-alive connections and reports samples/s (wall clock) and, given the
// server's PID, the server's CPU time per sample. The same bodies go to any
// server, so runs against us and VictoriaMetrics are like for like.
//   --mode import        text with ms timestamps to /api/v1/import/prometheus
//   --mode remote_write  snappy protobuf WriteRequests to /api/v1/write
// Hosts are split across threads; each host's requests go in time order on
// one connection, as remote_write requires.
#include <snappy.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/server/proc_stat.h"
#include "bench/tsdb/workload.h"
#include "common/http_client.h"
#include "server/ingest/remote_write.pb.h"

namespace {

double ProcessCpuSeconds(int pid) { return bench::ProcessCpuSeconds(pid).value_or(0); }

struct Body {
  std::string data;
  size_t samples;
};

std::string SeriesText(const model::Labels& labels) {
  std::string out(labels.MetricName());
  out += '{';
  bool first = true;
  for (const auto& l : labels) {
    if (l.name == "__name__") continue;
    if (!first) out += ',';
    first = false;
    out += l.name + "=\"" + model::EscapeLabelValue(l.value) + "\"";
  }
  out += '}';
  return out;
}

// Bodies for one host: windows of window_steps steps, all the host's series.
std::vector<Body> BuildHost(const bench::Workload& w, int host, const std::string& mode,
                            int window_steps) {
  std::vector<Body> out;
  size_t first = static_cast<size_t>(host) * static_cast<size_t>(w.series_per_host());
  size_t n = static_cast<size_t>(w.series_per_host());
  std::vector<bench::Workload::Cursor> cursors;
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    cursors.push_back(w.Start(first + i));
    names.push_back(SeriesText(w.labels(first + i)));
  }
  for (int step0 = 0; step0 < w.num_steps(); step0 += window_steps) {
    int steps = std::min(window_steps, w.num_steps() - step0);
    Body b{{}, n * static_cast<size_t>(steps)};
    if (mode == "import") {
      for (size_t i = 0; i < n; ++i) {
        for (int s = 0; s < steps; ++s) {
          b.data += names[i];
          b.data += ' ';
          b.data += bench::FormatValue(cursors[i].Next());
          b.data += ' ';
          b.data += std::to_string(w.Timestamp(step0 + s));
          b.data += '\n';
        }
      }
    } else {
      ms::remote::WriteRequest req;
      for (size_t i = 0; i < n; ++i) {
        auto* ts = req.add_timeseries();
        for (const auto& l : w.labels(first + i)) {
          auto* pl = ts->add_labels();
          pl->set_name(l.name);
          pl->set_value(l.value);
        }
        for (int s = 0; s < steps; ++s) {
          auto* smp = ts->add_samples();
          smp->set_timestamp(w.Timestamp(step0 + s));
          smp->set_value(cursors[i].Next());
        }
      }
      std::string raw;
      req.SerializeToString(&raw);
      snappy::Compress(raw.data(), raw.size(), &b.data);
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTTP ingest load generator (import / remote_write)"};
  std::string mode = "import", url;
  int hosts = 20, threads = 2, window_steps = 240, pid = 0;
  double hours = 6;
  int64_t start_ms = 0;
  app.add_option("--mode", mode, "import or remote_write")
      ->check(CLI::IsMember({"import", "remote_write"}));
  app.add_option("--url", url, "Full URL of the ingest endpoint")->required();
  app.add_option("--hosts", hosts)->capture_default_str();
  app.add_option("--hours", hours)->capture_default_str();
  app.add_option("--threads", threads)->capture_default_str();
  app.add_option("--window-steps", window_steps, "Samples per series per request")
      ->capture_default_str();
  app.add_option("--server-pid", pid, "Server PID, to report its CPU per sample");
  app.add_option("--start-ms", start_ms,
                 "First sample's timestamp (Unix ms); 0: so the data ends a minute ago");
  CLI11_PARSE(app, argc, argv);

  bench::WorkloadOptions wo;
  wo.hosts = hosts;
  wo.duration_ms = static_cast<int64_t>(hours * 3600 * 1000);
  // Recent data, so no server's retention window rejects it. An explicit
  // start (remote_write benchmarks) can lie in the future: Prometheus only
  // forwards samples newer than its own start.
  wo.start_ms = start_ms != 0 ? start_ms
                              : (std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count() -
                                 wo.duration_ms - 60000) /
                                    1000 * 1000;
  bench::Workload w(wo);
  fprintf(stderr, "building %s bodies: %d hosts x %d series x %d steps...\n", mode.c_str(), hosts,
          w.series_per_host(), w.num_steps());
  std::vector<std::vector<Body>> per_thread(static_cast<size_t>(threads));
  size_t total_samples = 0, total_bytes = 0;
  for (int h = 0; h < hosts; ++h) {
    auto bodies = BuildHost(w, h, mode, window_steps);
    for (auto& b : bodies) {
      total_samples += b.samples;
      total_bytes += b.data.size();
      per_thread[static_cast<size_t>(h % threads)].push_back(std::move(b));
    }
  }
  fprintf(stderr, "%zu samples in %.1f MB of bodies; sending with %d threads\n", total_samples,
          static_cast<double>(total_bytes) / 1e6, threads);
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex err_mu;
  double cpu0 = pid ? ProcessCpuSeconds(pid) : 0;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      common::HttpClient client;
      std::string ct = mode == "import" ? "text/plain" : "application/x-protobuf";
      common::HttpClient::Headers headers;
      if (mode == "remote_write") {
        headers = {{"Content-Encoding", "snappy"}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
      }
      for (const auto& b : per_thread[static_cast<size_t>(t)]) {
        auto r = client.Post(url, b.data, ct, 300, headers);
        if (!r.ok() || r->status >= 300) {
          if (failures.fetch_add(1) == 0) {
            std::lock_guard<std::mutex> lock(err_mu);
            first_error = r.ok() ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                                 : r.status().ToString();
          }
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = pid ? ProcessCpuSeconds(pid) - cpu0 : 0;
  printf(
      "{\"mode\":\"%s\",\"samples\":%zu,\"seconds\":%.3f,\"samples_per_sec\":%.0f,"
      "\"server_cpu_seconds\":%.3f,\"server_cpu_us_per_sample\":%.4f,\"failed_requests\":%d}\n",
      mode.c_str(), total_samples, secs, static_cast<double>(total_samples) / secs, cpu,
      pid ? cpu * 1e6 / static_cast<double>(total_samples) : 0.0, failures.load());
  if (failures.load()) fprintf(stderr, "first failure: %s\n", first_error.c_str());
  return failures.load() ? 1 : 0;
}
