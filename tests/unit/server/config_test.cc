// The server's YAML config: what it accepts, and that every refusal names
// the field (table-driven, as users meet these errors on reload).
#include "server/config.h"

#include <gtest/gtest.h>

#include <string>

namespace server {
namespace {

TEST(ConfigTest, ParsesScrapeConfigsWithDefaultsAndTargets) {
  auto c = ParseConfig(R"(
global:
  scrape_interval: 30s
  scrape_timeout: 5s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:9100', 'h2:9100']
        labels: {env: prod}
  - job_name: fast
    scrape_interval: 5s
    metrics_path: /m
    honor_labels: true
    static_configs:
      - targets: ['h3:1']
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->scrape_interval_ms, 30000);
  auto targets = c->Targets();
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].url, "http://127.0.0.1:9100/metrics");
  EXPECT_EQ(targets[0].interval_ms, 30000);
  EXPECT_EQ(targets[0].timeout_ms, 5000);
  EXPECT_EQ(targets[0].labels.Get("job"), "node");
  EXPECT_EQ(targets[0].labels.Get("instance"), "127.0.0.1:9100");
  EXPECT_EQ(targets[0].labels.Get("env"), "prod");
  EXPECT_EQ(targets[2].url, "http://h3:1/m");
  EXPECT_EQ(targets[2].interval_ms, 5000);
  EXPECT_TRUE(targets[2].honor_labels);
  EXPECT_NE(targets[0].Key(), targets[1].Key());
}

TEST(ConfigTest, HttpsScrapeWithTlsAndCredentials) {
  auto c = ParseConfig(
      "scrape_configs:\n  - job_name: node\n    scheme: https\n"
      "    basic_auth:\n      username: u\n      password_file: secret\n"
      "    tls_config:\n      ca_file: ca.crt\n      cert_file: /abs/c.crt\n"
      "      key_file: c.key\n      server_name: node.example\n"
      "      insecure_skip_verify: false\n"
      "    static_configs:\n      - targets: ['10.0.0.1:9100']\n"
      "  - job_name: api\n    authorization:\n      credentials_file: token\n"
      "    static_configs:\n      - targets: ['10.0.0.2:9100']\n",
      "/etc/monitoring");
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto targets = c->Targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].url, "https://10.0.0.1:9100/metrics");
  EXPECT_EQ(targets[0].http.username, "u");
  EXPECT_EQ(targets[0].http.password_file, "/etc/monitoring/secret");
  EXPECT_EQ(targets[0].http.tls.ca_file, "/etc/monitoring/ca.crt");
  EXPECT_EQ(targets[0].http.tls.cert_file, "/abs/c.crt");
  EXPECT_EQ(targets[0].http.tls.server_name, "node.example");
  EXPECT_EQ(targets[1].http.credentials_file, "/etc/monitoring/token");
  // A changed credential makes a new target identity, so a reload applies it.
  auto again = ParseConfig(
      "scrape_configs:\n  - job_name: node\n    scheme: https\n"
      "    basic_auth:\n      username: v\n      password_file: secret\n"
      "    static_configs:\n      - targets: ['10.0.0.1:9100']\n");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->Targets()[0].Key(), targets[0].Key());
}

TEST(ConfigTest, EmptyConfigHasNoTargets) {
  auto c = ParseConfig("scrape_configs: []\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->Targets().empty());
}

TEST(ConfigTest, ParsesRulesAlertingAndExternalLabels) {
  auto c = ParseConfig(R"(
global:
  evaluation_interval: 30s
  external_labels: {cluster: eu1, replica: a}
rule_files: ['rules/*.yml', /abs/host.yml]
alerting:
  alertmanagers:
    - scheme: https
      path_prefix: /am
      timeout: 5s
      basic_auth: {username: u, password: p}
      static_configs:
        - targets: ['am1:9093', 'am2:9093']
)",
                       "/etc/ms");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->evaluation_interval_ms, 30000);
  EXPECT_EQ(c->external_labels.ToString(), "{cluster=\"eu1\", replica=\"a\"}");
  ASSERT_EQ(c->rule_files.size(), 2u);
  EXPECT_EQ(c->rule_files[0], "/etc/ms/rules/*.yml");  // relative to the config file
  EXPECT_EQ(c->rule_files[1], "/abs/host.yml");
  ASSERT_EQ(c->alertmanagers.size(), 1u);
  const auto& am = c->alertmanagers[0];
  EXPECT_EQ(am.scheme, "https");
  EXPECT_EQ(am.path_prefix, "/am");
  EXPECT_EQ(am.timeout_ms, 5000);
  EXPECT_EQ(am.http.username, "u");
  EXPECT_EQ(am.targets, (std::vector<std::string>{"am1:9093", "am2:9093"}));
  // Defaults.
  auto d = ParseConfig("scrape_configs: []\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->evaluation_interval_ms, 60000);
  EXPECT_TRUE(d->rule_files.empty());
}

TEST(ConfigTest, ParsesRemoteWriteAsPrometheus) {
  auto c = ParseConfig(R"(
global:
  external_labels: {site: a}
remote_write:
  - url: http://vm:8428/api/v1/write
  - url: https://mimir/api/v1/push
    name: mimir
    headers: {X-Scope-OrgID: tenant-1}
    remote_timeout: 10s
    basic_auth: {username: u, password: p}
    write_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
    queue_config:
      capacity: 10000
      max_shards: 50
      max_samples_per_send: 2000
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 10s
      retry_on_http_429: false
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->remote_write.size(), 2u);
  const auto& vm = c->remote_write[0];
  EXPECT_EQ(vm.queue.capacity, 2500);  // Prometheus's defaults
  EXPECT_EQ(vm.queue.max_shards, 200);
  EXPECT_EQ(vm.queue.max_samples_per_send, 500);
  EXPECT_EQ(vm.queue.batch_send_deadline_ms, 5000);
  EXPECT_TRUE(vm.queue.retry_on_http_429);
  EXPECT_EQ(vm.ReaderName(), "remote_write/http://vm:8428/api/v1/write");
  EXPECT_EQ(vm.RemoteName().size(), 6u);
  const auto& m = c->remote_write[1];
  EXPECT_EQ(m.RemoteName(), "mimir");
  EXPECT_EQ(m.ReaderName(), "remote_write/mimir");
  ASSERT_EQ(m.headers.size(), 1u);
  EXPECT_EQ(m.headers[0].second, "tenant-1");
  EXPECT_EQ(m.remote_timeout_ms, 10000);
  EXPECT_EQ(m.http.username, "u");
  ASSERT_EQ(m.write_relabel_configs.size(), 1u);
  EXPECT_EQ(m.queue.capacity, 10000);
  EXPECT_EQ(m.queue.max_shards, 50);
  EXPECT_EQ(m.queue.max_samples_per_send, 2000);
  EXPECT_EQ(m.queue.batch_send_deadline_ms, 1000);
  EXPECT_EQ(m.queue.min_backoff_ms, 100);
  EXPECT_EQ(m.queue.max_backoff_ms, 10000);
  EXPECT_FALSE(m.queue.retry_on_http_429);
  EXPECT_NE(vm.Key(), m.Key());
}

TEST(ConfigTest, ScaleOutExampleConfigsLoad) {
  for (const char* f : {"server-a.yml", "server-b.yml"}) {
    auto c = LoadConfigFile(std::string(MS_SOURCE_DIR) + "/deploy/scale-out/" + f);
    ASSERT_TRUE(c.ok()) << f << ": " << c.status().ToString();
    EXPECT_EQ(c->remote_write.size(), 1u);
  }
}

TEST(ConfigTest, RefusalsNameTheField) {
  struct Case {
    const char* yaml;
    const char* want;  // substring of the message
  };
  const Case cases[] = {
      {"scrape_configs:\n  - job_name: x\n    scrape_intervall: 5s\n",
       "scrape_configs[0].scrape_intervall: unknown field"},
      {"globl: {}\n", "config.globl: unknown field"},
      // remote_write.
      {"remote_write:\n  - name: x\n", "remote_write[0].url: is required"},
      {"remote_write:\n  - url: ftp://x\n", "remote_write[0].url: must be an http"},
      {"remote_write:\n  - url: http://x\n    headers: {Content-Type: a}\n",
       "remote_write[0].headers: Content-Type is a reserved header"},
      {"remote_write:\n  - url: http://x\n    sigv4: {region: eu}\n",
       "remote_write[0].sigv4: not supported"},
      {"remote_write:\n  - url: http://x\n    queue_config: {min_shards: 5, max_shards: 2}\n",
       "remote_write[0].queue_config.min_shards: must not be greater than max_shards"},
      {"remote_write:\n  - url: http://x\n    queue_config: {capacity: 0}\n",
       "remote_write[0].queue_config.capacity: must be a positive integer"},
      {"remote_write:\n  - url: http://x\n    queue_config: {max_shard: 2}\n",
       "remote_write[0].queue_config.max_shard: unknown field"},
      {"remote_write:\n  - {url: 'http://x', name: a}\n  - {url: 'http://y', name: a}\n",
       "remote_write[1].name: found multiple remote write configs"},
      {"remote_write:\n  - url: http://x\n  - url: http://x\n", "remote_write[1].url: duplicate"},
      {"remote_write:\n  - url: http://x\n    write_relabel_configs:\n      - action: hashmod\n"
       "        target_label: t\n",
       "remote_write[0].write_relabel_configs"},
      {"global:\n  scrape_interval: 5 seconds\n", "global.scrape_interval"},
      {"global:\n  scrape_interval: -5s\n", "global.scrape_interval"},
      {"global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n", "global.scrape_timeout"},
      {"scrape_configs:\n  - static_configs: []\n", "scrape_configs[0].job_name: is required"},
      {"scrape_configs:\n  - job_name: a\n  - job_name: a\n", "duplicate job name"},
      {"scrape_configs:\n  - job_name: a\n    scheme: ftp\n", "scrape_configs[0].scheme"},
      // Prometheus's HTTP client config checks.
      {"scrape_configs:\n  - job_name: a\n    tls_config:\n      cafile: x\n",
       "scrape_configs[0].tls_config.cafile: unknown field"},
      {"scrape_configs:\n  - job_name: a\n    tls_config:\n      cert_file: c\n",
       "client cert file specified without client key file"},
      {"scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: u\n      password: p\n"
       "      password_file: f\n",
       "at most one of basic_auth password & password_file"},
      {"scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: t\n",
       "at most one of basic_auth, authorization, bearer_token"},
      {"scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: x}\n",
       "use \"basic_auth\" instead"},
      {"scrape_configs:\n  - job_name: a\n    bearer_token: t\n    bearer_token_file: f\n",
       "at most one of bearer_token & bearer_token_file"},
      {"scrape_configs:\n  - job_name: a\n    tls_config:\n      insecure_skip_verify: maybe\n",
       "scrape_configs[0].tls_config.insecure_skip_verify"},
      {"scrape_configs:\n  - job_name: a\n    metrics_path: m\n", "must start with '/'"},
      {"scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n", "honor_labels"},
      {"scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['nohostport']\n",
       "scrape_configs[0].static_configs[0].targets[0]"},
      {"scrape_configs:\n  - job_name: a\n    static_configs:\n      - labels: {'0bad': x}\n",
       "invalid label name"},
      {"scrape_configs: {a: 1}\n", "scrape_configs: must be a list"},
      {"scrape_configs: [\n", "invalid YAML"},
      // Non-scalars where a string belongs used to surface as yaml-cpp's
      // "bad conversion" without the field.
      {"scrape_configs:\n  - job_name: a\n    metrics_path: {x: 1}\n",
       "scrape_configs[0].metrics_path: must be a string"},
      {"scrape_configs:\n  - job_name: a\n    scheme: [http]\n",
       "scrape_configs[0].scheme: must be a string"},
      {"scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [[a]]\n",
       "scrape_configs[0].static_configs[0].targets[0]: must be host:port"},
      // Rules and alerting.
      {"global:\n  evaluation_interval: soon\n", "global.evaluation_interval"},
      {"global:\n  external_labels: {'0x': a}\n", "global.external_labels"},
      {"global:\n  external_labels: {__name__: a}\n", "not a valid external label"},
      {"rule_files: a.yml\n", "rule_files: must be a list"},
      {"rule_files: ['rules/[a.yml']\n", "rule_files[0]: invalid rule file path"},
      {"alerting:\n  alertmanagers:\n    - static_configs: [{targets: [a:1]}]\n"
       "      api_version: v3\n",
       "alerting.alertmanagers[0].api_version"},
      {"alerting:\n  alertmanagers:\n    - dns_sd_configs: []\n",
       "alerting.alertmanagers[0].dns_sd_configs: not supported"},
      {"alerting:\n  alert_relabel_configs: []\n", "alerting.alert_relabel_configs"},
      {"alerting:\n  alertmanagers:\n    - schem: http\n",
       "alerting.alertmanagers[0].schem: unknown field"},
      {"alerting:\n  alertmanagers:\n    - scheme: ftp\n", "alerting.alertmanagers[0].scheme"},
      {"alerting:\n  alertmanagers:\n    - basic_auth: {username: u}\n      bearer_token: t\n",
       "alerting.alertmanagers[0]: at most one of basic_auth"},
  };
  for (const Case& tc : cases) {
    auto c = ParseConfig(tc.yaml);
    ASSERT_FALSE(c.ok()) << tc.yaml;
    EXPECT_NE(c.status().message().find(tc.want), std::string::npos)
        << tc.yaml << "\n=> " << c.status().message();
  }
}

}  // namespace
}  // namespace server
