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
      {"scrape_configs:\n  - job_name: a\n    scheme: https\n", "scrape_configs[0].scheme"},
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
