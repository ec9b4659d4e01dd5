// The Alertmanager client: the v2 JSON body, external labels, batching to
// every Alertmanager, counting what could not be delivered.
#include "notifier/notifier.h"

#include <gtest/gtest.h>

#include <mutex>

#include <nlohmann/json.hpp>

#include "common/http_server.h"

namespace notifier {
namespace {

using nlohmann::json;

TEST(NotifierTest, BodyIsPrometheusV2Json) {
  Alert a;
  a.labels = model::Labels{{"alertname", "X"}, {"instance", "h1"}};
  a.annotations = {{"summary", "s"}, {"empty", ""}};
  a.starts_at_ms = 1700000000123;
  a.generator_url = "http://p:9090/graph?g0.expr=up&g0.tab=1";
  json j = json::parse(AlertsToJson({a}));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["labels"], (json{{"alertname", "X"}, {"instance", "h1"}}));
  EXPECT_EQ(j[0]["annotations"], (json{{"summary", "s"}, {"empty", ""}}));
  EXPECT_EQ(j[0]["startsAt"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j[0]["endsAt"], "0001-01-01T00:00:00.000Z");  // Go's zero time, as Prometheus sends
  EXPECT_EQ(j[0]["generatorURL"], a.generator_url);
}

class Sink {
 public:
  explicit Sink(int status) : status_(status) {
    http_.Handle("/prefix/api/v2/alerts", [this](common::HttpRequest& req) {
      auto b = req.ReadAll(1 << 20);
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(json::parse(b.ok() ? *b : "null", nullptr, false));
      return common::HttpResponse::Text(status_, "");
    });
    common::HttpServer::Options o;
    o.host = "127.0.0.1";
    EXPECT_TRUE(http_.Start(o).ok());
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(http_.port()); }
  std::vector<json> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  int status_;
  common::HttpServer http_;
  std::mutex mu_;
  std::vector<json> bodies_;
};

TEST(NotifierTest, SendsToEveryAlertmanagerWithExternalLabelsAndCountsFailures) {
  Sink good(200), bad(500);
  NotifierOptions o;
  o.external_labels = model::Labels{{"cluster", "c1"}, {"instance", "ignored"}};
  AlertmanagerSet set;
  set.path_prefix = "/prefix/";
  set.targets = {good.target(), bad.target()};
  o.alertmanagers = {set};
  Notifier n(o);
  Alert a;
  a.labels = model::Labels{{"alertname", "X"}, {"instance", "h1"}};
  n.Send({a});
  n.Stop();  // drains the queue
  ASSERT_EQ(good.bodies().size(), 1u);
  ASSERT_EQ(bad.bodies().size(), 1u);
  const json body = good.bodies()[0];
  ASSERT_TRUE(body.is_array()) << body.dump();
  const json& got = body[0]["labels"];
  EXPECT_EQ(got["cluster"], "c1");
  EXPECT_EQ(got["instance"], "h1");  // the alert's own label wins
  auto st = n.stats();
  EXPECT_EQ(st.sent["http://" + good.target() + "/prefix/api/v2/alerts"], 1u);
  EXPECT_EQ(st.errors["http://" + bad.target() + "/prefix/api/v2/alerts"], 1u);
  EXPECT_EQ(st.dropped_total, 0u);  // one Alertmanager took it
}

TEST(NotifierTest, UndeliverableAlertsAreCountedAsDropped) {
  Sink bad(500);
  NotifierOptions o;
  AlertmanagerSet set;
  set.path_prefix = "/prefix";
  set.targets = {bad.target()};
  o.alertmanagers = {set};
  o.queue_capacity = 2;
  Notifier n(o);
  std::vector<Alert> many(5);
  for (size_t i = 0; i < many.size(); ++i) {
    many[i].labels = model::Labels{{"alertname", "A" + std::to_string(i)}};
  }
  n.Send(many);
  n.Stop();
  auto st = n.stats();
  // 3 overflowed the queue of 2, the other 2 failed to send.
  EXPECT_EQ(st.dropped_total, 5u);
  EXPECT_EQ(st.queued_total, 5u);
}

}  // namespace
}  // namespace notifier
