// The server's configuration file: a Prometheus-like YAML subset.
//
//   global:
//     scrape_interval: 15s       # default 15s
//     scrape_timeout: 10s        # default 10s (capped at the interval)
//     evaluation_interval: 1m    # rule groups without their own interval
//     external_labels: {...}     # added to alerts sent; seen by templates
//   rule_files: [rules/*.yml]    # globs, relative to the config file
//   alerting:
//     alertmanagers:
//       - static_configs: [{targets: ['127.0.0.1:9093']}]
//         scheme: http           # http or https
//         path_prefix: /
//         timeout: 10s
//         api_version: v2        # only v2
//         tls_config/basic_auth/authorization/bearer_token(_file) as below
//   notifications:               # the built-in notifier: alertmanager.yml's
//     route: {receiver: ops}     # shape (global, route, receivers; see
//     receivers: [...]           # notifier/notifier_config.h)
//   remote_write:                # Prometheus's remote_write section
//     - url: http://vminsert:8480/insert/0/prometheus/api/v1/write
//       name: central            # optional, unique; keeps the send position
//       headers: {X-Scope-OrgID: tenant-1}
//       remote_timeout: 30s
//       write_relabel_configs: [...]
//       queue_config: {capacity: 2500, min_shards: 1, max_shards: 200,
//                      max_samples_per_send: 500, batch_send_deadline: 5s,
//                      min_backoff: 30ms, max_backoff: 5s,
//                      retry_on_http_429: true}
//       tls_config/basic_auth/authorization/bearer_token(_file) as below
//   scrape_configs:
//     - job_name: node           # required, unique
//       scrape_interval: 15s
//       scrape_timeout: 10s
//       metrics_path: /metrics
//       scheme: http             # only http
//       honor_labels: false
//       static_configs:
//         - targets: ['host:9100']
//           labels: {env: prod}
//
// Unknown keys are errors (as in Prometheus), so a typo never silently
// disables something. Errors name the field: "scrape_configs[1].job_name: ...".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"
#include "model/labels.h"
#include "notifier/notifier.h"
#include "notifier/notifier_config.h"
#include "server/remote/remote_write_config.h"

namespace server {

struct ScrapeTarget {
  std::string job;
  std::string address;   // host:port
  std::string url;       // scheme://address/metrics_path
  model::Labels labels;  // job, instance and static labels
  int64_t interval_ms;
  int64_t timeout_ms;
  bool honor_labels = false;
  common::HttpClientConfig http;  // tls_config, basic_auth, authorization

  // Identity for reloads: a target whose key is unchanged keeps running.
  std::string Key() const;
};

struct ScrapeConfig {
  std::string job_name;
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  bool honor_labels = false;
  common::HttpClientConfig http;  // tls_config, basic_auth, authorization, bearer_token(_file)
  struct Static {
    std::vector<std::string> targets;
    model::Labels labels;
  };
  std::vector<Static> static_configs;
};

struct Config {
  int64_t scrape_interval_ms = 15000;
  int64_t scrape_timeout_ms = 10000;
  int64_t evaluation_interval_ms = 60000;
  model::Labels external_labels;
  std::vector<ScrapeConfig> scrape_configs;
  // Glob patterns, made absolute against the config file's directory.
  std::vector<std::string> rule_files;
  std::vector<notifier::AlertmanagerSet> alertmanagers;
  // The built-in notifier; unset: alerts go only to `alertmanagers`.
  std::optional<notifier::NotifierConfig> notifications;
  // Destinations every stored sample is sent to (server/remote/).
  std::vector<remote::RemoteWriteConfig> remote_write;

  std::vector<ScrapeTarget> Targets() const;
};

// Parses YAML text. InvalidArgument naming the field on any problem.
// base_dir resolves relative file names (tls_config, *_file), as Prometheus
// resolves them against the config file's directory.
common::Result<Config> ParseConfig(const std::string& yaml_text, const std::string& base_dir = "");
common::Result<Config> LoadConfigFile(const std::string& path);

}  // namespace server
