// monitoring-server end to end: real binaries on loopback (server, exporter,
// forwarder) and a real Prometheus as scraper and remote_write sender.
#include <signal.h>
#include <snappy.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmath>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "server/ingest/remote_write.pb.h"
#include "tests/integration/stack.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testutil::Service;
using testutil::TempDir;

double Num(const json& v) { return std::stod(v.get<std::string>()); }

std::string Hostname() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}

std::unique_ptr<testutil::Subprocess> StartForwarder(const TempDir& dir, const Service& exporter,
                                                     const std::string& server_url,
                                                     double interval) {
  return std::make_unique<testutil::Subprocess>(
      std::vector<std::string>{testutil::BinaryPath("exporter/forwarder/system-stats-forwarder"),
                               "--source-url", exporter.url("/system"), "--server-url", server_url,
                               "--interval", std::to_string(interval), "--spool-dir",
                               dir.File("spool"), "--max-backoff", "0.5", "--timeout", "2"},
      dir.File("forwarder.log"));
}

TEST(ServerIntegrationTest, ExporterForwarderServerEndToEnd) {
  TempDir dir;
  auto exporter = testutil::StartExporter(dir);
  auto server = testutil::StartServer(dir, dir.File("data"));
  ASSERT_TRUE(exporter->ready() && server->ready()) << server->log();
  auto fwd = StartForwarder(dir, *exporter, server->url("/metrics"), 0.5);
  std::string host = Hostname();
  json r;
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        r = testutil::Query(*server, "node_memory_MemTotal_bytes{job=\"system-stats\"}");
        return r.is_array() && r.size() == 1;
      },
      20s))
      << server->log();
  EXPECT_EQ(r[0]["metric"]["instance"], host);
  EXPECT_EQ(r[0]["metric"]["__name__"], "node_memory_MemTotal_bytes");
  std::string meminfo = testutil::ReadFile("/proc/meminfo");
  double kb = std::stod(meminfo.substr(meminfo.find(':') + 1));
  EXPECT_DOUBLE_EQ(Num(r[0]["value"][1]), kb * 1024);
  r = testutil::Query(*server, "system_cpu_count");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(Num(r[0]["value"][1]), std::thread::hardware_concurrency());
  r = testutil::Query(*server, "node_uname_info");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["metric"]["nodename"], host);
}

TEST(ServerIntegrationTest, ForwarderBuffersWhileServerIsDown) {
  TempDir dir;
  auto exporter = testutil::StartExporter(dir);
  int port = testutil::FreePort();
  auto server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(exporter->ready() && server->ready()) << server->log();
  const double interval = 0.5;
  auto fwd = StartForwarder(dir, *exporter, server->url("/metrics"), interval);
  ASSERT_TRUE(testutil::WaitUntil(
      [&] { return testutil::Query(*server, "system_cpu_count").size() == 1; }, 20s));
  int64_t outage_start = testutil::NowMs();
  server->proc().Stop(SIGTERM);
  std::this_thread::sleep_for(3s);  // ~6 readings while down
  server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(server->ready()) << server->log();
  int64_t outage_end = testutil::NowMs();
  // Wait until a reading newer than the outage arrived: the spool was replayed.
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto r = testutil::Query(*server, "timestamp(system_cpu_count)");
        return r.size() == 1 && Num(r[0]["value"][1]) * 1000 > static_cast<double>(outage_end);
      },
      20s));
  // Every reading from before to after the outage is there: no gap wider than
  // a couple of intervals.
  json raw = testutil::ApiGet(
      *server,
      "query?query=" +
          testutil::UrlEncode("system_cpu_count[" +
                              std::to_string((outage_end - outage_start) / 1000 + 4) + "s]") +
          "&time=" + std::to_string((outage_end + 1000) / 1000.0));
  ASSERT_EQ(raw["status"], "success") << raw.dump();
  const json& values = raw["data"]["result"][0]["values"];
  ASSERT_GE(values.size(), 8u) << values.dump();
  double max_gap = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    max_gap = std::max(max_gap, values[i][0].get<double>() - values[i - 1][0].get<double>());
  }
  EXPECT_LT(max_gap, interval * 2.5) << values.dump();
}

TEST(ServerIntegrationTest, ScrapesViaConfigWithUpAndStaleness) {
  TempDir dir;
  auto exporter = testutil::StartExporter(dir);
  ASSERT_TRUE(exporter->ready());
  std::string target = "127.0.0.1:" + std::to_string(exporter->port());
  testutil::WriteFile(dir.File("monitoring.yml"),
                      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                      "scrape_configs:\n  - job_name: node\n    static_configs:\n"
                      "      - targets: ['" +
                          target + "']\n        labels: {env: test}\n");
  auto server =
      testutil::StartServer(dir, dir.File("data"), {"--config", dir.File("monitoring.yml")});
  ASSERT_TRUE(server->ready()) << server->log();
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto r = testutil::Query(*server, "up{job=\"node\"}");
        return r.size() == 1 && r[0]["value"][1] == "1";
      },
      20s))
      << server->log();
  auto r = testutil::Query(*server, "node_load1");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["metric"]["instance"], target);
  EXPECT_EQ(r[0]["metric"]["env"], "test");
  r = testutil::Query(*server, "count(node_cpu_seconds_total)");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(Num(r[0]["value"][1]), std::thread::hardware_concurrency() * 8.0);
  EXPECT_EQ(testutil::Query(*server, "scrape_samples_scraped").size(), 1u);
  EXPECT_EQ(testutil::Query(*server, "scrape_duration_seconds").size(), 1u);
  auto targets = testutil::ApiGet(*server, "targets");
  EXPECT_EQ(targets["data"]["activeTargets"][0]["health"], "up");

  exporter->proc().Stop(SIGKILL);
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto u = testutil::Query(*server, "up{job=\"node\"}");
        return u.size() == 1 && u[0]["value"][1] == "0";
      },
      20s));
  // Staleness markers end the exporter's series at once (no 5 min lookback tail).
  EXPECT_TRUE(testutil::Query(*server, "node_load1").empty());
}

// --- remote_write helpers ---
std::string EncodeWriteRequest(const ms::remote::WriteRequest& req) {
  std::string raw, out;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

ms::remote::WriteRequest OneSeries(const std::string& name,
                                   std::vector<std::pair<int64_t, double>> s,
                                   int extra_labels = 0) {
  ms::remote::WriteRequest req;
  auto* ts = req.add_timeseries();
  auto* l = ts->add_labels();
  l->set_name("__name__");
  l->set_value(name);
  for (int i = 0; i < extra_labels; ++i) {
    auto* e = ts->add_labels();
    e->set_name("l" + std::to_string(i));
    e->set_value("v");
  }
  for (auto [t, v] : s) {
    auto* smp = ts->add_samples();
    smp->set_timestamp(t);
    smp->set_value(v);
  }
  return req;
}

TEST(ServerIntegrationTest, BadInputsGetClear4xxAndKeepStoredData) {
  TempDir dir;
  auto server = testutil::StartServer(
      dir, dir.File("data"),
      {"--write-token", "tok", "--limits.max-body-bytes", "100000", "--limits.max-labels", "10"});
  ASSERT_TRUE(server->ready()) << server->log();
  common::HttpClient c;
  common::HttpClient::Headers auth = {{"Authorization", "Bearer tok"}};
  int64_t now = testutil::NowMs();
  // Known good data first.
  auto good = c.Post(server->url("/metrics?job=j&instance=i"),
                     "keep_me{a=\"1\"} 42 " + std::to_string(now) + "\n", "text/plain", 5, auth);
  ASSERT_TRUE(good.ok());
  ASSERT_EQ(good->status, 204) << good->body;

  struct Case {
    std::string name, path, body, content_type;
    bool with_token;
    int want_status;
    std::string want_text;
  };
  std::string big(200000, 'x');
  std::vector<Case> cases = {
      {"malformed text", "/metrics", "ok_metric 1\nbad{ 2\n", "text/plain", true, 400, "line 2"},
      {"bad value", "/metrics", "m 1\nm2 abc\n", "text/plain", true, 400, "invalid value"},
      {"wrong json", "/metrics", "{\"hostname\": 5}", "application/json", true, 400, "hostname"},
      {"not json", "/metrics", "{nope", "application/json", true, 400, "not valid JSON"},
      {"truncated snappy", "/api/v1/write",
       EncodeWriteRequest(OneSeries("rw", {{now, 1}})).substr(0, 5), "application/x-protobuf", true,
       400, "snappy"},
      {"bad protobuf", "/api/v1/write",
       [] {
         std::string out, raw = "\xff\xff\xff\xff garbage";
         snappy::Compress(raw.data(), raw.size(), &out);
         return out;
       }(),
       "application/x-protobuf", true, 400, "protobuf"},
      {"oversized", "/metrics", big, "text/plain", true, 413, "limit"},
      {"too many labels", "/api/v1/write", EncodeWriteRequest(OneSeries("many", {{now, 1}}, 12)),
       "application/x-protobuf", true, 400, "more than the limit of 10"},
      {"no token", "/metrics", "m 1\n", "text/plain", false, 401, "token"},
      {"reload without token", "/-/reload", "", "text/plain", false, 401, "token"},
      {"bad import line", "/api/v1/import/prometheus", "imp 1 1000\nimp{x 2 2000\n", "text/plain",
       true, 400, "line 2"},
  };
  for (const auto& tc : cases) {
    auto r = c.Post(server->url(tc.path), tc.body, tc.content_type, 5,
                    tc.with_token ? auth : common::HttpClient::Headers{});
    ASSERT_TRUE(r.ok()) << tc.name;
    EXPECT_EQ(r->status, tc.want_status) << tc.name << ": " << r->body;
    EXPECT_NE(r->body.find(tc.want_text), std::string::npos) << tc.name << ": " << r->body;
  }
  // Nothing of the rejected requests was stored; the earlier data is intact.
  auto all =
      testutil::ApiGet(*server, "series?match[]=" + testutil::UrlEncode("{__name__=~\".+\"}"));
  std::set<std::string> names;
  for (const auto& s : all["data"]) names.insert(s["__name__"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"keep_me", "imp"})) << all.dump();
  auto r = testutil::Query(*server, "keep_me", std::to_string(now / 1000.0));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["value"][1], "42");
  // Out-of-order samples: 400, but the good ones of the batch are kept.
  auto ooo = c.Post(server->url("/api/v1/write"),
                    EncodeWriteRequest(OneSeries("keep_me", {{now - 1000, 1}})),
                    "application/x-protobuf", 5, auth);
  ASSERT_TRUE(ooo.ok());
  EXPECT_EQ(ooo->status, 204) << "a new series, any order is fine: " << ooo->body;
  ooo = c.Post(server->url("/api/v1/write"),
               EncodeWriteRequest(OneSeries("keep_me", {{now - 5000, 7}, {now + 1000, 8}})),
               "application/x-protobuf", 5, auth);
  ASSERT_TRUE(ooo.ok());
  EXPECT_EQ(ooo->status, 400);
  EXPECT_NE(ooo->body.find("out of order"), std::string::npos) << ooo->body;
}

TEST(ServerIntegrationTest, RestartKeepsDataAndQueryApiBasics) {
  TempDir dir;
  int port = testutil::FreePort();
  auto server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(server->ready());
  common::HttpClient c;
  std::string body;
  int64_t t0 = 1700000000000;
  for (int i = 0; i < 500; ++i) {
    body += "restart_metric{host=\"h\"} " + std::to_string(i) + " " +
            std::to_string(t0 + i * 15000) + "\n";
  }
  auto r = c.Post(server->url("/api/v1/import/prometheus"), body, "text/plain");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["accepted"], 500);
  int st = server->proc().Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  EXPECT_NE(server->log().find("stopped cleanly"), std::string::npos);
  server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(server->ready());
  std::string at = std::to_string((t0 + 499 * 15000) / 1000);
  auto q = testutil::Query(*server, "restart_metric", at);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["value"][1], "499");
  q = testutil::Query(*server, "count_over_time(restart_metric[1d])", at);
  EXPECT_EQ(q[0]["value"][1], "500");
  // Grafana's health check.
  auto one = testutil::ApiGet(*server, "query?query=1%2B1&time=" + at);
  EXPECT_EQ(one["data"]["resultType"], "scalar");
  EXPECT_EQ(one["data"]["result"][1], "2");
  auto bad = testutil::ApiGet(*server, "query?query=sum(");
  EXPECT_EQ(bad["status"], "error");
  EXPECT_EQ(bad["errorType"], "bad_data");
  auto labels = testutil::ApiGet(*server, "labels");
  EXPECT_EQ(labels["data"], json({"__name__", "host"}));
  auto values = testutil::ApiGet(*server, "label/host/values");
  EXPECT_EQ(values["data"], json({"h"}));
  auto build = testutil::ApiGet(*server, "status/buildinfo");
  EXPECT_EQ(build["status"], "success");
  auto self = c.Get(server->url("/metrics"));
  ASSERT_TRUE(self.ok());
  EXPECT_NE(self->body.find("monitor_tsdb_series 1"), std::string::npos) << self->body;
}

// Long-range queries through the API: the tiers written by the background
// job after a restart answer an aligned query_range as the raw samples do
// (max_over_time is exact), max_source_resolution=raw forces raw samples, a
// bad value is refused, and the job's progress is in /metrics.
TEST(ServerIntegrationTest, DownsampledRangeQueriesThroughTheApi) {
  TempDir dir;
  int port = testutil::FreePort();
  auto server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(server->ready());
  common::HttpClient c;
  const int64_t t0 = 1700438400000;  // a day boundary
  std::string body;
  for (int i = 0; i < 3 * 5760; ++i) {  // three days every 15 s
    body += "tiered{host=\"h\"} " + std::to_string((i * 7919) % 1000) + " " +
            std::to_string(t0 + 4000 + i * 15000LL) + "\n";
  }
  auto r = c.Post(server->url("/api/v1/import/prometheus"), body, "text/plain");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(server->proc().Stop(SIGTERM), 0);
  server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(server->ready());
  // The job runs at start: the 5-minute tier reaches the newest sample minus
  // the 1 h delay, in 8 h blocks.
  bool written = false;
  for (int i = 0; i < 100 && !written; ++i) {
    auto m = c.Get(server->url("/metrics"));
    ASSERT_TRUE(m.ok());
    const std::string name = "monitor_downsample_watermark_seconds{resolution=\"300s\"} ";
    const size_t at = m->body.find(name);
    ASSERT_NE(at, std::string::npos) << m->body;
    written = std::stod(m->body.substr(at + name.size())) ==
              static_cast<double>((t0 + 2 * 86400000LL + 16 * 3600000LL) / 1000);
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(written);
  const std::string range =
      "query_range?query=" + testutil::UrlEncode("max_over_time(tiered[1h])") +
      "&start=" + std::to_string(t0 / 1000 + 3600) +
      "&end=" + std::to_string(t0 / 1000 + 3 * 86400) + "&step=3600";
  auto tier = c.Get(server->url("/api/v1/" + range));
  auto raw = c.Get(server->url("/api/v1/" + range + "&max_source_resolution=raw"));
  ASSERT_TRUE(tier.ok() && raw.ok());
  EXPECT_EQ(json::parse(tier->body)["data"], json::parse(raw->body)["data"]);
  EXPECT_EQ(json::parse(tier->body)["data"]["result"][0]["values"].size(), 72u) << tier->body;
  auto bad = c.Get(server->url("/api/v1/" + range + "&max_source_resolution=fine"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("max_source_resolution"), std::string::npos) << bad->body;
}

TEST(ServerIntegrationTest, PrometheusRemoteWriteMatchesPrometheusOwnAnswers) {
  TempDir dir;
  auto exporter = testutil::StartExporter(dir);
  auto server = testutil::StartServer(dir, dir.File("data"));
  ASSERT_TRUE(exporter->ready() && server->ready());
  int prom_port = testutil::FreePort();
  testutil::WriteFile(dir.File("prometheus.yml"),
                      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                      "remote_write:\n  - url: " +
                          server->url("/api/v1/write") +
                          "\n    queue_config: {batch_send_deadline: 1s, max_shards: 1}\n"
                          "scrape_configs:\n  - job_name: node\n    static_configs:\n"
                          "      - targets: ['127.0.0.1:" +
                          std::to_string(exporter->port()) + "']\n");
  testutil::Subprocess prom({"/usr/bin/prometheus", "--config.file=" + dir.File("prometheus.yml"),
                             "--storage.tsdb.path=" + dir.File("prom-data"),
                             "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                            dir.File("prometheus.log"));
  common::HttpClient c;
  auto prom_query = [&](const std::string& q) {
    auto r = c.Get("http://127.0.0.1:" + std::to_string(prom_port) + "/api/v1/" + q, 10);
    return r.ok() ? json::parse(r->body, nullptr, false) : json();
  };
  // Wait until our server holds several seconds of remote-written samples.
  int64_t start_ms = 0;
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto r = testutil::Query(*server, "count_over_time(node_load1[1m])");
        return r.size() == 1 && Num(r[0]["value"][1]) >= 6;
      },
      60s, 250ms))
      << testutil::ReadFile(dir.File("prometheus.log"));
  auto first = testutil::Query(*server, "timestamp(node_load1 offset 3s)");
  ASSERT_EQ(first.size(), 1u);
  start_ms = static_cast<int64_t>(Num(first[0]["value"][1]) * 1000) - 2000;
  int64_t end_ms = start_ms + 3000;
  for (const std::string expr : {"node_load1", "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
                                 "rate(node_context_switches_total[3s])"}) {
    std::string q = "query_range?query=" + testutil::UrlEncode(expr) +
                    "&start=" + std::to_string(start_ms / 1000.0) +
                    "&end=" + std::to_string(end_ms / 1000.0) + "&step=0.5";
    json ours = testutil::ApiGet(*server, q);
    json theirs = prom_query(q);
    ASSERT_EQ(ours["status"], "success") << ours.dump();
    ASSERT_EQ(theirs["status"], "success") << theirs.dump();
    EXPECT_EQ(ours["data"]["result"], theirs["data"]["result"]) << expr;
    EXPECT_FALSE(ours["data"]["result"].empty()) << expr;
  }
}

// /api/v1/status/tsdb: the same series remote-written into ours and into a
// real Prometheus 2.42 give the same cardinality statistics. The data has no
// ties within any top 10 (Prometheus orders ties arbitrarily): metric mK has
// K series (K = 1..12) with distinct i values, and grp is "a" for even K.
TEST(ServerIntegrationTest, TsdbStatusMatchesPrometheus) {
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"));
  ASSERT_TRUE(server->ready()) << server->log();
  int prom_port = testutil::FreePort();
  testutil::WriteFile(dir.File("prometheus.yml"), "global:\n  scrape_interval: 1h\n");
  testutil::Subprocess prom(
      {"/usr/bin/prometheus", "--config.file=" + dir.File("prometheus.yml"),
       "--storage.tsdb.path=" + dir.File("prom-data"), "--web.enable-remote-write-receiver",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
      dir.File("prometheus.log"));
  const std::string prom_url = "http://127.0.0.1:" + std::to_string(prom_port);
  common::HttpClient c;
  ASSERT_TRUE(testutil::WaitUntil(
      [&] {
        auto r = c.Get(prom_url + "/-/ready", 1);
        return r.ok() && r->status == 200;
      },
      60s));
  ms::remote::WriteRequest req;
  const int64_t now = testutil::NowMs();
  for (int k = 1; k <= 12; ++k) {
    for (int j = 0; j < k; ++j) {
      auto* ts = req.add_timeseries();
      for (auto [name, value] :
           {std::pair<std::string, std::string>{"__name__", "m" + std::to_string(k)},
            {"grp", k % 2 == 0 ? "a" : "b"},
            {"i", std::to_string(k) + "_" + std::to_string(j)}}) {
        auto* l = ts->add_labels();
        l->set_name(name);
        l->set_value(value);
      }
      auto* smp = ts->add_samples();
      smp->set_timestamp(now);
      smp->set_value(k);
    }
  }
  const std::string body = EncodeWriteRequest(req);
  common::HttpClient::Headers h = {{"Content-Encoding", "snappy"}};
  for (const std::string& url : {server->url("/api/v1/write"), prom_url + "/api/v1/write"}) {
    auto r = c.Post(url, body, "application/x-protobuf", 10, h);
    ASSERT_TRUE(r.ok() && r->status / 100 == 2) << url << ": " << (r.ok() ? r->body : "");
  }
  json ours = testutil::ApiGet(*server, "status/tsdb");
  auto theirs_r = c.Get(prom_url + "/api/v1/status/tsdb", 10);
  ASSERT_TRUE(theirs_r.ok());
  json theirs = json::parse(theirs_r->body, nullptr, false);
  ASSERT_EQ(ours["status"], "success") << ours.dump();
  ASSERT_EQ(theirs["status"], "success") << theirs.dump();
  for (const char* list : {"seriesCountByMetricName", "labelValueCountByLabelName",
                           "memoryInBytesByLabelName", "seriesCountByLabelValuePair"}) {
    EXPECT_EQ(ours["data"][list], theirs["data"][list]) << list;
  }
  EXPECT_EQ(ours["data"]["headStats"]["numSeries"], theirs["data"]["headStats"]["numSeries"]);
  EXPECT_EQ(ours["data"]["headStats"]["numLabelPairs"],
            theirs["data"]["headStats"]["numLabelPairs"]);
  EXPECT_EQ(ours["data"]["headStats"]["maxTime"], theirs["data"]["headStats"]["maxTime"]);
  EXPECT_EQ(ours["data"]["seriesCountByLabelValuePair"][0],
            (json{{"name", "grp=a"}, {"value", 42}}));
}

// Regression: civetweb's worker stacks (fixed at the library's build) held
// only ~90 levels of query nesting; a deeper query crashed the server. The
// handlers now run on 8 MiB stacks, and the parser refuses more than 512.
TEST(ServerIntegrationTest, DeeplyNestedQueriesAreAnsweredNotCrashing) {
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"));
  ASSERT_TRUE(server->ready()) << server->log();
  auto repeat = [](const std::string& x, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += x;
    return out;
  };
  common::HttpClient c;
  const struct {
    std::string query;
    int want;
  } cases[] = {
      {repeat("-(", 254) + "1" + repeat(")", 254), 200},
      {"vector(1)" + repeat(" or vector(1)", 500), 200},
      {"sum(" + repeat("abs(", 250) + "vector(1)" + repeat(")", 250) + ")", 200},
      {repeat("-", 200000) + "1", 400},
      {repeat("(", 100000) + "1" + repeat(")", 100000), 400},
  };
  for (const auto& tc : cases) {
    auto r = c.Post(server->url("/api/v1/query"), "query=" + testutil::UrlEncode(tc.query),
                    "application/x-www-form-urlencoded", 30);
    ASSERT_TRUE(r.ok()) << "no answer (server crashed?) for a query of " << tc.query.size()
                        << " bytes: " << r.status().ToString();
    EXPECT_EQ(r->status, tc.want) << r->body.substr(0, 300);
  }
  EXPECT_TRUE(server->proc().running());
  // match[] selectors go through the same parser.
  auto series = testutil::ApiGet(
      *server, "series?match[]=" + testutil::UrlEncode(repeat("(", 300) + "up" + repeat(")", 300)));
  EXPECT_TRUE(server->proc().running());
}

// Idle keep-alive connections (Grafana, browsers, forwarders keep theirs
// open) each hold one of civetweb's worker threads: with the default thread
// count, twenty of them must not keep a health check waiting.
TEST(ServerIntegrationTest, IdleKeepAliveConnectionsDoNotBlockNewRequests) {
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"));
  ASSERT_TRUE(server->ready()) << server->log();
  std::vector<int> idle;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 20; ++i) {
    const int fd = testutil::ConnectLoopback(server->port());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    char buf[1024];
    ASSERT_GT(read(fd, buf, sizeof(buf)), 0) << "connection " << i << " got no answer";
  }
  common::HttpClient c;
  auto r = c.Get(server->url("/healthz"), 5);
  EXPECT_TRUE(r.ok() && r->status == 200)
      << "a new request waited behind idle connections: " << r.status().ToString();
  for (int fd : idle) close(fd);
}

// A query whose client hangs up is canceled, as Prometheus cancels it: it
// stops using CPU and gives back its --query.max-concurrency slot, so with a
// single slot the next query is answered. The query would otherwise run for
// minutes (11,001 windows of 1.7M samples each).
TEST(ServerIntegrationTest, QueryOfAClientThatHangsUpIsCanceled) {
  TempDir dir;
  auto server = testutil::StartServer(dir, dir.File("data"), {"--query.max-concurrency", "1"});
  ASSERT_TRUE(server->ready()) << server->log();
  common::HttpClient c;
  auto metric = [&](const std::string& series) {
    auto r = c.Get(server->url("/metrics"), 10);
    if (!r.ok()) return std::string("no answer");
    size_t at = r->body.find("\n" + series + " ");
    if (at == std::string::npos) return std::string("absent");
    at += series.size() + 2;
    return r->body.substr(at, r->body.find('\n', at) - at);
  };
  const std::string body =
      "query=" + testutil::UrlEncode("quantile_over_time(0.5, vector(1)[20d:1s])") +
      "&start=0&end=660000&step=60";
  const std::string request =
      "POST /api/v1/query_range HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  const int fd = testutil::ConnectLoopback(server->port());
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  EXPECT_TRUE(testutil::WaitUntil([&] { return metric("monitor_engine_queries") == "1"; }, 10s))
      << "the query never started";
  close(fd);
  EXPECT_TRUE(testutil::WaitUntil(
      [&] {
        return metric(
                   "monitor_http_requests_total{code=\"503\",handler=\"/api/v1/query_range\"}") ==
               "1";
      },
      30s))
      << "the query was not canceled: " << metric("monitor_engine_queries") << " running";
  EXPECT_EQ(metric("monitor_engine_queries"), "0");
  auto next = testutil::Query(*server, "1 + 1");
  ASSERT_TRUE(next.is_array()) << "the next query got no slot";
  EXPECT_TRUE(server->proc().running());
}

TEST(ServerIntegrationTest, ReloadKeepsOldConfigOnError) {
  TempDir dir;
  testutil::WriteFile(dir.File("m.yml"), "scrape_configs: []\n");
  auto server = testutil::StartServer(dir, dir.File("data"), {"--config", dir.File("m.yml")});
  ASSERT_TRUE(server->ready());
  testutil::WriteFile(dir.File("m.yml"),
                      "scrape_configs:\n  - job_name: x\n    scrape_intervall: 5s\n");
  common::HttpClient c;
  auto r = c.Post(server->url("/-/reload"), "", "text/plain");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("scrape_configs[0].scrape_intervall: unknown field"), std::string::npos)
      << r->body;
  EXPECT_TRUE(server->proc().running());
  // An invalid config at start-up is fatal with the same message.
  std::string out;
  int rc = testutil::RunCommand(testutil::BinaryPath("server/monitoring-server") +
                                    " --port 0 --data-dir " + dir.File("d2") + " --config " +
                                    dir.File("m.yml"),
                                &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("scrape_intervall"), std::string::npos) << out;
}

}  // namespace
