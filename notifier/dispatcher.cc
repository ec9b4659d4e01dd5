#include "notifier/dispatcher.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

namespace notifier {

namespace {

using nlohmann::json;

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;
constexpr int64_t kGcIntervalMs = 30 * 60'000;          // the alert provider's GC period
constexpr int64_t kNflogRetentionMs = 120 * 3'600'000;  // --data.retention

uint64_t FnvAdd(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

uint64_t FnvAddByte(uint64_t h, unsigned char c) {
  h ^= c;
  h *= kFnvPrime;
  return h;
}

// model.LabelSet.Before.
bool LabelSetBefore(const model::Labels& a, const model::Labels& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  std::vector<std::string_view> names;
  for (const auto& l : a) names.push_back(l.name);
  for (const auto& l : b) names.push_back(l.name);
  std::sort(names.begin(), names.end());
  for (std::string_view n : names) {
    std::string_view av = a.Get(n), bv = b.Get(n);
    if (av.empty()) return true;
    if (bv.empty()) return false;
    if (av != bv) return av < bv;
  }
  return false;
}

// types.AlertSlice's order: by job, then instance (an alert lacking the label
// goes after), then by label set.
bool AlertBefore(const model::Labels& a, const model::Labels& b) {
  for (std::string_view key : {"job", "instance"}) {
    std::string_view av = a.Get(key), bv = b.Get(key);
    if (av.empty() && bv.empty()) continue;
    if (av.empty()) return false;
    if (bv.empty()) return true;
    if (av != bv) return av < bv;
  }
  return LabelSetBefore(a, b);
}

json LabelsJson(const model::Labels& labels) {
  json j = json::object();
  for (const auto& l : labels) j[l.name] = l.value;
  return j;
}

bool IsSubset(const std::set<uint64_t>& set, const std::set<uint64_t>& subset) {
  return std::includes(set.begin(), set.end(), subset.begin(), subset.end());
}

// Labels (and annotations) with equal values across all alerts.
void CommonLabels(Notification* n) {
  if (n->alerts.empty()) return;
  std::vector<model::Label> common(n->alerts[0].labels.items());
  Annotations ann = n->alerts[0].annotations;
  std::sort(ann.begin(), ann.end());
  for (size_t i = 1; i < n->alerts.size(); ++i) {
    const NotifiedAlert& a = n->alerts[i];
    std::erase_if(common, [&](const model::Label& l) { return a.labels.Get(l.name) != l.value; });
    std::erase_if(ann, [&](const std::pair<std::string, std::string>& kv) {
      for (const auto& [k, v] : a.annotations) {
        if (k == kv.first) return v != kv.second;
      }
      return true;
    });
  }
  n->common_labels = model::Labels::FromSortedUnchecked(std::move(common));
  n->common_annotations = std::move(ann);
}

}  // namespace

uint64_t LabelsFingerprint(const model::Labels& labels) {
  uint64_t h = kFnvOffset;
  for (const auto& l : labels) {  // sorted by name
    h = FnvAdd(h, l.name);
    h = FnvAddByte(h, 0xff);
    h = FnvAdd(h, l.value);
    h = FnvAddByte(h, 0xff);
  }
  return h;
}

std::string FingerprintString(uint64_t fp) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fp));
  return buf;
}

std::string LabelSetString(const model::Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += '=';
    out += model::QuoteString(l.value);
  }
  out += '}';
  return out;
}

std::string AlertViewsToJson(const std::vector<AlertView>& alerts) {
  json arr = json::array();
  for (const auto& a : alerts) {
    json ann = json::object();
    for (const auto& [k, v] : a.annotations) ann[k] = v;
    json receivers = json::array();
    for (const auto& r : a.receivers) receivers.push_back(json{{"name", r}});
    arr.push_back(
        json{{"annotations", std::move(ann)},
             {"endsAt", FormatRfc3339Millis(a.ends_at_ms)},
             {"fingerprint", a.fingerprint},
             {"receivers", std::move(receivers)},
             {"startsAt", FormatRfc3339Millis(a.starts_at_ms)},
             {"status",
              {{"inhibitedBy", json::array()}, {"silencedBy", a.silenced_by}, {"state", a.state}}},
             {"updatedAt", FormatRfc3339Millis(a.updated_at_ms)},
             {"generatorURL", a.generator_url},
             {"labels", LabelsJson(a.labels)}});
  }
  return arr.dump();
}

Dispatcher::Dispatcher(NotifierConfig config, Silences* silences,
                       std::function<void(Notification)> enqueue, std::string external_url)
    : enqueue_(std::move(enqueue)), external_url_(std::move(external_url)), silences_(silences) {
  common::MutexLock lock(&mu_);
  config_ = std::make_unique<NotifierConfig>(std::move(config));
  BuildRoutes();
}

Dispatcher::~Dispatcher() = default;

void Dispatcher::BuildRoutes() {
  nodes_.clear();
  // Depth first; a node's key is its parent's, "/", its own matchers.
  struct Item {
    const notifier::Route* route;
    int parent;
  };
  std::vector<Item> stack = {{&config_->route, -1}};
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    RouteNode n;
    n.route = it.route;
    std::string own = AlertmanagerMatchersString(it.route->matchers);
    n.key = it.parent < 0 ? own : nodes_[it.parent].key + "/" + own;
    int index = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(n));
    if (it.parent >= 0) nodes_[it.parent].children.push_back(index);
    // Push children in reverse so they are numbered in order; the children
    // list is filled as each is created, so it stays in config order.
    for (auto c = it.route->routes.rbegin(); c != it.route->routes.rend(); ++c) {
      stack.push_back({&*c, index});
    }
  }
}

void Dispatcher::MatchRoutes(int node, const model::Labels& labels, std::vector<int>* out) const {
  const RouteNode& n = nodes_[node];
  if (!n.route->Matches(labels)) return;
  size_t before = out->size();
  for (int c : n.children) {
    size_t had = out->size();
    MatchRoutes(c, labels, out);
    if (out->size() > had && !nodes_[c].route->continue_matching) break;
  }
  if (out->size() == before) out->push_back(node);
}

std::string Dispatcher::NewId(int64_t now_ms) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%013lld-%06llu-%08x", static_cast<long long>(now_ms),
                static_cast<unsigned long long>(++id_counter_ % 1000000),
                static_cast<unsigned>(rng()));
  return buf;
}

void Dispatcher::Put(const std::vector<Alert>& alerts, int64_t now_ms) {
  common::MutexLock lock(&mu_);
  last_now_ms_ = std::max(last_now_ms_, now_ms);
  for (const Alert& in : alerts) {
    StoredAlert a;
    a.alert = in;
    a.updated_at_ms = now_ms;
    // As the API's insertAlerts: default startsAt, endsAt from resolve_timeout.
    if (a.alert.starts_at_ms == 0) {
      a.alert.starts_at_ms = a.alert.ends_at_ms == 0 ? now_ms : a.alert.ends_at_ms;
    }
    if (a.alert.ends_at_ms == 0) {
      a.timeout = true;
      a.alert.ends_at_ms = now_ms + config_->resolve_timeout_ms;
    }
    // types.Alert.Validate.
    bool valid = !a.alert.labels.empty() && a.alert.ends_at_ms >= a.alert.starts_at_ms;
    for (const auto& l : a.alert.labels) valid = valid && model::IsValidLabelName(l.name);
    if (!valid) {
      ++stats_.invalid_alerts_total;
      continue;
    }
    if (a.alert.ends_at_ms > now_ms) {
      ++stats_.received_firing_total;
    } else {
      ++stats_.received_resolved_total;
    }
    a.fp = LabelsFingerprint(a.alert.labels);

    // The memory provider's merge with what it has.
    auto old = store_.find(a.fp);
    if (old != store_.end()) {
      const StoredAlert& o = old->second;
      const int64_t os = o.alert.starts_at_ms, oe = o.alert.ends_at_ms;
      const int64_t ns = a.alert.starts_at_ms, ne = a.alert.ends_at_ms;
      if ((ne > os && ne < oe) || (ns > os && ns < oe)) {
        // types.Alert.Merge with `a` the younger one.
        StoredAlert res = a;
        if (os < ns) res.alert.starts_at_ms = os;
        const bool new_resolved = ne <= now_ms;
        if (new_resolved) {
          if (oe <= now_ms && oe > ne) res.alert.ends_at_ms = oe;
        } else if (oe > ne && !o.timeout) {
          res.alert.ends_at_ms = oe;
        }
        a = std::move(res);
      }
    }
    store_[a.fp] = a;
    RouteAlert(a, now_ms);
  }
}

void Dispatcher::RouteAlert(const StoredAlert& a, int64_t now_ms) {
  std::vector<int> matched;
  MatchRoutes(0, a.alert.labels, &matched);
  for (int node : matched) {
    const notifier::Route& r = *nodes_[node].route;
    std::vector<model::Label> gl;
    if (r.GroupByAll()) {
      gl = a.alert.labels.items();
    } else {
      for (const auto& name : r.group_by) {
        std::string_view v = a.alert.labels.Get(name);
        if (!v.empty()) gl.push_back({name, std::string(v)});
      }
    }
    model::Labels group_labels = model::Labels::FromVector(std::move(gl));
    auto key = std::make_pair(node, LabelsFingerprint(group_labels));
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      Group g;
      g.node = node;
      g.key = nodes_[node].key + ":" + LabelSetString(group_labels);
      g.labels = std::move(group_labels);
      g.next_flush_ms = now_ms + r.group_wait_ms;
      it = groups_.emplace(key, std::move(g)).first;
    }
    Group& g = it->second;
    g.alerts[a.fp] = a;
    // An alert older than group_wait flushes a group that has not flushed yet.
    if (!g.has_flushed && a.alert.starts_at_ms + r.group_wait_ms < now_ms) {
      g.next_flush_ms = std::min(g.next_flush_ms, now_ms);
    }
  }
}

void Dispatcher::Tick(int64_t now_ms) {
  std::vector<Notification> out;
  {
    common::MutexLock lock(&mu_);
    last_now_ms_ = std::max(last_now_ms_, now_ms);
    for (auto it = groups_.begin(); it != groups_.end();) {
      Group& g = it->second;
      if (g.next_flush_ms <= now_ms) {
        g.next_flush_ms = now_ms + nodes_[g.node].route->group_interval_ms;
        g.has_flushed = true;
        Flush(&g, now_ms, &out);
      }
      if (g.alerts.empty()) {
        it = groups_.erase(it);
      } else {
        ++it;
      }
    }
    if (now_ms >= next_gc_ms_) {
      next_gc_ms_ = now_ms + kGcIntervalMs;
      std::erase_if(store_, [&](const auto& kv) { return kv.second.alert.ends_at_ms <= now_ms; });
      std::erase_if(nflog_, [&](const auto& kv) {
        return kv.second.timestamp_ms + kNflogRetentionMs < now_ms;
      });
    }
    stats_.notifications_total += out.size();
  }
  for (auto& n : out) enqueue_(std::move(n));
}

void Dispatcher::Flush(Group* g, int64_t now_ms, std::vector<Notification>* out) {
  if (g->alerts.empty()) return;
  // Copies; a firing alert's endsAt is cleared so that it cannot resolve
  // while the notification is on its way.
  std::vector<StoredAlert> alerts;
  std::vector<std::pair<uint64_t, int64_t>> resolved;  // fingerprint, updated_at
  for (const auto& [fp, a] : g->alerts) {
    StoredAlert c = a;
    if (c.alert.ends_at_ms <= now_ms) {
      resolved.emplace_back(fp, c.updated_at_ms);
    } else {
      c.alert.ends_at_ms = 0;
    }
    alerts.push_back(std::move(c));
  }
  std::stable_sort(alerts.begin(), alerts.end(), [](const StoredAlert& a, const StoredAlert& b) {
    return AlertBefore(a.alert.labels, b.alert.labels);
  });

  // The silence stage.
  std::vector<const StoredAlert*> unmuted;
  for (const auto& a : alerts) {
    if (silences_ && !silences_->Mutes(a.alert.labels, now_ms).empty()) continue;
    unmuted.push_back(&a);
  }
  const notifier::Route& route = *nodes_[g->node].route;
  const ReceiverConfig* receiver = config_->FindReceiver(route.receiver);
  if (!unmuted.empty() && receiver) {
    std::set<uint64_t> firing, resolved_set;
    for (const StoredAlert* a : unmuted) {
      (a->alert.ends_at_ms == 0 ? firing : resolved_set).insert(a->fp);
    }
    // One dedup + notify per integration, as Alertmanager's fanout stage.
    // (The annotation carries the caller's lock into the lambda for clang.)
    auto integrate = [&](const char* kind, int index, bool send_resolved) REQUIRES(mu_) {
      std::string log_key =
          g->key + '\0' + receiver->name + '\0' + kind + '\0' + std::to_string(index);
      auto entry = nflog_.find(log_key);
      bool needs_update;
      if (entry == nflog_.end()) {
        needs_update = !firing.empty();
      } else if (!IsSubset(entry->second.firing, firing)) {
        needs_update = true;
      } else if (firing.empty()) {
        needs_update = !entry->second.firing.empty();
      } else if (send_resolved && !IsSubset(entry->second.resolved, resolved_set)) {
        needs_update = true;
      } else {
        needs_update = entry->second.timestamp_ms < now_ms - route.repeat_interval_ms;
      }
      if (!needs_update) return;
      // Only resolved alerts and no send_resolved: nothing is sent, but the
      // log records it (so that firing alerts are not re-sent as new).
      if (send_resolved || !firing.empty()) {
        Notification n;
        n.id = NewId(now_ms);
        n.receiver = receiver->name;
        n.integration = kind;
        n.integration_index = index;
        n.group_key = g->key;
        n.group_labels = g->labels;
        n.external_url = external_url_;
        n.created_ms = now_ms;
        for (const StoredAlert* a : unmuted) {
          const bool is_resolved = a->alert.ends_at_ms != 0;
          if (is_resolved && !send_resolved) continue;
          NotifiedAlert na;
          na.status = is_resolved ? AlertStatus::kResolved : AlertStatus::kFiring;
          na.labels = a->alert.labels;
          na.annotations = a->alert.annotations;
          na.starts_at_ms = a->alert.starts_at_ms;
          na.ends_at_ms = a->alert.ends_at_ms;
          na.generator_url = a->alert.generator_url;
          na.fingerprint = FingerprintString(a->fp);
          n.alerts.push_back(std::move(na));
        }
        CommonLabels(&n);
        out->push_back(std::move(n));
      }
      nflog_[log_key] = LogEntry{firing, resolved_set, now_ms};
    };
    for (size_t i = 0; i < receiver->webhook_configs.size(); ++i) {
      integrate("webhook", static_cast<int>(i), receiver->webhook_configs[i].send_resolved);
    }
    for (size_t i = 0; i < receiver->email_configs.size(); ++i) {
      integrate("email", static_cast<int>(i), receiver->email_configs[i].send_resolved);
    }
    for (size_t i = 0; i < receiver->slack_configs.size(); ++i) {
      integrate("slack", static_cast<int>(i), receiver->slack_configs[i].send_resolved);
    }
    for (size_t i = 0; i < receiver->ntfy_configs.size(); ++i) {
      integrate("ntfy", static_cast<int>(i), receiver->ntfy_configs[i].send_resolved);
    }
  }
  // Handing over to the outbox cannot fail: resolved alerts have been dealt
  // with, unless they were updated in between (not possible under the lock,
  // kept for Alertmanager's rule).
  for (const auto& [fp, updated_at] : resolved) {
    auto it = g->alerts.find(fp);
    if (it != g->alerts.end() && it->second.updated_at_ms == updated_at) g->alerts.erase(it);
  }
}

void Dispatcher::ApplyConfig(NotifierConfig config) {
  common::MutexLock lock(&mu_);
  config_ = std::make_unique<NotifierConfig>(std::move(config));
  groups_.clear();
  BuildRoutes();
  for (const auto& [fp, a] : store_) RouteAlert(a, last_now_ms_);
}

std::vector<AlertView> Dispatcher::Alerts(int64_t now_ms, const AlertsFilter& filter) const {
  common::MutexLock lock(&mu_);
  std::vector<AlertView> out;
  for (const auto& [fp, a] : store_) {
    if (a.alert.ends_at_ms < now_ms) continue;  // resolved
    bool match = true;
    for (const auto& m : filter.matchers) match = match && m.MatchesLabels(a.alert.labels);
    if (!match) continue;
    AlertView v;
    v.labels = a.alert.labels;
    v.annotations = a.alert.annotations;
    v.starts_at_ms = a.alert.starts_at_ms;
    v.ends_at_ms = a.alert.ends_at_ms;
    v.updated_at_ms = a.updated_at_ms;
    v.generator_url = a.alert.generator_url;
    v.fingerprint = FingerprintString(fp);
    if (silences_) v.silenced_by = silences_->Mutes(a.alert.labels, now_ms);
    v.state = v.silenced_by.empty() ? "active" : "suppressed";
    if (v.silenced_by.empty() ? !filter.active : !filter.silenced) continue;
    std::vector<int> routes;
    MatchRoutes(0, a.alert.labels, &routes);
    for (int r : routes) {
      // One per matching route, repeats included, as Alertmanager 0.25 lists them.
      v.receivers.push_back(nodes_[r].route->receiver);
    }
    if (filter.receiver) {
      bool any = false;
      for (const auto& r : v.receivers) any = any || filter.receiver->Matches(r);
      if (!any) continue;
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(),
            [](const AlertView& a, const AlertView& b) { return a.fingerprint < b.fingerprint; });
  return out;
}

Dispatcher::Stats Dispatcher::stats() const {
  common::MutexLock lock(&mu_);
  Stats s = stats_;
  s.alerts = store_.size();
  s.groups = groups_.size();
  return s;
}

}  // namespace notifier
