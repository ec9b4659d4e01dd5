#include "exporter/collector.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace exporter {

namespace {
std::map<std::string, CollectorInfo>& Registry() {
  static std::map<std::string, CollectorInfo> registry;
  return registry;
}
std::map<std::string, CollectorFlagInfo>& FlagRegistry() {
  static std::map<std::string, CollectorFlagInfo> registry;
  return registry;
}
}  // namespace

const std::map<std::string, CollectorInfo>& RegisteredCollectors() { return Registry(); }
const std::map<std::string, CollectorFlagInfo>& RegisteredCollectorFlags() {
  return FlagRegistry();
}

CollectorFlagRegistrar::CollectorFlagRegistrar(const char* name, const char* default_value,
                                               const char* help, bool is_bool) {
  FlagRegistry()[name] = CollectorFlagInfo{default_value, help, is_bool};
}

std::string CollectorConfig::Flag(std::string_view name) const {
  std::string key(name);
  if (auto it = flags.find(key); it != flags.end()) return it->second;
  auto it = FlagRegistry().find(key);
  if (it == FlagRegistry().end()) {
    fprintf(stderr, "internal error: collector flag '%s' is not registered\n", key.c_str());
    abort();
  }
  return it->second.default_value;
}

CollectorRegistrar::CollectorRegistrar(const char* name, bool enabled_by_default,
                                       CollectorFactory factory) {
  Registry()[name] = CollectorInfo{enabled_by_default, std::move(factory)};
}

std::vector<std::string> NodeCollector::DefaultCollectorNames() {
  std::vector<std::string> out;
  for (const auto& [name, info] : Registry()) {
    if (info.enabled_by_default) out.push_back(name);
  }
  return out;
}

common::Result<std::unique_ptr<NodeCollector>> NodeCollector::Create(
    const CollectorConfig& config, const std::vector<std::string>& names) {
  std::unique_ptr<NodeCollector> nc(new NodeCollector());
  for (const auto& name : names) {
    auto it = Registry().find(name);
    if (it == Registry().end()) {
      std::string known;
      for (const auto& [n, _] : Registry()) known += (known.empty() ? "" : ", ") + n;
      return common::Status::InvalidArgument("unknown collector '" + name + "' (known: " + known +
                                             ")");
    }
    auto collector = it->second.factory(config);
    if (auto s = collector->Check(); !s.ok()) {
      return common::Status::InvalidArgument("collector " + name + ": " + s.message());
    }
    nc->names_.push_back(name);
    nc->collectors_.push_back(std::move(collector));
  }
  return nc;
}

common::Status NodeCollector::CheckFilter(const std::vector<std::string>& only) const {
  for (const auto& name : only) {
    if (!Registry().count(name))
      return common::Status::InvalidArgument("missing collector: " + name);
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
      return common::Status::InvalidArgument("disabled collector: " + name);
    }
  }
  return common::Status::OK();
}

void NodeCollector::Collect(MetricSink& sink, const std::vector<std::string>* only) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<double, bool>> results(collectors_.size());
  std::vector<bool> run(collectors_.size(), true);
  if (only) {
    for (size_t i = 0; i < collectors_.size(); ++i) {
      run[i] = std::find(only->begin(), only->end(), names_[i]) != only->end();
    }
  }
  for (size_t i = 0; i < collectors_.size(); ++i) {
    if (!run[i]) continue;
    auto start = std::chrono::steady_clock::now();
    common::Status s = collectors_[i]->Update(sink);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // NotFound is node_exporter's ErrNoData (e.g. no hwmon on a VM): reported
    // as success 0 like any failure, but logged quietly since it is normal.
    if (s.IsNotFound()) {
      spdlog::debug("collector {} returned no data: {}", names_[i], s.message());
    } else if (!s.ok()) {
      spdlog::warn("collector {} failed: {}", names_[i], s.ToString());
    }
    results[i] = {secs, s.ok()};
  }
  // Emitted after all collectors so each family stays contiguous.
  for (size_t i = 0; i < collectors_.size(); ++i) {
    if (!run[i]) continue;
    sink.Gauge("node_scrape_collector_duration_seconds",
               "node_exporter: Duration of a collector scrape.", {{"collector", names_[i]}},
               results[i].first);
  }
  for (size_t i = 0; i < collectors_.size(); ++i) {
    if (!run[i]) continue;
    sink.Gauge("node_scrape_collector_success", "node_exporter: Whether a collector succeeded.",
               {{"collector", names_[i]}}, results[i].second ? 1 : 0);
  }
}

}  // namespace exporter
