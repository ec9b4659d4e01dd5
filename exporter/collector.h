// Collector: one source of host metrics (cpu, meminfo, ...), in the manner of
// node_exporter's collector package. Each collector lives in its own file under
// exporter/collectors/<os>/ and registers itself with REGISTER_COLLECTOR; the
// NodeCollector runs the enabled ones and adds node_scrape_collector_* metrics.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/paths.h"
#include "common/status.h"
#include "exporter/metric_sink.h"

namespace exporter {

// A collector's command-line flag, declared in the collector's own file with
// REGISTER_COLLECTOR_FLAG under node_exporter's name (without the leading
// "--", e.g. "collector.netstat.fields") and default, so the binary's command
// line is node_exporter's without a central list to keep in step.
struct CollectorFlagInfo {
  std::string default_value;
  std::string help;
  bool is_bool = false;  // --name / --no-name, values "true" / "false"
};

// Every flag registered by the collectors compiled in, by name.
const std::map<std::string, CollectorFlagInfo>& RegisteredCollectorFlags();

struct CollectorFlagRegistrar {
  CollectorFlagRegistrar(const char* name, const char* default_value, const char* help,
                         bool is_bool);
};

#define REGISTER_COLLECTOR_FLAG(id, name, default_value, help) \
  static ::exporter::CollectorFlagRegistrar collector_flag_##id(name, default_value, help, false)
#define REGISTER_COLLECTOR_BOOL_FLAG(id, name, default_value, help) \
  static ::exporter::CollectorFlagRegistrar collector_flag_##id(    \
      name, default_value ? "true" : "false", help, true)

struct CollectorConfig {
  common::HostPaths paths;
  // Flag values given on the command line (or set by tests), by registered
  // name; flags not given keep their registered defaults.
  std::map<std::string, std::string> flags;

  // The value of a registered flag. Asking for an unregistered name is a
  // programming error: it aborts, so a typo cannot silently read "".
  std::string Flag(std::string_view name) const;
  bool BoolFlag(std::string_view name) const { return Flag(name) == "true"; }
};

class Collector {
 public:
  virtual ~Collector() = default;
  // Reads the host once and adds samples to sink. A failure means the whole
  // collector produced nothing trustworthy: it is reported as
  // node_scrape_collector_success 0, and the scrape goes on. Return NotFound
  // for "this host has no such data" (logged at debug level only).
  virtual common::Status Update(MetricSink& sink) = 0;
  // Configuration errors (an invalid --collector.*-include regexp, flags that
  // exclude each other): NodeCollector::Create fails with them, so the
  // binary refuses to start as node_exporter does instead of failing every
  // scrape.
  virtual common::Status Check() const { return common::Status::OK(); }
};

using CollectorFactory = std::function<std::unique_ptr<Collector>(const CollectorConfig& config)>;

struct CollectorInfo {
  bool enabled_by_default;
  CollectorFactory factory;
};

// All collectors compiled into this binary, by name.
const std::map<std::string, CollectorInfo>& RegisteredCollectors();

struct CollectorRegistrar {
  CollectorRegistrar(const char* name, bool enabled_by_default, CollectorFactory factory);
};

#define REGISTER_COLLECTOR(name, enabled_by_default, Class)                                \
  static ::exporter::CollectorRegistrar registrar_##Class(                                 \
      name, enabled_by_default,                                                            \
      [](const ::exporter::CollectorConfig& c) -> std::unique_ptr<::exporter::Collector> { \
        return std::make_unique<Class>(c);                                                 \
      })

// Runs a set of collectors and adds node_scrape_collector_{success,duration_seconds}.
// Thread-safe: concurrent Collect calls are serialized, so collectors may keep
// state between calls.
class NodeCollector {
 public:
  // names: the collectors to run; unknown names fail, and so does a
  // collector whose Check fails ("collector <name>: <why>").
  static common::Result<std::unique_ptr<NodeCollector>> Create(
      const CollectorConfig& config, const std::vector<std::string>& names);
  // The names of the collectors enabled by default.
  static std::vector<std::string> DefaultCollectorNames();

  // Runs every collector of this NodeCollector, or only those named in only
  // (node_exporter's collect[] filter; see CheckFilter).
  void Collect(MetricSink& sink, const std::vector<std::string>* only = nullptr);
  // Checks a collect[] filter as node_exporter does: each name must be a
  // registered collector ("missing collector: x") that is enabled here
  // ("disabled collector: x").
  common::Status CheckFilter(const std::vector<std::string>& only) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  NodeCollector() = default;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Collector>> collectors_;
  std::mutex mu_;
};

}  // namespace exporter
