#include "rules/group.h"

#include <chrono>
#include <set>

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include "model/value.h"

namespace rules {

namespace {

// Prometheus's labels.Labels{file, name}.Hash(): xxhash64 of each name and
// value followed by a 0xff separator, labels in name order.
uint64_t GroupHash(const std::string& file, const std::string& name) {
  std::string b;
  b.reserve(file.size() + name.size() + 12);
  const char sep = '\xff';
  b.append("file").push_back(sep);
  b.append(file).push_back(sep);
  b.append("name").push_back(sep);
  b.append(name).push_back(sep);
  return XXH64(b.data(), b.size(), 0);
}

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Group::Group(std::string file, std::string name, int64_t interval_ms, int64_t limit, bool restore,
             GroupOptions opts)
    : file_(std::move(file)),
      name_(std::move(name)),
      interval_ms_(interval_ms),
      limit_(limit),
      should_restore_(restore),
      opts_(std::move(opts)) {}

Group::~Group() { Stop(false); }

common::Result<std::unique_ptr<Group>> Group::Create(const std::string& file,
                                                     const RuleGroupNode& node,
                                                     int64_t default_interval_ms, bool restore,
                                                     GroupOptions opts) {
  int64_t interval = node.interval_ms > 0 ? node.interval_ms : default_interval_ms;
  if (interval <= 0) {
    return common::Status::InvalidArgument("group " + node.name + ": interval must be positive");
  }
  std::unique_ptr<Group> g(
      new Group(file, node.name, interval, node.limit, restore, std::move(opts)));
  for (size_t i = 0; i < node.rules.size(); ++i) {
    auto r = NewRule(node.rules[i], /*restored=*/!restore);
    if (!r.ok()) {
      return r.status().WithContext(file + ": group \"" + node.name + "\", rule " +
                                    std::to_string(i + 1));
    }
    g->rules_.push_back(std::move(r).value());
  }
  g->previous_series_.resize(g->rules_.size());
  return g;
}

bool Group::Equals(const Group& o) const {
  if (file_ != o.file_ || name_ != o.name_ || interval_ms_ != o.interval_ms_ ||
      limit_ != o.limit_ || rules_.size() != o.rules_.size()) {
    return false;
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i]->Definition() != o.rules_[i]->Definition()) return false;
  }
  return true;
}

int64_t Group::NowNs() const { return opts_.now_ns ? opts_.now_ns() : SystemNowNs(); }

int64_t Group::EvalTimestampNs(int64_t now_ns) const {
  const int64_t interval_ns = interval_ms_ * 1'000'000;
  const auto offset =
      static_cast<int64_t>(GroupHash(file_, name_) % static_cast<uint64_t>(interval_ns));
  const int64_t adj = now_ns - offset;
  return adj - (adj % interval_ns) + offset;
}

void Group::MarkStale(const std::vector<model::Labels>& series, int64_t ts_ms) {
  if (series.empty() || opts_.appendable == nullptr) return;
  std::vector<promql::Sample> stale;
  stale.reserve(series.size());
  for (const auto& l : series) stale.push_back({l, promql::Point{ts_ms, model::kStaleNaN}});
  if (auto s = opts_.appendable->Append(stale); !s.ok()) {
    spdlog::warn("rule group {} ({}): writing staleness markers: {}", name_, file_, s.message());
  }
}

void Group::Eval(int64_t ts_ms) {
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& rule = *rules_[i];
    const auto r0 = std::chrono::steady_clock::now();
    evaluations_.fetch_add(1);
    auto res = rule.Eval(opts_.eval, ts_ms, limit_);
    RuleStatus st;
    st.last_evaluation_ms = ts_ms;
    if (!res.ok()) {
      failures_.fetch_add(1);
      st.health = RuleHealth::kBad;
      st.last_error = res.status().message();
      st.evaluation_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
      rule.SetStatus(st);
      spdlog::warn("rule group {} ({}): evaluating rule {}: {}", name_, file_, rule.name(),
                   res.status().message());
      continue;
    }
    if (rule.alerting() && opts_.notify) {
      auto& ar = static_cast<AlertingRule&>(rule);
      auto alerts = ar.AlertsToSend(ts_ms, opts_.resend_delay_ms, interval_ms_);
      if (!alerts.empty()) opts_.notify(rule.query(), alerts);
    }
    std::map<model::Labels, bool> returned;
    for (const auto& s : *res) returned.emplace(s.metric, true);
    if (!res->empty() && opts_.appendable != nullptr) {
      if (auto s = opts_.appendable->Append(*res); !s.ok()) {
        st.health = RuleHealth::kBad;
        st.last_error = s.message();
        spdlog::warn("rule group {} ({}): storing results of rule {}: {}", name_, file_,
                     rule.name(), s.message());
      }
    }
    std::vector<model::Labels> gone;
    for (const auto& [l, unused] : previous_series_[i]) {
      if (!returned.count(l)) gone.push_back(l);
    }
    MarkStale(gone, ts_ms);
    previous_series_[i] = std::move(returned);
    if (st.health == RuleHealth::kUnknown) st.health = RuleHealth::kGood;
    st.evaluation_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    rule.SetStatus(st);
  }
  // Series of rules removed by a reload.
  MarkStale(stale_series_, ts_ms);
  stale_series_.clear();
  std::lock_guard<std::mutex> lock(status_mu_);
  status_.last_evaluation_ms = ts_ms;
  status_.evaluation_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Group::RestoreForState(int64_t now_ms) {
  const int64_t mint = now_ms - opts_.outage_tolerance_ms;
  for (auto& rule : rules_) {
    if (!rule->alerting()) continue;
    auto& ar = static_cast<AlertingRule&>(*rule);
    const int64_t hold = ar.hold_ms();
    if (hold < opts_.for_grace_period_ms) {
      // Restoring would make it wait hold + grace: it simply waits hold.
      ar.SetRestored(true);
      continue;
    }
    ar.ForEachActiveAlert([&](Alert& a) {
      model::Labels want = a.labels.With(model::kMetricNameLabel, "ALERTS_FOR_STATE");
      std::vector<promql::LabelMatcher> matchers;
      for (const auto& l : want) {
        matchers.push_back(
            promql::LabelMatcher::MustMake(promql::LabelMatcher::Type::kEqual, l.name, l.value));
      }
      auto set = opts_.eval.queryable->Select(mint, now_ms, matchers);
      if (!set.ok()) {
        spdlog::warn("rule {}: restoring for state: {}", rule->name(), set.status().message());
        return;
      }
      bool found = false;
      int64_t t = 0;
      double v = 0;
      while ((*set)->Next()) {
        if ((*set)->labels().size() != want.size()) continue;
        auto it = (*set)->Iterator();
        if (it->Seek(mint)) {
          do {
            auto [st, sv] = it->At();
            if (st > now_ms) break;
            t = st;
            v = sv;
            found = true;
          } while (it->Next());
        }
        break;
      }
      if (!found || model::IsStaleNaN(v)) return;  // not active before the restart
      // Go's time.Unix(t/1000, 0) and time.Unix(int64(v), 0): whole seconds.
      const int64_t down_at_ms = (t / 1000) * 1000;
      int64_t restored_active_ms = static_cast<int64_t>(v) * 1000;
      const int64_t spent_pending = down_at_ms - restored_active_ms;
      const int64_t remaining = hold - spent_pending;
      if (remaining <= 0) {
        // Was firing when the server went down: the next evaluation fires
        // it again if it still holds.
      } else if (remaining < opts_.for_grace_period_ms) {
        // Fire no sooner than the grace period from now.
        restored_active_ms = now_ms + opts_.for_grace_period_ms - hold;
      } else {
        // Pending time resumes where it stopped: shift by the downtime.
        restored_active_ms += now_ms - down_at_ms;
      }
      a.active_at_ms = restored_active_ms;
      spdlog::info("rule {}: restored for state of {} (active since {} ms)", rule->name(),
                   a.labels.ToString(), restored_active_ms);
    });
    ar.SetRestored(true);
  }
}

void Group::CopyState(Group& from) {
  {
    std::scoped_lock lock(status_mu_, from.status_mu_);
    status_ = from.status_;
  }
  std::map<std::string, std::vector<size_t>> by_identity;
  for (size_t i = 0; i < from.rules_.size(); ++i) {
    by_identity[from.rules_[i]->NameAndLabels()].push_back(i);
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    auto it = by_identity.find(rules_[i]->NameAndLabels());
    if (it == by_identity.end() || it->second.empty()) continue;
    size_t fi = it->second.front();
    it->second.erase(it->second.begin());
    previous_series_[i] = from.previous_series_[fi];
    if (rules_[i]->alerting() && from.rules_[fi]->alerting()) {
      static_cast<AlertingRule&>(*rules_[i])
          .CopyAlertsFrom(static_cast<AlertingRule&>(*from.rules_[fi]));
    }
    rules_[i]->SetStatus(from.rules_[fi]->status());
  }
  stale_series_ = from.stale_series_;
  for (const auto& [identity, left] : by_identity) {
    for (size_t fi : left) {
      for (const auto& [l, unused] : from.previous_series_[fi]) stale_series_.push_back(l);
    }
  }
}

bool Group::SleepUntil(int64_t t_ns) {
  std::unique_lock<std::mutex> lock(run_mu_);
  while (!stopping_) {
    int64_t now = NowNs();
    if (now >= t_ns) return true;
    run_cv_.wait_for(lock, std::chrono::nanoseconds(t_ns - now));
  }
  return false;
}

void Group::Run() {
  const int64_t interval_ns = interval_ms_ * 1'000'000;
  int64_t ts = EvalTimestampNs(NowNs()) + interval_ns;
  if (!SleepUntil(ts)) return;
  auto next = [&]() {
    if (!SleepUntil(ts + interval_ns)) return false;
    int64_t k = (NowNs() - ts) / interval_ns;
    if (k < 1) k = 1;
    missed_.fetch_add(static_cast<uint64_t>(k - 1));
    ts += k * interval_ns;
    return true;
  };
  Eval(ts / 1'000'000);
  if (should_restore_) {
    // Wait for a second evaluation: recording rules the alerts depend on
    // have then caught up.
    if (!next()) return;
    Eval(ts / 1'000'000);
    RestoreForState(NowNs() / 1'000'000);
    should_restore_ = false;
  }
  while (next()) Eval(ts / 1'000'000);
}

void Group::Start() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void Group::Stop(bool mark_stale) {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (mark_stale) {
    std::vector<model::Labels> all = stale_series_;
    for (auto& prev : previous_series_) {
      for (const auto& [l, unused] : prev) all.push_back(l);
      prev.clear();
    }
    stale_series_.clear();
    MarkStale(all, NowNs() / 1'000'000);
  }
}

GroupStatus Group::status() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

}  // namespace rules
