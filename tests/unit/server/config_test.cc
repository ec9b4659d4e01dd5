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

TEST(ConfigTest, RefusalsNameTheField) {
  struct Case {
    const char* yaml;
    const char* want;  // substring of the message
  };
  const Case cases[] = {
      {"scrape_configs:\n  - job_name: x\n    scrape_intervall: 5s\n",
       "scrape_configs[0].scrape_intervall: unknown field"},
      {"globl: {}\n", "config.globl: unknown field"},
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
