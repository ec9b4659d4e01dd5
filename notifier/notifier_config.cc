#include "notifier/notifier_config.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "common/config_files.h"
#include "model/duration.h"

namespace notifier {

namespace {

using common::Result;
using common::Status;

constexpr const char* kUseAlertmanager = "not supported by the built-in notifier; use Alertmanager";

Status Err(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument(field.empty() ? msg : field + ": " + msg);
}

std::string Join(const std::string& field, const std::string& key) {
  return field.empty() ? key : field + "." + key;
}

std::string Index(const std::string& field, size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

// Checks that node is a mapping whose keys are in `allowed`; keys in
// `refused` are Alertmanager fields the built-in notifier does not do.
Status CheckKeys(const YAML::Node& node, const std::string& field,
                 const std::set<std::string>& allowed, const std::set<std::string>& refused = {}) {
  if (!node.IsMap()) return Err(field, "must be a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (refused.count(key)) return Err(Join(field, key), kUseAlertmanager);
    if (!allowed.count(key)) return Err(Join(field, key), "unknown field");
  }
  return Status::OK();
}

// A node that is absent or null (`key:` with nothing after it).
bool Empty(const YAML::Node& node) { return !node || node.IsNull(); }

Status GetString(const YAML::Node& node, const std::string& field, std::string* out) {
  if (Empty(node)) return Status::OK();
  if (!node.IsScalar()) return Err(field, "must be a string");
  *out = node.as<std::string>();
  return Status::OK();
}

Status GetFile(const YAML::Node& node, const std::string& field, const std::string& base_dir,
               std::string* out) {
  if (auto s = GetString(node, field, out); !s.ok()) return s;
  *out = common::ResolveConfigPath(*out, base_dir);
  return Status::OK();
}

Status GetBool(const YAML::Node& node, const std::string& field, bool* out) {
  if (Empty(node)) return Status::OK();
  if (!node.IsScalar()) return Err(field, "must be true or false");
  try {
    *out = node.as<bool>();
  } catch (const YAML::Exception&) {
    return Err(field, "must be true or false");
  }
  return Status::OK();
}

// A model.Duration; set reports whether the key was given.
Status GetDuration(const YAML::Node& node, const std::string& field, int64_t* out,
                   bool* set = nullptr) {
  if (Empty(node)) return Status::OK();
  if (!node.IsScalar()) return Err(field, "must be a duration such as 30s");
  auto d = model::ParseDuration(node.as<std::string>());
  if (!d.ok()) return Err(field, d.status().message());
  *out = *d;
  if (set) *set = true;
  return Status::OK();
}

Status GetStringList(const YAML::Node& node, const std::string& field,
                     std::vector<std::string>* out) {
  if (Empty(node)) return Status::OK();
  if (!node.IsSequence()) return Err(field, "must be a list of strings");
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) return Err(Index(field, i), "must be a string");
    out->push_back(node[i].as<std::string>());
  }
  return Status::OK();
}

// Alertmanager's config.URL: an absolute http(s) URL with a host.
Status CheckUrl(const std::string& url, const std::string& field) {
  size_t colon = url.find("://");
  std::string scheme = colon == std::string::npos ? "" : url.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme != "http" && scheme != "https") {
    return Err(field, "unsupported scheme \"" + scheme + "\" for URL");
  }
  std::string rest = url.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string host = rest.substr(0, end);
  if (size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (host.empty()) return Err(field, "host is missing in URL");
  return Status::OK();
}

// http_config (Prometheus common's HTTPClientConfig), the parts
// common::HttpClient does: basic_auth, authorization, bearer_token(_file),
// tls_config. follow_redirects and enable_http2 are accepted and ignored.
Status ParseHttpConfig(const YAML::Node& n, const std::string& f, const std::string& base_dir,
                       common::HttpClientConfig* out) {
  if (auto s = CheckKeys(
          n, f,
          {"basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config",
           "follow_redirects", "enable_http2"},
          {"oauth2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header"});
      !s.ok()) {
    return s;
  }
  *out = common::HttpClientConfig{};
  if (!Empty(n["tls_config"])) {
    const YAML::Node& t = n["tls_config"];
    std::string tf = f + ".tls_config";
    if (auto s = CheckKeys(t, tf,
                           {"ca_file", "cert_file", "key_file", "server_name",
                            "insecure_skip_verify", "min_version", "max_version"});
        !s.ok()) {
      return s;
    }
    for (auto s : {GetFile(t["ca_file"], tf + ".ca_file", base_dir, &out->tls.ca_file),
                   GetFile(t["cert_file"], tf + ".cert_file", base_dir, &out->tls.cert_file),
                   GetFile(t["key_file"], tf + ".key_file", base_dir, &out->tls.key_file),
                   GetString(t["server_name"], tf + ".server_name", &out->tls.server_name),
                   GetBool(t["insecure_skip_verify"], tf + ".insecure_skip_verify",
                           &out->tls.insecure_skip_verify)}) {
      if (!s.ok()) return s;
    }
    if (out->tls.cert_file.empty() != out->tls.key_file.empty()) {
      return Err(tf, out->tls.cert_file.empty()
                         ? "client key file specified without client cert file"
                         : "client cert file specified without client key file");
    }
  }
  int auth_kinds = 0;
  if (!Empty(n["basic_auth"])) {
    const YAML::Node& b = n["basic_auth"];
    std::string bf = f + ".basic_auth";
    if (auto s = CheckKeys(b, bf, {"username", "password", "password_file"}); !s.ok()) return s;
    for (auto s :
         {GetString(b["username"], bf + ".username", &out->username),
          GetString(b["password"], bf + ".password", &out->password),
          GetFile(b["password_file"], bf + ".password_file", base_dir, &out->password_file)}) {
      if (!s.ok()) return s;
    }
    if (!out->password.empty() && !out->password_file.empty()) {
      return Err(bf, "at most one of basic_auth password & password_file must be configured");
    }
    if (out->username.empty()) return Err(bf + ".username", "is required");
    ++auth_kinds;
  }
  if (!Empty(n["authorization"])) {
    const YAML::Node& a = n["authorization"];
    std::string af = f + ".authorization";
    if (auto s = CheckKeys(a, af, {"type", "credentials", "credentials_file"}); !s.ok()) return s;
    for (auto s : {GetString(a["type"], af + ".type", &out->authorization_type),
                   GetString(a["credentials"], af + ".credentials", &out->credentials),
                   GetFile(a["credentials_file"], af + ".credentials_file", base_dir,
                           &out->credentials_file)}) {
      if (!s.ok()) return s;
    }
    std::string lower = out->authorization_type;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "basic") {
      return Err(af + ".type",
                 "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    if (!out->credentials.empty() && !out->credentials_file.empty()) {
      return Err(af,
                 "at most one of authorization credentials & credentials_file must be configured");
    }
    ++auth_kinds;
  }
  if (!Empty(n["bearer_token"]) || !Empty(n["bearer_token_file"])) {
    if (!Empty(n["bearer_token"]) && !Empty(n["bearer_token_file"])) {
      return Err(f, "at most one of bearer_token & bearer_token_file must be configured");
    }
    for (auto s : {GetString(n["bearer_token"], f + ".bearer_token", &out->credentials),
                   GetFile(n["bearer_token_file"], f + ".bearer_token_file", base_dir,
                           &out->credentials_file)}) {
      if (!s.ok()) return s;
    }
    ++auth_kinds;
  }
  if (auth_kinds > 1) {
    return Err(f,
               "at most one of basic_auth, authorization, bearer_token & bearer_token_file must be "
               "configured");
  }
  return Status::OK();
}

// What receiver configs default to from global.
struct Globals {
  NotifierConfig* c;
  common::HttpClientConfig http;  // global.http_config
  std::string base_dir;
  std::string slack_api_url_file;  // global.slack_api_url_file
};

// Alertmanager's receiver kinds the built-in notifier does not have.
const std::set<std::string>& RefusedReceiverKinds() {
  static const std::set<std::string> kinds = {
      "pagerduty_configs", "opsgenie_configs", "wechat_configs",    "pushover_configs",
      "victorops_configs", "sns_configs",      "telegram_configs",  "webex_configs",
      "discord_configs",   "msteams_configs",  "msteamsv2_configs", "jira_configs",
      "rocketchat_configs"};
  return kinds;
}

Status ParseWebhook(const YAML::Node& n, const std::string& f, const Globals& g, WebhookConfig* w) {
  if (auto s = CheckKeys(n, f, {"send_resolved", "http_config", "url", "url_file", "max_alerts"});
      !s.ok()) {
    return s;
  }
  w->http = g.http;
  if (!Empty(n["http_config"])) {
    if (auto s = ParseHttpConfig(n["http_config"], f + ".http_config", g.base_dir, &w->http);
        !s.ok()) {
      return s;
    }
  }
  for (auto s : {GetBool(n["send_resolved"], f + ".send_resolved", &w->send_resolved),
                 GetString(n["url"], f + ".url", &w->url),
                 GetFile(n["url_file"], f + ".url_file", g.base_dir, &w->url_file)}) {
    if (!s.ok()) return s;
  }
  if (!Empty(n["max_alerts"])) {
    try {
      int64_t m = n["max_alerts"].as<int64_t>();
      if (m < 0 || m > INT32_MAX) return Err(f + ".max_alerts", "must be a non-negative integer");
      w->max_alerts = static_cast<int>(m);
    } catch (const YAML::Exception&) {
      return Err(f + ".max_alerts", "must be a non-negative integer");
    }
  }
  if (w->url.empty() && w->url_file.empty()) {
    return Err(f, "one of url or url_file must be configured");
  }
  if (!w->url.empty() && !w->url_file.empty()) {
    return Err(f, "at most one of url & url_file must be configured");
  }
  if (!w->url.empty()) return CheckUrl(w->url, f + ".url");
  return Status::OK();
}

Status ParseSlack(const YAML::Node& n, const std::string& f, const Globals& g, SlackConfig* sc) {
  if (auto s = CheckKeys(n, f,
                         {"send_resolved", "http_config", "api_url", "api_url_file", "channel",
                          "username", "title", "text"},
                         {"color", "title_link", "pretext", "fields", "short_fields", "footer",
                          "fallback", "callback_id", "icon_emoji", "icon_url", "image_url",
                          "thumb_url", "link_names", "mrkdwn_in", "actions"});
      !s.ok()) {
    return s;
  }
  sc->http = g.http;
  if (!Empty(n["http_config"])) {
    if (auto s = ParseHttpConfig(n["http_config"], f + ".http_config", g.base_dir, &sc->http);
        !s.ok()) {
      return s;
    }
  }
  for (auto s : {GetBool(n["send_resolved"], f + ".send_resolved", &sc->send_resolved),
                 GetString(n["api_url"], f + ".api_url", &sc->api_url),
                 GetFile(n["api_url_file"], f + ".api_url_file", g.base_dir, &sc->api_url_file),
                 GetString(n["channel"], f + ".channel", &sc->channel),
                 GetString(n["username"], f + ".username", &sc->username),
                 GetString(n["title"], f + ".title", &sc->title),
                 GetString(n["text"], f + ".text", &sc->text)}) {
    if (!s.ok()) return s;
  }
  if (!sc->api_url.empty() && !sc->api_url_file.empty()) {
    return Err(f, "at most one of api_url & api_url_file must be configured");
  }
  if (sc->api_url.empty() && sc->api_url_file.empty()) {
    if (g.c->slack_api_url.empty() && g.slack_api_url_file.empty()) {
      return Err(f, "no global Slack API URL set either inline or in a file");
    }
    sc->api_url = g.c->slack_api_url;
    sc->api_url_file = g.slack_api_url_file;
  }
  if (!sc->api_url.empty()) return CheckUrl(sc->api_url, f + ".api_url");
  return Status::OK();
}

// Go's textproto.CanonicalMIMEHeaderKey for the usual header names.
std::string CanonicalHeader(std::string h) {
  bool upper = true;
  for (char& c : h) {
    c = upper ? static_cast<char>(::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return h;
}

Status ParseEmail(const YAML::Node& n, const std::string& f, const Globals& g, EmailConfig* e) {
  if (auto s = CheckKeys(n, f,
                         {"send_resolved", "to", "from", "smarthost", "hello", "auth_username",
                          "auth_password", "auth_password_file", "require_tls", "headers"},
                         {"auth_secret", "auth_identity", "html", "text", "tls_config"});
      !s.ok()) {
    return s;
  }
  const NotifierConfig& c = *g.c;
  e->from = c.smtp_from;
  e->smarthost = c.smtp_smarthost;
  e->hello = c.smtp_hello;
  e->auth_username = c.smtp_auth_username;
  e->auth_password = c.smtp_auth_password;
  e->require_tls = c.smtp_require_tls;
  std::string from, smarthost, hello, user, password;
  for (auto s : {GetBool(n["send_resolved"], f + ".send_resolved", &e->send_resolved),
                 GetString(n["to"], f + ".to", &e->to), GetString(n["from"], f + ".from", &from),
                 GetString(n["smarthost"], f + ".smarthost", &smarthost),
                 GetString(n["hello"], f + ".hello", &hello),
                 GetString(n["auth_username"], f + ".auth_username", &user),
                 GetString(n["auth_password"], f + ".auth_password", &password),
                 GetFile(n["auth_password_file"], f + ".auth_password_file", g.base_dir,
                         &e->auth_password_file),
                 GetBool(n["require_tls"], f + ".require_tls", &e->require_tls)}) {
    if (!s.ok()) return s;
  }
  if (!from.empty()) e->from = from;
  if (!smarthost.empty()) e->smarthost = smarthost;
  if (!hello.empty()) e->hello = hello;
  if (!user.empty()) e->auth_username = user;
  if (!password.empty() || !e->auth_password_file.empty()) e->auth_password = password;
  if (!e->auth_password.empty() && !e->auth_password_file.empty()) {
    return Err(f, "at most one of auth_password & auth_password_file must be configured");
  }
  if (!Empty(n["headers"])) {
    const YAML::Node& h = n["headers"];
    if (!h.IsMap()) return Err(f + ".headers", "must be a mapping");
    std::set<std::string> seen;
    for (const auto& kv : h) {
      std::string key = CanonicalHeader(kv.first.as<std::string>());
      if (!kv.second.IsScalar()) return Err(f + ".headers." + key, "must be a string");
      if (!seen.insert(key).second) {
        return Err(f + ".headers", "duplicate header \"" + key + "\" in email config");
      }
      e->headers.emplace_back(key, kv.second.as<std::string>());
    }
  }
  if (e->to.empty()) return Err(f, "missing to address in email config");
  if (e->smarthost.empty()) return Err(f, "no global SMTP smarthost set");
  if (e->from.empty()) return Err(f, "no global SMTP from set");
  size_t colon = e->smarthost.rfind(':');
  if (colon == std::string::npos || colon + 1 == e->smarthost.size()) {
    return Err(f + ".smarthost", "address " + e->smarthost + ": missing port in address");
  }
  return Status::OK();
}

Status ParseNtfy(const YAML::Node& n, const std::string& f, const Globals& g, NtfyConfig* nc) {
  if (auto s = CheckKeys(n, f,
                         {"send_resolved", "url", "priority", "tags", "http_config", "basic_auth",
                          "authorization"});
      !s.ok()) {
    return s;
  }
  nc->http = g.http;
  if (!Empty(n["http_config"])) {
    if (!Empty(n["basic_auth"]) || !Empty(n["authorization"])) {
      return Err(f, "basic_auth and authorization go either in http_config or beside it, not both");
    }
    if (auto s = ParseHttpConfig(n["http_config"], f + ".http_config", g.base_dir, &nc->http);
        !s.ok()) {
      return s;
    }
  } else if (!Empty(n["basic_auth"]) || !Empty(n["authorization"])) {
    // Our shorthand: the two credential kinds directly on the ntfy config.
    YAML::Node sub(YAML::NodeType::Map);
    if (!Empty(n["basic_auth"])) sub["basic_auth"] = n["basic_auth"];
    if (!Empty(n["authorization"])) sub["authorization"] = n["authorization"];
    if (auto s = ParseHttpConfig(sub, f, g.base_dir, &nc->http); !s.ok()) return s;
  }
  for (auto s : {GetBool(n["send_resolved"], f + ".send_resolved", &nc->send_resolved),
                 GetString(n["url"], f + ".url", &nc->url),
                 GetString(n["priority"], f + ".priority", &nc->priority),
                 GetStringList(n["tags"], f + ".tags", &nc->tags)}) {
    if (!s.ok()) return s;
  }
  if (nc->url.empty()) return Err(f + ".url", "is required");
  if (auto s = CheckUrl(nc->url, f + ".url"); !s.ok()) return s;
  static const std::set<std::string> kPriorities = {"min", "low", "default", "high", "urgent"};
  if (!nc->priority.empty() && !kPriorities.count(nc->priority)) {
    return Err(f + ".priority", "unknown priority \"" + nc->priority +
                                    "\" (one of min, low, default, high, urgent)");
  }
  return Status::OK();
}

template <typename T>
Status ParseList(const YAML::Node& n, const std::string& f, const Globals& g,
                 Status (*parse)(const YAML::Node&, const std::string&, const Globals&, T*),
                 std::vector<T>* out) {
  if (Empty(n)) return Status::OK();
  if (!n.IsSequence()) return Err(f, "must be a list");
  for (size_t i = 0; i < n.size(); ++i) {
    T item;
    if (auto s = parse(n[i], Index(f, i), g, &item); !s.ok()) return s;
    out->push_back(std::move(item));
  }
  return Status::OK();
}

Status ParseReceiver(const YAML::Node& n, const std::string& f, const Globals& g,
                     ReceiverConfig* r) {
  std::set<std::string> allowed = {"name", "webhook_configs", "slack_configs", "email_configs",
                                   "ntfy_configs"};
  if (auto s = CheckKeys(n, f, allowed, RefusedReceiverKinds()); !s.ok()) return s;
  if (auto s = GetString(n["name"], f + ".name", &r->name); !s.ok()) return s;
  if (r->name.empty()) return Err(f, "missing name in receiver");
  for (auto s :
       {ParseList(n["webhook_configs"], f + ".webhook_configs", g, &ParseWebhook,
                  &r->webhook_configs),
        ParseList(n["slack_configs"], f + ".slack_configs", g, &ParseSlack, &r->slack_configs),
        ParseList(n["email_configs"], f + ".email_configs", g, &ParseEmail, &r->email_configs),
        ParseList(n["ntfy_configs"], f + ".ntfy_configs", g, &ParseNtfy, &r->ntfy_configs)}) {
    if (!s.ok()) return s;
  }
  return Status::OK();
}

bool IsValidAmLabelName(std::string_view s) { return model::IsValidLabelName(s); }

// One route; parent is null for the root. Children inherit what they leave unset.
Status ParseRoute(const YAML::Node& n, const std::string& f, const Route* parent, Route* r) {
  if (auto s = CheckKeys(n, f,
                         {"receiver", "group_by", "continue", "matchers", "match", "match_re",
                          "group_wait", "group_interval", "repeat_interval", "routes"},
                         {"mute_time_intervals", "active_time_intervals"});
      !s.ok()) {
    return s;
  }
  if (parent) {
    r->receiver = parent->receiver;
    r->group_by = parent->group_by;
    r->group_wait_ms = parent->group_wait_ms;
    r->group_interval_ms = parent->group_interval_ms;
    r->repeat_interval_ms = parent->repeat_interval_ms;
  }
  std::string receiver;
  if (auto s = GetString(n["receiver"], f + ".receiver", &receiver); !s.ok()) return s;
  if (!receiver.empty()) r->receiver = receiver;

  std::vector<std::string> group_by;
  if (auto s = GetStringList(n["group_by"], f + ".group_by", &group_by); !s.ok()) return s;
  bool all = false;
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const std::string& l : group_by) {
    if (l == "...") {
      all = true;
      continue;
    }
    if (!IsValidAmLabelName(l) || l == model::kMetricNameLabel) {
      return Err(f + ".group_by", "invalid label name \"" + l + "\" in group_by list");
    }
    if (!seen.insert(l).second) {
      return Err(f + ".group_by", "duplicated label \"" + l + "\" in group_by");
    }
    names.push_back(l);
  }
  if (all && !names.empty()) {
    return Err(f + ".group_by",
               "cannot have wildcard group_by (`...`) and other other labels at the same time");
  }
  if (all) {
    r->group_by = {"..."};
  } else if (!names.empty()) {
    r->group_by = names;  // an empty list inherits, as in Alertmanager
  }

  if (auto s = GetBool(n["continue"], f + ".continue", &r->continue_matching); !s.ok()) return s;
  bool gi_set = false, ri_set = false;
  for (auto s :
       {GetDuration(n["group_wait"], f + ".group_wait", &r->group_wait_ms),
        GetDuration(n["group_interval"], f + ".group_interval", &r->group_interval_ms, &gi_set),
        GetDuration(n["repeat_interval"], f + ".repeat_interval", &r->repeat_interval_ms,
                    &ri_set)}) {
    if (!s.ok()) return s;
  }
  if (gi_set && r->group_interval_ms == 0) {
    return Err(f + ".group_interval", "group_interval cannot be zero");
  }
  if (ri_set && r->repeat_interval_ms == 0) {
    return Err(f + ".repeat_interval", "repeat_interval cannot be zero");
  }

  // match: and match_re: (deprecated in Alertmanager, still read), then matchers:.
  if (!Empty(n["match"])) {
    const YAML::Node& m = n["match"];
    if (!m.IsMap()) return Err(f + ".match", "must be a mapping of label names to values");
    for (const auto& kv : m) {
      std::string name = kv.first.as<std::string>();
      if (!IsValidAmLabelName(name)) {
        return Err(f + ".match", "invalid label name \"" + name + "\"");
      }
      if (!kv.second.IsScalar()) return Err(f + ".match." + name, "must be a string");
      auto mm =
          model::Matcher::Make(model::Matcher::Type::kEqual, name, kv.second.as<std::string>());
      if (!mm.ok()) return Err(f + ".match." + name, mm.status().message());
      r->matchers.push_back(std::move(*mm));
    }
  }
  if (!Empty(n["match_re"])) {
    const YAML::Node& m = n["match_re"];
    if (!m.IsMap()) return Err(f + ".match_re", "must be a mapping of label names to regexes");
    for (const auto& kv : m) {
      std::string name = kv.first.as<std::string>();
      if (!IsValidAmLabelName(name)) {
        return Err(f + ".match_re", "invalid label name \"" + name + "\"");
      }
      if (!kv.second.IsScalar()) return Err(f + ".match_re." + name, "must be a string");
      auto mm = model::Matcher::Make(model::Matcher::Type::kRegexMatch, name,
                                     kv.second.as<std::string>());
      if (!mm.ok()) return Err(f + ".match_re." + name, mm.status().message());
      r->matchers.push_back(std::move(*mm));
    }
  }
  if (!Empty(n["matchers"])) {
    std::vector<std::string> lines;
    if (auto s = GetStringList(n["matchers"], f + ".matchers", &lines); !s.ok()) return s;
    for (size_t i = 0; i < lines.size(); ++i) {
      auto ms = ParseAlertmanagerMatchers(lines[i]);
      if (!ms.ok()) return Err(Index(f + ".matchers", i), ms.status().message());
      for (auto& m : *ms) r->matchers.push_back(std::move(m));
    }
  }
  SortAlertmanagerMatchers(&r->matchers);

  if (!Empty(n["routes"])) {
    const YAML::Node& rs = n["routes"];
    if (!rs.IsSequence()) return Err(f + ".routes", "must be a list");
    for (size_t i = 0; i < rs.size(); ++i) {
      Route child;
      if (auto s = ParseRoute(rs[i], Index(f + ".routes", i), r, &child); !s.ok()) return s;
      r->routes.push_back(std::move(child));
    }
  }
  return Status::OK();
}

Status CheckReceivers(const Route& r, const std::string& f, const std::set<std::string>& names) {
  if (!names.count(r.receiver)) {
    return Err(f, "undefined receiver \"" + r.receiver + "\" used in route");
  }
  for (size_t i = 0; i < r.routes.size(); ++i) {
    if (auto s = CheckReceivers(r.routes[i], Index(f + ".routes", i), names); !s.ok()) return s;
  }
  return Status::OK();
}

// A top-level list that must be empty (or absent) here.
Status RefuseNonEmpty(const YAML::Node& root, const char* key) {
  const YAML::Node& n = root[key];
  if (Empty(n)) return Status::OK();
  if ((n.IsSequence() || n.IsMap()) && n.size() == 0) return Status::OK();
  return Err(key, kUseAlertmanager);
}

Result<NotifierConfig> Parse(const YAML::Node& root, const std::string& base_dir) {
  NotifierConfig c;
  if (Empty(root)) return Err("", "no routes provided");
  if (auto s = CheckKeys(root, "",
                         {"global", "route", "receivers", "inhibit_rules", "templates",
                          "time_intervals", "mute_time_intervals"});
      !s.ok()) {
    return s;
  }
  for (const char* key : {"inhibit_rules", "templates", "time_intervals", "mute_time_intervals"}) {
    if (auto s = RefuseNonEmpty(root, key); !s.ok()) return s;
  }
  Globals g{&c, {}, base_dir, ""};
  if (!Empty(root["global"])) {
    const YAML::Node& gl = root["global"];
    // The other integrations' global URLs are accepted and unused: a copied
    // alertmanager.yml often sets them.
    if (auto s = CheckKeys(gl, "global", {"resolve_timeout",    "http_config",
                                          "smtp_from",          "smtp_smarthost",
                                          "smtp_hello",         "smtp_auth_username",
                                          "smtp_auth_password", "smtp_require_tls",
                                          "slack_api_url",      "slack_api_url_file",
                                          "pagerduty_url",      "opsgenie_api_url",
                                          "opsgenie_api_key",   "opsgenie_api_key_file",
                                          "wechat_api_url",     "wechat_api_secret",
                                          "wechat_api_corp_id", "victorops_api_url",
                                          "victorops_api_key",  "victorops_api_key_file",
                                          "telegram_api_url",   "webex_api_url"},
                           {"smtp_auth_identity", "smtp_auth_secret", "smtp_auth_password_file"});
        !s.ok()) {
      return s;
    }
    bool rt_set = false;
    std::string slack_file;
    for (auto s :
         {GetDuration(gl["resolve_timeout"], "global.resolve_timeout", &c.resolve_timeout_ms,
                      &rt_set),
          GetString(gl["smtp_from"], "global.smtp_from", &c.smtp_from),
          GetString(gl["smtp_smarthost"], "global.smtp_smarthost", &c.smtp_smarthost),
          GetString(gl["smtp_hello"], "global.smtp_hello", &c.smtp_hello),
          GetString(gl["smtp_auth_username"], "global.smtp_auth_username", &c.smtp_auth_username),
          GetString(gl["smtp_auth_password"], "global.smtp_auth_password", &c.smtp_auth_password),
          GetBool(gl["smtp_require_tls"], "global.smtp_require_tls", &c.smtp_require_tls),
          GetString(gl["slack_api_url"], "global.slack_api_url", &c.slack_api_url),
          GetFile(gl["slack_api_url_file"], "global.slack_api_url_file", base_dir, &slack_file)}) {
      if (!s.ok()) return s;
    }
    if (rt_set && c.resolve_timeout_ms == 0) {
      return Err("global.resolve_timeout", "resolve_timeout cannot be zero");
    }
    if (!c.slack_api_url.empty() && !slack_file.empty()) {
      return Err("global", "at most one of slack_api_url & slack_api_url_file must be configured");
    }
    if (!c.slack_api_url.empty()) {
      if (auto s = CheckUrl(c.slack_api_url, "global.slack_api_url"); !s.ok()) return s;
    }
    if (!Empty(gl["http_config"])) {
      if (auto s = ParseHttpConfig(gl["http_config"], "global.http_config", base_dir, &g.http);
          !s.ok()) {
        return s;
      }
    }
    g.slack_api_url_file = slack_file;
  }

  std::set<std::string> names;
  if (!Empty(root["receivers"])) {
    const YAML::Node& rs = root["receivers"];
    if (!rs.IsSequence()) return Err("receivers", "must be a list");
    for (size_t i = 0; i < rs.size(); ++i) {
      ReceiverConfig r;
      if (auto s = ParseReceiver(rs[i], Index("receivers", i), g, &r); !s.ok()) return s;
      if (!names.insert(r.name).second) {
        return Err(Index("receivers", i),
                   "notification config name \"" + r.name + "\" is not unique");
      }
      c.receivers.push_back(std::move(r));
    }
  }

  if (Empty(root["route"])) return Err("", "no routes provided");
  const YAML::Node& rn = root["route"];
  if (auto s = ParseRoute(rn, "route", nullptr, &c.route); !s.ok()) return s;
  if (c.route.receiver.empty()) return Err("route", "root route must specify a default receiver");
  if (!c.route.matchers.empty()) return Err("route", "root route must not have any matchers");
  if (c.route.continue_matching) return Err("route", "cannot have continue in root route");
  if (auto s = CheckReceivers(c.route, "route", names); !s.ok()) return s;
  return c;
}

}  // namespace

bool Route::Matches(const model::Labels& labels) const {
  for (const auto& m : matchers) {
    if (!m.MatchesLabels(labels)) return false;
  }
  return true;
}

const ReceiverConfig* NotifierConfig::FindReceiver(std::string_view name) const {
  for (const auto& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<NotifierConfig> ParseNotifierConfig(std::string_view yaml, const std::string& base_dir) {
  try {
    return Parse(YAML::Load(std::string(yaml)), base_dir);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

namespace {

// One `name op value` of the classic matcher syntax.
Result<model::Matcher> ParseOneMatcher(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("bad matcher format: " + std::string(s)); };
  size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  skip_space();
  size_t name_start = i;
  auto name_char = [](char c, bool first) {
    return c == '_' || c == ':' || std::isalpha(static_cast<unsigned char>(c)) ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  if (i >= s.size() || !name_char(s[i], true)) return bad();
  while (i < s.size() && name_char(s[i], false)) ++i;
  std::string name(s.substr(name_start, i - name_start));
  skip_space();
  model::Matcher::Type type;
  if (s.substr(i, 2) == "=~") {
    type = model::Matcher::Type::kRegexMatch;
    i += 2;
  } else if (s.substr(i, 2) == "!=") {
    type = model::Matcher::Type::kNotEqual;
    i += 2;
  } else if (s.substr(i, 2) == "!~") {
    type = model::Matcher::Type::kRegexNoMatch;
    i += 2;
  } else if (s.substr(i, 1) == "=") {
    type = model::Matcher::Type::kEqual;
    i += 1;
  } else {
    return bad();
  }
  skip_space();
  std::string_view raw = s.substr(i);
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
  const std::string raw_copy(raw);
  bool expect_trailing_quote = false;
  if (!raw.empty() && raw.front() == '"') {
    raw.remove_prefix(1);
    expect_trailing_quote = true;
  }
  std::string value;
  bool escaped = false;
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (escaped) {
      escaped = false;
      if (c == 'n') {
        value += '\n';
      } else if (c == '"' || c == '\\') {
        value += c;
      } else {  // a spurious escape: the backslash is literal
        value += '\\';
        value += c;
      }
      continue;
    }
    if (c == '\\') {
      if (k + 1 < raw.size()) {
        escaped = true;
      } else {
        value += '\\';
      }
    } else if (c == '"') {
      if (!expect_trailing_quote || k + 1 < raw.size()) {
        return Status::InvalidArgument("matcher value contains unescaped double quote: " +
                                       raw_copy);
      }
      expect_trailing_quote = false;
    } else {
      value += c;
    }
  }
  if (expect_trailing_quote) {
    return Status::InvalidArgument("matcher value contains unescaped double quote: " + raw_copy);
  }
  return model::Matcher::Make(type, std::move(name), std::move(value));
}

}  // namespace

Result<std::vector<model::Matcher>> ParseAlertmanagerMatchers(std::string_view s) {
  if (!s.empty() && s.front() == '{') s.remove_prefix(1);
  if (!s.empty() && s.back() == '}') s.remove_suffix(1);
  std::vector<std::string> tokens;
  std::string token;
  bool inside_quotes = false, escaped = false;
  for (char c : s) {
    if (c == ',' && !inside_quotes) {
      tokens.push_back(token);
      token.clear();
      continue;
    }
    if (c == '"') {
      if (!escaped) {
        inside_quotes = !inside_quotes;
      } else {
        escaped = false;
      }
    } else if (c == '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += c;
  }
  auto trimmed = [](const std::string& t) {
    size_t b = t.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return std::string();
    size_t e = t.find_last_not_of(" \t\r\n");
    return t.substr(b, e - b + 1);
  };
  if (!trimmed(token).empty()) tokens.push_back(trimmed(token));
  std::vector<model::Matcher> out;
  for (const auto& t : tokens) {
    auto m = ParseOneMatcher(t);
    if (!m.ok()) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

std::string AlertmanagerMatchersString(const std::vector<model::Matcher>& matchers) {
  std::string out = "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ',';
    const auto& m = matchers[i];
    out += m.name();
    out += model::Matcher::TypeString(m.type());
    out += '"';
    for (char c : m.value()) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '"') {
        out += "\\\"";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
  return out;
}

void SortAlertmanagerMatchers(std::vector<model::Matcher>* matchers) {
  std::stable_sort(matchers->begin(), matchers->end(),
                   [](const model::Matcher& a, const model::Matcher& b) {
                     if (a.name() != b.name()) return a.name() < b.name();
                     if (a.value() != b.value()) return a.value() < b.value();
                     return static_cast<int>(a.type()) < static_cast<int>(b.type());
                   });
}

}  // namespace notifier
