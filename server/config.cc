#include "server/config.h"

#include <set>

#include <yaml-cpp/yaml.h>

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

common::Result<Config> Parse(const YAML::Node& root) {
  Config c;
  if (root.IsNull()) return c;
  if (auto s = CheckKeys(root, "config", {"global", "scrape_configs"}); !s.ok()) return s;
  if (root["global"]) {
    const YAML::Node& g = root["global"];
    if (auto s =
            CheckKeys(g, "global", {"scrape_interval", "scrape_timeout", "evaluation_interval"});
        !s.ok()) {
      return s;
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
  const YAML::Node& scs = root["scrape_configs"];
  if (!scs) return c;
  if (!scs.IsSequence()) return Err("scrape_configs", "must be a list");
  std::set<std::string> jobs;
  for (size_t i = 0; i < scs.size(); ++i) {
    std::string f = "scrape_configs[" + std::to_string(i) + "]";
    const YAML::Node& n = scs[i];
    if (auto s = CheckKeys(n, f,
                           {"job_name", "scrape_interval", "scrape_timeout", "metrics_path",
                            "scheme", "honor_labels", "static_configs"});
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
      if (sc.scheme != "http") return Err(f + ".scheme", "only \"http\" is supported");
    }
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
         std::to_string(timeout_ms) + "|" + (honor_labels ? "1" : "0");
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
        out.push_back(std::move(t));
      }
    }
  }
  return out;
}

common::Result<Config> ParseConfig(const std::string& yaml_text) {
  try {
    return Parse(YAML::Load(yaml_text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

common::Result<Config> LoadConfigFile(const std::string& path) {
  std::string text;
  if (!common::ReadFileToString(path, &text)) {
    return Status::InvalidArgument("cannot read config file " + path);
  }
  auto c = ParseConfig(text);
  if (!c.ok()) return c.status().WithContext(path);
  return c;
}

}  // namespace server
