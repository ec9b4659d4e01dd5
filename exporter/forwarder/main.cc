// system-stats-forwarder: polls system-stats-service and pushes each reading to
// the monitoring server, spooling to disk while the server is unreachable.
#include <thread>
#include <tuple>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "common/process.h"
#include "exporter/forwarder/forwarder.h"

#ifndef MS_VERSION
#define MS_VERSION "dev"
#endif

int main(int argc, char** argv) {
  common::BlockTerminationSignals();
  CLI::App app{
      "system-stats-forwarder: pushes readings of system-stats-service to the "
      "monitoring server, buffering them on disk while the server is down."};
  app.set_version_flag("--version", MS_VERSION);
  forwarder::Options o;
  o.spool.dir = "./forwarder-spool";
  std::string log_level = "info";
  app.add_option("--source-url", o.source_url,
                 "Exporter URL to read (/system JSON or /metrics text)")
      ->envname("SYSTEM_STATS_URL")
      ->capture_default_str();
  app.add_option("--server-url", o.target_url, "Monitoring server push endpoint")
      ->envname("MONITORING_SERVER_METRICS_URL")
      ->capture_default_str();
  app.add_option("--interval", o.interval_seconds, "Seconds between readings")
      ->envname("SYSTEM_STATS_FORWARD_INTERVAL")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--timeout", o.timeout_seconds, "HTTP timeout in seconds")
      ->envname("SYSTEM_STATS_FORWARD_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--token", o.token, "Bearer token for the server (MONITOR_WRITE_TOKEN there)")
      ->envname("MONITORING_SERVER_TOKEN");
  // TLS and credentials, for the server and for the exporter.
  for (auto [side, env, cfg] :
       {std::tuple{std::string("server"), std::string("MONITORING_SERVER"), &o.target_http},
        std::tuple{std::string("source"), std::string("SYSTEM_STATS_SOURCE"), &o.source_http}}) {
    app.add_option("--" + side + ".ca-file", cfg->tls.ca_file,
                   "CA certificates to verify the " + side + " with (PEM)")
        ->envname(env + "_CA_FILE");
    app.add_option("--" + side + ".cert-file", cfg->tls.cert_file,
                   "Client certificate for the " + side + " (PEM, with --" + side + ".key-file)")
        ->envname(env + "_CERT_FILE");
    app.add_option("--" + side + ".key-file", cfg->tls.key_file, "Client certificate's key")
        ->envname(env + "_KEY_FILE");
    app.add_option("--" + side + ".server-name", cfg->tls.server_name,
                   "Name to verify the " + side + "'s certificate against")
        ->envname(env + "_SERVER_NAME");
    app.add_flag("--" + side + ".insecure-skip-verify", cfg->tls.insecure_skip_verify,
                 "Do not verify the " + side + "'s certificate")
        ->envname(env + "_INSECURE_SKIP_VERIFY");
    app.add_option("--" + side + ".username", cfg->username, "Basic auth user for the " + side)
        ->envname(env + "_USERNAME");
    app.add_option("--" + side + ".password-file", cfg->password_file,
                   "File holding the basic auth password for the " + side)
        ->envname(env + "_PASSWORD_FILE");
    app.add_option("--" + side + ".bearer-token-file", cfg->credentials_file,
                   "File holding a bearer token for the " + side)
        ->envname(env + "_BEARER_TOKEN_FILE");
  }
  app.add_option("--spool-dir", o.spool.dir, "Directory for readings not yet delivered")
      ->envname("SYSTEM_STATS_SPOOL_DIR")
      ->capture_default_str();
  app.add_option("--spool-max-readings", o.spool.max_entries,
                 "Spool bound in readings (oldest dropped beyond it)")
      ->envname("SYSTEM_STATS_SPOOL_MAX_READINGS")
      ->capture_default_str();
  app.add_option("--spool-max-bytes", o.spool.max_bytes, "Spool bound in bytes")
      ->envname("SYSTEM_STATS_SPOOL_MAX_BYTES")
      ->capture_default_str();
  app.add_option("--max-backoff", o.max_backoff_seconds, "Longest wait between retries (s)")
      ->envname("SYSTEM_STATS_MAX_BACKOFF")
      ->capture_default_str();
  app.add_option("--log.level", log_level, "trace, debug, info, warn, error or off")
      ->envname("SYSTEM_STATS_LOG_LEVEL")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (auto s = common::SetupLogging(log_level); !s.ok()) {
    fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  auto fwd = forwarder::Forwarder::Create(o);
  if (!fwd.ok()) {
    spdlog::error("{}", fwd.status().message());
    return 2;
  }
  spdlog::info("system-stats-forwarder {}: {} -> {} every {}s (spool {})", MS_VERSION, o.source_url,
               o.target_url, o.interval_seconds, o.spool.dir);
  std::thread loop([&] { (*fwd)->Run(); });
  int sig = common::WaitForTermination();
  spdlog::info("received signal {}, stopping", sig);
  (*fwd)->Stop();
  loop.join();
  auto st = (*fwd)->stats();
  spdlog::info("stopped: {} readings pushed, {} rejected, {} still spooled", st.pushed, st.rejected,
               (*fwd)->spooled());
  return 0;
}
