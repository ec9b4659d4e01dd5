// Dispatcher: the built-in notifier's brain, Alertmanager 0.25's alert
// store, routing tree, aggregation groups and notification dedup
// (dispatch/dispatch.go, dispatch/route.go, notify/notify.go) for users
// without an Alertmanager. Delivery is not here: each notification goes to
// `enqueue` (the outbox), and counts as sent once handed over.
//
// Alerts (as Prometheus posts them) merge by fingerprint into a store: the
// earliest startsAt wins, endsAt and annotations follow the newest post, an
// alert without endsAt is valid for resolve_timeout. Each alert goes down the
// routing tree (the first matching child, more if `continue`) into the
// aggregation group of its route and group_by label values. A new group
// flushes after group_wait (at once if its alert is already older than
// that), then every group_interval. A flush sends, per integration of the
// route's receiver, the group's unsilenced alerts when:
//   - it has never notified this group and something fires, or
//   - an alert fires that the last notification did not have as firing, or
//   - nothing fires any more but the last notification had firing alerts, or
//   - the integration sends resolved alerts and one resolved since, or
//   - repeat_interval has passed since the last notification, something firing.
// An integration without send_resolved gets only the firing alerts (nothing
// when none fire). Resolved alerts leave their group after a flush; empty
// groups go away. Inhibition and time intervals are not supported.
//
// Thread-safe: Put, Tick, ApplyConfig and Alerts may be called from any
// thread. `enqueue` is called from Tick's thread without the lock held.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "notifier/notification.h"
#include "notifier/notifier.h"
#include "notifier/notifier_config.h"
#include "notifier/silences.h"

namespace notifier {

// Alertmanager's (prometheus/common model.LabelSet.Fingerprint) hash of a
// label set: FNV-1a 64 over each name, 0xff, value, 0xff in name order.
uint64_t LabelsFingerprint(const model::Labels& labels);
// As Alertmanager prints it: 16 lower-case hex digits.
std::string FingerprintString(uint64_t fp);
// model.LabelSet.String(): {a="1", b="2"} with Go-quoted values.
std::string LabelSetString(const model::Labels& labels);

// One alert as GET /api/v2/alerts shows it (gettableAlert).
struct AlertView {
  model::Labels labels;
  Annotations annotations;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::string generator_url;
  std::string fingerprint;
  std::string state;  // "active" or "suppressed" (silenced)
  std::vector<std::string> silenced_by;
  std::vector<std::string> receivers;  // of the routes the alert matches
};
// A JSON array of gettableAlert: {annotations, endsAt, fingerprint,
// receivers:[{name}], startsAt, status:{inhibitedBy, silencedBy, state},
// updatedAt, generatorURL, labels}.
std::string AlertViewsToJson(const std::vector<AlertView>& alerts);

// GET /api/v2/alerts's query parameters.
struct AlertsFilter {
  bool active = true;                      // ?active
  bool silenced = true;                    // ?silenced
  std::vector<model::Matcher> matchers;    // ?filter, all must match
  std::optional<model::Matcher> receiver;  // ?receiver: one receiver name matches
};

class Dispatcher {
 public:
  // silences may be null (nothing is silenced); it must outlive the
  // Dispatcher. external_url goes into every notification.
  Dispatcher(NotifierConfig config, Silences* silences, std::function<void(Notification)> enqueue,
             std::string external_url);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Merges alerts into the store and their groups. Invalid alerts (no
  // labels, an invalid label name, endsAt before startsAt) are dropped and
  // counted in stats().invalid_alerts_total.
  void Put(const std::vector<Alert>& alerts, int64_t now_ms) EXCLUDES(mu_);
  // Flushes the groups that are due, collects garbage; then enqueues the
  // notifications, in order. Call it often (every ~100 ms).
  void Tick(int64_t now_ms) EXCLUDES(mu_);
  // New routes and receivers: alerts stay, groups are rebuilt from them
  // (their timers start again; alerts older than group_wait flush at the
  // next Tick) and the notification log is kept, so nothing already
  // notified is sent again unless it is due anyway.
  void ApplyConfig(NotifierConfig config) EXCLUDES(mu_);
  // The alerts not resolved at now_ms, by fingerprint.
  std::vector<AlertView> Alerts(int64_t now_ms, const AlertsFilter& filter = {}) const
      EXCLUDES(mu_);

  struct Stats {
    size_t alerts = 0;  // in the store (resolved ones until collected)
    size_t groups = 0;
    uint64_t received_firing_total = 0;
    uint64_t received_resolved_total = 0;
    uint64_t invalid_alerts_total = 0;
    uint64_t notifications_total = 0;  // handed to enqueue
  };
  Stats stats() const EXCLUDES(mu_);

 private:
  struct StoredAlert {
    Alert alert;
    uint64_t fp = 0;
    int64_t updated_at_ms = 0;
    bool timeout = false;  // endsAt was set from resolve_timeout
  };
  struct RouteNode {
    const Route* route = nullptr;
    std::string key;  // Alertmanager's Route.Key()
    std::vector<int> children;
  };
  struct Group {
    int node = 0;
    model::Labels labels;
    std::string key;  // groupKey
    std::map<uint64_t, StoredAlert> alerts;
    int64_t next_flush_ms = 0;
    bool has_flushed = false;
  };
  // Notification log entry of one group key and integration.
  struct LogEntry {
    std::set<uint64_t> firing, resolved;
    int64_t timestamp_ms = 0;
  };

  void BuildRoutes() REQUIRES(mu_);
  void MatchRoutes(int node, const model::Labels& labels, std::vector<int>* out) const
      REQUIRES(mu_);
  void RouteAlert(const StoredAlert& a, int64_t now_ms) REQUIRES(mu_);
  void Flush(Group* g, int64_t now_ms, std::vector<Notification>* out) REQUIRES(mu_);
  std::string NewId(int64_t now_ms) REQUIRES(mu_);

  const std::function<void(Notification)> enqueue_;
  const std::string external_url_;
  Silences* const silences_;

  mutable common::Mutex mu_;
  std::unique_ptr<NotifierConfig> config_ GUARDED_BY(mu_);
  std::vector<RouteNode> nodes_ GUARDED_BY(mu_);  // [0] is the root
  std::map<uint64_t, StoredAlert> store_ GUARDED_BY(mu_);
  // By route node and group label fingerprint.
  std::map<std::pair<int, uint64_t>, Group> groups_ GUARDED_BY(mu_);
  std::map<std::string, LogEntry> nflog_ GUARDED_BY(mu_);
  int64_t last_now_ms_ GUARDED_BY(mu_) = 0;
  int64_t next_gc_ms_ GUARDED_BY(mu_) = 0;
  uint64_t id_counter_ GUARDED_BY(mu_) = 0;
  Stats stats_ GUARDED_BY(mu_);
};

}  // namespace notifier
