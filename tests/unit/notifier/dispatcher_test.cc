// The dispatcher over a fake clock: grouping, group_wait / group_interval /
// repeat_interval timing, the dedup rule per integration, send_resolved,
// silences, the routing tree with `continue`, reloads, and Alertmanager's
// fingerprints and group keys (expected values read from a real
// Alertmanager 0.25: POST /api/v2/alerts, then GET /api/v2/alerts and a
// webhook receiver's groupKey).
#include "notifier/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

namespace notifier {
namespace {

using nlohmann::json;

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kT0 = 1'700'000'000'000;

const char* kConfig = R"(
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
  - matchers: ['severity="page"']
    receiver: pager
    continue: true
  - matchers: ['job="db"']
    receiver: db
receivers:
- name: team
  webhook_configs: [{url: 'http://hook/team'}]
  slack_configs: [{api_url: 'https://slack/x'}]
- name: pager
  ntfy_configs: [{url: 'https://ntfy/t'}]
- name: db
  webhook_configs: [{url: 'http://hook/db', send_resolved: false}]
)";

NotifierConfig Config(const char* yaml = kConfig) {
  auto c = ParseNotifierConfig(yaml, "");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : NotifierConfig{};
}

// As Prometheus sends a firing alert: endsAt a few resends ahead.
Alert Firing(model::Labels labels, int64_t starts_at, int64_t now) {
  Alert a;
  a.labels = std::move(labels);
  a.annotations = {{"summary", "s"}};
  a.starts_at_ms = starts_at;
  a.ends_at_ms = now + 4 * kMin;
  a.generator_url = "http://prom/graph";
  return a;
}

Alert Resolved(model::Labels labels, int64_t starts_at, int64_t now) {
  Alert a = Firing(std::move(labels), starts_at, now);
  a.ends_at_ms = now;
  return a;
}

std::vector<std::string> Instances(const Notification& n) {
  std::vector<std::string> out;
  for (const auto& a : n.alerts) {
    out.push_back(std::string(a.labels.Get("instance")) +
                  (a.status == AlertStatus::kResolved ? ":resolved" : ""));
  }
  return out;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void Start(NotifierConfig c, Silences* silences = nullptr) {
    d_ = std::make_unique<Dispatcher>(
        std::move(c), silences, [this](Notification n) { sent_.push_back(std::move(n)); },
        "http://ms:9090");
  }
  // What Tick(t) enqueued.
  std::vector<Notification> TickAt(int64_t t) {
    sent_.clear();
    d_->Tick(t);
    return std::move(sent_);
  }
  // Keeps alerts firing as Prometheus does (re-sent with a fresh endsAt).
  void Refresh(const std::vector<model::Labels>& alerts, int64_t now) {
    std::vector<Alert> batch;
    for (const auto& l : alerts) batch.push_back(Firing(l, kT0, now));
    d_->Put(batch, now);
  }

  std::unique_ptr<Dispatcher> d_;
  std::vector<Notification> sent_;
};

TEST(FingerprintTest, MatchesAlertmanager) {
  // From Alertmanager 0.25's GET /api/v2/alerts.
  EXPECT_EQ(FingerprintString(LabelsFingerprint(model::Labels{{"alertname", "X"}})),
            "d2aeefc389ca7746");
  EXPECT_EQ(FingerprintString(LabelsFingerprint(model::Labels{{"a", "1"}, {"b", "ü\n"}})),
            "76f741ba041a698a");
  EXPECT_EQ(FingerprintString(LabelsFingerprint(model::Labels{{"alertname", "HighLoad"},
                                                              {"instance", "h1"},
                                                              {"job", "node"},
                                                              {"severity", "crit"},
                                                              {"team", "a\"b"}})),
            "d6bf93a57349ad0e");
  EXPECT_EQ(FingerprintString(LabelsFingerprint(model::Labels{})), "cbf29ce484222325");
  EXPECT_EQ(LabelSetString(model::Labels{{"team", "a\"b"}, {"alertname", "X"}}),
            R"({alertname="X", team="a\"b"})");
}

TEST_F(DispatcherTest, GroupKeysMatchAlertmanager) {
  // The route tree of the Alertmanager run the expected keys come from.
  Start(Config(R"(
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  routes:
  - receiver: hook
    matchers: ['severity=~"crit|page"', 'team="a\"b"']
    group_by: ['...']
    continue: true
  - receiver: hook
    match: {job: node}
receivers:
- name: hook
  webhook_configs: [{url: 'http://127.0.0.1:19333/'}]
)"));
  d_->Put({Firing({{"alertname", "HighLoad"},
                   {"instance", "h1"},
                   {"job", "node"},
                   {"severity", "crit"},
                   {"team", "a\"b"}},
                  kT0, kT0),
           Firing({{"alertname", "HighLoad"}, {"instance", "h2"}, {"job", "node"}}, kT0, kT0),
           Firing({{"alertname", "X"}}, kT0, kT0), Firing({{"a", "1"}}, kT0, kT0)},
          kT0);
  std::set<std::string> keys;
  for (const auto& n : TickAt(kT0 + kSec)) keys.insert(n.group_key);
  EXPECT_EQ(keys, (std::set<std::string>{
                      R"({}/{job="node"}:{alertname="HighLoad"})",
                      R"({}/{severity=~"crit|page",team="a\"b"}:{alertname="HighLoad", )"
                      R"(instance="h1", job="node", severity="crit", team="a\"b"})",
                      R"({}:{alertname="X"})",
                      R"({}:{})",
                  }));
  auto alerts = d_->Alerts(kT0 + kSec);
  ASSERT_EQ(alerts.size(), 4u);
  EXPECT_EQ(alerts[2].fingerprint, "d6bf93a57349ad0e");
  EXPECT_EQ(alerts[2].receivers, (std::vector<std::string>{"hook", "hook"}));
}

TEST_F(DispatcherTest, GroupWaitThenGroupIntervalBatching) {
  Start(Config());
  d_->Put({Firing({{"alertname", "HighLoad"}, {"instance", "h2"}}, kT0, kT0)}, kT0);
  d_->Put(
      {Firing({{"alertname", "HighLoad"}, {"instance", "h1"}}, kT0 + 10 * kSec, kT0 + 10 * kSec)},
      kT0 + 10 * kSec);
  d_->Put({Firing({{"alertname", "Other"}}, kT0 + 20 * kSec, kT0 + 20 * kSec)}, kT0 + 20 * kSec);
  EXPECT_TRUE(TickAt(kT0 + 29 * kSec).empty());

  auto first = TickAt(kT0 + 30 * kSec);
  ASSERT_EQ(first.size(), 2u);  // webhook and slack of "team"
  EXPECT_EQ(first[0].integration, "webhook");
  EXPECT_EQ(first[1].integration, "slack");
  const Notification& n = first[0];
  EXPECT_EQ(n.receiver, "team");
  EXPECT_EQ(n.group_key, R"({}:{alertname="HighLoad"})");
  EXPECT_EQ(n.group_labels, (model::Labels{{"alertname", "HighLoad"}}));
  EXPECT_EQ(n.common_labels, (model::Labels{{"alertname", "HighLoad"}}));
  EXPECT_EQ(n.common_annotations, (Annotations{{"summary", "s"}}));
  EXPECT_EQ(n.external_url, "http://ms:9090");
  EXPECT_EQ(n.created_ms, kT0 + 30 * kSec);
  EXPECT_EQ(Instances(n), (std::vector<std::string>{"h1", "h2"}));  // sorted by instance
  EXPECT_EQ(n.alerts[0].ends_at_ms, 0);                             // firing: Go's zero time
  EXPECT_EQ(n.alerts[0].fingerprint, FingerprintString(LabelsFingerprint(n.alerts[0].labels)));
  EXPECT_EQ(n.alerts[1].starts_at_ms, kT0);
  EXPECT_NE(first[0].id, first[1].id);

  auto other = TickAt(kT0 + 50 * kSec);
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(other[0].group_key, R"({}:{alertname="Other"})");

  // A new alert waits for the group's next interval.
  d_->Put({Firing({{"alertname", "HighLoad"}, {"instance", "h3"}}, kT0 + kMin, kT0 + kMin)},
          kT0 + kMin);
  EXPECT_TRUE(TickAt(kT0 + 2 * kMin).empty());
  Refresh({{{"alertname", "HighLoad"}, {"instance", "h1"}},
           {{"alertname", "HighLoad"}, {"instance", "h2"}},
           {{"alertname", "HighLoad"}, {"instance", "h3"}},
           {{"alertname", "Other"}}},
          kT0 + 3 * kMin);
  auto second = TickAt(kT0 + 30 * kSec + 5 * kMin);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(Instances(second[0]), (std::vector<std::string>{"h1", "h2", "h3"}));
  EXPECT_EQ(second[0].common_labels, (model::Labels{{"alertname", "HighLoad"}}));

  // Nothing new: no notification at the next interval.
  Refresh({{{"alertname", "HighLoad"}, {"instance", "h1"}},
           {{"alertname", "HighLoad"}, {"instance", "h2"}},
           {{"alertname", "HighLoad"}, {"instance", "h3"}},
           {{"alertname", "Other"}}},
          kT0 + 7 * kMin);
  EXPECT_TRUE(TickAt(kT0 + 30 * kSec + 10 * kMin).empty());
  EXPECT_EQ(d_->stats().groups, 2u);
  EXPECT_EQ(d_->stats().notifications_total, 0u + 6u);
}

TEST_F(DispatcherTest, RepeatIntervalResends) {
  Start(Config());
  model::Labels a{{"alertname", "A"}, {"instance", "h1"}};
  d_->Put({Firing(a, kT0, kT0)}, kT0);
  ASSERT_EQ(TickAt(kT0 + 30 * kSec).size(), 2u);
  // Flushes every 5 minutes; the log's time (30s) must be older than now - 1h,
  // so the repeat goes out at the first flush after 1h30s, as in Alertmanager.
  int64_t t = kT0 + 30 * kSec;
  int resends = 0;
  int64_t resent_at = 0;
  while (t < kT0 + 2 * kHour) {
    t += 5 * kMin;
    Refresh({a}, t - kSec);
    auto got = TickAt(t);
    if (!got.empty()) {
      ++resends;
      if (resent_at == 0) resent_at = t;
      EXPECT_EQ(got.size(), 2u);
    }
  }
  EXPECT_EQ(resent_at, kT0 + 30 * kSec + 65 * kMin);
  EXPECT_EQ(resends, 1);  // the next one is due after 2h35m
}

TEST_F(DispatcherTest, ResolvedAlertsPerSendResolved) {
  Start(Config());
  model::Labels h1{{"alertname", "A"}, {"instance", "h1"}};
  model::Labels h2{{"alertname", "A"}, {"instance", "h2"}};
  d_->Put({Firing(h1, kT0, kT0), Firing(h2, kT0, kT0)}, kT0);
  ASSERT_EQ(TickAt(kT0 + 30 * kSec).size(), 2u);

  // h1 resolves: the webhook (send_resolved) is told, slack (not) is not.
  d_->Put({Resolved(h1, kT0, kT0 + 4 * kMin), Firing(h2, kT0, kT0 + 4 * kMin)}, kT0 + 4 * kMin);
  auto got = TickAt(kT0 + 30 * kSec + 5 * kMin);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].integration, "webhook");
  EXPECT_EQ(Instances(got[0]), (std::vector<std::string>{"h1:resolved", "h2"}));
  EXPECT_EQ(got[0].alerts[0].ends_at_ms, kT0 + 4 * kMin);
  EXPECT_EQ(got[0].alerts[1].ends_at_ms, 0);

  // h1 left the group; h2 resolves: the webhook gets it, slack gets nothing
  // (its integration only logs that nothing fires any more).
  d_->Put({Resolved(h2, kT0, kT0 + 6 * kMin)}, kT0 + 6 * kMin);
  got = TickAt(kT0 + 30 * kSec + 10 * kMin);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].integration, "webhook");
  EXPECT_EQ(Instances(got[0]), (std::vector<std::string>{"h2:resolved"}));
  EXPECT_EQ(d_->stats().groups, 0u);

  // It fires again: a new notification for both (slack's log had no firing).
  d_->Put({Firing(h2, kT0 + 20 * kMin, kT0 + 20 * kMin)}, kT0 + 20 * kMin);
  got = TickAt(kT0 + 20 * kMin + 30 * kSec);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].integration, "slack");
  EXPECT_EQ(got[1].alerts[0].starts_at_ms, kT0 + 20 * kMin);  // a new activity range
}

TEST_F(DispatcherTest, SendResolvedFalseGetsOnlyFiringAlerts) {
  Start(Config());
  model::Labels a1{{"alertname", "A"}, {"instance", "1"}, {"job", "db"}};
  model::Labels a2{{"alertname", "A"}, {"instance", "2"}, {"job", "db"}};
  model::Labels a3{{"alertname", "A"}, {"instance", "3"}, {"job", "db"}};
  d_->Put({Firing(a1, kT0, kT0), Firing(a2, kT0, kT0)}, kT0);
  auto got = TickAt(kT0 + 30 * kSec);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receiver, "db");
  // a1 resolves and a3 fires: the db webhook hears of a2 and a3 only.
  d_->Put({Resolved(a1, kT0, kT0 + 4 * kMin), Firing(a2, kT0, kT0 + 4 * kMin),
           Firing(a3, kT0 + kMin, kT0 + 4 * kMin)},
          kT0 + 4 * kMin);
  got = TickAt(kT0 + 30 * kSec + 5 * kMin);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Instances(got[0]), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(got[0].common_labels, (model::Labels{{"alertname", "A"}, {"job", "db"}}));
}

TEST_F(DispatcherTest, SilencesMuteAndUnmute) {
  int64_t now = kT0;
  Silences::Options o;
  o.now = [&now] { return now; };
  auto silences = Silences::Open(o);
  ASSERT_TRUE(silences.ok());
  Silence s;
  s.matchers = {{"instance", "h1", false, true}};
  s.starts_at_ms = kT0;
  s.ends_at_ms = kT0 + kHour;
  s.created_by = "me";
  s.comment = "work";
  auto id = (*silences)->Set(s);
  ASSERT_TRUE(id.ok());

  Start(Config(), silences->get());
  model::Labels h1{{"alertname", "A"}, {"instance", "h1"}};
  model::Labels h2{{"alertname", "A"}, {"instance", "h2"}};
  model::Labels b{{"alertname", "B"}, {"instance", "h1"}};
  d_->Put({Firing(h1, kT0, kT0), Firing(h2, kT0, kT0), Firing(b, kT0, kT0)}, kT0);
  auto got = TickAt(kT0 + 30 * kSec);
  ASSERT_EQ(got.size(), 2u);  // group B is all silenced: nothing
  EXPECT_EQ(got[0].group_key, R"({}:{alertname="A"})");
  EXPECT_EQ(Instances(got[0]), (std::vector<std::string>{"h2"}));

  auto views = d_->Alerts(kT0 + 30 * kSec);
  ASSERT_EQ(views.size(), 3u);
  int suppressed = 0;
  for (const auto& v : views) {
    if (v.labels.Get("instance") == "h1") {
      EXPECT_EQ(v.state, "suppressed");
      EXPECT_EQ(v.silenced_by, std::vector<std::string>{*id});
      ++suppressed;
    } else {
      EXPECT_EQ(v.state, "active");
    }
  }
  EXPECT_EQ(suppressed, 2);
  AlertsFilter only_active;
  only_active.silenced = false;
  EXPECT_EQ(d_->Alerts(kT0 + 30 * kSec, only_active).size(), 1u);

  // The silence ends: h1 is new to the receivers, B's group notifies first time.
  now = kT0 + 2 * kMin;
  ASSERT_TRUE((*silences)->Expire(*id).ok());
  Refresh({h1, h2, b}, kT0 + 4 * kMin);
  got = TickAt(kT0 + 30 * kSec + 5 * kMin);
  ASSERT_EQ(got.size(), 4u);
  for (const auto& n : got) {
    if (n.group_key == R"({}:{alertname="A"})") {
      EXPECT_EQ(Instances(n), (std::vector<std::string>{"h1", "h2"}));
    } else {
      EXPECT_EQ(Instances(n), (std::vector<std::string>{"h1"}));
    }
  }
}

TEST_F(DispatcherTest, ChildRoutesWithContinue) {
  Start(Config());
  model::Labels both{{"alertname", "A"}, {"job", "db"}, {"severity", "page"}};
  model::Labels page{{"alertname", "C"}, {"severity", "page"}};
  model::Labels db{{"alertname", "D"}, {"job", "db"}};
  model::Labels rest{{"alertname", "B"}};
  d_->Put({Firing(both, kT0, kT0), Firing(page, kT0, kT0), Firing(db, kT0, kT0),
           Firing(rest, kT0, kT0)},
          kT0);
  std::multiset<std::string> got;
  for (const auto& n : TickAt(kT0 + 30 * kSec)) {
    got.insert(n.receiver + "/" + n.integration + " " + n.group_key);
  }
  EXPECT_EQ(got, (std::multiset<std::string>{
                     R"(pager/ntfy {}/{severity="page"}:{alertname="A"})",
                     R"(db/webhook {}/{job="db"}:{alertname="A"})",
                     R"(pager/ntfy {}/{severity="page"}:{alertname="C"})",
                     R"(db/webhook {}/{job="db"}:{alertname="D"})",
                     R"(team/webhook {}:{alertname="B"})",
                     R"(team/slack {}:{alertname="B"})",
                 }));
  AlertsFilter f;
  f.matchers.push_back(model::Matcher::MustMake(model::Matcher::Type::kEqual, "alertname", "A"));
  auto views = d_->Alerts(kT0 + 30 * kSec, f);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].receivers, (std::vector<std::string>{"pager", "db"}));
  f.matchers.clear();
  f.receiver = model::Matcher::MustMake(model::Matcher::Type::kRegexMatch, "receiver", "pag.*");
  EXPECT_EQ(d_->Alerts(kT0 + 30 * kSec, f).size(), 2u);
}

TEST_F(DispatcherTest, MergeKeepsEarliestStartAndResolveTimeoutResolves) {
  Start(Config());
  model::Labels a{{"alertname", "A"}};
  Alert first = Firing(a, kT0, kT0);
  d_->Put({first}, kT0);
  Alert later = Firing(a, kT0 + 30 * kSec, kT0 + 30 * kSec);  // a later start overlaps
  later.annotations = {{"summary", "new"}};
  d_->Put({later}, kT0 + 30 * kSec);
  auto views = d_->Alerts(kT0 + 30 * kSec);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].starts_at_ms, kT0);
  EXPECT_EQ(views[0].ends_at_ms, kT0 + 30 * kSec + 4 * kMin);
  EXPECT_EQ(views[0].annotations, (Annotations{{"summary", "new"}}));
  EXPECT_EQ(views[0].updated_at_ms, kT0 + 30 * kSec);

  // No endsAt: valid for resolve_timeout (5m) from when it was received.
  model::Labels b{{"alertname", "B"}};
  Alert nb;
  nb.labels = b;
  d_->Put({nb}, kT0 + kMin);
  views = d_->Alerts(kT0 + kMin);
  ASSERT_EQ(views.size(), 2u);
  const AlertView& vb = views[0].labels == b ? views[0] : views[1];
  EXPECT_EQ(vb.labels, b);
  EXPECT_EQ(vb.starts_at_ms, kT0 + kMin);
  EXPECT_EQ(vb.ends_at_ms, kT0 + 6 * kMin);
  auto of_b = [](const std::vector<Notification>& ns) {
    std::vector<Notification> out;
    for (const auto& n : ns) {
      if (n.group_key == R"({}:{alertname="B"})") out.push_back(n);
    }
    return out;
  };
  auto got = of_b(TickAt(kT0 + kMin + 30 * kSec));
  ASSERT_EQ(got.size(), 2u);
  // Not heard of again: resolved at the flush after its endsAt.
  EXPECT_TRUE(d_->Alerts(kT0 + 7 * kMin).empty());
  got = of_b(TickAt(kT0 + kMin + 30 * kSec + 5 * kMin));
  ASSERT_EQ(got.size(), 1u);  // webhook only
  EXPECT_EQ(got[0].alerts[0].status, AlertStatus::kResolved);
  EXPECT_EQ(got[0].alerts[0].ends_at_ms, kT0 + 6 * kMin);

  // Invalid alerts are dropped and counted.
  Alert bad;
  d_->Put({bad}, kT0 + 10 * kMin);
  Alert backwards = Firing(a, kT0 + kHour, kT0);
  backwards.ends_at_ms = kT0;
  d_->Put({backwards}, kT0 + 10 * kMin);
  EXPECT_EQ(d_->stats().invalid_alerts_total, 2u);
}

TEST_F(DispatcherTest, OldAlertFlushesAtOnce) {
  Start(Config());
  d_->Put({Firing({{"alertname", "A"}}, kT0 - 10 * kMin, kT0)}, kT0);
  EXPECT_EQ(TickAt(kT0).size(), 2u);
}

TEST_F(DispatcherTest, ResolvedOnlyGroupSendsNothing) {
  Start(Config());
  d_->Put({Resolved({{"alertname", "A"}}, kT0 - kMin, kT0)}, kT0);
  EXPECT_TRUE(TickAt(kT0 + 30 * kSec).empty());
  EXPECT_EQ(d_->stats().groups, 0u);
}

TEST_F(DispatcherTest, ApplyConfigKeepsAlertsAndTheLog) {
  Start(Config());
  model::Labels a{{"alertname", "A"}};
  d_->Put({Firing(a, kT0, kT0)}, kT0);
  ASSERT_EQ(TickAt(kT0 + 30 * kSec).size(), 2u);
  // The same routes: the rebuilt group flushes at once but sends nothing new.
  d_->ApplyConfig(Config());
  EXPECT_TRUE(TickAt(kT0 + 31 * kSec).empty());
  EXPECT_EQ(d_->Alerts(kT0 + 31 * kSec).size(), 1u);
  // Another receiver for the root: it has not been told yet.
  d_->ApplyConfig(Config(R"(
route: {receiver: other, group_by: [alertname]}
receivers:
- name: other
  webhook_configs: [{url: 'http://hook/other'}]
)"));
  auto got = TickAt(kT0 + 32 * kSec);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receiver, "other");
  EXPECT_EQ(got[0].group_key, R"({}:{alertname="A"})");
}

TEST_F(DispatcherTest, AlertsJsonShape) {
  Start(Config());
  Alert a = Firing({{"alertname", "A"}, {"severity", "page"}}, kT0, kT0);
  d_->Put({a}, kT0);
  json j = json::parse(AlertViewsToJson(d_->Alerts(kT0)));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["labels"], (json{{"alertname", "A"}, {"severity", "page"}}));
  EXPECT_EQ(j[0]["annotations"], (json{{"summary", "s"}}));
  EXPECT_EQ(j[0]["startsAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j[0]["endsAt"], "2023-11-14T22:17:20.000Z");
  EXPECT_EQ(j[0]["updatedAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j[0]["generatorURL"], "http://prom/graph");
  EXPECT_EQ(j[0]["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_EQ(j[0]["receivers"], (json::array({{{"name", "pager"}}})));
  EXPECT_EQ(
      j[0]["status"],
      (json{{"state", "active"}, {"silencedBy", json::array()}, {"inhibitedBy", json::array()}}));
}

TEST_F(DispatcherTest, PutAndTickFromTwoThreads) {
  Start(Config());
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    while (!done) d_->Tick(kT0 + kMin);
  });
  for (int i = 0; i < 2000; ++i) {
    d_->Put({Firing({{"alertname", "A"}, {"instance", std::to_string(i % 50)}}, kT0, kT0 + i)},
            kT0 + i);
  }
  done = true;
  ticker.join();
  EXPECT_EQ(d_->stats().alerts, 50u);
}

}  // namespace
}  // namespace notifier
