// Rules and alerts against the real peers: Prometheus 2.42 evaluating the
// same rule file over the same samples (recorded series, ALERTS and
// ALERTS_FOR_STATE must be equal, sample for sample), and Alertmanager 0.25
// receiving our alerts and delivering them to a webhook on loopback.
#include <snappy.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/http_server.h"
#include "server/ingest/remote_write.pb.h"
#include "tests/integration/stack.h"

namespace testutil {
namespace {

using nlohmann::json;

struct SeriesInput {
  std::map<std::string, std::string> labels;  // with __name__
  std::vector<std::pair<int64_t, double>> samples;
};

std::string EncodeWrite(const std::vector<SeriesInput>& series) {
  ms::remote::WriteRequest req;
  for (const auto& s : series) {
    auto* ts = req.add_timeseries();
    for (const auto& [k, v] : s.labels) {
      auto* l = ts->add_labels();
      l->set_name(k);
      l->set_value(v);
    }
    for (const auto& [t, v] : s.samples) {
      auto* smp = ts->add_samples();
      smp->set_timestamp(t);
      smp->set_value(v);
    }
  }
  std::string raw, out;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

bool RemoteWrite(const std::string& base_url, const std::vector<SeriesInput>& series,
                 std::string* error) {
  common::HttpClient client;
  auto r =
      client.Post(base_url + "/api/v1/write", EncodeWrite(series), "application/x-protobuf", 10,
                  {{"Content-Encoding", "snappy"}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
  if (!r.ok()) {
    *error = r.status().message();
    return false;
  }
  if (r->status / 100 != 2) {
    *error = std::to_string(r->status) + " " + r->body;
    return false;
  }
  return true;
}

json GetJson(const std::string& url) {
  common::HttpClient client;
  auto r = client.Get(url, 10);
  if (!r.ok()) return nullptr;
  auto j = json::parse(r->body, nullptr, false);
  return j.is_discarded() ? json() : j;
}

// The raw samples of `selector` in [from_ms, to_ms] as "labels -> [(t, v)]",
// read with a range-vector query (staleness markers are not shown, as in
// Prometheus's API).
std::map<std::string, std::vector<std::pair<std::string, std::string>>> RawSamples(
    const std::string& base_url, const std::string& selector, int64_t from_ms, int64_t to_ms) {
  const int64_t range_s = (to_ms - from_ms) / 1000 + 1;
  json j = GetJson(base_url + "/api/v1/query?query=" +
                   UrlEncode(selector + "[" + std::to_string(range_s) + "s]") +
                   "&time=" + std::to_string(to_ms / 1000.0));
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  if (!j.is_object() || j["status"] != "success") {
    out["<error>"] = {{j.dump(), ""}};
    return out;
  }
  for (const auto& s : j["data"]["result"]) {
    auto& v = out[s["metric"].dump()];
    for (const auto& p : s["values"]) {
      double t = p[0].get<double>();
      if (t * 1000 < static_cast<double>(from_ms) - 0.5) continue;
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.3f", t);
      v.emplace_back(buf, p[1].get<std::string>());
    }
    if (v.empty()) out.erase(s["metric"].dump());
  }
  return out;
}

std::string Dump(const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& m) {
  std::string s;
  for (const auto& [k, v] : m) {
    s += k + ":";
    for (const auto& [t, x] : v) s += " " + t + "=" + x;
    s += "\n";
  }
  return s;
}

class PrometheusWithRules {
 public:
  PrometheusWithRules(const TempDir& dir, const std::string& config_path)
      : port_(FreePort()),
        proc_({"/usr/bin/prometheus", "--config.file=" + config_path,
               "--storage.tsdb.path=" + dir.File("prom-data"), "--storage.tsdb.retention.time=10y",
               "--web.enable-remote-write-receiver",
               "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
              dir.File("prometheus.log")),
        log_path_(dir.File("prometheus.log")) {}
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool WaitReady() {
    return WaitUntil(
        [&] {
          common::HttpClient c;
          auto r = c.Get(url() + "/-/ready", 1);
          return r.ok() && r->status == 200;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(200));
  }
  std::string log() const { return ReadFile(log_path_); }

 private:
  int port_;
  Subprocess proc_;
  std::string log_path_;
};

// The same rule file, config and samples in Prometheus and our server; over
// a window in which alerts go pending, fire, keep firing and resolve, every
// recorded sample and every ALERTS / ALERTS_FOR_STATE sample is equal.
TEST(AlertingIntegrationTest, SameRecordedSeriesAndAlertsAsPrometheus) {
  if (!HaveCommand("prometheus")) GTEST_SKIP() << "prometheus not installed";
  TempDir dir;
  const std::string rules_path = dir.File("rules.yml");
  WriteFile(rules_path, R"(groups:
  - name: diff
    interval: 1s
    rules:
      - record: job:load:sum
        expr: sum by (job) (load)
      - record: load:scaled
        expr: load * 2 + 1
        labels:
          source: rule
      - alert: HighLoad
        expr: load > 5
        for: 3s
        labels:
          severity: page
          where: '{{ $labels.instance }}'
        annotations:
          summary: 'load on {{ $labels.instance }} is {{ $value }}'
      - alert: VeryHighLoad
        expr: load > 8
        keep_firing_for: 2s
        labels:
          severity: critical
      - alert: JobLoad
        expr: job:load:sum > 11
        for: 2s
)");
  const std::string config_path = dir.File("config.yml");
  WriteFile(config_path,
            "global:\n  evaluation_interval: 1s\nrule_files:\n  - " + rules_path + "\n");

  PrometheusWithRules prom(dir, config_path);
  TempDir data;
  auto ours = StartServer(dir, data.path(), {"--config", config_path});
  ASSERT_TRUE(ours->ready()) << ours->log();
  ASSERT_TRUE(prom.WaitReady()) << prom.log();

  // Inputs written ahead of time (timestamps in the future), so both
  // evaluate every instant over exactly the same data.
  const int64_t t0 = (NowMs() / 1000 + 8) * 1000;
  auto level = [&](int64_t t, int64_t from_s, int64_t to_s, double high) {
    return t >= t0 + from_s * 1000 && t < t0 + to_s * 1000 ? high : 1.0;
  };
  std::vector<SeriesInput> input = {
      {{{"__name__", "load"}, {"job", "a"}, {"instance", "x"}}, {}},
      {{{"__name__", "load"}, {"job", "a"}, {"instance", "y"}}, {}},
      {{{"__name__", "load"}, {"job", "b"}, {"instance", "z"}}, {}},
  };
  const int64_t end = t0 + 36'000;
  for (int64_t t = t0 - 20'000; t <= end; t += 500) {
    input[0].samples.emplace_back(t, level(t, 4, 16, 10));  // fires, keeps firing 2s after
    input[1].samples.emplace_back(t, level(t, 7, 9, 9));    // pending, never fires
    input[2].samples.emplace_back(t, level(t, 12, 26, 6));  // fires, resolves
  }
  // y's series stops (stale) a while before the end: its recorded series
  // must end the same way in both.
  input[1].samples.erase(std::remove_if(input[1].samples.begin(), input[1].samples.end(),
                                        [&](const auto& p) { return p.first > t0 + 20'000; }),
                         input[1].samples.end());
  std::string err;
  ASSERT_TRUE(RemoteWrite(prom.url(), input, &err)) << err;
  ASSERT_TRUE(RemoteWrite(ours->url(""), input, &err)) << err;

  // Wait for the window, plus a few evaluations.
  while (NowMs() < end + 4000) std::this_thread::sleep_for(std::chrono::milliseconds(200));

  for (const char* sel : {"job:load:sum", "load:scaled", "ALERTS", "ALERTS_FOR_STATE"}) {
    auto a = RawSamples(prom.url(), sel, t0, end);
    auto b = RawSamples(ours->url(""), sel, t0, end);
    EXPECT_FALSE(a.empty()) << sel;
    EXPECT_EQ(Dump(a), Dump(b)) << sel << "\nPrometheus:\n" << Dump(a) << "\nours:\n" << Dump(b);
  }
  // Every alert state was reached.
  auto alerts = Dump(RawSamples(ours->url(""), "ALERTS", t0, end));
  EXPECT_NE(alerts.find("\"alertstate\":\"pending\""), std::string::npos);
  EXPECT_NE(alerts.find("\"alertstate\":\"firing\""), std::string::npos);

  // The API shows the rules as Prometheus does.
  json pr = GetJson(prom.url() + "/api/v1/rules");
  json or_ = GetJson(ours->url("/api/v1/rules"));
  ASSERT_EQ(or_["status"], "success") << or_.dump();
  const auto& pg = pr["data"]["groups"][0];
  const auto& og = or_["data"]["groups"][0];
  EXPECT_EQ(og["name"], pg["name"]);
  EXPECT_EQ(og["file"], pg["file"]);
  EXPECT_EQ(og["interval"], pg["interval"]);
  ASSERT_EQ(og["rules"].size(), pg["rules"].size());
  for (size_t i = 0; i < pg["rules"].size(); ++i) {
    for (const char* k : {"name", "query", "labels", "type", "health", "duration", "keepFiringFor",
                          "annotations"}) {
      // Absent fields (Prometheus omits a recording rule's empty labels)
      // must be absent in both.
      EXPECT_EQ(og["rules"][i].value(k, json("<absent>")),
                pg["rules"][i].value(k, json("<absent>")))
          << "rule " << i << " field " << k;
    }
  }
}

// The `for` state survives a restart (Prometheus's RestoreForState: the
// pending time before the restart counts, the downtime does not), and a
// reload keeps the alert's state while a broken rule file is refused with
// the running rules kept.
TEST(AlertingIntegrationTest, ForStateSurvivesRestartAndReloadKeepsRules) {
  TempDir dir;
  const std::string rules_path = dir.File("rules.yml");
  const std::string rules_v1 = R"(groups:
  - name: restart
    interval: 1s
    rules:
      - alert: Slow
        expr: probe > 0
        for: 30s
)";
  WriteFile(rules_path, rules_v1);
  WriteFile(dir.File("config.yml"), "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n");
  TempDir data;
  const int port = FreePort();
  std::vector<std::string> args = {"--config", dir.File("config.yml"),
                                   "--rules.alert.for-grace-period", "1s"};
  auto ours = StartServer(dir, data.path(), args, port);
  ASSERT_TRUE(ours->ready()) << ours->log();
  std::atomic<bool> stop{false};
  std::thread pusher([&] {
    common::HttpClient c;
    while (!stop.load()) {
      (void)c.Post("http://127.0.0.1:" + std::to_string(port) + "/metrics", "probe 1\n",
                   "text/plain", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  auto for_state = [&](Service& s) -> double {
    json r = Query(s, "ALERTS_FOR_STATE{alertname=\"Slow\"}");
    if (!r.is_array() || r.empty()) return -1;
    return std::stod(r[0]["value"][1].get<std::string>());
  };
  double active_at = -1;
  ASSERT_TRUE(WaitUntil([&] { return (active_at = for_state(*ours)) > 0; },
                        std::chrono::seconds(20), std::chrono::milliseconds(200)))
      << ours->log();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // pending a few seconds
  ASSERT_EQ(ours->proc().Stop(SIGTERM), 0);
  const double down_at = NowMs() / 1000.0;
  std::this_thread::sleep_for(std::chrono::seconds(4));
  ours = StartServer(dir, data.path(), args, port);
  ASSERT_TRUE(ours->ready()) << ours->log();
  const double restarted_at = NowMs() / 1000.0;
  // After the restore (the group's second evaluation), the alert's
  // activation time moved by about the downtime, not to the restart.
  double restored = -1;
  ASSERT_TRUE(WaitUntil(
      [&] {
        restored = for_state(*ours);
        return restored > 0 && restored != active_at;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(200)))
      << ours->log();
  const double downtime = restarted_at - down_at;
  EXPECT_NEAR(restored - active_at, downtime, 2.5)
      << "active_at " << active_at << " restored " << restored;
  EXPECT_LT(restored, restarted_at - 2) << "the pending time before the restart was lost";

  // A broken rule file: reload refused, the running rules and alert stay.
  WriteFile(rules_path, "groups:\n  - name: restart\n    rules:\n      - alert: X\n        expr: 'up =='\n");
  common::HttpClient c;
  auto r = c.Post(ours->url("/-/reload"), "", "text/plain");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("rules.yml"), std::string::npos) << r->body;
  json rules = ApiGet(*ours, "rules");
  ASSERT_EQ(rules["data"]["groups"].size(), 1u) << rules.dump();
  EXPECT_EQ(rules["data"]["groups"][0]["rules"][0]["name"], "Slow");
  // A good change: a new rule beside it; the alert keeps its activation.
  WriteFile(rules_path, rules_v1 + "      - record: probe:x2\n        expr: probe * 2\n");
  r = c.Post(ours->url("/-/reload"), "", "text/plain");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  rules = ApiGet(*ours, "rules");
  ASSERT_EQ(rules["data"]["groups"][0]["rules"].size(), 2u) << rules.dump();
  EXPECT_TRUE(WaitUntil([&] { return !Query(*ours, "probe:x2").empty(); },
                        std::chrono::seconds(10), std::chrono::milliseconds(200)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(for_state(*ours), restored);
  stop = true;
  pusher.join();
}

// A webhook receiver on loopback: the bodies Alertmanager posts.
class WebhookSink {
 public:
  WebhookSink() {
    http_.Handle("/hook", [this](common::HttpRequest& req) {
      auto body = req.ReadAll(1 << 20);
      std::lock_guard<std::mutex> lock(mu_);
      if (body.ok()) bodies_.push_back(json::parse(*body, nullptr, false));
      return common::HttpResponse::Text(200, "ok\n");
    });
    common::HttpServer::Options o;
    o.host = "127.0.0.1";
    ok_ = http_.Start(o).ok();
  }
  bool ok() const { return ok_; }
  int port() const { return http_.port(); }
  std::vector<json> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  common::HttpServer http_;
  std::mutex mu_;
  std::vector<json> bodies_;
  bool ok_ = false;
};

// Our server sends to a real Alertmanager 0.25 (api v2, external labels,
// endsAt), which routes to a webhook: firing, then resolved.
TEST(AlertingIntegrationTest, AlertmanagerDeliversOurAlertsToAWebhook) {
  if (!HaveCommand("prometheus-alertmanager")) GTEST_SKIP() << "alertmanager not installed";
  TempDir dir;
  WebhookSink sink;
  ASSERT_TRUE(sink.ok());
  const int am_port = FreePort();
  WriteFile(dir.File("am.yml"),
            "route:\n  receiver: hook\n  group_by: [alertname]\n"
            "  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
            "receivers:\n  - name: hook\n    webhook_configs:\n"
            "      - url: http://127.0.0.1:" +
                std::to_string(sink.port()) + "/hook\n        send_resolved: true\n");
  Subprocess am(
      {"/usr/bin/prometheus-alertmanager", "--config.file=" + dir.File("am.yml"),
       "--storage.path=" + dir.File("am-data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
      dir.File("am.log"));
  const std::string am_url = "http://127.0.0.1:" + std::to_string(am_port);
  ASSERT_TRUE(WaitUntil(
      [&] {
        common::HttpClient c;
        auto r = c.Get(am_url + "/-/ready", 1);
        return r.ok() && r->status == 200;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << ReadFile(dir.File("am.log"));

  WriteFile(dir.File("rules.yml"), R"(groups:
  - name: am
    interval: 1s
    rules:
      - alert: DiskAlmostFull
        expr: disk_used_ratio > 0.9
        for: 1s
        labels:
          severity: warning
        annotations:
          summary: '{{ $labels.mountpoint }} is {{ $value | humanizePercentage }} full'
)");
  WriteFile(dir.File("config.yml"),
            "global:\n  evaluation_interval: 1s\n  external_labels:\n    cluster: test\n"
            "rule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs:\n"
            "        - targets: ['127.0.0.1:" +
                std::to_string(am_port) + "']\n");
  TempDir data;
  auto ours = StartServer(dir, data.path(),
                          {"--config", dir.File("config.yml"), "--web.external-url",
                           "http://monitor.example:5000/", "--rules.alert.resend-delay", "1s"});
  ASSERT_TRUE(ours->ready()) << ours->log();

  auto push = [&](double v) {
    common::HttpClient c;
    auto r =
        c.Post(ours->url("/metrics"),
               "disk_used_ratio{mountpoint=\"/data\",instance=\"h1\"} " + std::to_string(v) + "\n",
               "text/plain");
    return r.ok() && r->status / 100 == 2;
  };
  // Keep the value fresh while waiting.
  auto wait_for_webhook = [&](const std::string& status) {
    json found;
    WaitUntil(
        [&] {
          for (const auto& b : sink.bodies()) {
            if (b.is_object() && b["status"] == status) {
              found = b;
              return true;
            }
          }
          push(status == "firing" ? 0.95 : 0.5);
          return false;
        },
        std::chrono::seconds(45), std::chrono::milliseconds(500));
    return found;
  };
  json firing = wait_for_webhook("firing");
  ASSERT_TRUE(firing.is_object()) << ours->log() << ReadFile(dir.File("am.log"));
  const auto& a = firing["alerts"][0];
  EXPECT_EQ(a["labels"]["alertname"], "DiskAlmostFull");
  EXPECT_EQ(a["labels"]["cluster"], "test");  // external label, added when sending
  EXPECT_EQ(a["labels"]["severity"], "warning");
  EXPECT_EQ(a["labels"]["mountpoint"], "/data");
  EXPECT_EQ(a["annotations"]["summary"], "/data is 95% full");
  EXPECT_EQ(a["generatorURL"].get<std::string>().rfind(
                "http://monitor.example:5000/graph?g0.expr=disk_used_ratio+%3E+0.9", 0),
            0u)
      << a.dump();
  // Alertmanager's own view.
  json am_alerts = GetJson(am_url + "/api/v2/alerts");
  ASSERT_TRUE(am_alerts.is_array()) << am_alerts.dump();
  ASSERT_EQ(am_alerts.size(), 1u) << am_alerts.dump();
  EXPECT_EQ(am_alerts[0]["status"]["state"], "active");
  // Our alerts API.
  json ours_alerts = ApiGet(*ours, "alerts");
  ASSERT_EQ(ours_alerts["data"]["alerts"].size(), 1u) << ours_alerts.dump();
  EXPECT_EQ(ours_alerts["data"]["alerts"][0]["state"], "firing");

  json resolved = wait_for_webhook("resolved");
  ASSERT_TRUE(resolved.is_object()) << ours->log() << ReadFile(dir.File("am.log"));
  EXPECT_EQ(resolved["alerts"][0]["labels"]["alertname"], "DiskAlmostFull");
  EXPECT_NE(resolved["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");

  // Self-metrics name Prometheus's notifier counters.
  common::HttpClient c;
  auto m = c.Get(ours->url("/metrics"), 5);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->body.find("prometheus_notifications_sent_total{alertmanager=\"http://127.0.0.1:" +
                         std::to_string(am_port) + "/api/v2/alerts\"}"),
            std::string::npos);
  EXPECT_NE(m->body.find("prometheus_rule_evaluations_total{rule_group="), std::string::npos);
}

}  // namespace
}  // namespace testutil
