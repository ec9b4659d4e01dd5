// Rule evaluation over an in-memory store: the alert state machine, ALERTS
// and ALERTS_FOR_STATE samples, recording rules, staleness markers, the
// `for` state restored after a restart, and reload state transfer — each
// case a step of Prometheus 2.42's rules package semantics.
#include <gtest/gtest.h>

#include <cmath>

#include "model/value.h"
#include "promql/memory_storage.h"
#include "promql/parser.h"
#include "rules/alerting_rule.h"
#include "rules/group.h"
#include "rules/recording_rule.h"

namespace rules {
namespace {

constexpr int64_t kS = 1000;

model::Labels L(std::initializer_list<model::Label> l) { return model::Labels(l); }

promql::ExprPtr Parse(const std::string& q) {
  auto e = promql::ParseExpr(q);
  EXPECT_TRUE(e.ok()) << e.status().message();
  return std::move(e).value();
}

// Collects what a group appends, and also writes it into the store so that
// later evaluations (and RestoreForState) read it back.
class CollectingAppendable : public Appendable {
 public:
  explicit CollectingAppendable(promql::MemoryStorage* st) : st_(st) {}
  common::Status Append(const std::vector<promql::Sample>& samples) override {
    for (const auto& s : samples) {
      appended.push_back(s);
      st_->Add(s.metric, s.point.t, s.point.v);
    }
    return common::Status::OK();
  }
  std::vector<promql::Sample> appended;

 private:
  promql::MemoryStorage* st_;
};

class RuleEvalTest : public ::testing::Test {
 protected:
  EvalContext Ctx() {
    EvalContext c;
    c.engine = &engine_;
    c.queryable = &st_;
    return c;
  }
  // value of `load{instance=inst}` at t seconds
  void Set(const std::string& inst, int64_t t_s, double v) {
    st_.Add(L({{"__name__", "load"}, {"instance", inst}}), t_s * kS, v);
  }
  static std::string Describe(const std::vector<promql::Sample>& v) {
    std::vector<std::string> lines;
    for (const auto& s : v) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), " %g@%lld", s.point.v, static_cast<long long>(s.point.t));
      lines.push_back(s.metric.ToString() + buf);
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  promql::Engine engine_;
  promql::MemoryStorage st_;
};

TEST_F(RuleEvalTest, AlertGoesPendingFiringResolvedAndIsForgotten) {
  AlertingRule r("High", Parse("load > 5"), /*hold_ms=*/20 * kS, 0, {{"severity", "page"}},
                 {{"summary", "{{ $labels.instance }} at {{ $value }}"}}, /*restored=*/true);
  Set("a", 0, 1);
  Set("a", 10, 9);
  Set("a", 40, 2);
  auto ctx = Ctx();
  auto v = r.Eval(ctx, 0, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
  EXPECT_EQ(r.State(), AlertState::kInactive);

  v = r.Eval(ctx, 10 * kS, 0);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(Describe(*v),
            "ALERTS_FOR_STATE{alertname=\"High\", instance=\"a\", severity=\"page\"} 10@10000\n"
            "ALERTS{alertname=\"High\", alertstate=\"pending\", instance=\"a\", "
            "severity=\"page\"} 1@10000\n");
  auto active = r.ActiveAlerts();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].annotations[0].second, "a at 9");
  EXPECT_EQ(active[0].active_at_ms, 10 * kS);

  // 20 s after activation: fires (hold is inclusive).
  v = r.Eval(ctx, 30 * kS, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Describe(*v),
            "ALERTS_FOR_STATE{alertname=\"High\", instance=\"a\", severity=\"page\"} 10@30000\n"
            "ALERTS{alertname=\"High\", alertstate=\"firing\", instance=\"a\", "
            "severity=\"page\"} 1@30000\n");
  EXPECT_EQ(r.ActiveAlerts()[0].fired_at_ms, 30 * kS);

  // Condition gone: resolved, no samples, kept (inactive) for re-sending.
  v = r.Eval(ctx, 40 * kS, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
  EXPECT_TRUE(r.ActiveAlerts().empty());
  auto sent = r.AlertsToSend(40 * kS, 60 * kS, 10 * kS);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].state, AlertState::kInactive);
  EXPECT_EQ(sent[0].resolved_at_ms, 40 * kS);
  // Resolved alerts are kept for 15 minutes, then dropped.
  EXPECT_EQ(r.State(), AlertState::kInactive);
  ASSERT_TRUE(r.Eval(ctx, 40 * kS + kResolvedRetentionMs, 0).ok());
  EXPECT_EQ(r.AlertsToSend(40 * kS + kResolvedRetentionMs, 60 * kS, 10 * kS).size(), 1u);
  ASSERT_TRUE(r.Eval(ctx, 41 * kS + kResolvedRetentionMs, 0).ok());
  EXPECT_TRUE(r.AlertsToSend(50 * kS + kResolvedRetentionMs, 0, 10 * kS).empty());
}

TEST_F(RuleEvalTest, PendingAlertThatGoesAwayIsDroppedAtOnce) {
  AlertingRule r("High", Parse("load > 5"), 60 * kS, 0, {}, {}, true);
  Set("a", 0, 9);
  Set("a", 10, 1);
  auto ctx = Ctx();
  ASSERT_TRUE(r.Eval(ctx, 0, 0).ok());
  EXPECT_EQ(r.State(), AlertState::kPending);
  ASSERT_TRUE(r.Eval(ctx, 10 * kS, 0).ok());
  EXPECT_EQ(r.State(), AlertState::kInactive);
  // Pending alerts are never sent.
  EXPECT_TRUE(r.AlertsToSend(10 * kS, 0, kS).empty());
}

TEST_F(RuleEvalTest, KeepFiringForHoldsAFiringAlert) {
  AlertingRule r("High", Parse("load > 5"), 0, /*keep_firing_for_ms=*/15 * kS, {}, {}, true);
  Set("a", 0, 9);
  Set("a", 10, 1);
  auto ctx = Ctx();
  ASSERT_TRUE(r.Eval(ctx, 0, 0).ok());
  EXPECT_EQ(r.State(), AlertState::kFiring);
  auto v = r.Eval(ctx, 10 * kS, 0);  // gone, keeps firing since 10 s
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 2u);
  EXPECT_EQ(r.State(), AlertState::kFiring);
  ASSERT_TRUE(r.Eval(ctx, 24 * kS, 0).ok());  // 14 s < 15 s
  EXPECT_EQ(r.State(), AlertState::kFiring);
  v = r.Eval(ctx, 25 * kS, 0);  // 15 s: resolved
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
  EXPECT_EQ(r.State(), AlertState::kInactive);
}

TEST_F(RuleEvalTest, UnrestoredRuleWritesNoAlertSeries) {
  AlertingRule r("High", Parse("load > 5"), 0, 0, {}, {}, /*restored=*/false);
  Set("a", 0, 9);
  auto ctx = Ctx();
  auto v = r.Eval(ctx, 0, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
  EXPECT_EQ(r.State(), AlertState::kFiring);
  r.SetRestored(true);
  v = r.Eval(ctx, kS, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 2u);
}

TEST_F(RuleEvalTest, AlertLabelsAreTemplatedAndMustStayDistinct) {
  Set("a", 0, 9);
  Set("b", 0, 8);
  auto ctx = Ctx();
  AlertingRule ok("High", Parse("load > 5"), 0, 0, {{"host", "{{ $labels.instance }}"}}, {}, true);
  auto v = ok.Eval(ctx, 0, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_NE(Describe(*v).find("host=\"b\""), std::string::npos) << Describe(*v);
  // Dropping the distinguishing label makes two alerts the same.
  AlertingRule clash("High", Parse("load > 5"), 0, 0, {{"instance", ""}}, {}, true);
  v = clash.Eval(ctx, 0, 0);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(),
            "vector contains metrics with the same labelset after applying alert labels");
  AlertingRule limited("High", Parse("load > 5"), 0, 0, {}, {}, true);
  v = limited.Eval(ctx, 0, /*limit=*/1);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "exceeded limit of 1 with 2 alerts");
}

TEST_F(RuleEvalTest, ResendDelayAndValidity) {
  AlertingRule r("High", Parse("load > 5"), 0, 0, {}, {}, true);
  Set("a", 0, 9);
  auto ctx = Ctx();
  ASSERT_TRUE(r.Eval(ctx, 0, 0).ok());
  auto sent = r.AlertsToSend(0, 60 * kS, 15 * kS);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].valid_until_ms, 4 * 60 * kS);                  // 4 x max(resend, interval)
  EXPECT_TRUE(r.AlertsToSend(60 * kS, 60 * kS, 15 * kS).empty());  // not yet *after* the delay
  EXPECT_EQ(r.AlertsToSend(61 * kS, 60 * kS, 15 * kS).size(), 1u);
}

TEST_F(RuleEvalTest, RecordingRuleRenamesSetsLabelsAndChecksClashesAndLimit) {
  Set("a", 0, 2);
  Set("b", 0, 3);
  auto ctx = Ctx();
  RecordingRule r("instance:load:x2", Parse("load * 2"), {{"team", "infra"}});
  auto v = r.Eval(ctx, 5 * kS, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Describe(*v),
            "instance:load:x2{instance=\"a\", team=\"infra\"} 4@5000\n"
            "instance:load:x2{instance=\"b\", team=\"infra\"} 6@5000\n");
  RecordingRule scalar("one", Parse("1 + 1"), {});
  v = scalar.Eval(ctx, 5 * kS, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Describe(*v), "one{} 2@5000\n");
  RecordingRule clash("x", Parse("load"), {{"instance", ""}});
  v = clash.Eval(ctx, 5 * kS, 0);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(),
            "vector contains metrics with the same labelset after applying rule labels");
  EXPECT_FALSE(r.Eval(ctx, 5 * kS, 1).ok());
  RecordingRule str("s", Parse("\"text\""), {});
  EXPECT_FALSE(str.Eval(ctx, 5 * kS, 0).ok());
}

RuleGroupNode GroupNode(std::vector<RuleNode> rules, int64_t interval_ms = 10 * kS) {
  RuleGroupNode g;
  g.name = "g";
  g.interval_ms = interval_ms;
  g.rules = std::move(rules);
  return g;
}

RuleNode Record(const std::string& name, const std::string& expr) {
  RuleNode n;
  n.record = name;
  n.expr = expr;
  return n;
}

RuleNode AlertNode(const std::string& name, const std::string& expr, int64_t for_ms) {
  RuleNode n;
  n.alert = name;
  n.expr = expr;
  n.for_ms = for_ms;
  return n;
}

TEST_F(RuleEvalTest, GroupMarksSeriesThatStopAsStale) {
  CollectingAppendable app(&st_);
  GroupOptions o;
  o.eval = Ctx();
  o.appendable = &app;
  auto g = Group::Create("f.yml", GroupNode({Record("r", "load > 5")}), 0, false, o);
  ASSERT_TRUE(g.ok()) << g.status().message();
  Set("a", 0, 9);
  Set("b", 0, 9);
  Set("b", 10, 1);
  (*g)->Eval(0);
  (*g)->Eval(10 * kS);
  ASSERT_EQ(app.appended.size(), 4u);
  // At 10 s only a remains; b gets a staleness marker at the same time.
  const auto& last = app.appended.back();
  EXPECT_EQ(last.metric.Get("instance"), "b");
  EXPECT_EQ(last.point.t, 10 * kS);
  EXPECT_TRUE(model::IsStaleNaN(last.point.v));
  EXPECT_EQ((*g)->rules()[0]->status().health, RuleHealth::kGood);
}

TEST_F(RuleEvalTest, FailingRuleIsReportedAndTheGroupGoesOn) {
  CollectingAppendable app(&st_);
  GroupOptions o;
  o.eval = Ctx();
  o.appendable = &app;
  auto g = Group::Create(
      "f.yml", GroupNode({Record("bad", "\"str\""), Record("good", "vector(1)")}), 0, false, o);
  ASSERT_TRUE(g.ok());
  (*g)->Eval(0);
  EXPECT_EQ((*g)->rules()[0]->status().health, RuleHealth::kBad);
  EXPECT_EQ((*g)->rules()[0]->status().last_error, "rule result is not a vector or scalar");
  EXPECT_EQ((*g)->rules()[1]->status().health, RuleHealth::kGood);
  EXPECT_EQ(app.appended.size(), 1u);
  EXPECT_EQ((*g)->evaluation_failures(), 1u);
}

TEST_F(RuleEvalTest, EvaluationTimestampsAreAlignedWithAStableOffset) {
  GroupOptions o;
  o.eval = Ctx();
  auto g = Group::Create("/etc/rules/a.yml", GroupNode({Record("r", "vector(1)")}, 60 * kS), 0,
                         false, o);
  ASSERT_TRUE(g.ok());
  const int64_t interval_ns = 60'000'000'000;
  int64_t a = (*g)->EvalTimestampNs(1'700'000'000'000'000'000);
  int64_t b = (*g)->EvalTimestampNs(1'700'000'000'000'000'000 + interval_ns);
  EXPECT_EQ(b - a, interval_ns);
  EXPECT_LE(a, 1'700'000'000'000'000'000);
  EXPECT_GT(a, 1'700'000'000'000'000'000 - interval_ns);
  // The offset depends on the group's name and file.
  auto h = Group::Create("/etc/rules/b.yml", GroupNode({Record("r", "vector(1)")}, 60 * kS), 0,
                         false, o);
  EXPECT_NE((*h)->EvalTimestampNs(1'700'000'000'000'000'000) % interval_ns, a % interval_ns);
}

// Prometheus's RestoreForState: the pending time before a restart counts;
// the downtime does not; an alert never fires sooner than the grace period
// after the restart.
TEST_F(RuleEvalTest, RestoreForStateAfterARestart) {
  struct Case {
    const char* name;
    int64_t active_at_s;    // ALERTS_FOR_STATE value written before the restart
    int64_t last_write_s;   // last ALERTS_FOR_STATE sample (the server went down after it)
    int64_t restart_s;      // now at restore
    int64_t want_active_s;  // restored ActiveAt
  };
  const int64_t hold = 600;  // for: 10m
  const int64_t grace = 60;  // --rules.alert.for-grace-period=1m
  const Case cases[] = {
      // 2 of 10 minutes pending, down 5 minutes: 8 minutes still to go.
      {"shifted by the downtime", 1000, 1120, 1420, 1000 + 300},
      // 9.5 minutes pending: would fire 30 s after the restart, grace is 1m.
      {"grace period", 1000, 1570, 1600, 1600 + grace - hold},
      // Was firing already: unchanged, fires at the next evaluation.
      {"was firing", 1000, 1700, 1800, 1000},
  };
  for (const auto& c : cases) {
    promql::MemoryStorage st;
    st.Add(L({{"__name__", "load"}, {"instance", "a"}}), (c.restart_s - 10) * kS, 9);
    for (int64_t t = c.active_at_s; t <= c.last_write_s; t += 10) {
      st.Add(L({{"__name__", "ALERTS_FOR_STATE"}, {"alertname", "High"}, {"instance", "a"}}),
             t * kS, static_cast<double>(c.active_at_s));
    }
    CollectingAppendable app(&st);
    GroupOptions o;
    o.eval.engine = &engine_;
    o.eval.queryable = &st;
    o.appendable = &app;
    o.for_grace_period_ms = grace * kS;
    auto g = Group::Create("f.yml", GroupNode({AlertNode("High", "load > 5", hold * kS)}), 0,
                           /*restore=*/true, o);
    ASSERT_TRUE(g.ok());
    (*g)->Eval(c.restart_s * kS);  // first evaluation after the restart: pending from now
    (*g)->RestoreForState(c.restart_s * kS);
    auto& ar = static_cast<AlertingRule&>(*(*g)->rules()[0]);
    EXPECT_TRUE(ar.restored());
    auto alerts = ar.ActiveAlerts();
    ASSERT_EQ(alerts.size(), 1u) << c.name;
    EXPECT_EQ(alerts[0].active_at_ms, c.want_active_s * kS) << c.name;
  }
}

TEST_F(RuleEvalTest, ReloadKeepsAlertsOfTheSameRuleAndMarksRemovedRulesStale) {
  CollectingAppendable app(&st_);
  GroupOptions o;
  o.eval = Ctx();
  o.appendable = &app;
  Set("a", 0, 9);
  auto old = Group::Create(
      "f.yml", GroupNode({AlertNode("High", "load > 5", 60 * kS), Record("gone", "load")}), 0,
      false, o);
  ASSERT_TRUE(old.ok());
  (*old)->Eval(0);
  auto next = Group::Create(
      "f.yml", GroupNode({Record("new", "load"), AlertNode("High", "load > 5", 60 * kS)}), 0, false,
      o);
  ASSERT_TRUE(next.ok());
  (*next)->CopyState(**old);
  auto& ar = static_cast<AlertingRule&>(*(*next)->rules()[1]);
  ASSERT_EQ(ar.ActiveAlerts().size(), 1u);
  EXPECT_EQ(ar.ActiveAlerts()[0].active_at_ms, 0);  // pending since before the reload
  app.appended.clear();
  (*next)->Eval(10 * kS);
  bool gone_stale = false;
  for (const auto& s : app.appended) {
    if (s.metric.MetricName() == "gone") gone_stale = model::IsStaleNaN(s.point.v);
  }
  EXPECT_TRUE(gone_stale);
}

}  // namespace
}  // namespace rules
