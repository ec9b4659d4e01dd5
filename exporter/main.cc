// system-stats-service: exposes this host's metrics over HTTP.
// Thin main: flags and env, logging, HTTP server, signals. See exporter/service.h.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "common/http_server.h"
#include "common/process.h"
#include "exporter/service.h"

#ifndef MS_VERSION
#define MS_VERSION "dev"
#endif

namespace {

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  common::BlockTerminationSignals();

  CLI::App app{"system-stats-service: host metrics for Prometheus (/metrics, node_exporter "
               "compatible) and a JSON snapshot (/system)."};
  app.set_version_flag("--version", MS_VERSION);
  common::HttpServer::Options http;
  http.host = "0.0.0.0";
  http.port = 5001;
  exporter::ServiceOptions options;
  options.version = MS_VERSION;
  std::string collectors, disabled, log_level = "info";
  app.add_option("--port", http.port, "TCP port to listen on")
      ->envname("SYSTEM_STATS_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--host", http.host, "Address to bind (0.0.0.0 for all, 127.0.0.1 for local)")
      ->envname("SYSTEM_STATS_HOST")
      ->capture_default_str();
  app.add_option("--web.threads", http.threads, "HTTP worker threads")
      ->envname("SYSTEM_STATS_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--path.procfs", options.collectors.paths.procfs, "procfs mount point")
      ->envname("SYSTEM_STATS_PROCFS")
      ->capture_default_str();
  app.add_option("--path.sysfs", options.collectors.paths.sysfs, "sysfs mount point")
      ->envname("SYSTEM_STATS_SYSFS")
      ->capture_default_str();
  app.add_option("--path.rootfs", options.collectors.paths.rootfs,
                 "Host root filesystem (e.g. /host when running in a container)")
      ->envname("SYSTEM_STATS_ROOTFS")
      ->capture_default_str();
  app.add_option("--collectors", collectors,
                 "Comma-separated collectors to enable (default: all default-enabled)")
      ->envname("SYSTEM_STATS_COLLECTORS");
  app.add_option("--collectors.disable", disabled, "Comma-separated collectors to disable")
      ->envname("SYSTEM_STATS_COLLECTORS_DISABLE");
  app.add_option("--collector.filesystem.mount-points-exclude",
                 options.collectors.filesystem_mount_points_exclude,
                 "Regexp of mount points to exclude")
      ->capture_default_str();
  app.add_option("--collector.filesystem.fs-types-exclude",
                 options.collectors.filesystem_fs_types_exclude,
                 "Regexp of filesystem types to exclude")
      ->capture_default_str();
  app.add_option("--collector.diskstats.device-exclude",
                 options.collectors.diskstats_device_exclude, "Regexp of disk devices to exclude")
      ->capture_default_str();
  app.add_option("--collector.cgroup.max-containers", options.collectors.cgroup_max_containers,
                 "Most containers the cgroup collector reports")
      ->envname("SYSTEM_STATS_CGROUP_MAX_CONTAINERS")
      ->capture_default_str();
  app.add_option("--collector.netdev.device-exclude", options.collectors.netdev_device_exclude,
                 "Regexp of network devices to exclude");
  app.add_option("--log.level", log_level, "trace, debug, info, warn, error or off")
      ->envname("SYSTEM_STATS_LOG_LEVEL")
      ->capture_default_str();
  bool list_collectors = false;
  app.add_flag("--list-collectors", list_collectors, "Print the available collectors and exit");
  CLI11_PARSE(app, argc, argv);

  if (auto s = common::SetupLogging(log_level); !s.ok()) {
    fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (list_collectors) {
    for (const auto& [name, info] : exporter::RegisteredCollectors()) {
      printf("%s%s\n", name.c_str(), info.enabled_by_default ? " (default)" : "");
    }
    return 0;
  }
  options.enabled_collectors = collectors.empty() ? exporter::NodeCollector::DefaultCollectorNames()
                                                  : SplitCommas(collectors);
  for (const auto& d : SplitCommas(disabled)) std::erase(options.enabled_collectors, d);

  auto service = exporter::ExporterService::Create(options);
  if (!service.ok()) {
    spdlog::error("{}", service.status().message());
    return 2;
  }
  common::HttpServer server;
  (*service)->RegisterRoutes(server);
  if (auto s = server.Start(http); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  std::string names;
  for (const auto& n : (*service)->collector_names()) names += (names.empty() ? "" : ",") + n;
  spdlog::info("system-stats-service {} listening on http://{}:{} (collectors: {})", MS_VERSION,
               http.host, server.port(), names);
  int sig = common::WaitForTermination();
  spdlog::info("received signal {}, shutting down", sig);
  server.Stop();
  spdlog::info("stopped");
  return 0;
}
