#include "server/config.h"

#include <algorithm>
#include <set>

#include <yaml-cpp/yaml.h>

#include "common/config_files.h"
#include "common/paths.h"
#include "model/duration.h"
#include "server/relabel_config.h"

namespace server {

namespace {

using common::Status;

Status Err(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument(field + ": " + msg);
}

Status CheckKeys(const YAML::Node& node, const std::string& field,
                 const std::set<std::string>& allowed) {
  if (!node.IsMap()) return Err(field, "must be a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) return Err(field + "." + key, "unknown field");
  }
  return Status::OK();
}

common::Result<int64_t> Duration(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return Err(field, "must be a duration such as 15s");
  auto d = model::ParseDuration(node.as<std::string>());
  if (!d.ok()) return Err(field, d.status().message());
  if (*d <= 0) return Err(field, "must be positive");
  return *d;
}

common::Result<model::Labels> LabelMap(const YAML::Node& node, const std::string& field) {
  if (!node.IsMap()) return Err(field, "must be a mapping of label names to values");
  std::vector<model::Label> labels;
  for (const auto& kv : node) {
    std::string name = kv.first.as<std::string>();
    if (!model::IsValidLabelName(name)) return Err(field, "invalid label name \"" + name + "\"");
    if (!kv.second.IsScalar()) return Err(field + "." + name, "must be a string");
    labels.push_back({name, kv.second.as<std::string>()});
  }
  return model::Labels::FromVector(std::move(labels));
}

common::Result<std::string> String(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return Err(field, "must be a string");
  return node.as<std::string>();
}

// Prometheus's HTTP client settings of a scrape config, with its checks.
Status ParseHttpClient(const YAML::Node& n, const std::string& f, const std::string& base_dir,
                       common::HttpClientConfig* out) {
  auto str = [&](const YAML::Node& node, const std::string& field, std::string* dst,
                 bool is_file = false) -> Status {
    if (!node) return Status::OK();
    auto v = String(node, field);
    if (!v.ok()) return v.status();
    *dst = is_file ? common::ResolveConfigPath(*v, base_dir) : *v;
    return Status::OK();
  };
  if (const YAML::Node& t = n["tls_config"]) {
    std::string tf = f + ".tls_config";
    if (auto s = CheckKeys(
            t, tf, {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"});
        !s.ok()) {
      return s;
    }
    for (auto s : {str(t["ca_file"], tf + ".ca_file", &out->tls.ca_file, true),
                   str(t["cert_file"], tf + ".cert_file", &out->tls.cert_file, true),
                   str(t["key_file"], tf + ".key_file", &out->tls.key_file, true),
                   str(t["server_name"], tf + ".server_name", &out->tls.server_name)}) {
      if (!s.ok()) return s;
    }
    if (t["insecure_skip_verify"]) {
      try {
        out->tls.insecure_skip_verify = t["insecure_skip_verify"].as<bool>();
      } catch (const YAML::Exception&) {
        return Err(tf + ".insecure_skip_verify", "must be true or false");
      }
    }
    if (out->tls.cert_file.empty() != out->tls.key_file.empty()) {
      return Err(tf, out->tls.cert_file.empty()
                         ? "client key file specified without client cert file"
                         : "client cert file specified without client key file");
    }
  }
  int auth_kinds = 0;
  if (const YAML::Node& b = n["basic_auth"]) {
    std::string bf = f + ".basic_auth";
    if (auto s = CheckKeys(b, bf, {"username", "password", "password_file"}); !s.ok()) return s;
    for (auto s : {str(b["username"], bf + ".username", &out->username),
                   str(b["password"], bf + ".password", &out->password),
                   str(b["password_file"], bf + ".password_file", &out->password_file, true)}) {
      if (!s.ok()) return s;
    }
    if (!out->password.empty() && !out->password_file.empty()) {
      return Err(bf, "at most one of basic_auth password & password_file must be configured");
    }
    if (out->username.empty()) return Err(bf + ".username", "is required");
    ++auth_kinds;
  }
  if (const YAML::Node& a = n["authorization"]) {
    std::string af = f + ".authorization";
    if (auto s = CheckKeys(a, af, {"type", "credentials", "credentials_file"}); !s.ok()) return s;
    for (auto s :
         {str(a["type"], af + ".type", &out->authorization_type),
          str(a["credentials"], af + ".credentials", &out->credentials),
          str(a["credentials_file"], af + ".credentials_file", &out->credentials_file, true)}) {
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
  if (n["bearer_token"] || n["bearer_token_file"]) {
    if (n["bearer_token"] && n["bearer_token_file"]) {
      return Err(f, "at most one of bearer_token & bearer_token_file must be configured");
    }
    if (auto s = str(n["bearer_token"], f + ".bearer_token", &out->credentials); !s.ok()) return s;
    if (auto s =
            str(n["bearer_token_file"], f + ".bearer_token_file", &out->credentials_file, true);
        !s.ok()) {
      return s;
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

// rule_files: glob patterns, checked as filepath.Match checks them (a
// malformed pattern is an error, a pattern matching nothing is not).
Status ParseRuleFiles(const YAML::Node& n, const std::string& base_dir, Config* c) {
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsSequence()) return Err("rule_files", "must be a list of file patterns");
  for (size_t i = 0; i < n.size(); ++i) {
    std::string f = "rule_files[" + std::to_string(i) + "]";
    auto p = String(n[i], f);
    if (!p.ok()) return p.status();
    int depth = 0;
    for (size_t k = 0; k < p->size(); ++k) {
      char ch = (*p)[k];
      if (ch == '\\') {
        if (++k == p->size()) return Err(f, "invalid rule file path \"" + *p + "\"");
      } else if (ch == '[') {
        if (depth++ > 0) return Err(f, "invalid rule file path \"" + *p + "\"");
      } else if (ch == ']') {
        if (depth-- == 0) return Err(f, "invalid rule file path \"" + *p + "\"");
      }
    }
    if (depth != 0) return Err(f, "invalid rule file path \"" + *p + "\"");
    c->rule_files.push_back(common::ResolveConfigPath(*p, base_dir));
  }
  return Status::OK();
}

// alerting.alertmanagers with static targets (Prometheus's
// AlertmanagerConfig; service discovery and relabeling are not supported).
Status ParseAlerting(const YAML::Node& n, const std::string& base_dir, Config* c) {
  if (!n || n.IsNull()) return Status::OK();
  if (n.IsMap() && n["alert_relabel_configs"]) {
    return Err("alerting.alert_relabel_configs", "relabeling is not supported by this server");
  }
  if (auto s = CheckKeys(n, "alerting", {"alertmanagers"}); !s.ok()) return s;
  const YAML::Node& ams = n["alertmanagers"];
  if (!ams || ams.IsNull()) return Status::OK();
  if (!ams.IsSequence()) return Err("alerting.alertmanagers", "must be a list");
  for (size_t i = 0; i < ams.size(); ++i) {
    std::string f = "alerting.alertmanagers[" + std::to_string(i) + "]";
    const YAML::Node& a = ams[i];
    if (a.IsMap()) {
      for (const char* unsupported :
           {"relabel_configs", "dns_sd_configs", "file_sd_configs", "kubernetes_sd_configs",
            "consul_sd_configs", "oauth2", "sigv4", "proxy_url"}) {
        if (a[unsupported]) {
          return Err(f + "." + unsupported, "not supported by this server (use static_configs)");
        }
      }
    }
    if (auto s = CheckKeys(a, f,
                           {"static_configs", "scheme", "path_prefix", "timeout", "api_version",
                            "follow_redirects", "enable_http2", "tls_config", "basic_auth",
                            "authorization", "bearer_token", "bearer_token_file"});
        !s.ok()) {
      return s;
    }
    notifier::AlertmanagerSet set;
    if (a["scheme"]) {
      auto v = String(a["scheme"], f + ".scheme");
      if (!v.ok()) return v.status();
      if (*v != "http" && *v != "https") return Err(f + ".scheme", "must be \"http\" or \"https\"");
      set.scheme = *v;
    }
    if (a["path_prefix"]) {
      auto v = String(a["path_prefix"], f + ".path_prefix");
      if (!v.ok()) return v.status();
      set.path_prefix = *v;
    }
    if (a["timeout"]) {
      auto d = Duration(a["timeout"], f + ".timeout");
      if (!d.ok()) return d.status();
      set.timeout_ms = *d;
    }
    if (a["api_version"]) {
      auto v = String(a["api_version"], f + ".api_version");
      if (!v.ok()) return v.status();
      if (*v == "v1") {
        return Err(f + ".api_version",
                   "v1 is not supported (Alertmanager 0.16 and later speak v2)");
      }
      if (*v != "v2")
        return Err(f + ".api_version",
                   "expected Alertmanager api version to be one of [v1 v2] but got " + *v);
      set.api_version = *v;
    }
    if (auto s = ParseHttpClient(a, f, base_dir, &set.http); !s.ok()) return s;
    const YAML::Node& stat = a["static_configs"];
    if (stat) {
      if (!stat.IsSequence()) return Err(f + ".static_configs", "must be a list");
      for (size_t k = 0; k < stat.size(); ++k) {
        std::string sf = f + ".static_configs[" + std::to_string(k) + "]";
        if (auto s = CheckKeys(stat[k], sf, {"targets", "labels"}); !s.ok()) return s;
        const YAML::Node& t = stat[k]["targets"];
        if (!t) continue;
        if (!t.IsSequence()) return Err(sf + ".targets", "must be a list of host:port");
        for (size_t m = 0; m < t.size(); ++m) {
          auto addr = String(t[m], sf + ".targets[" + std::to_string(m) + "]");
          if (!addr.ok()) return addr.status();
          if (addr->empty() || addr->find('/') != std::string::npos) {
            return Err(sf + ".targets[" + std::to_string(m) + "]",
                       "\"" + *addr + "\" is not host:port");
          }
          set.targets.push_back(*addr);
        }
      }
    }
    c->alertmanagers.push_back(std::move(set));
  }
  return Status::OK();
}

// remote_write: Prometheus's fields; service-specific auth (sigv4, oauth2,
// azuread) and proxies are refused by name.
Status ParseRemoteWrite(const YAML::Node& n, const std::string& base_dir, Config* c) {
  if (!n || n.IsNull()) return Status::OK();
  if (!n.IsSequence()) return Err("remote_write", "must be a list");
  std::set<std::string> names, urls;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string f = "remote_write[" + std::to_string(i) + "]";
    const YAML::Node& w = n[i];
    if (w.IsMap()) {
      for (const char* unsupported : {"sigv4", "oauth2", "azuread", "proxy_url"}) {
        if (w[unsupported]) return Err(f + "." + unsupported, "not supported by this server");
      }
    }
    if (auto s = CheckKeys(w, f,
                           {"url", "name", "headers", "remote_timeout", "write_relabel_configs",
                            "queue_config", "metadata_config", "send_exemplars",
                            "send_native_histograms", "follow_redirects", "enable_http2",
                            "tls_config", "basic_auth", "authorization", "bearer_token",
                            "bearer_token_file"});
        !s.ok()) {
      return s;
    }
    remote::RemoteWriteConfig rw;
    if (!w["url"]) return Err(f + ".url", "is required");
    auto url = String(w["url"], f + ".url");
    if (!url.ok()) return url.status();
    if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
      return Err(f + ".url", "must be an http:// or https:// URL");
    }
    rw.url = *url;
    if (w["name"]) {
      auto v = String(w["name"], f + ".name");
      if (!v.ok()) return v.status();
      rw.name = *v;
      if (!rw.name.empty() && !names.insert(rw.name).second) {
        return Err(f + ".name", "found multiple remote write configs with job name \"" + rw.name +
                                    "\"");
      }
    }
    if (rw.name.empty() && !urls.insert(rw.url).second) {
      return Err(f + ".url", "duplicate remote write URL without a name: give each a name");
    }
    if (const YAML::Node& h = w["headers"]) {
      if (!h.IsMap()) return Err(f + ".headers", "must be a mapping of header names to values");
      for (const auto& kv : h) {
        const std::string name = kv.first.as<std::string>();
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        // Set by the sender itself (Prometheus's reserved headers).
        for (const char* reserved :
             {"authorization", "host", "content-encoding", "content-length", "content-type",
              "user-agent", "connection", "keep-alive", "proxy-authenticate",
              "proxy-authorization", "www-authenticate", "retry-after",
              "x-prometheus-remote-write-version"}) {
          if (lower == reserved) {
            return Err(f + ".headers", name + " is a reserved header. It must not be changed");
          }
        }
        if (!kv.second.IsScalar()) return Err(f + ".headers." + name, "must be a string");
        rw.headers.emplace_back(name, kv.second.as<std::string>());
      }
    }
    if (w["remote_timeout"]) {
      auto d = Duration(w["remote_timeout"], f + ".remote_timeout");
      if (!d.ok()) return d.status();
      rw.remote_timeout_ms = *d;
    }
    for (const char* flag : {"send_exemplars", "send_native_histograms"}) {
      // Only float samples exist in this store: there is nothing else to send.
      if (w[flag] && (!w[flag].IsScalar() || (w[flag].as<std::string>() != "false" &&
                                             w[flag].as<std::string>() != "true"))) {
        return Err(f + "." + flag, "must be true or false");
      }
    }
    if (const YAML::Node& q = w["queue_config"]) {
      const std::string qf = f + ".queue_config";
      if (auto s = CheckKeys(q, qf,
                             {"capacity", "min_shards", "max_shards", "max_samples_per_send",
                              "batch_send_deadline", "min_backoff", "max_backoff",
                              "retry_on_http_429", "sample_age_limit"});
          !s.ok()) {
        return s;
      }
      auto int_field = [&](const char* key, int* dst) -> Status {
        if (!q[key]) return Status::OK();
        int v = 0;
        if (!q[key].IsScalar() || !YAML::convert<int>::decode(q[key], v) || v <= 0) {
          return Err(qf + "." + key, "must be a positive integer");
        }
        *dst = v;
        return Status::OK();
      };
      auto dur_field = [&](const char* key, int64_t* dst) -> Status {
        if (!q[key]) return Status::OK();
        auto d = Duration(q[key], qf + "." + key);
        if (!d.ok()) return d.status();
        *dst = *d;
        return Status::OK();
      };
      for (auto [key, dst] : std::initializer_list<std::pair<const char*, int*>>{
               {"capacity", &rw.queue.capacity},
               {"min_shards", &rw.queue.min_shards},
               {"max_shards", &rw.queue.max_shards},
               {"max_samples_per_send", &rw.queue.max_samples_per_send}}) {
        if (auto s = int_field(key, dst); !s.ok()) return s;
      }
      for (auto [key, dst] : std::initializer_list<std::pair<const char*, int64_t*>>{
               {"batch_send_deadline", &rw.queue.batch_send_deadline_ms},
               {"min_backoff", &rw.queue.min_backoff_ms},
               {"max_backoff", &rw.queue.max_backoff_ms}}) {
        if (auto s = dur_field(key, dst); !s.ok()) return s;
      }
      if (q["sample_age_limit"]) {
        return Err(qf + ".sample_age_limit",
                   "not supported: samples are kept for the whole retention");
      }
      if (const YAML::Node& r = q["retry_on_http_429"]) {
        bool v = false;
        if (!r.IsScalar() || !YAML::convert<bool>::decode(r, v)) {
          return Err(qf + ".retry_on_http_429", "must be true or false");
        }
        rw.queue.retry_on_http_429 = v;
      }
      if (rw.queue.min_shards > rw.queue.max_shards) {
        return Err(qf + ".min_shards", "must not be greater than max_shards");
      }
      if (rw.queue.max_shards > 1000) return Err(qf + ".max_shards", "must be at most 1000");
      if (rw.queue.min_backoff_ms > rw.queue.max_backoff_ms) {
        return Err(qf + ".min_backoff", "must not be greater than max_backoff");
      }
    }
    if (const YAML::Node& r = w["write_relabel_configs"]; r && !r.IsNull()) {
      auto rc = ParseRelabelConfigs(r, f + ".write_relabel_configs");
      if (!rc.ok()) return rc.status();
      rw.write_relabel_configs = std::move(rc).value();
      YAML::Emitter out;
      out << r;
      rw.relabel_text = out.c_str();
    }
    if (auto s = ParseHttpClient(w, f, base_dir, &rw.http); !s.ok()) return s;
    c->remote_write.push_back(std::move(rw));
  }
  return Status::OK();
}

common::Result<Config> Parse(const YAML::Node& root, const std::string& base_dir) {
  Config c;
  if (root.IsNull()) return c;
  if (auto s = CheckKeys(root, "config",
                         {"global", "scrape_configs", "rule_files", "alerting", "notifications",
                          "remote_write"});
      !s.ok()) {
    return s;
  }
  if (root["global"]) {
    const YAML::Node& g = root["global"];
    if (auto s = CheckKeys(
            g, "global",
            {"scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels"});
        !s.ok()) {
      return s;
    }
    if (g["evaluation_interval"]) {
      auto d = Duration(g["evaluation_interval"], "global.evaluation_interval");
      if (!d.ok()) return d.status();
      c.evaluation_interval_ms = *d;
    }
    if (g["external_labels"]) {
      auto l = LabelMap(g["external_labels"], "global.external_labels");
      if (!l.ok()) return l.status();
      for (const auto& kv : *l) {
        if (kv.name == model::kMetricNameLabel) {
          return Err("global.external_labels", "\"__name__\" is not a valid external label");
        }
      }
      c.external_labels = *l;
    }
    if (g["scrape_interval"]) {
      auto d = Duration(g["scrape_interval"], "global.scrape_interval");
      if (!d.ok()) return d.status();
      c.scrape_interval_ms = *d;
    }
    if (g["scrape_timeout"]) {
      auto d = Duration(g["scrape_timeout"], "global.scrape_timeout");
      if (!d.ok()) return d.status();
      c.scrape_timeout_ms = *d;
    } else {
      c.scrape_timeout_ms = std::min<int64_t>(10000, c.scrape_interval_ms);
    }
    if (c.scrape_timeout_ms > c.scrape_interval_ms) {
      return Err("global.scrape_timeout", "must not be greater than scrape_interval");
    }
  }
  if (auto s = ParseRuleFiles(root["rule_files"], base_dir, &c); !s.ok()) return s;
  if (auto s = ParseAlerting(root["alerting"], base_dir, &c); !s.ok()) return s;
  if (auto s = ParseRemoteWrite(root["remote_write"], base_dir, &c); !s.ok()) return s;
  if (const YAML::Node& n = root["notifications"]; n && !n.IsNull()) {
    if (!n.IsMap()) return Err("notifications", "must be a mapping (alertmanager.yml's shape)");
    YAML::Emitter out;
    out << n;
    auto nc = notifier::ParseNotifierConfig(out.c_str(), base_dir);
    if (!nc.ok()) return Err("notifications", nc.status().message());
    c.notifications = std::move(nc).value();
  }
  const YAML::Node& scs = root["scrape_configs"];
  if (!scs) return c;
  if (!scs.IsSequence()) return Err("scrape_configs", "must be a list");
  std::set<std::string> jobs;
  for (size_t i = 0; i < scs.size(); ++i) {
    std::string f = "scrape_configs[" + std::to_string(i) + "]";
    const YAML::Node& n = scs[i];
    if (auto s = CheckKeys(n, f,
                           {"job_name", "scrape_interval", "scrape_timeout", "metrics_path",
                            "scheme", "honor_labels", "static_configs", "tls_config", "basic_auth",
                            "authorization", "bearer_token", "bearer_token_file"});
        !s.ok()) {
      return s;
    }
    ScrapeConfig sc;
    if (!n["job_name"] || !n["job_name"].IsScalar() || n["job_name"].as<std::string>().empty()) {
      return Err(f + ".job_name", "is required");
    }
    sc.job_name = n["job_name"].as<std::string>();
    if (!jobs.insert(sc.job_name).second) {
      return Err(f + ".job_name", "duplicate job name \"" + sc.job_name + "\"");
    }
    sc.interval_ms = c.scrape_interval_ms;
    sc.timeout_ms = std::min(c.scrape_timeout_ms, sc.interval_ms);
    if (n["scrape_interval"]) {
      auto d = Duration(n["scrape_interval"], f + ".scrape_interval");
      if (!d.ok()) return d.status();
      sc.interval_ms = *d;
      sc.timeout_ms = std::min(c.scrape_timeout_ms, sc.interval_ms);
    }
    if (n["scrape_timeout"]) {
      auto d = Duration(n["scrape_timeout"], f + ".scrape_timeout");
      if (!d.ok()) return d.status();
      sc.timeout_ms = *d;
    }
    if (sc.timeout_ms > sc.interval_ms) {
      return Err(f + ".scrape_timeout", "must not be greater than scrape_interval");
    }
    if (n["metrics_path"]) {
      if (!n["metrics_path"].IsScalar()) return Err(f + ".metrics_path", "must be a string");
      sc.metrics_path = n["metrics_path"].as<std::string>();
      if (sc.metrics_path.empty() || sc.metrics_path[0] != '/') {
        return Err(f + ".metrics_path", "must start with '/'");
      }
    }
    if (n["scheme"]) {
      if (!n["scheme"].IsScalar()) return Err(f + ".scheme", "must be a string");
      sc.scheme = n["scheme"].as<std::string>();
      if (sc.scheme != "http" && sc.scheme != "https") {
        return Err(f + ".scheme", "must be \"http\" or \"https\"");
      }
    }
    if (auto s = ParseHttpClient(n, f, base_dir, &sc.http); !s.ok()) return s;
    if (n["honor_labels"]) {
      try {
        sc.honor_labels = n["honor_labels"].as<bool>();
      } catch (const YAML::Exception&) {
        return Err(f + ".honor_labels", "must be true or false");
      }
    }
    const YAML::Node& stat = n["static_configs"];
    if (stat) {
      if (!stat.IsSequence()) return Err(f + ".static_configs", "must be a list");
      for (size_t k = 0; k < stat.size(); ++k) {
        std::string sf = f + ".static_configs[" + std::to_string(k) + "]";
        if (auto s = CheckKeys(stat[k], sf, {"targets", "labels"}); !s.ok()) return s;
        ScrapeConfig::Static st;
        const YAML::Node& t = stat[k]["targets"];
        if (t) {
          if (!t.IsSequence()) return Err(sf + ".targets", "must be a list of host:port");
          for (size_t m = 0; m < t.size(); ++m) {
            if (!t[m].IsScalar()) {
              return Err(sf + ".targets[" + std::to_string(m) + "]", "must be host:port");
            }
            std::string addr = t[m].as<std::string>();
            size_t colon = addr.rfind(':');
            if (addr.empty() || addr.find('/') != std::string::npos || colon == std::string::npos ||
                colon == 0 || colon + 1 == addr.size()) {
              return Err(sf + ".targets[" + std::to_string(m) + "]",
                         "\"" + addr + "\" is not host:port");
            }
            st.targets.push_back(addr);
          }
        }
        if (stat[k]["labels"]) {
          auto l = LabelMap(stat[k]["labels"], sf + ".labels");
          if (!l.ok()) return l.status();
          st.labels = *l;
        }
        sc.static_configs.push_back(std::move(st));
      }
    }
    c.scrape_configs.push_back(std::move(sc));
  }
  return c;
}

}  // namespace

std::string ScrapeTarget::Key() const {
  return url + "|" + labels.ToString() + "|" + std::to_string(interval_ms) + "|" +
         std::to_string(timeout_ms) + "|" + (honor_labels ? "1" : "0") + "|" + http.Key();
}

std::vector<ScrapeTarget> Config::Targets() const {
  std::vector<ScrapeTarget> out;
  for (const auto& sc : scrape_configs) {
    for (const auto& st : sc.static_configs) {
      for (const auto& addr : st.targets) {
        ScrapeTarget t;
        t.job = sc.job_name;
        t.address = addr;
        t.url = sc.scheme + "://" + addr + sc.metrics_path;
        std::vector<model::Label> l(st.labels.begin(), st.labels.end());
        l.push_back({"job", sc.job_name});
        l.push_back({"instance", addr});
        t.labels = model::Labels::FromVector(std::move(l));
        t.interval_ms = sc.interval_ms;
        t.timeout_ms = sc.timeout_ms;
        t.honor_labels = sc.honor_labels;
        t.http = sc.http;
        out.push_back(std::move(t));
      }
    }
  }
  return out;
}

common::Result<Config> ParseConfig(const std::string& yaml_text, const std::string& base_dir) {
  try {
    return Parse(YAML::Load(yaml_text), base_dir);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

common::Result<Config> LoadConfigFile(const std::string& path) {
  std::string text;
  if (!common::ReadFileToString(path, &text)) {
    return Status::InvalidArgument("cannot read config file " + path);
  }
  auto c = ParseConfig(text, common::ConfigDir(path));
  if (!c.ok()) return c.status().WithContext(path);
  return c;
}

}  // namespace server
