#include "server/alerting.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "model/number.h"
#include "notifier/receivers.h"
#include "server/api/tsdb_queryable.h"
#include "server/http_util.h"

namespace server {

namespace {

using nlohmann::json;

// Go's url.QueryEscape.
std::string QueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Go's time.Time JSON (RFC 3339 with trailing zeros of the fraction
// dropped); 0 is Go's zero time.
std::string TimeJson(int64_t ms) {
  if (ms == 0) return "0001-01-01T00:00:00Z";
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int frac = static_cast<int>(ms % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string s(buf, n);
  if (frac != 0) {
    char f[8];
    std::snprintf(f, sizeof(f), ".%03d", frac);
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    s += fs;
  }
  return s + "Z";
}

// strconv.FormatFloat(v, 'e', -1, 64), as the API writes alert values.
std::string FormatExp(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, then Go's exponent form.
  for (int prec = 0; prec < 17; ++prec) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*e", prec, v);
    if (std::strtod(buf, nullptr) == v) return buf;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.16e", v);
  return buf;
}

json LabelsJson(const model::Labels& l) {
  json o = json::object();
  for (const auto& kv : l) o[kv.name] = kv.value;
  return o;
}

json PairsJson(const rules::TemplatePairs& p) {
  json o = json::object();
  for (const auto& [k, v] : p) o[k] = v;
  return o;
}

// A rule's configured labels as Prometheus lists them (empty values dropped).
json RuleLabelsJson(const rules::TemplatePairs& p) {
  json o = json::object();
  for (const auto& [k, v] : p) {
    if (!v.empty()) o[k] = v;
  }
  return o;
}

json AlertJson(const rules::Alert& a) {
  return json{{"labels", LabelsJson(a.labels)},
              {"annotations", PairsJson(a.annotations)},
              {"state", rules::AlertStateString(a.state)},
              {"activeAt", TimeJson(a.active_at_ms)},
              {"value", FormatExp(a.value)}};
}

common::HttpResponse ApiSuccess(const json& data) {
  return common::HttpResponse::Json(200, json{{"status", "success"}, {"data", data}}.dump());
}

common::HttpResponse ApiError(int code, const std::string& type, const std::string& msg) {
  return common::HttpResponse::Json(
      code, json{{"status", "error"}, {"errorType", type}, {"error", msg}}.dump());
}

std::string EscapeLabel(const std::string& v) { return model::EscapeLabelValue(v); }

}  // namespace

std::string GeneratorUrl(const std::string& external_url, const std::string& expr) {
  return external_url + "/graph?g0.expr=" + QueryEscape(expr) + "&g0.tab=1";
}

// Rule results enter the store through the same Ingester as every write.
class Alerting::StoreAppendable : public rules::Appendable {
 public:
  explicit StoreAppendable(Ingester* ingester) : ingester_(ingester) {}

  common::Status Append(const std::vector<promql::Sample>& samples) override {
    std::vector<tsdb::RefSample> batch;
    batch.reserve(samples.size());
    common::Status first_error;
    uint64_t invalid = 0;
    for (const auto& s : samples) {
      std::string key = "\x01rule\x01" + s.metric.ToString();
      auto ref =
          ingester_->Resolve(key, [&]() -> common::Result<model::Labels> { return s.metric; });
      if (!ref.ok()) {
        // Series-limit refusals are counted by the ingester itself.
        if (!ref.status().IsResourceExhausted()) ++invalid;
        if (first_error.ok()) first_error = ref.status();
        continue;
      }
      batch.push_back({*ref, s.point.t, s.point.v});
    }
    if (invalid > 0) ingester_->CountInvalid(invalid);
    if (!batch.empty()) {
      tsdb::AppendResult r = ingester_->Commit(batch);
      if (!r.status.ok() && first_error.ok()) {
        first_error = common::Status::InvalidArgument(DescribeRejections(r));
      }
    }
    return first_error;
  }

 private:
  Ingester* ingester_;
};

Alerting::Alerting(Ingester* ingester, const promql::Engine* engine, AlertingOptions opts)
    : ingester_(ingester), engine_(engine), opts_(std::move(opts)) {
  queryable_ = std::make_unique<TsdbQueryable>(ingester_->db());
  appendable_ = std::make_unique<StoreAppendable>(ingester_);
  notifier::NotifierOptions nopts;
  nopts.queue_capacity = opts_.notification_queue_capacity;
  notifier_ = std::make_unique<notifier::Notifier>(nopts);
  rules::GroupOptions g;
  g.eval.engine = engine_;
  g.eval.queryable = queryable_.get();
  g.eval.external_url = opts_.external_url;
  g.appendable = appendable_.get();
  g.notify = [this](const std::string& expr, const std::vector<rules::Alert>& alerts) {
    Notify(expr, alerts);
  };
  g.resend_delay_ms = opts_.resend_delay_ms;
  g.outage_tolerance_ms = opts_.outage_tolerance_ms;
  g.for_grace_period_ms = opts_.for_grace_period_ms;
  manager_ = std::make_unique<rules::Manager>(std::move(g));
}

Alerting::~Alerting() { Stop(); }

common::Result<std::vector<rules::RuleFile>> Alerting::LoadRules(const Config& config) {
  return rules::LoadRuleFiles(config.rule_files, "");
}

common::Status Alerting::Apply(const Config& config, const std::vector<rules::RuleFile>& files) {
  if (auto s = ApplyBuiltin(config.notifications); !s.ok()) return s;
  if (auto s = manager_->Update(files, config.evaluation_interval_ms, config.external_labels,
                                opts_.external_url);
      !s.ok()) {
    return s;
  }
  notifier_->ApplyConfig(config.external_labels, config.alertmanagers);
  {
    std::lock_guard<std::mutex> lock(builtin_mu_);
    external_labels_ = config.external_labels;
  }
  return common::Status::OK();
}

common::Status Alerting::ApplyBuiltin(const std::optional<notifier::NotifierConfig>& config) {
  std::lock_guard<std::mutex> lock(builtin_mu_);
  // (external_labels_ is set by Apply once the rules took the config.)
  if (!config) {
    if (dispatcher_) spdlog::info("built-in notifier removed by the config");
    dispatcher_.reset();
    builtin_config_.reset();
    return common::Status::OK();
  }
  if (!silences_) {
    notifier::Silences::Options so;
    so.path = opts_.data_dir.empty() ? "" : opts_.data_dir + "/silences.json";
    auto s = notifier::Silences::Open(so);
    if (!s.ok()) return s.status().WithContext("opening the silences");
    silences_ = std::move(s).value();
  }
  if (!outbox_) {
    std::string dir = opts_.data_dir.empty() ? "./outbox" : opts_.data_dir + "/outbox";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto o = notifier::Outbox::Open(
        dir, notifier::OutboxOptions{},
        [this](const notifier::Notification& n) { return DeliverBuiltin(n); });
    if (!o.ok()) return o.status().WithContext("opening the notification outbox " + dir);
    outbox_ = std::move(o).value();
  }
  builtin_config_ = *config;
  if (dispatcher_) {
    dispatcher_->ApplyConfig(*config);
  } else {
    dispatcher_ = std::make_shared<notifier::Dispatcher>(
        *config, silences_.get(),
        [this](notifier::Notification n) {
          // Durable before the dispatcher moves on; a failed write is
          // counted and logged (the disk is full or gone).
          if (auto s = outbox_->Enqueue(std::move(n)); !s.ok()) {
            outbox_write_failures_.fetch_add(1);
            spdlog::error("notification outbox: {}", s.message());
          }
        },
        opts_.external_url);
  }
  if (!ticker_.joinable()) {
    ticker_ = std::thread([this] {
      int64_t next_gc = common::NowMs();
      while (!stopping_.load()) {
        std::shared_ptr<notifier::Dispatcher> d;
        {
          std::lock_guard<std::mutex> l(builtin_mu_);
          d = dispatcher_;
        }
        const int64_t now = common::NowMs();
        if (d) d->Tick(now);
        // Expired silences past their retention go, as Alertmanager's
        // maintenance does every 15 minutes.
        if (now >= next_gc) {
          silences_->GarbageCollect();
          next_gc = now + 15 * 60 * 1000;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  return common::Status::OK();
}

common::Status Alerting::DeliverBuiltin(const notifier::Notification& n) {
  notifier::ReceiverConfig receiver;
  notifier::ReceiverGlobals globals;
  {
    std::lock_guard<std::mutex> lock(builtin_mu_);
    if (!builtin_config_) {
      return common::Status::InvalidArgument("the built-in notifier is no longer configured");
    }
    const notifier::ReceiverConfig* r = builtin_config_->FindReceiver(n.receiver);
    if (r == nullptr) {
      return common::Status::InvalidArgument("receiver \"" + n.receiver +
                                             "\" is no longer configured");
    }
    receiver = *r;
    globals.smtp_from = builtin_config_->smtp_from;
    globals.smtp_smarthost = builtin_config_->smtp_smarthost;
    globals.smtp_hello = builtin_config_->smtp_hello;
    globals.smtp_auth_username = builtin_config_->smtp_auth_username;
    globals.smtp_auth_password = builtin_config_->smtp_auth_password;
    globals.smtp_require_tls = builtin_config_->smtp_require_tls;
    globals.slack_api_url = builtin_config_->slack_api_url;
  }
  return notifier::Deliver(n, receiver, globals);
}

void Alerting::Stop() {
  if (manager_) manager_->Stop();
  if (notifier_) notifier_->Stop();
  stopping_ = true;
  if (ticker_.joinable()) ticker_.join();
  if (outbox_) outbox_->Stop();
}

void Alerting::Notify(const std::string& expr, const std::vector<rules::Alert>& alerts) {
  std::vector<notifier::Alert> out;
  out.reserve(alerts.size());
  for (const auto& a : alerts) {
    notifier::Alert n;
    n.labels = a.labels;
    n.annotations = a.annotations;
    n.starts_at_ms = a.fired_at_ms;
    n.ends_at_ms = a.resolved_at_ms != 0 ? a.resolved_at_ms : a.valid_until_ms;
    n.generator_url = GeneratorUrl(opts_.external_url, expr);
    out.push_back(std::move(n));
  }
  std::shared_ptr<notifier::Dispatcher> d;
  {
    std::lock_guard<std::mutex> lock(builtin_mu_);
    d = dispatcher_;
  }
  if (d) {
    // The built-in notifier gets the alerts as an Alertmanager would,
    // external labels included.
    std::vector<notifier::Alert> local = out;
    model::Labels ext;
    {
      std::lock_guard<std::mutex> lock(builtin_mu_);
      ext = external_labels_;
    }
    for (auto& a : local) {
      for (const auto& l : ext) {
        if (!a.labels.Has(l.name)) a.labels = a.labels.With(l.name, l.value);
      }
    }
    d->Put(local, common::NowMs());
  }
  notifier_->Send(std::move(out));
}

void Alerting::RegisterBuiltinApi(common::HttpServer& http, const WriteAccess& write) {
  auto not_configured = [] {
    return common::HttpResponse::Text(
        404, "the built-in notifier is not configured (`notifications:` in the server config)\n");
  };
  auto silences = [this]() -> notifier::Silences* {
    std::lock_guard<std::mutex> lock(builtin_mu_);
    return builtin_config_ ? silences_.get() : nullptr;
  };
  http.Handle("/api/v2/silences", [=](common::HttpRequest& req) {
    notifier::Silences* s = silences();
    if (s == nullptr) return not_configured();
    if (req.method() == "GET") {
      return common::HttpResponse::Json(200, notifier::SilencesToJson(s->List(), common::NowMs()));
    }
    if (req.method() != "POST") return common::HttpResponse::Text(405, "use GET or POST\n");
    if (auto denied = CheckWrite(req, write)) return *denied;
    auto body = req.ReadAll(1 << 20);
    if (!body.ok()) return common::HttpResponse::FromStatus(body.status());
    auto silence = notifier::SilenceFromJson(*body);
    if (!silence.ok()) return common::HttpResponse::Text(400, silence.status().message() + "\n");
    auto id = s->Set(std::move(silence).value());
    if (!id.ok()) {
      return common::HttpResponse::Text(id.status().IsNotFound() ? 404 : 400,
                                        id.status().message() + "\n");
    }
    return common::HttpResponse::Json(200, json{{"silenceID", *id}}.dump());
  });
  http.HandlePrefix("/api/v2/silence/", [=](common::HttpRequest& req) {
    notifier::Silences* s = silences();
    if (s == nullptr) return not_configured();
    std::string id(req.path().substr(std::string_view("/api/v2/silence/").size()));
    if (req.method() == "GET") {
      auto got = s->Get(id);
      if (!got.ok()) return common::HttpResponse::Text(404, got.status().message() + "\n");
      return common::HttpResponse::Json(200, notifier::SilenceToJson(*got, common::NowMs()));
    }
    if (req.method() != "DELETE") return common::HttpResponse::Text(405, "use GET or DELETE\n");
    if (auto denied = CheckWrite(req, write)) return *denied;
    auto st = s->Expire(id);
    if (!st.ok()) {
      return common::HttpResponse::Text(st.IsNotFound() ? 404 : 400, st.message() + "\n");
    }
    return common::HttpResponse::Json(200, "");
  });
  http.Handle("/api/v2/alerts", [=, this](common::HttpRequest& req) {
    std::shared_ptr<notifier::Dispatcher> d;
    {
      std::lock_guard<std::mutex> lock(builtin_mu_);
      d = dispatcher_;
    }
    if (!d) return not_configured();
    if (req.method() == "GET") {
      return common::HttpResponse::Json(200,
                                        notifier::AlertViewsToJson(d->Alerts(common::NowMs())));
    }
    if (req.method() != "POST") return common::HttpResponse::Text(405, "use GET or POST\n");
    // Other Prometheus servers may use the built-in notifier as their
    // Alertmanager: the same body Prometheus posts.
    if (auto denied = CheckWrite(req, write)) return *denied;
    auto body = req.ReadAll(8 << 20);
    if (!body.ok()) return common::HttpResponse::FromStatus(body.status());
    auto alerts = notifier::AlertsFromJson(*body);
    if (!alerts.ok()) return common::HttpResponse::Text(400, alerts.status().message() + "\n");
    d->Put(*alerts, common::NowMs());
    return common::HttpResponse::Json(200, "");
  });
}

void Alerting::RegisterApi(common::HttpServer& http, const WriteAccess& write) {
  RegisterBuiltinApi(http, write);
  http.Handle("/api/v1/rules", [this](common::HttpRequest& req) {
    auto p = Params::FromRequest(req, 1 << 20);
    if (!p.ok()) return ApiError(400, "bad_data", p.status().message());
    std::string type = p->Get("type");
    bool alerts = type.empty() || type == "alert";
    bool records = type.empty() || type == "record";
    if (!alerts && !records) {
      return ApiError(400, "bad_data", "invalid parameter \"type\": unsupported type " + type);
    }
    json groups = json::array();
    for (const auto& g : manager_->Groups()) {
      json rules_json = json::array();
      for (const auto& r : g->rules()) {
        rules::RuleStatus st = r->status();
        json j;
        if (r->alerting()) {
          if (!alerts) continue;
          const auto& ar = static_cast<const rules::AlertingRule&>(*r);
          json alerts_json = json::array();
          for (const auto& a : ar.ActiveAlerts()) alerts_json.push_back(AlertJson(a));
          j = json{{"state", rules::AlertStateString(ar.State())},
                   {"name", r->name()},
                   {"query", r->query()},
                   {"duration", static_cast<double>(ar.hold_ms()) / 1000},
                   {"keepFiringFor", static_cast<double>(ar.keep_firing_for_ms()) / 1000},
                   {"labels", RuleLabelsJson(r->labels())},
                   {"annotations", PairsJson(ar.annotations())},
                   {"alerts", alerts_json}};
        } else {
          if (!records) continue;
          j = json{{"name", r->name()}, {"query", r->query()}};
          // Prometheus omits a recording rule's empty labels.
          json labels = RuleLabelsJson(r->labels());
          if (!labels.empty()) j["labels"] = labels;
        }
        j["health"] = rules::RuleHealthString(st.health);
        if (!st.last_error.empty()) j["lastError"] = st.last_error;
        j["evaluationTime"] = st.evaluation_seconds;
        j["lastEvaluation"] = TimeJson(st.last_evaluation_ms);
        j["type"] = r->alerting() ? "alerting" : "recording";
        rules_json.push_back(std::move(j));
      }
      rules::GroupStatus gs = g->status();
      groups.push_back(json{{"name", g->name()},
                            {"file", g->file()},
                            {"rules", rules_json},
                            {"interval", static_cast<double>(g->interval_ms()) / 1000},
                            {"limit", g->limit()},
                            {"evaluationTime", gs.evaluation_seconds},
                            {"lastEvaluation", TimeJson(gs.last_evaluation_ms)}});
    }
    return ApiSuccess(json{{"groups", groups}});
  });
  http.Handle("/api/v1/alerts", [this](common::HttpRequest&) {
    json alerts = json::array();
    for (const auto& g : manager_->Groups()) {
      for (const auto& r : g->rules()) {
        if (!r->alerting()) continue;
        for (const auto& a : static_cast<const rules::AlertingRule&>(*r).ActiveAlerts()) {
          alerts.push_back(AlertJson(a));
        }
      }
    }
    return ApiSuccess(json{{"alerts", alerts}});
  });
  http.Handle("/api/v1/alertmanagers", [this](common::HttpRequest&) {
    json active = json::array();
    for (const auto& u : notifier_->AlertmanagerUrls()) active.push_back(json{{"url", u}});
    return ApiSuccess(
        json{{"activeAlertmanagers", active}, {"droppedAlertmanagers", json::array()}});
  });
}

std::string Alerting::RenderMetrics() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto groups = manager_->Groups();
  struct Gauge {
    const char* name;
    const char* type;
    const char* help;
    std::function<double(const rules::Group&)> value;
  };
  const Gauge per_group[] = {
      {"prometheus_rule_evaluations_total", "counter", "The total number of rule evaluations.",
       [](const rules::Group& g) { return static_cast<double>(g.evaluations()); }},
      {"prometheus_rule_evaluation_failures_total", "counter",
       "The total number of rule evaluation failures.",
       [](const rules::Group& g) { return static_cast<double>(g.evaluation_failures()); }},
      {"prometheus_rule_group_interval_seconds", "gauge", "The interval of a rule group.",
       [](const rules::Group& g) { return static_cast<double>(g.interval_ms()) / 1000; }},
      {"prometheus_rule_group_iterations_missed_total", "counter",
       "The total number of rule group evaluations missed due to slow rule group evaluation.",
       [](const rules::Group& g) { return static_cast<double>(g.iterations_missed()); }},
      {"prometheus_rule_group_last_duration_seconds", "gauge",
       "The duration of the last rule group evaluation.",
       [](const rules::Group& g) { return g.status().evaluation_seconds; }},
      {"prometheus_rule_group_last_evaluation_timestamp_seconds", "gauge",
       "The timestamp of the last rule group evaluation in seconds.",
       [](const rules::Group& g) {
         return static_cast<double>(g.status().last_evaluation_ms) / 1000;
       }},
      {"prometheus_rule_group_rules", "gauge", "The number of rules.",
       [](const rules::Group& g) { return static_cast<double>(g.rules().size()); }},
  };
  for (const auto& m : per_group) {
    if (groups.empty()) break;
    family(m.name, m.type, m.help);
    for (const auto& g : groups) {
      out += std::string(m.name) + "{rule_group=\"" + EscapeLabel(g->Key()) + "\"} " +
             model::FormatGoFloat(m.value(*g)) + "\n";
    }
  }
  out += RenderBuiltinMetrics();
  auto st = notifier_->stats();
  family("prometheus_notifications_alertmanagers_discovered", "gauge",
         "The number of alertmanagers discovered and active.");
  out += "prometheus_notifications_alertmanagers_discovered " + std::to_string(st.alertmanagers) +
         "\n";
  family("prometheus_notifications_dropped_total", "counter",
         "Total number of alerts dropped due to errors when sending to Alertmanager.");
  out += "prometheus_notifications_dropped_total " + std::to_string(st.dropped_total) + "\n";
  family("prometheus_notifications_queue_capacity", "gauge",
         "The capacity of the alert notifications queue.");
  out += "prometheus_notifications_queue_capacity " + std::to_string(st.queue_capacity) + "\n";
  family("prometheus_notifications_queue_length", "gauge",
         "The number of alert notifications in the queue.");
  out += "prometheus_notifications_queue_length " + std::to_string(st.queue_length) + "\n";
  if (!st.sent.empty() || !st.errors.empty()) {
    family("prometheus_notifications_errors_total", "counter",
           "Total number of errors sending alert notifications.");
    for (const auto& [url, n] : st.errors) {
      out += "prometheus_notifications_errors_total{alertmanager=\"" + EscapeLabel(url) + "\"} " +
             std::to_string(n) + "\n";
    }
    family("prometheus_notifications_sent_total", "counter", "Total number of alerts sent.");
    for (const auto& [url, n] : st.sent) {
      out += "prometheus_notifications_sent_total{alertmanager=\"" + EscapeLabel(url) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  return out;
}

std::string Alerting::RenderBuiltinMetrics() const {
  std::shared_ptr<notifier::Dispatcher> d;
  {
    std::lock_guard<std::mutex> lock(builtin_mu_);
    d = dispatcher_;
  }
  if (!d || !outbox_) return "";
  std::string out;
  auto line = [&](const char* name, const char* type, const char* help, const std::string& labels,
                  double v, bool header = true) {
    if (header) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    out += std::string(name) + labels + " " + model::FormatGoFloat(v) + "\n";
  };
  auto ds = d->stats();
  line("alertmanager_alerts", "gauge", "Alerts held by the built-in notifier.", "",
       static_cast<double>(ds.alerts));
  line("alertmanager_alerts_received_total", "counter", "Alerts received by the built-in notifier.",
       "{status=\"firing\"}", static_cast<double>(ds.received_firing_total));
  line("alertmanager_alerts_received_total", "counter", "", "{status=\"resolved\"}",
       static_cast<double>(ds.received_resolved_total), false);
  line("alertmanager_alerts_invalid_total", "counter", "Alerts refused as invalid.", "",
       static_cast<double>(ds.invalid_alerts_total));
  line("alertmanager_aggregation_groups", "gauge", "Alert groups.", "",
       static_cast<double>(ds.groups));
  auto os = outbox_->stats();
  line("monitor_notifications_queued", "gauge",
       "Notifications in the outbox waiting for delivery (persisted).", "",
       static_cast<double>(os.queued));
  line("monitor_notifications_delivered_total", "counter", "Notifications delivered.", "",
       static_cast<double>(os.delivered_total));
  line("monitor_notifications_retried_total", "counter",
       "Failed delivery attempts that will be retried.", "", static_cast<double>(os.retried_total));
  bool first = true;
  auto dropped = os.dropped_total;
  dropped["outbox_write"] += outbox_write_failures_.load();
  for (const auto& [reason, n] : dropped) {
    line("monitor_notifications_dropped_total", "counter", "Notifications given up on, by reason.",
         "{reason=\"" + EscapeLabel(reason) + "\"}", static_cast<double>(n), first);
    first = false;
  }
  return out;
}

}  // namespace server
