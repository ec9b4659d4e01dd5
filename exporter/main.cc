// system-stats-service: exposes this host's metrics over HTTP.
// Thin main: flags and env, logging, HTTP server, signals. See exporter/service.h.
//
// The command line is node_exporter 1.5's (--web.listen-address,
// --collector.<name> / --no-collector.<name>, --collector.disable-defaults,
// --path.*, each collector's own flags), so a unit or script written for
// node_exporter runs this binary unchanged; the seed's environment variables
// (SYSTEM_STATS_PORT, SYSTEM_STATS_HOST, ...) keep working beside them.
#if defined(__linux__)
#include <malloc.h>
#endif

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

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
    std::string part =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// "host:port", ":port" (every address) or "[v6]:port", as Go's net.Listen.
bool ParseListenAddress(const std::string& addr, std::string* host, int* port) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = addr.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = addr.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int n = std::stoi(p);
  if (n > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : h;
  *port = n;
  return true;
}

// Parses the command line into http and options. Returns -1 to go on, or
// the exit code (--help, --version, --list-collectors, a bad flag). The
// parser and its option table are freed on return, before the first
// scrape, so that scrapes reuse their heap.
int ParseCommandLine(int argc, char** argv, common::HttpServer::Options& http,
                     exporter::ServiceOptions& options) {
  CLI::App app{
      "system-stats-service: host metrics for Prometheus (/metrics, node_exporter "
      "compatible) and a JSON snapshot (/system)."};
  app.set_version_flag("--version", MS_VERSION);
  app.option_defaults()->always_capture_default();
  http.host = "0.0.0.0";
  http.port = 5001;
  options.version = MS_VERSION;
  std::string collectors, disabled, log_level = "info", log_format = "logfmt";
  std::string listen_address;
  app.add_option("--port", http.port, "TCP port to listen on")
      ->envname("SYSTEM_STATS_PORT")
      ->check(CLI::Range(0, 65535));
  app.add_option("--host", http.host, "Address to bind (0.0.0.0 for all, 127.0.0.1 for local)")
      ->envname("SYSTEM_STATS_HOST");
  app.add_option("--web.listen-address", listen_address,
                 "Address on which to expose metrics and web interface, e.g. :9100 or "
                 "127.0.0.1:9100 (node_exporter's flag; overrides --host and --port)")
      ->envname("SYSTEM_STATS_LISTEN_ADDRESS");
  app.add_option("--web.telemetry-path", options.telemetry_path,
                 "Path under which to expose metrics.");
  app.add_option("--web.max-requests", options.max_requests,
                 "Maximum number of parallel scrape requests. Use 0 to disable.")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--web.disable-exporter-metrics", options.disable_exporter_metrics,
               "Exclude metrics about the exporter itself (process_*, promhttp_*).");
  app.add_option(
         "--web.config.file", http.web_config_file,
         "[EXPERIMENTAL] Path to configuration file that can enable TLS or "
         "authentication. See: "
         "https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md")
      ->envname("SYSTEM_STATS_WEB_CONFIG_FILE");
  bool health_without_auth = false;
  app.add_flag("--web.health-without-auth", health_without_auth,
               "Answer /healthz without basic auth (ours)")
      ->envname("SYSTEM_STATS_HEALTH_WITHOUT_AUTH");
  app.add_option("--web.threads", http.threads, "HTTP worker threads")
      ->envname("SYSTEM_STATS_THREADS")
      ->check(CLI::Range(1, 64));
  app.add_option("--path.procfs", options.collectors.paths.procfs, "procfs mountpoint.")
      ->envname("SYSTEM_STATS_PROCFS");
  app.add_option("--path.sysfs", options.collectors.paths.sysfs, "sysfs mountpoint.")
      ->envname("SYSTEM_STATS_SYSFS");
  app.add_option("--path.rootfs", options.collectors.paths.rootfs,
                 "rootfs mountpoint (e.g. /host when running in a container).")
      ->envname("SYSTEM_STATS_ROOTFS");
  app.add_option("--path.udev.data", options.collectors.paths.udev_data, "udev data path.");

  // Collectors: --collector.<name> / --no-collector.<name> for each, as
  // node_exporter; --collectors / --collectors.disable are this exporter's
  // older comma-separated forms and keep working.
  bool disable_defaults = false;
  app.add_flag("--collector.disable-defaults", disable_defaults,
               "Set all collectors to disabled by default.");
  std::map<std::string, bool> collector_enabled;
  std::map<std::string, CLI::Option*> collector_flags;
  for (const auto& [name, info] : exporter::RegisteredCollectors()) {
    collector_enabled[name] = info.enabled_by_default;
    collector_flags[name] = app.add_flag(
        "--collector." + name + ",!--no-collector." + name, collector_enabled[name],
        "Enable the " + name +
            " collector (default: " + (info.enabled_by_default ? "enabled" : "disabled") + ").");
  }
  app.add_option("--collectors", collectors,
                 "Comma-separated collectors to enable (replaces the default set)")
      ->envname("SYSTEM_STATS_COLLECTORS");
  app.add_option("--collectors.disable", disabled, "Comma-separated collectors to disable")
      ->envname("SYSTEM_STATS_COLLECTORS_DISABLE");
  for (const auto& [name, info] : exporter::RegisteredCollectorFlags()) {
    if (info.is_bool) {
      auto* opt = app.add_flag_function(
          "--" + name + ",!--no-" + name,
          [&options, name = name](int64_t count) {
            options.collectors.flags[name] = count > 0 ? "true" : "false";
          },
          info.help);
      opt->default_str(info.default_value);
    } else {
      app.add_option_function<std::string>(
             "--" + name,
             [&options, name = name](const std::string& v) { options.collectors.flags[name] = v; },
             info.help)
          ->default_str(info.default_value);
    }
  }

  app.add_option("--log.level", log_level,
                 "Only log messages with the given severity or above: debug, info, warn, error")
      ->envname("SYSTEM_STATS_LOG_LEVEL");
  app.add_option("--log.format", log_format, "Output format of log messages: logfmt or json")
      ->check(CLI::IsMember({"logfmt", "json"}));
  int gomaxprocs = 1;
  app.add_option("--runtime.gomaxprocs", gomaxprocs,
                 "Accepted for node_exporter compatibility; has no effect (no Go runtime).");
  bool list_collectors = false;
  app.add_flag("--list-collectors", list_collectors, "Print the available collectors and exit");
  CLI11_PARSE(app, argc, argv);

  if (auto s = common::SetupLogging(log_level, log_format); !s.ok()) {
    fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (list_collectors) {
    for (const auto& [name, info] : exporter::RegisteredCollectors()) {
      printf("%s%s\n", name.c_str(), info.enabled_by_default ? " (default)" : "");
    }
    return 0;
  }
  if (!listen_address.empty() && !ParseListenAddress(listen_address, &http.host, &http.port)) {
    spdlog::error("invalid --web.listen-address '{}' (want host:port or :port)", listen_address);
    return 2;
  }

  options.enabled_collectors.clear();
  if (!collectors.empty()) {
    options.enabled_collectors = SplitCommas(collectors);
  } else {
    // node_exporter: --collector.disable-defaults keeps only the collectors
    // named explicitly with --collector.<name>.
    for (const auto& [name, enabled] : collector_enabled) {
      bool explicit_flag = collector_flags[name]->count() > 0;
      if (disable_defaults ? (explicit_flag && enabled) : enabled) {
        options.enabled_collectors.push_back(name);
      }
    }
  }
  for (const auto& d : SplitCommas(disabled)) std::erase(options.enabled_collectors, d);
  if (health_without_auth) http.auth_exempt_paths = {"/healthz"};
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__linux__) && defined(M_ARENA_MAX)
  // One malloc arena: scrapes are serialized (NodeCollector), so per-thread
  // arenas buy no speed, and each HTTP worker's own arena kept ~250 KB
  // resident (about 1 MB of a 9 MB process; see bench/exporter).
  mallopt(M_ARENA_MAX, 1);
#endif
  common::BlockTerminationSignals();

  common::HttpServer::Options http;
  exporter::ServiceOptions options;
  if (int rc = ParseCommandLine(argc, argv, http, options); rc >= 0) return rc;

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
