#include "server/config.h"

#include <algorithm>
#include <set>

#include <yaml-cpp/yaml.h>

#include "common/config_files.h"
#include "common/paths.h"
#include "model/duration.h"

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

common::Result<Config> Parse(const YAML::Node& root, const std::string& base_dir) {
  Config c;
  if (root.IsNull()) return c;
  if (auto s = CheckKeys(root, "config",
                         {"global", "scrape_configs", "rule_files", "alerting", "notifications"});
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
