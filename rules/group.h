// Group: one rule group of a rule file, evaluated as Prometheus 2.42 does
// (rules/group.go).
//
// All rules of a group are evaluated in order at one timestamp per
// iteration. The timestamps are those Prometheus would use: multiples of
// the interval shifted by a per-group offset (a hash of the group's name and
// file, the same hash Prometheus takes), so a Prometheus and this server
// given the same rule file evaluate at the same instants and store the same
// samples. Each rule's samples are appended (through Appendable); a series a
// rule returned last time and not now gets a staleness marker. Alerting
// rules' alerts are handed to a NotifyFunc after each evaluation.
//
// A group created at server start restores its alerts' `for` state from
// ALERTS_FOR_STATE after its second iteration (RestoreForState); until then
// its alerting rules write no ALERTS series, as in Prometheus.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rules/alerting_rule.h"
#include "rules/rule.h"

namespace rules {

// Where rule results are written. Implemented by the server over its
// ingester; every sample is either stored or counted under a reason there.
class Appendable {
 public:
  virtual ~Appendable() = default;
  // Appends samples (any series). Returns an error describing what was not
  // stored; samples that could be stored are.
  virtual common::Status Append(const std::vector<promql::Sample>& samples) = 0;
};

// Receives the alerts to send after an alerting rule's evaluation; `expr`
// is the rule's query (for the generator URL).
using NotifyFunc = std::function<void(const std::string& expr, const std::vector<Alert>& alerts)>;

struct GroupOptions {
  EvalContext eval;
  Appendable* appendable = nullptr;
  NotifyFunc notify;  // may be empty
  // Prometheus's --rules.alert.resend-delay, --rules.alert.for-outage-tolerance,
  // --rules.alert.for-grace-period.
  int64_t resend_delay_ms = 60 * 1000;
  int64_t outage_tolerance_ms = 60 * 60 * 1000;
  int64_t for_grace_period_ms = 10 * 60 * 1000;
  // Wall clock in nanoseconds (tests replace it).
  std::function<int64_t()> now_ns;
};

// What /api/v1/rules shows of a group.
struct GroupStatus {
  int64_t last_evaluation_ms = 0;
  double evaluation_seconds = 0;
};

class Group {
 public:
  // `restore`: recover `for` state at the start (groups loaded at server
  // start); groups added by a reload start restored.
  static common::Result<std::unique_ptr<Group>> Create(const std::string& file,
                                                       const RuleGroupNode& node,
                                                       int64_t default_interval_ms, bool restore,
                                                       GroupOptions opts);
  ~Group();

  const std::string& file() const { return file_; }
  const std::string& name() const { return name_; }
  int64_t interval_ms() const { return interval_ms_; }
  int64_t limit() const { return limit_; }
  const std::vector<std::unique_ptr<Rule>>& rules() const { return rules_; }
  // file + ";" + name: the identity across reloads.
  std::string Key() const { return file_ + ";" + name_; }
  // Same file, name, interval, limit and rules.
  bool Equals(const Group& other) const;

  // The evaluation timestamp (ns) of the iteration in progress at now_ns.
  int64_t EvalTimestampNs(int64_t now_ns) const;
  // One iteration at ts_ms: evaluates every rule, appends, marks stale,
  // notifies.
  void Eval(int64_t ts_ms);
  // Recovers the `for` state of active alerts from ALERTS_FOR_STATE.
  void RestoreForState(int64_t now_ms);
  // Takes over the state of the group this one replaces on reload: series
  // of the previous evaluation (for staleness), active alerts of rules with
  // the same name and labels; series of rules that are gone become stale at
  // the next evaluation.
  void CopyState(Group& from);

  // Starts the evaluation thread.
  void Start();
  // Stops it; mark_stale writes staleness markers for every series the
  // group's rules returned last (the group was removed).
  void Stop(bool mark_stale);

  GroupStatus status() const;
  uint64_t iterations_missed() const { return missed_.load(); }
  uint64_t evaluations() const { return evaluations_.load(); }
  uint64_t evaluation_failures() const { return failures_.load(); }

 private:
  Group(std::string file, std::string name, int64_t interval_ms, int64_t limit, bool restore,
        GroupOptions opts);
  void Run();
  // Sleeps until the wall clock reaches t_ns; false if stopped.
  bool SleepUntil(int64_t t_ns);
  void MarkStale(const std::vector<model::Labels>& series, int64_t ts_ms);
  int64_t NowNs() const;

  const std::string file_;
  const std::string name_;
  const int64_t interval_ms_;
  const int64_t limit_;
  bool should_restore_;
  GroupOptions opts_;
  std::vector<std::unique_ptr<Rule>> rules_;
  // Per rule: the series it returned in its last evaluation. Only the
  // evaluation thread touches these once started.
  std::vector<std::map<model::Labels, bool>> previous_series_;
  std::vector<model::Labels> stale_series_;  // of removed rules, marked at the next Eval

  mutable std::mutex status_mu_;
  GroupStatus status_;

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> missed_{0};
  std::atomic<uint64_t> evaluations_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace rules
